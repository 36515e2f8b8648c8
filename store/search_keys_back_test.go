package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// A database that 030 took the name and ASCII address keys out of gets
// them back (034): every key a user had is a row of search_keys again, as
// a search reads them (one index, in key order).
func TestSearchKeysBack(t *testing.T) {
	ctx := context.Background()
	path := seededFile(t, 200)
	raw, err := sql.Open("sqlite", "file:"+path)
	must(t, err)
	count := func() (n int) {
		must(t, raw.QueryRow("SELECT count(*) FROM search_keys").Scan(&n))
		return n
	}
	whole := count()
	// As 030 left it.
	for _, q := range []string{
		`DELETE FROM search_keys WHERE key = (SELECT u.sort_name FROM users u WHERE u.id = search_keys.user_id)
			OR key = (SELECT u.email_key FROM users u WHERE u.id = search_keys.user_id AND length(u.email) = length(CAST(u.email AS BLOB)))`,
		fmt.Sprintf("PRAGMA user_version = %d", 33),
	} {
		_, err := raw.Exec(q)
		must(t, err)
	}
	if n := count(); n >= whole-200 {
		t.Fatalf("%d keys of %d left as 030 left them: the set-up took nothing out", n, whole)
	}
	must(t, raw.Close())
	st, err := Open(ctx, path)
	must(t, err)
	defer st.Close()
	if raw, err = sql.Open("sqlite", "file:"+path); err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if n := count(); n != whole {
		t.Fatalf("%d search keys after 034, want the %d there were", n, whole)
	}
}
