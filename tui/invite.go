package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// The columns of an invitation row.
const (
	cFirst = iota
	cLast
	cEmail
	cPhone
	cRole
	cTeam
	cBranch
	cPosition
	cRef
	cLang
	numCols
)

// inviteCols name the columns in what is said about them; inviteHeads head
// them, short, so that all fit in 80 columns. Both are message keys: the
// screen says them in the session's language.
var (
	inviteCols  = [numCols]string{"First name", "Last name", "Email", "Phone", "Role", "Team", "Branch", "Job title", "Reference ID", "Language"}
	inviteHeads = [numCols]string{"First", "Last", "Email", "Mobile", "Role", "Team", "Branch", "Job title", "Ref ID", "Lang"}
)

// inviteChoices are the values of the columns picked with ←/→ rather than
// typed.
var inviteChoices = [numCols][]string{cRole: admin.Roles, cLang: admin.Locales}

// inviteRow is one person of the Invite form.
type inviteRow struct {
	id       int
	cells    [numCols]textinput.Model
	choice   [numCols]int // index in inviteChoices of a choice column
	errs     [numCols]string
	dup      bool // errs[cEmail] says the address is on an earlier row
	rowErr   string
	checkSeq int
}

func (r *inviteRow) value(c int) string {
	if inviteChoices[c] != nil {
		return inviteChoices[c][r.choice[c]]
	}
	return strings.TrimSpace(r.cells[c].Value())
}

func (r *inviteRow) empty() bool {
	for c := range numCols {
		if inviteChoices[c] == nil && r.value(c) != "" {
			return false
		}
	}
	return true
}

func (r *inviteRow) newUser() admin.NewUser {
	u := admin.NewUser{FirstName: r.value(cFirst), LastName: r.value(cLast), Email: r.value(cEmail),
		Phone: r.value(cPhone), Role: r.value(cRole), Position: r.value(cPosition), ReferenceID: r.value(cRef),
		Locale: r.value(cLang)}
	if t := r.value(cTeam); t != "" {
		u.Teams = []string{t}
	}
	if b := r.value(cBranch); b != "" {
		u.Branches = []string{b}
	}
	return u
}

type inviteKeys struct {
	Next, Prev, Up, Down, AddRow, DelRow, Submit, Leave, Enter, RoleAddr, Staged key.Binding
}

// invite is the Invite screen: several people at once, each field checked
// as it is typed, and the outcome of each row once submitted.
type invite struct {
	s      *session
	keys   inviteKeys
	width  int
	height int

	rows      []*inviteRow
	nextID    int
	row, col  int
	active    bool
	roleAddr  bool // accept role mailboxes, for the next batch only
	staged    bool // create without sending the invitation yet, for the next batch only
	lang      int  // the language of a new row, in admin.Locales: the account's country's
	teams     []string
	branches  []string
	busy      bool
	results   []string // outcome of the last submission, one line a row
	submitSeq int
	perms     map[string]bool
	seat      *admin.Estimate // what one more seat costs if accepted now
	err       string
}

type (
	inviteCostMsg  struct{ seat *admin.Estimate }
	inviteTeamsMsg struct {
		teams    []store.Team
		branches []store.Branch
		err      error
	}
	inviteLangMsg  struct{ lang string }
	inviteTickMsg  struct{ row, seq int }
	inviteCheckMsg struct {
		row, seq int
		problems []error
		err      error
	}
	inviteDoneMsg struct {
		seq     int
		ids     []int
		results []admin.RowResult
		err     error
	}
)

func newInvite(s *session) *invite {
	m := &invite{s: s, keys: newInviteKeys(s.p)}
	m.addRow()
	return m
}

func newInviteKeys(p *i18n.Printer) inviteKeys {
	return inviteKeys{
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", p.T("next field"))),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", p.T("previous field"))),
		Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", p.T("row above"))),
		Down:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", p.T("row below"))),
		AddRow:   key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", p.T("add another person"))),
		DelRow:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", p.T("remove row"))),
		Submit:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", p.T("invite"))),
		Leave:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("leave the form"))),
		Enter:    key.NewBinding(key.WithKeys("enter", "i"), key.WithHelp("enter", p.T("fill in the form"))),
		RoleAddr: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", p.T("allow role mailboxes"))),
		Staged:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", p.T("stage without sending"))),
	}
}

