package tui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// userDetail is one user opened from the Users screen: every profile field
// editable in place, what the user holds and owns, and their recent audit
// entries.
type userDetail struct {
	s      *session
	email  string
	keys   detailKeys
	form   form
	width  int
	height int

	seq      int
	user     *admin.UserDetail
	audit    []store.AuditEntry
	teams    []string // the teams there are, to say which when one is not
	branches []string // and the branches
	version  int64
	loading  bool
	saving   bool
	stale    bool // a save met a newer version: ctrl+r reloads
	editOpen bool // open with the first field being edited
	perms    map[string]bool
	// closed is esc on a clean form, or y to discard the changes: the list
	// closes it as soon as it has handled the key, so the keys after it act
	// on the rows.
	closed bool

	confirm *confirmation
	note    string
	err     string

	past       []store.AwayPeriod // the away periods over, newest first
	apiKeys    []store.APIKey     // the user's, as read with the page
	apiKeysErr string             // why the operator may not see them
	keysView   *apiKeysView       // K: the keys, to create, regenerate or revoke
	notify     *notifyView        // N: which events reach them, by which channel
}

type detailKeys struct {
	userActKeys
	Edit, Save, Reload, Back, Up, Down, Notify, APIKeys key.Binding
	form                                                formKeys
}

type (
	detailMsg struct {
		seq      int
		force    bool // asked by the operator: replaces what the form holds
		user     *admin.UserDetail
		audit    []store.AuditEntry
		teams    []store.Team
		branches []store.Branch
		keys     []store.APIKey
		past     []store.AwayPeriod
		// keysErr says why the keys are not shown (another's, whom the
		// operator may not act as); the page is shown anyway.
		keysErr error
		err     error
	}
	detailSavedMsg struct {
		seq  int
		user *store.User
		err  error
	}
)

// The profile fields, in the order of the form.
const (
	fFirst = iota
	fLast
	fPhone
	fPosition
	fRef
	fLocale
	fTeams
	fBranches
	fTags
)

func newUserDetail(s *session, email string, edit bool, perms map[string]bool) *userDetail {
	d, p := &userDetail{s: s, email: email, editOpen: edit, perms: perms}, s.p
	d.keys = detailKeys{
		Edit:        key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter/e", p.T("edit field"))),
		Save:        key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", p.T("save"))),
		Reload:      reloadKey(p),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("back to the list"))),
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", p.T("previous field"))),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", p.T("next field"))),
		Notify:      key.NewBinding(key.WithKeys("N"), key.WithHelp("N", p.T("notifications"))),
		APIKeys:     key.NewBinding(key.WithKeys("K"), key.WithHelp("K", p.T("API keys"))),
		form:        formKeysIn(p, p.T("save")),
		userActKeys: userActKeysIn(p),
	}
	d.keys.form.Leave.SetHelp("esc", p.T("stop editing"))
	d.form = form{keys: d.keys.form}
	d.form.fields = []*field{
		fFirst:    s.newField(p.T("First name"), "", 100),
		fLast:     s.newField(p.T("Last name"), "", 100),
		fPhone:    s.newField(p.T("Phone"), "+33 6 12 34 56 78", 40),
		fPosition: s.newField(p.T("Position"), p.T("job title"), 100),
		fRef:      s.newField(p.T("Reference ID"), p.T("employee number"), 64),
		fLocale:   newChoice(p.T("Locale"), "en", "fr"),
		fTeams:    s.newField(p.T("Teams"), p.T("comma-separated"), 500),
		fBranches: s.newField(p.T("Branches"), p.T("comma-separated"), 500),
		fTags:     s.newField(p.T("Contact for"), p.T("comma-separated tags"), 500),
	}
	d.form.fields[fLocale].hint = p.T("the language of their mails")
	return d
}

func (d *userDetail) Init() tea.Cmd { return d.load(true) }

// pastShown is how many of a user's past away periods their page shows.
const pastShown = 3

