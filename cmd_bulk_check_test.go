package main

import (
	"path/filepath"
	"testing"
)

// A bulk act's own role, team or branch is checked whoever the users are:
// a mistyped one is refused when the --where matches nobody too, as it is
// when the --where matches people. It was "nothing to do", exit 0, so that
// a script's typo passed until the filter first matched someone.
func TestBulkActCheckedWhenNobodyMatches(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "branches", "add", "Lyon")
	ok(t, db, "invite", "ann@acme.test", "--team", "Support")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")

	for _, where := range []string{"status=deactivated", "team=Support"} {
		fails(t, db, `role "emperor" is not a role`, "perms", "--where", where, "--role", "emperor", "--yes")
		fails(t, db, `team "Suport" does not exist`, "edit", "--where", where, "--team", "+Suport", "--yes")
		fails(t, db, `team "Suport" does not exist`, "edit", "--where", where, "--team", "-Suport", "--yes")
		fails(t, db, `branch "Lyonn" does not exist`, "edit", "--where", where, "--branch", "+Lyonn", "--yes")
	}
	// Not asked about either: off a terminal, the refusal is the act's,
	// not the question's.
	fails(t, db, `role "emperor" is not a role`, "perms", "--where", "team=Support", "--role", "emperor")
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a refused bulk act changed something")
	}
	// A good act on nobody still says so and succeeds.
	ok(t, db, "perms", "--where", "status=deactivated", "--role", "member", "--yes")
	ok(t, db, "edit", "--where", "status=deactivated", "--team", "+Support", "--yes")
}
