package admin

import (
	"testing"
	"time"
)

// The counts are shared between callers, but never outlive a change made by
// anyone (another process here: a raw connection), nor the time that makes an
// invitation expire.
func TestSummaryFollowsEveryChange(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com", "member")
	sum, err := f.svc.Summary(f.ctx, f.owner)
	if err != nil || sum.Invited != 1 || sum.Expired != 0 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	// Another process changes the database. On PostgreSQL it sends the
	// notice another node's write sends (a bare statement sends none), which
	// comes a moment after the commit.
	f.exec("UPDATE users SET status = 'deactivated' WHERE email = 'ann@example.com'")
	if f.st.Postgres() {
		f.exec("SELECT pg_notify('roster_changes', current_schema())")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if sum, _ = f.svc.Summary(f.ctx, f.owner); sum.Invited == 0 && sum.Deactivated == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after another process's change: %+v", sum)
		}
	}
	// This service changes it.
	f.invite("bob@example.com", "member")
	if sum, _ = f.svc.Summary(f.ctx, f.owner); sum.Invited != 1 {
		t.Fatalf("after an invitation: %+v", sum)
	}
	// Nothing changes but the time: bob's invitation expires.
	f.advance(49 * time.Hour)
	if sum, _ = f.svc.Summary(f.ctx, f.owner); sum.Expired != 1 {
		t.Fatalf("after 49 hours: %+v", sum)
	}
	// A member may not read it, cached or not.
	f.addUser("mia@example.com", "member", "active")
	if _, err := f.svc.Summary(f.ctx, as("mia@example.com")); err == nil {
		t.Fatal("a member read the summary")
	}
}
