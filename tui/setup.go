package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
)

// setupScreen is the first run on an empty database: it asks for the
// organisation's name and its owner, then creates the account.
type setupScreen struct {
	s      *session
	form   form
	width  int
	height int
	err    string
	busy   bool
}

type setupDoneMsg struct{ owner string }

type setupErrMsg struct{ err error }

func newSetup(s *session) *setupScreen {
	p := s.p
	f := form{keys: formKeysIn(p, p.T("create the account"))}
	f.fields = []*field{
		s.newField(p.T("Organisation"), "Acme", 100),
		s.newField(p.T("Owner's email"), "you@example.com", 254),
		s.newField(p.T("First name"), "", 100),
		s.newField(p.T("Last name"), "", 100),
	}
	f.fields[1].hint = p.T("you: the first owner, who can do everything")
	f.activate(0)
	return &setupScreen{s: s, form: f}
}

func (m *setupScreen) Init() tea.Cmd { return nil }

func (m *setupScreen) SetSize(w, h int) { m.width, m.height = w, h }

func (m *setupScreen) Dirty() bool { return m.form.dirty() }

func (m *setupScreen) Update(msg tea.Msg) (*setupScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case setupErrMsg:
		m.busy = false
		m.err = m.s.explain(msg.err)
		// The cursor goes to the field the error is about.
		var in *admin.InputError
		if errors.As(msg.err, &in) {
			i := -1
			switch {
			case strings.Contains(in.Field, "organisation"):
				i = 0
			case in.Field == "email":
				i = 1
			case in.Field == "first name":
				i = 2
			case in.Field == "last name":
				i = 3
			}
			if i >= 0 {
				m.form.fields[i].err = in.Says(m.s.p)
				m.form.focusOn(i)
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy {
			return m, nil
		}
		last := m.form.focus == len(m.form.fields)-1
		if key.Matches(msg, m.form.keys.Save) || (msg.String() == "enter" && last) {
			return m, m.submit()
		}
		_, cmd := m.form.update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *setupScreen) submit() tea.Cmd {
	for _, f := range m.form.fields {
		f.err = ""
	}
	org, email := m.form.fields[0].value(), m.form.fields[1].value()
	first, last := m.form.fields[2].value(), m.form.fields[3].value()
	if org == "" {
		m.form.fields[0].err = m.s.p.T("is needed")
		m.form.focusOn(0)
		return nil
	}
	if email == "" {
		m.form.fields[1].err = m.s.p.T("is needed")
		m.form.focusOn(1)
		return nil
	}
	m.busy, m.err = true, ""
	svc, channel := m.s.svc, m.s.actor.Channel
	return m.s.do(func(ctx context.Context) tea.Msg {
		if err := svc.Init(ctx, org, email, first, last, channel); err != nil {
			return setupErrMsg{err}
		}
		norm, _ := admin.NormalizeEmail(email)
		return setupDoneMsg{owner: norm}
	})
}

func (m *setupScreen) View() string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	b.WriteString(st.Title.Render(p.T("Welcome to roster")))
	b.WriteString("\n\n")
	b.WriteString(st.Subtle.Render(cut(p.T("This database has no account yet. Name your organisation and its first owner."), m.width)))
	b.WriteString("\n\n")
	b.WriteString(m.form.view(st, 14, m.width))
	b.WriteString("\n")
	switch {
	case m.busy:
		b.WriteString(st.Subtle.Render(p.T("Creating the account…")))
	case m.err != "":
		b.WriteString(st.Error.Render(cut(m.err, m.width)))
	default:
		b.WriteString(st.Faint.Render(cut(p.T("tab/↓ next field · ctrl+s or enter on the last field: create the account · ctrl+c quit"), m.width)))
	}
	return b.String()
}
