package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"roster/internal/benchdb"
)

// BenchmarkInviteCSV measures `roster invite --csv` of 10,000 people as a
// whole process, into a copy of the seeded database of ROSTER_BENCH_USERS
// users (a million by default), beside internal/plain writing the same
// people into two other copies: their user, mail and audit rows alone
// (plain), and every row an invitation writes (plain-all), as plain
// single-row INSERTs in one transaction. The three take turns in each
// iteration, each turn other people; it reports each one's median and
// roster's over each floor.
//
//	ROSTER_BENCH_USERS=10000 go test -run '^$' -bench InviteCSV -benchtime 3x .
func BenchmarkInviteCSV(b *testing.B) {
	users := envInt("ROSTER_BENCH_USERS", 1_000_000)
	dir := b.TempDir()
	bins := buildBinaries(b, dir, ".", "./internal/plain")
	dbs := make([]string, 3) // roster's, plain's, plain-all's
	var owner string
	for i := range dbs {
		dbs[i] = benchdb.Copy(b, users)
		_, op := benchdb.OpenForInvites(b, dbs[i])
		owner = op.Email
	}
	file, out := filepath.Join(dir, "people.csv"), filepath.Join(dir, "out")
	var rs, ps, as []time.Duration
	for i := -1; i < b.N; i++ { // the first turn brings the pages into the caches
		writePeopleCSV(b, file, fmt.Sprintf("turn%d.", i+2))
		r := timedRun(b, out, bins[0], "--db", dbs[0], "--as", owner, "invite", "--csv", file)
		if got, err := os.ReadFile(out); err != nil || strings.Count(string(got), "\n") != 10_000 {
			b.Fatalf("roster invite --csv printed %d lines, want 10,000 (%v)", strings.Count(string(got), "\n"), err)
		}
		p := timedRun(b, out, bins[1], dbs[1], file)
		a := timedRun(b, out, bins[1], "-all", dbs[2], file)
		if i >= 0 {
			rs, ps, as = append(rs, r), append(ps, p), append(as, a)
		}
	}
	r, p := benchdb.ReportPair(b, "roster", rs, "plain", ps)
	a := benchdb.Median(as)
	b.ReportMetric(float64(a.Nanoseconds()), "plain-all-ns/op")
	b.ReportMetric(float64(r)/float64(a), "roster/plain-all")
	b.Logf("%d users, invite --csv of 10,000: roster %v, plain %v (%.2fx), plain-all %v (%.2fx); medians of %d", users,
		r.Round(time.Millisecond), p.Round(time.Millisecond), float64(r)/float64(p), a.Round(time.Millisecond), float64(r)/float64(a), len(rs))
}

// writePeopleCSV writes benchdb.People's 10,000 people, their addresses
// beginning with prefix, into file as invite --csv reads it.
func writePeopleCSV(tb testing.TB, file, prefix string) {
	tb.Helper()
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write(csvHeader)
	for _, p := range benchdb.People(10_000, prefix) {
		w.Write([]string{p.Email, p.FirstName, p.LastName, p.Phone, p.Role, strings.Join(p.Teams, ";"), p.Position, p.ReferenceID, p.Locale, ""})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
}
