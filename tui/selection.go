package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// selection is the users picked on the Users screen, by ID, kept across
// pages, searches and filters: some by space (ids), or every user matching
// the filter shown when A was pressed (all), less those space then took out
// (except). "Every user" is that filter and a count, not a hundred thousand
// IDs read at each key: the IDs are read in one statement when an act
// starts (admin.SelectUsers), so that the act works on the users counted
// then, whatever they become while it runs.
type selection struct {
	ids    map[int64]bool
	all    *store.ListQuery
	total  int // the users matching all, counted when A was pressed
	except map[int64]bool
	seq    int // of the last A: a count that comes after another A is dropped
}

// size is how many users are selected; -1 while A's count is being read.
func (s *selection) size() int {
	if s.all != nil {
		if s.total < 0 {
			return -1
		}
		return s.total - len(s.except)
	}
	return len(s.ids)
}

func (s *selection) empty() bool { return s.all == nil && len(s.ids) == 0 }

func (s *selection) clear() {
	s.ids, s.all, s.except, s.total = nil, nil, nil, 0
	s.seq++
}

// has reports whether the user id, shown under the filter q, is selected.
func (s *selection) has(id int64, q store.ListQuery) bool {
	if s.all != nil {
		return sameFilter(*s.all, q) && !s.except[id]
	}
	return s.ids[id]
}

// sameFilter reports whether two listings keep the same users, whatever
// their order.
func sameFilter(a, b store.ListQuery) bool {
	return a.Status == b.Status && a.Team == b.Team && a.Branch == b.Branch && strings.TrimSpace(a.Search) == strings.TrimSpace(b.Search)
}

// describeFilter says which users a filter keeps, in p's language:
// "status invited, team Support".
func describeFilter(p *i18n.Printer, q store.ListQuery) string {
	var parts []string
	if q.Status != "" {
		parts = append(parts, p.T("status %s", p.T(q.Status)))
	}
	if q.Team != "" {
		parts = append(parts, p.T("team %s", clean(q.Team)))
	}
	if q.Branch != "" {
		parts = append(parts, p.T("branch %s", clean(q.Branch)))
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		parts = append(parts, p.T("search “%s”", clean(s)))
	}
	if len(parts) == 0 {
		return p.T("every user")
	}
	return strings.Join(parts, ", ")
}

// selectionAct is one entry of the acts on a selection: m opens them.
// Another act (a branch) is one more entry, and one more admin.UserAct.
// Its words are message keys, said in the session's language; the
// question and what was done to each row say what admin.UserBatch's
// Question and Done say in English, with the role or team chosen.
type selectionAct struct {
	name string
	act  admin.UserAct
	perm string // what the act needs: without it, the entry says why not
	// choose lists what the act needs chosen first (a role, a team); nil
	// when nothing.
	choose   func(m *users) []string
	none     string    // what to say when choose lists nothing
	doing    string    // the progress's word: "Changing roles"
	ask      [2]string // the question, for one user and for more: "Deactivate %s users?"
	did      string    // what was done to each: "made %s"
	pickWhat string    // the prompt of choose: "Role:"
}

