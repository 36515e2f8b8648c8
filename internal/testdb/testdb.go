// Package testdb gives each test a fresh roster database on the engine the
// environment asks for, so that one test runs on either: a SQLite file in
// the test's temporary directory, or, when ROSTER_TEST_POSTGRES holds a
// PostgreSQL server's URL, a new database on that server, dropped when the
// test ends. It returns the address store.Open takes; it does not import
// the store, so that the store's own tests can use it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Env names the variable holding the PostgreSQL server's URL, such as
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable (.ci/postgres
// starts one and prints it).
const Env = "ROSTER_TEST_POSTGRES"

// Postgres is the server URL tests run against, "" for SQLite.
func Postgres() string { return os.Getenv(Env) }

// DSN is a new, empty database for the test: a SQLite file path, or a
// PostgreSQL URL when Env is set.
func DSN(t testing.TB) string {
	t.Helper()
	if Postgres() == "" {
		return filepath.Join(t.TempDir(), "roster.db")
	}
	return NewPostgres(t)
}

// NewPostgres creates a database on the server of Env, dropped when the
// test ends, and returns its URL; it skips the test when Env is unset.
func NewPostgres(t testing.TB) string {
	t.Helper()
	server := RequirePostgres(t)
	admin, err := adminDB(server)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "roster_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	t.Cleanup(func() {
		// FORCE: a test that failed may have left connections open.
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}

// RequirePostgres returns the server URL of Env, or skips the test, saying
// why, when it is unset (CI always sets it).
func RequirePostgres(t testing.TB) string {
	t.Helper()
	server := Postgres()
	if server == "" {
		t.Skipf("needs PostgreSQL: set %s to a server's URL (bash .ci/postgres starts one and prints it)", Env)
	}
	return server
}

// SQLiteOnly skips the test on PostgreSQL, saying why: what it checks is
// SQLite's alone (file modes, pragmas, migrations of older SQLite files).
func SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if Postgres() != "" {
		t.Skipf("SQLite only: %s", why)
	}
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// adminDB is one pool to the server's own database, for creating and
// dropping the tests' databases.
func adminDB(server string) (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", server)
		if adminErr == nil {
			adminErr = admin.PingContext(context.Background())
		}
		if adminErr != nil {
			adminErr = fmt.Errorf("connect to the test server: %w", adminErr)
		}
	})
	return admin, adminErr
}
