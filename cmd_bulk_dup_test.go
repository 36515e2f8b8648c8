package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An address named twice in a bulk act (a script joining two lists) is
// acted on once: the second was a failure, exit 1 ("sent a mail too
// recently" after the resend, "not found" after the revocation), and the
// question counted two users for one.
func TestBulkActOnAnAddressNamedTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cy@acme.test")
	sqlExec(t, db, "UPDATE tokens SET created_at = created_at - 120")

	fails(t, db, "Resend the invitations of 2 users: not on a terminal", "invites", "resend", "ann@acme.test", "bob@acme.test", "ann@acme.test")
	if out := ok(t, db, "invites", "resend", "ann@acme.test", "bob@acme.test", " ann@acme.test", "--yes"); out != "resent ann@acme.test\nresent bob@acme.test\n" {
		t.Fatalf("resend: %q", out)
	}
	if out := ok(t, db, "invites", "revoke", "cy@acme.test", "cy@acme.test"); out != "revoked cy@acme.test\n" {
		t.Fatalf("revoke: %q", out)
	}
	if n := strings.Count(ok(t, db, "audit", "--action", "invite"), "invite.resend"); n != 2 {
		t.Fatalf("%d invite.resend entries, want 2", n)
	}
}
