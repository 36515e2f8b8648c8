package main

import (
	"path/filepath"
	"testing"
)

// away refuses flags that contradict each other, changing nothing: --to
// and --stand-in naming two people (the last one given was taken, and the
// work went to whoever it was), and --off beside what sets a period
// (--off ended the period and the return date given went unheard).
func TestAwayRefusesContradictoryFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cat@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	ok(t, db, "away", "cat@acme.test", "--until", "+7d", "--to", "bob@acme.test")
	snapshot := func() string {
		return ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "away", "--list", "--json")
	}
	before := snapshot()

	usage := func(want string, args ...string) {
		t.Helper()
		fails(t, db, want, args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %v: exit %d, want 2 (a usage error)", args, code)
		}
	}
	usage("--to and --stand-in name two stand-ins", "away", "ann@acme.test", "--until", "+3d", "--to", "bob@acme.test", "--stand-in", "boss@acme.test")
	usage("--off ends the period: it takes no --until", "away", "cat@acme.test", "--off", "--until", "+9d")
	usage("--off ends the period: it takes no --until", "away", "cat@acme.test", "--off", "--to", "ann@acme.test")
	if after := snapshot(); after != before {
		t.Fatalf("a refused away changed something")
	}

	// The same stand-in by both names is no contradiction.
	ok(t, db, "away", "ann@acme.test", "--until", "+3d", "--to", "bob@acme.test", "--stand-in", "bob@acme.test")
	ok(t, db, "away", "cat@acme.test", "--off")
}

// away's dates and stand-in given nothing (a script's variable left unset)
// are usage errors, changing nothing: --to "" set the period with no
// stand-in, its new work waiting for nobody, and --from "" started it now.
func TestAwayFlagGivenNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	snapshot := func() string {
		return ok(t, db, "users", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "away", "--list", "--json")
	}
	before := snapshot()
	for _, args := range [][]string{
		{"away", "ann@acme.test", "--until", "+3d", "--to", ""},
		{"away", "ann@acme.test", "--until", "+3d", "--stand-in", " "},
		{"away", "ann@acme.test", "--from", "", "--until", "+9d", "--to", "bob@acme.test"},
		{"away", "ann@acme.test", "--until", "", "--to", "bob@acme.test"},
		{"away", "--list", "--from", ""},
	} {
		fails(t, db, "names nothing", args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %q: exit %d, want 2 (a usage error)", args, code)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("an away flag given nothing changed something")
	}
	ok(t, db, "away", "ann@acme.test", "--from", "+2d", "--until", "+9d", "--to", "bob@acme.test")
}