func (m *invite) addRow() { m.rows = append(m.rows, m.newRow()) }

func (m *invite) newRow() *inviteRow {
	m.nextID++
	r := &inviteRow{id: m.nextID}
	placeholders := [numCols]string{cEmail: m.s.p.T("name@example.com")}
	limits := [numCols]int{100, 100, 254, 40, 0, 60, 60, 100, 64, 0}
	for c := range numCols {
		r.cells[c] = m.s.newInput(placeholders[c], limits[c])
	}
	r.choice[cRole] = len(admin.Roles) - 1 // member
	r.choice[cLang] = m.lang
	return r
}

// spread makes a row each of the people in the i-th row's email cell, or
// in text when it is given (a paste, which the cell's length would cut):
// several addresses, or an address with its name, as a To: line holds
// them (admin.Addressees). The names fill the row's name cells left empty;
// the rows made after it take its role, team, branch and language. It
// reports whether the rows changed.
func (m *invite) spread(i int, text string) bool {
	r := m.rows[i]
	if text == "" {
		text = r.value(cEmail)
	}
	people := admin.Addressees(text)
	if len(people) == 0 || len(people) == 1 && people[0].Email == text && people[0].FirstName+people[0].LastName == "" {
		return false
	}
	made := make([]*inviteRow, 0, len(people)-1)
	for k, p := range people {
		row := r
		if k > 0 {
			row = m.newRow()
			row.choice = r.choice
			for _, c := range []int{cTeam, cBranch} {
				row.cells[c].SetValue(r.cells[c].Value())
			}
			made = append(made, row)
		}
		row.cells[cEmail].SetValue(p.Email)
		if row.value(cFirst)+row.value(cLast) == "" {
			row.cells[cFirst].SetValue(p.FirstName)
			row.cells[cLast].SetValue(p.LastName)
		}
	}
	m.rows = slices.Insert(m.rows, i+1, made...)
	return true
}

// Init shows the form without giving it the keyboard: the number keys still
// switch screens until the operator starts editing.
func (m *invite) Init() tea.Cmd {
	m.focus(0, 0)
	return m.load()
}

// load reads the teams and branches a row may name, and the account's country, which
// says the language new rows start in.
func (m *invite) load() tea.Cmd {
	svc, a := m.s.svc, m.s.actor
	return tea.Batch(m.s.do(func(ctx context.Context) tea.Msg {
		t, err := svc.Teams(ctx, a)
		if err != nil {
			return inviteTeamsMsg{err: err}
		}
		b, err := svc.Branches(ctx, a)
		return inviteTeamsMsg{t, b, err}
	}), m.s.do(func(ctx context.Context) tea.Msg {
		acct, err := svc.Account(ctx)
		if err != nil {
			return nil // the rows start in English; the router says what is wrong with the account
		}
		return inviteLangMsg{admin.DefaultLocale(acct.Country)}
	}), m.s.do(func(ctx context.Context) tea.Msg {
		e, err := svc.InvitationCost(ctx, a, 1)
		if err != nil {
			return nil // an operator who may not invite sees why on submitting
		}
		return inviteCostMsg{e}
	}))
}

func (m *invite) SetSize(w, h int) { m.width, m.height = w, h }

func (m *invite) Capturing() bool { return m.active }

// Saving reports that the invitations are being sent.
func (m *invite) Saving() bool { return m.busy }

func (m *invite) Dirty() bool {
	for _, r := range m.rows {
		if !r.empty() {
			return true
		}
	}
	return false
}

func (m *invite) ShortHelp() []key.Binding {
	if m.active {
		return []key.Binding{m.keys.Next, m.keys.AddRow, m.submitKey(), m.keys.Leave}
	}
	return []key.Binding{m.keys.Enter, m.keys.AddRow, m.submitKey()}
}

