package tui

import (
	"cmp"
	"context"
	"math"
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

// The Users screen reads the users a page at a time by key and keeps a
// window of at most maxWindow rows around the cursor: it never loads
// everyone, so it stays instant on a million users.
const (
	pageSize  = 100
	maxWindow = 5 * pageSize
	// margin is how close to the window's edge the cursor gets before the
	// next page is read.
	margin   = 60
	debounce = 100 * time.Millisecond
	// summaryEvery limits how often the counts are read again when the
	// database changes: on a million users they scan the table (0.6 s).
	summaryEvery = 15 * time.Second
)

type usersKeys struct {
	nav navKeys
	userActKeys
	Open, Edit, Invite, Deactivate, SendStaged key.Binding
	Search, Status, Team, Sort, Clear          key.Binding
	Reload                                     key.Binding
	Accept, Teams, Branches                    key.Binding
	Select, SelectAll, Acts                    key.Binding
}

func newUsersKeys(p *i18n.Printer) usersKeys {
	return usersKeys{
		nav:         navKeysIn(p),
		userActKeys: userActKeysIn(p),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("open"))),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", p.T("edit"))),
		Invite:      key.NewBinding(key.WithKeys("i"), key.WithHelp("i", p.T("invite"))),
		Deactivate:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", p.T("deactivate/reactivate"))),
		SendStaged:  key.NewBinding(key.WithKeys("S"), key.WithHelp("S", p.T("send staged invitation"))),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", p.T("search"))),
		Status:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", p.T("status filter"))),
		Team:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", p.T("team or branch filter"))),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", p.T("sort"))),
		Clear:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("clear search, then selection"))),
		Reload:      reloadKey(p),
		Accept:      key.NewBinding(key.WithKeys("enter", "down"), key.WithHelp("enter", p.T("go to results"))),
		Teams:       key.NewBinding(key.WithKeys("T"), key.WithHelp("T", p.T("teams"))),
		Select:      key.NewBinding(key.WithKeys("space"), key.WithHelp("space", p.T("select"))),
		SelectAll:   key.NewBinding(key.WithKeys("A"), key.WithHelp("A", p.T("select all matching"))),
		Acts:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", p.T("act on the selection"))),
		Branches:    key.NewBinding(key.WithKeys("B"), key.WithHelp("B", p.T("branches"))),
	}
}

type users struct {
	s      *session
	keys   usersKeys
	width  int
	height int
	// roleW and statusW are the natural widths of those columns.
	roleW, statusW int

	search    textinput.Model
	searching bool          // the search field has the keyboard
	statusIdx int           // index in statuses
	sortIdx   int           // index in store.Sorts()
	group     groupFilter   // only this team's or branch's people; the zero value for all
	groups    []groupFilter // the account's teams, then its branches, for t to cycle through
	teamsRead bool          // t waits for them

	// The window: rows read from the store, their cursors, and their lines
	// drawn for the current width.
	rows       []*store.User
	cursors    []store.Cursor
	lines      []string
	ids        map[int64]bool
	moreBefore bool
	moreAfter  bool
	nav        nav // the cursor and the rows shown, over the window

	seq       int // of the query the window shows; older pages are dropped
	filterSeq int // of the last keystroke in the search field
	filtered  int // the filterSeq whose search the rows were asked for
	loading   bool
	fetching  bool // a page at an edge of the window is being read

	summary    *store.Summary
	sumSeq     int
	sumBusy    bool
	sumAt      time.Time
	sumPending bool

	countsLater bool // the counts and the teams wait for the first page

	perms       map[string]bool
	confirm     *confirmation
	note        string // what the last action did
	loadErr     string // why the rows could not be read
	pendingNote string // shown once the rows after the action are read
	err         string
	detail      *userDetail
	teams       *teamsView // the teams, open over the list

	sel       selection
	menu      *choice           // the acts on the selection, or a role or team for one
	ask       *usersSelectedMsg // the act y runs; nil while the question is whether to cancel the job
	resolving bool              // the users an act works on are being read
	jobs      jobs

	head struct {
		of    usersHead
		lines string
	}
}

// usersHead is what the lines above the rows are drawn from, but the
// styles: a new background or colour profile comes with a refreshMsg, which
// draws them again.
type usersHead struct {
	width, status, sort int
	summary             *store.Summary
	group               groupFilter
	search              string
	loading             bool
}

