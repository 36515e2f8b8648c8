package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"roster/admin"
	"roster/store"
)

func cmdInit(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("init")
	org := fs.String("org", "", "the organisation's name")
	owner := fs.String("owner", "", "the first owner's email")
	first := fs.String("first", "", "the owner's first name")
	last := fs.String("last", "", "the owner's last name")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	if *org == "" || *owner == "" {
		return usagef("init needs --org NAME and --owner EMAIL")
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	if err := c.svc.Init(ctx, *org, *owner, *first, *last, c.channel); err != nil {
		return err
	}
	if c.json {
		acct, err := c.svc.Account(ctx)
		if err != nil {
			return err
		}
		return c.printJSON(accountJSON(acct))
	}
	fmt.Fprintln(c.stdout, c.printer().T("created %s with owner %s in %s", admin.Printable(*org), admin.Printable(*owner), c.st.Path()))
	return nil
}

func cmdAccount(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("account")
	var ch admin.AccountChange
	fs.Func("name", "rename the organisation", given(&ch.Name, asText))
	fs.Func("invite-lifetime", "how long invitation links live (e.g. 48h)", given(&ch.InviteLifetime, time.ParseDuration))
	fs.Func("remind-before", "remind invitees this long before their link expires, once (e.g. 24h; 0: never)", given(&ch.RemindBefore, time.ParseDuration))
	fs.Func("digest-hour", "hour (0-23, the country's time zone) of the daily digest of stuck invitations", given(&ch.DigestHour, strconv.Atoi))
	fs.Func("country", "default country of phone numbers written nationally (FR, BE, CH, GB, US…)", given(&ch.Country, asText))
	fs.Func("scim-heir", "who inherits what the users an identity provider deletes by SCIM owned (\"\" refuses SCIM deletions)", given(&ch.SCIMHeir, asText))
	fs.Func("scim-staged", "true: SCIM stages the users it creates instead of inviting them", given(&ch.SCIMStaged, strconv.ParseBool))
	fs.Func("webhooks-private", "true: webhooks may go to loopback and private addresses", given(&ch.WebhooksPrivate, strconv.ParseBool))
	if c.actor == nil { // set on the server's machine only (admin refuses it over SSH)
		fs.Func("base-url", "start of the links in mail, for every roster process (e.g. https://roster.example.com)", given(&ch.BaseURL, asText))
	}
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	acct, err := c.svc.Account(ctx)
	if err != nil {
		return err
	}
	if ch != (admin.AccountChange{}) {
		if acct, err = c.svc.UpdateAccount(ctx, a, ch); err != nil {
			return err
		}
	}
	if c.json {
		return c.printJSON(accountJSON(acct))
	}
	remind := c.printer().T("never")
	if acct.RemindBefore > 0 {
		remind = c.printer().T("%s before", c.printer().Span(acct.RemindBefore))
	}
	return c.table([]string{"NAME", "INVITE LIFETIME", "REMINDER", "COUNTRY", "BASE URL", "CREATED"},
		[][]string{{acct.Name, c.printer().Span(acct.InviteLifetime), remind, acct.Country, cmp.Or(acct.BaseURL, c.printer().T("(not set)")),
			acct.CreatedAt.Local().Format("2006-01-02")}})
}

// accountJSON is the account as account --json prints it.
func accountJSON(acct *store.Account) map[string]any {
	return map[string]any{"name": acct.Name, "invite_lifetime": acct.InviteLifetime.String(),
		"country": acct.Country, "base_url": acct.BaseURL, "created_at": acct.CreatedAt,
		"scim_heir": acct.SCIMHeir, "scim_staged": acct.SCIMStaged, "webhooks_private": acct.WebhooksPrivate,
		"remind_before": acct.RemindBefore.String(), "digest_hour": acct.DigestHour}
}

// given is a flag.Func that sets *dst to the flag's value as parse reads
// it: a change's field stays nil, and changes nothing, unless its flag is
// given (admin.AccountChange, admin.Profile).
func given[T any](dst **T, parse func(string) (T, error)) func(string) error {
	return func(s string) error {
		v, err := parse(s)
		*dst = &v
		return err
	}
}

// asText is given's parse of a flag that takes any text.
func asText(s string) (string, error) { return s, nil }

func cmdUsers(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("users")
	var lq store.ListQuery
	// A filter given nothing (--team "$TEAM", the variable unset) chose
	// everyone: refused, as --where's are (namedVar).
	namedVar(fs, &lq.Status, "status", "only users with this `status`: see roster help users")
	namedVar(fs, &lq.Team, "team", "only members of this team")
	namedVar(fs, &lq.Branch, "branch", "only people of this branch")
	namedVar(fs, &lq.Search, "search", "only users whose email, name, position, reference ID or tag starts with TEXT")
	lq.Sort = "name"
	namedVar(fs, &lq.Sort, "sort", "order: see roster help users")
	limit := fs.Int("limit", 0, "at most N users (0: all)")
	count := fs.Bool("count", false, "print how many users the filters keep, not the users")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return usagef("users takes no %s: roster user EMAIL shows one person, --search TEXT finds people", rest[0])
	case *limit < 0:
		return usagef("--limit %d: want a number of users, or 0 for all", *limit)
	case *count && *limit > 0:
		return usagef("--count counts every user the filters keep: --limit does not go with it")
	}
	lq.Tags = c.json // the table shows none
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if *count {
		n, err := c.svc.CountUsers(ctx, a, lq)
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(struct {
				Count int `json:"count"`
			}{n})
		}
		_, err = fmt.Fprintln(c.stdout, n)
		return err
	}
	var users []*store.User
	lq.Limit = 500
	if *limit > 0 {
		lq.Limit = min(*limit, lq.Limit) // a page of 500 for --limit 50 read ten times the rows
	}
	for {
		p, err := c.svc.ListUsers(ctx, a, lq)
		if err != nil {
			return err
		}
		for _, u := range p.Users {
			if *limit == 0 || len(users) < *limit {
				users = append(users, u)
			}
		}
		if !p.More || (*limit > 0 && len(users) >= *limit) {
			break
		}
		lq.After = &p.Cursors[len(p.Cursors)-1]
	}
	return printList(c, users, []string{"NAME", "EMAIL", "ROLE", "STATUS", "TEAMS", "BRANCHES", "LAST LOGIN"}, func(u *store.User) []string {
		return []string{u.Name(), u.Email, c.printer().T(u.Role), c.status(u), strings.Join(u.Teams, ", "), strings.Join(u.Branches, ", "), c.lastLogin(u)}
	})
}

