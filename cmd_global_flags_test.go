package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// --as and --db given nothing (a script's variable left unset: --as
// "$OPERATOR", --db "$DB") are usage errors, changing nothing: --as "" acted
// as the only owner, with every permission and in the trail, over a
// ROSTER_AS too; --db "" opened the data directory's database, over a
// ROSTER_DB too.
func TestGlobalFlagGivenNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "--role", "manager")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "teams", "--json")

	for _, args := range [][]string{
		{"--as", "", "teams", "add", "Support"},
		{"teams", "add", "Support", "--as", " "},
		{"teams", "add", "Support", "--db", ""},
		{"--db", "", "teams", "add", "Support"},
	} {
		_, errs, code := roster(t, db, args...)
		if code != 2 || !strings.Contains(errs, "names nothing") || strings.Count(errs, "\n") != 1 {
			t.Errorf("roster %q: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
	t.Setenv("ROSTER_AS", "ann@acme.test")
	if _, errs, code := roster(t, db, "--as", "", "teams", "add", "Support"); code != 2 {
		t.Errorf("--as \"\" over ROSTER_AS: exit %d, stderr %q; want a usage error", code, errs)
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "teams", "--json"); after != before {
		t.Fatalf("a global flag given nothing changed something")
	}
	// ROSTER_AS acts, and an empty ROSTER_AS is none, as unset.
	ok(t, db, "teams", "add", "Support")
	if out := ok(t, db, "audit", "--action", "team.add", "--json"); !strings.Contains(out, `"actor":"ann@acme.test"`) {
		t.Fatalf("ROSTER_AS: %s", out)
	}
	t.Setenv("ROSTER_AS", "")
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	if code := run(context.Background(), c, []string{"--db", db, "teams", "add", "Night"}); code != 0 {
		t.Fatalf("an empty ROSTER_AS: exit %d, %s", code, errb.String())
	}
}
