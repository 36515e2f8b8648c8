package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// csvHeader is the format invite --csv reads and export --csv writes.
var csvHeader = []string{"email", "first_name", "last_name", "phone", "role", "team", "position", "reference_id", "locale", "branch"}

// csvColumnOf is the column of csvHeader that each of invite's flags of a
// person's fields gives.
var csvColumnOf = map[string]string{"first": "first_name", "last": "last_name", "phone": "phone", "role": "role", "team": "team",
	"position": "position", "ref": "reference_id", "locale": "locale", "branch": "branch"}

func cmdInvite(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("invite")
	var r admin.NewUser
	var teams, branches listFlag
	r.Role = "member"
	namedVar(fs, &r.Role, "role", "`role`: owner, admin, manager or member")
	fs.Var(&teams, "team", "team (repeatable)")
	fs.Var(&branches, "branch", "branch (repeatable)")
	fs.StringVar(&r.FirstName, "first", "", "first name")
	fs.StringVar(&r.LastName, "last", "", "last name")
	fs.StringVar(&r.Position, "position", "", "job title")
	fs.StringVar(&r.ReferenceID, "ref", "", "reference ID (employee number)")
	fs.StringVar(&r.Phone, "phone", "", "phone number")
	fs.StringVar(&r.Locale, "locale", "", "language of the mail: fr or en (default en)")
	csvFile := fs.String("csv", "", "invite everyone in this CSV `file` (- for standard input), commas or semicolons between fields; run again, it continues a stopped import; header as export --csv writes it")
	var opt admin.InviteOptions
	fs.BoolVar(&opt.Staged, "staged", false, "create the users without sending the invitation yet (roster invites send)")
	fs.BoolVar(&opt.AllowRoleAddress, "allow-role-address", false, "accept role mailboxes such as maintenance@")
	emails, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	var rows []admin.NewUser
	var lines []int // of each row in the file
	switch {
	case *csvFile != "" && len(emails) > 0:
		return usagef("invite takes EMAIL... or --csv FILE, not both")
	case *csvFile != "":
		// A field's flag beside a file was unheard: everyone was invited
		// as the file said (a member of no team, for --team T --role R).
		var column error
		fs.Visit(func(f *flag.Flag) {
			if col, ok := csvColumnOf[f.Name]; ok && column == nil {
				column = usagef("--%s is a column of the file (%s): invite --csv takes each person's fields from it", f.Name, col)
			}
		})
		if column != nil {
			return column
		}
		if rows, lines, err = c.readCSV(ctx, *csvFile); err != nil {
			return err
		}
	default:
		// An argument may hold several people, as a mail client's To:
		// line does, with their names.
		var people []admin.NewUser
		for _, e := range emails {
			people = append(people, admin.Addressees(e)...)
		}
		switch {
		case len(people) == 0:
			return usagef("invite needs at least one EMAIL, or --csv FILE")
		case len(people) > 1 && r.FirstName+r.LastName+r.Phone+r.ReferenceID != "":
			// Given to each, they made several people of one name, phone
			// and employee number.
			return usagef("--first, --last, --phone and --ref are one person's: give them with one EMAIL, or invite several with --csv FILE")
		}
		r.Teams, r.Branches = teams, branches
		for _, p := range people {
			row := r
			row.Email = p.Email
			// --first and --last say the name, else the address's own.
			if r.FirstName+r.LastName == "" {
				row.FirstName, row.LastName = p.FirstName, p.LastName
			}
			rows = append(rows, row)
		}
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	// A file is imported in batches that a later run continues; a few
	// addresses are invited in one transaction, all or nothing.
	var results []admin.RowResult
	if *csvFile != "" {
		results, err = c.svc.Import(ctx, a, rows, opt)
	} else {
		results, err = c.svc.Invite(ctx, a, rows, opt)
	}
	if err != nil && len(results) == 0 {
		return err
	}
	if c.json {
		if err := c.printJSON(results); err != nil {
			return err
		}
	}
	verb := "invited"
	if opt.Staged {
		verb = "staged"
	}
	// Failures first, each with its line, then the people invited.
	failed := 0
	for _, res := range results {
		if res.Err != nil {
			failed++
			where := ""
			if *csvFile != "" {
				where = c.printer().T("line %d: ", lines[res.Row-1])
			}
			fmt.Fprintf(c.stderr, "roster: %s%s\n", where, oneLine(i18n.Error(c.printer(), res.Err)))
		}
	}
	// A line per person: 10,000 of them were 10,000 writes, each a system
	// call; buffered, once the failures (on stderr) are out.
	out := bufio.NewWriterSize(c.stdout, 64<<10)
	stdout := c.stdout
	c.stdout = out
	for _, res := range results {
		switch {
		case res.Err != nil || c.json:
		case res.Already && opt.Staged:
			c.did(i18n.Msg("already staged"), res.Email)
		case res.Already:
			c.did(i18n.Msg("already invited"), res.Email)
		default:
			c.did(i18n.Msg(verb), res.Email)
		}
	}
	// What the people just invited cost if all accept today, in the Invite
	// screen's words (admin's Estimate.Text); nothing on no plan.
	invited := 0
	for _, res := range results {
		if res.Err == nil && !res.Already {
			invited++
		}
	}
	if invited > 0 && !c.json {
		if e, cerr := c.svc.InvitationCost(ctx, a, invited); cerr == nil && e.Text(c.printer()) != "" {
			fmt.Fprintln(c.stdout, e.Text(c.printer()))
		}
	}
	c.stdout = stdout
	flushed := out.Flush() // before what stderr says of them
	if err != nil {
		return errorf("stopped at line %d (row %d of %d): %v; the rows before are done, and running the same command again continues from there",
			lines[len(results)], len(results)+1, len(rows), err)
	}
	if flushed != nil {
		return flushed
	}
	if failed > 0 {
		switch {
		case failed == len(results) && opt.Staged:
			fmt.Fprintln(c.stderr, "roster: "+c.printer().T("nobody staged"))
		case failed == len(results):
			fmt.Fprintln(c.stderr, "roster: "+c.printer().T("nobody invited"))
		case opt.Staged:
			fmt.Fprintln(c.stderr, "roster: "+c.printer().N(len(results)-failed, "%[1]d of %[2]d not staged; the other was", "%[1]d of %[2]d not staged; the others were", failed, len(results)))
		default:
			fmt.Fprintln(c.stderr, "roster: "+c.printer().N(len(results)-failed, "%[1]d of %[2]d not invited; the other was", "%[1]d of %[2]d not invited; the others were", failed, len(results)))
		}
		return partialErr{failed, len(results)}
	}
	return nil
}

// readCSV reads invitation rows, and the line each begins on (a quoted
// field may hold line breaks); columns are found by the header's names.
// A spreadsheet's export is read as it comes: after a UTF-8 byte order mark,
// with semicolons between fields when the header has them (French exports),
// and with the quote that export --csv put before formula-like cells removed.
func (c *cli) readCSV(ctx context.Context, name string) (rows []admin.NewUser, lines []int, err error) {
	in := c.input(ctx)
	if name != "-" {
		if c.actor != nil {
			return nil, nil, errorf("over SSH, --csv reads standard input only: --csv -")
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		in = f
	}
	br := bufio.NewReader(in)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	// The header's names hold neither separator: it has one or the other.
	head, _ := br.Peek(br.Size())
	head, _, _ = bytes.Cut(head, []byte("\n"))
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if ctx.Err() != nil { // ctrl+c as the operator typed it (input)
		return nil, nil, errInterrupted
	}
	if err != nil {
		return nil, nil, errorf("%s: no header line", name)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(csvHeader, h) {
			return nil, nil, errorf("%s: unknown column %q (want %s)", name, h, strings.Join(csvHeader, ","))
		}
		if j, dup := col[h]; dup {
			return nil, nil, errorf("%s: line 1, column %d: %s is also column %d", name, i+1, h, j+1)
		}
		col[h] = i
	}
	if _, ok := col["email"]; !ok {
		return nil, nil, errorf("%s: the header has no email column", name)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, lines, nil
		}
		if ctx.Err() != nil {
			return nil, nil, errInterrupted
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(rec) > len(header) {
			line, _ := cr.FieldPos(len(header))
			return nil, nil, errorf("%s: line %d, column %d: %q is past the header's %d columns (a separator too many, or a value to quote?)",
				name, line, len(header)+1, rec[len(header)], len(header))
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return unquoteFormula(rec[i])
			}
			return ""
		}
		line, _ := cr.FieldPos(0)
		lines = append(lines, line)
		rows = append(rows, admin.NewUser{Email: get("email"), FirstName: get("first_name"), LastName: get("last_name"),
			Phone: get("phone"), Role: get("role"), Teams: splitCell(get("team"), teamSep), Position: get("position"),
			ReferenceID: get("reference_id"), Locale: get("locale"), Branches: splitCell(get("branch"), branchSep)})
	}
}

// The separators of several teams, and of several branches, in one cell.
const teamSep, branchSep = ";", "|"

// splitCell splits a cell holding several names.
func splitCell(cell, sep string) []string {
	var out []string
	for _, n := range strings.Split(cell, sep) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// formulaLike reports whether a spreadsheet would run v as a formula (the
// first characters OWASP lists for CSV injection), once any single quotes
// before them are set aside.
func formulaLike(v string) bool {
	v = strings.TrimLeft(v, "'")
	return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))
}

