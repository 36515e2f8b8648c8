package admin

import (
	"context"
	"database/sql"

	"roster/store"
)

// Watch tells when the database changed, whoever changed it (another
// session, another process, the mail worker): PRAGMA data_version, read on a
// connection of its own since SQLite counts the commits of the others. It
// reads no data, so it takes no operator: screens use it to know when to read
// again, through the rules.
type Watch struct {
	st   *store.Store
	conn *sql.Conn
}

// Watch opens a change watch; Close it when done.
func (s *Service) Watch(ctx context.Context) (*Watch, error) {
	conn, err := s.st.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &Watch{st: s.st, conn: conn}, nil
}

// Version changes whenever another connection has committed since the last read.
func (w *Watch) Version(ctx context.Context) (int64, error) {
	return w.st.DataVersion(ctx, w.conn)
}

// Close releases the watch's connection.
func (w *Watch) Close() error { return w.conn.Close() }
