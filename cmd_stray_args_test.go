package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A command that takes no argument refuses one, as a usage error changing
// nothing: a word where a flag was meant did nothing, unsaid, so that
// roster audit ann@… (for --user ann@…) showed everyone's entries, and
// roster account Acme2 (for --name Acme2) showed the account, exit 0, as
// if renamed. billing finds its verb after the flags too: billing --json
// ledger printed the summary.
func TestStrayArgumentsAreRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "roster.db")
	fails(t, db, "init takes no argument", "init", "--org", "Acme", "--owner", "boss@acme.test", "extra")
	if out, _, _ := roster(t, db, "users"); out != "" {
		t.Fatalf("a refused init made an account: %q", out)
	}
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test")
	before := ok(t, db, "account", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "billing", "--json")
	for _, args := range [][]string{
		{"audit", "ann@acme.test"},
		{"account", "Acme2"},
		{"export", "--csv", "people.csv"},
		{"seed", "--users", "10", "--yes", "more"},
		{"billing", "ledger", "ann@acme.test"},
		{"billing", "statement", "previous"},
		{"billing", "plan", "monthly", "--seat-price", "15"},
		{"billing", "--json", "ledgers"},
	} {
		_, errs, code := roster(t, db, args...)
		if code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("roster %q: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
	if after := ok(t, db, "account", "--json") + ok(t, db, "audit", "--json") + ok(t, db, "billing", "--json"); after != before {
		t.Fatalf("a refused command changed something")
	}

	// billing's verb after the global flags.
	ok(t, db, "billing", "--lang", "en", "--json", "plan", "--period", "monthly", "--seat-price", "15", "--currency", "EUR")
	var ledger []map[string]any
	if out := ok(t, db, "billing", "--json", "ledger"); json.Unmarshal([]byte(out), &ledger) != nil || len(ledger) == 0 {
		t.Fatalf("billing --json ledger: %s, want the ledger", out)
	}
	if out := ok(t, db, "billing", "--db", db, "statement", "--json"); !strings.Contains(out, `"lines":`) {
		t.Fatalf("billing --db DB statement: %s, want the statement", out)
	}
}

// edit EMAIL with nothing to change is a usage error: it said "edited
// ann@… (version 1)", exit 0, of an edit never asked for (the flags
// forgotten, or a word where a flag was meant).
func TestEditOfNothingIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test")
	for _, args := range [][]string{{"edit", "ann@acme.test"}, {"edit", "ann@acme.test", "--if-version", "1"}, {"edit", "ann@acme.test", "--json"}} {
		fails(t, db, "changes nothing: give what to change", args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %q: exit %d, want 2 (a usage error)", args, code)
		}
	}
	ok(t, db, "edit", "ann@acme.test", "--first", "Ann")
}

// --csv and --json together are a usage error: export wrote CSV and billing
// statement JSON, each leaving the other flag unheard.
func TestCSVAndJSONTogetherAreRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "billing", "plan", "--period", "monthly", "--seat-price", "15", "--currency", "EUR")
	for _, args := range [][]string{{"export", "--csv", "--json"}, {"--json", "billing", "statement", "--csv"}} {
		fails(t, db, "--csv or --json, not both", args...)
		if out, _, code := roster(t, db, args...); code != 2 || out != "" {
			t.Errorf("roster %q: exit %d, printed %q; want a usage error", args, code, out)
		}
	}
	ok(t, db, "export", "--csv")
	ok(t, db, "billing", "statement", "--csv")
	ok(t, db, "billing", "statement", "--json")
}

// perms --list with an address is a usage error: it printed the catalogue,
// leaving the address unheard, where the operator asked for that user's
// permissions (roster perms EMAIL).
func TestPermsListWithAnAddressIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	fails(t, db, "perms --list takes no EMAIL", "perms", "--list", "boss@acme.test")
	if _, _, code := roster(t, db, "perms", "--list", "boss@acme.test"); code != 2 {
		t.Errorf("exit %d, want 2 (a usage error)", code)
	}
	ok(t, db, "perms", "--list")
	ok(t, db, "perms", "boss@acme.test")
}
