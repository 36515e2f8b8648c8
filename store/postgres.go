package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"roster/internal/pgsql"
)

// PostgreSQL: several roster processes on one database (issue 11). The
// store's SQL is written once, for SQLite, and rewritten for PostgreSQL
// once per statement text (pgsql.Rewrite); the few statements that differ
// more are written for each engine side by side where they run (Q.pg).

// The advisory lock keys roster takes on PostgreSQL (any two numbers no
// other program on the database uses; these spell "roster w" and "roster m").
const (
	writeLockKey   int64 = 0x726f737465722077
	migrateLockKey int64 = 0x726f73746572206d
)

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens the PostgreSQL database at the URL dsn and brings its
// schema up to date.
func openPostgres(ctx context.Context, dsn string, copying bool) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// The read pool cannot write, as SQLite's (query_only): a read that
	// writes by mistake fails rather than slipping past the write lock.
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	wdb, rdb := stdlib.OpenDB(*cfg), stdlib.OpenDB(*rcfg)
	// More idle connections than database/sql's 2 are kept: a new one
	// costs a round of authentication and loses pgx's prepared statements.
	wdb.SetMaxIdleConns(8)
	rdb.SetMaxIdleConns(8)
	s := &Store{path: redacted(dsn), wdb: wdb, rdb: rdb, pg: &pgSQL{m: map[string]pgsql.Stmt{}}, pgcfg: cfg.Copy()}
	if err := s.migratePostgres(ctx, copying); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// migratePostgres applies the pending migrations of migrations/postgres in
