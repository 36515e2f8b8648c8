package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A --db or ROSTER_DB naming no file (a typo) is refused by every command
// but init and seed, the dashboard and roster serve included, in one line
// naming the path and how to make one, exit 1, and nothing is made there:
// no file, no -wal or -shm, no directory. The dashboard says so before it
// takes the terminal: it showed the first-run setup, which made a second
// account and owner in the stray file. With nothing given, the data
// directory's database is still made on the first run, where the setup
// shows; and roster init makes the one named.
func TestExplicitMissingDatabaseIsRefused(t *testing.T) {
	need(t, "tmux")
	e := newE2E(t)
	dir := filepath.Join(e.dir, "typo")
	db := filepath.Join(dir, "roster.db")
	want := "roster: no database at " + db + ": roster init creates one, or --db names yours\n"
	nothingMade := func(what string) {
		t.Helper()
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("%s made %s (%v): %v", what, dir, err, entries)
		}
	}
	refused := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(e.bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 || errb.String() != want {
			t.Fatalf("roster %s: %v, stderr %q, want exit 1 and %q; printed %s", strings.Join(args, " "), err, errb.String(), want, out.String())
		}
		nothingMade("roster " + strings.Join(args, " "))
	}
	for _, args := range [][]string{
		{"teams"}, {"users", "--json"}, {"audit"}, {"invite", "ann@acme.test"},
		{"mail"}, {"mail", "deliver"}, {"backup"},
		{"serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--host-key", filepath.Join(e.dir, "host_key")},
	} {
		refused(e.env, append([]string{"--db", db}, args...)...)
		refused(append(e.env, "ROSTER_DB="+db), args...)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "host_key")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("roster serve refused the database but made its host key: %v", err)
	}

	// The dashboard, in a terminal: the line, and no setup.
	x := newTmux(e)
	p := x.start("typo", 100, 30, e.bin, "--db", db)
	if code := p.waitExit(); code != 1 {
		t.Fatalf("the dashboard on a missing --db: exit %d, want 1; %s", code, p.report())
	}
	if errs, _ := os.ReadFile(p.stderr); string(errs) != want {
		t.Fatalf("the dashboard on a missing --db said %q, want %q", errs, want)
	}
	nothingMade("the dashboard")

	// The first run with nothing given makes the data directory's
	// database, and the setup shows (README: go run .).
	first := x.start("first", 100, 30, e.bin)
	first.waitFor("Welcome to roster")
	if _, err := os.Stat(e.dataDirDB()); err != nil {
		t.Fatalf("the first run made no database in the data directory: %v", err)
	}

	// roster init makes the one named; the others then open it.
	e.db = db
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	if out := e.cli("users"); !strings.Contains(out, "boss@acme.test") {
		t.Fatalf("users after init:\n%s", out)
	}
}
