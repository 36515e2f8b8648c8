package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"roster/store"
)

// R on a user's page asks, then mails them a password reset link, as R on
// the list does.
func TestUserDetailPasswordReset(t *testing.T) {
	f := newFixture(t)
	f.addUser("bruno.blanc@example.com", "Bruno", "Blanc", "member", store.Active)
	m := f.usersScreen(30)
	driveScreen(m, m.Init())
	for i := 0; m.selected() != nil && m.selected().Email != "bruno.blanc@example.com" && i < 3; i++ {
		hit(m, "down")
	}
	must(t, m.selected() != nil && m.selected().Email == "bruno.blanc@example.com", "the cursor is not on bruno")
	hit(m, "enter")
	must(t, m.detail != nil && strings.Contains(ansi.Strip(m.View()), "Bruno Blanc"), "the page is not open:\n%s", m.View())

	hit(m, "R")
	must(t, strings.Contains(ansi.Strip(m.View()), "Send a password reset link to bruno.blanc@example.com? y/n"), "R asks nothing:\n%s", m.View())
	must(t, f.count(`SELECT count(*) FROM outbox WHERE kind = ?`, store.MailPasswordReset) == 0, "mailed before the answer")
	hit(m, "y")
	must(t, f.count(`SELECT count(*) FROM outbox WHERE kind = ? AND recipient = ?`, store.MailPasswordReset, "bruno.blanc@example.com") == 1, "no reset mail for bruno")
	must(t, m.detail != nil && strings.Contains(ansi.Strip(m.View()), "A password reset link is on its way to bruno.blanc@example.com."), "after y:\n%s", m.View())
}
