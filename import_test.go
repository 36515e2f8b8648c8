package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 8's load item, process against process: `roster users` run while
// roster invite --csv imports 100,000 rows answers within a second of what
// it takes alone, so does an edit, and the import ends as it would alone:
// every valid row invited once, each refused row reported by its line.
func TestE2EUsersDuringALargeImport(t *testing.T) {
	need(t)
	n := 100_000
	if raceBuild() {
		n = 2_000 // the race detector slows SQLite (pure Go) many times over
	}
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	e.cli("teams", "add", "Sales")
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name,phone,role,team,position,reference_id,locale\n")
	refused := map[int]bool{} // by line
	for i := range n {
		role := "member"
		if i%(n/4) == n/8 {
			role, refused[i+2] = "emperor", true
		}
		fmt.Fprintf(&csv, "p%06d@acme.test,First%d,Last%d,+33 6 12 34 %02d %02d,%s,Sales,Agent,E-%d,fr\n", i, i, i, i%100, i/100%100, role, i)
	}
	csv.WriteString("p000001@acme.test,Again,,,member,,,,\n")
	refused[n+2] = true
	file := filepath.Join(e.dir, "people.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// What the commands cost with nothing else writing, before the import and
	// after it (a listing costs more on a full table): on a busy machine,
	// starting a process alone can take a good part of a second.
	var idle time.Duration
	alone := func() {
		for i := range 3 {
			t0 := time.Now()
			e.cli("users", "--limit", "5")
			e.cli("edit", "boss@acme.test", "--position", fmt.Sprintf("Alone %d", i))
			idle = max(idle, time.Since(t0)/2)
		}
	}
	alone()

	began := time.Now()
	imp := e.startProcess("invite", "--csv", file)
	// Until the first batch lands, or long enough for it to be under way.
	for count(t, e.db, "SELECT count(*) FROM users") == 1 && time.Since(began) < 2*time.Second {
		time.Sleep(e2ePoll)
	}
	during := 0
	var took []time.Duration // of every command run during the import
	for running := true; running; {
		select {
		case <-imp.done:
			running = false
		default:
		}
		t0 := time.Now()
		out := e.cli("users", "--limit", "5")
		listed := time.Since(t0)
		t0 = time.Now()
		e.cli("edit", "boss@acme.test", "--position", fmt.Sprintf("Boss %d", during))
		edited := time.Since(t0)
		if !running {
			break
		}
		during++
		t.Logf("%v into the import: roster users took %v, roster edit %v", time.Since(began).Round(time.Millisecond), listed, edited)
		if !strings.Contains(out, "boss@acme.test") {
			t.Errorf("roster users printed:\n%s", out)
		}
		took = append(took, listed, edited)
		time.Sleep(700 * time.Millisecond)
	}
	t.Logf("%d rows imported in %v", n, time.Since(began).Round(time.Millisecond))
	alone()
	// Nine commands in ten answer within a second of what they take alone,
	// and none waits for more than a few batches: a machine shared by many
	// test runs delays a process now and then, but a command that waited for
	// the import took as long as it, or failed with SQLITE_BUSY after 10 s.
	slices.Sort(took)
	if len(took) > 0 && (took[len(took)*9/10] > idle+time.Second || took[len(took)-1] > idle+3*time.Second) {
		t.Errorf("during the import, nine commands in ten took up to %v, the slowest %v; want at most 1 s more than alone (%v), and 3 s",
			took[len(took)*9/10], took[len(took)-1], idle)
	}
	if during < 3 {
		t.Fatalf("the import ended after %v, %d rounds of commands in: too soon to show anything", time.Since(began), during)
	}

	// The import's result: exit 1 for the refused lines, each reported once
	// before the invited ones; every other row invited once.
	logs := imp.Logs()
	if code := imp.cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("the import exited %d:\n%.2000s", code, logs)
	}
	for line := range refused {
		if c := strings.Count(logs, fmt.Sprintf("roster: line %d: ", line)); c != 1 {
			t.Errorf("line %d reported %d times", line, c)
		}
	}
	ok := n + 1 - len(refused)
	if c := strings.Count("\n"+logs, "\ninvited p"); c != ok {
		t.Errorf("%d invited lines, want %d", c, ok)
	}
	if !strings.Contains(logs, fmt.Sprintf("roster: %d of %d not invited", len(refused), n+1)) {
		t.Errorf("no summary of the refused lines:\n%.2000s", logs)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM users WHERE status = 'invited'":                                      ok,
		"SELECT count(DISTINCT email) FROM users WHERE email LIKE 'p%@acme.test'":                  ok,
		"SELECT count(*) FROM tokens WHERE kind = 'invite'":                                        ok,
		"SELECT count(*) FROM outbox WHERE kind = 'invitation'":                                    ok,
		"SELECT count(*) FROM audit WHERE action = 'user.invite'":                                  ok,
		"SELECT count(*) FROM users u JOIN user_teams ut ON ut.user_id = u.id WHERE u.phone != ''": ok,
		"SELECT count(*) FROM audit WHERE action = 'user.edit'":                                    3 + during + 1 + 3,
	} {
		if got := count(t, e.db, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}