// one transaction, under an advisory lock: of two nodes starting together,
// the second waits for the first and then finds its version. The version
// lives in the one-row table roster_schema. The first file, 011, is the
// whole schema as SQLite's migrations leave it: the Go steps of the
// versions before it (migrationSteps 5, 6 and 9), which convert older
// SQLite databases, never run here; those of later versions run on both.
func (s *Store) migratePostgres(ctx context.Context, copying bool) error {
	ms, err := migrationList("migrations/postgres")
	if err != nil {
		return err
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	have := 0
	var exists, marked bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass('roster_schema') IS NOT NULL, to_regclass('"+copyMark+"') IS NOT NULL").Scan(&exists, &marked); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if marked && !copying {
		return s.unfinishedFrom(ctx, tx)
	}
	if exists {
		if err := tx.QueryRowContext(ctx, "SELECT version FROM roster_schema").Scan(&have); err != nil {
			return fmt.Errorf("open database %s: %w", s.path, err)
		}
	}
	if err := s.checkVersion(have); err != nil {
		return err
	}
	return applyMigrations(ctx, tx, &Q{db: pgQuerier{tx, s.pg}, pg: true}, ms, have, func(version int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO roster_schema (version) VALUES ($1)
			ON CONFLICT (one) DO UPDATE SET version = excluded.version`, version)
		return err
	})
}

// beginWrite opens a write transaction. On PostgreSQL its first statement
// takes roster's write lock, held to its end, so that write transactions
// run one at a time as SQLite's IMMEDIATE ones do, and every statement
// after the lock (READ COMMITTED) sees everything written before it. The
// rules were written for that: the last owner cannot be demoted by two
// operators at once, a link accepted twice at once is accepted once, two
// operators resending one invitation send one mail, without a retry loop
// around closures that send mail or hash passwords and cannot simply run
// again. Reads take no lock and run beside the writer. The same statement
// queues the notice of a change that PostgreSQL sends to the change
// watches when, and if, the transaction commits (see pgListener).
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	if s.pg == nil {
		defer s.writers.mark()()
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil || s.pg == nil {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1), "+notifyChange, writeLockKey); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// pgSQL keeps each statement text rewritten for PostgreSQL.
type pgSQL struct {
	mu sync.Mutex
	m  map[string]pgsql.Stmt
}

// stmt is query rewritten for PostgreSQL, once per text while the cache
// has room (the listings build theirs from a few filters and orders).
func (p *pgSQL) stmt(query string) pgsql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[query]; ok {
		return st
	}
	st := pgsql.Rewrite(query)
	if len(p.m) < maxCachedStmts {
		p.m[query] = st
	}
	return st
}

// pgQuerier runs the store's statements on PostgreSQL, rewritten by
// pgsql.Rewrite.
// pgx prepares each on a connection the first time it runs there and keeps
// it, so they are not prepared through database/sql as SQLite's are.
type pgQuerier struct {
	db  querier
	sql *pgSQL
}

func (p pgQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := p.sql.stmt(query)
	return p.db.ExecContext(ctx, st.Text, st.Args(args)...)
}

func (p pgQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := p.sql.stmt(query)
	return p.db.QueryContext(ctx, st.Text, st.Args(args)...)
}

func (p pgQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := p.sql.stmt(query)
	return p.db.QueryRowContext(ctx, st.Text, st.Args(args)...)
}

// notifyChange queues the notice of a change, sent on commit. Its payload
// is the schema written to, so that the watches of a database whose other
// schemas hold other rosters (the tests' do) see their own changes alone.
const notifyChange = "pg_notify('roster_changes', current_schema())"

// pgListener is PostgreSQL's answer to SQLite's PRAGMA data_version: a
// connection of its own that LISTENs on roster_changes and counts the
// notices of commits to its schema, from every node, in Store.changes.
// Writes through the store send them (beginWrite, and the claims that took
// something); a statement typed in psql does not, and shows on the
// dashboards with the next write. PostgreSQL sends a notice only when its
// transaction commits, one however many statements it ran; the dashboards
// read the count when they poll, which folds a burst into one change. The
// Store counts its own writes as they commit as well, since their notices
// come a moment later: a screen that reads again right after its own edit
// sees it, as on SQLite.
type pgListener struct {
	cfg     *pgx.ConnConfig
	changes *atomic.Int64 // the Store's
	pid     atomic.Uint32 // the listening connection's server process, set once it counts: for tests
	cancel  context.CancelFunc
	done    chan struct{}
}

// listen connects a pgListener and starts it.
func (s *Store) listen(ctx context.Context) (*pgListener, error) {
	l := &pgListener{cfg: s.pgcfg, changes: &s.changes, done: make(chan struct{})}
	conn, schema, err := l.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch for changes: %w", err)
	}
	l.pid.Store(conn.PgConn().PID())
	lctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.run(lctx, conn, schema)
	return l, nil
}

// connect opens a connection listening on roster_changes, and returns the
// schema whose notices count.
func (l *pgListener) connect(ctx context.Context) (*pgx.Conn, string, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, "", err
	}
	var schema string
	err = conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema)
	if err == nil {
		_, err = conn.Exec(ctx, "LISTEN roster_changes")
	}
	if err != nil {
		conn.Close(context.Background())
		return nil, "", err
	}
	return conn, schema, nil
}

// run counts the notices until ctx ends. When the connection is lost it
// connects again, once a second until it can, and counts one change: some
// may have come and gone meanwhile.
func (l *pgListener) run(ctx context.Context, conn *pgx.Conn, schema string) {
	defer close(l.done)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			if n.Payload == schema {
				l.changes.Add(1)
			}
			continue
		}
		conn.Close(context.Background())
		for {
			if ctx.Err() != nil {
				return
			}
			if conn, schema, err = l.connect(ctx); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		l.changes.Add(1)
		l.pid.Store(conn.PgConn().PID())
	}
}

// version changes with every change counted; never 0.
func (l *pgListener) version() int64 { return 1 + l.changes.Load() }

// close stops the listener and closes its connection.
func (l *pgListener) close() {
	l.cancel()
	<-l.done
}

// pgErr maps PostgreSQL's errors to the store's, as mapErr does SQLite's.
// Serialization failures and deadlocks cannot happen while writes take the
// write lock; were one to, the caller sees a conflict, as with a stale edit.
func pgErr(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return ErrDuplicate
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return fmt.Errorf("%w (%s)", ErrConflict, pe.Message)
	}
	return err
}
