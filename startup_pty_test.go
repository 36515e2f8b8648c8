package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"roster/store"
)

// roster help, its output on a pseudo-terminal that answers nothing (a
// terminal that ignores queries, a pipe behind a pty), takes no extra wait:
// Bubble Tea v1 asked such a terminal for its background colour in its
// package init and waited 5 s for the answer.
func TestHelpOnASilentTerminalIsPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	e := newE2E(t)
	cmd := exec.Command(e.bin, "help")
	cmd.Env = e.env // TERM=xterm-256color: a terminal that could answer
	// The pty is the process's controlling terminal, and it is in the
	// foreground, as in a terminal window: what a terminal query needs.
	start := time.Now()
	master, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	var out bytes.Buffer
	read := make(chan struct{})
	go func() { io.Copy(&out, master); close(read) }() // read, never answer
	err = cmd.Wait()
	took := time.Since(start)
	<-read // the terminal closed with the process
	if err != nil {
		t.Fatalf("roster help: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "roster") {
		t.Fatalf("roster help printed nothing on the terminal: %q", out.String())
	}
	t.Logf("roster help on a silent terminal: %v", took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("roster help took %v on a terminal that does not answer; want well under 5 s", took)
	}
}

// Every roster process, roster help included, runs the package inits of
// everything roster is built from: none of roster's own does real work
// there (the mail and web templates were parsed in them; an argon2 hash
// once cost 73-88 ms). What an init allocates tells, without timing it.
func TestNoWorkAtInit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	e := newE2E(t)
	cmd := exec.Command(e.bin, "help")
	cmd.Env = append(e.env, "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("roster help: %v\n%s", err, stderr.String())
	}
	// init roster/mail @3.1 ms, 0.76 ms clock, 178136 bytes, 2856 allocs
	inits := regexp.MustCompile(`(?m)^init (main|roster/\S+) @.*, (\d+) bytes, \d+ allocs$`).FindAllStringSubmatch(stderr.String(), -1)
	if len(inits) == 0 {
		t.Fatalf("no init of roster's in the trace:\n%s", stderr.String())
	}
	for _, m := range inits {
		if n, _ := strconv.Atoi(m[2]); n > 64<<10 {
			t.Errorf("the init of %s allocates %d bytes", m[1], n)
		}
	}
}

// The dashboard draws its first Users frame on a pseudo-terminal that
// answers none of its queries (background colour, modes) without waiting
// for them. BenchmarkStartupFirstFrame measures it beside the floor.
func TestDashboardOnASilentTerminalIsPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	e := newE2E(t)
	db := seededDB(t, 5_000)
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	owners, err := st.Read().Owners(context.Background())
	if err != nil || len(owners) == 0 {
		t.Fatal("no owner in the seeded database", err)
	}
	p, err := st.Read().ListUsers(context.Background(), store.ListQuery{Limit: 1})
	st.Close()
	if err != nil || len(p.Users) == 0 {
		t.Fatal("no user in the seeded database", err)
	}
	run := startupRun{args: []string{e.bin, "--db", db, "--as", owners[0]}, env: e.env, want: []byte(p.Users[0].Email)}
	took := run.firstFrame(t)
	t.Logf("first Users frame on a silent terminal: %v", took.Round(time.Millisecond))
	// A race-built roster on a busy machine takes a second; v1 waited 5 s.
	if took > 4*time.Second {
		t.Errorf("the first Users frame took %v on a terminal that does not answer; want well under 5 s", took)
	}
}