// status is u's status in the operator's language.
func (c *cli) status(u *store.User) string { return admin.Status(u).In(c.printer()) }

func (c *cli) lastLogin(u *store.User) string {
	if u.LastLoginAt.IsZero() {
		return c.printer().T("never")
	}
	return u.LastLoginAt.Local().Format("2006-01-02 15:04")
}

// oneEmail parses a command that takes one EMAIL argument.
func oneEmail(c *cli, fs *flag.FlagSet, args []string) (string, error) {
	rest, err := c.parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		return "", usagef("%s takes one EMAIL", fs.Name())
	}
	return rest[0], nil
}

func cmdUser(c *cli, ctx context.Context, args []string) error {
	email, err := oneEmail(c, c.flags("user"), args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	d, err := c.svc.User(ctx, a, email)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(d)
	}
	// Labels are message keys; a tab after each aligns the values however
	// long the labels are in the operator's language.
	tw := tabwriter.NewWriter(c.stdout, 15, 0, 1, ' ', 0)
	defer tw.Flush()
	field := func(k, v string) {
		fmt.Fprintf(tw, "%s\t%s\n", c.printer().T("%s:", c.printer().T(k)), strings.ReplaceAll(admin.Printable(v), "\t", " "))
	}
	field("Name", d.Name())
	field("Email", d.Email)
	field("Status", c.status(d.User))
	field("Role", c.printer().T(d.Role))
	field("Permissions", strings.Join(d.Perms, ", "))
	field("Phone", d.Phone)
	field("Position", d.Position)
	field("Reference ID", d.ReferenceID)
	field("Locale", d.Locale)
	field("Teams", strings.Join(d.Teams, ", "))
	field("Branches", strings.Join(d.Branches, ", "))
	field("Contact for", strings.Join(d.Tags, ", "))
	field("Created", d.CreatedAt.Local().Format("2006-01-02 15:04"))
	if !d.InviteExpiresAt.IsZero() {
		field("Invite until", d.InviteExpiresAt.Local().Format("2006-01-02 15:04"))
	}
	field("Last login", c.lastLogin(d.User))
	field("Logins", strconv.Itoa(d.LoginCount))
	field("Version", strconv.FormatInt(d.Version, 10))
	for _, p := range d.AwayPeriods {
		field("Away", c.awayLine(p))
	}
	field("Conversations", strconv.Itoa(len(d.Conversations)))
	field("Auto replies", strconv.Itoa(len(d.AutoReplies)))
	return nil
}

