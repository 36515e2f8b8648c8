// Command roster is a keyboard-driven dashboard for the people who administer
// an organisation's user accounts, and a scriptable command line over the same
// operations. With no command it opens the dashboard.
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, exits: true}, os.Args[1:]))
}

// cli is one run of the command line: its streams, the global flags, and the
// store and rules once opened. Over SSH, actor is fixed to the key's owner.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	db      string
	as      string
	json    bool
	channel string
	actor   *admin.Actor // fixed by roster serve: --as and --db are refused
	lang    string       // --lang, over ROSTER_LANG: the language asked for
	// p makes every word the command line prints for people (never its
	// JSON), in the language asked for, else the operator's own once known
	// (operator), else the environment's. Read it through printer.
	p *i18n.Printer
	// speaker is the operator whose own language p becomes when it is
	// first used (speakTo): a command whose output is JSON alone never
	// reads it.
	speaker func() string

	smtp, smtpPasswordFile, from, baseURL string // mail flags, over their ROSTER_ variables (cmd_mail.go)
	sms                                   string // the SMS provider, over ROSTER_SMS

	st  *store.Store
	svc *admin.Service
	// creates is set for the commands that make a database where none is
	// (init, seed): any other refuses a --db or ROSTER_DB that names no
	// file (store.MissingError) rather than make an empty one there.
	creates bool
	// exits is set by main: the process ends with the command, which
	// leaves a store that only read to the exit (store.NeedsClose).
	exits bool
}

// command is one subcommand of the command line.
type command struct {
	name    string
	args    string    // what follows the name in the usage line: syntax, not translated
	summary i18n.Text // said in the operator's language by roster help
	local   bool      // needs the local machine (refused over SSH)
	run     func(c *cli, ctx context.Context, args []string) error
}

// commands lists every subcommand, in the order `roster help` shows them.
var commands []command

