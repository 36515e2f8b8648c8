package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// BackupInfo says what a backup holds, as read from the file itself once
// its integrity was checked.
type BackupInfo struct {
	Path          string    `json:"path"`
	SchemaVersion int       `json:"schema_version"`
	Taken         time.Time `json:"taken"`    // when the file was written
	LastAct       time.Time `json:"last_act"` // the newest audit row's time; zero with none
	Users         int64     `json:"users"`
	Audit         int64     `json:"audit"`
	Outbox        int64     `json:"outbox"`
}

// Backup writes a consistent copy of the database, as of the moment it
// starts, to the new file to, readable by its owner alone from the moment
// it exists, and checks the copy's integrity. The copy is made under a
// hidden name beside to and given its name once checked, so that a file of
// that name is always a whole backup.
//
// It is SQLite's VACUUM INTO, run in one read transaction on a connection of
// its own: writers go on meanwhile (WAL), and the copy is compact. SQLite's
// online backup API, which modernc.org/sqlite offers through the driver's
// connection, copies pages as they are (free ones too) and is reached only
// by leaving database/sql (Conn.Raw); a copy made in one step holds the
// same read transaction as VACUUM INTO does, and one made in several
// starts over whenever another connection writes, which on a busy server
// may be never done.
func (s *Store) Backup(ctx context.Context, to string) (BackupInfo, error) {
	if s.pg != nil {
		return BackupInfo{}, ErrBackupPostgres
	}
	// An existing file is refused before the work, and again, atomically,
	// when the copy takes its name.
	if _, err := os.Lstat(to); err == nil {
		return BackupInfo{}, fmt.Errorf("backup: %s: %w", to, fs.ErrExist)
	}
	tmp, held, err := partialFile(to)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	defer held.Close()
	defer os.Remove(tmp)
	return s.backupTo(ctx, tmp, to)
}

// partialSuffix ends the hidden name a backup is written under.
const partialSuffix = ".partial"

// partialFile creates the hidden file a backup of to is written into and
// holds an exclusive flock on it until held is closed: one that a process
// killed while writing it (kill -9, the OOM killer, a power cut) left
// behind, the size of the database, is one nobody holds, which
// RemoveStalePartials removes.
func partialFile(to string) (tmp string, held *os.File, err error) {
	f, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".*"+partialSuffix)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", nil, err
	}
	return f.Name(), f, nil
}

// RemoveStalePartials removes from dir the hidden files that backups
// named base, for which ours is true, were being written into when their
// process died: those no process holds (see partialFile), untouched for a
// minute (one just created is not yet held). It returns those removed.
// Nothing removed them, and a server restarted again and again while its
// backups were killed filled its disk with them.
func RemoveStalePartials(dir string, ours func(base string) bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), partialSuffix)
		i := strings.LastIndexByte(name, '.')
		if !ok || !strings.HasPrefix(name, ".") || i < 1 || !e.Type().IsRegular() || !ours(name[1:i]) {
			continue
		}
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < time.Minute {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			// VACUUM INTO's rollback journal is left beside it too.
			if err := os.Remove(path + "-journal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			if err := os.Remove(path); err != nil {
				errs = append(errs, err)
			} else {
				removed = append(removed, path)
			}
		}
		f.Close()
	}
	return removed, errors.Join(errs...)
}

func (s *Store) backupTo(ctx context.Context, tmp, to string) (BackupInfo, error) {
	// The file exists, empty and 0600: VACUUM INTO writes into an empty
	// file and keeps its mode. The read pool's connections are query_only,
	// which refuses VACUUM INTO even though it writes another file.
	db, err := sql.Open("sqlite", dsn(s.path, "deferred"))
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", tmp)
	if e := db.Close(); err == nil {
		err = e
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info, err := Inspect(ctx, tmp)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: the copy: %w", err)
	}
	// A link, unlike a rename, never replaces a file of that name.
	if err := os.Link(tmp, to); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(filepath.Dir(to)); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info.Path = to
	return info, nil
}

