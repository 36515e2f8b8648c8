package main

import (
	"path/filepath"
	"testing"
)

// A --where names each of its keys once: the second value of a key given
// twice replaced the first, unsaid, so that status=active status=invited
// (meant as either, or as a typo) deactivated every invited user alone, and
// team=Support team=Night the people of Night, whether in Support or not.
func TestWhereKeyGivenTwiceIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "teams", "add", "Night")
	ok(t, db, "invite", "ann@acme.test", "--team", "Support")
	ok(t, db, "invite", "bob@acme.test", "--team", "Night")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")

	fails(t, db, "status is given twice", "deactivate", "--where", "status=active status=invited", "--yes")
	fails(t, db, "team is given twice", "deactivate", "--where", `team=Support team="Night"`, "--yes")
	fails(t, db, "search is given twice", "perms", "--where", "search=ann search=bob", "--role", "manager", "--yes")
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a refused --where changed something")
	}
	ok(t, db, "deactivate", "--where", "status=invited team=Night", "--yes")
	if n := len(jsonOf[[]userJSON](t, db, "users", "--status", "deactivated")); n != 1 {
		t.Fatalf("%d deactivated, want bob alone", n)
	}
}
