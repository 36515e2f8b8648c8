package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// pending is the on-call screen: pending invitations, what needs attention
// first (admin orders them), read a page at a time as the cursor goes down,
// with resend and revoke over a selection.
type pending struct {
	s      *session
	keys   pendingKeys
	width  int
	height int

	stuck    bool // only the stuck ones are asked for
	rowsOf   bool // the value of stuck the rows shown were read for
	rows     []store.Invitation
	next     *store.PendingCursor // where the next page starts; nil once every one is read
	nav      nav
	selected map[string]bool   // by email, never by position
	outcomes map[string]effect // by email: what the last action did
	seq      int
	loading  bool // a page is being read
	counting bool // the stuck invitations are being counted, for a question
	loadedAt time.Time
	took     time.Duration // how long the last reading took
	again    bool          // the database changed while reading: read again
	perms    map[string]bool
	confirm  *confirmation
	ask      *pendingBatch // what y runs; nil while the question is whether to cancel the job
	jobs     jobs
	note     string
	err      string
	// lost is the invitation the cursor was on when the list was read
	// again, which it no longer lists (accepted, revoked by someone else),
	// until the next key or reading: the keys typed while it was read
	// were meant for it (gone). mine: the reading under way follows this
	// screen's own act, whose rows leave the list as meant.
	lost string
	mine bool
}

type pendingKeys struct {
	nav                                      navKeys
	Select, SelectAll, Resend, Revoke, Stuck key.Binding
	Reload, Clear                            key.Binding
}

// pendingBatch is a resend or a revoke the operator asked for.
type pendingBatch struct {
	act    admin.UserAct
	emails []string
	// stuck: every stuck invitation, not only those the screen has read;
	// ids are their users, as counted for the question, which the act
	// works on (admin's Stuck would read them again as it starts, and take
	// in one that became stuck while the operator read the question).
	stuck bool
	ids   []int64
}

// words name the act in p's language: what it is, while at work, and each
// row it did.
func (b pendingBatch) words(p *i18n.Printer) jobWords {
	if b.act == admin.RevokeInvitations {
		return jobWords{p.T("revoke"), p.T("Revoking"), func(n int) string { return p.Agree(n, "revoked") }}
	}
	return jobWords{p.T("resend"), p.T("Resending"), func(n int) string { return p.Agree(n, "resent") }}
}

// question asks before acting on n invitations; more says the screen has
// not read every one.
func (b pendingBatch) question(p *i18n.Printer, n int, more bool) string {
	revoke := b.act == admin.RevokeInvitations
	var q string
	switch {
	case b.stuck && revoke:
		q = p.N(n, "Revoke all %s stuck invitation", "Revoke all %s stuck invitations")
	case b.stuck:
		q = p.N(n, "Resend all %s stuck invitation", "Resend all %s stuck invitations")
	case n == 1 && revoke:
		q = p.T("Revoke %s", clean(b.emails[0]))
	case n == 1:
		q = p.T("Resend %s", clean(b.emails[0]))
	case revoke:
		q = p.N(n, "Revoke %s invitation", "Revoke %s invitations")
	default:
		q = p.N(n, "Resend %s invitation", "Resend %s invitations")
	}
	if more {
		q += p.T(" (those read so far; more are pending)")
	}
	q = p.T("%s?", q)
	if revoke {
		q += p.T(" The invited accounts are deleted.")
	}
	return q + " y/n"
}

type (
	pendingMsg struct {
		seq   int
		stuck bool
		more  bool // the page after the rows shown, not the first
		page  *store.PendingPage
		err   error
	}
	pendingCountMsg struct {
		batch pendingBatch
		n     int
		err   error
	}
	pendingAgainMsg struct{}
)

// pendingPageRows is how many invitations the screen reads at a time.
const pendingPageRows = 500

func newPending(s *session) *pending {
	return &pending{s: s, selected: map[string]bool{}, outcomes: map[string]effect{},
		jobs: newJobs(s), keys: newPendingKeys(s.p)}
}

