package benchdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"roster/internal/testdb"
	"roster/store"
)

// Postgres returns the URL of a PostgreSQL database holding the same data
// as Million's SQLite database of n users, row for row and id for id, so
// that benchmarks compare the two engines on equal data. It lives on the
// server of testdb.Env (the test is skipped when that is unset), as a
// database named after the seed, the schema and n, made if missing by
// copying Million's file table by table. Benchmarks must only read it.
//
// The copy is the benchmarks' alone: store.Seed still refuses PostgreSQL,
// and moving a real database is roster migrate's work.
func Postgres(tb testing.TB, n int) string {
	tb.Helper()
	server := testdb.RequirePostgres(tb)
	if testing.Short() {
		tb.Skip("seeds a large database")
	}
	name := fmt.Sprintf("roster_bench_seed%d_schema%d_n%d", store.SeedVersion, store.SchemaVersion(), n)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("%s: %v", testdb.Env, err)
	}
	defer admin.Close(ctx)
	if databaseExists(tb, admin, name) {
		return databaseURL(tb, server, name)
	}
	path := Million(tb, n)
	unlock, err := lock(filepath.Join(os.TempDir(), name+".lock"))
	if err != nil {
		tb.Fatal(err)
	}
	defer unlock()
	if databaseExists(tb, admin, name) { // made while this one waited
		return databaseURL(tb, server, name)
	}
	// Made under another name and renamed when complete, so that a copy
	// killed half-way is never taken for the cache.
	making := name + "_making"
	for _, q := range []string{`DROP DATABASE IF EXISTS "` + making + `" WITH (FORCE)`, `CREATE DATABASE "` + making + `"`} {
		if _, err := admin.Exec(ctx, q); err != nil {
			tb.Fatal(err)
		}
	}
	began := time.Now()
	if err := copyToPostgres(ctx, path, databaseURL(tb, server, making)); err != nil {
		tb.Fatalf("copy %s to PostgreSQL: %v", path, err)
	}
	if _, err := admin.Exec(ctx, `ALTER DATABASE "`+making+`" RENAME TO "`+name+`"`); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("copied %s to PostgreSQL's %s in %v", path, name, time.Since(began).Round(time.Second))
	return databaseURL(tb, server, name)
}

// PostgresCopy returns the URL of a copy of Postgres's database of n users,
// dropped when tb ends, for a benchmark that writes.
func PostgresCopy(tb testing.TB, n int) string {
	tb.Helper()
	cache := Postgres(tb, n)
	server := testdb.Postgres()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "roster_bench_copy_" + hex.EncodeToString(b)
	from := strings.TrimPrefix(mustParse(tb, cache).Path, "/")
	// A template may have no other connection while it is copied: another
	// benchmark process reading the cache makes this wait.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, err := admin.Exec(ctx, `CREATE DATABASE "`+name+`" TEMPLATE "`+from+`"`)
		if err == nil {
			break
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "55006" || time.Now().After(deadline) {
			tb.Fatalf("copy %s: %v", from, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			tb.Error(err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`); err != nil {
			tb.Errorf("drop %s: %v", name, err)
		}
	})
	return databaseURL(tb, server, name)
}

func databaseExists(tb testing.TB, admin *pgx.Conn, name string) bool {
	tb.Helper()
	var exists bool
	if err := admin.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		tb.Fatal(err)
	}
	return exists
}

func mustParse(tb testing.TB, raw string) *url.URL {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("%s: %v", testdb.Env, err)
	}
	return u
}

// databaseURL is server's URL with the database name in its path.
func databaseURL(tb testing.TB, server, name string) string {
	tb.Helper()
	u := mustParse(tb, server)
	u.Path = "/" + name
	return u.String()
}

// copyToPostgres gives the empty database at dst roster's schema (through
// store.Open) and copies every table of the SQLite database at src into it
// with COPY, ids included. The derived tables and columns are copied as
// they are rather than made again by the triggers, which are off meanwhile
// (session_replication_role, as pg_restore does), as are the foreign key
// checks: the rows come from a consistent database. Secondary indexes are
// made after the rows, and the tables analysed, as a restore would.
func copyToPostgres(ctx context.Context, src, dst string) error {
	st, err := store.Open(ctx, dst)
	if err != nil {
		return err
	}
	st.Close()
	lite, err := sql.Open("sqlite", "file:"+src+"?mode=ro")
	if err != nil {
		return err
	}
	defer lite.Close()
	pg, err := pgx.Connect(ctx, dst)
	if err != nil {
		return err
	}
	defer pg.Close(ctx)
	if _, err := pg.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		return err
	}
	tx, err := pg.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var indexes []string
	rows, err := tx.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
		AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname`)
	if err != nil {
		return err
	}
	var drop []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return err
		}
		drop, indexes = append(drop, name), append(indexes, def)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range drop {
		if _, err := tx.Exec(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return err
		}
	}
	rows, err = tx.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'roster_schema' ORDER BY table_name`)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	// The migrations' own rows (user_counts' totals) give way to the copy's.
	if _, err := tx.Exec(ctx, `TRUNCATE "`+strings.Join(tables, `", "`)+`"`); err != nil {
		return err
	}
	for _, t := range tables {
		if err := copyTable(ctx, lite, tx, t); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	for _, def := range indexes {
		if _, err := tx.Exec(ctx, def); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// Statistics for the planner, and the visibility map for index-only scans.
	_, err = pg.Exec(ctx, "VACUUM ANALYZE")
	return err
}

// copyTable copies table's rows from SQLite into PostgreSQL, column by
// column of PostgreSQL's table, and moves its identity column's sequence, if
// any, past the highest id copied.
func copyTable(ctx context.Context, lite *sql.DB, tx pgx.Tx, table string) error {
	type column struct {
		name     string
		boolean  bool // SQLite keeps 0 or 1
		identity bool
	}
	rows, err := tx.Query(ctx, `SELECT column_name, data_type = 'boolean', is_identity = 'YES' FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return err
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c column, err error) {
		return c, r.Scan(&c.name, &c.boolean, &c.identity)
	})
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	src, err := lite.QueryContext(ctx, `SELECT "`+strings.Join(names, `", "`)+`" FROM "`+table+`"`)
	if err != nil {
		return err
	}
	defer src.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	source := pgx.CopyFromFunc(func() ([]any, error) {
		if !src.Next() {
			return nil, src.Err()
		}
		if err := src.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, c := range cols {
			if n, ok := vals[i].(int64); ok && c.boolean {
				vals[i] = n != 0
			}
		}
		return vals, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, names, source); err != nil {
		return err
	}
	for _, c := range cols {
		if c.identity {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'), coalesce(max("%[2]s"), 0) + 1, false) FROM "%[1]s"`, table, c.name)); err != nil {
				return err
			}
		}
	}
	return nil
}
