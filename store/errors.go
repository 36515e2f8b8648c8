package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

func (e *ExposedError) Error() string {
	return fmt.Sprintf("%s can be read or written by other users: run chmod 600 %s",
		strings.Join(e.Paths, ", "), strings.Join(e.Paths, " "))
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
