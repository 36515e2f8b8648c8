package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// roster serve refuses, in one line and at once, a database it may read
// but not write: SQLite opened it read-only without a word, and the server
// said it was serving, /readyz answered ok, and every act, mail and
// session failed (attempt to write a readonly database). A command that
// only reads still reads it.
func TestE2EServeRefusesADatabaseItCannotWrite(t *testing.T) {
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "owner@acme.test")
	readOnly(t, e.db)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "--db", e.db, "serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0",
		"--host-key", filepath.Join(e.dir, "host_key"))
	cmd.Env = e.env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("roster serve ran on a database it cannot write:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err == nil || len(lines) != 1 || !strings.Contains(lines[0], e.db+" cannot be written") {
		t.Errorf("roster serve: %v\n%s\nwant one line saying %s cannot be written, and a failure", err, out, e.db)
	}
	if !strings.Contains(e.cli("users"), "owner@acme.test") {
		t.Error("roster users no longer reads the database")
	}
}

// readOnly makes the file at path one this process may read and not write:
// immutable for root (whom modes do not stop), 0400 for anyone else.
func readOnly(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
}