// awayLine says an away period: its dates in the compact form both
// languages read, its stand-in and its note.
func (c *cli) awayLine(p store.AwayPeriod) string {
	s := p.Start.Local().Format("2006-01-02 15:04") + " → "
	if p.End.IsZero() {
		s += c.printer().T("further notice")
	} else {
		s += p.End.Local().Format("2006-01-02 15:04")
	}
	if p.StandIn != "" {
		s += c.printer().T(", stand-in %s", p.StandIn)
	}
	if p.Note != "" {
		s += " (" + p.Note + ")"
	}
	return s
}

// awayList prints the Away overview, every page of it.
func awayList(c *cli, ctx context.Context, from, until string) error {
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	var f, u time.Time
	if from != "" {
		if f, err = admin.ParseDate(from, now); err != nil {
			return err
		}
	}
	if until != "" {
		if u, err = admin.ParseDate(until, now); err != nil {
			return err
		}
	}
	all := []admin.AwayEntry{}
	var after store.AwayAfter
	for {
		page, err := c.svc.AwayOverview(ctx, a, f, u, after, 500)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		last := page[len(page)-1]
		after = store.AwayAfter{Start: last.Start, ID: last.ID}
	}
	if c.json {
		return c.printJSON(all)
	}
	if len(all) == 0 {
		fmt.Fprintln(c.stdout, c.printer().T("nobody is away"))
	}
	for _, e := range all {
		state := c.printer().T("away now")
		switch {
		case e.Ended:
			state = c.printer().T("was away")
		case !e.AwayNow:
			state = c.printer().T("away later")
		}
		fmt.Fprintln(c.stdout, admin.Printable(c.printer().T("%s  %s  %s; work goes to %s", e.Email, state, c.awayLine(e.AwayPeriod), e.WorkText(c.printer()))))
	}
	return nil
}