type (
	usersPageMsg struct {
		seq  int
		dir  int // 0: replaces the window; 1: after it; -1: before it
		page *store.Page
		keep int64 // the user to keep the cursor on after a refresh
		err  error
	}
	usersFilterMsg struct{ seq int }
	usersTeamsMsg  struct {
		teams    []store.Team
		branches []store.Branch
		err      error
	}
	usersSummaryMsg struct {
		seq int
		sum store.Summary
		err error
	}
	usersActionMsg struct {
		note string
		err  error
	}
)

var statuses = append([]string{""}, store.StatusFilters()...)

func newUsers(s *session) *users {
	m := &users{s: s, ids: map[int64]bool{}, jobs: newJobs(s)}
	m.search = s.newInput("", 100)
	m.search.Prompt = "/"
	m.words()
	return m
}

// words makes what the screen keeps in the session's language: its keys,
// the search's placeholder, and the widths of the columns of words.
func (m *users) words() {
	p := m.s.p
	m.keys = newUsersKeys(p)
	m.search.Placeholder = p.T("name, email, position, reference ID or tag")
	// The role and status columns are as wide as their longest words, when
	// there is room: "gestionnaire" is longer than "manager", "Absent
	// jusqu'au 30 sept. 2026" than "Away until 30 Sep 2026".
	m.roleW = 0
	for _, r := range admin.Roles {
		m.roleW = max(m.roleW, cells(p.T(r)))
	}
	longest := time.Date(2026, time.September, 30, 0, 0, 0, 0, time.UTC)
	m.statusW = max(cells(p.T("Invitation expired")), cells(p.T("Away until %s", p.Date(longest))))
}

// relang puts the list in the session's new language, keeping its rows,
// cursor, filters and selection: the rows are drawn again. A user's page or
// the teams open over it are opened again in it, and read again.
func (m *users) relang() tea.Cmd {
	m.words()
	m.head.lines = ""
	m.menu = nil // its words are the old language's: m opens it again
	m.rebuild()
	switch {
	case m.detail != nil:
		m.detail = newUserDetail(m.s, m.detail.email, false, m.perms)
		m.detail.SetSize(m.width, m.nav.height+4)
		return m.detail.Init()
	case m.teams != nil:
		m.teams = newTeamsView(m.s, m.perms, m.teams.branches)
		m.teams.SetSize(m.width, m.nav.height+4)
		return m.teams.Init()
	}
	return nil
}

// Init reads the first page; the counts and the teams are read once it is
// drawn: at a million users the counts take longer than the page, which
// waited behind them.
func (m *users) Init() tea.Cmd {
	m.countsLater = true
	return m.reload()
}

// groupFilter is the Users list's team or branch filter.
type groupFilter struct {
	branch bool // a branch, else a team
	name   string
}

// kind is the filter's word in p's language: branch or team.
func (g groupFilter) kind(p *i18n.Printer) string {
	if g.branch {
		return p.T("branch")
	}
	return p.T("team")
}

// loadTeams reads the teams and branches t cycles through.
func (m *users) loadTeams() tea.Cmd {
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		t, err := svc.Teams(ctx, a)
		if err != nil {
			return usersTeamsMsg{err: err}
		}
		b, err := svc.Branches(ctx, a)
		return usersTeamsMsg{t, b, err}
	})
}

// nextGroup is the team or branch filter after the current one: all, then
// each team in turn, then each branch. One gone since is followed by all.
func (m *users) nextGroup() groupFilter {
	for i, g := range m.groups {
		if g == m.group && i+1 < len(m.groups) {
			return m.groups[i+1]
		}
	}
	if m.group == (groupFilter{}) && len(m.groups) > 0 {
		return m.groups[0]
	}
	return groupFilter{}
}

func (m *users) SetSize(w, h int) {
	m.width, m.height = w, h
	m.resize()
	m.search.SetWidth(max(10, w/3))
	m.rebuild()
	if m.detail != nil {
		m.detail.SetSize(w, h)
	}
	if m.teams != nil {
		m.teams.SetSize(w, h)
	}
}

// resize shares the height between the rows and the last act's failures.
func (m *users) resize() {
	m.nav.resize(max(1, m.height-4-m.jobs.lastLines(m.height)))
}

// Running reports an act at work: ctrl+c asks to cancel it rather than quit.
func (m *users) Running() bool { return m.jobs.job != nil }

func (m *users) Capturing() bool {
	if m.detail != nil {
		return m.detail.Capturing()
	}
	if m.teams != nil {
		return m.teams.Capturing()
	}
	return m.searching || m.confirm != nil || m.menu != nil
}

// closeOver closes the user's page or the teams, back to the rows, read
// again.
func (m *users) closeOver() tea.Cmd {
	m.detail, m.teams = nil, nil
	return m.refresh()
}

