package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// MailKinds lists every kind of mail the outbox holds.
func MailKinds() []string {
	return []string{MailInvitation, MailInviteResent, MailPasswordReset, MailStandInNotice, MailNotice, MailTest}
}

// BacklogStates are the outbox states Backlog counts: the mail not yet out,
// and that which failed. Sent and cancelled grow with every message ever
// written; counting them would read an index entry per message at each
// scrape (the relay replies counted by the worker say what was sent).
func BacklogStates() []string {
	return []string{OutboxQueued, OutboxSending, OutboxDeferred, OutboxFailed}
}

// Backlog is what roster serve's metrics read from the database.
type Backlog struct {
	// Outbox counts messages by state (BacklogStates) and kind; a pair
	// with no message is absent.
	Outbox map[[2]string]int
	// StuckInvitations is how many pending invitations are expired or have
	// their mail failed or deferred (as roster invites --stuck lists them).
	StuckInvitations int
}

// Backlog counts the mail waiting or failed and the stuck invitations as of
// now, through the indexes on outbox (state, id) and pending_invitations
// (mail, expires_at): it reads an index entry per message or invitation
// counted, never a row of the others.
func (q *Q) Backlog(ctx context.Context, now time.Time) (*Backlog, error) {
	b := &Backlog{Outbox: map[[2]string]int{}}
	rows, err := q.db.QueryContext(ctx, `SELECT state, kind, count(*) FROM outbox
		WHERE state IN ('queued', 'sending', 'deferred', 'failed') GROUP BY state, kind`)
	if err != nil {
		return nil, fmt.Errorf("count the outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state, kind string
		var n int
		if err := rows.Scan(&state, &kind, &n); err != nil {
			return nil, fmt.Errorf("count the outbox: %w", err)
		}
		b.Outbox[[2]string{state, kind}] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the outbox: %w", err)
	}
	var failing, expired int
	err = q.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM pending_invitations WHERE mail < 2),
		(SELECT count(*) FROM pending_invitations WHERE mail = 2 AND expires_at <= ?1)`, now.Unix()).
		Scan(&failing, &expired)
	if err != nil {
		return nil, fmt.Errorf("count the stuck invitations: %w", err)
	}
	b.StuckInvitations = failing + expired
	return b, nil
}

// Ready checks that the database answers and is at the schema version this
// roster writes: another process may have migrated it further since it was
// opened, or it may have been replaced by an older one. A SQLite file
// removed, moved or replaced at its path since it was opened is not ready:
// the open file still answered, so that roster serve went on writing, and
// /readyz said ok, into a file no one would open again (a backup put in
// place with mv, or the file deleted, lost every act since at the restart).
func (s *Store) Ready(ctx context.Context) error {
	if s.file != nil {
		fi, err := os.Stat(s.path)
		if err != nil || !os.SameFile(fi, s.file) {
			return fmt.Errorf("database file %s was removed or replaced since roster opened it: roster writes into the file it opened, which the next start will not see; restart roster", s.path)
		}
	}
	query := "PRAGMA user_version"
	if s.pg != nil {
		query = "SELECT version FROM roster_schema"
	}
	var have int
	if err := s.rdb.QueryRowContext(ctx, query).Scan(&have); err != nil {
		return fmt.Errorf("database does not answer: %w", err)
	}
	if want := SchemaVersion(); have != want {
		return fmt.Errorf("database is at schema version %d, this roster writes %d", have, want)
	}
	return nil
}

// Writable refuses (ReadOnlyError) a SQLite database this process can only
// read, which SQLite opens read-only without a word when the file or its
// file system may not be written: roster serve then answered every page
// and /readyz while each act, mail sent and session failed. It begins a
// write transaction, makes a table in it and rolls it back, leaving
// nothing: in WAL mode the transaction's begin, which locks in the -shm
// file, succeeds on a file SQLite may not write. A database another writer
// holds is writable.
func (s *Store) Writable(ctx context.Context) error {
	if s.pg != nil {
		return nil
	}
	// As a writer, whom a long run of writes in another process (an
	// import) pauses for.
	tx, err := s.beginWrite(ctx)
	if err == nil {
		_, err = tx.ExecContext(ctx, "CREATE TABLE writable_probe (x)")
		if e := tx.Rollback(); err == nil {
			return e
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY:
			return &ReadOnlyError{Path: s.path}
		case sqlite3.SQLITE_BUSY:
			return nil
		}
	}
	return fmt.Errorf("open database %s: %w", s.path, err)
}