func newPendingKeys(p *i18n.Printer) pendingKeys {
	return pendingKeys{
		nav:       navKeysIn(p),
		Select:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", p.T("select"))),
		SelectAll: key.NewBinding(key.WithKeys("A", "ctrl+a"), key.WithHelp("A", p.T("select all shown"))),
		Resend:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", p.T("resend"))),
		Revoke:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", p.T("revoke"))),
		Stuck:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", p.T("stuck only"))),
		Reload:    reloadKey(p),
		Clear:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("clear selection, cancel"))),
	}
}

func (m *pending) Init() tea.Cmd { return m.load() }

// load reads the list from its most urgent invitation: as far as the
// operator had paged when it is the same list read again, so that they keep
// their place; one page after s.
func (m *pending) load() tea.Cmd {
	m.lost, m.mine = "", false
	m.seq++
	m.loading, m.again = true, false
	m.loadedAt = time.Now()
	seq, stuck := m.seq, m.stuck
	limit := pendingPageRows
	if stuck == m.rowsOf {
		limit = max(limit, len(m.rows))
	}
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		p, err := svc.PendingPage(ctx, a, stuck, nil, limit)
		return pendingMsg{seq: seq, stuck: stuck, page: p, err: err}
	})
}

// more reads the next page when the cursor nears the end of the rows read.
func (m *pending) more() tea.Cmd {
	if m.loading || m.next == nil || m.nav.cur < len(m.rows)-2*max(1, m.nav.height) {
		return nil
	}
	m.seq++
	m.loading = true
	seq, stuck, after := m.seq, m.rowsOf, m.next
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		p, err := svc.PendingPage(ctx, a, stuck, after, pendingPageRows)
		return pendingMsg{seq: seq, stuck: stuck, more: true, page: p, err: err}
	})
}

func (m *pending) SetSize(w, h int) {
	m.width, m.height = w, h
	m.resize()
}

// resize shares the height between the list and the last outcomes.
func (m *pending) resize() {
	m.nav.resize(max(3, m.height-4-m.jobs.lastLines(m.height)))
}

func (m *pending) Capturing() bool { return m.confirm != nil }

func (m *pending) Dirty() bool { return false }

// Running reports a job at work: ctrl+c asks to cancel it rather than quit.
func (m *pending) Running() bool { return m.jobs.job != nil }

// Saving reports that a resend or a revoke of one invitation is at work.
func (m *pending) Saving() bool { return m.jobs.saving() }

func (m *pending) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Select, k.SelectAll, k.Resend, k.Revoke, k.Stuck}
}

func (m *pending) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{k.nav.list(), {k.Select, k.SelectAll, k.Clear}, {k.Resend, k.Revoke, k.Stuck, k.Reload}}
}

