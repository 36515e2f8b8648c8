package store

import (
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"
)

// checkUserRows fails unless every user's row holds what a recount from the
// teams, tokens, away periods and branches gives (009_user_rows.sql's view,
// with 020's branches).
func checkUserRows(t *testing.T, st *Store, when string) {
	t.Helper()
	rows, err := st.Read().db.QueryContext(context.Background(), `SELECT u.email, u.teams, s.teams, u.invite_expires_at,
		s.invite_expires_at, u.away_spans, s.away_spans, u.branches, s.branches FROM users u JOIN user_row_source s ON s.user_id = u.id
		WHERE u.teams != s.teams OR u.invite_expires_at != s.invite_expires_at OR u.away_spans != s.away_spans
		OR u.branches != s.branches`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var email, teams, wantTeams, away, wantAway, branches, wantBranches string
		var exp, wantExp int64
		must(t, rows.Scan(&email, &teams, &wantTeams, &exp, &wantExp, &away, &wantAway, &branches, &wantBranches))
		t.Errorf("%s: %s's row has teams %q, invitation %d, away %q, branches %q; a recount %q, %d, %q, %q",
			when, email, teams, exp, away, branches, wantTeams, wantExp, wantAway, wantBranches)
	}
	must(t, rows.Err())
}

// What a listed row shows of a user's teams, invitation and away periods
// follows every change to them, in the transaction of the change: teams
// given, changed, renamed, removed; an invitation sent, resent, expired,
// voided, accepted; away periods set, changed, ended, deleted; a user
// deleted. Being away and an invitation's expiry are decided by the reader's
// clock: a period starting tomorrow is not away today.
func TestUserRowFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	ids := addTeams(t, st, "Sales", "Support")
	sales, support := ids[0], ids[1]
	ann := addUser(t, st, &User{Email: "ann@example.com", Teams: []string{"Support", "Sales"}})
	bob := addUser(t, st, &User{Email: "bob@example.com", Teams: []string{"Sales"}})
	cat := addUser(t, st, &User{Email: "cat@example.com", Status: Invited})
	write := func(fn func(q *Q) error) {
		t.Helper()
		must(t, st.Write(ctx, fn))
	}
	// read is the user as a listing shows them at t0+at, checked against
	// the recount.
	read := func(u *User, at time.Duration, when string) *User {
		t.Helper()
		checkUserRows(t, st, when)
		p, err := st.Read().ListUsers(ctx, ListQuery{Search: u.Email, Now: t0.Add(at)})
		must(t, err)
		if len(p.Users) != 1 {
			t.Fatalf("%s: %d users listed for %s", when, len(p.Users), u.Email)
		}
		return p.Users[0]
	}
	teams := func(u *User, when string, want ...string) {
		t.Helper()
		if got := read(u, 0, when).Teams; !slices.Equal(got, want) {
			t.Errorf("%s: %s in %q, want %q", when, u.Email, got, want)
		}
	}
	teams(ann, "ann added", "Sales", "Support")
	teams(bob, "bob added", "Sales")
	write(func(q *Q) error {
		u, err := q.UserByID(ctx, bob.ID, t0)
		if err != nil {
			return err
		}
		u.Teams = []string{"Support", "Sales"}
		return q.UpdateUser(ctx, u, u.Version)
	})
	teams(bob, "bob given Support", "Sales", "Support")
	write(func(q *Q) error { return q.RenameTeam(ctx, sales, "Ventes") })
	teams(ann, "Sales renamed", "Support", "Ventes")
	teams(bob, "Sales renamed", "Support", "Ventes")
	write(func(q *Q) error { return q.RemoveTeam(ctx, support) })
	teams(ann, "Support removed", "Ventes")

	invitation := func(at time.Duration, when string, expires time.Duration, expired bool) {
		t.Helper()
		u := read(cat, at, when)
		want := time.Time{}
		if expires != 0 {
			want = t0.Add(expires)
		}
		if !u.InviteExpiresAt.Equal(want) || u.Expired != expired {
			t.Errorf("%s: invitation expires %v, expired %v; want %v, %v", when, u.InviteExpiresAt, u.Expired, want, expired)
		}
	}
	send := func(n byte, expires time.Duration) func(q *Q) error {
		return func(q *Q) error {
			if err := q.VoidTokens(ctx, cat.ID, "invite", t0); err != nil {
				return err
			}
			sum := sha256.Sum256([]byte{n})
			return q.InsertToken(ctx, &Token{UserID: cat.ID, Kind: "invite", Hash: sum[:], CreatedAt: t0, ExpiresAt: t0.Add(expires)})
		}
	}
	invitation(0, "no invitation yet", 0, false)
	write(send(1, 48*time.Hour))
	invitation(0, "invited", 48*time.Hour, false)
	write(send(2, 72*time.Hour))
	invitation(0, "resent", 72*time.Hour, false)
	invitation(72*time.Hour, "expired", 72*time.Hour, true)
	write(func(q *Q) error { return q.VoidTokens(ctx, cat.ID, "", t0) })
	invitation(0, "voided", 0, false)
	write(send(3, 48*time.Hour))
	var tok *Token
	sum := sha256.Sum256([]byte{3})
	tok, err := st.Read().TokenByHash(ctx, sum[:])
	must(t, err)
	write(func(q *Q) error {
		if ok, err := q.ConsumeToken(ctx, tok.ID, tok.Hash, t0); err != nil || !ok {
			t.Fatalf("accept: %v %v", ok, err)
		}
		return nil
	})
	invitation(0, "accepted", 0, false)

	away := func(at time.Duration, when string, want bool, until time.Duration) {
		t.Helper()
		u := read(bob, at, when)
		wantUntil := time.Time{}
		if want && until != 0 {
			wantUntil = t0.Add(until)
		}
		if u.Away != want || !u.AwayUntil.Equal(wantUntil) {
			t.Errorf("%s (at +%v): away %v until %v, want %v until %v", when, at, u.Away, u.AwayUntil, want, wantUntil)
		}
	}
	leave := &AwayPeriod{UserID: bob.ID, Start: t0.Add(24 * time.Hour), End: t0.Add(48 * time.Hour), CreatedAt: t0}
	write(func(q *Q) error { return q.InsertAway(ctx, leave) })
	away(0, "leave from tomorrow", false, 0)
	away(25*time.Hour, "leave begun", true, 48*time.Hour)
	away(48*time.Hour, "leave over", false, 0)
	open := &AwayPeriod{UserID: bob.ID, Start: t0.Add(30 * time.Hour), CreatedAt: t0}
	write(func(q *Q) error { return q.InsertAway(ctx, open) })
	away(31*time.Hour, "leave with no end", true, 0)
	away(60*time.Hour, "leave with no end", true, 0)
	write(func(q *Q) error { return q.UpdateAwayEnd(ctx, leave.ID, t0.Add(26*time.Hour)) })
	away(25*time.Hour, "leave shortened", true, 26*time.Hour)
	away(27*time.Hour, "leave shortened", false, 0)
	write(func(q *Q) error { return q.UpdateAwayEnd(ctx, open.ID, t0.Add(40*time.Hour)) })
	away(35*time.Hour, "leave ended", true, 40*time.Hour)
	away(41*time.Hour, "leave ended", false, 0)
	write(func(q *Q) error { return q.DeleteAway(ctx, leave.ID) })
	away(25*time.Hour, "leave deleted", false, 0)
	away(35*time.Hour, "leave deleted", true, 40*time.Hour)

	write(func(q *Q) error { return q.DeleteUser(ctx, ann.ID) })
	teams(bob, "ann deleted", "Ventes")

	if st.Postgres() {
		return // Seed is SQLite's for now (see TestSeed)
	}
	st = openTemp(t)
	_, err = Seed(ctx, st, 300, 7, testPerms)
	must(t, err)
	checkUserRows(t, st, "seeded")
	var listed int
	must(t, st.Read().db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE teams != '' AND away_spans != ''").Scan(&listed))
	if listed == 0 {
		t.Error("the seed gave nobody both teams and away periods")
	}
}

