package store

import (
	"context"
	"testing"
	"time"
)

// waitChange waits until w's version differs from v, for up to ten
// seconds, and returns the new one.
func waitChange(t *testing.T, w *ChangeWatch, v int64, what string) int64 {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		v2, err := w.Version(context.Background())
		must(t, err)
		if v2 != v {
			return v2
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s went unseen for ten seconds", what)
	return 0
}

// On PostgreSQL a change watch hears the commits of every node to its
// schema, and not those to another schema of the same database; its own
// store's writes it sees at once. When its connection is killed it listens
// again and counts one change, for those it may have missed.
func TestPostgresChangeWatch(t *testing.T) {
	nodes := openNodes(t, 2)
	elsewhere := openNodes(t, 1)[0] // another schema of the same database
	ctx := context.Background()
	w, err := nodes[0].WatchChanges(ctx)
	must(t, err)
	defer w.Close()
	v, err := w.Version(ctx)
	must(t, err)

	// PostgreSQL sends notices in the order their transactions commit: when
	// the second shows, the first was heard, and not counted.
	addUser(t, elsewhere, &User{Email: "elsewhere@example.com"})
	addUser(t, nodes[1], &User{Email: "ann@example.com"})
	if v2 := waitChange(t, w, v, "the other node's write"); v2 != v+1 {
		t.Fatalf("version %d after one write to the schema and one to another, want %d", v2, v+1)
	}
	v, _ = w.Version(ctx)
	addUser(t, nodes[0], &User{Email: "bob@example.com"})
	if v2, _ := w.Version(ctx); v2 == v {
		t.Fatal("the store's own write was not seen as it committed")
	}

	pid := w.pg.pid.Load()
	v, _ = w.Version(ctx)
	var killed bool
	must(t, nodes[1].Read().db.QueryRowContext(ctx, "SELECT pg_terminate_backend(?)", int64(pid)).Scan(&killed))
	if !killed {
		t.Fatal("the listening connection was not there to kill")
	}
	waitChange(t, w, v, "the lost connection")
	for deadline := time.Now().Add(10 * time.Second); w.pg.pid.Load() == pid; {
		if time.Now().After(deadline) {
			t.Fatal("the watch did not connect again")
		}
		time.Sleep(2 * time.Millisecond)
	}
	v, _ = w.Version(ctx) // the new connection listens from here
	addUser(t, nodes[1], &User{Email: "cy@example.com"})
	waitChange(t, w, v, "the other node's write after the watch connected again")
}
