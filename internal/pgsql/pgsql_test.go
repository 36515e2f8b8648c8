package pgsql

import (
	"slices"
	"testing"
)

// The rewrite of the store's SQL for PostgreSQL, statement by statement.
func TestRewrite(t *testing.T) {
	for _, c := range []struct {
		in, out string
		uses    []int
	}{
		{"SELECT a FROM t WHERE x = ? AND y = ?", "SELECT a FROM t WHERE x = $1 AND y = $2", nil},
		// A bare ? after ?N is numbered after the largest so far, as SQLite does.
		{"UPDATE t SET a = ?1, b = ?2, c = ? WHERE id = ?", "UPDATE t SET a = $1, b = $2, c = $3 WHERE id = $4", nil},
		// ?1 unused: left out, the rest numbered again.
		{"SELECT 1 FROM t WHERE a = ?3 AND b = ?2", "SELECT 1 FROM t WHERE a = $2 AND b = $1", []int{2, 3}},
		{"SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = $1", nil},
		{"INSERT OR IGNORE INTO t (a) VALUES (?)", "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING", nil},
		{"SELECT 1 FROM p CROSS JOIN u ON u.id = p.id WHERE +u.s IN ('a') AND n + 1 > 0",
			"SELECT 1 FROM p JOIN u ON u.id = p.id WHERE u.s IN ('a') AND n + 1 > 0", nil},
		{"SELECT 1 WHERE a LIKE ? ESCAPE '\\' AND b = ? COLLATE BINARY AND c = ? COLLATE NOCASE",
			"SELECT 1 WHERE a ILIKE $1 ESCAPE '\\' AND b = $2 COLLATE \"C\" AND c = $3 COLLATE NOCASE", nil},
	} {
		st := Rewrite(c.in)
		if st.Text != c.out || !slices.Equal(st.uses, c.uses) {
			t.Errorf("Rewrite(%q) = %q uses %v, want %q uses %v", c.in, st.Text, st.uses, c.out, c.uses)
		}
	}
	st := Rewrite("SELECT 1 WHERE a = ?3 AND b = ?2")
	if got := st.Args([]any{"now", "b", "a"}); !slices.Equal(got, []any{"b", "a"}) {
		t.Errorf("args = %v, want [b a]", got)
	}
}