// quoteFormula puts a single quote before a cell a spreadsheet would run
// (a phone number's + as well), as OWASP advises; unquoteFormula removes it.
// Quoting also the cells that already start with quotes makes the pair exact
// for every value.
func quoteFormula(v string) string {
	if formulaLike(v) {
		return "'" + v
	}
	return v
}

func unquoteFormula(v string) string {
	if strings.HasPrefix(v, "'") && formulaLike(v) {
		return v[1:]
	}
	return v
}

func cmdInvites(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("invites")
	stuck := fs.Bool("stuck", false, "only stuck invitations: expired, or their mail failed or is deferred")
	var sel selection
	sel.flags(fs)
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if len(rest) == 0 && sel.where != "" {
		return usagef("invites --where goes with resend, revoke or send")
	}
	if len(rest) == 0 {
		each := func(fn func(store.Invitation) error) error {
			var after *store.PendingCursor
			for {
				p, err := c.svc.PendingPage(ctx, a, *stuck, after, invitesPage)
				if err != nil {
					return err
				}
				for _, in := range p.Invitations {
					if err := fn(in); err != nil {
						return err
					}
				}
				if after = p.Next; after == nil {
					return nil
				}
			}
		}
		return streamList(c, each, invitationColumns, c.invitationRow)
	}
	verb, emails := rest[0], rest[1:]
	acts := map[string]admin.UserAct{
		"resend": admin.ResendInvitations,
		"revoke": admin.RevokeInvitations,
		"send":   admin.SendStagedInvitations,
	}
	act, known := acts[verb]
	switch {
	case !known:
		return unknownVerb("invites", verb, "resend, revoke or send", "resend", "revoke", "send")
	case sel.where != "":
		if *stuck {
			return usagef("invites %s takes --where or --stuck, not both", verb)
		}
		return sel.run(c, ctx, a, emails, admin.UserBatch{Act: act})
	case verb == "send" && (*stuck || len(emails) == 0):
		return usagef("invites send needs EMAIL...")
	case *stuck == (len(emails) > 0):
		return usagef("invites %s takes EMAIL... or --stuck, one of them", verb)
	}
	return sel.run(c, ctx, a, emails, admin.UserBatch{Act: act, Stuck: *stuck})
}

