package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// copyTable is one table Copy copies, in an order where every row's
// references are copied before it.
type copyTable struct {
	name string
	// derived tables are kept by triggers from the others; omit names
	// columns the triggers count up from their default (teams.members).
	// Where the target's triggers fire during the copy (SQLite's), derived
	// tables are not copied but recomputed by them as the rows they derive
	// from go in, and omitted columns are left to them: a copied count
	// would be counted again. The triggers recompute the rest of what they
	// keep (a user row's teams, invitation and away spans) from the copied
	// rows, to the values copied.
	derived bool
	omit    []string
	// made are rows the target's migrations made, which the source's
	// replace on either engine (id_floors': the ids each table has given).
	made bool
}

// copyTables lists every table of the schema (TestCopyListsEveryTable
// fails when a migration adds one and not here). SQLite has no switch to
// turn triggers off, so a copy into SQLite lets them recompute what they
// keep. PostgreSQL has one for a table's owner, which roster is (ALTER
// TABLE ... DISABLE TRIGGER USER, undone before the commit and with a
// rollback): there every table is copied as it is, derived ones included.
// Fired once per copied row, its triggers would update the same few rows
// (teams.members, user_counts) as many times, each update a new version of
// the row within one transaction that the next must walk past: copying
// 100,000 users did not end in ten minutes. That the target's rows equal
// the source's, derived ones included, is checked by the counts here and
// row by row in the tests.
var copyTables = []copyTable{
	{name: "account"},
	{name: "users"},
	{name: "search_keys"},
	{name: "user_perms"},
	{name: "teams", omit: []string{"members"}},
	{name: "user_teams"},
	{name: "branches", omit: []string{"members"}},
	{name: "user_branches"},
	{name: "user_tags"},
	{name: "tokens"},
	{name: "away_periods"},
	{name: "conversations"},
	{name: "auto_replies"},
	{name: "audit"},
	{name: "outbox"},
	{name: "captured_mail"},
	{name: "ssh_keys"},
	{name: "pending_invitations", derived: true},
	{name: "user_counts", derived: true},
	{name: "billing_plans"},
	{name: "seat_ledger"},
	{name: "api_keys"},
	{name: "scim_ids"},
	{name: "webhooks"},
	{name: "webhook_deliveries"},
	{name: "notify_prefs"},
	{name: "id_floors", made: true},
}

// TableCount is a table's number of rows, as Copy found it in both
// databases.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// Copy copies every row of the roster database from into the empty
// database to (either may be a SQLite file or a PostgreSQL URL; to is
// created and migrated if needed), ids and audit trail included, in one
// transaction on to, and returns each table's rows once the counts of both
// agree. from is read in one snapshot, taken as the copy begins, and never
// migrated: it must be at this roster's schema version. A SQLite from that
// another connection has open (roster serve, the dashboard, a command) is
// refused (InUseError): what it wrote after the snapshot would not be in
// the copy. On PostgreSQL the identity columns go on after the copied ids.
//
// to is marked before anything is written there (markCopying), and the
// mark goes in the copy's transaction: a copy killed half-way leaves a
// target every open refuses (UnfinishedError) rather than an empty
// database to set a new account up in, and which Copy, run again, copies
// into from the start.
func Copy(ctx context.Context, from, to string) ([]TableCount, error) {
	if err := Exists(from); err != nil {
		return nil, &MissingError{Path: from, From: true}
	}
	have, err := schemaVersionAt(ctx, from)
	if err != nil {
		return nil, err
	}
	if want := SchemaVersion(); have != want {
		return nil, &VersionError{Path: redacted(from), Have: have, Want: want}
	}
	if !IsPostgres(from) {
		if err := refuseInUse(ctx, from); err != nil {
			return nil, err
		}
	}
	src, err := Open(ctx, from)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if err := markFresh(ctx, to, redacted(from)); err != nil {
		return nil, err
	}
	dst, err := open(ctx, to, true)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	if err := dst.markCopying(ctx, redacted(from)); err != nil {
		return nil, err
	}

	// SQLite's read transaction is one snapshot; PostgreSQL's must be asked.
	var opts *sql.TxOptions
	if src.pg != nil {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	rtx, err := src.rdb.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("copy: read %s: %w", src.path, err)
	}
	defer rtx.Rollback()
	// SQLite's snapshot is taken by the first read: at once, not after
	// the target is ready.
	if _, err := countRows(ctx, rtx, "account"); err != nil {
		return nil, fmt.Errorf("copy: read %s: %w", src.path, err)
	}
	wtx, err := dst.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: write %s: %w", dst.path, err)
	}
	defer wtx.Rollback()

	if err := refuseNotEmpty(ctx, wtx, dst.path); err != nil {
		return nil, err
	}
	recompute := dst.pg == nil
	for _, t := range copyTables {
		if t.derived && recompute {
			continue
		}
		if err := dst.copyRows(ctx, rtx, wtx, t, recompute); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, mapErr(err))
		}
	}
	counts := make([]TableCount, 0, len(copyTables))
	for _, t := range copyTables {
		ns, err := countRows(ctx, rtx, t.name)
		if err != nil {
			return nil, fmt.Errorf("copy: %s: %w", src.path, err)
		}
		nd, err := countRows(ctx, wtx, t.name)
		if err != nil {
			return nil, fmt.Errorf("copy: %s: %w", dst.path, err)
		}
		if ns != nd {
			return nil, fmt.Errorf("copy: %s has %d rows in %s but %d in %s: nothing copied", t.name, ns, src.path, nd, dst.path)
		}
		counts = append(counts, TableCount{t.name, ns})
	}
	if _, err := wtx.ExecContext(ctx, "DROP TABLE "+copyMark); err != nil {
		return nil, fmt.Errorf("copy: write %s: %w", dst.path, err)
	}
	if err := wtx.Commit(); err != nil {
		return nil, fmt.Errorf("copy: write %s: %w", dst.path, err)
	}
	return counts, nil
}