func cmdEdit(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("edit")
	var p admin.Profile
	fs.Func("first", "first name", given(&p.FirstName, asText))
	fs.Func("last", "last name", given(&p.LastName, asText))
	fs.Func("phone", "phone number, national or +international", given(&p.Phone, asText))
	fs.Func("position", "job title", given(&p.Position, asText))
	fs.Func("ref", "reference ID (employee number)", given(&p.ReferenceID, asText))
	fs.Func("locale", "language of their mail: fr or en", given(&p.Locale, asText))
	var tags, teams, branches listFlag
	fs.Var(&tags, "tag", "+TAG adds a \"contact for\" tag, -TAG removes one (repeatable)")
	fs.Var(&teams, "team", "+TEAM adds a team, -TEAM removes one (repeatable)")
	fs.Var(&branches, "branch", "+BRANCH adds a branch, -BRANCH removes one (repeatable)")
	version := fs.Int64("if-version", 0, "change only if the user is still at this version (from roster user --json)")
	var sel selection
	sel.flags(fs)
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	p.AddTags, p.RemoveTags = plusMinus(tags)
	p.AddTeams, p.RemoveTeams = plusMinus(teams)
	p.AddBranches, p.RemoveBranches = plusMinus(branches)
	if sel.bulk(rest) {
		// Several users: one team or one branch added or removed, as the
		// dashboard's selection does.
		var b admin.UserBatch
		switch {
		case len(teams)+len(branches) != 1 || len(tags) > 0 || *version != 0 || p.FirstName != nil || p.LastName != nil || p.Phone != nil ||
			p.Position != nil || p.ReferenceID != nil || p.Locale != nil:
			return usagef("edit of several users (--where or EMAIL...) takes one --team +TEAM|-TEAM or one --branch +BRANCH|-BRANCH, and nothing else")
		case len(p.AddTeams) == 1:
			b.Act, b.Team = admin.JoinTeam, p.AddTeams[0]
		case len(p.RemoveTeams) == 1:
			b.Act, b.Team = admin.LeaveTeam, p.RemoveTeams[0]
		case len(p.AddBranches) == 1:
			b.Act, b.Branch = admin.JoinBranch, p.AddBranches[0]
		default:
			b.Act, b.Branch = admin.LeaveBranch, p.RemoveBranches[0]
		}
		a, err := c.operator(ctx)
		if err != nil {
			return err
		}
		return sel.run(c, ctx, a, rest, b)
	}
	if len(rest) != 1 {
		return usagef("edit takes one EMAIL")
	}
	email := rest[0]
	// It said "edited …" of an edit never asked for.
	if len(tags)+len(teams)+len(branches) == 0 && p.FirstName == nil && p.LastName == nil && p.Phone == nil &&
		p.Position == nil && p.ReferenceID == nil && p.Locale == nil {
		return usagef("edit %s changes nothing: give what to change (--first, --last, --phone, --position, --ref, --locale, --tag, --team, --branch); roster user %s shows it", admin.Printable(email), admin.Printable(email))
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	u, err := c.svc.Edit(ctx, a, email, *version, p)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(u)
	}
	fmt.Fprintln(c.stdout, c.printer().T("edited %s (version %d)", admin.Printable(u.Email), u.Version))
	return nil
}

// plusMinus splits +X and -X items; a bare X adds.
func plusMinus(items []string) (add, remove []string) {
	for _, it := range items {
		switch {
		case strings.HasPrefix(it, "-"):
			remove = append(remove, it[1:])
		default:
			add = append(add, strings.TrimPrefix(it, "+"))
		}
	}
	return add, remove
}