var selectionActs = []selectionAct{
	{name: "change role", act: admin.ChangeRole, perm: "users.permissions", doing: "Changing roles",
		choose: func(*users) []string { return admin.Roles }, pickWhat: "Change role:",
		ask: [2]string{"Change the role of %s user to %s?", "Change the role of %s users to %s?"}, did: "made %s"},
	{name: "add to team", act: admin.JoinTeam, perm: "users.edit", doing: "Adding",
		choose: func(m *users) []string { return m.groupNames(false) }, pickWhat: "Add to team:", none: "There are no teams yet: T manages them.",
		ask: [2]string{"Add %s user to %s?", "Add %s users to %s?"}, did: "added to %s"},
	{name: "remove from team", act: admin.LeaveTeam, perm: "users.edit", doing: "Removing",
		choose: func(m *users) []string { return m.groupNames(false) }, pickWhat: "Remove from team:", none: "There are no teams yet: T manages them.",
		ask: [2]string{"Remove %s user from %s?", "Remove %s users from %s?"}, did: "removed from %s"},
	{name: "add to branch", act: admin.JoinBranch, perm: "users.edit", doing: "Adding",
		choose: func(m *users) []string { return m.groupNames(true) }, pickWhat: "Add to branch:", none: "There are no branches yet: B manages them.",
		ask: [2]string{"Add %s user to the branch %s?", "Add %s users to the branch %s?"}, did: "added to the branch %s"},
	{name: "remove from branch", act: admin.LeaveBranch, perm: "users.edit", doing: "Removing",
		choose: func(m *users) []string { return m.groupNames(true) }, pickWhat: "Remove from branch:", none: "There are no branches yet: B manages them.",
		ask: [2]string{"Remove %s user from the branch %s?", "Remove %s users from the branch %s?"}, did: "removed from the branch %s"},
	{name: "deactivate", act: admin.DeactivateUsers, perm: "users.delete", doing: "Deactivating",
		ask: [2]string{"Deactivate %s user (they will not be able to log in)?", "Deactivate %s users (they will not be able to log in)?"}, did: "deactivated"},
	{name: "reactivate", act: admin.ReactivateUsers, perm: "users.delete", doing: "Reactivating",
		ask: [2]string{"Reactivate %s user?", "Reactivate %s users?"}, did: "reactivated"},
	{name: "resend invitations", act: admin.ResendInvitations, perm: "users.invite", doing: "Resending",
		ask: [2]string{"Resend the invitations of %s user?", "Resend the invitations of %s users?"}, did: "resent"},
	{name: "send staged invitations", act: admin.SendStagedInvitations, perm: "users.invite", doing: "Sending",
		ask: [2]string{"Send the invitations of %s user staged?", "Send the invitations of %s users staged?"}, did: "invited"},
}

// question asks whether to do the act to n users, with what b chose.
func (a selectionAct) question(p *i18n.Printer, b admin.UserBatch, n int) string {
	if chosen := chosen(p, b); chosen != "" {
		return p.N(n, a.ask[0], a.ask[1], p.Num(n), chosen)
	}
	return p.N(n, a.ask[0], a.ask[1])
}

// done is what the act did to n users, with what b chose.
func (a selectionAct) done(p *i18n.Printer, b admin.UserBatch) func(n int) string {
	chosen := chosen(p, b)
	return func(n int) string {
		if chosen != "" {
			return p.Agree(n, a.did, chosen)
		}
		return p.Agree(n, a.did)
	}
}

// chosen is the role (in p's words), the team or the branch b was given, "" for none.
func chosen(p *i18n.Printer, b admin.UserBatch) string {
	if b.Role != "" {
		return p.T(b.Role)
	}
	return clean(b.Team + b.Branch)
}

// choice is a question answered by picking one of a few options: ←/→ or
// their number, then enter; esc gives up.
type choice struct {
	p       *i18n.Printer
	prompt  string
	options []string
	cur     int
	picked  func(i int) tea.Cmd
}

func (c *choice) key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	switch s := msg.String(); {
	case s == "esc":
		return true, nil
	case s == "left" || s == "h" || s == "up" || s == "k":
		c.cur = (c.cur + len(c.options) - 1) % len(c.options)
	case s == "right" || s == "l" || s == "down" || s == "j" || s == "tab":
		c.cur = (c.cur + 1) % len(c.options)
	case s == "enter":
		return true, c.picked(c.cur)
	case len(s) == 1 && s[0] >= '1' && s[0] <= '9' && int(s[0]-'1') < len(c.options):
		return true, c.picked(int(s[0] - '1'))
	}
	return false, nil
}

// line draws the question in width: every option, numbered, the current
// one bracketed; only the current one when they do not fit.
func (c *choice) line(width int) string {
	var parts []string
	for i, o := range c.options {
		o = clean(o)
		if i == c.cur {
			o = "[" + o + "]"
		}
		parts = append(parts, fmt.Sprintf("%d %s", i+1, o))
	}
	tail := "  ←/→ enter · esc"
	line := c.prompt + " " + strings.Join(parts, " · ") + tail
	if cells(line) > width {
		line = c.prompt + " ← " + clean(c.options[c.cur]) + " → (" + c.p.T("%d of %d", c.cur+1, len(c.options)) + ")" + tail
	}
	return cut(line, width)
}

