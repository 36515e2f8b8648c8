package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/internal/testdb"
	"roster/store"
)

// roster migrate killed (SIGKILL) while it copies leaves a target that
// says what it is: every command on it, roster init and the dashboard's
// setup included, is refused with "the migration from SRC into DST did
// not finish: run roster migrate ... again" (it said "run roster init" of
// a database holding the schema alone, where a second account could be
// set up). Run again, migrate finishes it, every row once, and the target
// then opens. The target is PostgreSQL when ROSTER_TEST_POSTGRES is set,
// else a SQLite file.
func TestMigrateAfterKill9(t *testing.T) {
	need(t)
	e := newE2E(t)
	src := e.db
	migrate := func(to string) *exec.Cmd {
		cmd := exec.Command(e.bin, "migrate", "--from", src, "--to", to)
		cmd.Env = e.env
		return cmd
	}
	// As many users as make a whole copy last long enough to be killed in
	// its middle, on this machine and build (the race detector's is
	// twenty times as slow): twice as many each time it is too quick.
	var whole time.Duration
	for users := 0; whole < 300*time.Millisecond; {
		if users >= 64000 {
			t.Fatalf("a whole copy of %d users took %v: too quick to be killed in its middle", users, whole)
		}
		add := max(users, 1000)
		e.cli("seed", "--users", strconv.Itoa(add), "--seed", strconv.Itoa(users+1), "--yes")
		users += add
		began := time.Now()
		if out, err := migrate(testdb.DSN(t)).CombinedOutput(); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		whole = time.Since(began)
	}

	dst := testdb.DSN(t)
	cmd := migrate(dst)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once it has read half as many bytes as the source holds: in
	// the middle of reading it, table by table, into the target's one
	// transaction (Linux's /proc/PID/io counts what a process read).
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(time.Millisecond) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", cmd.Process.Pid))
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Skipf("what the process read is not to be known here: %v", err)
		}
		var read int64
		for _, line := range strings.Split(string(stat), "\n") {
			if v, ok := strings.CutPrefix(line, "rchar: "); ok {
				read, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		if read >= fi.Size()/2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("roster migrate read %d bytes of a %d-byte source in %v", read, fi.Size(), e2eWait)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("roster migrate ended before it was killed (%v): seed more users\n%s", err, logs.String())
	}

	// It was killed copying: the target's schema had been made.
	conn := rawAny(t, dst)
	version := "PRAGMA user_version"
	if store.IsPostgres(dst) {
		version = "SELECT version FROM roster_schema"
	}
	if v := column(t, conn, version); len(v) != 1 || v[0] != strconv.Itoa(store.SchemaVersion()) {
		t.Fatalf("roster migrate was killed before it copied: the target's schema version is %v", v)
	}
	conn.Close()

	e.db = dst
	unfinished := "roster: the migration from " + src + " into " + strings.Split(dst, "?")[0]
	again := "did not finish: run roster migrate --from " + src + " --to "
	for _, args := range [][]string{{"users"}, {"init", "--org", "Other", "--owner", "other@acme.test"}, {"teams", "add", "Sales"}} {
		_, errs, code := e.run(args...)
		if code != 1 || !strings.HasPrefix(errs, unfinished) || !strings.Contains(errs, again) || strings.Count(errs, "\n") != 1 {
			t.Fatalf("roster %s on the target of a killed migrate: exit %d, stderr %q, want %q … %q", strings.Join(args, " "), code, errs, unfinished, again)
		}
	}

	if out, err := migrate(dst).CombinedOutput(); err != nil {
		t.Fatalf("migrate again: %v\n%s", err, out)
	}
	sameRows(t, src, dst)
	if out := e.cli("users", "--limit", "1"); !strings.Contains(out, "@") {
		t.Fatalf("the finished target lists nobody:\n%s", out)
	}
}

// roster migrate from a SQLite file that roster serve has open is refused,
// in one line, and makes no target: what the server wrote after the copy
// began would not be in the copy, and the nodes then started on the copy
// would go on without it. Once the server is stopped, it copies.
func TestMigrateRefusesASourceServeHolds(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", freePort(t))
	srv.waitLog("serving")
	dst := filepath.Join(e.dir, "copy.db")
	_, errs, code := e.run("migrate", "--from", e.db, "--to", dst)
	want := "roster: " + e.db + " is in use (roster serve, the dashboard or a command has it open): stop it, then migrate"
	if code != 1 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("migrate from a database roster serve holds: exit %d, stderr %q, want %q", code, errs, want)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the refused migrate made its target: %v", err)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("roster serve: %v\n%s", err, srv.Logs())
	}
	// It says the copy is the source as it was when it began.
	if out := e.cli("migrate", "--from", e.db, "--to", dst); !strings.Contains(out, "copied as the source was when the copy began") {
		t.Fatalf("migrate does not say what its copy holds:\n%s", out)
	}
	sameRows(t, e.db, dst)
}