func (m *invite) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{m.keys.Next, m.keys.Prev, m.keys.Up, m.keys.Down},
		{m.keys.AddRow, m.keys.DelRow, m.submitKey(), m.keys.Leave, m.keys.Enter},
		{m.keys.RoleAddr, m.keys.Staged},
	}
}

// submitKey is ctrl+s saying what it does now: invite or stage, and how many.
func (m *invite) submitKey() key.Binding {
	p, n := m.s.p, m.addressed()
	// Rows with an address but a problem are sent, and refused: "invite 0"
	// when they are all there is, not "invite" as on an empty form.
	counted := n > 0 || slices.ContainsFunc(m.rows, func(r *inviteRow) bool { return r.value(cEmail) != "" })
	help := p.T("invite")
	switch {
	case m.staged && !counted:
		help = p.T("stage")
	case m.staged:
		help = p.T("stage %s", p.Num(n))
	case counted:
		help = p.T("invite %s", p.Num(n))
	}
	b := m.keys.Submit
	b.SetHelp("ctrl+s", help)
	return b
}

// addressed counts the rows with an email typed and no problem shown: the
// people ctrl+s would invite, and pay for (a row with a name alone, a
// duplicate or a role mailbox is refused, on its row).
func (m *invite) addressed() int {
	n := 0
	for _, r := range m.rows {
		if r.value(cEmail) != "" && r.errs == [numCols]string{} && r.rowErr == "" {
			n++
		}
	}
	return n
}

// activate gives the form the keyboard at a cell.
func (m *invite) activate(row, col int) {
	m.active = true
	m.focus(row, col)
}

func (m *invite) focus(row, col int) {
	m.row = max(0, min(row, len(m.rows)-1))
	m.col = ((col % numCols) + numCols) % numCols
	for i, r := range m.rows {
		for c := range numCols {
			if m.active && i == m.row && c == m.col && inviteChoices[c] == nil {
				r.cells[c].Focus()
			} else {
				r.cells[c].Blur()
			}
		}
	}
}

