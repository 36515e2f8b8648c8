package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"roster/admin"
	"roster/store"
)

// roster invites reads the invitations a page at a time, and prints what it
// printed when it read them all at once: the same table, the same JSON.
func TestInvitesPageByPage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	// Addresses of many lengths, one not ASCII, so that the columns move.
	for i, e := range []string{"al@acme.test", "béatrice.longuenom-de-famille@acme.test", "cy@acme.test",
		"dominique.martin@acme.test", "ed@acme.test", "fanny@acme.test", "gaspard.x@acme.test"} {
		ok(t, db, "invite", e)
		switch i % 3 {
		case 1:
			sqlExec(t, db, "UPDATE outbox SET state = 'failed', last_error = '550 mailbox unavailable' WHERE recipient = ?", e)
		case 2:
			sqlExec(t, db, "UPDATE tokens SET expires_at = 1000 + ? WHERE user_id = (SELECT id FROM users WHERE email = ?)", i, e)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	defer func(n int) { invitesPage = n }(invitesPage)
	invitesPage = 2
	for _, stuck := range []bool{false, true} {
		for _, asJSON := range []bool{false, true} {
			// As every invitation was printed at once.
			var want bytes.Buffer
			invs, err := svc.Invitations(ctx, admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}, stuck)
			if err != nil {
				t.Fatal(err)
			}
			if len(invs) <= invitesPage {
				t.Fatalf("%d invitations: the test needs more than a page", len(invs))
			}
			c := &cli{stdout: &want, json: asJSON}
			if err := printList(c, invs, invitationColumns, c.invitationRow); err != nil {
				t.Fatal(err)
			}
			args := []string{"invites"}
			if stuck {
				args = append(args, "--stuck")
			}
			if asJSON {
				args = append(args, "--json")
			}
			if got := ok(t, db, args...); got != want.String() {
				t.Errorf("roster %v printed\n%s\nwant\n%s", args, got, want.String())
			}
		}
	}
	// Nothing pending: an empty table, an empty list.
	sqlExec(t, db, "UPDATE users SET status = 'active' WHERE status = 'invited'")
	if got := ok(t, db, "invites", "--json"); got != "[]\n" {
		t.Errorf("nothing pending, --json: %q", got)
	}
	if got, want := ok(t, db, "invites"), fmt.Sprintln("EMAIL  INVITED BY  SENT  LAST SENT  EXPIRES  MAIL"); got != want {
		t.Errorf("nothing pending: %q, want %q", got, want)
	}
}