type (
	usersCountMsg struct {
		seq int
		n   int
		err error
	}
	// usersSelectedMsg brings the IDs an act works on, read as it starts.
	usersSelectedMsg struct {
		seq   int
		ids   []int64
		batch admin.UserBatch
		act   selectionAct
		err   error
	}
)

// toggle selects or unselects the user under the cursor.
func (m *users) toggle() tea.Cmd {
	u := m.selected()
	if u == nil {
		return nil
	}
	sel := &m.sel
	if sel.all != nil {
		if !sameFilter(*sel.all, m.query()) {
			m.err = m.s.p.T("Every user matching %s is selected: space leaves some out under that filter; esc clears.", describeFilter(m.s.p, *sel.all))
			return nil
		}
		if sel.except == nil {
			sel.except = map[int64]bool{}
		}
		if sel.except[u.ID] {
			delete(sel.except, u.ID)
		} else {
			sel.except[u.ID] = true
		}
	} else {
		if sel.ids == nil {
			sel.ids = map[int64]bool{}
		}
		if sel.ids[u.ID] {
			delete(sel.ids, u.ID)
		} else {
			sel.ids[u.ID] = true
		}
	}
	m.nav.move(1)
	return m.ensure()
}

// selectAll selects every user matching the filter shown, counted by the
// store; A again (nothing left out) clears it.
func (m *users) selectAll() tea.Cmd {
	q := m.query()
	if m.sel.all != nil && sameFilter(*m.sel.all, q) && len(m.sel.except) == 0 {
		m.sel.clear()
		return nil
	}
	m.sel.clear()
	m.sel.all, m.sel.total = &q, -1
	seq, svc, a := m.sel.seq, m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		n, err := svc.CountUsers(ctx, a, q)
		return usersCountMsg{seq: seq, n: n, err: err}
	})
}

// selectionLine says what is selected, for the status line.
func (m *users) selectionLine() string {
	p := m.s.p
	switch n := m.sel.size(); {
	case m.sel.empty():
		return ""
	case n < 0:
		return p.T("Counting every user matching %s…", describeFilter(p, *m.sel.all))
	case m.sel.all != nil:
		text := p.N(n, "%s user selected: every one matching %s", "%s users selected: every one matching %s", p.Num(n), describeFilter(p, *m.sel.all))
		if len(m.sel.except) > 0 {
			text = p.T("%s but %s", text, m.s.count(len(m.sel.except)))
		}
		return text + " · " + p.T("m acts on them · esc clears")
	default:
		return p.N(n, "%s user selected", "%s users selected") + " · " + p.T("m acts on them · esc clears")
	}
}

// acts opens the acts on the selection (or the user under the cursor).
func (m *users) acts() tea.Cmd {
	if m.jobs.job != nil {
		m.err = m.s.p.T("An act is under way: wait for it, or press esc to cancel it.")
		return nil
	}
	// The last act's failures are not this one's.
	m.jobs.forget()
	m.resize()
	if m.sel.empty() {
		if u := m.selected(); u != nil {
			m.sel.ids = map[int64]bool{u.ID: true}
		} else {
			return nil
		}
	}
	p := m.s.p
	names := make([]string, len(selectionActs))
	for i, a := range selectionActs {
		names[i] = p.T(a.name)
	}
	n := m.sel.size()
	prompt := p.N(n, "Act on %s user:", "Act on %s users:")
	if n < 0 {
		prompt = p.T("Act on every user matching %s:", describeFilter(p, *m.sel.all))
	}
	m.menu = &choice{p: p, prompt: prompt, options: names, picked: func(i int) tea.Cmd { return m.pickAct(selectionActs[i]) }}
	return nil
}

