package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"roster/internal/testdb"
)

// With ROSTER_TEST_POSTGRES set, the tests' databases are PostgreSQL's: a
// CI whose variable went missing or wrong would otherwise run SQLite twice
// and pass.
func TestEngineIsPostgresWhenAsked(t *testing.T) {
	st := openTemp(t)
	want := testdb.Postgres() != ""
	if st.Postgres() != want {
		t.Fatalf("Postgres() = %v with %s=%q", st.Postgres(), testdb.Env, testdb.Postgres())
	}
	if !want {
		return
	}
	var version int
	must(t, st.Read().db.QueryRowContext(context.Background(), "SELECT current_setting('server_version_num')::int").Scan(&version))
	if version < 150000 {
		t.Fatalf("PostgreSQL %d, want 15 or later", version)
	}
}

// Nodes starting together on a new database migrate it once: the second
// waits on the migration lock and finds the version the first wrote.
func TestPostgresConcurrentOpensMigrateOnce(t *testing.T) {
	dsn := testdb.NewPostgres(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			st, err := Open(ctx, dsn)
			if err == nil {
				err = st.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		must(t, <-errs)
	}
	st, err := Open(ctx, dsn)
	must(t, err)
	defer st.Close()
	var v, rows int
	must(t, st.Read().db.QueryRowContext(ctx, "SELECT max(version), count(*) FROM roster_schema").Scan(&v, &rows))
	if v != SchemaVersion() || rows != 1 {
		t.Fatalf("schema version %d in %d rows, want %d in one", v, rows, SchemaVersion())
	}
	// The counters the baseline fills are there once, not once per node.
	var counts int
	must(t, st.Read().db.QueryRowContext(ctx, "SELECT count(*) FROM user_counts").Scan(&counts))
	if counts != 5 {
		t.Fatalf("%d user_counts rows, want 5", counts)
	}
}

// A PostgreSQL database written by a newer roster is refused, as a SQLite
// one is.
func TestPostgresRefusesNewerSchema(t *testing.T) {
	dsn := testdb.NewPostgres(t)
	ctx := context.Background()
	st, err := Open(ctx, dsn)
	must(t, err)
	must(t, st.Write(ctx, func(q *Q) error {
		_, err := q.db.ExecContext(ctx, "UPDATE roster_schema SET version = ?", SchemaVersion()+1)
		return err
	}))
	st.Close()
	_, err = Open(ctx, dsn)
	if err == nil || !strings.Contains(err.Error(), "written by a newer roster") {
		t.Fatalf("open a newer database: %v", err)
	}
}

// A read transaction on PostgreSQL sees one snapshot, as SQLite's does, and
// neither it nor the read pool can write.
func TestPostgresReadTxIsOneSnapshot(t *testing.T) {
	testdb.RequirePostgres(t)
	st := openTemp(t)
	ctx := context.Background()
	addUser(t, st, &User{Email: "ada@example.com"})
	err := st.ReadTx(ctx, func(q *Q) error {
		var n int
		if err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			return err
		}
		addUser(t, st, &User{Email: "bob@example.com"})
		var m int
		if err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&m); err != nil {
			return err
		}
		if m != n {
			t.Errorf("a read transaction saw %d users, then %d after another's commit", n, m)
		}
		_, err := q.db.ExecContext(ctx, "INSERT INTO teams (name) VALUES ('x')")
		if err == nil {
			t.Error("wrote in a read transaction")
		}
		return nil
	})
	must(t, err)
	if _, err := st.Read().db.ExecContext(ctx, "INSERT INTO teams (name) VALUES ('x')"); err == nil {
		t.Error("wrote through the read pool")
	}
}

// PostgreSQL's unique violations are the store's ErrDuplicate, wherever they
// come from.
func TestPostgresErrorsMapped(t *testing.T) {
	testdb.RequirePostgres(t)
	st := openTemp(t)
	ctx := context.Background()
	addTeams(t, st, "Sales")
	err := st.Write(ctx, func(q *Q) error {
		_, err := q.AddTeam(ctx, "SALES")
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a team named twice, in another case: %v", err)
	}
}

// The engines' migrations are numbered in step: PostgreSQL's last is
// SQLite's, so that one schema version means one schema on either.
func TestMigrationsInStep(t *testing.T) {
	sqlite, err := migrationList("migrations")
	must(t, err)
	pg, err := migrationList("migrations/postgres")
	must(t, err)
	if len(pg) == 0 || pg[len(pg)-1].version != sqlite[len(sqlite)-1].version {
		t.Fatalf("PostgreSQL's migrations end at %v, SQLite's at %d", pg, SchemaVersion())
	}
	if pg[0].version != 11 {
		t.Fatalf("PostgreSQL's first migration is %d, want the baseline, 11", pg[0].version)
	}
}
