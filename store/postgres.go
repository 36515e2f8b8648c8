package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL: several roster processes on one database (issue 11). The
// store's SQL is written once, for SQLite, and rewritten for PostgreSQL
// once per statement text (pgText); the few statements that differ more
// are written for each engine side by side where they run (Q.pg).

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
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(8)
	shown := dsn
	if u, err := url.Parse(dsn); err == nil {
		shown = u.Redacted()
	}
	s := &Store{path: shown, wdb: db, rdb: db, pg: &pgSQL{m: map[string]pgStmt{}}}
	if err := s.migratePostgres(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migratePostgres applies the pending migrations of migrations/postgres in
// one transaction, under an advisory lock: of two nodes starting together,
// the second waits for the first and then finds its version. The version
// lives in the one-row table roster_schema. The first file, 011, is the
// whole schema as SQLite's migrations leave it, so the Go steps that
// convert older SQLite databases (migrationSteps) never run here.
func (s *Store) migratePostgres(ctx context.Context) error {
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
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass('roster_schema') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if exists {
		if err := tx.QueryRowContext(ctx, "SELECT version FROM roster_schema").Scan(&have); err != nil {
			return fmt.Errorf("open database %s: %w", s.path, err)
		}
	}
	if err := s.checkVersion(have); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		body, err := migrations.ReadFile(m.path)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration postgres/%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO roster_schema (version) VALUES ($1)
			ON CONFLICT (one) DO UPDATE SET version = excluded.version`, m.version); err != nil {
			return fmt.Errorf("migration postgres/%s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

// beginWrite opens a write transaction. On PostgreSQL its first statement
// takes roster's write lock, held to its end, so that write transactions
// run one at a time as SQLite's IMMEDIATE ones do, and every statement
// after the lock (READ COMMITTED) sees everything written before it. The
// rules were written for that: the last owner cannot be demoted by two
// operators at once, a link accepted twice at once is accepted once, two
// operators resending one invitation send one mail, without a retry loop
// around closures that send mail or hash passwords and cannot simply run
// again. Reads take no lock and run beside the writer.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil || s.pg == nil {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockKey); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// pgSQL keeps each statement text rewritten for PostgreSQL.
type pgSQL struct {
	mu sync.Mutex
	m  map[string]pgStmt
}

// pgStmt is a statement rewritten for PostgreSQL, and which of the
// arguments it was given (by number, from 1) it uses: PostgreSQL infers each
// parameter's type from where it appears, and refuses one that appears
// nowhere, which the store's SQL passes (the listing's now, unused without
// a status filter). Those are left out and the others numbered again.
type pgStmt struct {
	text string
	n    int   // the largest number used
	uses []int // nil: the first n arguments
}

// stmt is query rewritten for PostgreSQL, once per text while the cache
// has room (the listings build theirs from a few filters and orders).
func (p *pgSQL) stmt(query string) pgStmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[query]; ok {
		return st
	}
	st := pgText(query)
	if len(p.m) < maxCachedStmts {
		p.m[query] = st
	}
	return st
}

// args are the arguments st uses, of those given.
func (st pgStmt) args(args []any) []any {
	if st.uses == nil {
		return args[:min(st.n, len(args))]
	}
	out := make([]any, 0, len(st.uses))
	for _, n := range st.uses {
		if n <= len(args) {
			out = append(out, args[n-1])
		}
	}
	return out
}

// pgText rewrites a statement of the store, written for SQLite, into
// PostgreSQL's:
//   - ?N becomes $N, and a bare ? one more than the largest number before
//     it, as SQLite numbers it;
//   - INSERT OR IGNORE INTO ... becomes INSERT INTO ... ON CONFLICT DO NOTHING;
//   - CROSS JOIN, SQLite's way to fix the order of a join, becomes JOIN;
//   - a unary + before a column, SQLite's way to keep an index out of a
//     plan, is dropped (PostgreSQL has no unary + for text);
//   - LIKE becomes ILIKE: SQLite's LIKE ignores the case of ASCII letters;
//   - COLLATE BINARY becomes COLLATE "C" (COLLATE NOCASE names the schema's
//     nocase collation already).
//
// String literals are left as they are. The store writes SQL keywords in
// capitals, which is what the rewrites look for.
func pgText(query string) pgStmt {
	var b strings.Builder
	n := 0
	used := map[int]bool{}
	var nums []int // of each parameter, in the order they appear
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(query) && query[j] != '\'' {
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			k := n + 1
			if j > i+1 {
				k, _ = strconv.Atoi(query[i+1 : j])
			}
			n = max(n, k)
			used[k] = true
			nums = append(nums, k)
			b.WriteString("\x00") // numbered below
			i = j - 1
		case c == '+' && i+1 < len(query) && isIdentStart(query[i+1]) && (i == 0 || query[i-1] == ' ' || query[i-1] == '('):
			// unary: dropped
		default:
			b.WriteByte(c)
		}
	}
	// Parameters numbered densely when some number up to the largest is
	// unused.
	st := pgStmt{n: n}
	renum := map[int]int{}
	for k := 1; k <= n; k++ {
		if used[k] {
			st.uses = append(st.uses, k)
			renum[k] = len(st.uses)
		}
	}
	if len(st.uses) == n {
		st.uses = nil
		for k := 1; k <= n; k++ {
			renum[k] = k
		}
	}
	s := b.String()
	var out strings.Builder
	for _, k := range nums {
		before, after, _ := strings.Cut(s, "\x00")
		out.WriteString(before + "$" + strconv.Itoa(renum[k]))
		s = after
	}
	out.WriteString(s)
	s = out.String()
	if strings.Contains(s, "INSERT OR IGNORE INTO") {
		s = strings.Replace(s, "INSERT OR IGNORE INTO", "INSERT INTO", 1) + " ON CONFLICT DO NOTHING"
	}
	st.text = strings.NewReplacer(" CROSS JOIN ", " JOIN ", " LIKE ", " ILIKE ", "COLLATE BINARY", `COLLATE "C"`).Replace(s)
	return st
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// pgQuerier runs the store's statements on PostgreSQL, rewritten by pgText.
// pgx prepares each on a connection the first time it runs there and keeps
// it, so they are not prepared through database/sql as SQLite's are.
type pgQuerier struct {
	db  querier
	sql *pgSQL
}

func (p pgQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := p.sql.stmt(query)
	return p.db.ExecContext(ctx, st.text, st.args(args)...)
}

func (p pgQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := p.sql.stmt(query)
	return p.db.QueryContext(ctx, st.text, st.args(args)...)
}

func (p pgQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := p.sql.stmt(query)
	return p.db.QueryRowContext(ctx, st.text, st.args(args)...)
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
