package tui

import (
	"strings"
	"testing"
	"time"
)

// After s, the title still says what the rows shown are until the stuck
// ones are read; then both change together.
func TestPendingTitleFollowsTheRows(t *testing.T) {
	f := newFixture(t)
	f.invite("old@example.com")
	f.advance(49 * time.Hour) // expired: stuck
	f.invite("fresh@example.com")
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, strings.Contains(v, "Pending invitations") && strings.Contains(v, "2 shown"), "every pending invitation:\n%s", v)

	_, cmd := m.Update(keyMsg("s"))
	v = m.View()
	must(t, !strings.Contains(v, "Stuck invitations"), "the stuck title over rows that are not the stuck ones:\n%s", v)
	must(t, strings.Contains(v, "Pending invitations") && strings.Contains(v, "fresh@example.com") &&
		strings.Contains(v, "reading the stuck ones…"), "the rows shown, and what is being read:\n%s", v)

	driveScreen(m, cmd)
	v = m.View()
	must(t, strings.Contains(v, "Stuck invitations") && strings.Contains(v, "1 shown") && !strings.Contains(v, "fresh@example.com"),
		"the stuck ones, under their title:\n%s", v)
	stuck, _ := f.svc.Invitations(f.ctx, f.op, true)
	must(t, len(stuck) == 1 && stuck[0].Email == "old@example.com", "the store's stuck ones: %v", stuck)
}