// Reading reports that the rows are about to change under the keys: a
// search typed is not read yet, the list is read from the top, or the
// cursor waits on the window's edge for the next page; with a user's page
// or the teams open over the list, that they are being read.
// Saving reports that the user's page or the teams view saves a change.
func (m *users) Saving() bool {
	return m.detail != nil && m.detail.Saving() || m.teams != nil && m.teams.busy || m.jobs.saving()
}

func (m *users) Reading() bool {
	switch {
	case m.detail != nil:
		return m.detail.reading()
	case m.teams != nil:
		return m.teams.reading()
	}
	edge := m.moreAfter && m.nav.cur >= len(m.rows)-1 || m.moreBefore && m.nav.cur == 0
	return m.loading || m.filtered != m.filterSeq || m.fetching && edge || !m.teamsRead || m.resolving || m.sel.size() < 0
}

func (m *users) Dirty() bool { return m.detail != nil && m.detail.Dirty() }

func (m *users) ShortHelp() []key.Binding {
	if m.detail != nil {
		return m.detail.ShortHelp()
	}
	if m.teams != nil {
		return m.teams.ShortHelp()
	}
	if m.searching {
		return []key.Binding{m.keys.Accept, m.keys.Clear}
	}
	return []key.Binding{m.keys.Open, m.keys.Search, m.keys.Status, m.keys.Sort, m.keys.Select, m.keys.SelectAll, m.keys.Acts,
		m.keys.Invite, m.keys.Edit, m.keys.Perms, m.keys.Away, m.keys.Delete}
}

func (m *users) FullHelp() [][]key.Binding {
	if m.detail != nil {
		return m.detail.FullHelp()
	}
	if m.teams != nil {
		return m.teams.FullHelp()
	}
	return [][]key.Binding{
		m.keys.nav.list(),
		{m.keys.Search, m.keys.Clear, m.keys.Status, m.keys.Team, m.keys.Sort, m.keys.Reload, m.keys.Teams, m.keys.Branches},
		{m.keys.Open, m.keys.Edit, m.keys.Invite, m.keys.Perms, m.keys.Away},
		{m.keys.Reset, m.keys.Deactivate, m.keys.Delete, m.keys.SendStaged},
		{m.keys.Select, m.keys.SelectAll, m.keys.Acts},
	}
}

// query is what the window shows, without its position.
func (m *users) query() store.ListQuery {
	q := store.ListQuery{Status: statuses[m.statusIdx], Search: m.search.Value(), Sort: store.Sorts()[m.sortIdx], Limit: pageSize}
	if m.group.branch {
		q.Branch = m.group.name
	} else {
		q.Team = m.group.name
	}
	return q
}

// fetch reads one page for the window's current query.
func (m *users) fetch(q store.ListQuery, dir int, keep int64) tea.Cmd {
	seq := m.seq
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		p, err := svc.ListUsers(ctx, a, q)
		return usersPageMsg{seq: seq, dir: dir, page: p, keep: keep, err: err}
	})
}

// reload reads the first page of a new query; pages of the older query that
// are still on their way will be dropped.
func (m *users) reload() tea.Cmd {
	m.seq++
	m.loading, m.fetching = true, false
	m.nav.cur, m.nav.top = 0, 0
	return m.fetch(m.query(), 0, 0)
}

// refresh reads the window again from its first row, keeping the cursor on
// the same user: the database changed.
func (m *users) refresh() tea.Cmd {
	if len(m.rows) == 0 {
		return m.reload()
	}
	if !m.moreBefore {
		// The window starts at the top: read from there, rows added before
		// the first one included.
		m.seq++
		m.fetching = false
		q := m.query()
		q.Limit = max(len(m.rows), pageSize)
		return m.fetch(q, 0, m.rows[m.nav.cur].ID)
	}
	m.seq++
	m.fetching = false
	q := m.query()
	c := m.cursors[0]
	if q.Search == "" && q.Sort == "last-login" {
		c.ID++ // descending: just before the first row
	} else {
		c.ID--
	}
	q.After = &c
	q.Limit = max(len(m.rows), pageSize)
	return m.fetch(q, 0, m.rows[m.nav.cur].ID)
}

// end reads the last page of the query.
func (m *users) end() tea.Cmd {
	m.seq++
	m.loading, m.fetching = true, false
	q := m.query()
	c := store.Cursor{Text: "\U0010FFFF\U0010FFFF", ID: math.MaxInt64}
	if q.Search == "" && q.Sort == "last-login" {
		c = store.Cursor{Num: math.MinInt64, ID: math.MinInt64}
	}
	q.Before = &c
	return m.fetch(q, 0, -1)
}

