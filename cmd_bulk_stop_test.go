package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A bulk act interrupted (ctrl+c) before it was through says so in one
// line, how far it went and that the same command again does the rest,
// after the refusals and what was done: each user not done was a line of
// its own, "roster: not done: context canceled", naming nobody, thousands
// of them burying the refusals, then "roster: context canceled".
func TestBulkActInterruptedSaysHowFarItWent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cy@acme.test")

	// Another writer holds the database: the act waits to write its first
	// batch, and is interrupted meanwhile.
	raw := rawDB(t, db)
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE account SET name = name"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	done := make(chan int)
	go func() {
		done <- run(ctx, c, []string{"--db", db, "edit", "--where", "status=invited", "--team", "+Support", "--yes"})
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the interrupted act went on 10 s")
	}
	tx.Rollback()
	if code != 1 || out.String() != "" ||
		errb.String() != "roster: interrupted after 0 of 3 users: those not done are as they were, and the same command again does them\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if n := len(jsonOf[[]userJSON](t, db, "users", "--team", "Support")); n != 0 {
		t.Fatalf("%d in Support after the interruption, want none", n)
	}
}
