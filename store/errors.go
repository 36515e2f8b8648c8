package store

import (
	"database/sql"
	"errors"
	"strings"
)

// Errors the queries return, whatever the driver said.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	ErrConflict  = errors.New("changed by someone else")
)

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return ErrDuplicate
	}
	return err
}