// load reads the user again; unless forced, what arrives does not replace
// changes the operator typed meanwhile (saving them will meet the conflict).
func (d *userDetail) load(force bool) tea.Cmd {
	d.seq++
	d.loading = true
	seq, email := d.seq, d.email
	svc, a := d.s.svc, d.s.actor
	return d.s.do(func(ctx context.Context) tea.Msg {
		u, err := svc.User(ctx, a, email)
		if err != nil {
			return detailMsg{seq: seq, force: force, err: err}
		}
		audit, err := svc.Audit(ctx, a, store.AuditQuery{Target: email, Limit: 8})
		if err != nil {
			return detailMsg{seq: seq, force: force, err: err}
		}
		past, err := svc.PastAway(ctx, a, email, pastShown)
		if err != nil {
			return detailMsg{seq: seq, force: force, err: err}
		}
		teams, err := svc.Teams(ctx, a)
		if err != nil {
			return detailMsg{seq: seq, force: force, err: err}
		}
		branches, err := svc.Branches(ctx, a)
		keys, kerr := svc.APIKeys(ctx, a, email)
		return detailMsg{seq: seq, force: force, user: u, audit: audit, teams: teams, branches: branches, keys: keys, past: past, keysErr: kerr, err: err}
	})
}

func (d *userDetail) SetSize(w, h int) { d.width, d.height = w, h }

func (d *userDetail) Capturing() bool {
	return d.form.active || d.confirm != nil || d.keysView != nil && d.keysView.capturing()
}

// saving reports that a change of the user or of their notifications is
// being saved.
func (d *userDetail) Saving() bool { return d.saving || d.notify != nil && d.notify.saving }

// reading reports that what the keys act on is on its way.
func (d *userDetail) reading() bool {
	return d.loading || d.keysView != nil && d.keysView.Reading() || d.notify != nil && d.notify.loading
}

func (d *userDetail) Dirty() bool {
	return d.user != nil && d.form.dirty() || d.notify != nil && d.notify.dirty()
}

func (d *userDetail) ShortHelp() []key.Binding {
	if d.keysView != nil {
		return d.keysView.shortHelp()
	}
	if d.notify != nil {
		return d.notify.shortHelp()
	}
	if d.form.active {
		keys := []key.Binding{d.keys.form.NextField, d.keys.form.PrevField, d.keys.Save, d.keys.form.Leave}
		if d.stale {
			// The only way past a conflict, said first: it is what the
			// status line asks for.
			keys = append([]key.Binding{d.keys.Reload}, keys...)
		}
		return keys
	}
	return []key.Binding{d.keys.Edit, d.keys.Save, d.keys.Reload, d.keys.Back, d.keys.Perms, d.keys.Notify, d.keys.Away, d.keys.Delete, d.keys.Reset, d.keys.APIKeys}
}

func (d *userDetail) FullHelp() [][]key.Binding {
	if d.notify != nil {
		return d.notify.fullHelp()
	}
	return [][]key.Binding{
		{d.keys.Up, d.keys.Down, d.keys.Edit, d.keys.Save, d.keys.Reload, d.keys.Back},
		{d.keys.form.NextField, d.keys.form.PrevField, d.keys.form.Leave},
		{d.keys.Perms, d.keys.Notify, d.keys.Away, d.keys.Delete, d.keys.Reset, d.keys.APIKeys},
	}
}

// fill puts the user's profile in the form, as saved.
func (d *userDetail) fill(u *store.User) {
	f := d.form.fields
	f[fFirst].set(clean(u.FirstName))
	f[fLast].set(clean(u.LastName))
	f[fPhone].set(clean(u.Phone))
	f[fPosition].set(clean(u.Position))
	f[fRef].set(clean(u.ReferenceID))
	f[fLocale].set(u.Locale)
	f[fTeams].set(clean(strings.Join(u.Teams, ", ")))
	f[fBranches].set(clean(strings.Join(u.Branches, ", ")))
	f[fTags].set(clean(strings.Join(u.Tags, ", ")))
	d.version = u.Version
	d.stale = false
}