// pickAct goes on with an act picked: its role or team, then its users.
func (m *users) pickAct(act selectionAct) tea.Cmd {
	if why := mayIn(m.s.p, m.perms, act.perm, m.s.p.T(act.name)); why != "" {
		m.err = why
		return nil
	}
	b := admin.UserBatch{Act: act.act}
	if act.choose == nil {
		return m.resolve(act, b)
	}
	options := act.choose(m)
	// Roles are shown in the session's words; team names as they are.
	labels := options
	if act.act == admin.ChangeRole {
		labels = make([]string, len(options))
		for i, r := range options {
			labels[i] = m.s.p.T(r)
		}
	}
	if len(options) == 0 {
		m.err = m.s.p.T(act.none)
		return nil
	}
	m.menu = &choice{p: m.s.p, prompt: m.s.p.T(act.pickWhat), options: labels, picked: func(i int) tea.Cmd {
		b.Role, b.Team, b.Branch = options[i], options[i], options[i]
		return m.resolve(act, b)
	}}
	return nil
}

// resolve fixes the users the act works on: the IDs selected, or those of
// every user matching A's filter read now, in one statement.
func (m *users) resolve(act selectionAct, b admin.UserBatch) tea.Cmd {
	m.resolving = true
	seq, sel := m.sel.seq, m.sel
	if sel.all == nil {
		ids := make([]int64, 0, len(sel.ids))
		for id := range sel.ids {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return func() tea.Msg { return usersSelectedMsg{seq: seq, ids: ids, batch: b, act: act} }
	}
	q, except := *sel.all, make(map[int64]bool, len(sel.except))
	for id := range sel.except {
		except[id] = true
	}
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		ids, err := svc.SelectUsers(ctx, a, q)
		ids = slices.DeleteFunc(ids, func(id int64) bool { return except[id] })
		return usersSelectedMsg{seq: seq, ids: ids, batch: b, act: act, err: err}
	})
}

// selectedUsers asks before acting, with the count of users the act will see.
func (m *users) selectedUsers(msg usersSelectedMsg) {
	m.resolving = false
	switch {
	case msg.seq != m.sel.seq:
		return // the selection changed meanwhile
	case msg.err != nil:
		m.err = m.s.explain(msg.err)
		return
	case len(msg.ids) == 0:
		m.note = m.s.p.T("No user matches any more: nothing to do.")
		return
	}
	msg.batch.IDs = msg.ids
	m.ask = &msg
	m.confirm = &confirmation{prompt: msg.act.question(m.s.p, msg.batch, len(msg.ids)) + " y/n"}
}

// answer settles the question shown: y runs the act asked about, or
// cancels the job under way (ctrl+c again does too).
func (m *users) answer(msg tea.KeyPressMsg) tea.Cmd {
	ask := m.ask
	m.confirm, m.ask = nil, nil
	yes := saysYes(msg)
	switch {
	case ask != nil && yes:
		m.err, m.note = "", ""
		b := ask.batch
		p := m.s.p
		cmd := m.jobs.start(b, jobWords{what: p.T(ask.act.name), doing: p.T(ask.act.doing), did: ask.act.done(p, b)}, len(b.IDs))
		m.resize()
		return cmd
	case ask == nil && m.jobs.job != nil && (yes || msg.String() == "ctrl+c"):
		m.jobs.cancel()
	case ask != nil:
		m.note = m.s.p.T("Cancelled.")
	}
	return nil
}

// jobDone shows what the act did, failures first, and reads the rows again.
func (m *users) jobDone(msg jobDoneMsg) tea.Cmd {
	if !m.jobs.ended(msg) {
		return nil
	}
	if m.confirm != nil && m.ask == nil { // whether to cancel: too late
		m.confirm = nil
	}
	m.pendingNote = m.jobs.finish(msg, nil)
	m.sel.clear()
	m.resize()
	return tea.Batch(m.refresh(), m.loadSummary())
}

// groupNames are the account's teams, or its branches, in order, for a
// selection to join or leave.
func (m *users) groupNames(branches bool) []string {
	var out []string
	for _, g := range m.groups {
		if g.branch == branches {
			out = append(out, g.name)
		}
	}
	return out
}
