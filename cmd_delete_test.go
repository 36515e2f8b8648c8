package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster delete in seed 004's steps: --dry-run prints the plan and changes
// nothing; --close and --disable-replies close and switch off first; no
// heir is asked for when nothing is left to inherit.
func TestDeleteSteps(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	for _, s := range []string{"Refund", "Invoice", "Login"} {
		ok(t, db, "conversations", "add", "--subject", s, "--to", "ann@acme.test")
	}
	sqlExec(t, db, "INSERT INTO auto_replies (name, owner_id) SELECT 'Out of office', id FROM users WHERE email = 'ann@acme.test'")
	sqlExec(t, db, "INSERT INTO auto_replies (name, owner_id) SELECT 'Thanks', id FROM users WHERE email = 'ann@acme.test'")
	convs := jsonOf[[]struct{ ID int64 }](t, db, "conversations", "--user", "ann@acme.test")
	if len(convs) != 3 {
		t.Fatalf("ann has %d conversations", len(convs))
	}

	out := ok(t, db, "delete", "ann@acme.test", "--dry-run", "--close", "1,2")
	for _, want := range []string{"deleting ann@acme.test would:", "an heir is needed", "close 2 of 3 open conversations",
		"move 1 open conversation to the heir", "automated reply “Thanks”: to the heir"} {
		if !strings.Contains(out, want) {
			t.Fatalf("dry run lacks %q:\n%s", want, out)
		}
	}
	fails(t, db, "delete needs --heir EMAIL: ann@acme.test still owns 1 open conversation, 2 automated replies", "delete", "ann@acme.test", "--close", "1,2")
	fails(t, db, "delete attend --heir EMAIL : ann@acme.test possède encore 1 conversation ouverte, 2 réponses automatiques ; qui en hérite ?",
		"--lang", "fr", "delete", "ann@acme.test", "--close", "1,2")
	fails(t, db, "not all or a list of IDs", "delete", "ann@acme.test", "--close", "some")
	// An empty list, from a variable left unset, picks nothing: refused.
	fails(t, db, `invalid value "" for --close`, "delete", "ann@acme.test", "--close", "", "--heir", "bob@acme.test")
	fails(t, db, `"" for --disable-replies: "" is not all or a list of IDs`, "delete", "ann@acme.test", "--close", "all", "--disable-replies=", "--heir", "bob@acme.test")
	type plan struct {
		NeedsHeir bool   `json:"needs_heir"`
		Closed    int    `json:"conversations_closed"`
		Digest    string `json:"digest"`
	}
	p := jsonOf[plan](t, db, "delete", "ann@acme.test", "--dry-run", "--close", "all", "--disable-replies")
	if p.NeedsHeir || p.Closed != 3 || p.Digest == "" {
		t.Fatalf("plan %+v", p)
	}
	if len(jsonOf[[]struct{ ID int64 }](t, db, "conversations", "--user", "ann@acme.test")) != 3 {
		t.Fatal("the dry run changed something")
	}
	// Switching off one reply keeps the other, which then needs an heir.
	fails(t, db, "1 automated reply", "delete", "ann@acme.test", "--close", "all", "--disable-replies=1")
	out = ok(t, db, "delete", "ann@acme.test", "--close", "all", "--disable-replies")
	if !strings.Contains(out, "deleted ann@acme.test:") || !strings.Contains(out, "no heir needed") {
		t.Fatalf("delete printed:\n%s", out)
	}
	fails(t, db, "not found", "user", "ann@acme.test")
}

// roster away --list: who is away now and who will be, with where their
// work goes today; --from and --until widen the window; --json.
func TestAwayList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cat@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	if out := ok(t, db, "away", "--list"); out != "nobody is away\n" {
		t.Fatalf("empty list: %q", out)
	}
	ok(t, db, "away", "ann@acme.test", "--until", "+7d", "--to", "bob@acme.test")
	ok(t, db, "away", "cat@acme.test", "--until", "+3d")
	ok(t, db, "away", "bob@acme.test", "--from", "+20d", "--until", "+25d")
	out := ok(t, db, "away", "--list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ann@acme.test  away now  ") || !strings.HasSuffix(lines[0], "work goes to bob@acme.test") ||
		!strings.HasSuffix(lines[1], "work goes to nobody: work waits") {
		t.Fatalf("away --list:\n%s", out)
	}
	type entry struct {
		Email   string `json:"email"`
		AwayNow bool   `json:"away_now"`
		WorkTo  string `json:"work_to"`
	}
	// In French, where the work goes is French too.
	fr := strings.Split(strings.TrimSpace(ok(t, db, "--lang", "fr", "away", "--list", "--until", "+30d")), "\n")
	if len(fr) != 3 || !strings.HasSuffix(fr[1], "travail confié à : personne (le travail attend)") ||
		!strings.HasSuffix(fr[2], "travail confié à : lui-même, jusqu'à son départ") {
		t.Fatalf("away --list in French:\n%s", strings.Join(fr, "\n"))
	}
	es := jsonOf[[]entry](t, db, "away", "--list", "--until", "+30d")
	if len(es) != 3 || es[2].Email != "bob@acme.test" || es[2].AwayNow || es[2].WorkTo != "bob@acme.test" {
		t.Fatalf("away --list --until +30d: %+v", es)
	}
	fails(t, db, "no EMAIL", "away", "--list", "ann@acme.test")
	// From a past date, a period ended since is said to be over, not to come.
	ok(t, db, "away", "cat@acme.test", "--off")
	past := ok(t, db, "away", "--list", "--from", "yesterday")
	if !strings.Contains(past, "cat@acme.test  was away  ") {
		t.Fatalf("away --list --from yesterday, cat back:\n%s", past)
	}
	// The person's own periods, as before.
	if out := ok(t, db, "away", "ann@acme.test"); !strings.Contains(out, "stand-in bob@acme.test") {
		t.Fatalf("away EMAIL: %q", out)
	}
}
