package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/store"
)

// pending is the on-call screen: pending invitations, what needs attention
// first (admin orders them), with resend and revoke over a selection.
type pending struct {
	s      *session
	keys   pendingKeys
	width  int
	height int

	stuck    bool // only the stuck ones are asked for
	rowsOf   bool // the value of stuck the rows shown were read for
	rows     []store.Invitation
	nav      nav
	selected map[string]bool   // by email, never by position
	outcomes map[string]string // by email: what the last action did
	seq      int
	loading  bool
	loadedAt time.Time
	took     time.Duration // how long the last reading took
	again    bool          // the database changed while reading: read again
	busy     bool
	queued   []tea.KeyPressMsg // keys typed while the list was on its way
	perms    map[string]bool
	confirm  *confirmation
	last     []string // each person's outcome of the last resend or revoke
	note     string
	err      string
}

type pendingKeys struct {
	nav                                      navKeys
	Select, SelectAll, Resend, Revoke, Stuck key.Binding
	Reload, Clear                            key.Binding
}

type (
	pendingMsg struct {
		seq   int
		stuck bool
		rows  []store.Invitation
		err   error
	}
	pendingDoneMsg struct {
		verb     string
		outcomes []admin.Outcome
	}
	pendingAgainMsg struct{}
)

// pendingFirstPage is how many of the most urgent invitations the screen reads.
const pendingFirstPage = 500

func newPending(s *session) *pending {
	return &pending{s: s, selected: map[string]bool{}, outcomes: map[string]string{}, keys: pendingKeys{
		nav:       newNavKeys(),
		Select:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select")),
		SelectAll: key.NewBinding(key.WithKeys("A", "ctrl+a"), key.WithHelp("A", "select all shown")),
		Resend:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resend")),
		Revoke:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "revoke")),
		Stuck:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stuck only")),
		Reload:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
		Clear:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear selection")),
	}}
}

func (m *pending) Init() tea.Cmd { return m.load() }

func (m *pending) load() tea.Cmd {
	m.seq++
	m.loading, m.again = true, false
	m.loadedAt = time.Now()
	seq, stuck := m.seq, m.stuck
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		// The first page only: reading every invitation took seconds at a
		// million users.
		p, err := svc.PendingPage(ctx, a, stuck, nil, pendingFirstPage)
		if err != nil {
			return pendingMsg{seq, stuck, nil, err}
		}
		return pendingMsg{seq, stuck, p.Invitations, nil}
	})
}

func (m *pending) SetSize(w, h int) {
	m.width, m.height = w, h
	m.resize()
}

// resize shares the height between the list and the last outcomes.
func (m *pending) resize() {
	m.nav.resize(max(3, m.height-4-m.lastLines()))
}

func (m *pending) lastLines() int {
	if len(m.last) == 0 {
		return 0
	}
	return min(len(m.last), max(1, m.height/2-1)) + 1
}

func (m *pending) Capturing() bool { return m.confirm != nil }

func (m *pending) Dirty() bool { return false }

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
		m.took = time.Since(m.loadedAt)
		if msg.err != nil {
			m.err = explain(msg.err)
			return m, nil
		}
		var curEmail string
		if m.nav.cur < len(m.rows) {
			curEmail = m.rows[m.nav.cur].Email
		}
		m.rows, m.rowsOf = msg.rows, msg.stuck
		shown := map[string]bool{}
		for i, r := range m.rows {
			shown[r.Email] = true
			if r.Email == curEmail {
				m.nav.cur = i
			}
		}
		for e := range m.selected {
			if !shown[e] {
				delete(m.selected, e)
			}
		}
		m.nav.set(len(m.rows))
		// Keys typed before the list arrived act on it now.
		var cmds []tea.Cmd
		if m.again {
			cmds = append(cmds, m.later())
		}
		q := m.queued
		m.queued = nil
		for _, k := range q {
			cmds = append(cmds, m.key(k))
		}
		return m, tea.Batch(cmds...)
	case pendingDoneMsg:
		m.busy = false
		ok := 0
		m.last = nil
		clear(m.outcomes)
		for _, o := range msg.outcomes {
			m.outcomes[o.Email] = outcome(o.Err, msg.verb)
			m.last = append(m.last, clean(o.Email)+": "+m.outcomes[o.Email])
			if o.Err == nil {
				ok++
			}
		}
		m.note = fmt.Sprintf("%d of %d %s.", ok, len(msg.outcomes), msg.verb)
		m.resize()
		clear(m.selected)
		return m, m.load()
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
	if m.confirm != nil {
		cmd := m.confirm.answer(msg)
		if cmd != nil {
			m.busy = true
		}
		m.confirm = nil
		return cmd
	}
	k := m.keys
	if m.loading && (key.Matches(msg, k.Select) || key.Matches(msg, k.SelectAll) || key.Matches(msg, k.Resend) ||
		key.Matches(msg, k.Revoke)) {
		m.queued = append(m.queued, msg)
		return nil
	}
	if m.keys.nav.apply(msg, &m.nav) {
		return nil
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
		if m.busy {
			return nil
		}
		if why := may(m.perms, "users.invite", "resend invitations"); why != "" {
			m.err = why
			return nil
		}
		emails := m.targets()
		if len(emails) == 0 {
			return nil
		}
		m.busy, m.err, m.note = true, "", "Resending "+plural(len(emails), "invitation", "invitations")+"…"
		return m.act("sent", admin.ResendInvitations, emails)
	case key.Matches(msg, k.Revoke):
		if m.busy {
			return nil
		}
		if why := may(m.perms, "users.invite", "revoke invitations"); why != "" {
			m.err = why
			return nil
		}
		emails := m.targets()
		if len(emails) == 0 {
			return nil
		}
		who := clean(emails[0])
		if len(emails) > 1 {
			who = fmt.Sprintf("%d invitations", len(emails))
		}
		m.confirm = &confirmation{prompt: "Revoke " + who + "? The invited accounts are deleted. y/n",
			yes: m.act("revoked", admin.RevokeInvitations, emails)}
	}
	return nil
}

