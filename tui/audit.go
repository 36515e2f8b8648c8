package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"roster/store"
)

// auditView is the Audit screen: every change, newest first, read a page at
// a time by key; f filters by user (as actor or target).
type auditView struct {
	s      *session
	keys   auditKeys
	width  int
	height int

	filter    textinput.Model
	filtering bool
	user      string // the filter applied
	list      pager[store.AuditEntry]
	open      *store.AuditEntry
}

type auditKeys struct {
	nav                                      navKeys
	Filter, Apply, Clear, Open, Back, Reload key.Binding
}

const auditPage = 200

func newAudit(s *session) *auditView {
	m := &auditView{s: s, list: pager[store.AuditEntry]{size: auditPage, id: func(e store.AuditEntry) int64 { return e.ID }}, keys: auditKeys{
		nav:    newNavKeys(),
		Filter: key.NewBinding(key.WithKeys("f", "/"), key.WithHelp("f", "filter by user")),
		Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Clear:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show change")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Reload: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
	}}
	m.filter = s.newInput("email of the user", 254)
	m.filter.Prompt = "user: "
	return m
}

func (m *auditView) Init() tea.Cmd { return m.load(false) }

// OpenUser shows the entries of one user.
func (m *auditView) OpenUser(email string) tea.Cmd {
	m.filter.SetValue(email)
	m.user, m.open = email, nil
	return m.load(false)
}

func (m *auditView) load(more bool) tea.Cmd {
	user := m.user
	svc, a := m.s.svc, m.s.actor
	return m.list.load(m.s, more, func(ctx context.Context, before int64, limit int) ([]store.AuditEntry, error) {
		return svc.Audit(ctx, a, store.AuditQuery{Target: user, Before: before, Limit: limit})
	})
}

func (m *auditView) SetSize(w, h int) {
	m.width, m.height = w, h
	m.list.nav.resize(max(1, h-3))
}

func (m *auditView) Capturing() bool { return m.filtering }

func (m *auditView) Dirty() bool { return false }

// Reading reports that the entries keys act on are on their way.
func (m *auditView) Reading() bool { return m.open == nil && m.list.reading() }

func (m *auditView) ShortHelp() []key.Binding {
	switch {
	case m.filtering:
		return []key.Binding{m.keys.Apply, m.keys.Clear}
	case m.open != nil:
		return []key.Binding{m.keys.Back}
	}
	return []key.Binding{m.keys.nav.Up, m.keys.nav.Down, m.keys.Open, m.keys.Filter, m.keys.Reload}
}

func (m *auditView) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.keys.nav.list(), {m.keys.Open, m.keys.Back, m.keys.Filter, m.keys.Clear, m.keys.Reload}}
}

func (m *auditView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg[store.AuditEntry]:
		m.list.got(msg)
	case refreshMsg:
		return m, m.load(false)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *auditView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.filtering {
		switch {
		case key.Matches(msg, k.Apply):
			m.filtering = false
			m.filter.Blur()
			m.user = strings.TrimSpace(m.filter.Value())
			m.list.reset()
			return m.load(false)
		case key.Matches(msg, k.Clear):
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue(m.user)
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return cmd
	}
	if m.open != nil {
		if key.Matches(msg, k.Back) {
			m.open = nil
		}
		return nil
	}
	if cmd, ok := m.list.move(k.nav, msg, m.load); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.Clear):
		if m.user != "" {
			m.user = ""
			m.filter.SetValue("")
			m.list.reset()
			return m.load(false)
		}
	case key.Matches(msg, k.Open):
		if e, ok := m.list.current(); ok {
			m.open = &e
		}
	case key.Matches(msg, k.Reload):
		return m.load(false)
	}
	return nil
}

func (m *auditView) View() string {
	st := m.s.styles
	var b strings.Builder
	if m.open != nil {
		e := m.open
		b.WriteString(st.Title.Render(fmt.Sprintf("Change %d", e.ID)))
		b.WriteString("\n")
		for _, kv := range [][2]string{{"When", when(e.At)}, {"Who", e.Actor}, {"Through", e.Channel},
			{"What", e.Action}, {"To whom", e.Target}} {
			b.WriteString(st.Label.Render(fit(kv[0], 9)) + " " + clean(kv[1]) + "\n")
		}
		b.WriteString(jsonBlock(st, "Before", e.Before, m.width))
		b.WriteString(jsonBlock(st, "After", e.After, m.width))
		return b.String()
	}
	b.WriteString(st.Title.Render("Audit"))
	b.WriteString(st.Subtle.Render("  newest first · "))
	switch {
	case m.filtering:
		b.WriteString(st.input(m.filter))
	case m.user != "":
		b.WriteString(st.Bold.Render("user " + clean(m.user)))
	default:
		b.WriteString(st.Faint.Render("f filters by user"))
	}
	if m.list.loading {
		b.WriteString(st.Faint.Render(" · reading…"))
	}
	b.WriteString("\n")
	aw, cw := 16, 5
	rest := max(30, m.width-aw-cw-8)
	actW, whoW := rest*25/100, rest*30/100
	tgtW := rest - actW - whoW
	b.WriteString(st.ColHead.Render(cut("  "+fit("When", aw)+" "+fit("Who", whoW)+" "+fit("Via", cw)+" "+fit("What", actW)+" "+
		fit("To whom", tgtW), m.width)))
	b.WriteString("\n")
	if m.list.err != "" {
		b.WriteString(st.Error.Render(cut(m.list.err, m.width)) + "\n")
	}
	if len(m.list.rows) == 0 && !m.list.loading {
		b.WriteString(st.Subtle.Render("  Nothing recorded.") + "\n")
	}
	from, to := m.list.nav.visible()
	for i := from; i < to && i < len(m.list.rows); i++ {
		e := m.list.rows[i]
		line := fit(when(e.At), aw) + " " + fit(clean(e.Actor), whoW) + " " + fit(e.Channel, cw) + " " + fit(e.Action, actW) + " " +
			fit(clean(e.Target), tgtW)
		if i == m.list.nav.cur {
			b.WriteString(st.Selected.Render("▸ "+cut(line, m.width-2)) + "\n")
		} else {
			b.WriteString("  " + cut(line, m.width-2) + "\n")
		}
	}
	return b.String()
}

// jsonBlock shows a before/after value as key: value lines.
func jsonBlock(st Styles, title, raw string, width int) string {
	if raw == "" {
		return ""
	}
	var v map[string]any
	var b strings.Builder
	b.WriteString("\n" + st.ColHead.Render(title) + "\n")
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		b.WriteString(cut("  "+clean(raw), width) + "\n")
		return b.String()
	}
	for _, k := range sortedKeys(v) {
		b.WriteString(cut("  "+st.Label.Render(k+":")+" "+clean(fmt.Sprint(v[k])), width) + "\n")
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
