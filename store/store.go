// Package store keeps roster's data in one SQLite file: the schema and its
// migrations, and the queries the rules in admin/ and mail/ are built from.
// It holds no rules, no mail and no UI.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open roster database. Writes go through Write, one IMMEDIATE
// transaction each, so concurrent read-then-write transactions queue on the
// busy timeout instead of failing with SQLITE_BUSY; reads use a separate pool.
type Store struct {
	path string
	wdb  *sql.DB
	rdb  *sql.DB
}

// DefaultPath is $XDG_DATA_HOME/roster/roster.db (~/.local/share/roster/roster.db).
func DefaultPath() (string, error) {
	dir, err := DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "roster.db"), nil
}

// DataDir is where roster keeps its database and, for roster serve, its host key.
func DataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "roster"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "roster"), nil
}

func dsn(path, txlock string, extra ...string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Overwrite deleted content (such as a sent link's token) where it costs no extra I/O.
	q.Add("_pragma", "secure_delete(FAST)")
	for _, p := range extra {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A database written by a newer roster is refused.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	wdb, err := sql.Open("sqlite", dsn(path, "immediate"))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, "deferred", "query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{path: path, wdb: wdb, rdb: rdb}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

type migration struct {
	version int
	name    string
}

func migrationList() ([]migration, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		ms = append(ms, migration{n, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the schema version this build of roster writes.
func SchemaVersion() int {
	ms, _ := migrationList()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the pending numbered migrations in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrationList()
	if err != nil {
		return err
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	defer tx.Rollback()
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if want := SchemaVersion(); have > want {
		return fmt.Errorf("database %s has schema version %d, written by a newer roster (this one knows up to %d): upgrade roster", s.path, have, want)
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries, either inside a write transaction or on the read pool.
type Q struct{ db querier }

// Read returns queries over the read pool (no transaction).
func (s *Store) Read() *Q { return &Q{s.rdb} }

// ReadTx runs fn in one read transaction, so that it sees one snapshot.
func (s *Store) ReadTx(ctx context.Context, fn func(*Q) error) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	return fn(&Q{tx})
}

// Write runs fn in one IMMEDIATE transaction and commits it when fn returns
// nil. Everything fn writes lands together or not at all.
func (s *Store) Write(ctx context.Context, fn func(*Q) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(&Q{tx}); err != nil {
		return err
	}
	return mapErr(tx.Commit())
}

// DataVersion returns a number that changes whenever another connection
// commits to the database; screens poll it to refresh.
func (s *Store) DataVersion(ctx context.Context, conn *sql.Conn) (int64, error) {
	var v int64
	err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}

// Conn returns a dedicated read connection (PRAGMA data_version is per connection).
func (s *Store) Conn(ctx context.Context) (*sql.Conn, error) { return s.rdb.Conn(ctx) }
