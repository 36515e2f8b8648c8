package main

import (
	"path/filepath"
	"testing"
)

// A list flag given nothing (a script's variable left unset: --revoke
// "$PERM", --team "$T") is refused as a usage error, changing nothing: it
// was no flag at all, so that perms --revoke "" said the user's permissions,
// exit 0, as if the one meant had gone, and invite --team "" invited into no
// team.
func TestListFlagGivenNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "invite", "ann@acme.test", "--role", "manager", "--team", "Support")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")
	for _, args := range [][]string{
		{"perms", "ann@acme.test", "--revoke", ""},
		{"perms", "ann@acme.test", "--revoke", " , "},
		{"perms", "ann@acme.test", "--grant", ""},
		{"edit", "ann@acme.test", "--team", ""},
		{"edit", "ann@acme.test", "--tag", ""},
		{"edit", "ann@acme.test", "--branch", ""},
		{"invite", "bob@acme.test", "--team", ""},
		{"invite", "bob@acme.test", "--branch", " "},
	} {
		fails(t, db, `invalid value`, args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %v: exit %d, want 2 (a usage error)", args, code)
		}
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a flag given nothing changed something")
	}
	// Commas between names still read as several.
	ok(t, db, "perms", "ann@acme.test", "--revoke", "users.invite,users.away")
}
