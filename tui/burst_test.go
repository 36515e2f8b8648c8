package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Keys read together arrive as one message of several runes: each still
// acts, as if typed one at a time.
func TestKeysReadTogetherEachAct(t *testing.T) {
	f := newFixture(t)
	f.addMany(20)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drive(m, m.Init())
	r := m.(*Model)
	u := r.screens[usersScreen].(*users)
	m = drive(m, func() tea.Msg { return keyMsg("jjjj") })
	must(t, u.cur == 4, "jjjj moved the cursor to row %d, want 4", u.cur)
	m = drive(m, func() tea.Msg { return keyMsg("3s") })
	must(t, r.active == pendingScreen, "3s: the screen is %d, want Pending", r.active)
	must(t, r.screens[pendingScreen].(*pending).stuck, "3s: the s after 3 did not show the stuck invitations only")
	// Text fields still get every letter, in order.
	m = drive(m, func() tea.Msg { return keyMsg("2") })
	drive(m, func() tea.Msg { return keyMsg("ann@acme.test") })
	inv := r.screens[inviteScreen].(*invite)
	must(t, inv.rows[0].cells[cFirst].Value() == "ann@acme.test", "the first name field holds %q", inv.rows[0].cells[cFirst].Value())
}
