package tui

import (
	"errors"
	"strings"
	"testing"

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
