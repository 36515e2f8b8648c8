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
)

// permissions is the Permissions screen: the catalogue as checkboxes grouped
// by area for one user, a role selector that applies the role's preset, the
// permissions the operator may not grant shown locked with the reason, and a
// summary of what changes before saving.
type permissions struct {
	s      *session
	keys   permKeys
	width  int
	height int
	oneUser
	checks

	roles     []string // the roles the operator may give
	version   int64
	role      int // index in admin.Roles
	origRole  int
	nav       nav
	reviewing bool // the summary is shown: enter saves, esc goes back
	// saving lasts until the user is read again after the save: the boxes
	// shown until then are the old ones, and saved, what the save did, is
	// said only with the new ones.
	saving bool
	saved  string
	stale  bool
}

type permKeys struct {
	checkKeys
	Role, RoleBack, Other key.Binding
}

type (
	permsMsg struct {
		seq    int
		force  bool // replaces the operator's unsaved changes
		user   *admin.UserDetail
		locked map[string]string
		roles  []string
		err    error
	}
	permsSavedMsg struct {
		seq int
		res *admin.PermResult
		err error
	}
)

const permsPicker = 1

func newPerms(s *session) *permissions {
	return &permissions{s: s, oneUser: oneUser{screen: permsScreen}, keys: newPermKeys(s.p)}
}

func newPermKeys(p *i18n.Printer) permKeys {
	return permKeys{
		checkKeys: newCheckKeys(p),
		Role:      key.NewBinding(key.WithKeys("right", "l", "]"), key.WithHelp("→", p.T("next role"))),
		RoleBack:  key.NewBinding(key.WithKeys("left", "h", "["), key.WithHelp("←", p.T("previous role"))),
		Other:     otherUserKey(p),
	}
}

// pickerKeys are what the footer offers while a user picker is open.
func pickerKeys(p *i18n.Printer) []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("choose"))),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("cancel")))}
}

func (m *permissions) Init() tea.Cmd {
	if m.email == "" {
		return m.choose()
	}
	return m.load(true)
}

// OpenUser shows the permissions of email.
func (m *permissions) OpenUser(email string) tea.Cmd {
	if email != m.email {
		// Another user's grid starts at the top: keys typed ahead must not
		// tick the box the cursor was on for the one before.
		m.nav.home()
	}
	m.email, m.picker, m.user, m.reviewing, m.note, m.err = email, nil, nil, false, "", ""
	m.saving, m.saved = false, ""
	return m.load(true)
}

func (m *permissions) choose() tea.Cmd {
	return m.oneUser.choose(m.s, permsPicker, m.s.p.T("whose permissions? type a name or an email"))
}

// load reads the user's permissions; unless forced, what arrives does not
// replace boxes the operator ticked meanwhile.
func (m *permissions) load(force bool) tea.Cmd {
	m.seq++
	m.loading = true
	seq, email := m.seq, m.email
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		u, err := svc.User(ctx, a, email)
		if err != nil {
			return permsMsg{seq: seq, force: force, err: err}
		}
		locked, err := svc.Grantable(ctx, a, email)
		if err != nil {
			return permsMsg{seq: seq, force: force, err: err}
		}
		roles, err := svc.GrantableRoles(ctx, a, email)
		return permsMsg{seq: seq, force: force, user: u, locked: locked, roles: roles, err: err}
	})
}

func (m *permissions) SetSize(w, h int) {
	m.width, m.height = w, h
	m.nav.resize(len(admin.Catalogue))
}

func (m *permissions) Capturing() bool { return m.choosing() }

// Saving lasts until the user is read again after a save.
func (m *permissions) Saving() bool { return m.saving }

func (m *permissions) Dirty() bool {
	return m.user != nil && (m.role != m.origRole || m.ticked())
}

func (m *permissions) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.picker != nil:
		return pickerKeys(m.s.p)
	case m.reviewing:
		return k.reviewKeys(m.s.p)
	}
	// What saves comes first: at 80 columns the footer cuts the keys at its end.
	return []key.Binding{k.Review, k.Toggle, k.RoleBack, k.Role, k.Discard, k.Other, k.nav.Up, k.nav.Down}
}

func (m *permissions) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{k.nav.list(), {k.Toggle, k.RoleBack, k.Role}, {k.Review, k.Discard, k.Other, k.Reload}}
}

