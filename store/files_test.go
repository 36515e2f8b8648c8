package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"roster/internal/testdb"
)

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// The database holds everyone's personal data and, until their mail is
// sent, working links: it and its -wal and -shm files are the owner's
// alone, whatever the umask, and roster will not use them otherwise.
func TestDatabaseFilesAreTheOwnersAlone(t *testing.T) {
	testdb.SQLiteOnly(t, "file modes of the database file")
	defer syscall.Umask(syscall.Umask(0o022))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "roster.db") // an existing directory
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addUser(t, st, &User{Email: "jean@acme.test"})
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-writers"} {
		if m := modeOf(t, p); m != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", filepath.Base(p), m)
		}
	}

	// Another process finds the log open to others while roster runs.
	if err := os.Chmod(path+"-wal", 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path)
	var exposed *ExposedError
	if !errors.As(err, &exposed) || !strings.HasSuffix(err.Error(), "chmod 600 "+path+"-wal") {
		t.Fatalf("open with the log readable by the group: %v, want an ExposedError ending with chmod 600 %s-wal", err, path)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	for _, mode := range []os.FileMode{0o644, 0o620, 0o604} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err = Open(ctx, path)
		if !errors.As(err, &exposed) || !strings.HasSuffix(err.Error(), "chmod 600 "+path) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("open a database of mode %#o: %v, want one line ending with chmod 600 %s", mode, err, path)
		}
		if m := modeOf(t, path); m != mode {
			t.Fatalf("the refused database's mode changed from %#o to %#o", mode, m)
		}
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("open after chmod 600: %v", err)
	}
	st.Close()
}