func (m *invite) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case operatorMsg:
		m.perms = msg.perms
	case inviteCostMsg:
		m.seat = msg.seat
	case inviteTeamsMsg:
		m.teams, m.branches = nil, nil
		for _, t := range msg.teams {
			m.teams = append(m.teams, t.Name)
		}
		for _, b := range msg.branches {
			m.branches = append(m.branches, b.Name)
		}
	case inviteTickMsg:
		if r := m.byID(msg.row); r != nil && r.checkSeq == msg.seq {
			return m, m.check(r)
		}
	case inviteCheckMsg:
		if r := m.byID(msg.row); r != nil && r.checkSeq == msg.seq {
			if msg.err != nil {
				msg.problems = []error{msg.err}
			}
			m.showCheck(r, msg.problems...)
		}
	case inviteDoneMsg:
		return m, m.done(msg)
	case inviteLangMsg:
		m.lang = max(0, slices.Index(admin.Locales, msg.lang))
		for _, r := range m.rows {
			if r.empty() { // the operator has not started on it
				r.choice[cLang] = m.lang
			}
		}
	case refreshMsg:
		return m, m.load() // a team may have been added, the country changed
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *invite) byID(id int) *inviteRow {
	for _, r := range m.rows {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (m *invite) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.AddRow):
		m.addRow()
		m.activate(len(m.rows)-1, 0)
		return nil
	case key.Matches(msg, k.RoleAddr):
		m.roleAddr = !m.roleAddr
		return m.recheck()
	case key.Matches(msg, k.Staged):
		m.staged = !m.staged
		return nil
	}
	if !m.active {
		switch {
		case key.Matches(msg, k.Enter):
			m.activate(m.row, m.col)
			return nil
		case !startsEditing(msg):
			return nil
		}
		m.activate(m.row, m.col)
	}
	if m.col == cEmail {
		// Several people, or a name and an address, in the email cell: a
		// row each once pasted, or once the cell is left.
		text := ""
		if msg.Code == tea.KeyExtended {
			text = m.rows[m.row].cells[cEmail].Value() + msg.Text
		}
		leaving := key.Matches(msg, k.Leave, k.Next, k.Prev, k.Up, k.Down) || msg.String() == "enter"
		if (text != "" || leaving) && m.spread(m.row, text) {
			if leaving {
				return tea.Batch(m.recheck(), m.key(msg))
			}
			m.focus(m.row, m.col)
			return m.recheck()
		}
	}
	switch {
	case key.Matches(msg, k.Leave):
		m.active = false
		m.focus(m.row, m.col)
		return nil
	case key.Matches(msg, k.Next), msg.String() == "enter":
		if m.col == numCols-1 {
			if m.row == len(m.rows)-1 {
				m.addRow()
			}
			m.focus(m.row+1, 0)
		} else {
			m.focus(m.row, m.col+1+m.skip(m.col+1))
		}
		return nil
	case key.Matches(msg, k.Prev):
		if m.col == 0 && m.row > 0 {
			m.focus(m.row-1, numCols-1)
		} else {
			m.focus(m.row, m.col-1-m.skip(m.col-1))
		}
		return nil
	case key.Matches(msg, k.Up):
		m.focus(m.row-1, m.col)
		return nil
	case key.Matches(msg, k.Down):
		m.focus(m.row+1, m.col)
		return nil
	case key.Matches(msg, k.DelRow):
		if len(m.rows) == 1 {
			m.rows = nil
			m.addRow()
		} else {
			m.rows = append(m.rows[:m.row], m.rows[m.row+1:]...)
		}
		m.focus(m.row, m.col)
		return m.recheck()
	}
	r := m.rows[m.row]
	if ch := inviteChoices[m.col]; ch != nil {
		switch msg.String() {
		case "left":
			r.choice[m.col] = (r.choice[m.col] + len(ch) - 1) % len(ch)
		case "right", "space":
			r.choice[m.col] = (r.choice[m.col] + 1) % len(ch)
		default:
			return nil
		}
		return m.changed(r)
	}
	before := r.cells[m.col].Value()
	var cmd tea.Cmd
	r.cells[m.col], cmd = r.cells[m.col].Update(msg)
	if r.cells[m.col].Value() == before {
		return cmd
	}
	return tea.Batch(cmd, m.changed(r))
}

// changed schedules the check of a row once typing pauses, and the
// duplicate check of every row at once.
func (m *invite) changed(r *inviteRow) tea.Cmd {
	r.checkSeq++
	seq, id := r.checkSeq, r.id
	m.duplicates()
	return tea.Tick(debounce, func(time.Time) tea.Msg { return inviteTickMsg{id, seq} })
}

func (m *invite) recheck() tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range m.rows {
		cmds = append(cmds, m.changed(r))
	}
	return tea.Batch(cmds...)
}

// check asks admin what is wrong with one row, every problem of it, as
// submitting would find them one at a time.
func (m *invite) check(r *inviteRow) tea.Cmd {
	if r.empty() {
		m.showCheck(r)
		return nil
	}
	u, seq, id := r.newUser(), r.checkSeq, r.id
	opt := admin.InviteOptions{AllowRoleAddress: m.roleAddr, Staged: m.staged}
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		problems, err := svc.NewUserProblems(ctx, a, u, opt)
		return inviteCheckMsg{row: id, seq: seq, problems: problems, err: err}
	})
}

// showCheck puts each of a row's problems beside its field; those about no
// one field go under the row.
func (m *invite) showCheck(r *inviteRow, problems ...error) {
	dup := r.errs[cEmail]
	if !r.dup {
		dup = ""
	}
	r.errs = [numCols]string{}
	r.errs[cEmail] = dup
	r.rowErr = ""
	if r.empty() {
		return
	}
	var rowErrs []string
	for _, err := range problems {
		if why := m.showProblem(r, err); why != "" {
			rowErrs = append(rowErrs, why)
		}
	}
	r.rowErr = strings.Join(rowErrs, "; ")
}