// ensure reads the next page when the cursor nears an edge of the window.
func (m *users) ensure() tea.Cmd {
	if m.fetching || m.loading || len(m.rows) == 0 {
		return nil
	}
	q := m.query()
	switch {
	case m.moreAfter && m.nav.cur >= len(m.rows)-margin:
		c := m.cursors[len(m.cursors)-1]
		q.After = &c
		m.fetching = true
		return m.fetch(q, 1, 0)
	case m.moreBefore && m.nav.cur < margin:
		c := m.cursors[0]
		q.Before = &c
		m.fetching = true
		return m.fetch(q, -1, 0)
	}
	return nil
}

func (m *users) loadSummary() tea.Cmd {
	if m.sumBusy {
		m.sumPending = true
		return nil
	}
	m.sumSeq++
	m.sumBusy, m.sumPending, m.sumAt = true, false, time.Now()
	seq := m.sumSeq
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		sum, err := svc.Summary(ctx, a)
		return usersSummaryMsg{seq, sum, err}
	})
}

func (m *users) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case usersPageMsg:
		cmd := m.paged(msg)
		if m.countsLater && !m.loading {
			m.countsLater = false
			cmd = tea.Batch(cmd, afterFrame(tea.Batch(m.loadSummary(), m.loadTeams())))
		}
		return m, cmd
	case usersSummaryMsg:
		m.sumBusy = false
		if msg.err == nil {
			m.summary = &msg.sum
		}
		if m.sumPending {
			return m, m.loadSummary()
		}
		return m, nil
	case usersFilterMsg:
		if msg.seq != m.filterSeq || msg.seq == m.filtered {
			return m, nil // a newer keystroke follows, or enter read it already
		}
		m.filtered = msg.seq
		return m, m.reload()
	case usersTeamsMsg:
		m.teamsRead = true
		if msg.err == nil {
			m.groups = m.groups[:0]
			for _, t := range msg.teams {
				m.groups = append(m.groups, groupFilter{name: t.Name})
			}
			for _, b := range msg.branches {
				m.groups = append(m.groups, groupFilter{branch: true, name: b.Name})
			}
		}
		// The Branches column comes or goes with the account's first or last branch.
		m.rebuild()
		m.head.lines = ""
		return m, nil
	case usersCountMsg:
		if msg.seq == m.sel.seq {
			if msg.err != nil {
				m.err = m.s.explain(msg.err)
				m.sel.clear()
			} else {
				m.sel.total = msg.n
			}
		}
		return m, nil
	case usersSelectedMsg:
		m.selectedUsers(msg)
		return m, nil
	case jobProgressMsg:
		return m, m.jobs.progressed(msg)
	case jobDoneMsg:
		return m, m.jobDone(msg)
	case usersActionMsg:
		// The outcome shows with the rows read after it, so that what the
		// screen says and what it lists agree.
		m.err = m.s.explain(msg.err)
		if msg.err == nil {
			m.pendingNote = msg.note
		}
		return m, tea.Batch(m.refresh(), m.loadSummary())
	case operatorMsg:
		m.perms = msg.perms
	case refreshMsg:
		m.head.lines = ""
		cmd := m.loadTeams()
		if time.Since(m.sumAt) > summaryEvery {
			cmd = tea.Batch(cmd, m.loadSummary())
		}
		if m.detail != nil {
			var dcmd tea.Cmd
			m.detail, dcmd = m.detail.Update(msg)
			cmd = tea.Batch(cmd, dcmd)
		}
		if m.teams != nil {
			var tcmd tea.Cmd
			m.teams, tcmd = m.teams.Update(msg)
			cmd = tea.Batch(cmd, tcmd)
		}
		return m, tea.Batch(cmd, m.refresh())
	case tea.KeyPressMsg:
		if m.detail != nil {
			var cmd tea.Cmd
			if m.detail, cmd = m.detail.Update(msg); m.detail.closed {
				cmd = tea.Batch(cmd, m.closeOver())
			}
			return m, cmd
		}
		if m.teams != nil {
			var cmd tea.Cmd
			if m.teams, cmd = m.teams.Update(msg); m.teams.closed {
				if name := m.teams.members; name != "" {
					m.group = groupFilter{branch: m.teams.branches, name: name}
					m.teams = nil
					return m, tea.Batch(cmd, m.reload())
				}
				cmd = tea.Batch(cmd, m.closeOver())
			}
			return m, cmd
		}
		return m, m.key(msg)
	}
	if m.detail != nil {
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	}
	if m.teams != nil {
		var cmd tea.Cmd
		m.teams, cmd = m.teams.Update(msg)
		return m, cmd
	}
	return m, nil
}

