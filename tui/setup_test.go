package tui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
)

// A refused owner (here a role mailbox) puts the cursor on the owner's
// email, where the error is shown, not on the last field typed.
func TestSetupErrorFocusesItsField(t *testing.T) {
	f := newEmpty(t)
	m := newSetup(f.session())
	for i, v := range []string{"Acme", "info@acme.test", "Ivy", "Info"} {
		m.form.fields[i].input.SetValue(v)
	}
	m.form.focusOn(3)
	m, cmd := m.Update(keyMsg("enter"))
	must(t, cmd != nil, "enter on the last field creates the account")
	m, _ = m.Update(cmd())
	_, err := f.svc.Account(f.ctx)
	must(t, errors.Is(err, admin.ErrNoAccount), "no account was created: %v", err)
	must(t, m.form.fields[1].err != "", "the error is beside the owner's email")
	must(t, m.form.focus == 1, "the cursor is on field %d (%s), want the owner's email", m.form.focus, m.form.fields[m.form.focus].label)
	must(t, strings.Contains(ansi.Strip(m.View()), "▸ Owner's email"), "the owner's email is marked as focused:\n%s", m.View())
	// Typing goes into the email field: corrected, the account is created.
	m, _ = m.Update(keyMsg("ctrl+u"))
	m, _ = m.Update(keyMsg("ivy@acme.test"))
	m.form.focusOn(3)
	_, cmd = m.Update(keyMsg("enter"))
	_, done := cmd().(setupDoneMsg)
	must(t, done, "the corrected owner is accepted")
	must(t, f.user("ivy@acme.test").Role == "owner", "ivy is the owner")
}

// A key typed while the first run creates the account waits for the
// dashboard it opens: 2 typed straight after enter opens Invite. The setup
// form dropped it.
func TestSetupKeyTypedWhileTheAccountIsCreated(t *testing.T) {
	f := newEmpty(t)
	var m tea.Model = New(f.ctx, f.options(""))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drive(m, m.Init())
	r := m.(*Model)
	must(t, r.setup != nil, "no setup on an empty database")
	m = press(m, "Acme", "tab", "olive@acme.test", "tab", "Olive", "tab", "Owner")
	_, create := m.Update(keyMsg("enter"))
	_, cmd := m.Update(keyMsg("2"))
	must(t, cmd == nil, "2 acted before the account was created")
	drive(m, create)
	must(t, r.setup == nil && f.user("olive@acme.test").Role == "owner", "the account was not created")
	must(t, r.active == inviteScreen, "2 typed while the account was created left screen %d, want Invite", r.active)
}
