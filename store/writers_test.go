package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"roster/internal/testdb"
)

// A long run of writes (an import) pauses between two transactions only
// while another writer waits for the lock: here a writer of a second Store
// on the same file, as another process's would be, and one of the same
// Store, as another session's in roster serve.
func TestWritersWaiting(t *testing.T) {
	testdb.SQLiteOnly(t, "SQLite's write lock (PostgreSQL queues its writers)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "roster.db")
	open := func() *Store {
		st, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	run, other := open(), open()
	if run.WritersWaiting() {
		t.Fatal("a writer waits before anyone writes")
	}
	for _, waiter := range []struct {
		name string
		st   *Store
	}{{"another process's", other}, {"the same Store's", run}} {
		holding, release := make(chan struct{}), make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- run.Write(ctx, func(q *Q) error {
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		if run.WritersWaiting() {
			t.Fatalf("%s: a writer waits while the run holds the lock alone", waiter.name)
		}
		wrote := make(chan error, 1)
		go func() { wrote <- waiter.st.Write(ctx, func(q *Q) error { return nil }) }()
		for deadline := time.Now().Add(5 * time.Second); !run.WritersWaiting(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s writer waits for the lock, but the run does not see it", waiter.name)
			}
		}
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		if err := <-wrote; err != nil {
			t.Fatal(err)
		}
		if run.WritersWaiting() {
			t.Fatalf("%s writer wrote, and is still seen waiting", waiter.name)
		}
	}
}