// paged puts a page into the window.
func (m *users) paged(msg usersPageMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil // an older query's page
	}
	if msg.dir == 0 {
		m.loading = false
	} else {
		m.fetching = false
	}
	if msg.err != nil {
		m.loadErr = m.s.explain(msg.err)
		return nil
	}
	m.loadErr = ""
	if m.pendingNote != "" {
		m.note, m.pendingNote = m.pendingNote, ""
	}
	p := msg.page
	switch msg.dir {
	case 0:
		keep := msg.keep
		if keep > 0 && m.nav.cur < len(m.rows) {
			// A refresh keeps the row the cursor is on now: keys may have
			// moved it while the rows were read.
			keep = m.rows[m.nav.cur].ID
		}
		m.rows, m.cursors = p.Users, p.Cursors
		m.ids = make(map[int64]bool, len(m.rows))
		for _, u := range m.rows {
			m.ids[u.ID] = true
		}
		switch {
		case keep == -1: // the last page
			m.moreBefore, m.moreAfter = p.More, false
			m.nav.cur = len(m.rows) - 1
		case keep != 0: // a refresh: the window starts where it did
			m.moreAfter = p.More
			for i, u := range m.rows {
				if u.ID == keep {
					m.nav.cur = i
					break
				}
			}
		default:
			m.moreBefore, m.moreAfter = false, p.More
		}
		m.lines = make([]string, len(m.rows))
		for i, u := range m.rows {
			m.lines[i] = m.line(u)
		}
		if c := m.confirm; c != nil && c.about != nil && !m.ids[c.about.ID] {
			// The row the question is about is no longer shown (another
			// operator revoked the invitation, say): y would act on what
			// the operator no longer sees.
			m.confirm = nil
			m.note = m.s.p.T("%s is no longer listed: nothing done.", clean(c.about.Email))
		}
	case 1:
		for i, u := range p.Users {
			if m.ids[u.ID] {
				continue // a search can meet a user again under another key
			}
			m.ids[u.ID] = true
			m.rows = append(m.rows, u)
			m.cursors = append(m.cursors, p.Cursors[i])
			m.lines = append(m.lines, m.line(u))
		}
		m.moreAfter = p.More
		if drop := len(m.rows) - maxWindow; drop > 0 {
			for _, u := range m.rows[:drop] {
				delete(m.ids, u.ID)
			}
			m.rows, m.cursors, m.lines = m.rows[drop:], m.cursors[drop:], m.lines[drop:]
			m.nav.cur, m.nav.top = m.nav.cur-drop, m.nav.top-drop
			m.moreBefore = true
		}
	case -1:
		var rows []*store.User
		var curs []store.Cursor
		var lines []string
		for i, u := range p.Users {
			if m.ids[u.ID] {
				continue
			}
			m.ids[u.ID] = true
			rows, curs, lines = append(rows, u), append(curs, p.Cursors[i]), append(lines, m.line(u))
		}
		n := len(rows)
		m.rows = append(rows, m.rows...)
		m.cursors = append(curs, m.cursors...)
		m.lines = append(lines, m.lines...)
		m.nav.cur, m.nav.top = m.nav.cur+n, m.nav.top+n
		m.moreBefore = p.More
		if drop := len(m.rows) - maxWindow; drop > 0 {
			for _, u := range m.rows[len(m.rows)-drop:] {
				delete(m.ids, u.ID)
			}
			k := len(m.rows) - drop
			m.rows, m.cursors, m.lines = m.rows[:k], m.cursors[:k], m.lines[:k]
			m.moreAfter = true
		}
	}
	m.nav.set(len(m.rows))
	return m.ensure()
}

func (m *users) selected() *store.User {
	if m.nav.cur < 0 || m.nav.cur >= len(m.rows) {
		return nil
	}
	return m.rows[m.nav.cur]
}