// showProblem puts one problem beside its field, or returns it to be said
// under the row.
func (m *invite) showProblem(r *inviteRow, err error) (row string) {
	var in *admin.InputError
	if errors.As(err, &in) {
		// In the operator's language; a role mailbox is accepted here with
		// a key, not with the command line's flag.
		msg := in.Says(m.s.p)
		if in.Why.Key == admin.RoleAddressRefused {
			msg = m.s.p.T("%s is a role or department mailbox, not a person (ctrl+o accepts role mailboxes)", in.Why.Args...)
		}
		switch in.Field {
		case "first name":
			r.errs[cFirst] = msg
		case "last name":
			r.errs[cLast] = msg
		case "email":
			// An empty address is said at submission, not while the
			// operator is still filling in the names.
			if r.value(cEmail) != "" {
				r.errs[cEmail] = msg
			}
		case "phone":
			r.errs[cPhone] = msg
		case "role":
			r.errs[cRole] = msg
		case "position":
			r.errs[cPosition] = msg
		case "reference ID":
			r.errs[cRef] = msg
		case "locale":
			r.errs[cLang] = msg
		case "team":
			// admin says how the command line adds a team: here, say which
			// teams there are.
			r.errs[cTeam] = notAmong(m.s.p, cTeam, r.value(cTeam), m.teams)
		case "branch":
			r.errs[cBranch] = notAmong(m.s.p, cBranch, r.value(cBranch), m.branches)
		default:
			return m.s.explain(err)
		}
		return ""
	}
	return m.s.explain(err)
}

// notAmong says, in p's language, that name is not a team (column c is
// cTeam) or a branch (cBranch), and which there are, those that look like it
// first.
func notAmong(p *i18n.Printer, c int, name string, names []string) string {
	switch {
	case len(names) == 0 && c == cBranch:
		return p.T("%q is not a branch, and there is no branch yet: leave it empty", name)
	case len(names) == 0:
		return p.T("%q is not a team, and there is no team yet: leave it empty", name)
	case c == cBranch:
		return p.T("%q is not a branch (branches: %s)", name, nearest(name, names))
	}
	return p.T("%q is not a team (teams: %s)", name, nearest(name, names))
}

// nearest lists names, those that look like name first, five at most.
func nearest(name string, names []string) string {
	near := fuzzy(name, names)
	for _, t := range names {
		if !slices.Contains(near, t) {
			near = append(near, t)
		}
	}
	if len(near) > 5 {
		near = append(near[:5:5], "…")
	}
	return strings.Join(near, ", ")
}

// duplicates marks rows whose email is on an earlier row.
func (m *invite) duplicates() {
	seen := map[string]int{}
	for i, r := range m.rows {
		if r.dup {
			r.errs[cEmail], r.dup = "", false
		}
		e := store.EmailKey(r.value(cEmail))
		if e == "" {
			continue
		}
		if first, ok := seen[e]; ok {
			r.errs[cEmail], r.dup = m.s.p.T("is also on row %d", first), true
		} else {
			seen[e] = i + 1
		}
	}
}

func (m *invite) submit() tea.Cmd {
	if why := mayIn(m.s.p, m.perms, "users.invite", m.s.p.T("invite people")); why != "" {
		m.err = why
		return nil
	}
	for i := len(m.rows) - 1; i >= 0; i-- {
		m.spread(i, "")
	}
	var ids []int
	var rows []admin.NewUser
	for _, r := range m.rows {
		if !r.empty() {
			ids = append(ids, r.id)
			rows = append(rows, r.newUser())
		}
	}
	if len(rows) == 0 {
		m.err = m.s.p.T("Fill in at least one person's email.")
		return nil
	}
	m.busy, m.err = true, ""
	// The rows are sent: the keyboard goes back to the dashboard (1-8, tab)
	// until enter or i edits them again.
	m.active = false
	m.focus(m.row, m.col)
	m.submitSeq++
	seq := m.submitSeq
	opt := admin.InviteOptions{AllowRoleAddress: m.roleAddr, Staged: m.staged}
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		res, err := svc.Invite(ctx, a, rows, opt)
		return inviteDoneMsg{seq: seq, ids: ids, results: res, err: err}
	})
}

