package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// Rows written many to a statement each get their own ID, and everything
// written with them is theirs: a user's teams, tags, search keys and
// permissions, a link's user, a message's link, an audit row's target. 300
// rows run through full statements and every smaller size.
func TestInsertManyKeepsEachRowsID(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	addTeams(t, st, "Sales", "Support")
	// An ID freed below the highest is not reused in the middle of the rows.
	gone := addUser(t, st, &User{Email: "gone@example.com"})
	addUser(t, st, &User{Email: "kept@example.com"})
	must(t, st.Write(ctx, func(q *Q) error { return q.DeleteUser(ctx, gone.ID) }))

	const n = 300
	users := make([]*User, n)
	tokens := make([]*Token, n)
	msgs := make([]*OutboxMessage, n)
	entries := make([]*AuditEntry, n)
	emails := make([]string, n)
	for i := range users {
		emails[i] = fmt.Sprintf("p%03d@example.com", i)
		users[i] = &User{Email: emails[i], FirstName: fmt.Sprintf("First%03d", i), LastName: "Last", Role: "member",
			Status: Invited, Locale: "en", CreatedAt: t0, UpdatedAt: t0,
			Teams: [][]string{{"Sales"}, {"Support", "sales"}, nil}[i%3], Tags: [][]string{{fmt.Sprintf("tag%03d", i)}, nil}[i%2]}
	}
	must(t, st.Write(ctx, func(q *Q) error {
		if err := q.InsertUser(ctx, users...); err != nil {
			return err
		}
		grants := make([]Grant, n)
		for i, u := range users {
			grants[i] = Grant{u.ID, []string{"users.view", fmt.Sprintf("perm.%03d", i)}}
			sum := sha256.Sum256([]byte(u.Email))
			tokens[i] = &Token{UserID: u.ID, Kind: "invite", Hash: sum[:], CreatedAt: t0, ExpiresAt: t0.AddDate(0, 0, 2)}
		}
		if err := q.AddPerms(ctx, grants...); err != nil {
			return err
		}
		if err := q.InsertToken(ctx, tokens...); err != nil {
			return err
		}
		for i, u := range users {
			msgs[i] = &OutboxMessage{Kind: MailInvitation, UserID: u.ID, TokenID: tokens[i].ID, Recipient: u.Email, Locale: "en",
				Data: "{}", MessageID: fmt.Sprintf("<m%03d@example.com>", i), CreatedAt: t0, GiveUpAt: tokens[i].ExpiresAt}
			entries[i] = &AuditEntry{At: t0, Actor: "olive@example.com", Channel: "cli", Action: "user.invite", TargetID: u.ID, Target: u.Email}
		}
		if err := q.Enqueue(ctx, msgs...); err != nil {
			return err
		}
		return q.InsertAudit(ctx, entries...)
	}))
	r := st.Read()
	for i, u := range users {
		got, err := r.UserByID(ctx, u.ID, t0)
		must(t, err)
		wantTeams := [][]string{{"Sales"}, {"Sales", "Support"}, {}}[i%3]
		if got.Email != u.Email || !slices.Equal(got.Teams, wantTeams) || !slices.Equal(got.Tags, u.Tags) {
			t.Fatalf("user %d: ID %d is %s with teams %v and tags %v; want %s, %v, %v", i, u.ID, got.Email, got.Teams, got.Tags, u.Email, wantTeams, u.Tags)
		}
		var keys int
		must(t, r.db.QueryRowContext(ctx, "SELECT count(*) FROM search_keys WHERE user_id = ?", u.ID).Scan(&keys))
		if want := len(searchKeys(u.Email, u.FirstName, u.LastName, u.Position, u.ReferenceID, u.Tags)); keys != want {
			t.Fatalf("user %d: %d search keys, want %d", i, keys, want)
		}
		perms, err := r.Perms(ctx, u.ID)
		must(t, err)
		if want := []string{fmt.Sprintf("perm.%03d", i), "users.view"}; !slices.Equal(perms, want) {
			t.Fatalf("user %d: permissions %v, want %v", i, perms, want)
		}
		tok, err := r.TokenByHash(ctx, tokens[i].Hash)
		must(t, err)
		if tok.ID != tokens[i].ID || tok.UserID != u.ID {
			t.Fatalf("link %d: stored as ID %d of user %d; set to ID %d of user %d", i, tok.ID, tok.UserID, tokens[i].ID, u.ID)
		}
		var msgID string
		var tokenID int64
		must(t, r.db.QueryRowContext(ctx, "SELECT message_id, token_id FROM outbox WHERE id = ?", msgs[i].ID).Scan(&msgID, &tokenID))
		if msgID != msgs[i].MessageID || tokenID != tokens[i].ID {
			t.Fatalf("message %d: ID %d is %s of link %d; want %s of link %d", i, msgs[i].ID, msgID, tokenID, msgs[i].MessageID, tokens[i].ID)
		}
		var target string
		must(t, r.db.QueryRowContext(ctx, "SELECT target_email FROM audit WHERE id = ?", entries[i].ID).Scan(&target))
		if target != u.Email {
			t.Fatalf("audit row %d: ID %d is about %s, want %s", i, entries[i].ID, target, u.Email)
		}
	}

	taken, err := r.TakenEmails(ctx, append(emails, "KEPT@example.com", "new@example.com")...)
	must(t, err)
	if len(taken) != n+1 || !taken[EmailKey("kept@example.com")] || taken[EmailKey("new@example.com")] {
		t.Fatalf("%d addresses taken of %d; kept %v, new %v", len(taken), n+1, taken[EmailKey("kept@example.com")], taken[EmailKey("new@example.com")])
	}

	// A missing team refuses the whole statement, whichever row names it.
	err = st.Write(ctx, func(q *Q) error {
		return q.InsertUser(ctx, &User{Email: "a@example.com", Role: "member", Status: Staged, Locale: "en", Teams: []string{"Sales"}},
			&User{Email: "b@example.com", Role: "member", Status: Staged, Locale: "en", Teams: []string{"Nowhere"}})
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("a missing team: %v, want ErrNotFound", err)
	}
	if taken, _ := r.TakenEmails(ctx, "a@example.com"); len(taken) != 0 {
		t.Fatal("a row of a refused statement was written")
	}
}

// An id is given once: deleting the newest user, team or webhook does not
// give its id to the next one, which a stale id (a SCIM client's, a
// script's retry, a screen's row) would then name. Nor does a copy of the
// database (roster migrate), which carries the ids given.
func TestIDsAreNeverGivenTwice(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	gone := addUser(t, st, &User{Email: "gone@example.com"})
	team := addTeams(t, st, "Sales")[0]
	hook := &Webhook{URL: "https://hooks.example.com/a", Events: []string{"user.invite"}, Secret: "whsec_x", CreatedAt: t0}
	must(t, st.Write(ctx, func(q *Q) error {
		if err := q.InsertWebhook(ctx, hook); err != nil {
			return err
		}
		if _, err := q.DeleteWebhook(ctx, hook.ID); err != nil {
			return err
		}
		if err := q.RemoveTeam(ctx, team); err != nil {
			return err
		}
		return q.DeleteUser(ctx, gone.ID)
	}))
	next := func(st *Store, what string) {
		t.Helper()
		u := addUser(t, st, &User{Email: "next." + what + "@example.com"})
		again := &Webhook{URL: "https://hooks.example.com/b", Events: []string{"user.invite"}, Secret: "whsec_y", CreatedAt: t0}
		must(t, st.Write(ctx, func(q *Q) error { return q.InsertWebhook(ctx, again) }))
		if u.ID <= gone.ID || again.ID <= hook.ID {
			t.Errorf("%s: the next user has id %d and webhook %d, after %d and %d were deleted", what, u.ID, again.ID, gone.ID, hook.ID)
		}
		if id := addTeams(t, st, "Sales "+what)[0]; id <= team {
			t.Errorf("%s: the next team has id %d, after %d was removed", what, id, team)
		}
	}
	if !st.Postgres() {
		// A copy is of a SQLite file no connection has open (InUseError).
		must(t, st.Close())
		to := filepath.Join(t.TempDir(), "copy.db")
		if _, err := Copy(ctx, st.Path(), to); err != nil {
			t.Fatal(err)
		}
		copied, err := Open(ctx, to)
		if err != nil {
			t.Fatal(err)
		}
		defer copied.Close()
		next(copied, "copy")
		reopened, err := Open(ctx, st.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer reopened.Close()
		st = reopened
	}
	next(st, "same database")
}
