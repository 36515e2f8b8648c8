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

// exportSQL is what roster export --csv writes, as a baseline runs it: the
// same ten columns from the same rows in the same order.
const exportSQL = `SELECT email, first_name, last_name, phone, role, replace(teams, ',', ';') AS team,
	position, reference_id, locale, replace(branches, ',', '|') AS branch FROM users ORDER BY sort_name, id`

// BenchmarkExportCSV measures `roster export --csv` into a file as a whole
// process beside a baseline writing the same rows as CSV into a file, the
// two taking turns in each iteration, and reports each one's median and
// roster's over the baseline's. The baselines: internal/bare -csv (a Go
// program on the same driver, so the difference is roster's own) and the
// sqlite3 shell's `.mode csv` (skipped when it is not installed). A million
// users by default (ROSTER_BENCH_USERS):
//
//	go test -run '^$' -bench ExportCSV -benchtime 5x .
func BenchmarkExportCSV(b *testing.B) {
	users := envInt("ROSTER_BENCH_USERS", 1_000_000)
	dir := b.TempDir()
	bins := buildBinaries(b, dir, ".", "./internal/bare")
	db := seededDB(b, users)
	owner := benchOwner(b, db, func(*store.Store) {})
	out := filepath.Join(dir, "export.csv")
	roster := []string{bins[0], "--db", db, "--as", owner, "export", "--csv"}
	baselines := map[string][]string{"bare": {bins[1], "-csv", db, exportSQL}}
	if sqlite3, err := exec.LookPath("sqlite3"); err == nil {
		baselines["sqlite3"] = []string{sqlite3, "-readonly", "-csv", "-header", db, exportSQL}
	}
	for _, name := range []string{"bare", "sqlite3"} {
		b.Run(name, func(b *testing.B) {
			base, ok := baselines[name]
			if !ok {
				b.Skip("the sqlite3 shell is not installed")
			}
			rs, bs := benchdb.InTurns(b, func() time.Duration { return timedRun(b, out, roster[0], roster[1:]...) },
				func() time.Duration { return timedRun(b, out, base[0], base[1:]...) })
			r, f := benchdb.ReportPair(b, "roster", rs, name, bs)
			b.Logf("%d users, export --csv vs %s: roster %v, %s %v (medians of %d)", users, name,
				r.Round(time.Millisecond), name, f.Round(time.Millisecond), b.N)
		})
	}
}
