// Package store keeps roster's data in one SQLite file, or in a PostgreSQL
// database shared by several roster processes (postgres.go): the schema and
// its migrations, and the queries the rules in admin/ and mail/ are built
// from. It holds no rules, no mail and no UI.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Store is an open roster database. Writes go through Write, one IMMEDIATE
// transaction each, so concurrent read-then-write transactions queue on the
// busy timeout instead of failing with SQLITE_BUSY; reads use a separate pool.
// On PostgreSQL writes queue on a lock instead (beginWrite).
type Store struct {
	path    string
	wdb     *sql.DB
	rdb     *sql.DB
	cdb     *sql.DB         // SQLite: Conn's connections, opened when asked for
	writers *waitingWriters // SQLite: marks its writers waiting for the lock
	wstmts  *stmtCache      // SQLite
	rstmts  *stmtCache      // SQLite
	pg      *pgSQL          // PostgreSQL: nil on SQLite
	pgcfg   *pgx.ConnConfig
	// file is, on SQLite, the database file as it was opened: Ready tells
	// it from one put at its path since.
	file os.FileInfo
	// changes counts, on PostgreSQL, the changes this Store's watches have
	// seen: its own write transactions, as they commit, and every node's
	// notices (see pgListener).
	changes atomic.Int64
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

// busyTimeout is how long a connection waits for a lock another holds.
const busyTimeout = 10 * time.Second

func dsn(path, txlock string, extra ...string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// Overwrite deleted content (such as a sent link's token) where it costs no extra I/O.
	q.Add("_pragma", "secure_delete(FAST)")
	// Statement journals (a statement firing triggers in a bigger
	// transaction) in memory, not in temporary files: a sixth of inviting.
	q.Add("_pragma", "temp_store(MEMORY)")
	for _, p := range extra {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens the database dsn and brings its schema up to date: a
// postgres:// or postgresql:// URL is a PostgreSQL database; anything else
// is the path of a SQLite file, created if needed. A database written by a
// newer roster is refused.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, false)
}

// open is Open; copying opens the target of a copy (Copy), which a copy
// that did not finish marked (markCopying) and every other open refuses
// (UnfinishedError).
func open(ctx context.Context, dsn string, copying bool) (*Store, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, copying)
	}
	return openSQLite(ctx, dsn, copying)
}

// OpenExisting is Open for a database that must exist already: a SQLite
// path that holds no file is refused (*MissingError), and nothing is
// created there, neither the file nor its directories, -wal or -shm.
func OpenExisting(ctx context.Context, dsn string) (*Store, error) {
	if err := Exists(dsn); err != nil {
		return nil, err
	}
	return Open(ctx, dsn)
}

// Exists refuses a SQLite path that holds no file (*MissingError). A
// PostgreSQL URL names a database its server has, or refuses itself.
func Exists(dsn string) error {
	if IsPostgres(dsn) {
		return nil
	}
	if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
		return &MissingError{Path: dsn}
	}
	return nil
}

func openSQLite(ctx context.Context, path string, copying bool) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	// The write pool puts the database in WAL mode, which the file keeps:
	// asking again on every read connection cost each process a
	// millisecond, a tenth of a one-shot command's run. Only commits sync,
	// so synchronous is the write pool's alone: SQLite reads the whole
	// schema (every table, index and trigger) to set it, which a
	// connection that reads no table, the change watch's, then never does
	// (0.6 ms a connection, in a process's first milliseconds).
	//
	// The write connection may keep 64 MiB of pages, not SQLite's 2: a
	// transaction that dirties more than its cache holds spills pages to the
	// log before it commits and reads them back, and inviting 10,000 people
	// in one dirties far more than 2 MiB (a sixth faster with the room).
	// The pages are taken only as a write touches them.
	wdb, err := sql.Open("sqlite", dsn(path, "immediate", "journal_mode(WAL)", "synchronous(NORMAL)", "cache_size(-65536)"))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, "deferred", "query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	cdb, err := sql.Open("sqlite", dsn(path, "deferred", "query_only(1)"))
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{path: path, wdb: wdb, rdb: rdb, cdb: cdb, wstmts: newStmtCache(wdb), rstmts: newStmtCache(rdb),
		writers: &waitingWriters{path: path + "-writers"}}
	if !copying {
		if err := s.unfinished(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.file, err = os.Stat(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// ownerOnly creates the database file, when missing, readable and writable
// by its owner alone, whatever the umask (SQLite gives its -wal and -shm
// files the database's permissions), and refuses files others may use.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		err = errors.Join(f.Chmod(0o600), f.Close())
	case errors.Is(err, fs.ErrExist):
		err = nil
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	var exposed []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			exposed = append(exposed, p)
		}
	}
	if exposed != nil {
		return &ExposedError{Paths: exposed}
	}
	return nil
}

