package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// L speaks the other language: the tabs, the column heads and the rows'
// words change, the screen shown and its place stay; L again goes back.
func TestLangSwitch(t *testing.T) {
	f := newFixture(t)
	people(f)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	m = drive(m, m.Init())
	m = press(m, "j")
	frame := func() string { return ansi.Strip(m.(*Model).frame()) }
	must(t, strings.Contains(frame(), "▸ Bruno Away"), "the cursor is on Bruno:\n%s", frame())
	m = press(m, "L")
	fr := frame()
	for _, w := range []string{"1 Utilisateurs", "2 Inviter", "E-mail", "Statut", "Connexion", "Désactivé", "▸ Bruno Away"} {
		must(t, strings.Contains(fr, w), "after L, %q is not shown:\n%s", w, fr)
	}
	must(t, !strings.Contains(fr, "1 Users"), "after L, the tabs are still English:\n%s", fr)
	m = press(m, "L")
	fr = frame()
	for _, w := range []string{"1 Users", "Email", "Status", "Last login", "Deactivated", "▸ Bruno Away"} {
		must(t, strings.Contains(fr, w), "after L again, %q is not shown:\n%s", w, fr)
	}
	// On a user's page, L keeps the page: read again, in French; esc goes
	// back to the list, its cursor where it was.
	m = press(m, "enter", "L")
	fr = frame()
	must(t, strings.Contains(fr, "Bruno Away <bruno.away@example.com>") && strings.Contains(fr, "Prénom") &&
		strings.Contains(fr, "remplaçant ann.active@example.com"), "after L, Bruno's page is not shown in French:\n%s", fr)
	m = press(m, "esc")
	fr = frame()
	must(t, strings.Contains(fr, "▸ Bruno Away") && strings.Contains(fr, "Nom "), "back from the page, the list is not in French at Bruno:\n%s", fr)
}

// With a form changed, L refuses and says why; nothing typed is lost.
func TestLangSwitchKeepsChanges(t *testing.T) {
	f := newFixture(t)
	people(f)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	m = drive(m, m.Init())
	m = press(m, "enter", "e", "end", "x", "esc", "L")
	fr := ansi.Strip(m.(*Model).frame())
	must(t, strings.Contains(fr, "Save or discard your changes first, then press L again."), "L with a change does not refuse:\n%s", fr)
	must(t, strings.Contains(fr, "Annx") && strings.Contains(fr, "1 Users"), "the change or the language is lost:\n%s", fr)
	// In French, the refusal is French.
	m = press(m, "ctrl+s", "esc", "L", "enter", "e", "end", "y", "esc", "L")
	fr = ansi.Strip(m.(*Model).frame())
	must(t, strings.Contains(fr, "Enregistrez ou abandonnez d'abord vos modifications") && strings.Contains(fr, "Annxy"),
		"L in French with a change does not refuse in French:\n%s", fr)
}