// refuseNotEmpty refuses a target that holds rows (NotEmptyError): those
// a copy makes, not those its migrations made.
func refuseNotEmpty(ctx context.Context, tx *sql.Tx, path string) error {
	for _, t := range copyTables {
		if t.derived || t.made {
			continue
		}
		n, err := countRows(ctx, tx, t.name)
		if err != nil {
			return fmt.Errorf("copy: %s: %w", path, err)
		}
		if n > 0 {
			return &NotEmptyError{Path: path, Table: t.name, Rows: n}
		}
	}
	return nil
}

// copyMark is the table Copy makes in its target before anything else is
// written there, and drops in the transaction that copies: a database
// that has it is one a copy began and did not finish (killed, the machine
// stopped), which every open but Copy's refuses (UnfinishedError). Its one
// row is the source, as messages show it. It is no table of the schema.
const copyMark = "roster_migrating"

// mark (re)writes the copy's mark from in tx, of a PostgreSQL database
// with pg.
func mark(ctx context.Context, tx *sql.Tx, pg bool, from string) error {
	insert := "INSERT INTO " + copyMark + " (source) VALUES (?)"
	if pg {
		insert = "INSERT INTO " + copyMark + " (source) VALUES ($1)"
	}
	for _, q := range []string{"CREATE TABLE IF NOT EXISTS " + copyMark + " (source TEXT NOT NULL)", "DELETE FROM " + copyMark} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, insert, from)
	return err
}

// markFresh marks to as the target of a copy from before its schema is
// made, when to is new: a SQLite file that is missing or empty (created
// here, its owner's alone, as Open does), a PostgreSQL database roster never
// opened. A copy killed as it makes the schema leaves it marked. A target
// roster has opened is marked by markCopying, once it is found empty.
func markFresh(ctx context.Context, to, from string) error {
	driver, source, pg := "sqlite", dsn(to, "immediate", "journal_mode(WAL)"), IsPostgres(to)
	if pg {
		driver, source = "pgx", to
	} else {
		if fi, err := os.Stat(to); err == nil && fi.Size() > 0 {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		if err := ownerOnly(to); err != nil {
			return err
		}
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return wrapOpen(to, err)
	}
	defer tx.Rollback()
	if pg {
		var made bool
		if err := tx.QueryRowContext(ctx, "SELECT to_regclass('roster_schema') IS NOT NULL").Scan(&made); err != nil || made {
			return wrapOpen(to, err)
		}
	}
	if err := mark(ctx, tx, pg, from); err != nil {
		return wrapOpen(to, err)
	}
	return wrapOpen(to, tx.Commit())
}

// markCopying marks s as the target of a copy from, once it is found
// empty (NotEmptyError otherwise, leaving it as it was).
func (s *Store) markCopying(ctx context.Context, from string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("copy: write %s: %w", s.path, err)
	}
	defer tx.Rollback()
	if err := refuseNotEmpty(ctx, tx, s.path); err != nil {
		return err
	}
	if err := mark(ctx, tx, s.pg != nil, from); err != nil {
		return fmt.Errorf("copy: write %s: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("copy: write %s: %w", s.path, err)
	}
	return nil
}

// unfinished refuses a SQLite database that a copy began and did not
// finish (UnfinishedError).
func (s *Store) unfinished(ctx context.Context) error {
	var marked bool
	err := s.rdb.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '"+copyMark+"')").Scan(&marked)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if !marked {
		return nil
	}
	return s.unfinishedFrom(ctx, s.rdb)
}

// unfinishedFrom is the UnfinishedError of a database whose copy's mark
// db reads.
func (s *Store) unfinishedFrom(ctx context.Context, db querier) error {
	var from string
	err := db.QueryRowContext(ctx, "SELECT source FROM "+copyMark).Scan(&from)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	return &UnfinishedError{Path: s.path, From: from}
}