// A database made before migration 009 gets its users' rows computed when it
// is opened.
func TestMigrationComputesUserRows(t *testing.T) {
	ctx := context.Background()
	st := olderStore(t, 8,
		`INSERT INTO users (id, email, email_key, sort_name, role, status, created_at, updated_at) VALUES
			(1, 'a@x.test', 'a@x.test', 'a', 'owner', 'active', 0, 0), (2, 'b@x.test', 'b@x.test', 'b', 'member', 'invited', 0, 0)`,
		"INSERT INTO teams (id, name) VALUES (1, 'Sales'), (2, 'Direction')",
		"INSERT INTO user_teams (user_id, team_id) VALUES (1, 1), (1, 2), (2, 1)",
		`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at, voided_at) VALUES
			(2, 'invite', x'01', 0, 100, 10), (2, 'invite', x'02', 10, 500, 0)`,
		"INSERT INTO away_periods (user_id, starts_at, ends_at, created_at) VALUES (1, 300, 0, 0), (1, 100, 200, 0)",
	)
	var teams, away string
	var exp int64
	must(t, st.Read().db.QueryRowContext(ctx, "SELECT teams, away_spans FROM users WHERE id = 1").Scan(&teams, &away))
	must(t, st.Read().db.QueryRowContext(ctx, "SELECT invite_expires_at FROM users WHERE id = 2").Scan(&exp))
	if teams != "Direction,Sales" || away != "100-200,300-0" || exp != 500 {
		t.Errorf("after the migration: teams %q, away %q, invitation %d", teams, away, exp)
	}
	u, err := st.Read().UserByID(ctx, 1, fromUnix(150))
	must(t, err)
	if !u.Away || !u.AwayUntil.Equal(fromUnix(200)) {
		t.Errorf("at 150: away %v until %v, want until 200", u.Away, u.AwayUntil)
	}
}