func (m *users) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm != nil && m.confirm.yes == nil {
		return m.answer(msg)
	}
	if m.menu != nil {
		menu := m.menu
		m.err = ""
		done, cmd := menu.key(msg)
		if done && m.menu == menu {
			m.menu = nil
		}
		return cmd
	}
	if m.jobs.job != nil && (key.Matches(msg, m.keys.Clear) || msg.String() == "ctrl+c") {
		m.confirm = &confirmation{prompt: m.jobs.askCancel()}
		return nil
	}
	if m.confirm != nil {
		cmd := m.confirm.answer(msg)
		if cmd == nil {
			m.note = m.s.p.T("Cancelled.")
		}
		m.confirm = nil
		return cmd
	}
	if m.searching {
		switch {
		case key.Matches(msg, m.keys.Clear):
			m.searching = false
			m.search.Blur()
			if m.search.Value() != "" {
				m.search.SetValue("")
				return m.reload()
			}
			return nil
		case key.Matches(msg, m.keys.Accept):
			m.searching = false
			m.search.Blur()
			if m.filtered != m.filterSeq {
				// The keys after enter wait for these results: read them now.
				m.filtered = m.filterSeq
				return m.reload()
			}
			return nil
		}
		before := m.search.Value()
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		if m.search.Value() == before {
			return cmd
		}
		// Debounced: the store is asked once typing pauses.
		m.filterSeq++
		seq := m.filterSeq
		return tea.Batch(cmd, tea.Tick(debounce, func(time.Time) tea.Msg { return usersFilterMsg{seq} }))
	}
	m.note, m.err = "", ""
	k := m.keys
	switch {
	case m.moreBefore && key.Matches(msg, k.nav.Home):
		return m.reload() // the first rows are not in the window
	case m.moreAfter && key.Matches(msg, k.nav.End):
		return m.end()
	case k.nav.apply(msg, &m.nav):
		return m.ensure()
	case key.Matches(msg, k.Search):
		m.searching = true
		return m.search.Focus()
	case key.Matches(msg, k.Clear):
		// The search first, then the selection, which it keeps.
		if m.search.Value() != "" {
			m.search.SetValue("")
			return m.reload()
		}
		m.sel.clear()
		return nil
	case key.Matches(msg, k.Select):
		return m.toggle()
	case key.Matches(msg, k.SelectAll):
		return m.selectAll()
	case key.Matches(msg, k.Acts):
		return m.acts()
	case key.Matches(msg, k.Status):
		m.statusIdx = (m.statusIdx + 1) % len(statuses)
		return m.reload()
	case key.Matches(msg, k.Team):
		if len(m.groups) == 0 && m.group == (groupFilter{}) {
			m.err = m.s.p.T("There are no teams or branches to filter by.")
			return nil
		}
		m.group = m.nextGroup()
		return m.reload()
	case key.Matches(msg, k.Sort):
		m.sortIdx = (m.sortIdx + 1) % len(store.Sorts())
		return m.reload()
	case key.Matches(msg, k.Reload):
		return tea.Batch(m.refresh(), m.loadSummary())
	case key.Matches(msg, k.Invite):
		return m.s.open(inviteScreen, "")
	case key.Matches(msg, k.Teams, k.Branches):
		m.teams = newTeamsView(m.s, m.perms, key.Matches(msg, k.Branches))
		m.teams.SetSize(m.width, m.nav.height+4)
		return m.teams.Init()
	}
	u := m.selected()
	if u == nil {
		return nil
	}
	email, p := u.Email, m.s.p
	switch {
	case key.Matches(msg, k.Open):
		m.detail = newUserDetail(m.s, email, false, m.perms)
		m.detail.SetSize(m.width, m.nav.height+4)
		return m.detail.Init()
	case key.Matches(msg, k.Edit):
		if why := mayIn(m.s.p, m.perms, "users.edit", m.s.p.T("edit profiles")); why != "" && email != m.s.actor.Email {
			m.err = why
			return nil
		}
		m.detail = newUserDetail(m.s, email, true, m.perms)
		m.detail.SetSize(m.width, m.nav.height+4)
		return m.detail.Init()
	case key.Matches(msg, k.Perms):
		return m.s.open(permsScreen, email)
	case key.Matches(msg, k.Away):
		return m.s.open(awayScreen, email)
	case key.Matches(msg, k.Delete):
		return m.s.open(deleteScreen, email)
	case key.Matches(msg, k.Reset):
		if why := mayIn(m.s.p, m.perms, "users.edit", m.s.p.T("send password resets")); why != "" && email != m.s.actor.Email {
			m.err = why
			return nil
		}
		m.confirm = &confirmation{prompt: p.T("Send a password reset link to %s? y/n", clean(email)), yes: m.reset(email), about: u}
	case key.Matches(msg, k.Deactivate):
		if why := mayIn(p, m.perms, "users.delete", p.T("deactivate or reactivate users")); why != "" {
			m.err = why
			return nil
		}
		if u.Status == store.Deactivated {
			m.confirm = &confirmation{prompt: p.T("Reactivate %s? y/n", clean(email)), yes: m.reactivate(email), about: u}
		} else {
			m.confirm = &confirmation{prompt: p.T("Deactivate %s? They will not be able to log in. y/n", clean(email)),
				yes: m.deactivate(email), about: u}
		}
	case key.Matches(msg, k.SendStaged):
		if u.Status != store.Staged {
			m.err = p.T("%s is %s: only a staged user's invitation waits to be sent.", clean(email), strings.ToLower(m.s.status(u)))
			return nil
		}
		if why := mayIn(p, m.perms, "users.invite", p.T("send invitations")); why != "" {
			m.err = why
			return nil
		}
		m.confirm = &confirmation{prompt: p.T("Send the invitation to %s now? y/n", clean(email)), yes: m.sendStaged(email), about: u}
	}
	return nil
}