// done shows each row's outcome; invited rows leave the form, refused ones
// stay with their reason.
func (m *invite) done(msg inviteDoneMsg) tea.Cmd {
	if msg.seq != m.submitSeq {
		return nil
	}
	m.busy = false
	if msg.err != nil {
		m.err = m.s.explain(msg.err)
		return nil
	}
	m.results = nil
	ok := map[int]bool{}
	var refused []*inviteRow
	p := m.s.p
	did := "✓ %s invited: the invitation is on its way"
	if m.staged {
		did = "✓ %s staged: S on the Users screen sends the invitation"
	}
	// Staging and role mailboxes were asked for this batch: the next one
	// invites people again unless asked anew.
	m.staged, m.roleAddr = false, false
	// The refusals first, each said with its row when it has no address.
	var invited []string
	for i, res := range msg.results {
		r := m.byID(msg.ids[i])
		if res.Err == nil {
			ok[msg.ids[i]] = true
			invited = append(invited, p.T(did, clean(res.Email)))
			continue
		}
		who := clean(res.Email)
		if r != nil {
			m.showCheck(r, res.Err)
			if r.rowErr == "" && r.errs == [numCols]string{} {
				r.rowErr = m.s.explain(res.Err)
			}
			refused = append(refused, r)
			if who == "" {
				who = p.T("row %s", p.Num(slices.Index(m.rows, r)+1))
				if name := strings.TrimSpace(r.value(cFirst) + " " + r.value(cLast)); name != "" {
					who += " (" + clean(name) + ")"
				}
			}
		}
		m.results = append(m.results, p.T("✗ %s: %s", who, rowError(m.s, r, res.Err)))
	}
	m.results = append(m.results, invited...)
	kept := m.rows[:0]
	for _, r := range m.rows {
		if !ok[r.id] {
			kept = append(kept, r)
		}
	}
	m.rows = kept
	if len(m.rows) == 0 {
		m.addRow()
		m.col = 0 // a fresh row starts at its first name
	}
	m.focus(0, m.col)
	// Submitting says a refused row's first problem: check it again for
	// all of them.
	var cmds []tea.Cmd
	for _, r := range refused {
		r.checkSeq++
		cmds = append(cmds, m.check(r))
	}
	return tea.Batch(cmds...)
}

// rowError is a refused row's reason, as its row shows it.
func rowError(s *session, r *inviteRow, err error) string {
	if r != nil {
		for c := range numCols {
			if r.errs[c] != "" {
				return s.p.T(strings.ToLower(inviteCols[c])) + " " + r.errs[c]
			}
		}
	}
	return s.explain(err)
}

// widths shares the width between the columns by what they hold: each as
// wide as its head and its longest value, narrowed in proportion to what
// they hold beyond a floor when they do not all fit. What is left over stays
// on the right rather than widening the last column.
// shown reports whether column c is drawn: the branch column once the
// account has branches, so that an account without any keeps its 80
// columns for the others.
func (m *invite) shown(c int) bool { return c != cBranch || len(m.branches) > 0 }

// skip is 1 when column c is not shown and is passed over.
func (m *invite) skip(c int) int {
	if m.shown(c) {
		return 0
	}
	return 1
}

func (m *invite) widths() [numCols]int {
	floor := [numCols]int{6, 6, 10, 6, 0, 5, 5, 6, 6, 0}
	var want [numCols]int
	wantSum, floorSum, cols := 0, 0, 0
	for c := range numCols {
		if !m.shown(c) {
			floor[c] = 0
			continue
		}
		cols++
		want[c] = ansi.StringWidth(m.s.p.T(inviteHeads[c]))
		editing := m.active && c == m.col
		if ch := inviteChoices[c]; ch != nil {
			for _, v := range ch {
				want[c] = max(want[c], ansi.StringWidth(m.s.p.T(v)))
			}
			if editing {
				want[c] += 2 // ‹member›
			}
			floor[c] = want[c]
		} else {
			for i, r := range m.rows {
				w := ansi.StringWidth(clean(r.cells[c].Value()))
				if editing && i == m.row { // the cursor after the text, or the placeholder
					w = max(w+1, ansi.StringWidth(r.cells[c].Placeholder))
				}
				want[c] = max(want[c], w)
			}
			floor[c] = min(floor[c], want[c])
		}
		wantSum, floorSum = wantSum+want[c], floorSum+floor[c]
	}
	avail := m.width - 4 - cols // the row's mark, a space after each column
	if wantSum <= avail {
		return want
	}
	w := floor
	if extra := avail - floorSum; extra > 0 {
		for c := range numCols {
			w[c] += (want[c] - floor[c]) * extra / (wantSum - floorSum)
		}
	}
	return w
}

