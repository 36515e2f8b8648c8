package admin

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// TestBacklogCountsWhatWaits: Backlog counts the outbox's queued, sending,
// deferred and failed mail by kind, never the sent or cancelled, and the
// invitations roster invites --stuck lists, as the mail moves and time
// passes; it agrees with Stuck at each step.
func TestBacklogCountsWhatWaits(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "ann@example.com"}, {Email: "bob@example.com"},
		{Email: "cat@example.com"}, {Email: "dan@example.com"}}, InviteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SendReset(f.ctx, f.owner, ownerEmail); err != nil {
		t.Fatal(err)
	}
	check := func(step, want string, stuck int) {
		t.Helper()
		b, err := f.svc.Backlog(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, state := range store.BacklogStates() {
			for _, kind := range store.MailKinds() {
				if n := b.Outbox[[2]string{state, kind}]; n > 0 {
					got = append(got, fmt.Sprintf("%s %s %d", state, kind, n))
				}
			}
		}
		if strings.Join(got, ", ") != want || b.StuckInvitations != stuck {
			t.Errorf("%s: outbox %q, %d stuck; want %q, %d", step, strings.Join(got, ", "), b.StuckInvitations, want, stuck)
		}
		listed, err := f.svc.Stuck(f.ctx, f.owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(listed) != b.StuckInvitations {
			t.Errorf("%s: %d stuck counted, %d listed", step, b.StuckInvitations, len(listed))
		}
	}
	check("queued", "queued invitation 4, queued password_reset 1", 0)
	for _, q := range []string{
		`UPDATE outbox SET state = 'sending' WHERE recipient = 'ann@example.com'`,
		`UPDATE outbox SET state = 'deferred' WHERE recipient = 'bob@example.com'`,
		`UPDATE outbox SET state = 'failed' WHERE recipient = 'cat@example.com'`,
		`UPDATE outbox SET state = 'sent' WHERE recipient IN ('dan@example.com', '` + ownerEmail + `')`,
	} {
		if _, err := f.raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	check("moved", "sending invitation 1, deferred invitation 1, failed invitation 1", 2)
	f.advance(49 * time.Hour) // every invitation expired
	check("expired", "sending invitation 1, deferred invitation 1, failed invitation 1", 4)
	if err := f.svc.Ready(f.ctx); err != nil {
		t.Errorf("Ready: %v", err)
	}
}
