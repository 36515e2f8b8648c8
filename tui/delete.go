package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/store"
)

// deletion is the Delete screen: what the user owns, the heir who receives
// it, a confirmation that names the user, and "Transfer and delete";
// deactivating, which can be undone, is offered beside it.
type deletion struct {
	s      *session
	keys   deleteKeys
	width  int
	height int
	oneUser

	heir    *picker // choosing the heir
	form    form
	busy    bool
	confirm *confirmation
	perms   map[string]bool
	duties  []admin.StandInDuty // the user's stand-in duties, which go to the heir
	paid    time.Time           // the user's seat stays paid until then, with no credit
}

type deleteKeys struct {
	form                                  formKeys
	Edit, Deactivate, Other, Back, Delete key.Binding
}

const (
	dHeir = iota
	dConfirm
)

const (
	deletePicker = 4
	heirPicker   = 5
)

type (
	deleteDoneMsg struct {
		seq     int
		note    string
		deleted bool
		err     error
	}
	dutiesMsg struct {
		email  string
		duties []admin.StandInDuty
		paid   time.Time // the seat stays paid until then
		err    error
	}
)

func newDelete(s *session) *deletion {
	m := &deletion{s: s, oneUser: oneUser{screen: deleteScreen}, keys: deleteKeys{
		form:       newFormKeys("transfer and delete"),
		Edit:       key.NewBinding(key.WithKeys("enter", "e", "i"), key.WithHelp("enter", "fill in the form")),
		Delete:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "transfer and delete")),
		Deactivate: key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "deactivate instead")),
		Other:      key.NewBinding(key.WithKeys("u", "/"), key.WithHelp("u", "another user")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}}
	m.form = form{keys: m.keys.form}
	m.form.fields = []*field{
		dHeir:    s.newField("Heir", "enter to choose who inherits", 254),
		dConfirm: s.newField("Confirm", "type the user's email", 254),
	}
	m.form.fields[dHeir].hint = "enter: find an active user"
	return m
}

func (m *deletion) Init() tea.Cmd {
	if m.email == "" {
		return m.choose()
	}
	return m.load()
}

// OpenUser prepares the deletion of email.
func (m *deletion) OpenUser(email string) tea.Cmd {
	if email != m.email {
		for _, f := range m.form.fields {
			f.set("")
		}
	}
	m.email, m.picker, m.heir, m.user, m.note, m.err = email, nil, nil, nil, "", ""
	m.form.deactivate()
	m.form.focusOn(dHeir) // enter, i or a letter edits it
	return m.load()
}

func (m *deletion) choose() tea.Cmd {
	return m.oneUser.choose(m.s, deletePicker, "whom to delete? type a name or an email")
}

func (m *deletion) load() tea.Cmd {
	email, svc, a := m.email, m.s.svc, m.s.actor
	return tea.Batch(m.read(m.s), m.s.do(func(ctx context.Context) tea.Msg {
		d, err := svc.StandInDuties(ctx, a, email)
		if err != nil {
			return dutiesMsg{email: email, err: err}
		}
		paid, err := svc.SeatPaidUntil(ctx, a, email)
		return dutiesMsg{email, d, paid, err}
	}))
}

func (m *deletion) SetSize(w, h int) { m.width, m.height = w, h }

func (m *deletion) Capturing() bool {
	return m.choosing() || m.heir != nil || m.form.active || m.confirm != nil
}

func (m *deletion) Dirty() bool { return false }

func (m *deletion) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.picker != nil, m.heir != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case m.form.active:
		return []key.Binding{k.form.NextField, k.Delete, k.Deactivate, k.form.Leave}
	}
	return []key.Binding{k.Edit, k.Delete, k.Deactivate, k.Other, k.Back}
}

func (m *deletion) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Edit, k.form.NextField, k.form.PrevField, k.form.Leave}, {k.Delete, k.Deactivate, k.Other, k.Back}}
}

