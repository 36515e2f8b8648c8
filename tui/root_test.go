package tui

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"roster/store"
)

// NO_COLOR (the program's ASCII colour profile) leaves no colour in what the
// dashboard draws, and the selection still shows (reverse video); with
// colour, the selection is a background colour.
func TestNoColor(t *testing.T) {
	f := newFixture(t)
	f.addMany(3)
	for _, c := range []struct {
		profile colorprofile.Profile
		colour  bool
	}{{colorprofile.Ascii, false}, {colorprofile.TrueColor, true}} {
		tm := teatest.NewTestModel(t, New(f.ctx, f.options(owner)), teatest.WithInitialTermSize(130, 40),
			teatest.WithProgramOptions(tea.WithColorProfile(c.profile)))
		var out []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			out = b
			return bytes.Contains(out, []byte("user0002@example.com"))
		}, teatest.WithDuration(10*time.Second))
		tm.Quit()
		if c.colour {
			must(t, bytes.Contains(out, []byte("48;2;")), "the selection is not drawn in a background colour")
			continue
		}
		must(t, !bytes.Contains(out, []byte("38;")) && !bytes.Contains(out, []byte("48;")), "colour drawn without colour")
		must(t, bytes.Contains(out, []byte("\x1b[7m")) || bytes.Contains(out, []byte(";7m")), "the selection is not in reverse video")
	}
}

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
	m = drive(m, func() tea.Msg { return keyMsg("shift+tab") })
	must(t, r.active == inviteScreen, "shift+tab goes back to Invite, not %d", r.active)
	// The Invite form has the keyboard: esc leaves it, then tab switches again.
	m = drive(m, func() tea.Msg { return tea.KeyPressMsg{Code: tea.KeyEscape} })
	m = drive(m, func() tea.Msg { return keyMsg("shift+tab") })
	must(t, r.active == usersScreen, "shift+tab goes back to Users, not %d", r.active)
	m = drive(m, func() tea.Msg { return keyMsg("?") })
	v := m.View().Content
	must(t, strings.Contains(v, "status filter") && strings.Contains(v, "password reset"), "full help: %s", v)
	must(t, strings.Count(v, "\n") == 29, "the frame is the window's height: %d lines", strings.Count(v, "\n")+1)
	u := r.screens[usersScreen].(*users)
	m = drive(m, func() tea.Msg {
		return tea.MouseWheelMsg{Button: tea.MouseWheelDown}
	})
	m = drive(m, func() tea.Msg {
		return tea.MouseWheelMsg{Button: tea.MouseWheelDown}
	})
	must(t, u.nav.cur == 2, "the wheel moved the cursor to %d", u.nav.cur)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 70, Height: 20})
	v = m.View().Content
	for i, l := range strings.Split(v, "\n") {
		must(t, lipgloss.Width(l) <= 70, "line %d is %d wide after the resize: %q", i, lipgloss.Width(l), l)
	}
	must(t, strings.Count(v, "\n") == 19, "the frame follows the new height: %d lines", strings.Count(v, "\n")+1)
	_ = store.Active
}

// The colours follow the terminal's background: dark until it says, light
// once it says it is light.
func TestBackgroundPicksTheColours(t *testing.T) {
	f := newFixture(t)
	var m tea.Model = New(f.ctx, f.options(owner))
	m = drive(m, m.Init()) // New starts the first reads: let them end before the database is removed
	r := m.(*Model)
	title := func() string { return fmt.Sprint(r.s.styles.Title.GetForeground()) }
	dark, light := fmt.Sprint(DefaultStyles(true).Title.GetForeground()), fmt.Sprint(DefaultStyles(false).Title.GetForeground())
	must(t, dark != light && title() == dark, "before the terminal says: %s, want the dark %s", title(), dark)
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	must(t, title() == light, "on a white background: %s, want the light %s", title(), light)
	m.Update(tea.BackgroundColorMsg{Color: color.Black})
	must(t, title() == dark, "on a black background: %s, want the dark %s", title(), dark)
}
