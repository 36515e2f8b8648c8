package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/i18n"
	"roster/store"
)

// mailbox is the Mail screen: the outbox, newest first, with each message's
// state, or (c) the mail the embedded capture server kept; enter shows one
// message.
type mailbox struct {
	s      *session
	keys   mailKeys
	width  int
	height int

	state  int // index in mailStates
	list   pager[store.OutboxMessage]
	open   *store.OutboxMessage
	scroll int

	capturedShown bool // the captured mail is shown instead of the outbox
	captured      *capturedMail
	hooksShown    bool // the webhooks are shown instead of the outbox
	hooks         *webhooksView
}

type mailKeys struct {
	nav                                           navKeys
	Open, Back, State, Reload, Captured, Webhooks key.Binding
}

var mailStates = append([]string{""}, store.OutboxStates()...)

const mailPage = 200

func newMail(s *session) *mailbox {
	return &mailbox{s: s, list: pager[store.OutboxMessage]{size: mailPage, id: func(r store.OutboxMessage) int64 { return r.ID }},
		captured: newCapturedMail(s), hooks: newWebhooksView(s), keys: newMailKeys(s.p)}
}

func newMailKeys(p *i18n.Printer) mailKeys {
	return mailKeys{
		nav:      navKeysIn(p),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("show message"))),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("back to the list"))),
		State:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", p.T("state filter"))),
		Reload:   reloadKey(p),
		Captured: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", p.T("captured mail"))),
		Webhooks: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", p.T("webhooks"))),
	}
}

// kindLabel is the kind of a mail (its template) as the screen shows it:
// the kind itself in English, as roster mail and the JSON write it, and
// its label in French.
func kindLabel(p *i18n.Printer, kind string) string {
	switch kind {
	case store.MailInvitation:
		return p.T("invitation")
	case store.MailInviteResent:
		return p.T("invitation_resent")
	case store.MailPasswordReset:
		return p.T("password_reset")
	case store.MailStandInNotice:
		return p.T("standin_notice")
	case store.MailNotice:
		return p.T("notice")
	case store.MailTest:
		return p.T("test")
	}
	return kind
}

// stateLabel is a state of a mail or of a webhook's delivery in words; the
// state itself is a machine word (the store's, the JSON's), kept as is
// where roster has no label for it.
func stateLabel(p *i18n.Printer, state string) string {
	switch state {
	case "":
		return p.T("all")
	case store.OutboxQueued:
		return p.T("queued")
	case store.OutboxSending:
		return p.T("sending")
	case store.OutboxSent:
		return p.T("sent")
	case store.OutboxDeferred:
		return p.T("deferred")
	case store.OutboxFailed:
		return p.T("failed")
	case store.OutboxCancelled:
		return p.T("cancelled")
	case "delivered": // a webhook's
		return p.T("delivered")
	}
	return state
}

func (m *mailbox) Init() tea.Cmd { return m.load(false) }

// load reads the newest page, or with more the page after the last row.
func (m *mailbox) load(more bool) tea.Cmd {
	state := mailStates[m.state]
	svc, a := m.s.svc, m.s.actor
	return m.list.load(m.s, more, func(ctx context.Context, before int64, limit int) ([]store.OutboxMessage, error) {
		return svc.Outbox(ctx, a, state, before, limit)
	})
}

func (m *mailbox) SetSize(w, h int) {
	m.width, m.height = w, h
	m.list.nav.resize(max(1, h-3))
	m.captured.resize(h)
}

func (m *mailbox) Capturing() bool { return m.hooksShown && m.hooks.capturing() }

func (m *mailbox) Dirty() bool { return false }

func (m *mailbox) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.hooksShown && m.hooks.open != nil: // a webhook's deliveries: esc is all they take
		return []key.Binding{k.Back}
	case m.hooksShown:
		open := k.Open // enter shows a webhook's deliveries
		open.SetHelp("enter", m.s.p.T("deliveries"))
		back := k.Webhooks // w goes back to the outbox, as the head says
		back.SetHelp("w", m.s.p.T("outbox"))
		return []key.Binding{k.nav.Up, k.nav.Down, open, back, k.Back}
	case m.capturedShown && m.captured.showing(), !m.capturedShown && m.open != nil:
		return []key.Binding{k.nav.Up, k.nav.Down, k.Back}
	case m.capturedShown:
		return []key.Binding{k.Open, k.Captured, k.Reload}
	}
	return []key.Binding{k.Open, k.State, k.Captured, k.Webhooks, k.Reload}
}

func (m *mailbox) FullHelp() [][]key.Binding {
	k := m.keys
	if m.capturedShown {
		return [][]key.Binding{k.nav.list(), {k.Open, k.Back, k.Captured, k.Reload}}
	}
	return [][]key.Binding{k.nav.list(), {k.Open, k.Back, k.State, k.Captured, k.Webhooks, k.Reload}}
}

