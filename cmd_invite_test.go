package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// roster invites resend and revoke list the failures first, each with its
// reason, then what was done; --json in the same order.
func TestInvitesFailuresFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ivy@acme.test", "ian@acme.test", "eve@acme.test")
	sqlExec(t, db, "UPDATE tokens SET created_at = created_at - 120")

	// Both streams in one buffer, in the order they were written.
	var both bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &both, stderr: &both}
	code := run(context.Background(), c, []string{"--db", db, "invites", "resend", "ivy@acme.test", "boss@acme.test", "ian@acme.test", "nobody@acme.test", "--yes"})
	lines := strings.Split(strings.TrimSpace(both.String()), "\n")
	if code == 0 || len(lines) != 4 ||
		!strings.HasPrefix(lines[0], "roster: boss@acme.test is active") || !strings.HasPrefix(lines[1], "roster: user nobody@acme.test not found") ||
		lines[2] != "resent ivy@acme.test" || lines[3] != "resent ian@acme.test" {
		t.Fatalf("exit %d, printed:\n%s", code, both.String())
	}

	// Acting on several, or on every stuck one, asks first: not on a
	// terminal, it needs --yes and changes nothing without it.
	fails(t, db, "Revoke the invitations of 2 users (their accounts are deleted): not on a terminal to ask on, say --yes", "invites", "revoke", "eve@acme.test", "ian@acme.test")
	sqlExec(t, db, "UPDATE tokens SET expires_at = 1")
	fails(t, db, "Resend the invitations of 3 users: not on a terminal to ask on, say --yes", "invites", "resend", "--stuck")
	if n := count(t, db, "SELECT count(*) FROM users WHERE status = 'invited'"); n != 3 {
		t.Fatalf("%d invited after the refusals, want 3", n)
	}
	out, _, code := roster(t, db, "invites", "revoke", "eve@acme.test", "boss@acme.test", "--json", "--yes")
	var got []struct {
		Email string `json:"email"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code == 0 || len(got) != 2 || got[0].Email != "boss@acme.test" || got[0].OK || got[0].Error == "" || got[1].Email != "eve@acme.test" || !got[1].OK {
		t.Fatalf("exit %d, %+v", code, got)
	}
	fails(t, db, "EMAIL... or --stuck", "invites", "revoke")
	fails(t, db, "EMAIL... or --stuck", "invites", "resend", "ivy@acme.test", "--stuck")
}

// An argument may be a mail client's To: line: each person in it is
// invited, with the names it gives; --first and --last still say one
// person's name, and are refused beside several.
func TestInviteToLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	out := ok(t, db, "invite", `Marie Curie <marie@acme.test>, "Dupont, Jean" <jean@acme.test>`, "mailto:ann@acme.test")
	if out != "invited marie@acme.test\ninvited jean@acme.test\ninvited ann@acme.test\n" {
		t.Fatalf("printed %q", out)
	}
	ok(t, db, "invite", "Curie, Pierre <pierre@acme.test>; Zoé <zoe@acme.test>", "--role", "manager")
	ok(t, db, "invite", "Bob B <bob@acme.test>", "--first", "Robert", "--last", "Brown")
	for _, u := range []struct{ email, name, role string }{
		{"marie@acme.test", "Marie Curie", "member"}, {"jean@acme.test", "Jean Dupont", "member"}, {"ann@acme.test", " ", "member"},
		{"pierre@acme.test", "Pierre Curie", "manager"}, {"zoe@acme.test", "Zoé ", "manager"}, {"bob@acme.test", "Robert Brown", "member"},
	} {
		if n := count(t, db, "SELECT count(*) FROM users WHERE email = ? AND first_name || ' ' || last_name = ? AND role = ? AND status = 'invited'", u.email, u.name, u.role); n != 1 {
			t.Errorf("%s is not invited as %q, %s", u.email, u.name, u.role)
		}
	}
	fails(t, db, "--first, --last, --phone and --ref are one person's", "invite", "cid@acme.test, dan@acme.test", "--first", "Cid")
	fails(t, db, `email "x" is not an email address (no @)`, "invite", "Eve <x>")
	if n := count(t, db, "SELECT count(*) FROM users WHERE email IN ('cid@acme.test', 'dan@acme.test', 'x')"); n != 0 {
		t.Fatalf("%d invited by the refused commands", n)
	}
}