// Path is the database file's path, or the PostgreSQL URL without its
// password.
func (s *Store) Path() string { return s.path }

// Postgres reports whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.pg != nil }

// WritersWaiting reports whether a writer, of this process or another,
// waits for the write lock, for a long run of write transactions (an
// import, a bulk act) to pause and let it in (see waitingWriters). On
// PostgreSQL none needs a pause: its advisory lock queues them, and grants
// it to the first waiting before the run's next transaction.
func (s *Store) WritersWaiting() bool { return s.pg == nil && s.writers.any() }

// NeedsClose reports whether s must be closed before its process exits:
// on PostgreSQL always (the server logs a connection dropped), on SQLite
// once it has written (its write pool connected), since closing the last
// connection checkpoints the log and syncs the file, which a commit under
// synchronous=NORMAL does not. A SQLite store that only read may be left to
// the exit, as to a kill, which SQLite is made to survive: closing it costs
// a one-page read a twentieth of its run (freeing the parsed schema,
// unmapping the log's index).
func (s *Store) NeedsClose() bool {
	return s.pg != nil || s.wdb.Stats().OpenConnections > 0
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.pg != nil {
		return errors.Join(s.rdb.Close(), s.wdb.Close())
	}
	return errors.Join(s.rstmts.close(), s.wstmts.close(), s.cdb.Close(), s.rdb.Close(), s.wdb.Close(), s.writers.close())
}

type migration struct {
	version    int
	name, path string // name: the path below migrations/, as errors say it
}

// migrationSteps are the Go steps run right after a migration's SQL, in its
// transaction, for what SQL cannot compute.
var migrationSteps = map[int]func(*Q, context.Context) error{
	5: (*Q).keyEmails,
	6: (*Q).rebuildPending,
	9: (*Q).rebuildUserRows,
}

