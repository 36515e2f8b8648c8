package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"roster/admin"
	"roster/i18n"
)

// selection is how a command names the users a bulk act changes: a list of
// addresses, or --where and a filter as roster users takes it.
type selection struct {
	where string
	yes   bool
	out   []admin.Outcome // what run did, once it has
}

func (s *selection) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.where, "where", "", `act on every user matching: status=S team=T branch=B search=TEXT (team="Two words")`)
	fs.BoolVar(&s.yes, "yes", false, "act on several users without asking (required when not on a terminal)")
}

// bulk reports whether the command acts on several users: --where, or more
// than one address.
func (s *selection) bulk(emails []string) bool { return s.where != "" || len(emails) > 1 }

// run does b to the users named (emails, --where, or b.Stuck: every
// invitation stuck when it counts them), as one job of admin.ActOnUsers, and prints the outcomes
// failures first. Acting on more than one address, or on a filter, it asks
// first with the count, on a terminal; elsewhere (a script, over SSH) it
// needs --yes, and refuses otherwise, changing nothing. A --where that
// matches nobody says so and changes nothing.
func (s *selection) run(c *cli, ctx context.Context, a admin.Actor, emails []string, b admin.UserBatch) error {
	switch {
	case s.where != "" && len(emails) > 0:
		return usagef("give EMAIL... or --where, not both")
	case s.where == "" && len(emails) == 0 && !b.Stuck:
		return usagef("name the users: EMAIL... or --where 'status=S team=T search=TEXT'")
	}
	emails = once(emails)
	// The act's role, team or branch, before the users: refused alike
	// whether a --where matches nobody or someone, and before asking.
	if err := c.svc.CheckBatch(ctx, b); err != nil {
		return err
	}
	n := len(emails)
	stuckAct := b.Stuck
	if b.Stuck {
		stuck, err := c.svc.Stuck(ctx, a)
		if err != nil {
			return err
		}
		if n = len(stuck); n == 0 {
			if c.json {
				return c.printJSON([]admin.Outcome{})
			}
			fmt.Fprintln(c.stdout, c.printer().T("no stuck invitations"))
			return nil
		}
		// The act is on the invitations counted, as a --where's is on the
		// users it counted: read again after the answer, they took in any
		// that became stuck while the operator read the question.
		b.Stuck, b.IDs = false, make([]int64, n)
		for i, in := range stuck {
			b.IDs[i] = in.UserID
		}
	}
	if s.where != "" {
		lq, err := admin.ParseWhere(s.where)
		if err != nil {
			return err
		}
		if b.IDs, err = c.svc.SelectUsers(ctx, a, lq); err != nil {
			return err
		}
		if n = len(b.IDs); n == 0 { // nothing to do is no failure: a script run again succeeds
			if c.json {
				return c.printJSON([]admin.Outcome{})
			}
			fmt.Fprintln(c.stdout, c.printer().T("no user matches --where %q: nothing to do", s.where))
			return nil
		}
	}
	b.Emails = emails
	if !s.yes && (s.bulk(emails) || stuckAct) {
		if err := c.confirm(ctx, b.Ask(n)); err != nil {
			return err
		}
	}
	out, err := c.svc.ActOnUsers(ctx, a, b)
	if out == nil {
		return err
	}
	admin.FailuresFirst(out)
	s.out = out
	oerr := c.outcomes(b.Did(), out)
	if err == nil {
		return oerr
	}
	// Stopped between batches (ctrl+c) or by a batch that failed: how far
	// it went, in one line.
	done := 0
	for _, o := range out {
		var notDone *admin.NotDoneError
		if !errors.As(o.Err, &notDone) {
			done++
		}
	}
	users := i18n.Count(len(out), "%s user", "%s users")
	if errors.Is(err, context.Canceled) {
		return errorf("interrupted after %s of %s: those not done are as they were, and the same command again does them", number(done), users)
	}
	return errorf("stopped after %s of %s: %v; those not done are as they were, and the same command again does them", number(done), users, err)
}

// number is a count said with the language's digit grouping (1,234; 1 234).
type number int

func (n number) Localize(p *i18n.Printer) string { return p.Num(int(n)) }

// once is emails with each address as written once, in their order: one
// named twice (a script joining two lists) was acted on twice, the second
// a failure (sent too recently, not found once revoked), and counted twice.
func once(emails []string) []string {
	seen := map[string]bool{}
	out := emails[:0:0]
	for _, e := range emails {
		if k := strings.TrimSpace(e); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// errNotConfirmed says the operator did not answer yes.
var errNotConfirmed = errorf("not confirmed: nothing changed")

// confirm asks question on a terminal and waits for yes; without a
// terminal to ask on, it refuses: a script says --yes. ctrl+c (ctx ended)
// is no: main takes the interrupt for ctx, so that a read that did not
// watch it went on waiting for an answer.
func (c *cli) confirm(ctx context.Context, question i18n.Text) error {
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return errorf("%s: not on a terminal to ask on, say --yes to go ahead", strings.TrimSuffix(question.In(c.printer()), "?"))
	}
	fmt.Fprintf(c.stderr, "%s %s ", question.In(c.printer()), c.printer().T("[y/N]"))
	answered := make(chan string, 1)
	go func() {
		// Left reading once ctx ends: the process exits with the command.
		answer, _ := bufio.NewReader(f).ReadString('\n')
		answered <- answer
	}()
	select {
	case answer := <-answered:
		if !yes(answer) {
			return errNotConfirmed
		}
		return nil
	case <-ctx.Done():
		fmt.Fprintln(c.stderr) // the question's line ends where ^C was echoed
		return errNotConfirmed
	}
}

// errInterrupted says ctrl+c ended a read of the operator's terminal.
var errInterrupted = errorf("interrupted: nothing changed")

// input is standard input, which invite --csv - and keys add EMAIL - read.
// On a terminal, a read ends with ctx, with errInterrupted: main takes
// ctrl+c for ctx, so that a read that did not watch it went on until ctrl+d,
// then acted on what was typed so far. A pipe ends when its writer does.
func (c *cli) input(ctx context.Context) io.Reader {
	if f, ok := c.stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		return &terminalReader{ctx: ctx, f: f, stderr: c.stderr}
	}
	return c.stdin
}

// terminalReader reads a terminal until ctx ends.
type terminalReader struct {
	ctx    context.Context
	f      *os.File
	stderr io.Writer // ends the line where the terminal echoed ^C
}

func (r *terminalReader) Read(p []byte) (int, error) {
	if r.ctx.Err() != nil {
		return 0, errInterrupted
	}
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		// Left reading once ctx ends: the process exits with the command.
		b := make([]byte, len(p))
		n, err := r.f.Read(b)
		done <- read{b[:n], err}
	}()
	select {
	case rd := <-done:
		return copy(p, rd.b), rd.err
	case <-r.ctx.Done():
		fmt.Fprintln(r.stderr)
		return 0, errInterrupted
	}
}

// yes reports whether answer says yes, in English or in French (o, oui),
// whatever the language asked in: fingers used to y keep working.
func yes(answer string) bool {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes", "o", "oui":
		return true
	}
	return false
}
