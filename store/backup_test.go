package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"roster/internal/testdb"
)

// A backup is a checked copy, the owner's alone whatever the umask, under
// a name that never holds less than a whole one; it says what it holds and
// never overwrites a file.
func TestBackup(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	to := filepath.Join(t.TempDir(), "backup.db")
	if st.Postgres() {
		if _, err := st.Backup(ctx, to); !errors.Is(err, ErrBackupPostgres) {
			t.Fatalf("backup of PostgreSQL: %v, want ErrBackupPostgres", err)
		}
		if _, err := os.Stat(to); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the refused backup left %s: %v", to, err)
		}
		return
	}
	defer syscall.Umask(syscall.Umask(0o022))
	for i := range 3 {
		addUser(t, st, &User{Email: fmt.Sprintf("u%d@acme.test", i)})
	}
	must(t, st.Write(ctx, func(q *Q) error {
		return q.InsertAudit(ctx, &AuditEntry{At: t0, Actor: "boss@acme.test", Channel: "cli", Action: "user.edit"})
	}))

	info, err := st.Backup(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if info.Users != 3 || info.Audit != 1 || info.Outbox != 0 || info.SchemaVersion != SchemaVersion() || !info.LastAct.Equal(t0) || info.Path != to {
		t.Errorf("backup says %+v, want 3 users, 1 audit row, no mail, schema %d, last act %v", info, SchemaVersion(), t0)
	}
	if m := modeOf(t, to); m != 0o600 {
		t.Errorf("backup mode %#o, want 0600", m)
	}
	entries, _ := os.ReadDir(filepath.Dir(to))
	if len(entries) != 1 {
		t.Errorf("the backup's directory holds %d files, want the backup alone", len(entries))
	}
	// The copy is a roster database of its own.
	copied, err := Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := copied.Read().UserByEmail(ctx, "u2@acme.test", t0); err != nil {
		t.Errorf("the backup has no u2: %v", err)
	}
	copied.Close()

	before, _ := os.ReadFile(to)
	if _, err := st.Backup(ctx, to); !errors.Is(err, fs.ErrExist) {
		t.Errorf("backup onto an existing file: %v, want it refused", err)
	}
	if after, _ := os.ReadFile(to); !bytes.Equal(before, after) {
		t.Error("the refused backup changed the existing file")
	}
}

// restoreFixture is a database at db holding a user, and a backup of
// another holding three.
func restoreFixture(t *testing.T) (db, backup string) {
	t.Helper()
	testdb.SQLiteOnly(t, "roster restore replaces a SQLite file")
	ctx := context.Background()
	dir := t.TempDir()
	db, backup = filepath.Join(dir, "roster.db"), filepath.Join(dir, "backup.db")
	st, err := Open(ctx, db)
	must(t, err)
	addUser(t, st, &User{Email: "old@acme.test"})
	must(t, st.Close())
	src, err := Open(ctx, filepath.Join(dir, "source.db"))
	must(t, err)
	for i := range 3 {
		addUser(t, src, &User{Email: fmt.Sprintf("u%d@acme.test", i)})
	}
	_, err = src.Backup(ctx, backup)
	must(t, err)
	must(t, src.Close())
	return db, backup
}

// usersIn lists the emails of the users of the database at path.
func usersIn(t *testing.T, path string) string {
	t.Helper()
	var emails []string
	rows, err := rawDB(t, path).Query("SELECT email FROM users ORDER BY email")
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var e string
		must(t, rows.Scan(&e))
		emails = append(emails, e)
	}
	must(t, rows.Err())
	return strings.Join(emails, " ")
}

func TestRestore(t *testing.T) {
	db, backup := restoreFixture(t)
	ctx := context.Background()
	// A -wal beside a missing database would be applied to the new one.
	missing := filepath.Join(t.TempDir(), "new", "roster.db")
	must(t, os.MkdirAll(filepath.Dir(missing), 0o700))
	must(t, os.WriteFile(missing+"-wal", []byte("stale"), 0o600))
	for _, target := range []string{db, missing} {
		info, err := Restore(ctx, backup, target)
		if err != nil {
			t.Fatalf("restore into %s: %v", target, err)
		}
		if info.Users != 3 || info.SchemaVersion != SchemaVersion() || info.Path != backup {
			t.Errorf("restore says %+v, want 3 users at schema %d from %s", info, SchemaVersion(), backup)
		}
		if got := usersIn(t, target); got != "u0@acme.test u1@acme.test u2@acme.test" {
			t.Errorf("%s holds %q after the restore", target, got)
		}
		if m := modeOf(t, target); m != 0o600 {
			t.Errorf("restored mode %#o, want 0600", m)
		}
		entries, _ := os.ReadDir(filepath.Dir(target))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), "-wal") {
				t.Errorf("%s left beside the restored database", e.Name())
			}
		}
	}
}

// Restore refuses, changing nothing, a database some connection has open,
// a backup from a newer roster, and a damaged file.
func TestRestoreRefuses(t *testing.T) {
	db, backup := restoreFixture(t)
	ctx := context.Background()
	unchanged := func(what string) {
		t.Helper()
		if got := usersIn(t, db); got != "old@acme.test" {
			t.Errorf("%s: the database holds %q", what, got)
		}
		entries, _ := os.ReadDir(filepath.Dir(db))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s: left %s", what, e.Name())
			}
		}
	}

	st, err := Open(ctx, db)
	must(t, err)
	_, err = Restore(ctx, backup, db)
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Errorf("restore over an open database: %v, want InUseError", err)
	}
	unchanged("in use")
	must(t, st.Close())

	newer := filepath.Join(t.TempDir(), "newer.db")
	body, err := os.ReadFile(backup)
	must(t, err)
	must(t, os.WriteFile(newer, body, 0o600))
	_, err = rawDB(t, newer).Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1))
	must(t, err)
	_, err = Restore(ctx, newer, db)
	var ne *NewerError
	if !errors.As(err, &ne) || ne.Have != SchemaVersion()+1 {
		t.Errorf("restore of a newer backup: %v, want NewerError", err)
	}
	unchanged("newer")

	// A page of the users' table overwritten: the file opens, the check fails.
	damaged := filepath.Join(t.TempDir(), "damaged.db")
	var page int64
	must(t, rawDB(t, backup).QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'users'").Scan(&page))
	copy(body[(page-1)*4096:], bytes.Repeat([]byte{0xA5}, 4096))
	must(t, os.WriteFile(damaged, body, 0o600))
	_, err = Restore(ctx, damaged, db)
	var ie *IntegrityError
	if !errors.As(err, &ie) {
		t.Errorf("restore of a damaged backup: %v, want IntegrityError", err)
	}
	unchanged("damaged")

	if _, err := Restore(ctx, filepath.Join(t.TempDir(), "none.db"), db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("restore of a missing file: %v", err)
	}
	unchanged("missing")
}