// invitationColumns head the table of roster invites; invitationRow fills it.
var invitationColumns = []string{"EMAIL", "INVITED BY", "SENT", "LAST SENT", "EXPIRES", "MAIL"}

func (c *cli) invitationRow(in store.Invitation) []string {
	p := c.printer()
	return []string{in.Email, in.InvitedBy, strconv.Itoa(in.TimesSent),
		in.LastSentAt.Local().Format("2006-01-02 15:04"), expiresIn(p, in), mailState(p, in)}
}

// invitesPage is how many invitations roster invites reads at a time.
var invitesPage = 1000

func expiresIn(p *i18n.Printer, in store.Invitation) string {
	if in.Expired {
		return p.T("expired %s", in.ExpiresAt.Local().Format("2006-01-02 15:04"))
	}
	return p.Ago(time.Now(), in.ExpiresAt)
}

// mailState is the state of an invitation's mail, its words translated,
// the relay's error as the relay said it.
func mailState(p *i18n.Printer, in store.Invitation) string {
	if in.MailError != "" {
		return p.T(in.MailState) + ": " + in.MailError
	}
	return p.T(in.MailState)
}

func cmdExport(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("export")
	asCSV := fs.Bool("csv", false, "write CSV (the only format)")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	if !*asCSV {
		return usagef("export needs --csv")
	}
	if c.json { // CSV was written, --json unheard
		return usagef("give --csv or --json, not both")
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if c.exits {
		// The rows stream through: the heap holds under a megabyte however
		// many users there are, and collecting it each time 4 MB more was
		// allocated ran the collector 50 times for a million users, and
		// once for 10,000. Each cycle stops the program and marks on a
		// quarter of the CPUs, which costs more the busier the machine. In
		// a process of its own, export lets the heap grow to five times
		// what is live instead.
		debug.SetGCPercent(400)
	}
	// A million users make about 150 MB: written 64 KiB at a time.
	buf := appendCSV(make([]byte, 0, 64<<10), csvHeader)
	rec := make([]string, len(csvHeader))
	err = c.svc.ExportUsers(ctx, a, func(u *store.ExportRow) error {
		rec[0], rec[1], rec[2], rec[3], rec[4] = u.Email, u.FirstName, u.LastName, u.Phone, u.Role
		rec[5], rec[6], rec[7], rec[8] = strings.Join(u.Teams, teamSep), u.Position, u.ReferenceID, u.Locale
		rec[9] = strings.Join(u.Branches, branchSep)
		for i := range rec {
			rec[i] = quoteFormula(rec[i])
		}
		if buf = appendCSV(buf, rec); len(buf) >= 60<<10 {
			_, err := c.stdout.Write(buf)
			buf = buf[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(buf)
	return err
}

// appendCSV appends rec to b as encoding/csv's Writer writes it: commas
// between the fields, a newline after them, a field quoted (its quotes
// doubled) when it holds a quote, comma, CR or LF, starts with a space, or
// is \. . Export writes a line a user; encoding/csv's Writer, which makes
// a buffered write of each field and comma, takes 1.8 times as long
// (BenchmarkAppendCSV), and was 8% of an export of 10,000 users.
func appendCSV(b []byte, rec []string) []byte {
	for i, f := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		if !csvNeedsQuotes(f) {
			b = append(b, f...)
			continue
		}
		b = append(b, '"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			b = append(append(b, f[:j+1]...), '"')
			f = f[j+1:]
		}
		b = append(append(b, f...), '"')
	}
	return append(b, '\n')
}

// csvNeedsQuotes is encoding/csv's rule for a field it quotes.
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == '"' || c == ',' || c == '\r' || c == '\n' {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}
