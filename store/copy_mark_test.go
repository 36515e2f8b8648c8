package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"roster/internal/testdb"
)

// seededFile is a closed SQLite database at a new path holding n seeded
// users.
func seededFile(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "source.db")
	st, err := Open(ctx, path)
	must(t, err)
	if _, err := Seed(ctx, st, n, 1, testPerms); err != nil {
		t.Fatal(err)
	}
	must(t, st.Close())
	return path
}

// A copy that stopped half-way (here the target refuses a row of one of
// the last tables; a kill, a full disk or a lost connection stop it as
// well) leaves its target marked: every open says the migration from the
// source did not finish (UnfinishedError) rather than find an empty
// database to set a new account up in. Copied again, it is finished,
// every row once, and opens.
func TestCopyThatStoppedIsSaidAndDoneAgain(t *testing.T) {
	ctx := context.Background()
	src := seededFile(t, 300)
	raw := rawDB(t, src)
	_, err := raw.Exec("INSERT INTO notify_prefs (user_id, event, channels) VALUES (999999, 'invite.accepted', 'email')")
	must(t, err)
	must(t, raw.Close())
	dst := testdb.DSN(t)
	if _, err := Copy(ctx, src, dst); err == nil {
		t.Fatal("a copy of a row the target refuses succeeded")
	}
	var unfinished *UnfinishedError
	if _, err := Open(ctx, dst); !errors.As(err, &unfinished) || unfinished.From != src || unfinished.Path != redacted(dst) {
		t.Fatalf("opening the target of a copy that stopped: %v, want UnfinishedError from %s", err, src)
	}

	raw = rawDB(t, src)
	_, err = raw.Exec("DELETE FROM notify_prefs WHERE user_id = 999999")
	must(t, err)
	must(t, raw.Close())
	counts, err := Copy(ctx, src, dst)
	must(t, err)
	st, err := Open(ctx, dst)
	must(t, err)
	defer st.Close()
	for _, c := range counts {
		var n int64
		must(t, st.ReadTx(ctx, func(q *Q) error {
			return q.db.QueryRowContext(ctx, "SELECT count(*) FROM "+c.Table).Scan(&n)
		}))
		if n != c.Rows {
			t.Errorf("%s: %d rows in the target, %d copied", c.Table, n, c.Rows)
		}
		if c.Table == "users" && c.Rows < 300 {
			t.Errorf("%d users copied of the 300 seeded", c.Rows)
		}
	}
}

// A new target is marked before its schema is made: a copy killed while it
// makes it leaves a target that says so too, which the copy run again
// finishes.
func TestCopyMarksANewTargetFirst(t *testing.T) {
	ctx := context.Background()
	src := seededFile(t, 20)
	dst := testdb.DSN(t)
	must(t, markFresh(ctx, dst, src))
	var unfinished *UnfinishedError
	if _, err := Open(ctx, dst); !errors.As(err, &unfinished) {
		t.Fatalf("opening a target marked before its schema: %v, want UnfinishedError", err)
	}
	if _, err := Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, dst)
	must(t, err)
	must(t, st.Close())
}

// A SQLite source that a connection has open (roster serve, the dashboard,
// a command; here one of this process) is refused, and no target is made:
// what it wrote after the copy's snapshot would not be in the copy. Closed,
// it is copied.
func TestCopyRefusesASourceInUse(t *testing.T) {
	ctx := context.Background()
	src := seededFile(t, 20)
	st, err := Open(ctx, src)
	must(t, err)
	dst := filepath.Join(t.TempDir(), "copy.db")
	var inUse *InUseError
	if _, err := Copy(ctx, src, dst); !errors.As(err, &inUse) || !inUse.Copy || inUse.Path != src {
		t.Fatalf("a copy from a database in use: %v, want InUseError", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused copy made its target: %v", err)
	}
	must(t, st.Close())
	if _, err := Copy(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
}

// A source that is no file is named as such, and nothing is made, neither
// there nor at the target: it was "open database: stat …: no such file or
// directory".
func TestCopyFromNoFile(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "typo.db"), filepath.Join(dir, "copy.db")
	var missing *MissingError
	if _, err := Copy(context.Background(), src, dst); !errors.As(err, &missing) || missing.Path != src || !missing.From {
		t.Fatalf("a copy from no file: %v, want MissingError", err)
	}
	for _, p := range []string{src, dst} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the refused copy made %s: %v", p, err)
		}
	}
}