func (m *pending) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case operatorMsg:
		m.perms = msg.perms
	case pendingMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
			return m, nil
		}
		var again tea.Cmd
		if m.again {
			again = m.later()
		}
		if msg.more {
			m.rows = append(m.rows, msg.page.Invitations...)
			m.next = msg.page.Next
			m.nav.set(len(m.rows))
			return m, tea.Batch(again, m.more())
		}
		m.took = time.Since(m.loadedAt)
		var curEmail string
		if m.nav.cur < len(m.rows) {
			curEmail = m.rows[m.nav.cur].Email
		}
		same, mine := msg.stuck == m.rowsOf, m.mine
		m.rows, m.rowsOf, m.next = msg.page.Invitations, msg.stuck, msg.page.Next
		m.mine = false
		shown := map[string]bool{}
		for i, r := range m.rows {
			shown[r.Email] = true
			if r.Email == curEmail {
				m.nav.cur = i
			}
		}
		if same && !mine && curEmail != "" && !shown[curEmail] {
			m.lost = curEmail
		}
		for e := range m.selected {
			if !shown[e] {
				delete(m.selected, e)
			}
		}
		m.nav.set(len(m.rows))
		return m, tea.Batch(again, m.more())
	case pendingCountMsg:
		m.counting = false
		switch {
		case msg.err != nil:
			m.err = m.s.explain(msg.err)
		case msg.n == 0:
			m.note = m.s.p.T("Nothing is stuck.")
		default:
			m.ask = &msg.batch
			m.confirm = &confirmation{prompt: msg.batch.question(m.s.p, msg.n, false)}
		}
		return m, nil
	case jobProgressMsg:
		return m, m.jobs.progressed(msg)
	case jobDoneMsg:
		if !m.jobs.ended(msg) {
			return m, nil
		}
		if m.confirm != nil && m.ask == nil { // whether to cancel: too late
			m.confirm = nil
		}
		m.finish(msg)
		clear(m.selected)
		cmd := m.load()
		m.mine = true
		return m, cmd
	case refreshMsg:
		// A long list takes a while to read: changes that come meanwhile
		// are read once, a little later, not once each.
		if m.loading {
			m.again = true
			return m, nil
		}
		if time.Since(m.loadedAt) < 2*m.took {
			m.again = true
			return m, m.later()
		}
		return m, m.load()
	case pendingAgainMsg:
		if m.again && !m.loading {
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// gone names the invitation the cursor was on, which the list read again
// no longer shows: the keys typed while it was read do not act on the row
// that took its place (Model.replay).
func (m *pending) gone() string { return clean(m.lost) }

// Reading reports that a page or a count is on its way: keys typed
// meanwhile wait for it (Model.typed), so that they act on what it shows.
func (m *pending) Reading() bool { return m.loading || m.counting }

// later reads the list again after twice the time the last reading took.
func (m *pending) later() tea.Cmd {
	return tea.Tick(max(2*m.took, 100*time.Millisecond), func(time.Time) tea.Msg { return pendingAgainMsg{} })
}

// targets are the selected invitations, or the one under the cursor.
func (m *pending) targets() []string {
	var out []string
	for _, r := range m.rows {
		if m.selected[r.Email] {
			out = append(out, r.Email)
		}
	}
	if len(out) == 0 && m.nav.cur < len(m.rows) {
		out = []string{m.rows[m.nav.cur].Email}
	}
	return out
}

func (m *pending) key(msg tea.KeyPressMsg) tea.Cmd {
	m.lost = ""
	if m.confirm != nil {
		return m.answer(msg)
	}
	k := m.keys
	if m.jobs.job != nil && (key.Matches(msg, k.Clear) || msg.String() == "ctrl+c") {
		m.confirm = &confirmation{prompt: m.jobs.askCancel()}
		return nil
	}
	if m.keys.nav.apply(msg, &m.nav) {
		return m.more()
	}
	switch {
	case key.Matches(msg, k.Stuck):
		m.stuck = !m.stuck
		m.note = ""
		return m.load()
	case key.Matches(msg, k.Reload):
		return m.load()
	case key.Matches(msg, k.Clear):
		clear(m.selected)
	case key.Matches(msg, k.Select):
		if m.nav.cur < len(m.rows) {
			e := m.rows[m.nav.cur].Email
			m.selected[e] = !m.selected[e]
			if !m.selected[e] {
				delete(m.selected, e)
			}
			m.nav.move(1)
			return m.more()
		}
	case key.Matches(msg, k.SelectAll):
		if len(m.selected) == len(m.rows) {
			clear(m.selected)
		} else {
			for _, r := range m.rows {
				m.selected[r.Email] = true
			}
		}
	case key.Matches(msg, k.Resend):
		return m.act(pendingBatch{act: admin.ResendInvitations}, m.s.p.T("resend invitations"))
	case key.Matches(msg, k.Revoke):
		return m.act(pendingBatch{act: admin.RevokeInvitations}, m.s.p.T("revoke invitations"))
	}
	return nil
}

// act resends or revokes the selected invitations, or the one under the
// cursor. One resend goes at once; more, or a revoke, asks first with the
// count. With every row read selected and more to read among the stuck
// ones, it is every stuck invitation, counted first.
func (m *pending) act(b pendingBatch, what string) tea.Cmd {
	if m.jobs.job != nil {
		m.err = m.s.p.T("A batch is under way: wait for it, or press esc to cancel it.")
		return nil
	}
	if why := mayIn(m.s.p, m.perms, "users.invite", what); why != "" {
		m.err = why
		return nil
	}
	b.emails = m.targets()
	if len(b.emails) == 0 {
		return nil
	}
	m.err = ""
	every := len(b.emails) > 1 && len(m.selected) == len(m.rows) && m.next != nil
	switch {
	case every && m.rowsOf:
		b.emails, b.stuck = nil, true
		m.counting = true
		svc, a := m.s.svc, m.s.actor
		return m.s.do(func(ctx context.Context) tea.Msg {
			stuck, err := svc.Stuck(ctx, a)
			b.ids = make([]int64, len(stuck))
			for i, in := range stuck {
				b.ids[i] = in.UserID
			}
			return pendingCountMsg{batch: b, n: len(stuck), err: err}
		})
	case len(b.emails) == 1 && b.act == admin.ResendInvitations:
		return m.start(b)
	}
	m.ask = &b
	m.confirm = &confirmation{prompt: b.question(m.s.p, len(b.emails), every)}
	return nil
}

// answer settles the question shown: y runs the batch asked about, or
// cancels the job under way (ctrl+c again does too).
func (m *pending) answer(msg tea.KeyPressMsg) tea.Cmd {
	b := m.ask
	m.confirm, m.ask = nil, nil
	yes := msg.String() == "y" || msg.String() == "Y"
	switch {
	case b != nil && yes:
		return m.start(*b)
	case b == nil && m.jobs.job != nil && (yes || msg.String() == "ctrl+c"):
		m.jobs.cancel()
	}
	return nil
}

// start runs a batch as a job (jobs).
func (m *pending) start(b pendingBatch) tea.Cmd {
	m.err, m.note = "", ""
	cmd := m.jobs.start(admin.UserBatch{Act: b.act, Emails: b.emails, IDs: b.ids}, b.words(m.s.p), len(b.emails)+len(b.ids))
	m.resize()
	return cmd
}

// finish shows what a job did: the failures first, each with its reason,
// then how many went through and how many were not done; each row shows
// its own outcome.
func (m *pending) finish(msg jobDoneMsg) {
	clear(m.outcomes)
	m.note = m.jobs.finish(msg, func(o admin.Outcome, e effect) { m.outcomes[o.Email] = e })
	m.resize()
}

// widths are the columns' widths for the rows drawn: the email, who
// invited, times sent, last sent, expiry and mail. Who invited is left
// out (width 0) when it would have too few cells to say who: at 80
// columns it showed "olive.o…", and in French its room cut the expiry and
// the mail's state ("il y a 27…", "aucun ma…").
func (m *pending) widths(now time.Time) []int {
	// The emails drawn keep their whole width, up to 32 cells, and so do
	// their expiries ("il y a 2 jours" is wider than "2 days ago").
	from, to := m.nav.visible()
	shown := m.rows[min(from, len(m.rows)):min(to, len(m.rows))]
	p := m.s.p
	// At least as wide as their heads: with no rows, "Email" was drawn in
	// no cells and the heads after it moved left.
	ew := max(cells(p.T("Email")), widest(shown, func(r store.Invitation) string { return clean(r.Email) }))
	bw := widest(shown, func(r store.Invitation) string { return clean(r.InvitedBy) })
	xw := max(cells(p.T("Expires")), widest(shown, func(r store.Invitation) string { return m.s.ago(now, r.ExpiresAt) }))
	mw := max(cells(p.T("Mail")), widest(shown, func(r store.Invitation) string { return m.mail(r, now) }))
	sent := cells(p.T("Sends")) // a number under a head of a word: "Envois"
	by := column{min: 5, natural: max(10, bw)}
	cols := []column{{min: min(ew, 32), natural: ew}, by, {min: max(4, sent), natural: max(5, sent)},
		{min: 16, natural: 16}, {min: xw, natural: xw}, {min: min(mw, 12), natural: max(mw, 40)}}
	need := len(cols) - 1
	for _, c := range cols {
		need += c.min
	}
	if m.width-4-(need-by.min) < min(by.natural, 16) { // less than an address's start
		w := columnWidths(m.width-4, slices.Delete(cols, 1, 2))
		return slices.Insert(w, 1, 0)
	}
	return columnWidths(m.width-4, cols)
}

// mail is what the Mail column says of r: its mail's state, its error,
// and what the last act did to it.
func (m *pending) mail(r store.Invitation, now time.Time) string {
	mail := m.s.p.T(r.MailState) // an outbox state: queued, sent, deferred…
	if mail == "" {
		mail = m.s.p.T("no mail")
	}
	if r.MailError != "" {
		mail += ": " + r.MailError
	}
	if o := m.outcomes[r.Email].at(now); o != "" {
		mail = "→ " + o + " · " + mail
	}
	return clean(mail)
}

// line draws one invitation in the columns' widths w, measured once a
// View over every row drawn; only the visible rows are drawn.
func (m *pending) line(r store.Invitation, now time.Time, w []int) string {
	exp := m.s.ago(now, r.ExpiresAt) // "1 day ago" once expired: the row is red
	return cellsIn(w, clean(r.Email), clean(r.InvitedBy), fmt.Sprint(r.TimesSent), m.s.when(r.LastSentAt), exp, m.mail(r, now))
}

func (m *pending) View() string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	// The title says what the rows shown are: after s, it changes with
	// them, once they are read.
	title := p.T("Pending invitations")
	if m.rowsOf {
		title = p.T("Stuck invitations (expired, or their mail failed or is deferred)")
	}
	b.WriteString(paint(st.Title, cut(title, m.width)))
	info := "  " + p.T("%s shown", p.Num(len(m.rows)))
	if m.next != nil {
		info += p.T(", more below")
	}
	if len(m.selected) > 0 {
		info += p.T(", %s selected", p.Num(len(m.selected)))
	}
	switch {
	case m.loading && m.stuck != m.rowsOf && m.stuck:
		info += p.T(" · reading the stuck ones…")
	case m.loading && m.stuck != m.rowsOf:
		info += p.T(" · reading every pending one…")
	case m.loading && len(m.rows) > 0 && m.rowsOf == m.stuck:
		info += p.T(" · reading more…")
	case m.loading:
		info += p.T(" · reading…")
	}
	b.WriteString(paint(st.Subtle, info))
	b.WriteString("\n")
	now := m.s.svc.Now()
	w := m.widths(now)
	b.WriteString(paint(st.ColHead, "    "+cellsIn(w, p.T("Email"), p.T("Invited by"), p.T("Sends"), p.T("Last sent"), p.T("Expires"), p.T("Mail"))))
	b.WriteString("\n")
	if len(m.rows) == 0 && !m.loading {
		if m.rowsOf {
			b.WriteString(st.OK.Render("  " + p.T("Nothing is stuck.")))
		} else {
			b.WriteString(st.Subtle.Render("  " + p.T("No pending invitation.")))
		}
		b.WriteString("\n")
	}
	from, to := m.nav.visible()
	for i := from; i < to && i < len(m.rows); i++ {
		r := m.rows[i]
		box := "[ ] "
		if m.selected[r.Email] {
			box = "[x] "
		}
		line := box + m.line(r, now, w)
		switch {
		case i == m.nav.cur:
			line = paint(st.Selected, line)
		case r.MailState == "failed" || r.Expired:
			line = paint(st.Error.UnsetBold(), line)
		case r.Stuck:
			line = paint(st.Warn, line)
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	for i := to - from; i < m.nav.height; i++ {
		b.WriteString("\n")
	}
	b.WriteString(m.jobs.status(st, m.width, m.confirm, m.err, m.note))
	b.WriteString(m.jobs.failures(m.jobs.lastLines(m.height), m.width))
	return b.String()
}