func (m *permissions) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if m.picker != nil {
		if cmd, ok := m.pickUser(msg, m.OpenUser); ok {
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case permsMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading = false
		if m.saving { // the reading after a save
			m.saving, m.note, m.saved = false, m.saved, ""
		}
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
			return m, m.replayHeld(m.replay)
		}
		if !msg.force && m.Dirty() {
			return m, nil
		}
		m.user, m.roles, m.version, m.stale = msg.user, msg.roles, msg.user.Version, false
		m.reset(newSet(msg.user.Perms), msg.locked)
		m.role = max(0, slices.Index(admin.Roles, msg.user.Role))
		m.origRole = m.role
		m.nav.set(len(admin.Catalogue))
		return m, m.replayHeld(m.replay)
	case permsSavedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.reviewing = false
		if msg.err != nil {
			m.saving = false
			m.err = m.s.explain(msg.err)
			var conflict *admin.ConflictError
			m.stale = errors.As(msg.err, &conflict)
			return m, nil
		}
		m.saved = m.s.p.T("Saved: %s is %s", clean(msg.res.Email), m.s.p.T(msg.res.Role)) + changeText(m.s.p, msg.res.Added, msg.res.Removed)
		return m, m.load(true)
	case refreshMsg:
		if m.user != nil && !m.Dirty() && !m.saving {
			return m, m.load(false)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// replay handles a key typed while the user picked was read.
func (m *permissions) replay(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// changeText ends a saved message with the permissions added and removed,
// by ID (as the command line and the audit name them).
func changeText(p *i18n.Printer, added, removed []string) string {
	s := ""
	if len(added) > 0 {
		s += p.T("; added %s", strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		s += p.T("; removed %s", strings.Join(removed, ", "))
	}
	return s + "."
}

func (m *permissions) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.saving {
		return nil
	}
	if key.Matches(msg, k.Other) && !m.reviewing {
		if m.Dirty() {
			m.err = m.s.p.T("Save (enter) or discard (esc) your changes first.")
			return nil
		}
		return m.choose()
	}
	if key.Matches(msg, k.Reload) {
		m.reviewing, m.note, m.err = false, "", ""
		if m.email != "" {
			return m.load(true)
		}
		return nil
	}
	if m.user == nil {
		if msg.String() == "esc" {
			return m.s.open(usersScreen, "")
		}
		return nil
	}
	if m.reviewing {
		switch {
		case key.Matches(msg, k.Save):
			return m.save()
		case msg.String() == "esc", msg.String() == "n":
			m.reviewing = false
		}
		return nil
	}
	m.note = ""
	if k.nav.apply(msg, &m.nav) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Toggle):
		m.err = m.toggle(m.s.p, admin.Catalogue[m.nav.cur].ID)
	case key.Matches(msg, k.Role), key.Matches(msg, k.RoleBack):
		d := 1
		if key.Matches(msg, k.RoleBack) {
			d = len(admin.Roles) - 1
		}
		// Only the roles the operator may give, and the user's own; a
		// preset leaves the locked boxes as they are.
		r := m.role
		for range admin.Roles {
			if r = (r + d) % len(admin.Roles); r == m.origRole || slices.Contains(m.roles, admin.Roles[r]) {
				break
			}
		}
		if r == m.role {
			m.err = m.s.p.T("Locked: you may not give %s another role.", clean(m.user.Email))
			return nil
		}
		m.err, m.role = "", r
		m.draft = newSet(admin.Presets[admin.Roles[m.role]])
		for id, why := range m.locked {
			switch {
			case why == "":
			case m.orig[id]:
				m.draft[id] = true
			default:
				delete(m.draft, id)
			}
		}
		if m.role == m.origRole {
			m.discard()
		}
	case key.Matches(msg, k.Review):
		if !m.Dirty() {
			m.note = m.s.p.T("Nothing changed.")
			return nil
		}
		if m.stale {
			m.err = m.s.p.T("This user changed since you opened it: press ctrl+r to reload.")
			return nil
		}
		m.err = ""
		m.reviewing = true
	case key.Matches(msg, k.Discard):
		if m.Dirty() {
			m.discard()
			m.role = m.origRole
			m.note = m.s.p.T("Changes discarded.")
			return nil
		}
		return m.s.open(usersScreen, "")
	}
	return nil
}

func newSet(ids []string) map[string]bool {
	s := map[string]bool{}
	for _, id := range ids {
		s[id] = true
	}
	return s
}

func (m *permissions) save() tea.Cmd {
	c := admin.PermChange{Set: []string{}}
	if m.role != m.origRole {
		c.Role = admin.Roles[m.role]
	}
	for _, p := range admin.Catalogue {
		if m.draft[p.ID] {
			c.Set = append(c.Set, p.ID)
		}
	}
	m.saving, m.err = true, ""
	m.seq++
	seq, email, version := m.seq, m.email, m.version
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		res, err := svc.SetPermissions(ctx, a, email, version, c)
		return permsSavedMsg{seq, res, err}
	})
}

