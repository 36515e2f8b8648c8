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

// A role or an expiry given nothing (a script's variable left unset) is a
// usage error, changing nothing: invite --role "" invited a member, perms
// --role "" changed nothing and said the user's permissions, exit 0, and
// apikeys create --expires "" made a key that never expires.
func TestActFlagGivenNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "apikeys", "--json")
	for _, args := range [][]string{
		{"invite", "bob@acme.test", "--role", ""},
		{"perms", "ann@acme.test", "--role", ""},
		{"perms", "ann@acme.test", "bob@acme.test", "--role", " ", "--yes"},
		{"apikeys", "create", "--name", "zapier", "--expires", ""},
	} {
		fails(t, db, "names nothing", args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %q: exit %d, want 2 (a usage error)", args, code)
		}
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "apikeys", "--json"); after != before {
		t.Fatalf("a flag given nothing changed something")
	}
	ok(t, db, "invite", "bob@acme.test")
	if u := jsonOf[userJSON](t, db, "user", "bob@acme.test"); u.Role != "member" {
		t.Fatalf("invite without --role: %s, want member", u.Role)
	}
	ok(t, db, "apikeys", "create", "--name", "zapier", "--expires", "90d")
}

// users' filters given nothing (a script's variable left unset: --team
// "$TEAM") are usage errors, as --where's are: they chose everyone, so that
// users --team "$TEAM" --json piped to deactivate --yes would have
// deactivated the whole account.
func TestUsersFilterGivenNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "invite", "ann@acme.test", "--team", "Support")
	for _, flag := range []string{"--team", "--branch", "--status", "--search", "--sort"} {
		args := []string{"users", flag, ""}
		fails(t, db, "names nothing", args...)
		if out, _, code := roster(t, db, args...); code != 2 || out != "" {
			t.Errorf("roster %q: exit %d, printed %q; want a usage error", args, code, out)
		}
	}
	if got := jsonOf[[]userJSON](t, db, "users", "--team", "Support"); len(got) != 1 {
		t.Fatalf("users --team Support: %d, want 1", len(got))
	}
}
