package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"roster/internal/benchdb"
	"roster/store"
)

// timedRun runs a command to its end, its standard output into the file
// out, and returns how long it took from exec.
func timedRun(tb testing.TB, out string, name string, args ...string) time.Duration {
	tb.Helper()
	f, err := os.Create(out)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(name, args...)
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, stderr.Bytes())
	}
	return d
}

// exportSQL is what roster export --csv writes, as the sqlite3 command-line
// shell runs it: the same columns from the same rows in the same order.
const exportSQL = `SELECT email, first_name, last_name, phone, role, replace(teams, ',', ';') AS team,
	position, reference_id, locale FROM users ORDER BY sort_name, id`

// BenchmarkExportCSV measures `roster export --csv` into a file as a whole
// process, and the sqlite3 shell writing the same rows as CSV into a file
// (`.mode csv`), the two taking turns in each iteration, and reports each
// one's median and roster's over sqlite3's. A million users by default
// (ROSTER_BENCH_USERS):
//
//	go test -run '^$' -bench ExportCSV -benchtime 5x .
func BenchmarkExportCSV(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("the sqlite3 shell is not installed")
	}
	users := envInt("ROSTER_BENCH_USERS", 1_000_000)
	roster := e2eBinary(b)
	db := seededDB(b, users)
	owner := benchOwner(b, db, func(*store.Store) {})
	out := filepath.Join(b.TempDir(), "export.csv")
	runRoster := func() time.Duration {
		return timedRun(b, out, roster, "--db", db, "--as", owner, "export", "--csv")
	}
	runSQLite := func() time.Duration {
		return timedRun(b, out, sqlite3, "-readonly", "-csv", "-header", db, exportSQL)
	}
	rs, bs := benchdb.InTurns(b, runRoster, runSQLite)
	r, base := benchdb.ReportPair(b, "roster", rs, "sqlite3", bs)
	b.Logf("%d users, export --csv vs sqlite3 .mode csv: roster %v, sqlite3 %v (medians of %d)", users,
		r.Round(time.Millisecond), base.Round(time.Millisecond), b.N)
}
