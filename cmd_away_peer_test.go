package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster away refuses a manager setting a fellow manager away with
// themselves as stand-in, on one line that says who may, in English and
// in French, and nothing is written; a member's away they may set.
func TestAwayOfAPeerIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "mia@acme.test", "pia@acme.test", "--role", "manager")
	ok(t, db, "invite", "max@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")

	_, errs, code := roster(t, db, "--as", "mia@acme.test", "away", "pia@acme.test", "--until", "+7d", "--to", "mia@acme.test")
	if code == 0 || strings.Count(errs, "\n") != 1 ||
		!strings.Contains(errs, "a manager cannot set away pia@acme.test, a manager: only they, an owner or a higher role can, as it decides who takes their new work") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	_, errs, code = roster(t, db, "--as", "mia@acme.test", "--lang", "fr", "away", "pia@acme.test", "--until", "+7d", "--to", "mia@acme.test")
	if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "seuls cette personne, un propriétaire ou un rôle supérieur le peuvent") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if out := ok(t, db, "away", "--list", "--json"); strings.Contains(out, "pia@acme.test") {
		t.Fatalf("pia set away: %s", out)
	}
	ok(t, db, "--as", "mia@acme.test", "away", "max@acme.test", "--until", "+7d", "--to", "mia@acme.test")
}