func (d *userDetail) Update(msg tea.Msg) (*userDetail, tea.Cmd) {
	if v := d.keysView; v != nil {
		switch msg.(type) {
		case apiKeysMsg, apiKeyMadeMsg, apiKeyRevokedMsg, tea.KeyPressMsg:
			cmd := v.update(msg)
			if v.closed {
				d.keysView = nil
				cmd = tea.Batch(cmd, d.load(false))
			}
			return d, cmd
		}
	}
	if v := d.notify; v != nil {
		switch msg.(type) {
		case notifyMsg, notifySavedMsg, refreshMsg, tea.KeyPressMsg:
			cmd := v.update(msg)
			if v.closed {
				d.notify = nil
				cmd = tea.Batch(cmd, d.load(false))
			}
			return d, cmd
		}
	}
	switch msg := msg.(type) {
	case detailMsg:
		if msg.seq != d.seq {
			return d, nil
		}
		d.loading = false
		if msg.err != nil {
			d.err = d.s.explain(msg.err)
			return d, nil
		}
		d.teams, d.branches = d.teams[:0], d.branches[:0]
		for _, t := range msg.teams {
			d.teams = append(d.teams, t.Name)
		}
		for _, b := range msg.branches {
			d.branches = append(d.branches, b.Name)
		}
		if !msg.force && d.form.dirty() {
			return d, nil
		}
		d.user, d.audit, d.apiKeys, d.apiKeysErr, d.past = msg.user, msg.audit, msg.keys, "", msg.past
		if msg.keysErr != nil {
			d.apiKeysErr = d.s.explain(msg.keysErr)
		}
		d.fill(msg.user.User)
		if d.editOpen {
			d.editOpen = false
			d.form.activate(0)
		}
		return d, nil
	case detailSavedMsg:
		if msg.seq != d.seq {
			return d, nil
		}
		d.saving = false
		if msg.err != nil {
			d.showErr(msg.err)
			return d, nil
		}
		d.form.deactivate()
		d.note = d.s.p.T("Saved.")
		// The saved user comes back with its new version: fill the form now,
		// then read the rest (audit entries) without touching the form.
		d.user.User = msg.user
		d.fill(msg.user)
		return d, d.load(false)
	case refreshMsg:
		// Another change landed: show it, unless the operator is mid-edit
		// (saving will then say who changed the user).
		if !d.form.dirty() && !d.saving {
			return d, d.load(false)
		}
		return d, nil
	case resetMsg:
		d.err, d.note = d.s.explain(msg.err), ""
		if msg.err == nil {
			d.note = d.s.p.T("A password reset link is on its way to %s.", clean(msg.email))
		}
	case tea.KeyPressMsg:
		return d, d.key(msg)
	}
	return d, nil
}

// showErr puts an error beside the field it is about.
func (d *userDetail) showErr(err error) {
	var conflict *admin.ConflictError
	if errors.As(err, &conflict) {
		d.stale = true
	}
	d.err = d.s.explain(err)
	var in *admin.InputError
	if errors.As(err, &in) {
		idx := map[string]int{"first name": fFirst, "last name": fLast, "phone": fPhone, "position": fPosition,
			"reference ID": fRef, "locale": fLocale, "team": fTeams, "branch": fBranches, "tag": fTags}
		if i, ok := idx[in.Field]; ok {
			d.form.fields[i].err = in.Says(d.s.p)
			d.form.focusOn(i)
		}
		// admin says how the command line adds a team or branch: here, say
		// which there are.
		for _, g := range []struct {
			what          string
			column, field int
			names         []string
		}{{"team", cTeam, fTeams, d.teams}, {"branch", cBranch, fBranches, d.branches}} {
			if in.Field != g.what {
				continue
			}
			for _, name := range splitList(d.form.fields[g.field].value()) {
				if !slices.ContainsFunc(g.names, func(t string) bool { return strings.EqualFold(t, name) }) {
					d.err = notAmong(d.s.p, g.column, name, g.names)
					d.form.fields[g.field].err = d.err
					break
				}
			}
		}
	}
}

