package store

import (
	"database/sql"
	"errors"
	"strings"

	"roster/i18n"
)

// Errors the queries return, whatever the driver said.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	ErrConflict  = errors.New("changed by someone else")
)

// ExposedError refuses a database file (or its -wal or -shm) that users
// other than its owner may read or write: it holds everyone's personal data
// and, until their mail is sent, working links.
type ExposedError struct{ Paths []string }

func (e *ExposedError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language: the errors of this package that reach
// an operator (opening, copying, backing up) say themselves as admin's do.
func (e *ExposedError) Localize(p *i18n.Printer) string {
	return p.T("%s can be read or written by other users: run chmod 600 %s",
		strings.Join(e.Paths, ", "), strings.Join(e.Paths, " "))
}

// NotEmptyError refuses a copy into a database that already holds rows:
// the copy keeps the source's ids, which the target's would collide with.
type NotEmptyError struct {
	Path  string
	Table string
	Rows  int64
}

func (e *NotEmptyError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *NotEmptyError) Localize(p *i18n.Printer) string {
	return p.T("%s is not empty (%s has %d rows): copy into a new database", e.Path, e.Table, e.Rows)
}

// VersionError refuses a copy from a database at another schema version
// than this roster's: opening it with this roster first brings an older
// one up to date.
type VersionError struct {
	Path       string
	Have, Want int
}

func (e *VersionError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *VersionError) Localize(p *i18n.Printer) string {
	if e.Have < e.Want {
		return p.T("%s has schema version %d, this roster %d: open it once with this roster (roster --db %s users) to migrate it, then copy", e.Path, e.Have, e.Want, e.Path)
	}
	return p.T("%s has schema version %d, written by a newer roster (this one knows up to %d): copy it with that roster", e.Path, e.Have, e.Want)
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return ErrDuplicate
	}
	return pgErr(err)
}

// ErrBackupPostgres refuses roster backup and restore on PostgreSQL, whose
// own tools do it while the database is in use.
var ErrBackupPostgres = sentence("back up PostgreSQL with pg_dump and restore with pg_restore; roster migrate --from postgres://… --to FILE makes a SQLite copy")

// sentenceError is an error that is one message, without data.
type sentenceError struct{ key string }

func (e *sentenceError) Error() string { return e.key }

// Localize says e in p's language.
func (e *sentenceError) Localize(p *i18n.Printer) string { return p.T(e.key) }

func sentence(key string) error { return &sentenceError{key} }

// IntegrityError refuses a backup that SQLite's integrity check faults, or
// a file that is no roster database.
type IntegrityError struct{ Problems []string }

func (e *IntegrityError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language; the problems are SQLite's, in English.
func (e *IntegrityError) Localize(p *i18n.Printer) string {
	probs := e.Problems
	if len(probs) > 3 {
		probs = append(probs[:3:3], p.T("and %d more", len(e.Problems)-3))
	}
	return p.T("integrity check failed: %s", strings.Join(probs, "; "))
}

// NewerError refuses to restore a backup written by a newer roster, which
// this one could not read.
type NewerError struct {
	Path       string
	Have, Want int
}

func (e *NewerError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *NewerError) Localize(p *i18n.Printer) string {
	return p.T("%s has schema version %d, from a newer roster (this one knows up to %d): restore it with that roster", e.Path, e.Have, e.Want)
}

// InUseError refuses to restore over a database that a process has open:
// roster serve, the dashboard or a command would go on with the old one.
// With Copy, it refuses to copy from one (roster migrate): what the
// process wrote after the copy began would not be in the copy.
type InUseError struct {
	Path string
	Copy bool
}

func (e *InUseError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *InUseError) Localize(p *i18n.Printer) string {
	if e.Copy {
		return p.T("%s is in use (roster serve, the dashboard or a command has it open): stop it, then migrate, so that the copy holds everything written to it", e.Path)
	}
	return p.T("%s is in use (roster serve, the dashboard or a command has it open): stop it, then restore", e.Path)
}

// ReadOnlyError refuses a SQLite database that this process may read but
// not write (a file it may not write, a file system mounted read-only):
// SQLite opens such a file read-only without a word.
type ReadOnlyError struct{ Path string }

func (e *ReadOnlyError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *ReadOnlyError) Localize(p *i18n.Printer) string {
	return p.T("%s cannot be written (a read-only file or file system, or another user's file): roster serve needs to write it", e.Path)
}

// MissingError refuses a SQLite database named by a path that holds no
// file (a mistyped --db or ROSTER_DB): opening it would create an empty
// database there, and roster would then offer to set a new account up in
// it. Nothing is created at the path.
type MissingError struct {
	Path string
	From bool // the database roster migrate copies (--from)
}

func (e *MissingError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *MissingError) Localize(p *i18n.Printer) string {
	if e.From {
		return p.T("no database at %s to copy: --from names it", e.Path)
	}
	return p.T("no database at %s: roster init creates one, or --db names yours", e.Path)
}

// UnfinishedError refuses a database that roster migrate began to copy
// into and did not finish (killed, the machine stopped): it holds the
// schema and none of the rows, and would otherwise be taken for a new
// database, to set a new account up in. Copying again finishes it.
type UnfinishedError struct{ Path, From string }

func (e *UnfinishedError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *UnfinishedError) Localize(p *i18n.Printer) string {
	return p.T("the migration from %s into %s did not finish: run roster migrate --from %s --to %s again", e.From, e.Path, e.From, e.Path)
}