func init() {
	commands = []command{
		{"init", "--org NAME --owner EMAIL [--first F --last L]", i18n.Msg("create the account and its first owner"), true, cmdInit},
		{"account", "[--name N] [--invite-lifetime 48h] [--remind-before 24h] [--country FR]", i18n.Msg("show or change the account's settings"), false, cmdAccount},
		{"users", "[--status S] [--team T] [--branch B] [--search TEXT] [--sort name|last-login|status] [--limit N | --count]", i18n.Msg("list users, or count them"), false, cmdUsers},
		{"user", "EMAIL", i18n.Msg("show everything about one user"), false, cmdUser},
		{"edit", "EMAIL [--first F] [--last L] [--phone N] [--position P] [--ref ID] [--locale fr|en] [--tag +T|-T] [--team +T|-T] [--branch +B|-B] | EMAIL...|--where 'status=S team=T branch=B search=TEXT' --team +T|-T|--branch +B|-B [--yes]", i18n.Msg("change a user's profile, or the team or branch of several"), false, cmdEdit},
		{"invite", "EMAIL... [--role R] [--team T] [--branch B] [--first F --last L] [--position P] [--ref ID] [--phone N] [--locale fr|en] [--staged] | --csv FILE", i18n.Msg("invite people by email"), false, cmdInvite},
		{"invites", "[--stuck] | resend EMAIL...|--stuck|--where W | revoke EMAIL...|--stuck|--where W | send EMAIL...|--where W", i18n.Msg("list, resend, revoke or send pending invitations"), false, cmdInvites},
		{"perms", "--list | EMAIL [--role R] [--grant PERM...] [--revoke PERM...] | EMAIL...|--where W --role R [--yes]", i18n.Msg("show or change a user's role and permissions, or the role of several"), false, cmdPerms},
		{"away", "EMAIL [--until DATE] [--from DATE] [--to EMAIL|team:NAME|team:NAME@BRANCH] [--note TEXT] | EMAIL --off | --list [--from DATE] [--until DATE]", i18n.Msg("set someone away, with a stand-in; --list: who is away"), false, cmdAway},
		{"teams", "[add NAME | remove NAME | rename NAME NEW-NAME]", i18n.Msg("list, add, rename or remove teams"), false, cmdTeams},
		{"branches", "[add NAME [--address A] [--timezone TZ] | remove NAME [--move-to BRANCH|none] | rename NAME NEW-NAME]", i18n.Msg("list, add, rename or remove branches"), false, cmdBranches},
		{"reset", "EMAIL", i18n.Msg("send a password-reset mail"), false, cmdReset},
		{"deactivate", "EMAIL... | --where W [--yes]", i18n.Msg("stop users from logging in (reversible)"), false, cmdDeactivate},
		{"reactivate", "EMAIL... | --where W [--yes]", i18n.Msg("undo deactivate"), false, cmdReactivate},
		{"delete", "EMAIL [--heir EMAIL] [--close all|ID,ID…] [--disable-replies[=ID,ID…]] [--dry-run]", i18n.Msg("delete a user: close, switch off, hand the rest to an heir"), false, cmdDelete},
		{"conversations", "[--user EMAIL] | add --subject S --to EMAIL", i18n.Msg("list conversations, or open one (routed to stand-ins)"), false, cmdConversations},
		{"billing", "[plan --period monthly|yearly --seat-price 15.00 [--currency EUR] [--anchor DATE] [--timezone TZ] | plan --none | statement [--cycle current|previous|DATE] [--csv] | ledger [--user EMAIL] [--limit N]]", i18n.Msg("show the plan, the seats and what they cost; change the plan"), false, cmdBilling},
		{"audit", "[--user EMAIL] [--search TEXT] [--action ACTION] [--since DATE] [--until DATE] [--limit N]", i18n.Msg("show the audit trail, newest first"), false, cmdAudit},
		{"export", "--csv", i18n.Msg("write every user as CSV (the format invite --csv reads)"), false, cmdExport},
		{"mail", "[--state S] [--limit N] | show ID | captured [ID] | retry ID|--failed | test --to EMAIL | deliver | flush", i18n.Msg("list the outbox; show, retry or deliver mail; test the relay"), true, cmdMail},
		{"seed", "--users N [--seed S]", i18n.Msg("fill the database with realistic fake data, for demos and benchmarks"), true, cmdSeed},
		{"apikeys", "[EMAIL] | create --name N [--expires 90d] | regenerate ID | revoke ID", i18n.Msg("manage the API keys automations act as you with"), false, cmdAPIKeys},
		{"webhooks", "[add URL --events E,E|all | remove ID | deliveries ID]", i18n.Msg("send signed events to other systems when something happens"), false, cmdWebhooks},
		{"notify", "EMAIL [--set EVENT=email,sms|off|default ...]", i18n.Msg("show or choose which events reach a user and by which channels"), false, cmdNotify},
		{"keys", "[list [EMAIL] | add EMAIL FILE|- | remove EMAIL FINGERPRINT]", i18n.Msg("manage the SSH keys operators open roster serve with"), false, cmdKeys},
		{"migrate", "--from DB --to DB", i18n.Msg("copy a whole database into an empty one: SQLite to PostgreSQL, or back for a backup"), true, cmdMigrate},
		{"backup", "[--to FILE]", i18n.Msg("write a checked copy of the database while it is in use"), true, cmdBackup},
		{"restore", "FILE [--db PATH]", i18n.Msg("put a backup in place of a database no process has open"), true, cmdRestore},
		{"serve", "[--ssh ADDR] [--http ADDR] [--metrics ADDR] [--log-format text|json] [--backup-every 24h --backup-keep 7]", i18n.Msg("serve the dashboard over SSH and the invitation pages over HTTP"), true, cmdServe},
		{"version", "", i18n.Msg("print roster's version, and the commit it was built from and its date"), false, cmdVersion},
		{"completion", "bash|zsh|fish", i18n.Msg("write a shell completion script"), true, cmdCompletion},
		{"man", "", i18n.Msg("write the manual page (roff)"), true, cmdMan},
		{"help", "[COMMAND]", i18n.Msg("describe the commands"), false, cmdHelp},
	}
}

