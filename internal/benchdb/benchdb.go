// Package benchdb keeps, for benchmarks, a database seeded with a million
// users under the temporary directory, so that only the first run pays the
// minute it takes to make.
package benchdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// Million returns the path of a database seeded with n users by seed 1, made
// if missing or made by another version of the seed or schema. Benchmarks
// must only read it.
func Million(tb testing.TB, n int) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("seeds a large database")
	}
	name := fmt.Sprintf("roster-bench-seed%d-schema%d-n%d.db", store.SeedVersion, store.SchemaVersion(), n)
	path := filepath.Join(os.TempDir(), name)
	unlock, err := lock(path + ".lock")
	if err != nil {
		tb.Fatal(err)
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		same, err := sameSchema(path)
		if err != nil {
			tb.Fatal(err)
		}
		if same {
			return path
		}
		tb.Logf("%s has another schema: seeding it again", path)
	}
	// Caches of other seeds and schemas stay: another checkout of roster
	// (a branch with a migration more, or one less) may be using them.
	tmp := path + ".making"
	for _, suffix := range []string{"", "-wal", "-shm", "-writers"} {
		os.Remove(tmp + suffix)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, tmp)
	if err != nil {
		tb.Fatal(err)
	}
	stats, err := store.Seed(ctx, st, n, 1, admin.Presets)
	if err != nil {
		st.Close()
		tb.Fatal(err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	os.Remove(tmp + "-writers") // the seed's writers' lock file (store.WritersWaiting)
	tb.Logf("seeded %s: %d users in %v", path, stats.Users, stats.Took.Round(time.Second))
	return path
}

// Copy returns the path of a copy of Million's database of n users under
// tb's temporary directory, for a benchmark that writes.
func Copy(tb testing.TB, n int) string {
	tb.Helper()
	cache := Million(tb, n)
	db := filepath.Join(tb.TempDir(), "roster.db")
	// Streamed: at a million users the file is about a gigabyte.
	src, err := os.Open(cache)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(db, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
	return db
}

// Open opens dsn, a copy of the seeded database (Copy, PostgresCopy), until
// tb ends, and returns it with the address of its first active owner, who
// acts in the benchmark.
func Open(tb testing.TB, dsn string) (*store.Store, string) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		tb.Fatal("no owner in the seeded database", err)
	}
	return st, owners[0]
}

// sameSchema reports whether the database at path has the schema a new
// database gets: 001_init.sql's indexes may change without a new version.
func sameSchema(path string) (bool, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-bench-schema")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	fresh, err := store.Open(ctx, filepath.Join(dir, "fresh.db"))
	if err != nil {
		return false, err
	}
	defer fresh.Close()
	cached, err := store.Open(ctx, path)
	if err != nil {
		return false, nil
	}
	defer cached.Close()
	a, err := schema(ctx, fresh)
	if err != nil {
		return false, err
	}
	b, err := schema(ctx, cached)
	return slices.Equal(a, b), err
}

func schema(ctx context.Context, st *store.Store) ([]string, error) {
	conn, err := st.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// lock takes a lock file, so that two benchmark binaries (go test runs
// packages in parallel) do not seed the same file at once. A lock older than
// ten minutes is taken to be left by a killed run.
func lock(path string) (unlock func(), err error) {
	deadline := time.Now().Add(15 * time.Minute)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > 10*time.Minute {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: still locked after 15 minutes", path)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Users is the number of users ROSTER_BENCH_USERS asks for, or def.
func Users(def int) int {
	if n, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && n > 0 {
		return n
	}
	return def
}

// InTurns runs a and b once each (the databases' pages into the caches),
// then b.N times each, taking turns so that both see the same machine, and
// returns their times.
func InTurns(tb *testing.B, a, b func() time.Duration) (as, bs []time.Duration) {
	a()
	b()
	tb.ResetTimer()
	for range tb.N {
		as = append(as, a())
		bs = append(bs, b())
	}
	tb.StopTimer()
	return as, bs
}

// Median of d, which it sorts.
func Median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// ReportPair reports the medians of times and baseTimes, as name-ns/op and
// base-ns/op, and their ratio, name/base; it returns the medians.
func ReportPair(b *testing.B, name string, times []time.Duration, base string, baseTimes []time.Duration) (time.Duration, time.Duration) {
	r, f := Median(times), Median(baseTimes)
	b.ReportMetric(float64(r.Nanoseconds()), name+"-ns/op")
	b.ReportMetric(float64(f.Nanoseconds()), base+"-ns/op")
	b.ReportMetric(float64(r)/float64(f), name+"/"+base)
	return r, f
}