func (m *deletion) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if m.picker != nil {
		if cmd, ok := m.pickUser(msg, m.OpenUser); ok {
			return m, cmd
		}
	}
	if m.heir != nil {
		if cmd, ok := pickInto(&m.heir, &m.form, dHeir, msg, m.replay); ok {
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case operatorMsg:
		m.perms = msg.perms
	case userMsg:
		if !m.current(msg) {
			return m, nil
		}
		if msg.err != nil {
			var nf *admin.NotFoundError
			if errors.As(msg.err, &nf) && m.note != "" {
				return m, nil // just deleted
			}
			m.err = explain(msg.err)
		} else {
			m.user = msg.user
		}
		return m, m.replayHeld(m.replay)
	case dutiesMsg:
		if msg.email == m.email && msg.err == nil {
			m.duties, m.paid = msg.duties, msg.paid
		}
	case deleteDoneMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			m.err = explain(msg.err)
			var in *admin.InputError
			if errors.As(msg.err, &in) && in.Field == "heir" {
				m.form.fields[dHeir].err = in.Msg
			}
			return m, nil
		}
		m.note = msg.note
		if msg.deleted {
			m.user, m.email = nil, ""
			for _, f := range m.form.fields {
				f.set("")
			}
			m.form.deactivate()
			return m, nil
		}
		return m, m.load()
	case refreshMsg:
		if m.email != "" && !m.busy {
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// replay handles a key typed while the heir picker waited for results, or
// while the user picked was read.
func (m *deletion) replay(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func (m *deletion) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.confirm != nil {
		cmd := m.confirm.answer(msg)
		m.confirm = nil
		return cmd
	}
	if m.busy {
		return nil
	}
	if m.user != nil {
		switch {
		case key.Matches(msg, k.Delete):
			return m.delete()
		case key.Matches(msg, k.Deactivate):
			return m.deactivate()
		}
	}
	if m.form.active {
		switch {
		case key.Matches(msg, k.form.Leave):
			m.form.deactivate()
			return nil
		case m.form.focus == dHeir && msg.String() == "enter":
			m.heir = newPicker(m.s, heirPicker, "heir: a name or an email", false, "active")
			m.heir.exclude = m.email
			return m.heir.start()
		case m.form.focus == dConfirm && msg.String() == "enter":
			return m.delete()
		}
		changed, cmd := m.form.update(msg)
		if changed {
			m.form.fields[m.form.focus].err = ""
		}
		return cmd
	}
	m.note = ""
	switch {
	case key.Matches(msg, k.Other):
		return m.choose()
	case key.Matches(msg, k.Back):
		return m.s.open(usersScreen, "")
	case key.Matches(msg, k.Edit):
		if m.user != nil {
			m.form.activate(m.form.focus)
			if m.form.focus == dHeir && msg.String() == "enter" {
				return m.key(msg) // the heir is found with the picker
			}
		}
	case m.email != "" && startsEditing(msg):
		m.form.activate(m.form.focus)
		return m.key(msg)
	}
	return nil
}

func (m *deletion) delete() tea.Cmd {
	if why := may(m.perms, "users.delete", "delete users"); why != "" {
		m.err = why
		return nil
	}
	heir := m.form.fields[dHeir].value()
	if heir == "" {
		m.form.fields[dHeir].err = "is required: who inherits the conversations and automated replies?"
		m.form.activate(dHeir)
		return nil
	}
	if store.EmailKey(m.form.fields[dConfirm].value()) != store.EmailKey(m.user.Email) {
		m.form.fields[dConfirm].err = "type " + clean(m.user.Email) + " to confirm"
		m.form.activate(dConfirm)
		return nil
	}
	m.busy, m.err = true, ""
	m.seq++
	seq, email := m.seq, m.email
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		d, err := svc.Delete(ctx, a, email, heir)
		if err != nil {
			return deleteDoneMsg{seq: seq, err: err}
		}
		return deleteDoneMsg{seq: seq, deleted: true, note: fmt.Sprintf("Deleted %s: %s and %s went to %s.",
			d.Email, plural(int(d.Conversations), "conversation", "conversations"),
			plural(int(d.AutoReplies), "automated reply", "automated replies"), d.Heir)}
	})
}

