package admin

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"roster/store"
)

// openFiles counts this process's descriptors open on path: one a SQLite
// connection (none on PostgreSQL, whose connections are sockets).
func openFiles(t *testing.T, path string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd to count connections by")
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == path {
			n++
		}
	}
	return n
}

// The watches of a service (one a session of roster serve) read one
// connection, and each still sees every commit of the others; a watch whose
// reading fails (its context cancelled) does not stop the rest.
func TestWatchesShareOneConnection(t *testing.T) {
	f := newFixture(t)
	before := openFiles(t, f.path)
	var ws []*Watch
	seen := map[*Watch]int64{}
	for range 20 {
		w, err := f.svc.Watch(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.Version(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ws, seen[w] = append(ws, w), v
	}
	if n := openFiles(t, f.path) - before; n > 1 {
		t.Fatalf("20 watches opened %d connections", n)
	}
	// Through the store: on PostgreSQL its writes send the notices (a
	// statement of f.raw's would not).
	f.addUser("ann@example.com", "member", store.Active)
	for i, w := range ws {
		if v, err := w.Version(f.ctx); err != nil || v == seen[w] {
			t.Fatalf("watch %d: version %d (was %d), %v: the commit went unseen", i, v, seen[w], err)
		}
	}
	cancelled, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := ws[0].Version(cancelled); err == nil {
		t.Fatal("a reading under a cancelled context succeeded")
	}
	for _, w := range ws[:19] {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	last := ws[19]
	v, err := last.Version(f.ctx)
	if err != nil {
		t.Fatalf("the last watch, after the others closed and one failed: %v", err)
	}
	f.addUser("bob@example.com", "member", store.Active)
	if v2, err := last.Version(f.ctx); err != nil || v2 == v {
		t.Fatalf("the last watch: version %d (was %d), %v", v2, v, err)
	}
	if err := last.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ws[0].Version(f.ctx); err == nil {
		t.Fatal("a closed watch read a version")
	}
}

// An edit made through another store on the same database (another process,
// another node of roster serve) shows on this one's watch within a second,
// and a screen reading again sees it.
func TestWatchSeesAnotherStoresEdit(t *testing.T) {
	f := newFixture(t)
	other, err := store.Open(f.ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	node := New(other)
	node.Now = f.svc.Now
	w, err := f.svc.Watch(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	v, err := w.Version(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Invite(f.ctx, f.owner, []NewUser{{Email: "ann@example.com"}}, InviteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		v2, err := w.Version(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v2 != v {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other store's invitation went unseen for a second")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !f.exists("ann@example.com") {
		t.Fatal("the watch changed but the invitation cannot be read")
	}
}