// Inspect checks the integrity of the SQLite file at path (PRAGMA
// integrity_check) and says what it holds, changing nothing in it. Its
// errors do not name path: callers say which file it was.
func Inspect(ctx context.Context, path string) (BackupInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, err
	}
	db, err := sql.Open("sqlite", dsn(path, "deferred", "query_only(1)"))
	if err != nil {
		return BackupInfo{}, err
	}
	defer db.Close()
	info := BackupInfo{Path: path, Taken: fi.ModTime()}
	problems, err := integrityCheck(ctx, db)
	if err != nil {
		// SQLite stops the check at damage it cannot walk past.
		problems = append(problems, err.Error())
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return BackupInfo{}, &IntegrityError{Problems: problems}
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.SchemaVersion); err != nil {
		return BackupInfo{}, err
	}
	if info.SchemaVersion == 0 {
		return BackupInfo{}, &IntegrityError{Problems: []string{"not a roster database"}}
	}
	var last sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM audit),
		(SELECT count(*) FROM outbox), (SELECT max(at) FROM audit)`).Scan(&info.Users, &info.Audit, &info.Outbox, &last)
	if err != nil {
		return BackupInfo{}, err
	}
	if last.Valid {
		info.LastAct = time.Unix(last.Int64, 0)
	}
	return info, nil
}

func integrityCheck(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return problems, err
		}
		problems = append(problems, p)
	}
	return problems, rows.Err()
}

// Restore puts the backup from in place of the SQLite database db (created
// if missing): it copies it under a hidden name beside db, checks the
// copy's integrity and version, and renames it over db, so that db is at
// every moment either the old database or the whole backup. A backup from
// a newer roster is refused, and so is a database some process has open
// (InUseError): roster serve, the dashboard or a command.
//
// A database in use is found by SQLite's own locks: every connection to a
// database in WAL mode, which roster's always are, holds a shared lock on
// it for as long as it is open, and leaving WAL mode (journal_mode=DELETE)
// needs every other connection gone. Restore leaves it, not waiting, and
// then holds the database's exclusive lock until the new file is in place:
// no process can open the old one meanwhile and write what the restore
// would lose. The -wal and -shm files went with WAL mode; any left beside
// a missing database are removed, since SQLite would apply an old -wal to
// the new file.
func Restore(ctx context.Context, from, db string) (BackupInfo, error) {
	if IsPostgres(db) {
		return BackupInfo{}, ErrBackupPostgres
	}
	src, err := os.Open(from)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	tmp, err := hiddenFile(db, ".restoring")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp) // gone by then once renamed
	if err := copyInto(tmp, src); err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	info, err := Inspect(ctx, tmp)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %s: %w", from, err)
	}
	info.Path, info.Taken = from, fi.ModTime()
	if want := SchemaVersion(); info.SchemaVersion > want {
		return BackupInfo{}, &NewerError{Path: from, Have: info.SchemaVersion, Want: want}
	}
	release, err := lockUnused(ctx, db)
	if err != nil {
		return BackupInfo{}, err
	}
	defer release()
	if err := os.Rename(tmp, db); err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	if err := syncFile(filepath.Dir(db)); err != nil {
		return BackupInfo{}, fmt.Errorf("restore: %w", err)
	}
	return info, nil
}

// lockUnused takes db out of WAL mode and holds its exclusive lock until
// release is called, or refuses with InUseError when another connection
// has it open. A missing database needs no lock; stale -wal and -shm files
// beside it are removed.
func lockUnused(ctx context.Context, db string) (release func(), err error) {
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		for _, suffix := range []string{"-wal", "-shm"} {
			if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("restore: %w", err)
			}
		}
		return func() {}, nil
	}
	pool, err := sql.Open("sqlite", dsn(db, "deferred", "busy_timeout(0)"))
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("restore: %s: %w", db, err)
	}
	release = func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		pool.Close()
	}
	var mode string
	err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode)
	if err == nil && mode != "delete" {
		err = fmt.Errorf("journal mode stays %s", mode)
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE")
	}
	if err != nil {
		release()
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return nil, &InUseError{Path: db}
		}
		return nil, fmt.Errorf("restore: %s: %w", db, err)
	}
	return release, nil
}

// hiddenFile creates an empty file readable by its owner alone, hidden in
// path's directory and named after it, with suffix; a random part keeps
// one left by a crash from standing in the way.
func hiddenFile(path, suffix string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*"+suffix)
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

// copyInto copies r into the existing file path and syncs it.
func copyInto(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// syncFile makes a file's content, or a directory's entries, durable.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