func (d *userDetail) key(msg tea.KeyPressMsg) tea.Cmd {
	if c := d.confirm; c != nil {
		d.confirm = nil
		if c.closes {
			d.closed = saysYes(msg)
			return nil
		}
		return c.answer(msg)
	}
	if d.saving {
		return nil
	}
	switch {
	case key.Matches(msg, d.keys.Save):
		return d.save()
	case key.Matches(msg, d.keys.Reload):
		if d.form.dirty() {
			// Reloading replaces what was typed: ask, as esc does.
			d.confirm = &confirmation{prompt: d.s.p.T("Reload %s and discard your changes? y/n", clean(d.email)), act: d.reload}
			return nil
		}
		return d.reload()
	}
	if d.form.active {
		if key.Matches(msg, d.keys.form.Leave) {
			d.form.deactivate()
			return nil
		}
		changed, cmd := d.form.update(msg)
		if changed {
			d.form.fields[d.form.focus].err = ""
		}
		return cmd
	}
	d.note = ""
	switch {
	case key.Matches(msg, d.keys.Back):
		if d.form.dirty() {
			d.confirm = &confirmation{prompt: d.s.p.T("Discard your changes to %s? y/n", clean(d.email)),
				closes: true}
			return nil
		}
		d.closed = true
		return nil
	case key.Matches(msg, d.keys.Up):
		d.form.focusOn(max(0, d.form.focus-1))
	case key.Matches(msg, d.keys.Down):
		d.form.focusOn(min(len(d.form.fields)-1, d.form.focus+1))
	case key.Matches(msg, d.keys.Edit):
		if d.user == nil {
			return nil
		}
		if why := mayIn(d.s.p, d.perms, "users.edit", d.s.p.T("edit profiles")); why != "" && d.email != d.s.actor.Email {
			d.err = why
			return nil
		}
		d.form.activate(d.form.focus)
	case key.Matches(msg, d.keys.APIKeys):
		d.keysView = newAPIKeysView(d.s, d.email)
		return d.keysView.load()
	case key.Matches(msg, d.keys.Perms):
		return d.s.open(permsScreen, d.email)
	case key.Matches(msg, d.keys.Notify):
		d.notify = newNotifyView(d.s, d.email)
		return d.notify.load(true)
	case key.Matches(msg, d.keys.Away):
		return d.s.open(awayScreen, d.email)
	case key.Matches(msg, d.keys.Delete):
		return d.s.open(deleteScreen, d.email)
	case key.Matches(msg, d.keys.Reset):
		if why := mayIn(d.s.p, d.perms, "users.edit", d.s.p.T("send password resets")); why != "" && d.email != d.s.actor.Email {
			d.err = why
			return nil
		}
		d.confirm = &confirmation{prompt: d.s.p.T("Send a password reset link to %s? y/n", clean(d.email)), yes: sendReset(d.s, d.email)}
	}
	return nil
}

// reload reads the user again, what the form holds replaced.
func (d *userDetail) reload() tea.Cmd {
	d.form.deactivate()
	d.note, d.err = "", ""
	return d.load(true)
}

// splitList reads a comma-separated field.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// save sends the changed fields, at the version the form was filled from.
func (d *userDetail) save() tea.Cmd {
	if d.user == nil {
		return nil
	}
	if d.stale {
		d.err = d.s.p.T("This user changed since you opened it: press ctrl+r to reload before saving.")
		return nil
	}
	if !d.form.dirty() {
		d.note = d.s.p.T("Nothing to save.")
		d.form.deactivate()
		return nil
	}
	f := d.form.fields
	var p admin.Profile
	str := func(i int) *string {
		if f[i].value() == f[i].orig {
			return nil
		}
		v := f[i].value()
		return &v
	}
	p.FirstName, p.LastName, p.Phone = str(fFirst), str(fLast), str(fPhone)
	p.Position, p.ReferenceID, p.Locale = str(fPosition), str(fRef), str(fLocale)
	if f[fTeams].value() != f[fTeams].orig {
		p.Teams = splitList(f[fTeams].value())
	}
	if f[fBranches].value() != f[fBranches].orig {
		p.Branches = splitList(f[fBranches].value())
	}
	if f[fTags].value() != f[fTags].orig {
		p.Tags = splitList(f[fTags].value())
	}
	for _, fl := range f {
		fl.err = ""
	}
	d.saving, d.err, d.note = true, "", ""
	d.seq++
	seq, email, version := d.seq, d.email, d.version
	svc, a := d.s.svc, d.s.actor
	return d.s.do(func(ctx context.Context) tea.Msg {
		u, err := svc.Edit(ctx, a, email, version, p)
		return detailSavedMsg{seq: seq, user: u, err: err}
	})
}