func cmdPerms(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("perms")
	list := fs.Bool("list", false, "list every permission and the roles' presets")
	var ch admin.PermChange
	var grant, revoke listFlag
	namedVar(fs, &ch.Role, "role", "give this `role` (owner, admin, manager or member), applying its preset")
	fs.Var(&grant, "grant", "add permissions (repeatable or comma-separated)")
	fs.Var(&revoke, "revoke", "remove permissions (repeatable or comma-separated)")
	version := fs.Int64("if-version", 0, "change only if the user is still at this version")
	var sel selection
	sel.flags(fs)
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if sel.bulk(rest) {
		if *list || ch.Role == "" || len(grant)+len(revoke) > 0 || *version != 0 {
			return usagef("perms of several users (--where or EMAIL...) takes --role ROLE, and nothing else")
		}
		a, err := c.operator(ctx)
		if err != nil {
			return err
		}
		return sel.run(c, ctx, a, rest, admin.UserBatch{Act: admin.ChangeRole, Role: ch.Role})
	}
	if *list {
		if len(rest) > 0 { // the catalogue was printed, the address unheard
			return usagef("perms --list takes no EMAIL: roster perms %s shows theirs", admin.Printable(rest[0]))
		}
		if c.json {
			return c.printJSON(map[string]any{"permissions": admin.Catalogue, "presets": admin.Presets})
		}
		var rows [][]string
		for _, p := range admin.Catalogue {
			var roles []string
			for _, r := range admin.Roles {
				for _, id := range admin.Presets[r] {
					if id == p.ID {
						roles = append(roles, r)
					}
				}
			}
			rows = append(rows, []string{p.ID, p.Group, p.Description, strings.Join(roles, ",")})
		}
		return c.table([]string{"PERMISSION", "AREA", "WHAT IT ALLOWS", "ROLES"}, rows)
	}
	if len(rest) != 1 {
		return usagef("perms takes --list or one EMAIL")
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	ch.Grant, ch.Revoke = grant, revoke
	var res *admin.PermResult
	if ch.Role == "" && len(grant) == 0 && len(revoke) == 0 {
		d, err := c.svc.User(ctx, a, rest[0])
		if err != nil {
			return err
		}
		res = &admin.PermResult{Email: d.Email, Role: d.Role, Perms: d.Perms, Added: []string{}, Removed: []string{}}
	} else if res, err = c.svc.SetPermissions(ctx, a, rest[0], *version, ch); err != nil {
		return err
	}
	if c.json {
		return c.printJSON(res)
	}
	fmt.Fprintln(c.stdout, c.printer().T("%s:", admin.Printable(res.Email)), c.printer().T(res.Role))
	for _, p := range res.Perms {
		fmt.Fprintf(c.stdout, "  %s\n", p)
	}
	if len(res.Added)+len(res.Removed) > 0 {
		fmt.Fprintln(c.stdout, c.printer().T("added: %s; removed: %s", c.orNone(res.Added), c.orNone(res.Removed)))
	}
	return nil
}

func (c *cli) orNone(s []string) string {
	if len(s) == 0 {
		return c.printer().T("none")
	}
	return strings.Join(s, ", ")
}

func cmdReset(c *cli, ctx context.Context, args []string) error {
	email, err := oneEmail(c, c.flags("reset"), args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if err := c.svc.SendReset(ctx, a, email); err != nil {
		return err
	}
	if c.json {
		return c.printJSON(map[string]any{"email": email, "link_valid": admin.ResetLifetime.String()})
	}
	fmt.Fprintln(c.stdout, c.printer().T("password-reset mail queued for %s (link valid %s)", admin.Printable(email), c.printer().Span(admin.ResetLifetime)))
	return nil
}

func cmdDeactivate(c *cli, ctx context.Context, args []string) error {
	return simpleAct(c, ctx, "deactivate", admin.DeactivateUsers, args, func(a admin.Actor, email string) {
		// Said after the act, which is done: a failure to read it says nothing.
		if until, _ := c.svc.SeatPaidUntil(ctx, a, email); !until.IsZero() {
			fmt.Fprintln(c.stdout, c.paidUntil(until))
		}
	})
}

// paidUntil says what a deactivation or deletion leaves paid.
func (c *cli) paidUntil(t time.Time) string {
	return c.printer().T("their seat stays paid until %s, with no credit", t.Format(time.DateOnly))
}

func cmdReactivate(c *cli, ctx context.Context, args []string) error {
	return simpleAct(c, ctx, "reactivate", admin.ReactivateUsers, args, nil)
}

// simpleAct acts on one user (EMAIL) or on several (EMAIL... or --where),
// as one bulk act either way: one address is said as several are (a user
// already as the act leaves them is unchanged, --json the outcomes), and
// only several are asked about. done, when set, says more of one user the
// act changed, without --json.
func simpleAct(c *cli, ctx context.Context, name string, bulk admin.UserAct, args []string, done func(a admin.Actor, email string)) error {
	fs := c.flags(name)
	var sel selection
	sel.flags(fs)
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if !sel.bulk(rest) && len(rest) != 1 {
		return usagef("%s takes EMAIL... or --where", name)
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	err = sel.run(c, ctx, a, rest, admin.UserBatch{Act: bulk})
	if err != nil || sel.bulk(rest) || done == nil || c.json || len(sel.out) != 1 {
		return err
	}
	if o := sel.out[0]; o.Err == nil && o.Unchanged.Key == "" {
		done(a, o.Email)
	}
	return nil
}

func cmdDelete(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("delete")
	var r admin.DeleteRequest
	fs.StringVar(&r.Heir, "heir", "", "who inherits the open conversations, automated replies and stand-in duties left (needed only if any are)")
	fs.Var(&selectionFlag{sel: &r.Close}, "close", "close these open conversations first: all, or ID,ID…")
	fs.Var(&selectionFlag{sel: &r.SwitchOff, bare: true}, "disable-replies", "switch off the automated replies instead of handing them on: all of them, or --disable-replies=ID,ID…")
	dry := fs.Bool("dry-run", false, "print what deleting would do, and change nothing")
	email, err := oneEmail(c, fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	act, verb := c.svc.Delete, "deleted %s:"
	if *dry {
		act, verb = c.svc.PlanDelete, "deleting %s would:"
	}
	p, err := act(ctx, a, email, r)
	var in *admin.InputError
	// Said as a usage error, with what the user owns in the operator's
	// language (admin's English Msg said it in English in French too).
	if errors.As(err, &in) && in.Why.Key == admin.HeirRequired {
		return usagef("delete needs --heir EMAIL: %s still owns %s; who inherits them?", in.Why.Args...)
	}
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(p)
	}
	fmt.Fprintln(c.stdout, c.printer().T(verb, admin.Printable(p.Email)))
	if *dry && p.NeedsHeir && p.Heir == "" {
		fmt.Fprintln(c.stdout, "  "+c.printer().T("(an heir is needed: give --heir EMAIL)"))
	}
	for _, l := range p.Says(!*dry) {
		fmt.Fprintf(c.stdout, "  %s\n", admin.Printable(l.In(c.printer())))
	}
	return nil
}

// selectionFlag reads "all" or a list of IDs into a Selection; a bare one
// (--disable-replies alone) means all.
type selectionFlag struct {
	sel  *store.Selection
	bare bool
}

func (f *selectionFlag) String() string { return "" }

func (f *selectionFlag) IsBoolFlag() bool { return f.bare }

func (f *selectionFlag) Set(v string) error {
	if f.bare && v == "true" {
		v = "all"
	}
	// An empty value, a script's variable left unset (--close "$IDS"),
	// picked nothing: what was meant to be closed went to the heir.
	if strings.TrimSpace(v) == "" {
		return errors.New(`"" is not all or a list of IDs such as 12,15`)
	}
	var err error
	*f.sel, err = store.ParseSelection(v)
	return err
}

func cmdAway(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("away")
	// Given nothing (a script's variable left unset), --from started the
	// period now and --to left its work with nobody: refused (namedFlag).
	from := namedFlag(fs, "from", "start (2026-12-24, tomorrow, +7d; default now)")
	until := namedFlag(fs, "until", "return date (2026-12-24, tomorrow, +7d)")
	to := namedFlag(fs, "to", "stand-in: EMAIL, team:NAME, or team:NAME@BRANCH (the team's people in that branch)")
	standIn := namedFlag(fs, "stand-in", "the same as --to")
	note := fs.String("note", "", "a note, e.g. why or whom to call")
	off := fs.Bool("off", false, "back now: end the current away period")
	list := fs.Bool("list", false, "who is away now and who will be in the next 14 days (or from --from until --until), with where their work goes today")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if *list {
		if len(rest) != 0 {
			return usagef("away --list takes no EMAIL")
		}
		return awayList(c, ctx, *from, *until)
	}
	if len(rest) != 1 {
		return usagef("away takes one EMAIL, or --list")
	}
	switch {
	case *to != "" && *standIn != "" && *to != *standIn:
		return usagef("--to and --stand-in name two stand-ins (%s, %s): give one", admin.Printable(*to), admin.Printable(*standIn))
	case *standIn != "":
		*to = *standIn
	}
	if *off && (*until != "" || *from != "" || *to != "" || *note != "") {
		return usagef("--off ends the period: it takes no --until, --from, --to or --note")
	}
	email := rest[0]
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	switch {
	case *off:
		if err := c.svc.EndAway(ctx, a, email); err != nil {
			return err
		}
		if c.json { // the period ended, as away --until --json prints the one set
			ended, err := c.svc.PastAway(ctx, a, email, 1)
			if err != nil {
				return err
			}
			var p any
			if len(ended) > 0 {
				p = ended[0]
			}
			return c.printJSON(p)
		}
		fmt.Fprintln(c.stdout, c.printer().T("%s is back", admin.Printable(email)))
		return nil
	case *until == "" && *from == "" && *to == "" && *note == "":
		d, err := c.svc.User(ctx, a, email)
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(d.AwayPeriods)
		}
		for _, p := range d.AwayPeriods {
			fmt.Fprintln(c.stdout, admin.Printable(c.awayLine(p)))
		}
		return nil
	case *until == "":
		return usagef("away needs --until DATE (the return date), or --off")
	}
	now := time.Now()
	var r admin.AwayRequest
	if r.Until, err = admin.ParseDate(*until, now); err != nil {
		return err
	}
	if *from != "" {
		if r.From, err = admin.ParseDate(*from, now); err != nil {
			return err
		}
	}
	r.StandIn, r.Note = *to, *note
	warn, err := c.svc.StandInWarning(ctx, a, email, r)
	if err != nil {
		return err
	}
	p, err := c.svc.SetAway(ctx, a, email, r)
	if err != nil {
		return err
	}
	if warn != nil {
		fmt.Fprintf(c.stderr, "roster: %s\n", admin.Printable(warn.String()))
	}
	if c.json {
		return c.printJSON(p)
	}
	fmt.Fprintln(c.stdout, admin.Printable(c.printer().T("%s away %s", email, c.awayLine(*p))))
	return nil
}

func cmdTeams(c *cli, ctx context.Context, args []string) error {
	rest, err := c.parse(c.flags("teams"), args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.nameAct(rest, nameActs{
			add:     func(name string) error { return c.svc.AddTeam(ctx, a, name) },
			remove:  func(name string) error { return c.svc.RemoveTeam(ctx, a, name) },
			rename:  func(name, newName string) error { return c.svc.RenameTeam(ctx, a, name, newName) },
			removed: c.printer().T("removed"),
			line:    func(name, done string) string { return c.printer().T("team %s: %s", name, done) },
			usage:   usagef("teams takes add NAME, remove NAME or rename NAME NEW-NAME"),
			item: func(name string) (any, error) {
				teams, err := c.svc.Teams(ctx, a)
				for _, t := range teams {
					if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
						return t, err
					}
				}
				return nil, err
			},
		})
	}
	teams, err := c.svc.Teams(ctx, a)
	if err != nil {
		return err
	}
	return printList(c, teams, []string{"TEAM", "MEMBERS"}, func(t store.Team) []string {
		return []string{t.Name, strconv.Itoa(t.Members)}
	})
}

func cmdBranches(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("branches")
	var b store.Branch
	fs.StringVar(&b.Address, "address", "", "with add: the branch's address")
	fs.StringVar(&b.TimeZone, "timezone", "", "with add: its time zone, such as Europe/Paris")
	moveTo := fs.String("move-to", "", "with remove: the branch its people join, or none (needed while it has people)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		removed := c.printer().T("removed")
		if *moveTo != "" && !strings.EqualFold(*moveTo, admin.MoveToNone) {
			removed = c.printer().T("removed, its people moved to %s", admin.Printable(*moveTo))
		}
		return c.nameAct(rest, nameActs{
			add: func(name string) error {
				b.Name = name
				return c.svc.AddBranch(ctx, a, b)
			},
			remove:  func(name string) error { return c.svc.RemoveBranch(ctx, a, name, *moveTo) },
			rename:  func(name, newName string) error { return c.svc.RenameBranch(ctx, a, name, newName) },
			removed: removed,
			line:    func(name, done string) string { return c.printer().T("branch %s: %s", name, done) },
			usage:   usagef("branches takes add NAME [--address A] [--timezone TZ], remove NAME [--move-to BRANCH|none] or rename NAME NEW-NAME"),
			item: func(name string) (any, error) {
				branches, err := c.svc.Branches(ctx, a)
				for _, b := range branches {
					if strings.EqualFold(b.Name, strings.TrimSpace(name)) {
						return b, err
					}
				}
				return nil, err
			},
		})
	}
	branches, err := c.svc.Branches(ctx, a)
	if err != nil {
		return err
	}
	return printList(c, branches, []string{"BRANCH", "MEMBERS", "TIME ZONE", "ADDRESS"}, func(b store.Branch) []string {
		return []string{b.Name, strconv.Itoa(b.Members), b.TimeZone, b.Address}
	})
}

// nameActs are the acts of the teams and branches commands on a name: add
// NAME, remove NAME, rename NAME NEW-NAME. The two commands take the same
// arguments and report alike, each in a sentence of its own (line), as the
// languages do not make a team's and a branch's alike.
type nameActs struct {
	add, remove func(name string) error
	rename      func(name, newName string) error
	removed     string                         // what remove did, in the operator's language
	line        func(name, done string) string // the line that says what an act did
	usage       error                          // for any other arguments
	// item reads a team or branch as the listing's --json prints it
	// (nil: there is none of that name), what --json prints of an act:
	// as it is once added or renamed, as it was before it was removed.
	item func(name string) (any, error)
}

// nameAct does the act rest names and says what it did, or with --json
// prints the team or branch (n.item).
func (c *cli) nameAct(rest []string, n nameActs) error {
	var err error
	var done string
	var it any
	switch {
	case len(rest) == 2 && rest[0] == "add":
		err, done = n.add(rest[1]), c.printer().T("added")
	case len(rest) == 2 && rest[0] == "remove":
		if c.json {
			if it, err = n.item(rest[1]); err != nil {
				return err
			}
		}
		err, done = n.remove(rest[1]), n.removed
	case len(rest) == 3 && rest[0] == "rename":
		err, done = n.rename(rest[1], rest[2]), c.printer().T("renamed to %s", admin.Printable(rest[2]))
	default:
		return n.usage
	}
	if err != nil {
		return err
	}
	if c.json {
		if it == nil {
			if it, err = n.item(rest[len(rest)-1]); err != nil {
				return err
			}
		}
		return c.printJSON(it)
	}
	fmt.Fprintln(c.stdout, n.line(admin.Printable(rest[1]), done))
	return nil
}

func cmdConversations(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("conversations")
	user := fs.String("user", "", "only the conversations assigned to this user")
	subject := fs.String("subject", "", "with add: the subject")
	to := fs.String("to", "", "with add: who it is for (routed to their stand-in while they are away)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		if rest[0] != "add" || len(rest) != 1 {
			return usagef("conversations takes add --subject S --to EMAIL")
		}
		if *subject == "" || *to == "" {
			return usagef("conversations add needs --subject S and --to EMAIL")
		}
		conv, err := c.svc.AddConversation(ctx, a, *subject, *to)
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(conv)
		}
		fmt.Fprintln(c.stdout, c.printer().T("conversation %d assigned to %s", conv.ID, admin.Printable(conv.Assignee)))
		return nil
	}
	convs, err := c.svc.Conversations(ctx, a, *user)
	if err != nil {
		return err
	}
	return printList(c, convs, []string{"ID", "SUBJECT", "ASSIGNEE", "STATUS"}, func(cv store.Conversation) []string {
		return []string{strconv.FormatInt(cv.ID, 10), cv.Subject, cv.Assignee, cv.Status}
	})
}

