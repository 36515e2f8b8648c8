package tui

import (
	"bytes"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"roster/store"
)

// NO_COLOR leaves no colour in what the screens draw, and the selection still
// shows (reverse video).
func TestNoColor(t *testing.T) {
	var w bytes.Buffer
	colour := lipgloss.NewRenderer(&w, termenv.WithTTY(true), termenv.WithEnvironment(env{"TERM": "xterm-256color", "COLORTERM": "truecolor"}))
	plain := lipgloss.NewRenderer(&w, termenv.WithTTY(true), termenv.WithEnvironment(env{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}))
	must(t, strings.Contains(DefaultStyles(colour).Error.Render("x"), "38;"), "colour expected without NO_COLOR")
	st := DefaultStyles(plain)
	for _, s := range []string{st.Error.Render("x"), st.OK.Render("x"), st.Title.Render("x"), st.Selected.Render("x")} {
		must(t, !strings.Contains(s, "38;") && !strings.Contains(s, "48;"), "colour drawn with NO_COLOR: %q", s)
	}
}

type env map[string]string

func (e env) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

func (e env) Getenv(k string) string { return e[k] }

// Number keys and tab switch screens, ? shows the full help, the mouse wheel
// moves the cursor, and a resize reflows.
func TestRouterKeysHelpMouseResize(t *testing.T) {
	f := newFixture(t)
	f.addMany(50)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = drive(m, func() tea.Msg { return keyMsg("3") })
	must(t, r.active == pendingScreen, "3 opens Pending, not %d", r.active)
	m = drive(m, func() tea.Msg { return tea.KeyMsg{Type: tea.KeyShiftTab} })
	must(t, r.active == inviteScreen, "shift+tab goes back to Invite, not %d", r.active)
	// The Invite form has the keyboard: esc leaves it, then tab switches again.
	m = drive(m, func() tea.Msg { return tea.KeyMsg{Type: tea.KeyEsc} })
	m = drive(m, func() tea.Msg { return tea.KeyMsg{Type: tea.KeyShiftTab} })
	must(t, r.active == usersScreen, "shift+tab goes back to Users, not %d", r.active)
	m = drive(m, func() tea.Msg { return keyMsg("?") })
	v := m.View()
	must(t, strings.Contains(v, "status filter") && strings.Contains(v, "password reset"), "full help: %s", v)
	must(t, strings.Count(v, "\n") == 29, "the frame is the window's height: %d lines", strings.Count(v, "\n")+1)
	u := r.screens[usersScreen].(*users)
	m = drive(m, func() tea.Msg {
		return tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}
	})
	m = drive(m, func() tea.Msg {
		return tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}
	})
	must(t, u.cur == 2, "the wheel moved the cursor to %d", u.cur)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 70, Height: 20})
	v = m.View()
	for i, l := range strings.Split(v, "\n") {
		must(t, lipgloss.Width(l) <= 70, "line %d is %d wide after the resize: %q", i, lipgloss.Width(l), l)
	}
	must(t, strings.Count(v, "\n") == 19, "the frame follows the new height: %d lines", strings.Count(v, "\n")+1)
	_ = store.Active
}