func (m *mailbox) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg[store.OutboxMessage]:
		if !m.list.got(msg) || m.open == nil {
			return m, nil
		}
		for i := range m.list.rows {
			if m.list.rows[i].ID == m.open.ID {
				m.open = &m.list.rows[i]
			}
		}
	case pageMsg[store.CapturedMail], capturedShowMsg:
		return m, m.captured.update(msg)
	case webhooksMsg, deliveriesMsg, webhookAddedMsg, webhookRemovedMsg:
		return m, m.hooks.update(msg)
	case refreshMsg:
		if m.hooksShown {
			return m, m.hooks.load()
		}
		if m.capturedShown {
			return m, m.captured.load(false)
		}
		return m, m.load(false)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// gone names the webhook the cursor was on, which the webhooks read again
// no longer list: the keys typed meanwhile do nothing (Model.replay).
func (m *mailbox) gone() string {
	if m.hooksShown {
		return m.hooks.lost
	}
	return ""
}

// Reading reports that the list keys act on is on its way.
func (m *mailbox) Reading() bool {
	switch {
	case m.hooksShown:
		return m.hooks.reading()
	case m.capturedShown:
		return !m.captured.showing() && m.captured.list.reading()
	case m.open != nil:
		return false
	}
	return m.list.reading()
}

// toggle shows the captured mail instead of the outbox, or back, read
// afresh.
func (m *mailbox) toggle() tea.Cmd {
	m.capturedShown = !m.capturedShown
	if m.capturedShown {
		m.keys.Captured.SetHelp("c", m.s.p.T("outbox"))
		return m.captured.load(false)
	}
	m.keys.Captured.SetHelp("c", m.s.p.T("captured mail"))
	return m.load(false)
}

func (m *mailbox) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.hooksShown {
		if key.Matches(msg, k.Webhooks) && !m.hooks.capturing() && m.hooks.open == nil {
			m.hooksShown = false
			return m.load(false)
		}
		cmd, back := m.hooks.key(msg, k)
		if back {
			m.hooksShown = false
			return m.load(false)
		}
		return cmd
	}
	if key.Matches(msg, k.Webhooks) && !m.capturedShown && m.open == nil {
		m.hooksShown = true
		return m.hooks.load()
	}
	if m.capturedShown {
		if key.Matches(msg, k.Captured) && !m.captured.showing() {
			return m.toggle()
		}
		return m.captured.key(msg, k)
	}
	if m.open != nil {
		switch {
		case key.Matches(msg, k.Back):
			m.open = nil
		case key.Matches(msg, k.nav.Down):
			m.scroll++
		case key.Matches(msg, k.nav.Up):
			m.scroll = max(0, m.scroll-1)
		}
		return nil
	}
	if cmd, ok := m.list.move(k.nav, msg, m.load); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Open):
		if r, ok := m.list.current(); ok {
			m.open, m.scroll = &r, 0
		}
	case key.Matches(msg, k.State):
		m.state = (m.state + 1) % len(mailStates)
		m.list.reset()
		return m.load(false)
	case key.Matches(msg, k.Reload):
		return m.load(false)
	case key.Matches(msg, k.Captured):
		return m.toggle()
	}
	return nil
}

