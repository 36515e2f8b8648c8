package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"roster/store"
)

// start runs the dashboard's model without a program, at a fixed size.
func (f *fixture) start() (*Model, tea.Model) {
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 130, Height: 40})
	m = drive(m, m.Init())
	return m.(*Model), m
}

// press drives the model with keys by name, each to its end.
func press(m tea.Model, keys ...string) tea.Model {
	for _, k := range keys {
		m = drive(m, func() tea.Msg { return keyMsg(k) })
	}
	return m
}

// Once the rows are sent, the form lets go of the keyboard: the number keys
// and tab switch screens again, and enter goes back to editing.
func TestInviteSubmitReleasesKeyboard(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	m = press(m, "2", "Ann", "tab", "Archer", "tab", "ann@example.com")
	inv := r.screens[inviteScreen].(*invite)
	must(t, inv.Capturing(), "the form has the keyboard while the rows are typed")
	m = press(m, "ctrl+s")
	must(t, f.user("ann@example.com").Status == store.Invited, "ann is invited")
	must(t, !inv.Capturing(), "after ctrl+s the form still has the keyboard")
	m = press(m, "3")
	must(t, r.active == pendingScreen, "3 after the submission opens Pending, not screen %d", r.active)
	m = press(m, "2", "enter")
	must(t, r.active == inviteScreen && inv.Capturing(), "enter edits the rows again")
	press(m, "Bea")
	must(t, inv.rows[0].value(cFirst) == "Bea", "the first name of the new row: %q", inv.rows[0].value(cFirst))
}