func (m *deletion) deactivate() tea.Cmd {
	if why := may(m.perms, "users.delete", "deactivate users"); why != "" {
		m.err = why
		return nil
	}
	if m.user.Status == store.Deactivated {
		m.err = clean(m.user.Email) + " is already deactivated."
		return nil
	}
	email := m.email
	svc, a := m.s.svc, m.s.actor
	m.confirm = &confirmation{prompt: "Deactivate " + clean(email) + " instead? They cannot log in; x on the Users screen undoes it. y/n",
		yes: func() tea.Msg { return nil }}
	m.seq++
	seq := m.seq
	m.confirm.yes = m.s.do(func(ctx context.Context) tea.Msg {
		err := svc.Deactivate(ctx, a, email)
		return deleteDoneMsg{seq: seq, note: email + " is deactivated; nothing was deleted.", err: err}
	})
	return nil
}

func (m *deletion) View() string {
	st := m.s.styles
	if v, ok := m.chooserView(st, "Delete", "Press u to choose whom to delete, or d on the Users screen.", m.width); ok {
		return v
	}
	var b strings.Builder
	u := m.user
	b.WriteString(st.Title.Render(cut("Delete "+who(u.User), m.width)))
	b.WriteString(st.Subtle.Render("  " + u.Role + " · " + statusText(u.User)))
	b.WriteString("\n\n")
	open := 0
	for _, c := range u.Conversations {
		if c.Status == "open" {
			open++
		}
	}
	b.WriteString(st.Bold.Render(fmt.Sprintf("Owns %s (%d open) and %s", plural(len(u.Conversations), "conversation", "conversations"),
		open, plural(len(u.AutoReplies), "automated reply", "automated replies"))))
	b.WriteString("\n")
	shown := 0
	for _, c := range u.Conversations {
		if c.Status != "open" || shown == 5 {
			continue
		}
		shown++
		b.WriteString(cut("  conversation: "+clean(c.Subject), m.width) + "\n")
	}
	for i, r := range u.AutoReplies {
		if i == 5 {
			b.WriteString(st.Faint.Render("  … and "+plural(len(u.AutoReplies)-5, "more automated reply", "more automated replies")) + "\n")
			break
		}
		b.WriteString(cut("  automated reply: "+clean(r.Name), m.width) + "\n")
	}
	for _, d := range m.duties {
		b.WriteString(cut("  "+clean(d.String()), m.width) + "\n")
	}
	if !m.paid.IsZero() {
		b.WriteString(cut("  seat: stays paid until "+m.paid.Format(time.DateOnly)+", with no credit", m.width) + "\n")
	}
	b.WriteString(st.Subtle.Render(ansi.Wordwrap("Everything goes to the heir in the same step as the deletion; the audit trail stays.", m.width, "")))
	b.WriteString("\n\n")
	b.WriteString(m.form.view(st, 8, min(m.width, 90)))
	if m.heir != nil {
		b.WriteString("\n")
		b.WriteString(m.heir.view(st, m.width))
	}
	b.WriteString("\n")
	ready := m.form.fields[dHeir].value() != "" && store.EmailKey(m.form.fields[dConfirm].value()) == store.EmailKey(u.Email)
	button := "[ Transfer and delete ] ctrl+s"
	if ready {
		b.WriteString(st.Error.Render(button))
	} else {
		b.WriteString(st.Faint.Render(button))
	}
	b.WriteString("    ")
	b.WriteString(st.Subtle.Render("[ Deactivate instead ] ctrl+x"))
	b.WriteString("\n\n")
	b.WriteString(st.status(m.width, m.confirm, m.busy, "Working…", m.err, m.note))
	return b.String()
}
