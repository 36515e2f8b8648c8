package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"roster/internal/testdb"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// openTemp opens a fresh database on the engine the tests run on (see
// internal/testdb).
func openTemp(t testing.TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), testdb.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// schemaDB is a raw connection to a new database at path holding the schema
// of migrations 1 to version only, as an older roster left it (user_version
// is for the caller to set, with the rows it adds).
func schemaDB(t testing.TB, path string, version int) *sql.DB {
	t.Helper()
	testdb.SQLiteOnly(t, "a database as an older roster left it, before PostgreSQL's baseline (011)")
	raw := rawDB(t, path)
	ms, err := migrationList("migrations")
	must(t, err)
	for _, m := range ms {
		if m.version > version {
			break
		}
		body, err := migrations.ReadFile(m.path)
		must(t, err)
		_, err = raw.Exec(string(body))
		must(t, err)
	}
	return raw
}

// olderStore opens a new database made as an older roster left it: the
// schema of migrations 1 to version, user_version at version, the rows the
// statements add, mode 0600. Open then runs the later migrations.
func olderStore(t testing.TB, version int, stmts ...string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roster.db")
	raw := schemaDB(t, path, version)
	for _, stmt := range append([]string{fmt.Sprintf("PRAGMA user_version = %d", version)}, stmts...) {
		_, err := raw.Exec(stmt)
		must(t, err)
	}
	must(t, raw.Close())
	must(t, os.Chmod(path, 0o600))
	st, err := Open(context.Background(), path)
	must(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// addTeams adds the teams named and returns their IDs, in that order.
func addTeams(t testing.TB, st *Store, names ...string) []int64 {
	t.Helper()
	ids := make([]int64, len(names))
	ctx := context.Background()
	must(t, st.Write(ctx, func(q *Q) (err error) {
		for i, n := range names {
			if ids[i], err = q.AddTeam(ctx, n); err != nil {
				return err
			}
		}
		return nil
	}))
	return ids
}

func addUser(t testing.TB, st *Store, u *User) *User {
	t.Helper()
	if u.Role == "" {
		u.Role = "member"
	}
	if u.Status == "" {
		u.Status = Active
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt, u.UpdatedAt = t0, t0
	}
	err := st.Write(context.Background(), func(q *Q) error { return q.InsertUser(context.Background(), u) })
	if err != nil {
		t.Fatalf("insert %s: %v", u.Email, err)
	}
	return u
}

// A database written by a newer roster is refused, with a message that says so.
func TestOpenRefusesNewerSchema(t *testing.T) {
	testdb.SQLiteOnly(t, "PRAGMA user_version (TestPostgresRefusesNewerSchema is PostgreSQL's)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "roster.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw := rawDB(t, path)
	var v int
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() || v < 1 {
		t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion())
	}
	// Opening again applies nothing twice.
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	st.Close()

	newer := SchemaVersion() + 1
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path)
	if err == nil {
		t.Fatal("opened a database from a newer roster")
	}
	for _, want := range []string{path, "newer roster", fmt.Sprint(newer), fmt.Sprint(SchemaVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != newer {
		t.Fatalf("user_version changed to %d (%v)", v, err)
	}
}

// Every pooled connection gets the pragmas, writes included.
func TestPragmasOnEveryConnection(t *testing.T) {
	testdb.SQLiteOnly(t, "SQLite's pragmas (TestPostgresReadTxIsOneSnapshot checks PostgreSQL's read transactions)")
	st := openTemp(t)
	ctx := context.Background()
	check := func(q *Q) {
		var fk, busy, tables int
		var mode string
		must(t, q.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		must(t, q.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
		// WAL is the file's mode, which a read connection learns as it reads.
		must(t, q.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables))
		must(t, q.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
		if fk != 1 || busy < 5000 || mode != "wal" {
			t.Errorf("foreign_keys %d, busy_timeout %d, journal_mode %s", fk, busy, mode)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(2)
		go func() { defer wg.Done(); must(t, st.Write(ctx, func(q *Q) error { check(q); return nil })) }()
		go func() { defer wg.Done(); must(t, st.ReadTx(ctx, func(q *Q) error { check(q); return nil })) }()
	}
	wg.Wait()
	// The read pool cannot write.
	err := st.ReadTx(ctx, func(q *Q) error {
		_, err := q.db.ExecContext(ctx, "INSERT INTO teams (name) VALUES ('x')")
		return err
	})
	if err == nil {
		t.Fatal("wrote through the read pool")
	}
}

// Read transactions whose queries run for the first or second time, as a
// one-shot command's do (the operator's row is read twice), keep to their
// one connection; a query that runs a third time is then kept prepared.
func TestFirstRunsKeepToOneConnection(t *testing.T) {
	testdb.SQLiteOnly(t, "the statement cache of SQLite's pools (pgx keeps PostgreSQL's)")
	st := openTemp(t)
	ctx := context.Background()
	read := func() {
		t.Helper()
		must(t, st.ReadTx(ctx, func(q *Q) error {
			if _, err := q.Owners(ctx); err != nil {
				return err
			}
			_, err := q.ListUsers(ctx, ListQuery{Limit: 50})
			return err
		}))
	}
	prepared := func() int {
		n := 0
		for _, cs := range st.rstmts.m {
			if cs.st != nil {
				n++
			}
		}
		return n
	}
	for range prepareOnRun - 1 {
		read()
	}
	if n := st.rdb.Stats().OpenConnections; n != 1 {
		t.Fatalf("%d read connections after %d read transactions, want 1", n, prepareOnRun-1)
	}
	if n := prepared(); n != 0 {
		t.Fatalf("%d statements prepared after %d runs, want 0", n, prepareOnRun-1)
	}
	read()
	if n := prepared(); n != 2 {
		t.Fatalf("%d statements prepared after %d runs of two queries, want 2", n, prepareOnRun)
	}
}

// Eight goroutines running read-then-write transactions at once all succeed:
// write transactions begin IMMEDIATE, so they queue instead of failing with
// SQLITE_BUSY.
func TestConcurrentReadThenWrite(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	u := addUser(t, st, &User{Email: "ada@example.com"})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := st.Write(ctx, func(q *Q) error {
					var n int
					if err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM conversations").Scan(&n); err != nil {
						return err
					}
					_, err := q.InsertConversation(ctx, fmt.Sprintf("w%d-%d after %d", w, i, n), u.ID, t0)
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	cs, err := st.Read().Conversations(ctx, 0)
	must(t, err)
	if len(cs) != workers*each {
		t.Fatalf("%d conversations, want %d", len(cs), workers*each)
	}
	// Each transaction saw every one committed before it: the counts run 0..199.
	seen := map[string]bool{}
	for _, c := range cs {
		_, n, _ := strings.Cut(c.Subject, " after ")
		if seen[n] {
			t.Fatalf("two transactions read the same count %s", n)
		}
		seen[n] = true
	}
}

// The store maps driver errors to its own.
func TestErrorsMapped(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	addUser(t, st, &User{Email: "Ada@example.com"})
	err := st.Write(ctx, func(q *Q) error {
		return q.InsertUser(ctx, &User{Email: "ada@EXAMPLE.com", Role: "member", Status: Active, Locale: "en"})
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := st.Read().UserByEmail(ctx, "nobody@example.com", t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	err = st.Write(ctx, func(q *Q) error {
		return q.InsertUser(ctx, &User{Email: "b@example.com", Role: "member", Status: Active, Locale: "en", Teams: []string{"Nowhere"}})
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown team: %v", err)
	}
	u, err := st.Read().UserByEmail(ctx, "ADA@example.com", t0)
	must(t, err)
	u.Position = "x"
	if err := st.Write(ctx, func(q *Q) error { return q.UpdateUser(ctx, u, u.Version+1) }); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale version: %v", err)
	}
}

// A link is consumed by one conditional update: unused, not voided, unexpired.
func TestConsumeToken(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	u := addUser(t, st, &User{Email: "ada@example.com", Status: Invited})
	mk := func(name string, life time.Duration) *Token {
		sum := sha256.Sum256([]byte(name))
		tk := &Token{UserID: u.ID, Kind: "invite", Hash: sum[:], CreatedAt: t0, ExpiresAt: t0.Add(life)}
		must(t, st.Write(ctx, func(q *Q) error { return q.InsertToken(ctx, tk) }))
		return tk
	}
	consume := func(tk *Token, at time.Time) bool {
		var ok bool
		must(t, st.Write(ctx, func(q *Q) (err error) { ok, err = q.ConsumeToken(ctx, tk.ID, tk.Hash, at); return err }))
		return ok
	}
	fresh := mk("fresh", time.Hour)
	if !consume(fresh, t0) || consume(fresh, t0) {
		t.Fatal("a fresh link is consumed once")
	}
	expired := mk("expired", time.Hour)
	if consume(expired, t0.Add(time.Hour)) {
		t.Fatal("an expired link consumed")
	}
	voided := mk("voided", time.Hour)
	must(t, st.Write(ctx, func(q *Q) error { return q.VoidTokens(ctx, u.ID, "invite", t0) }))
	if consume(voided, t0) {
		t.Fatal("a voided link consumed")
	}
	other := mk("other", time.Hour)
	wrong := sha256.Sum256([]byte("wrong"))
	var ok bool
	must(t, st.Write(ctx, func(q *Q) (err error) { ok, err = q.ConsumeToken(ctx, other.ID, wrong[:], t0); return err }))
	if ok {
		t.Fatal("consumed with the wrong hash")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Fold lower-cases and drops accents; ASCII takes a short cut that must agree.
func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Élodie Lefèvre": "elodie lefevre", "ÇA VA": "ca va", "Mårten Ångström": "marten angstrom",
		"Zoë": "zoe", "Łukasz": "łukasz", "Jean.Dupont@Example.FR": "jean.dupont@example.fr", "": "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	for r := rune(0); r < 0x80; r++ {
		s := "a" + string(r) + "Z"
		want := "a" + string(unicode.ToLower(r)) + "z"
		if got := Fold(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}

// Opening a database while another process holds a long write (a big import)
// neither waits for it nor fails with SQLITE_BUSY: the schema version is read
// without the write lock, which is taken only when a migration is due.
func TestOpenDuringLongWrite(t *testing.T) {
	ctx := context.Background()
	path := testdb.DSN(t)
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	addUser(t, writer, &User{Email: "ada@example.com"})
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- writer.Write(ctx, func(q *Q) error {
			if _, err := q.db.ExecContext(ctx, "UPDATE users SET position = 'importing'"); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding

	start := time.Now()
	st, err := Open(ctx, path)
	if err != nil {
		close(release)
		t.Fatalf("open during a write: %v", err)
	}
	defer st.Close()
	page, err := st.Read().ListUsers(ctx, ListQuery{Now: t0})
	elapsed := time.Since(start)
	close(release)
	if err != nil {
		t.Fatalf("list users during a write: %v", err)
	}
	if len(page.Users) != 1 || page.Users[0].Position != "" {
		t.Errorf("listed %+v, want ada as committed before the write", page.Users)
	}
	if elapsed > 2*time.Second {
		t.Errorf("open and list took %s during a write, want well under the 10 s busy timeout", elapsed)
	}
	must(t, <-done)
}

// Processes opening a new database at once migrate it once: each reads the
// version again under the write lock before applying anything.
func TestOpenConcurrentMigrates(t *testing.T) {
	testdb.SQLiteOnly(t, "PRAGMA user_version (TestPostgresConcurrentOpensMigrateOnce is PostgreSQL's)")
	ctx := context.Background()
	// Rounds, each a new database: the opens that collide while one
	// switches the file to WAL are a matter of timing, met about once in
	// fifty rounds here (a few under the race detector, whose migrations
	// take a second).
	rounds := 30
	if raceEnabled {
		rounds = 3
	}
	for round := range rounds {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("roster%d.db", round))
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				st, err := Open(ctx, path)
				if err == nil {
					err = st.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			must(t, <-errs)
		}
		var v int
		if err := rawDB(t, path).QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
			t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion())
		}
	}
}

// A dedicated connection (the change watch's) is a new one: the read pool
// keeps the connection a first read opened, and read the schema on, for
// the next read (the dashboard's first page, read beside the watch's start).
func TestConnLeavesTheReadPoolsConnection(t *testing.T) {
	testdb.SQLiteOnly(t, "SQLite's pools of connections to one file (PostgreSQL's Conn is any of the pool's)")
	st := openTemp(t)
	ctx := context.Background()
	if _, err := st.Read().Owners(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := st.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if idle := st.rdb.Stats().Idle; idle != 1 {
		t.Fatalf("the read pool keeps %d connections ready once a dedicated one is taken, want 1", idle)
	}
}
