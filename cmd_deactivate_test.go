package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"roster/admin"
	"roster/store"
)

// deactivate and reactivate say the same of one address as of several: a
// user already as the act leaves them is "unchanged", no failure, so that
// a script run twice succeeds twice; --json is the outcomes, as for several.
// One address failed the second time ("already deactivated", exit 1) and
// printed words under --json.
func TestDeactivateOneAsSeveral(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test")
	acts := func(action string) int {
		return count(t, db, "SELECT count(*) FROM audit WHERE action = ?", action)
	}
	type outcome struct {
		Email     string `json:"email"`
		OK        bool   `json:"ok"`
		Error     string `json:"error"`
		Unchanged string `json:"unchanged"`
	}
	outcomes := func(args ...string) []outcome {
		t.Helper()
		var got []outcome
		out := ok(t, db, append(args, "--json")...)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("roster %s --json: %v\n%s", strings.Join(args, " "), err, out)
		}
		return got
	}

	if got := outcomes("deactivate", "ann@acme.test"); len(got) != 1 || got[0].Email != "ann@acme.test" || !got[0].OK || got[0].Unchanged != "" {
		t.Fatalf("deactivate --json: %+v", got)
	}
	if out := ok(t, db, "deactivate", "ann@acme.test"); out != "unchanged: ann@acme.test is already deactivated\n" {
		t.Fatalf("deactivate again: %q", out)
	}
	if got := outcomes("deactivate", "ann@acme.test"); len(got) != 1 || !got[0].OK || !strings.Contains(got[0].Unchanged, "already deactivated") {
		t.Fatalf("deactivate again --json: %+v", got)
	}
	if n := acts("user.deactivate"); n != 1 {
		t.Fatalf("%d user.deactivate entries, want 1", n)
	}

	// ann never accepted: reactivated, she is invited again, which a
	// second run leaves her.
	if out := ok(t, db, "reactivate", "ann@acme.test"); out != "reactivated ann@acme.test\n" {
		t.Fatalf("reactivate: %q", out)
	}
	if out := ok(t, db, "reactivate", "ann@acme.test"); out != "unchanged: ann@acme.test is already invited\n" {
		t.Fatalf("reactivate again: %q", out)
	}
	ok(t, db, "deactivate", "ann@acme.test", "bob@acme.test", "--yes")
	ok(t, db, "reactivate", "ann@acme.test", "bob@acme.test", "--yes")
	if out := ok(t, db, "reactivate", "ann@acme.test", "bob@acme.test", "--yes"); strings.Count(out, "is already invited") != 2 {
		t.Fatalf("reactivate of two again: %q", out)
	}
	if n := acts("user.reactivate"); n != 3 {
		t.Fatalf("%d user.reactivate entries, want 3", n)
	}

	// On a plan, deactivating one person says until when their seat is
	// paid; not under --json, nor when nothing changed.
	ok(t, db, "billing", "plan", "--period", "monthly", "--seat-price", "15.00", "--currency", "EUR")
	ok(t, db, "invite", "cy@acme.test")
	var data string
	raw := rawDB(t, db)
	defer raw.Close()
	if err := raw.QueryRow(`SELECT data FROM outbox WHERE recipient = 'cy@acme.test'`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	var m store.MailData
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.New(st).UseLink(context.Background(), "invite", strings.TrimPrefix(m.Path, "/invite/"), "four words make a password")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out := ok(t, db, "deactivate", "cy@acme.test"); !strings.HasPrefix(out, "deactivated cy@acme.test\ntheir seat stays paid until ") {
		t.Fatalf("deactivate on a plan: %q", out)
	}
	if out := ok(t, db, "deactivate", "cy@acme.test"); strings.Contains(out, "paid") {
		t.Fatalf("deactivate again on a plan: %q", out)
	}

	// A refusal is still one line and exit 1, and --json the outcome.
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")
	fails(t, db, "user nobody@acme.test not found", "deactivate", "nobody@acme.test")
	fails(t, db, "you cannot deactivate yourself", "deactivate", "boss@acme.test")
	out, errs, code := roster(t, db, "deactivate", "boss@acme.test", "--json")
	var got []outcome
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || len(got) != 1 || got[0].OK || !strings.Contains(got[0].Error, "yourself") ||
		strings.Count(errs, "\n") != 1 {
		t.Fatalf("deactivate yourself --json: exit %d, %v, %q, stderr %q", code, err, out, errs)
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a refused deactivation changed something")
	}
}