func (m *permissions) View() string {
	st, p := m.s.styles, m.s.p
	if v, ok := m.chooserView(st, p.T("Permissions"), p.T("Press u to choose whose permissions to change, or p on the Users screen."), m.width); ok {
		return v
	}
	var b strings.Builder
	u := m.user
	title := p.T("Permissions of %s", who(u.User))
	b.WriteString(st.Title.Render(cut(title, m.width)))
	if m.Dirty() {
		b.WriteString(st.Warn.Render("  " + p.T("(unsaved)")))
	}
	b.WriteString("\n")
	role := st.Label.Render(p.T("Role") + "  ")
	for i, r := range admin.Roles {
		if i == m.role {
			role += st.Bold.Render("‹" + p.T(r) + "›")
		} else {
			role += st.Faint.Render(" " + p.T(r) + " ")
		}
	}
	role += st.Faint.Render("   " + p.T("←/→ applies the role's preset"))
	b.WriteString(cut(role, m.width))
	b.WriteString("\n")
	if m.reviewing {
		b.WriteString("\n")
		b.WriteString(m.review())
		return b.String()
	}
	// The boxes are drawn in the height left under the title and the role
	// and above the status line, scrolled to keep the cursor in sight.
	var lines []string
	curLine := 0
	cols := columnWidths(m.width-1-7, []column{
		{min: 12, natural: widest(admin.Catalogue, func(c admin.Permission) string { return p.T(c.Label) })},
		{min: 10, natural: widest(admin.Catalogue, func(c admin.Permission) string { return p.T(c.Description) })}})
	group := ""
	for i, c := range admin.Catalogue {
		if c.Group != group {
			group = c.Group
			lines = append(lines, st.Group.Render(p.T(group)))
		}
		box, changed := m.box(c.ID), m.changed(c.ID)
		// The cursor's row is marked as the lists mark theirs, not by its
		// colour alone, which a terminal without colours does not show.
		mark := "  "
		if i == m.nav.cur {
			mark = "▸ "
		}
		line := mark + box + " " + fit(p.T(c.Label), cols[0]) + " " + p.T(c.Description)
		why := m.locked[c.ID]
		if why != "" {
			line = mark + box + " " + fit(p.T(c.Label), cols[0]) + " " + p.T("locked: %s", p.T(why))
		}
		line = cut(line, m.width-1)
		switch {
		case i == m.nav.cur:
			line = st.Selected.Render(line)
			curLine = len(lines)
		case why != "":
			line = st.Locked.Render(line)
		case changed:
			line = st.Marked.Render(line)
		}
		lines = append(lines, line)
	}
	status := st.wrappedStatus(m.width, nil, m.saving, p.T("Saving…"), m.err, m.note)
	b.WriteString(strings.Join(inSight(lines, curLine, m.height-3-strings.Count(status, "\n")), "\n"))
	b.WriteString("\n")
	b.WriteString(status)
	return b.String()
}

// review is the summary shown before saving.
func (m *permissions) review() string {
	st, tr := m.s.styles, m.s.p
	var b strings.Builder
	b.WriteString(st.Bold.Render(tr.T("Before saving:")))
	b.WriteString("\n")
	if m.role != m.origRole {
		b.WriteString("  " + tr.T("role %s → %s", tr.T(admin.Roles[m.origRole]), st.Bold.Render(tr.T(admin.Roles[m.role]))) + "\n")
	}
	added, removed := m.changes(catalogueIDs())
	label := map[string]string{}
	for _, p := range admin.Catalogue {
		label[p.ID] = tr.T(p.Label)
	}
	for _, p := range added {
		b.WriteString(st.OK.Render("  + "+p) + st.Subtle.Render("  "+label[p]) + "\n")
	}
	for _, p := range removed {
		b.WriteString(st.FieldErr.Render("  - "+p) + st.Subtle.Render("  "+label[p]) + "\n")
	}
	if len(added) == 0 && len(removed) == 0 {
		b.WriteString(st.Subtle.Render("  "+tr.T("the permissions stay as they are")) + "\n")
	}
	b.WriteString("\n")
	if s := st.wrappedStatus(m.width, nil, m.saving, tr.T("Saving…"), m.err, ""); s != "" {
		b.WriteString(s)
	} else {
		b.WriteString(st.Warn.Render(tr.T("enter saves · esc goes back to the checkboxes")))
	}
	return b.String()
}

func catalogueIDs() []string {
	ids := make([]string, len(admin.Catalogue))
	for i, p := range admin.Catalogue {
		ids[i] = p.ID
	}
	return ids
}
