package store

import (
	"context"
	"testing"
)

// A database made before migration 006 gets its pending invitations and its
// counts computed when it is opened.
func TestMigrationComputesPendingAndCounts(t *testing.T) {
	ctx := context.Background()
	st := olderStore(t, 5,
		`INSERT INTO users (id, email, email_key, sort_name, role, status, created_at, updated_at, last_login_at) VALUES
			(1, 'a@x.test', 'a@x.test', 'a', 'owner', 'active', 0, 0, 5), (2, 'b@x.test', 'b@x.test', 'b', 'member', 'invited', 0, 0, 0),
			(3, 'c@x.test', 'c@x.test', 'c', 'member', 'invited', 0, 0, 0), (4, 'd@x.test', 'd@x.test', 'd', 'member', 'staged', 0, 0, 0)`,
		`INSERT INTO tokens (id, user_id, kind, hash, created_at, expires_at) VALUES
			(1, 2, 'invite', x'01', 0, 100), (2, 3, 'invite', x'02', 0, 50), (3, 3, 'invite', x'03', 60, 500)`,
		`INSERT INTO outbox (kind, user_id, token_id, recipient, locale, data, message_id, state, next_attempt_at, give_up_at, created_at)
			VALUES ('invitation', 2, 1, 'b@x.test', 'en', '{}', 'm1', 'failed', 0, 0, 0)`,
	)

	p, err := st.Read().PendingInvitations(ctx, PendingQuery{Now: fromUnix(200)})
	must(t, err)
	var got []string
	for _, in := range p.Invitations {
		got = append(got, in.Email+" "+in.MailState)
	}
	if want := "[b@x.test failed c@x.test ]"; len(got) != 2 || "["+got[0]+" "+got[1]+"]" != want {
		t.Errorf("pending %q, want %s", got, want)
	}
	sum, err := st.Read().Summary(ctx, fromUnix(200))
	must(t, err)
	if want := (Summary{Total: 4, Active: 1, Staged: 1, Invited: 2, Expired: 1, NeverLoggedIn: 2}); sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
}