func (m *users) reset(email string) tea.Cmd {
	svc, a, p := m.s.svc, m.s.actor, m.s.p
	return m.s.do(func(ctx context.Context) tea.Msg {
		err := svc.SendReset(ctx, a, email)
		return usersActionMsg{note: p.T("A password reset link is on its way to %s.", email), err: err}
	})
}

func (m *users) deactivate(email string) tea.Cmd {
	svc, a, p := m.s.svc, m.s.actor, m.s.p
	return m.s.do(func(ctx context.Context) tea.Msg {
		if err := svc.Deactivate(ctx, a, email); err != nil {
			return usersActionMsg{err: err}
		}
		note := p.T("%s is deactivated: x again reactivates them.", email)
		// Said after the act, which is done: a failure to read it says nothing.
		if until, _ := svc.SeatPaidUntil(ctx, a, email); !until.IsZero() {
			note = p.T("%s is deactivated; seat paid until %s (no credit)", email, p.Date(until))
		}
		return usersActionMsg{note: note}
	})
}

func (m *users) reactivate(email string) tea.Cmd {
	svc, a, p := m.s.svc, m.s.actor, m.s.p
	return m.s.do(func(ctx context.Context) tea.Msg {
		err := svc.Reactivate(ctx, a, email)
		return usersActionMsg{note: p.T("%s is reactivated.", email), err: err}
	})
}

func (m *users) sendStaged(email string) tea.Cmd {
	svc, a, p := m.s.svc, m.s.actor, m.s.p
	return m.s.do(func(ctx context.Context) tea.Msg {
		out := svc.SendStaged(ctx, a, []string{email})
		return usersActionMsg{note: p.T("The invitation to %s is on its way.", email), err: out[0].Err}
	})
}

// Column widths for the current width.
// The Branches column is drawn once the account has branches and the
// terminal is at least this wide: at 80 columns the addresses come first.
const branchesFrom = 100

func (m *users) columns() (name, email, role, status, teams, branches, login int) {
	cols := []column{{min: 10, natural: 24}, {min: 20, natural: 44}, {min: 6, natural: m.roleW},
		{min: 7, natural: m.statusW}, {min: 5, natural: 24}, {min: 16, natural: 16}}
	if !m.showBranches() {
		w := columnWidths(m.width-2, cols)
		return w[0], w[1], w[2], w[3], w[4], 0, w[5]
	}
	w := columnWidths(m.width-2, slices.Insert(cols, 5, column{min: 5, natural: 16}))
	return w[0], w[1], w[2], w[3], w[4], w[5], w[6]
}

// showBranches reports whether the rows show the Branches column.
func (m *users) showBranches() bool {
	return m.width >= branchesFrom && slices.ContainsFunc(m.groups, func(g groupFilter) bool { return g.branch })
}

// cell is a column's text and the space after it; nothing for a column not
// drawn (width 0).
func cell(text string, width int) string {
	if width == 0 {
		return ""
	}
	return fit(text, width) + " "
}

// line draws one user's row; built when the row arrives, not in View.
func (m *users) line(u *store.User) string {
	nw, ew, rw, sw, tw, bw, lw := m.columns()
	var name string
	if n := clean(strings.TrimSpace(u.FirstName + " " + u.LastName)); n != "" {
		name = fit(n, nw)
	} else {
		// No name given: the address's own part stands in, dimmed.
		local, _, _ := strings.Cut(u.Email, "@")
		name = m.s.styles.Faint.Render(fit(clean(local), nw))
	}
	return name + " " + fit(clean(u.Email), ew) + " " + fit(m.s.p.T(u.Role), rw) + " " +
		fit(m.s.status(u), sw) + " " + fit(clean(strings.Join(u.Teams, ", ")), tw) + " " +
		cell(clean(strings.Join(u.Branches, ", ")), bw) + fit(m.s.when(u.LastLoginAt), lw)
}

