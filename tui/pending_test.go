package tui

import (
	"fmt"
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

// Pending reads its first page of the most urgent invitations, not every
// pending one (seconds at a million users).
func TestPendingReadsTheFirstPage(t *testing.T) {
	f := newFixture(t)
	f.invite("first@example.com")
	f.exec(`UPDATE outbox SET state = 'failed' WHERE recipient = 'first@example.com'`)
	// More invitations than a page, written as another process would.
	now := f.svc.Now().Unix()
	f.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
		INSERT INTO users (email, email_key, sort_name, role, status, created_at, updated_at)
		SELECT 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'bulk' || i, 'member', 'invited', ?2, ?2 FROM n`,
		pendingFirstPage+100, now)
	f.exec(`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at)
		SELECT id, 'invite', randomblob(32), ?1, ?1 + 3600 FROM users WHERE email LIKE 'bulk%'`, now)
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, strings.Contains(v, fmt.Sprintf("%d shown", pendingFirstPage)), "not the first page:\n%s", v)
	must(t, strings.Contains(v, "first@example.com"), "the most urgent is not first:\n%s", v)
}
