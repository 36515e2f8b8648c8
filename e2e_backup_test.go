package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"roster/backup"
)

// roster backup and restore against a running roster serve (issue 16): the
// backup is taken while it serves; restoring over its database is refused,
// changing nothing, until it has stopped; then the backup is what the
// database holds. serve --backup-every takes one at once when the newest
// in its directory is older than that, and prunes its own to
// --backup-keep, leaving every other file alone.
func TestE2EBackupAndRestoreBesideServe(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	e.cli("invite", "jean@acme.test", "zoe@acme.test")

	dir := filepath.Join(e.dir, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := []string{backup.Name(dir, time.Now().Add(-72*time.Hour)), backup.Name(dir, time.Now().Add(-48*time.Hour))}
	others := []string{filepath.Join(dir, "roster-backup-notes.txt"), filepath.Join(dir, "mine.db")}
	for _, p := range append(slices.Clone(old), others...) {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", freePort(t),
		"--backup-every", "24h", "--backup-keep", "2", "--backup-dir", dir)
	srv.waitLog("backup pruned")
	for _, p := range others {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the scheduled backup's pruning took %s: %v", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(old[0]); err == nil {
		t.Errorf("%s, the oldest of three, was kept", filepath.Base(old[0]))
	}
	if _, err := os.Stat(old[1]); err != nil {
		t.Errorf("%s, the second newest, was pruned", filepath.Base(old[1]))
	}

	out := e.cli("backup")
	m := regexp.MustCompile(`^backed up to (\S+/roster-backup-\S+\.db) in \S+: integrity ok, schema version \d+, 3 users, \d+ audit rows, 2 outbox rows\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("roster backup beside roster serve said %q", out)
	}
	file := m[1]
	// A second at once, as a script may take one before each step: named
	// to the second, it failed on the first one's name.
	if again := e.cli("backup"); !strings.HasPrefix(again, "backed up to ") || strings.Contains(again, file) {
		t.Errorf("a second roster backup at once said %q", again)
	}
	if filepath.Dir(file) != filepath.Dir(e.db) {
		t.Errorf("the backup went to %s, want beside the database", file)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup: %v, mode %v, want 0600", err, fi.Mode())
	}

	e.cli("invite", "late@acme.test") // after the backup: the restore undoes it
	e.cliFails("is in use (roster serve, the dashboard or a command has it open): stop it, then restore", "restore", file)
	if n := count(t, e.db, "SELECT count(*) FROM users"); n != 4 {
		t.Errorf("the refused restore left %d users, want 4", n)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("roster serve did not stop cleanly: %v\n%s", err, srv.Logs())
	}
	out = e.cli("restore", file)
	if !strings.HasPrefix(out, "restored "+file+" (written ") || !strings.Contains(out, "into "+e.db+": 3 users, ") {
		t.Errorf("roster restore said %q", out)
	}
	if users := e.cli("users"); strings.Contains(users, "late@acme.test") || !strings.Contains(users, "zoe@acme.test") {
		t.Errorf("after the restore, users:\n%s", users)
	}
}
