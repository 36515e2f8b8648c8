package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The acts on several users take --where or addresses, refuse without
// --yes off a terminal, say when nothing matches, and print failures first.
func TestBulkCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "teams", "add", "Ventes Paris")
	ok(t, db, "invite", "ana@acme.test", "bo@acme.test", "cy@acme.test", "--role", "manager", "--team", "Support")
	ok(t, db, "invite", "dan@acme.test", "--role", "manager", "--team", "Ventes Paris")
	ok(t, db, "invite", "eve@acme.test", "--role", "member", "--team", "Support")
	snapshot := func() string {
		return ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")
	}

	before := snapshot()
	fails(t, db, "not on a terminal to ask on, say --yes", "perms", "--where", "status=invited team=Support", "--role", "member")
	fails(t, db, `team "Nobody" does not exist`, "perms", "--where", "team=Nobody", "--role", "member", "--yes")
	if out := ok(t, db, "perms", "--where", "status=deactivated", "--role", "member", "--yes"); !strings.Contains(out, "no user matches --where \"status=deactivated\": nothing to do") {
		t.Fatalf("a --where matching nobody: %q", out)
	}
	fails(t, db, "team= has no value", "perms", "--where", "team=", "--role", "member", "--yes")
	fails(t, db, "search= has no value", "deactivate", "--where", `status=active search=""`, "--yes")
	fails(t, db, `"colour": want status, team, branch or search`, "perms", "--where", "colour=red", "--role", "member", "--yes")
	fails(t, db, "takes --role ROLE, and nothing else", "perms", "--where", "team=Support", "--grant", "users.edit", "--yes")
	fails(t, db, "not a role", "perms", "--where", "team=Support", "--role", "emperor", "--yes")
	fails(t, db, "takes one --team", "edit", "--where", "team=Support", "--first", "X", "--team", "+Support", "--yes")
	if after := snapshot(); after != before {
		t.Fatalf("a refused bulk act changed something")
	}

	// eve is a member already: unchanged, which is no failure, so that the
	// same act run again succeeds.
	out, errs, code := roster(t, db, "perms", "--where", "status=invited team=Support", "--role", "member", "--yes", "--json")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (one unchanged, three changed): %s", code, errs)
	}
	var got []struct {
		Email     string `json:"email"`
		OK        bool   `json:"ok"`
		Error     string `json:"error"`
		Unchanged string `json:"unchanged"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	same := 0
	for _, g := range got {
		if !g.OK {
			t.Fatalf("outcomes %+v", got)
		}
		if g.Unchanged != "" {
			same++
			if g.Email != "eve@acme.test" || !strings.Contains(g.Unchanged, "already a member") {
				t.Fatalf("outcomes %+v: only eve is unchanged, already a member", got)
			}
		}
	}
	if len(got) != 4 || same != 1 {
		t.Fatalf("outcomes %+v: want four, eve unchanged", got)
	}
	if again := ok(t, db, "perms", "--where", "status=invited team=Support", "--role", "member", "--yes"); strings.Count(again, "unchanged: ") != 4 {
		t.Fatalf("the same act again: %q, want four unchanged", again)
	}
	if u := jsonOf[userJSON](t, db, "user", "dan@acme.test"); u.Role != "manager" {
		t.Fatalf("dan, outside the filter, is %s", u.Role)
	}
	if n := strings.Count(ok(t, db, "audit", "--action", "user.perms"), "user.perms"); n != 3 {
		t.Fatalf("%d user.perms audit rows, want 3", n)
	}

	// A team with a space, by address and by filter.
	out = ok(t, db, "edit", "ana@acme.test", "bo@acme.test", "--team", "+Ventes Paris", "--yes")
	if out != "added to Ventes Paris ana@acme.test\nadded to Ventes Paris bo@acme.test\n" {
		t.Fatalf("edit: %q", out)
	}
	if n := len(jsonOf[[]userJSON](t, db, "users", "--team", "Ventes Paris")); n != 3 {
		t.Fatalf("%d in Ventes Paris, want 3", n)
	}
	ok(t, db, "edit", "--where", `team="Ventes Paris" search=ana`, "--team", "-Ventes Paris", "--yes")
	if n := len(jsonOf[[]userJSON](t, db, "users", "--team", "Ventes Paris")); n != 2 {
		t.Fatalf("%d in Ventes Paris after removing ana, want 2", n)
	}

	// A branch, by filter: the team stays.
	ok(t, db, "branches", "add", "Lyon")
	fails(t, db, "or one --branch", "edit", "--where", "team=Support", "--team", "+Support", "--branch", "+Lyon", "--yes")
	out = ok(t, db, "edit", "--where", "team=Support status=invited", "--branch", "+Lyon", "--yes")
	if n := strings.Count(out, "added to the branch Lyon"); n != 4 {
		t.Fatalf("edit --branch: %q", out)
	}
	if n := len(jsonOf[[]userJSON](t, db, "users", "--branch", "Lyon", "--team", "Support")); n != 4 {
		t.Fatalf("%d in Support at Lyon, want 4", n)
	}
	ok(t, db, "edit", "eve@acme.test", "--branch", "-Lyon", "--yes")
	if n := len(jsonOf[[]userJSON](t, db, "users", "--branch", "Lyon")); n != 3 {
		t.Fatalf("%d at Lyon after eve left, want 3", n)
	}

	// In French, the question a bulk act asks and what it did with data
	// ("made member", "added to the branch Lyon") are French too.
	fails(t, db, "Changer le rôle de 4 utilisateurs en membre", "--lang", "fr", "perms", "--where", "team=Support status=invited", "--role", "member")
	if out := ok(t, db, "--lang", "fr", "edit", "dan@acme.test", "eve@acme.test", "--branch", "+Lyon", "--yes"); out != "dan@acme.test : ajouté à l'agence Lyon\neve@acme.test : ajouté à l'agence Lyon\n" {
		t.Fatalf("edit in French: %q", out)
	}

	ok(t, db, "deactivate", "--where", "team=Support", "--yes")
	if n := len(jsonOf[[]userJSON](t, db, "users", "--status", "deactivated")); n != 4 {
		t.Fatalf("%d deactivated, want 4", n)
	}
	ok(t, db, "reactivate", "ana@acme.test", "bo@acme.test", "--yes")
	if n := len(jsonOf[[]userJSON](t, db, "users", "--status", "invited")); n != 3 {
		t.Fatalf("%d invited after reactivating two, want 3", n)
	}
}
