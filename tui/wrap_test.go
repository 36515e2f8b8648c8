package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A captured message wraps on words at the screen's width; a link longer
// than the width is broken, not cut.
func TestCapturedMailWrapsOnWords(t *testing.T) {
	f := newFixture(t)
	link := "http://localhost:8080/invite/a-token-longer-than-the-screen-is-wide"
	text := "Hello Bob, Olive Owner invited you to join Acme and Fils on roster: accept before Thursday."
	f.capture("bob@example.com", "Your invitation", text+"\n"+link)
	m := newMail(f.session())
	m.SetSize(40, 30)
	driveScreen(m, m.Init())
	driveScreen(m, m.key(keyMsg("c")))
	driveScreen(m, m.key(keyMsg("enter")))
	view := ansi.Strip(m.View())
	lines := strings.Split(view, "\n")
	for _, w := range strings.Fields(text) {
		must(t, strings.Contains(view, w), "%q is broken across lines:\n%s", w, view)
	}
	for _, l := range lines {
		must(t, ansi.StringWidth(l) <= 40, "%q is wider than the screen", l)
	}
	must(t, strings.Contains(strings.ReplaceAll(view, "\n", ""), link), "the link is not whole:\n%s", view)
}