// fillWords breaks s into lines of at most width columns between words,
// never inside one (ansi's wrappers break a date at its hyphens).
func fillWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Split(s, " ") { // not at no-break spaces (14,31 €)
		if line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(w) > width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// cost says what the rows filled in will cost if all are accepted today,
// on a paid plan, in admin's words as roster invite says it: each seat is
// charged prorated to the end of the cycle (a seat paid and free costs
// nothing), then the full price each period, the next plan's from a change
// planned.
func (m *invite) cost() string {
	if m.seat == nil || m.addressed() == 0 {
		return ""
	}
	return m.seat.For(m.addressed()).Text(m.s.p)
}

func (m *invite) View() string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	title := p.T("Invite people")
	var flags []string
	if m.staged {
		flags = append(flags, p.T("staged: no mail until sent"))
	}
	if m.roleAddr {
		flags = append(flags, p.T("role mailboxes allowed"))
	}
	b.WriteString(st.Title.Render(title))
	if len(flags) > 0 {
		b.WriteString(st.Warn.Render("  " + strings.Join(flags, " · ")))
	}
	b.WriteString("\n")
	w := m.widths()
	head := "    "
	for c := range numCols {
		if m.shown(c) {
			head += fit(p.T(inviteHeads[c]), w[c]) + " "
		}
	}
	b.WriteString(st.ColHead.Render(head))
	b.WriteString("\n")
	// The rows shown are those around the cursor's that fit above what
	// follows them: at 80x24 the twentieth row, and the status under it,
	// were drawn below the screen's foot.
	blocks := make([]string, len(m.rows))
	for i, r := range m.rows {
		blocks[i] = m.rowView(i, r, w)
	}
	tail := m.tail(len(m.results))
	room := m.height - 2 - strings.Count(tail, "\n")
	if m.row < len(blocks) {
		// The outcomes give way to the cursor's row (and a line above and
		// below it saying more are hidden).
		if short := strings.Count(blocks[m.row], "\n") + 2 - room; short > 0 && len(m.results) > 0 {
			tail = m.tail(max(1, len(m.results)-short-1))
			room = m.height - 2 - strings.Count(tail, "\n")
		}
	}
	from, to := window(blocks, m.row, room)
	if from > 0 {
		b.WriteString(st.Faint.Render("    " + p.T("↑ %s more", p.Num(from))))
		b.WriteString("\n")
	}
	for _, block := range blocks[from:to] {
		b.WriteString(block)
	}
	if to < len(blocks) {
		b.WriteString(st.Faint.Render("    " + p.T("↓ %s more", p.Num(len(blocks)-to))))
		b.WriteString("\n")
	}
	b.WriteString(tail)
	return b.String()
}

// window is the rows blocks[from:to] around cur whose lines fit in room,
// less a line for each "more" said above or below them; cur's block at
// least.
func window(blocks []string, cur, room int) (from, to int) {
	if cur >= len(blocks) {
		return 0, len(blocks)
	}
	lines := func(i int) int { return strings.Count(blocks[i], "\n") }
	from, to = cur, cur+1
	used := lines(cur)
	more := func() int { // the lines that say rows are hidden
		n := 0
		if from > 0 {
			n++
		}
		if to < len(blocks) {
			n++
		}
		return n
	}
	for grown := true; grown; {
		grown = false
		if to < len(blocks) && used+lines(to)+more() <= room {
			used += lines(to)
			to++
			grown = true
		}
		if from > 0 && used+lines(from-1)+more() <= room {
			from--
			used += lines(from)
			grown = true
		}
	}
	return from, to
}