func cmdAudit(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("audit")
	var aq store.AuditQuery
	fs.StringVar(&aq.Target, "user", "", "only entries by or about this user")
	fs.StringVar(&aq.Search, "search", "", "only entries whose actor or target has TEXT in their address or a name starting with it")
	fs.StringVar(&aq.Action, "action", "", "only this action (user.delete) or area (user)")
	since := fs.String("since", "", "only entries from DATE (2026-12-24, today, 2026-12-24 14:30)")
	until := fs.String("until", "", "only entries up to DATE: a day without a time, through its end")
	fs.IntVar(&aq.Limit, "limit", 100, "at most N entries")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	// A mistyped action listed nothing, exit 0, as if nothing had happened.
	if err := admin.CheckAuditAction(aq.Action); err != nil {
		return usageErr{err}
	}
	var err error
	if *since != "" {
		if aq.Since, err = admin.ParseDate(*since, time.Now()); err != nil {
			return err
		}
	}
	if *until != "" {
		if aq.Until, err = admin.ParseDate(*until, time.Now()); err != nil {
			return err
		}
		// "--since 2026-12-01 --until today" means today too.
		if h, m, s := aq.Until.Clock(); h == 0 && m == 0 && s == 0 && !strings.Contains(*until, ":") {
			aq.Until = aq.Until.AddDate(0, 0, 1)
		}
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	entries, err := c.svc.Audit(ctx, a, aq)
	if err != nil {
		return err
	}
	return printList(c, entries, []string{"WHEN", "WHO", "VIA", "WHAT", "TO WHOM", "AFTER"}, func(e store.AuditEntry) []string {
		return []string{e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Channel, e.Action, e.Target, e.After}
	})
}