func (m *users) rebuild() {
	for i, u := range m.rows {
		m.lines[i] = m.line(u)
	}
}

func (m *users) summaryLine() string {
	p := m.s.p
	if m.summary == nil {
		return p.T("counting…")
	}
	s := m.summary
	return p.T("%s · %s active · %s invited (%s expired) · %s away · %s never logged in · %s deactivated · %s staged",
		p.N(s.Total, "%s user", "%s users"), m.s.count(s.Active), m.s.count(s.Invited), m.s.count(s.Expired), m.s.count(s.Away), m.s.count(s.NeverLoggedIn),
		m.s.count(s.Deactivated), m.s.count(s.Staged))
}

// heading draws the summary, the filter line and the column heads.
func (m *users) heading() string {
	st := m.s.styles
	var b strings.Builder
	b.WriteString(paint(st.Subtle, cut(m.summaryLine(), m.width)))
	b.WriteString("\n")
	p := m.s.p
	status := p.T(cmp.Or(statuses[m.statusIdx], "all"))
	filter := paint(st.Label, p.T("status")+" ") + paint(st.Bold, status) + paint(st.Label, "  "+p.T("sort")+" ") +
		paint(st.Bold, p.T(store.Sorts()[m.sortIdx])) + "  "
	if m.group.name != "" {
		filter += paint(st.Label, m.group.kind(p)+" ") + paint(st.Bold, clean(m.group.name)) + "  "
	}
	if m.searching || m.search.Value() != "" {
		filter += st.input(m.search)
	} else {
		filter += paint(st.Faint, p.T("/ to search"))
	}
	if m.loading {
		filter += paint(st.Faint, "  "+p.T("reading…"))
	}
	b.WriteString(cut(filter, m.width))
	b.WriteString("\n")
	nw, ew, rw, sw, tw, bw, lw := m.columns()
	b.WriteString(paint(st.ColHead, "  "+fit(p.T("Name"), nw)+" "+fit(p.T("Email"), ew)+" "+fit(p.T("Role"), rw)+" "+
		fit(p.T("Status"), sw)+" "+fit(p.T("Teams"), tw)+" "+cell(p.T("Branches"), bw)+fit(p.T("Last login"), lw)))
	b.WriteString("\n")
	return b.String()
}

// count writes n with thousands separators.
func (s *session) count(n int) string { return s.p.Num(n) }

func (m *users) View() string {
	if m.detail != nil {
		return m.detail.View()
	}
	if m.teams != nil {
		return m.teams.View()
	}
	st := m.s.styles
	var b strings.Builder
	b.Grow(m.width * (m.nav.height + 5))
	// The lines above the rows change with the counts, a filter or the
	// width, not with the cursor: drawn again only then (and as the search
	// is typed, its cursor included).
	k := usersHead{width: m.width, summary: m.summary, status: m.statusIdx, sort: m.sortIdx, group: m.group,
		search: m.search.Value(), loading: m.loading}
	if m.head.lines == "" || m.head.of != k || m.searching {
		m.head.of, m.head.lines = k, m.heading()
	}
	b.WriteString(m.head.lines)
	if len(m.rows) == 0 && !m.loading {
		b.WriteString(paint(st.Subtle, "  "+m.s.p.T("No user matches.")))
		b.WriteString("\n")
	}
	from, to := m.nav.visible()
	q := m.query()
	for i := from; i < to; i++ {
		mark := " "
		if !m.sel.empty() && m.sel.has(m.rows[i].ID, q) {
			mark = "✓"
		}
		if i == m.nav.cur {
			// The cursor's colours run the whole row: without the dimmed
			// parts' own, which would end them.
			b.WriteString(paint(st.Selected, "▸"+mark+ansi.Strip(m.lines[i])))
		} else {
			b.WriteString(" " + mark)
			b.WriteString(m.lines[i])
		}
		b.WriteString("\n")
	}
	for i := to - from; i < m.nav.height; i++ {
		b.WriteString("\n")
	}
	status := m.jobs.status(st, m.width, m.confirm, cmp.Or(m.err, m.loadErr), m.note)
	switch {
	case m.menu != nil && m.confirm == nil:
		status = paint(st.Warn, m.menu.line(m.width))
	case status == "" && !m.sel.empty():
		status = paint(st.Subtle, cut(m.selectionLine(), m.width))
	}
	b.WriteString(status)
	b.WriteString(m.jobs.failures(m.jobs.lastLines(m.height), m.width))
	return b.String()
}