// refuseInUse refuses a SQLite database that a connection has open, of
// this process or another (InUseError), found as Restore finds it: leaving
// WAL mode, which roster's connections hold the database in, needs every
// other connection gone (busy_timeout 0: it does not wait). Any other
// failure leaves the question to the reads that follow: a file this
// process may not write (a backup on a read-only mount) is one no roster
// serve writes, since serve refuses it.
func refuseInUse(ctx context.Context, path string) error {
	pool, err := sql.Open("sqlite", dsn(path, "deferred", "busy_timeout(0)"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	_, err = pool.ExecContext(ctx, "PRAGMA journal_mode = DELETE")
	if err != nil && (strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy")) {
		return &InUseError{Path: path, Copy: true}
	}
	return nil
}

// copyColumn is a column of the target's table.
type copyColumn struct {
	name     string
	boolean  bool // PostgreSQL's booleans are SQLite's 0 and 1
	identity bool // a PostgreSQL identity, whose sequence goes on after the copy
}

// copyRows copies table t from the source's transaction rtx into the
// target's wtx, several rows a statement; with recompute, the columns the
// target's triggers count are left to them. On PostgreSQL the table's
// triggers are off meanwhile, and a derived table's rows made by its
// migration (user_counts') are replaced by the source's, as a made
// table's are on both.
func (s *Store) copyRows(ctx context.Context, rtx, wtx *sql.Tx, t copyTable, recompute bool) error {
	cols, err := s.columns(ctx, wtx, t, recompute)
	if err != nil {
		return err
	}
	if s.pg != nil {
		if _, err := wtx.ExecContext(ctx, "ALTER TABLE "+t.name+" DISABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	if t.made || t.derived && s.pg != nil {
		if _, err := wtx.ExecContext(ctx, "DELETE FROM "+t.name); err != nil {
			return err
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = `"` + c.name + `"`
	}
	list := strings.Join(names, ", ")
	rows, err := rtx.QueryContext(ctx, "SELECT "+list+" FROM "+t.name+" ORDER BY 1")
	if err != nil {
		return err
	}
	defer rows.Close()
	// SQLite takes at most 32,766 parameters a statement, PostgreSQL 65,535.
	per := max(1, 30000/len(cols))
	args := make([]any, 0, per*len(cols))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + t.name + " (" + list + ") VALUES ")
		for i := range args {
			switch {
			case i == 0:
				b.WriteString("(")
			case i%len(cols) == 0:
				b.WriteString("), (")
			default:
				b.WriteString(", ")
			}
			if s.pg != nil {
				b.WriteString("$" + strconv.Itoa(i+1))
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
		_, err := wtx.ExecContext(ctx, b.String(), args...)
		args = args[:0]
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if n, ok := v.(int64); ok && cols[i].boolean {
				v = n != 0
			}
			args = append(args, v)
		}
		if len(args) == per*len(cols) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if s.pg != nil {
		// On an error before this, the rollback turns them on again.
		if _, err := wtx.ExecContext(ctx, "ALTER TABLE "+t.name+" ENABLE TRIGGER USER"); err != nil {
			return err
		}
	}
	for _, c := range cols {
		if c.identity {
			_, err := wtx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), max("%s")) FROM %s HAVING max("%s") IS NOT NULL`,
				t.name, c.name, c.name, t.name, c.name))
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// columns lists the target's columns of table t, less those t omits when
// the target's triggers recompute them.
func (s *Store) columns(ctx context.Context, tx *sql.Tx, t copyTable, recompute bool) ([]copyColumn, error) {
	query := "SELECT name, lower(type) = 'boolean', 0 FROM pragma_table_info(?) ORDER BY cid"
	if s.pg != nil {
		query = `SELECT column_name, data_type = 'boolean', is_identity = 'YES' FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	}
	rows, err := tx.QueryContext(ctx, query, t.name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []copyColumn
	for rows.Next() {
		var c copyColumn
		if err := rows.Scan(&c.name, &c.boolean, &c.identity); err != nil {
			return nil, err
		}
		if !recompute || !slices.Contains(t.omit, c.name) {
			cols = append(cols, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no such table")
	}
	return cols, nil
}

func countRows(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// schemaVersionAt reads the schema version of the database at addr
// without opening it as a store, which would create a missing SQLite file
// and migrate an older database: 0 for a PostgreSQL database roster never
// opened.
func schemaVersionAt(ctx context.Context, addr string) (int, error) {
	driver, source := "sqlite", dsn(addr, "deferred", "query_only(1)")
	if IsPostgres(addr) {
		driver, source = "pgx", addr
	} else if _, err := os.Stat(addr); err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	query := "PRAGMA user_version"
	if IsPostgres(addr) {
		var exists bool
		if err := db.QueryRowContext(ctx, "SELECT to_regclass('roster_schema') IS NOT NULL").Scan(&exists); err != nil || !exists {
			return 0, wrapOpen(addr, err)
		}
		query = "SELECT version FROM roster_schema"
	}
	var v int
	if err := db.QueryRowContext(ctx, query).Scan(&v); err != nil {
		return 0, wrapOpen(addr, err)
	}
	return v, nil
}

func wrapOpen(addr string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("open database %s: %w", redacted(addr), err)
}

// redacted is a database's address as messages show it: a PostgreSQL URL
// without its password.
func redacted(addr string) string {
	if u, err := url.Parse(addr); err == nil && IsPostgres(addr) {
		return u.Redacted()
	}
	return addr
}