func (m *mailbox) View() string {
	st := m.s.styles
	if m.hooksShown {
		return m.hooks.view(st, m.width)
	}
	if m.capturedShown {
		return m.captured.view(st, m.width)
	}
	if m.open != nil {
		return m.message()
	}
	p := m.s.p
	var b strings.Builder
	title := st.Title.Render(p.T("Outbox")) +
		st.Subtle.Render("  "+p.Agree(len(m.list.rows), "state %s · %s shown", stateLabel(p, mailStates[m.state]), p.Num(len(m.list.rows))))
	if m.list.loading {
		title += st.Faint.Render(" · " + p.T("reading…"))
	}
	b.WriteString(cut(title, m.width))
	b.WriteString("\n")
	now := m.s.svc.Now()
	from, to := m.list.nav.visible()
	shown := m.list.rows[min(from, len(m.list.rows)):min(to, len(m.list.rows))]
	// The recipient drawn keeps its whole width, up to 32 cells, and the
	// state its whole word; the rest share what is left by what they hold.
	recipients, details, states, kinds := make([]string, len(shown)), make([]string, len(shown)), make([]string, len(shown)), make([]string, len(shown))
	for i, r := range shown {
		recipients[i], details[i], states[i], kinds[i] = clean(r.Recipient), clean(outboxDetail(m.s, r, now)), stateLabel(p, r.State), kindLabel(p, r.Kind)
	}
	text := func(s string) string { return s }
	rw := widest(recipients, text)
	sw := max(5, widest(states, text))
	// Via, the channel (email or sms), keeps its whole word too: at 80
	// columns, a 32-cell recipient leaves the kind 6 and the detail 4.
	w := columnWidths(m.width-2, []column{{min: 16, natural: 16}, {min: 5, natural: 5}, {min: min(max(rw, 2), 32), natural: rw},
		{min: 6, natural: widest(kinds, text)},
		{min: sw, natural: sw}, {min: max(3, cells(p.T("Try"))), natural: 3}, {min: 4, natural: widest(details, text)}})
	head := "  " + fit(p.T("Queued"), w[0]) + " " + fit(p.T("Via"), w[1]) + " " + fit(p.T("To"), w[2]) + " " + fit(p.T("Kind"), w[3]) + " " +
		fit(p.T("State"), w[4]) + " " + fit(p.T("Try"), w[5]) + " " + fit(p.T("Detail"), w[6])
	b.WriteString(st.ColHead.Render(cut(head, m.width)))
	b.WriteString("\n")
	if m.list.err != "" {
		b.WriteString(st.Error.Render(cut(m.list.err, m.width)) + "\n")
	}
	if len(m.list.rows) == 0 && !m.list.loading {
		b.WriteString(st.Subtle.Render("  "+p.T("No mail.")) + "\n")
	}
	for i := from; i < to && i < len(m.list.rows); i++ {
		r := m.list.rows[i]
		line := fit(m.s.when(r.CreatedAt), w[0]) + " " + fit(r.Channel, w[1]) + " " + fit(recipients[i-from], w[2]) + " " +
			fit(kinds[i-from], w[3]) + " " + fit(states[i-from], w[4]) + " " + fit(fmt.Sprint(r.Attempts), w[5]) + " " + fit(details[i-from], w[6])
		line = cut(line, m.width-2)
		switch {
		case i == m.list.nav.cur:
			line = st.Selected.Render("▸ " + line)
		case r.State == store.OutboxFailed:
			line = "  " + st.FieldErr.Render(line)
		case r.State == store.OutboxDeferred:
			line = "  " + st.Warn.Render(line)
		default:
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// outboxDetail says what became of a message, or what is next for it.
func outboxDetail(s *session, r store.OutboxMessage, now time.Time) string {
	switch r.State {
	case store.OutboxSent:
		return s.p.T("sent %s %s", s.when(r.SentAt), r.Reply)
	case store.OutboxDeferred:
		return s.p.T("next try %s: %s", s.ago(now, r.NextAttemptAt), r.LastError)
	case store.OutboxFailed:
		return r.LastError
	case store.OutboxQueued:
		return s.p.T("due %s", s.ago(now, r.NextAttemptAt))
	}
	return ""
}

// message shows one outbox message: its headers, state and the data its
// template is filled with (the link's token is redacted once it was sent).
func (m *mailbox) message() string {
	st, p := m.s.styles, m.s.p
	r := m.open
	// The labels take the width of the widest, in the session's language.
	var lines []string
	var pairs [][2]string
	add := func(label, v string) {
		if v != "" {
			pairs = append(pairs, [2]string{label, v})
		}
	}
	draw := func() {
		lw := 13
		for _, kv := range pairs {
			lw = max(lw, cells(kv[0]))
		}
		for _, kv := range pairs {
			lines = append(lines, st.Label.Render(fit(kv[0], lw))+" "+clean(kv[1]))
		}
		pairs = nil
	}
	add(p.T("To"), strings.TrimSpace(r.RecipientName+" <"+r.Recipient+">"))
	add(p.T("Channel"), r.Channel)
	add(p.T("Kind"), kindLabel(p, r.Kind))
	add(p.T("Language"), r.Locale)
	add("Message-ID", r.MessageID)
	add(p.T("State"), stateLabel(p, r.State))
	add(p.T("Attempts"), fmt.Sprint(r.Attempts))
	add(p.T("Queued"), p.DateTime(r.CreatedAt.Local()))
	if !r.SentAt.IsZero() {
		add(p.T("Sent"), p.DateTime(r.SentAt.Local()))
	}
	// When it will stop trying, while it tries: a message sent, or failed
	// for good (often before then), said "Given up at" a date to come.
	if r.State == store.OutboxQueued || r.State == store.OutboxDeferred {
		add(p.T("Next try"), p.DateTime(r.NextAttemptAt.Local()))
		if !r.GiveUpAt.IsZero() {
			add(p.T("Gives up at"), p.DateTime(r.GiveUpAt.Local()))
		}
	}
	add(p.T("Last error"), r.LastError)
	add(p.T("Server reply"), r.Reply)
	draw()
	var data map[string]any
	if json.Unmarshal([]byte(r.Data), &data) == nil && len(data) > 0 {
		// The data's names are the template's (machine words): kept as they are.
		lines = append(lines, "", st.ColHead.Render(p.T("What the message says")))
		for _, k := range sortedKeys(data) {
			add(k, fmt.Sprint(data[k]))
		}
		draw()
	}
	if r.ID != 0 {
		lines = append(lines, "", st.Faint.Render(p.T("roster mail show %d prints the whole message", r.ID)))
	}
	from := min(m.scroll, max(0, len(lines)-1))
	var b strings.Builder
	b.WriteString(st.Title.Render(p.T("Message %d", r.ID)))
	b.WriteString("\n" + m.s.linksLine(st, m.width))
	for _, l := range lines[from:] {
		b.WriteString(cut(l, m.width) + "\n")
	}
	return b.String()
}

// linksLine says, over an opened message, where its links lead: a newcomer
// on the embedded defaults learns that this dashboard serves them.
func (s *session) linksLine(st Styles, width int) string {
	if s.links == "" {
		return ""
	}
	return st.Faint.Render(cut(s.links, width)) + "\n"
}