// migrationList lists the migrations of one engine: dir is migrations
// (SQLite) or migrations/postgres.
func migrationList(dir string) ([]migration, error) {
	entries, err := migrations.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		path := dir + "/" + e.Name()
		ms = append(ms, migration{n, strings.TrimPrefix(path, "migrations/"), path})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the schema version this build of roster writes, on
// either engine (their migrations are numbered in step).
func SchemaVersion() int {
	ms, _ := migrationList("migrations")
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the pending numbered migrations in one transaction. The
// version is read first on the read pool, which a long write (a big import)
// does not block; the write lock is taken only when a migration is due, and
// the version read again under it, since another process may have migrated
// the database meanwhile.
func (s *Store) migrate(ctx context.Context) error {
	have, err := s.schemaVersion(ctx, s.rdb)
	if err != nil || have == SchemaVersion() {
		return err
	}
	ms, err := migrationList("migrations")
	if err != nil {
		return err
	}
	tx, err := s.beginMigration(ctx)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	defer tx.Rollback()
	if have, err = s.schemaVersion(ctx, tx); err != nil {
		return err
	}
	return applyMigrations(ctx, tx, &Q{db: tx}, ms, have, func(version int) error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
		return err
	})
}

// beginMigration begins the write transaction that migrates. The write
// connection it opens switches a new database to WAL, which takes the file
// from every other connection: when several processes create one database
// at once, two can each hold it shared and want it alone, and SQLite then
// fails one at once (SQLITE_BUSY, its busy handler not called) rather than
// let both wait for each other. That one begins again until the busy
// timeout, by then seeing a database in WAL whose writers queue.
func (s *Store) beginMigration(ctx context.Context) (*sql.Tx, error) {
	deadline := time.Now().Add(busyTimeout)
	for {
		tx, err := s.wdb.BeginTx(ctx, nil)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// applyMigrations runs in tx, and commits, the migrations of ms numbered
// above have, on either engine: each one's SQL, its Go step (on q, over
// tx) and setVersion, which records its number as the engine keeps it.
func applyMigrations(ctx context.Context, tx *sql.Tx, q *Q, ms []migration, have int, setVersion func(version int) error) error {
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		body, err := migrations.ReadFile(m.path)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if step := migrationSteps[m.version]; step != nil {
			if err := step(q, ctx); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		if err := setVersion(m.version); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

// schemaVersion reads the database's schema version, refusing one written by
// a newer roster.
func (s *Store) schemaVersion(ctx context.Context, db querier) (int, error) {
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return 0, fmt.Errorf("open database %s: %w", s.path, err)
	}
	return have, s.checkVersion(have)
}

// checkVersion refuses a database written by a newer roster.
func (s *Store) checkVersion(have int) error {
	if want := SchemaVersion(); have > want {
		return fmt.Errorf("database %s has schema version %d, written by a newer roster (this one knows up to %d): upgrade roster", s.path, have, want)
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries, either inside a write transaction or on the read pool.
// pg is set on PostgreSQL, for the few statements written for each engine.
// claiming is set in Claim's transactions on PostgreSQL, which do not hold
// the write lock.
type Q struct {
	db       querier
	pg       bool
	claiming bool
}

// Read returns queries over the read pool (no transaction).
func (s *Store) Read() *Q {
	if s.pg != nil {
		return &Q{db: pgQuerier{s.rdb, s.pg}, pg: true}
	}
	return &Q{db: pooled{s.rstmts}}
}

// ReadTx runs fn in one read transaction, so that it sees one snapshot
// (on PostgreSQL, REPEATABLE READ gives one; its READ COMMITTED would not).
func (s *Store) ReadTx(ctx context.Context, fn func(*Q) error) error {
	if s.pg != nil {
		tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return mapErr(err)
		}
		defer tx.Rollback()
		return fn(&Q{db: pgQuerier{tx, s.pg}, pg: true})
	}
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	return fn(&Q{db: &txStmts{tx: tx, cache: s.rstmts}})
}

// Write runs fn in one IMMEDIATE transaction (on PostgreSQL, one holding
// the write lock: see beginWrite) and commits it when fn returns nil.
// Everything fn writes lands together or not at all.
func (s *Store) Write(ctx context.Context, fn func(*Q) error) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	q := &Q{db: &txStmts{tx: tx, cache: s.wstmts}}
	if s.pg != nil {
		q = &Q{db: pgQuerier{tx, s.pg}, pg: true}
	}
	if err := fn(q); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err)
	}
	if s.pg != nil {
		s.changes.Add(1)
	}
	return nil
}

// Claim runs fn in the transaction of an outbox worker's claim (ClaimMail,
// ClaimDeliveries) and commits it when fn returns nil. On SQLite it is
// Write. On PostgreSQL it does not take the write lock: the claims lock the
// rows they take (FOR UPDATE SKIP LOCKED) and skip those another
// transaction holds, so the workers of several nodes claim side by side
// and none waits for an operator's write. Every other writer of those rows
// holds the write lock and changes them only under a condition on their
// state (queued, or sending with the claim's attempt), which PostgreSQL
// checks again on the row as the claim left it: each sees the claim as if
// it had come first, or the claim skips the row. fn writes through the
// claims alone, but for the records of the messages ClaimMail gave up,
// which it does only holding the write lock.
func (s *Store) Claim(ctx context.Context, fn func(*Q) error) error {
	if s.pg == nil {
		return s.Write(ctx, fn)
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(&Q{db: pgQuerier{tx, s.pg}, pg: true, claiming: true}); err != nil {
		return err
	}
	return mapErr(tx.Commit())
}

// stmtCache keeps every query that runs again and again prepared, once per
// pooled connection: the driver would otherwise parse each query every time
// it runs, which was half the cost of inviting 10,000 people. A query is
// prepared on its third run. Preparing it on the pool opens a second
// connection while a transaction holds the first, and parses it twice,
// there and on the transaction's connection: the first time, that cost a
// one-shot command (roster users) for every query it ran; the second time,
// a schema read (a tenth of the command's run) for the operator's row, which
// the command line and the rules each read once.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*cachedStmt
}

// cachedStmt is a query's statement once prepared, and its runs until then.
type cachedStmt struct {
	st   *sql.Stmt
	runs int
}

// prepareOnRun is the run on which a query is prepared.
const prepareOnRun = 3

// maxCachedStmts bounds the cache; listings build their queries from a few
// filters and orders, far fewer than this.
const maxCachedStmts = 500

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*cachedStmt{}} }