func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// unknownCommand says that name is no command, and which one is nearest
// if one is near.
// unknownVerb is the usage error of cmd given a verb it does not take
// (usage says what it takes), with the nearest of verbs when one is near:
// "invites resnd" means resend.
func unknownVerb(cmd, verb, usage string, verbs ...string) error {
	if near := nearest(verb, verbs); near != "" {
		return usagef("%s takes %s, not %q; did you mean %s %s?", cmd, i18n.Msg(usage), verb, cmd, near)
	}
	return usagef("%s takes %s, not %q", cmd, i18n.Msg(usage), verb)
}

func unknownCommand(name string) error {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if near := nearest(name, names); near != "" {
		return errorf("unknown command %q; did you mean roster %s?", name, near)
	}
	return errorf("unknown command %q (roster help lists them)", name)
}

// run runs one command line and returns the exit code: 0, 1 for an error
// (one line on stderr, nothing changed), 2 for a usage error.
func run(ctx context.Context, c *cli, args []string) int {
	if c.channel == "" {
		c.channel = admin.ChannelCLI
	}
	defer c.close()
	// Global flags may come before the command.
	g, showVersion := c.globalFlags()
	rest, err := parseArgs(g, args, true)
	if errors.Is(err, flag.ErrHelp) {
		// roster --help (or roster --help users) is roster help [users]:
		// the flag package stops at it, so the global flags around it
		// (--lang) are read again without it.
		rest, err = parseArgs(g, slices.DeleteFunc(slices.Clone(args), isHelpFlag), true)
		if err == nil {
			rest = append([]string{"help"}, rest...)
		}
	}
	if err == nil {
		err = c.setLang()
	}
	if err != nil {
		return c.usageError(err)
	}
	if c.actor != nil { // over SSH the operator is known from the start
		c.speakTo(ctx, *c.actor)
	}
	if *showVersion {
		return c.fail(cmdVersion(c, ctx, rest))
	}
	if len(rest) == 0 {
		return c.fail(cmdDashboard(c, ctx))
	}
	cmd := findCommand(rest[0])
	if cmd == nil {
		return c.usageError(unknownCommand(rest[0]))
	}
	if cmd.local && c.actor != nil {
		return c.fail(errorf("%s is not available over SSH", cmd.name))
	}
	// init and seed (which makes the account when there is none) set a new
	// database up: they make one where none is.
	c.creates = cmd.name == "init" || cmd.name == "seed"
	err = cmd.run(c, ctx, rest[1:])
	var ue usageErr
	if errors.As(err, &ue) {
		return c.usageError(err)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return c.fail(err)
}

// globalFlags are the flags that come before the command: every
// command's (--db, --as, --json, --lang), the mail flags, and --version.
func (c *cli) globalFlags() (*flag.FlagSet, *bool) {
	g := c.flags("roster")
	c.mailFlags(g)
	return g, g.Bool("version", false, "print roster's version")
}

func (c *cli) fail(err error) int {
	if err == nil {
		return 0
	}
	var p partialErr
	if !errors.As(err, &p) {
		fmt.Fprintln(c.stderr, "roster: "+oneLine(i18n.Error(c.printer(), err)))
	}
	return 1
}

func (c *cli) usageError(err error) int {
	fmt.Fprintln(c.stderr, "roster: "+oneLine(i18n.Error(c.printer(), err)))
	return 2
}

// setLang speaks the language asked for (--lang, ROSTER_LANG), else the
// environment's until the operator's own is known (speakTo); a language
// roster does not speak is a usage error.
func (c *cli) setLang() error {
	l, err := i18n.Check(c.lang)
	if err != nil {
		return usageErr{err}
	}
	if l != "" {
		c.speaker = nil
	}
	if l != "" || c.p == nil {
		c.p = i18n.For(i18n.Choose(string(l), "", c.getenv))
	}
	return nil
}

// printer is c.p, in the operator's own language once they are known
// (speakTo), or English before the flags are read.
func (c *cli) printer() *i18n.Printer {
	if c.speaker != nil {
		c.p = i18n.For(i18n.Choose("", c.speaker(), c.getenv))
		c.speaker = nil
	}
	if c.p == nil {
		return i18n.For(i18n.English)
	}
	return c.p
}

// getenv reads the environment of the operator's terminal: the process's,
// none over SSH (the server's is not the operator's).
func (c *cli) getenv(key string) string {
	if c.actor != nil {
		return ""
	}
	return os.Getenv(key)
}

func oneLine(s string) string { return strings.Join(strings.Fields(admin.Printable(s)), " ") }

// oneID reads the one ID that a command's verb (rest[0]) takes, a key's or
// a webhook's (what), which the command alone lists.
func oneID(rest []string, command, what string) (int64, error) {
	if len(rest) != 2 {
		return 0, usagef("%s %s takes one %s ID (roster %s lists them)", command, rest[0], what, command)
	}
	n, err := strconv.ParseInt(rest[1], 10, 64)
	if err != nil {
		return 0, usagef("%q is not a %s ID (roster %s lists them)", rest[1], what, command)
	}
	return n, nil
}

// parseNone parses the flags of a command that takes no argument, and
// refuses any: a word where a flag was meant (roster audit ann@… for
// --user ann@…) did nothing, unsaid.
func (c *cli) parseNone(fs *flag.FlagSet, args []string) error {
	rest, err := c.parse(fs, args)
	if err == nil && len(rest) > 0 {
		err = usagef("%s takes no argument, not %q: what it takes are flags (roster %s --help)", fs.Name(), rest[0], fs.Name())
	}
	return err
}

// usageErr is a mistake in how a command was called.
type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// usagef is a usage error said as errorf says it.
func usagef(key string, args ...any) error { return usageErr{errorf(key, args...)} }

// msgErr is an error of the command line itself: English from Error (for
// logs and scripts that match it), the operator's language from Localize.
type msgErr struct {
	text    i18n.Text
	wrapped error // the first error among the arguments, for errors.Is and As
}

// errorf makes a msgErr of a message key and its arguments. An error among
// them is said in the operator's language too, and wrapped; keys take it as
// %v (Sprintf knows no %w).
func errorf(key string, args ...any) error {
	e := msgErr{text: i18n.Msg(key, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok {
			e.wrapped = err
			break
		}
	}
	return e
}

func (e msgErr) Error() string                   { return e.text.String() }
func (e msgErr) Localize(p *i18n.Printer) string { return e.text.In(p) }
func (e msgErr) Unwrap() error                   { return e.wrapped }

// partialErr says some items of a batch failed; each was already reported.
type partialErr struct{ failed, total int }

func (e partialErr) Error() string { return fmt.Sprintf("%d of %d failed", e.failed, e.total) }

// flags makes a flag set carrying the global flags, so that they may also
// follow the command (roster users --json).
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.actor == nil {
		c.db, c.as = envOr("ROSTER_DB", c.db), envOr("ROSTER_AS", c.as)
		fs.Var((*named)(&c.db), "db", "database: a SQLite file, or a postgres:// URL (env ROSTER_DB; default a file in the user's data directory)")
		fs.Var((*named)(&c.as), "as", "act as this user (env ROSTER_AS; default: the only owner)")
	}
	fs.BoolVar(&c.json, "json", c.json, "print JSON")
	fs.StringVar(&c.lang, "lang", cmp.Or(c.lang, c.getenv("ROSTER_LANG")), "language of what roster says: fr or en (env ROSTER_LANG; default: the operator's own, else LANG)")
	return fs
}

// named is a flag that names something, --db or --as: given nothing (a
// script's variable left unset) it is refused, as it would have meant the
// default, the data directory's database or the only owner, over
// ROSTER_DB and ROSTER_AS too.
type named string

func (n *named) String() string { return string(*n) }
func (n *named) Get() any       { return string(*n) }

func (n *named) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("names nothing")
	}
	*n = named(v)
	return nil
}