// rowView draws row i, and a line for each of its problems, so that none
// is cut off.
func (m *invite) rowView(i int, r *inviteRow, w [numCols]int) string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	mark := fmt.Sprintf("%2d  ", i+1)
	if i == m.row {
		mark = fmt.Sprintf("%2d▸ ", i+1)
	}
	b.WriteString(mark)
	for c := range numCols {
		if !m.shown(c) {
			continue
		}
		focused := m.active && i == m.row && c == m.col
		var cell string
		switch {
		case inviteChoices[c] != nil:
			v := p.T(r.value(c))
			cell = fit(v, w[c])
			if focused {
				cell = st.Cursor.Render(fit("‹"+v+"›", w[c]))
			}
		case focused:
			// The column may have widened since the text scrolled in a
			// narrower one: show as much of it as now fits.
			r.cells[c].SetWidth(w[c] - 1)
			r.cells[c].SetCursor(r.cells[c].Position())
			cell = fit(st.input(r.cells[c]), w[c])
		default:
			v := clean(r.cells[c].Value())
			if v == "" {
				cell = st.Faint.Render(fit("·", w[c]))
			} else {
				cell = fit(v, w[c])
			}
		}
		if r.errs[c] != "" && !focused {
			cell = st.FieldErr.Render(ansi.Strip(cell))
		}
		b.WriteString(cell + " ")
	}
	b.WriteString("\n")
	for c := range numCols {
		if r.errs[c] != "" {
			b.WriteString(st.FieldErr.Render(cut("    ✗ "+p.T(strings.ToLower(inviteCols[c]))+" "+clean(r.errs[c]), m.width)))
			b.WriteString("\n")
		}
	}
	if r.rowErr != "" {
		b.WriteString(st.FieldErr.Render(cut("    ✗ "+clean(r.rowErr), m.width)))
		b.WriteString("\n")
	}
	return b.String()
}

// tail is what follows the rows: how to add one, the cost, the teams and
// branches, the status and the last batch's outcomes, the first results of
// them (refusals come first) and a line that counts the others.
func (m *invite) tail(results int) string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	b.WriteString(st.Faint.Render("    " + p.T("+ ctrl+n adds another person")))
	b.WriteString("\n")
	if cost := m.cost(); cost != "" {
		// Wrapped, not cut: with a change planned it passes 80 columns.
		for _, l := range fillWords(cost, max(10, m.width-4)) {
			b.WriteString(st.Subtle.Render("    " + l))
			b.WriteString("\n")
		}
	}
	if len(m.teams) > 0 {
		b.WriteString(st.Faint.Render(cut("    "+p.T("teams: %s", clean(strings.Join(m.teams, ", "))), m.width)))
		b.WriteString("\n")
	}
	if len(m.branches) > 0 {
		b.WriteString(st.Faint.Render(cut("    "+p.T("branches: %s", clean(strings.Join(m.branches, ", "))), m.width)))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	switch {
	case m.busy:
		b.WriteString(st.Subtle.Render(p.T("Sending…")))
		b.WriteString("\n")
	case m.err != "":
		b.WriteString(st.Error.Render(cut(m.err, m.width)))
		b.WriteString("\n")
	}
	for _, res := range m.results[:min(results, len(m.results))] {
		style := st.OK
		if strings.HasPrefix(res, "✗") {
			style = st.FieldErr
		}
		b.WriteString(style.Render(cut(res, m.width)))
		b.WriteString("\n")
	}
	if hidden := len(m.results) - results; hidden > 0 {
		b.WriteString(st.Faint.Render(p.T("… and %s more", p.Num(hidden))))
		b.WriteString("\n")
	}
	if len(m.results) > 0 && !m.active {
		b.WriteString(st.Faint.Render(p.T("enter or i edits the rows again")))
		b.WriteString("\n")
	}
	return b.String()
}