// get returns query prepared, or nil before its prepareOnRun-th run or when
// the cache is full.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs := c.m[query]
	switch {
	case cs != nil && cs.st != nil:
		return cs.st, nil
	case cs == nil && len(c.m) >= maxCachedStmts:
		return nil, nil
	case cs == nil:
		cs = &cachedStmt{}
		c.m[query] = cs
	}
	if cs.runs++; cs.runs < prepareOnRun {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs.st = st
	return st, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, cs := range c.m {
		if cs.st != nil {
			errs = append(errs, cs.st.Close())
		}
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// pooled runs cached statements on the pool.
type pooled struct{ c *stmtCache }

func (p pooled) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.c.get(ctx, query)
	if err != nil || st == nil {
		return p.c.db.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (p pooled) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.c.get(ctx, query)
	if err != nil || st == nil {
		return p.c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (p pooled) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.c.get(ctx, query)
	if err != nil || st == nil {
		return p.c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmts runs cached statements in a transaction; each is bound to the
// transaction once, and released with it.
type txStmts struct {
	tx    *sql.Tx
	cache *stmtCache
	m     map[string]*sql.Stmt
}

// stmt is query bound to the transaction, or nil to run it unprepared (a
// statement that failed to prepare reports its error when run).
func (t *txStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := t.m[query]; ok {
		return st
	}
	st, err := t.cache.get(ctx, query)
	if err != nil || st == nil {
		return nil
	}
	if t.m == nil {
		t.m = map[string]*sql.Stmt{}
	}
	ts := t.tx.StmtContext(ctx, st)
	t.m[query] = ts
	return ts
}

func (t *txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Checkpoint copies the write-ahead log into the database file and empties
// it: a row overwritten to forget a secret (a sent link's token) leaves the
// page it was on in the log until then. It waits at most a fifth of a second
// for readers of older snapshots, since writers queue behind it meanwhile,
// and says so when they kept it from finishing.
//
// PostgreSQL has no such log to empty (its old row versions go with
// VACUUM, which it runs on its own): there it does nothing.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.pg != nil {
		return nil
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	var timeout, busy, logged, copied int
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 200"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &copied)
	if _, e := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", timeout)); e != nil {
		err = errors.Join(err, e)
	}
	if err == nil && busy != 0 {
		err = errors.New("readers of older snapshots kept the log from being emptied")
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// ChangeWatch tells when the database changed, whoever changed it (another
// session, another process or node, the mail worker); screens poll it to
// know when to read again.
type ChangeWatch struct {
	conn *sql.Conn   // SQLite: PRAGMA data_version's
	pg   *pgListener // PostgreSQL
}

// WatchChanges opens a change watch; Close it when done. On SQLite it holds
// a connection of its own, since PRAGMA data_version counts the commits of
// the others; on PostgreSQL, one that listens for the notices that writes
// send as they commit (see pgListener). It outlives ctx.
func (s *Store) WatchChanges(ctx context.Context) (*ChangeWatch, error) {
	w := &ChangeWatch{}
	var err error
	if s.pg != nil {
		w.pg, err = s.listen(ctx)
	} else {
		w.conn, err = s.Conn(ctx)
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Version returns a number that changes whenever the database changed
// since it was last read; never 0.
func (w *ChangeWatch) Version(ctx context.Context) (int64, error) {
	if w.pg != nil {
		return w.pg.version(), ctx.Err()
	}
	var v int64
	err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}

// Close ends the watch and closes its connection.
func (w *ChangeWatch) Close() error {
	if w.pg != nil {
		w.pg.close()
		return nil
	}
	return w.conn.Close()
}

// Conn returns a dedicated read connection (PRAGMA data_version is per
// connection; on PostgreSQL it is any of the read pool's). On
// SQLite it is never one the read pool keeps: the dashboard's change watch,
// opened beside its first page, took the connection the store's open had
// read the schema on half the time, and the page then waited for another,
// and for the schema read again (1.5 ms at start).
func (s *Store) Conn(ctx context.Context) (*sql.Conn, error) {
	if s.pg != nil {
		return s.rdb.Conn(ctx)
	}
	return s.cdb.Conn(ctx)
}