// namedFlag defines a flag of fs that names something, refused when given
// nothing (named).
func namedFlag(fs *flag.FlagSet, name, usage string) *string {
	var s string
	namedVar(fs, &s, name, usage)
	return &s
}

// namedVar is namedFlag into p, whose value is the flag's default.
func namedVar(fs *flag.FlagSet, p *string, name, usage string) {
	fs.Var((*named)(p), name, usage)
}

func envOr(key, def string) string {
	if def != "" {
		return def
	}
	return os.Getenv(key)
}

// parseArgs parses flags wherever they stand among the arguments and returns
// the others. With stopAtArg it stops at the first argument (the command).
func parseArgs(fs *flag.FlagSet, args []string, stopAtArg bool) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErr{flagError(fs, err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if stopAtArg || args[0] == "--" {
			if args[0] == "--" {
				args = args[1:]
			}
			return append(rest, args...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// flagError says the flag package's errors in the operator's language: an
// unknown flag (with fs's nearest, if one is near) and a missing value are
// the common ones; others stay as the flag package says them.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		f = "--" + strings.TrimLeft(f, "-") // as the help and the README write flags
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := nearest(f[2:], names); near != "" {
			return errorf("unknown flag %s; did you mean --%s?", f, near)
		}
		return errorf("unknown flag %s", f)
	}
	if f, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return errorf("flag %s needs a value", "--"+strings.TrimLeft(f, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if v, f, ok := strings.Cut(rest, " for flag "); ok {
			f, why, _ := strings.Cut(f, ": ")
			return errorf("invalid value %s for %s: %s", v, "--"+strings.TrimLeft(f, "-"), why)
		}
	}
	if strings.HasPrefix(msg, "invalid boolean value ") && !strings.Contains(msg, " for --") {
		return errors.New(strings.Replace(msg, " for -", " for --", 1))
	}
	return err
}

// nearest is the name among names nearest to typed, as a hurried operator
// mistypes one: a letter or two apart (usres, users; --stand-by,
// --stand-in), or one inside the other (--add-tag, --tag); "" when none is
// near. A short name must be nearer: one letter apart up to five letters
// (--lmit, --limit; but --plan is not --lang), the same name at two or fewer
// (-x is not --as).
func nearest(typed string, names []string) string {
	most := 0
	switch {
	case len(typed) > 5:
		most = 2
	case len(typed) > 2:
		most = 1
	}
	best, bestD := "", most+1
	for _, n := range names {
		d := distance(typed, n)
		if len(typed) >= 3 && len(n) >= 3 && (strings.Contains(typed, n) || strings.Contains(n, typed)) {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the edit distance between a and b, in bytes: the fewest
// letters added, removed or changed, or two neighbours swapped (usres,
// users), that make one the other.
func distance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			change := 1
			if a[i-1] == b[j-1] {
				change = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+change)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// parse parses a command's flags, answering --help with its usage. A
// --lang among them counts even when another flag is wrong, so that the
// error is said in it.
func (c *cli) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	rest, err := parseArgs(fs, args, false)
	if errors.Is(err, flag.ErrHelp) {
		// The flag package stops at --help: the flags after it (--lang)
		// count too.
		parseArgs(fs, slices.DeleteFunc(slices.Clone(args), isHelpFlag), false)
	}
	if lerr := c.setLang(); lerr != nil {
		return nil, lerr
	}
	if errors.Is(err, flag.ErrHelp) {
		c.printUsage(fs)
		return nil, flag.ErrHelp
	}
	return rest, err
}

func isHelpFlag(arg string) bool {
	return slices.Contains([]string{"-h", "-help", "--help", "--h"}, arg)
}

// printUsage describes a command and its flags in the operator's language,
// laid out as flag.PrintDefaults lays them out (which cannot translate).
func (c *cli) printUsage(fs *flag.FlagSet) {
	p := c.printer()
	if cmd := findCommand(fs.Name()); cmd != nil {
		prog := "roster"
		if c.actor != nil {
			prog = "ssh HOST"
		}
		fmt.Fprintf(c.stdout, "%s %s %s %s\n\n%s.\n\n%s\n", p.T("usage:"), prog, cmd.name, cmd.args, capitalize(cmd.summary.In(p)), p.T("flags:"))
	}
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if _, ok := f.Value.(*named); ok && name == "value" {
			name = "string" // as the flag package says a string flag's
		}
		line := "  --" + f.Name // as the usage line, the README and the errors write flags
		if name != "" {
			line += " " + name
		}
		usage = p.T(usage)
		if !isZeroDefault(f) {
			usage += " " + p.T("(default %v)", quoteString(f))
		}
		fmt.Fprintf(c.stdout, "%s\n    \t%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// isZeroDefault reports whether f's default is its type's zero value,
// which PrintDefaults leaves unsaid as well.
func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s":
		return true
	}
	return false
}

// quoteString is f's default as PrintDefaults writes it: quoted if a string.
func quoteString(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		if _, ok := g.Get().(string); ok {
			return strconv.Quote(f.DefValue)
		}
	}
	return f.DefValue
}

// capitalize puts the first letter of s in upper case, é as well as e.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// open opens the store (once) and the rules over it.
func (c *cli) open(ctx context.Context) error {
	if c.svc != nil {
		return nil
	}
	if c.st == nil {
		path, err := c.dbPath()
		if err != nil {
			return err
		}
		// The data directory's database is made on the first run (the
		// dashboard sets its account up); a path given, mistyped, would
		// have been made empty, and its first-run setup offered.
		open := store.OpenExisting
		if c.db == "" || c.creates {
			open = store.Open
		}
		st, err := open(ctx, path)
		if err != nil {
			return err
		}
		c.st = st
	}
	c.svc = admin.New(c.st)
	if c.actor == nil {
		c.warnAddressClashes(ctx)
	}
	return nil
}

// dbPath is the database's file: --db (ROSTER_DB), else the user's data
// directory's.
func (c *cli) dbPath() (string, error) {
	if c.db != "" {
		return c.db, nil
	}
	return store.DefaultPath()
}

// warnAddressClashes says, on every local run until an operator resolves
// them, which users share an address by the rule roster compares them with.
func (c *cli) warnAddressClashes(ctx context.Context) {
	clashes, err := c.svc.AddressClashes(ctx)
	if err != nil {
		c.warn(errorf("could not check for users sharing an address: %v", err))
	}
	for _, cl := range clashes {
		c.warn(errorf("%[1]s and %[2]s are one address: %[2]s is found only as written here; delete one of them to resolve it",
			admin.Printable(cl.HolderEmail), admin.Printable(cl.Email)))
	}
}

// warn says err on stderr as a warning: what is done goes on.
func (c *cli) warn(err error) {
	fmt.Fprintln(c.stderr, "roster: "+oneLine(c.printer().T("warning: %s", i18n.Error(c.printer(), err))))
}

func (c *cli) close() {
	if c.st != nil && c.actor == nil && (!c.exits || c.st.NeedsClose()) {
		c.st.Close()
	}
}

// operator opens the store and says who acts: --as, or the only owner.
func (c *cli) operator(ctx context.Context) (admin.Actor, error) {
	// A command acting on an account, on a file that holds none, was
	// given a mistyped --db: it creates no database there to say "run
	// roster init" of (the dashboard, which sets one up, opens first).
	if c.svc == nil && c.st == nil {
		path, err := c.dbPath()
		if err != nil {
			return admin.Actor{}, err
		}
		if err := store.Exists(path); err != nil {
			return admin.Actor{}, err
		}
	}
	if err := c.open(ctx); err != nil {
		return admin.Actor{}, err
	}
	if c.actor != nil {
		c.speakTo(ctx, *c.actor)
		return *c.actor, nil
	}
	email := c.as
	if email == "" {
		var err error
		if email, err = c.svc.DefaultOperator(ctx); err != nil {
			return admin.Actor{}, err
		}
	}
	a := admin.Actor{Email: email, Channel: c.channel}
	c.speakTo(ctx, a)
	return a, nil
}

// speakTo speaks a's own language from now on, unless one was asked for:
// read when something is first said (printer), which cost roster users
// --json, which says nothing, a twentieth of its run.
func (c *cli) speakTo(ctx context.Context, a admin.Actor) {
	if _, ok := i18n.Parse(c.lang); !ok {
		c.speaker = func() string { return c.svc.Language(ctx, a) }
	}
}

// printJSON writes v as JSON: indented on a terminal, on one line in a
// pipe (jsonIndent).
func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", c.jsonIndent())
	return enc.Encode(v)
}

// jsonIndent is how --json indents: two spaces on a terminal, for a
// person's eyes, as gh and kubectl do; none in a pipe, where a script or jq
// reads it, and where indenting a one-page listing cost a tenth of the
// command's run.
func (c *cli) jsonIndent() string {
	if f, ok := c.stdout.(*os.File); ok && term.IsTerminal(f.Fd()) {
		return "  "
	}
	return ""
}

// heads are a table's column heads in the operator's language (a head
// left empty stays so).
func (c *cli) heads(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		if h != "" {
			out[i] = c.printer().T(h)
		}
	}
	return out
}

// table writes rows as aligned columns under their heads (message keys,
// said in the operator's language); every cell is made printable.
func (c *cli) table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(c.heads(header), "\t"))
	for _, r := range rows {
		for i := range r {
			r[i] = strings.ReplaceAll(admin.Printable(r[i]), "\t", " ")
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// jsonList writes the items each passes as a JSON array, an item a line,
// each item indented on a terminal (jsonIndent), holding one at a time.
func (c *cli) jsonList(each func(func(any) error) error) error {
	w := bufio.NewWriter(c.stdout)
	indent := c.jsonIndent()
	marshal := json.Marshal
	if indent != "" {
		marshal = func(v any) ([]byte, error) { return json.MarshalIndent(v, indent, indent) }
	}
	sep := "[\n" + indent
	err := each(func(it any) error {
		b, err := marshal(it)
		if err != nil {
			return err
		}
		w.WriteString(sep)
		w.Write(b)
		sep = ",\n" + indent
		return nil
	})
	if err != nil {
		return err
	}
	if sep == "[\n"+indent {
		w.WriteString("[]\n")
	} else {
		w.WriteString("\n]\n")
	}
	return w.Flush()
}

// printList prints items as JSON with --json, else as a table of one row each.
func printList[T any](c *cli, items []T, header []string, row func(T) []string) error {
	if c.json {
		return c.jsonList(func(yield func(any) error) error {
			for _, it := range items {
				if err := yield(it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	rows := make([][]string, len(items))
	for i, it := range items {
		rows[i] = row(it)
	}
	return c.table(header, rows)
}

// streamList prints what printList prints for the items that each passes to
// its function, read a page at a time, holding no more than a page: JSON as
// the items come, a table in two readings, the first to measure its columns
// as tabwriter would.
func streamList[T any](c *cli, each func(func(T) error) error, header []string, row func(T) []string) error {
	if c.json {
		return c.jsonList(func(yield func(any) error) error {
			return each(func(it T) error { return yield(it) })
		})
	}
	w := bufio.NewWriter(c.stdout)
	cells := func(it T) []string {
		r := row(it)
		for i := range r {
			r[i] = strings.ReplaceAll(admin.Printable(r[i]), "\t", " ")
		}
		return r
	}
	header = c.heads(header)
	widths := make([]int, len(header))
	measure := func(r []string) {
		for i, cell := range r[:len(r)-1] { // the last column is not padded
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	measure(header)
	if err := each(func(it T) error { measure(cells(it)); return nil }); err != nil {
		return err
	}
	line := func(r []string) error {
		for i, cell := range r[:len(r)-1] {
			w.WriteString(cell)
			// A row longer than the first reading (changed since) is
			// still set apart.
			w.WriteString(strings.Repeat(" ", max(widths[i]-utf8.RuneCountInString(cell), 0)+2))
		}
		w.WriteString(r[len(r)-1])
		_, err := w.WriteString("\n")
		return err
	}
	line(header)
	if err := each(func(it T) error { return line(cells(it)) }); err != nil {
		return err
	}
	return w.Flush()
}

// did says on stdout that verb (admin.UserBatch.Did: "resent", "made
// member") was done to email. A verb without data has its own message,
// its English with " %s": a verb alone would be a dashboard's word too, in
// another form; one with data goes into "%s %s", which each language
// orders.
func (c *cli) did(verb i18n.Text, email string) {
	p := c.printer()
	if len(verb.Args) == 0 {
		fmt.Fprintln(c.stdout, p.T(verb.Key+" %s", admin.Printable(email)))
		return
	}
	fmt.Fprintln(c.stdout, p.T("%s %s", verb, admin.Printable(email)))
}

// outcomes prints what happened to each person of a batch; it fails when any did.
func (c *cli) outcomes(verb i18n.Text, out []admin.Outcome) error {
	if c.json {
		if err := c.printJSON(out); err != nil {
			return err
		}
	}
	failed := 0
	for _, o := range out {
		var notDone *admin.NotDoneError
		switch {
		case errors.As(o.Err, &notDone):
			// Said once, by the act that stopped (selection.run): a line
			// each, naming nobody, buried the refusals.
			failed++
		case o.Err != nil:
			failed++
			fmt.Fprintf(c.stderr, "roster: %s\n", oneLine(i18n.Error(c.printer(), o.Err)))
		case c.json:
		case o.Unchanged.Key != "":
			fmt.Fprintln(c.stdout, admin.Printable(c.printer().T("unchanged: %s", o.Unchanged)))
		default:
			c.did(verb, o.Email)
		}
	}
	if failed > 0 {
		return partialErr{failed, len(out)}
	}
	return nil
}

// listFlag collects a repeatable, comma-separated flag. A value naming
// nothing is refused: a script's variable left unset (--revoke "$PERM")
// was no flag at all, and the act it meant was said as done.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	n := len(*l)
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	if len(*l) == n {
		return errors.New("names nothing")
	}
	return nil
}

func cmdHelp(c *cli, ctx context.Context, args []string) error {
	// The global flags count here too (roster help --lang fr); --help
	// asks for this help.
	rest, err := parseArgs(c.flags("help"), args, false)
	if errors.Is(err, flag.ErrHelp) {
		rest, err = nil, nil
	}
	if lerr := c.setLang(); lerr != nil {
		return lerr
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 && rest[0] != "help" {
		cmd := findCommand(rest[0])
		if cmd == nil {
			return usageErr{unknownCommand(rest[0])}
		}
		if cmd.local && c.actor != nil {
			return errorf("%s is not available over SSH", cmd.name)
		}
		err := cmd.run(c, ctx, []string{"--help"})
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	p := c.printer()
	fmt.Fprintln(c.stdout, p.T("roster: administer an organisation's user accounts."))
	if c.actor != nil { // over SSH, as the key's owner, on the server's database
		// ssh reads the flags between HOST and the command as its own
		// (ssh HOST --json users: "unknown option"): they follow it.
		fmt.Fprintf(c.stdout, "\n%s ssh [-p PORT] HOST [COMMAND [--json] [--lang fr|en]]\n", p.T("usage:"))
		fmt.Fprintln(c.stdout, "\n"+p.T("With no command (ssh -t), roster opens the dashboard. Commands:"))
	} else {
		fmt.Fprintf(c.stdout, "\n%s roster [--db PATH] [--as EMAIL] [--json] [--lang fr|en] [COMMAND]\n", p.T("usage:"))
		fmt.Fprintln(c.stdout, "\n"+p.T("With no command, roster opens the dashboard. Commands:"))
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, cmd := range commands {
		if !cmd.local || c.actor == nil {
			fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary.In(p))
		}
	}
	tw.Flush()
	fmt.Fprintln(c.stdout, "\n"+p.T("Acts on several users (perms, edit --team, deactivate, reactivate, invites) take EMAIL... or\n--where 'status=S team=T branch=B search=TEXT', the filters of roster users. They ask first on a terminal;\nelsewhere they need --yes. Failures are printed first, each with its reason."))
	fmt.Fprintln(c.stdout, "\n"+p.T("roster COMMAND --help describes one command."))
	if c.actor == nil { // over SSH the server sends the mail
		fmt.Fprintln(c.stdout, p.T("Mail: --smtp URL, --smtp-password-file, --from, --base-url and --sms (roster serve --help) go before the command, for the dashboard, or after serve or mail."))
	}
	fmt.Fprintln(c.stdout, p.T("roster speaks English and French: --lang fr|en, ROSTER_LANG, else your own locale (roster edit EMAIL --locale fr), else LANG."))
	return nil
}
