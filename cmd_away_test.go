package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster away warns, on one line, when the stand-in is away too and names
// where the work would go; a cycle says the work stays with the person away,
// and so does a team none of whose active members can take it.
func TestAwayWarnsOfStandInAway(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cat@acme.test", "dan@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	ok(t, db, "away", "bob@acme.test", "--until", "+7d", "--to", "cat@acme.test")

	_, errs, code := roster(t, db, "away", "ann@acme.test", "--until", "+3d", "--to", "bob@acme.test")
	if code != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "bob@acme.test is away until") ||
		!strings.Contains(errs, "new work would go to cat@acme.test") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	_, errs, code = roster(t, db, "away", "cat@acme.test", "--until", "+3d", "--to", "bob@acme.test")
	if code != 0 || !strings.Contains(errs, "a cycle") || !strings.Contains(errs, "would stay with cat@acme.test, who is away") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, errs, _ := roster(t, db, "away", "boss@acme.test", "--until", "+3d", "--to", "ann@acme.test"); !strings.Contains(errs, "ann@acme.test is away") {
		t.Fatalf("stderr %q", errs)
	}
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "edit", "bob@acme.test", "--team", "+Support")
	_, errs, code = roster(t, db, "away", "dan@acme.test", "--until", "+3d", "--to", "team:Support")
	if code != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "team:Support has nobody to take it (bob@acme.test is away)") ||
		!strings.Contains(errs, "would stay with dan@acme.test, who is away") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, errs, _ := roster(t, db, "away", "ann@acme.test", "--off"); errs != "" {
		t.Fatalf("stderr %q", errs)
	}
}

// --stand-in is --to by the name the screens and the help give the person.
func TestAwayStandInFlag(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	ok(t, db, "away", "ann@acme.test", "--until", "+7d", "--stand-in", "bob@acme.test")
	if out := ok(t, db, "away", "--list", "--json"); !strings.Contains(out, `"email":"ann@acme.test"`) || !strings.Contains(out, `"standin":"bob@acme.test"`) {
		t.Fatalf("away --list --json: %s", out)
	}
}

// A planned period warns of its stand-in as they will be then: away at the
// same time, from when; away today but back by then, not at all.
func TestAwayWarnsForWhenThePeriodIs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cat@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	ok(t, db, "away", "bob@acme.test", "--from", "+10d", "--until", "+15d")
	ok(t, db, "away", "cat@acme.test", "--until", "+3d")
	_, errs, code := roster(t, db, "away", "ann@acme.test", "--from", "+10d", "--until", "+15d", "--to", "bob@acme.test")
	if code != 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "warning: from ") ||
		!strings.Contains(errs, "bob@acme.test is away until") || !strings.Contains(errs, "would stay with ann@acme.test, who is away") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, errs, code := roster(t, db, "away", "ann@acme.test", "--from", "+20d", "--until", "+25d", "--to", "cat@acme.test"); code != 0 || errs != "" {
		t.Fatalf("cat is back by then: exit %d, stderr %q", code, errs)
	}
}