func (d *userDetail) View() string {
	st := d.s.styles
	if d.keysView != nil {
		return d.keysView.view(st, d.width)
	}
	if d.notify != nil {
		return d.notify.view(st, d.width, d.height)
	}
	p := d.s.p
	var b strings.Builder
	title := clean(d.email)
	if d.user != nil {
		title = who(d.user.User)
	}
	b.WriteString(st.Title.Render(cut(title, d.width)))
	if d.form.dirty() {
		b.WriteString(st.Warn.Render("  " + p.T("(unsaved)")))
	}
	b.WriteString("\n")
	if d.user == nil {
		if d.loading {
			b.WriteString(st.Subtle.Render(p.T("Reading…")))
		}
		if d.err != "" {
			b.WriteString(st.Error.Render(cut(d.err, d.width)))
		}
		return b.String()
	}
	u := d.user
	b.WriteString(st.Subtle.Render(cut(p.T("%s · %s · created %s · last login %s · %s, %s failed",
		p.T(u.Role), d.s.status(u.User), d.s.when(u.CreatedAt), d.s.when(u.LastLoginAt),
		p.N(u.LoginCount, "%s login", "%s logins"), p.Num(u.FailedLoginCount)), d.width)))
	b.WriteString("\n\n")
	formW := min(d.width, 80)
	b.WriteString(d.form.view(st, 13, formW))
	b.WriteString("\n")
	// The labels below are a column as wide as the longest in the
	// session's language, and two spaces.
	labels := []string{p.T("Permissions"), p.T("Owns"), p.T("Away"), p.T("Was away"), p.T("API keys"), p.T("Notices")}
	lw := 0
	for _, l := range labels {
		lw = max(lw, cells(l))
	}
	label := func(i int) string { return st.Label.Render(fit(labels[i], lw+2)) }
	rest := d.width - lw - 2
	perms := slices.Clone(u.Perms)
	b.WriteString(label(0) + cut(strings.Join(perms, ", "), rest))
	b.WriteString("\n")
	b.WriteString(label(1) + cut(p.N(len(u.Conversations), "%s conversation", "%s conversations")+", "+
		p.N(len(u.AutoReplies), "%s automated reply", "%s automated replies"), rest))
	b.WriteString("\n")
	for _, ap := range u.AwayPeriods {
		b.WriteString(label(2) + cut(awayLine(d.s, ap), rest))
		b.WriteString("\n")
	}
	for _, ap := range d.past {
		b.WriteString(label(3) + st.Subtle.Render(cut(awayLine(d.s, ap), rest)))
		b.WriteString("\n")
	}
	keys := keysLine(d.s, d.apiKeys) + "  (K)"
	if d.apiKeysErr != "" {
		keys = d.apiKeysErr
	}
	b.WriteString(label(4) + cut(keys, rest))
	b.WriteString("\n")
	b.WriteString(label(5) + cut(p.T("which events reach them, by which channel")+"  (N)", rest))
	b.WriteString("\n")
	// The status wraps rather than be cut: a conflict's ends with what to
	// do about it, which at 80 columns was cut off.
	status := st.wrappedStatus(d.width, d.confirm, d.saving, p.T("Saving…"), d.err, d.note)
	// The recent changes take the lines left above the status (a blank
	// line and their head above them, a blank line and the status below):
	// at 80x24 they pushed "Saved." off the screen.
	if n := min(len(d.audit), d.height-strings.Count(b.String(), "\n")-strings.Count(status, "\n")-4); n > 0 {
		b.WriteString("\n" + st.ColHead.Render(p.T("Recent changes")) + "\n")
		for _, e := range d.audit[:n] {
			b.WriteString(cut(d.s.when(e.At)+"  "+fit(actionLabel(p, e.Action), 22)+" "+clean(e.Actor)+" ("+e.Channel+")", d.width))
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(status)
	return b.String()
}

// awayLine describes an away period in one line, in the session's language.
func awayLine(s *session, p store.AwayPeriod) string {
	what, w := awayDates(s, p), awayWorkIn(s.p, p)
	switch {
	case p.StandIn != "":
		return what + ", " + w
	case w != "":
		return what + ": " + w
	}
	return what
}

// awayDates is when an away period runs: "from … until …".
func awayDates(s *session, p store.AwayPeriod) string {
	if p.End.IsZero() {
		return s.p.T("from %s until further notice", s.when(p.Start))
	}
	return s.p.T("from %s until %s", s.when(p.Start), s.when(p.End))
}

// awayWorkIn is where an away period's work goes and its note, in pr's
// language: "stand-in …: note", "stand-in …", "note", or "".
func awayWorkIn(pr *i18n.Printer, p store.AwayPeriod) string {
	switch {
	case p.StandIn == "":
		return clean(p.Note)
	case p.Note == "":
		return pr.T("stand-in %s", clean(p.StandIn))
	}
	return pr.T("stand-in %s: %s", clean(p.StandIn), clean(p.Note))
}