func (m *pending) act(verb string, act admin.InvitationAct, emails []string) tea.Cmd {
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		out, _ := svc.ActOnInvitations(ctx, a, admin.InvitationBatch{Act: act, Emails: emails})
		admin.FailuresFirst(out)
		return pendingDoneMsg{verb: verb, outcomes: out}
	})
}

func (m *pending) widths() (email, by, sent, last, exp, mail int) {
	sent, last, exp = 5, 16, 12
	rest := max(40, m.width-4-sent-last-exp-6)
	email = rest * 35 / 100
	by = rest * 20 / 100
	mail = rest - email - by
	return
}

// line draws one invitation; only the visible rows are drawn.
func (m *pending) line(r store.Invitation, now time.Time) string {
	ew, bw, sw, lw, xw, mw := m.widths()
	{
		exp := "expired"
		if !r.Expired {
			exp = ago(now, r.ExpiresAt)
		}
		mail := r.MailState
		if mail == "" {
			mail = "no mail"
		}
		if r.MailError != "" {
			mail += ": " + r.MailError
		}
		if o := m.outcomes[r.Email]; o != "" {
			mail = "→ " + o + " · " + mail
		}
		return fit(clean(r.Email), ew) + " " + fit(clean(r.InvitedBy), bw) + " " + fit(fmt.Sprint(r.TimesSent), sw) + " " +
			fit(when(r.LastSentAt), lw) + " " + fit(exp, xw) + " " + fit(clean(mail), mw)
	}
}

func (m *pending) View() string {
	st := m.s.styles
	var b strings.Builder
	// The title says what the rows shown are: after s, it changes with
	// them, once they are read.
	title := "Pending invitations"
	if m.rowsOf {
		title = "Stuck invitations (expired, or their mail failed or is deferred)"
	}
	b.WriteString(st.Title.Render(cut(title, m.width)))
	info := fmt.Sprintf("  %d shown", len(m.rows))
	if len(m.selected) > 0 {
		info += fmt.Sprintf(", %d selected", len(m.selected))
	}
	switch {
	case m.loading && m.stuck != m.rowsOf && m.stuck:
		info += " · reading the stuck ones…"
	case m.loading && m.stuck != m.rowsOf:
		info += " · reading every pending one…"
	case m.loading:
		info += " · reading…"
	}
	b.WriteString(st.Subtle.Render(info))
	b.WriteString("\n")
	ew, bw, sw, lw, xw, mw := m.widths()
	b.WriteString(st.ColHead.Render("    " + fit("Email", ew) + " " + fit("Invited by", bw) + " " + fit("Sent", sw) + " " +
		fit("Last sent", lw) + " " + fit("Expires", xw) + " " + fit("Mail", mw)))
	b.WriteString("\n")
	if len(m.rows) == 0 && !m.loading {
		if m.rowsOf {
			b.WriteString(st.OK.Render("  Nothing is stuck."))
		} else {
			b.WriteString(st.Subtle.Render("  No pending invitation."))
		}
		b.WriteString("\n")
	}
	from, to := m.nav.visible()
	now := m.s.svc.Now()
	for i := from; i < to && i < len(m.rows); i++ {
		r := m.rows[i]
		box := "[ ] "
		if m.selected[r.Email] {
			box = "[x] "
		}
		line := box + m.line(r, now)
		switch {
		case i == m.nav.cur:
			line = st.Selected.Render(line)
		case r.MailState == "failed" || r.Expired:
			line = st.Error.UnsetBold().Render(line)
		case r.Stuck:
			line = st.Warn.Render(line)
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	for i := to - from; i < m.nav.height; i++ {
		b.WriteString("\n")
	}
	b.WriteString(st.status(m.width, m.confirm, false, "", m.err, m.note))
	if n := m.lastLines(); n > 0 {
		b.WriteString("\n")
		for i, l := range m.last[:n-1] {
			style := st.OK
			if !strings.HasSuffix(l, ": sent") && !strings.HasSuffix(l, ": revoked") {
				style = st.FieldErr
			}
			if i == n-2 && n-1 < len(m.last) {
				l = fmt.Sprintf("… and %d more", len(m.last)-i)
			}
			b.WriteString(style.Render(cut("  "+l, m.width)))
			b.WriteString("\n")
		}
	}
	return b.String()
}
