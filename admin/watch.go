package admin

import (
	"context"
	"errors"
	"sync"

	"roster/store"
)

// Watch tells when the database changed, whoever changed it (another
// session, another process, the mail worker): store.ChangeWatch, PRAGMA
// data_version on SQLite, LISTEN on PostgreSQL. It reads no data, so it
// takes no operator: screens use it to know when to read again, through the
// rules.
//
// The watches of a Service share one store.ChangeWatch and its connection:
// roster serve has one watch a session, and a connection each cost 220 KB
// outside Go's heap (200 sessions: 44 MB). Each caller keeps the version it
// saw last, so one connection answers them all.
type Watch struct {
	c      *watchConn
	closed bool
}

// watchConn is the connection the watches of a Service read, opened by the
// first and closed with the last.
type watchConn struct {
	mu      sync.Mutex
	st      *store.Store
	conn    *store.ChangeWatch // nil until read, and after an error
	watches int
}

// Watch opens a change watch; Close it when done.
func (s *Service) Watch(ctx context.Context) (*Watch, error) {
	c := &s.watch
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st = s.st
	if err := c.open(ctx); err != nil {
		return nil, err
	}
	c.watches++
	return &Watch{c: c}, nil
}

// open opens the connection if none is open; the caller holds c.mu. It
// outlives the context it is opened under, which is the first caller's.
func (c *watchConn) open(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	conn, err := c.st.WatchChanges(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

// Version changes whenever another connection has committed since the last read.
func (w *Watch) Version(ctx context.Context) (int64, error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if w.closed {
		return 0, errors.New("read a closed change watch")
	}
	if err := c.open(ctx); err != nil {
		return 0, err
	}
	v, err := c.conn.Version(ctx)
	if err != nil {
		// The next reading opens another: one caller's cancelled context
		// or a broken connection does not stop the others' watches.
		c.conn.Close()
		c.conn = nil
	}
	return v, err
}

// Close ends the watch; the last one closes the connection.
func (w *Watch) Close() error {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	c.watches--
	if c.watches > 0 || c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}
