package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"roster/internal/testdb"
)

// testPerms stands in for admin.Presets, which the store cannot import.
var testPerms = map[string][]string{
	"owner":   {"users.invite", "users.edit", "users.permissions", "users.delete", "users.away", "settings.billing"},
	"admin":   {"users.invite", "users.edit", "users.permissions", "users.delete", "users.away"},
	"manager": {"users.invite", "users.edit", "users.away", "analytics.all"},
	"member":  {"data.team", "analytics.own"},
}

func seeded(t *testing.T, n int, seed int64) (*Store, *SeedStats) {
	t.Helper()
	st := openTemp(t)
	stats, err := Seed(context.Background(), st, n, seed, testPerms)
	if err != nil {
		t.Fatal(err)
	}
	return st, stats
}

func queryStrings(t *testing.T, st *Store, query string, args ...any) []string {
	t.Helper()
	out, err := st.Read().strings(context.Background(), query, args...)
	must(t, err)
	return out
}

func queryInt(t *testing.T, st *Store, query string, args ...any) int {
	t.Helper()
	var n int
	must(t, st.rdb.QueryRow(query, args...).Scan(&n))
	return n
}

// Seed writes what the rules would have written: consistent rows, the search
// keys and sort names reindex would make, the role presets, and the schema
// unchanged.
func TestSeed(t *testing.T) {
	testdb.SQLiteOnly(t, "Seed writes SQLite's SQL (sqlite_master, pragmas, explicit ids); a PostgreSQL seed comes with its benchmarks")
	ctx := context.Background()
	st := openTemp(t)
	schema := func() []string {
		return queryStrings(t, st, "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
	}
	before := schema()
	const n = 3000
	stats, err := Seed(ctx, st, n, 7, testPerms)
	must(t, err)
	if got := schema(); !slices.Equal(got, before) {
		t.Fatalf("schema changed:\n%v\n%v", before, got)
	}
	if stats.Users != n || queryInt(t, st, "SELECT count(*) FROM users") != n {
		t.Fatalf("stats %+v", stats)
	}
	if rows := queryStrings(t, st, "SELECT 'x' FROM pragma_foreign_key_check"); len(rows) != 0 {
		t.Fatalf("%d rows break a foreign key", len(rows))
	}
	if got := queryStrings(t, st, "PRAGMA integrity_check"); len(got) != 1 || got[0] != "ok" {
		t.Fatalf("integrity: %v", got)
	}

	// A mix of statuses and roles, mostly members.
	count := func(where string) int {
		return queryInt(t, st, "SELECT count(*) FROM users u WHERE "+where, time.Now().Unix())
	}
	for _, where := range []string{"status = 'active'", "status = 'invited'", "status = 'staged'", "status = 'deactivated'",
		statusFilter["expired"], "status = 'invited' AND NOT (" + statusFilter["expired"] + ")", statusFilter["away"],
		"role = 'admin'", "role = 'manager'", "last_login_at > 0", statusFilter["never-logged-in"], "phone != ''", "position = ''"} {
		if count(where) == 0 {
			t.Errorf("no user with %s", where)
		}
	}
	if members := count("role = 'member'"); members < n*8/10 {
		t.Errorf("%d members of %d", members, n)
	}
	if n := count("role = 'owner'"); n != 1 || count("role = 'owner' AND status = 'active'") != 1 {
		t.Errorf("%d owners, want one, active", n)
	}
	for _, q := range []string{"SELECT count(*) FROM teams", "SELECT count(*) FROM user_tags", "SELECT count(*) FROM conversations WHERE status = 'open'",
		"SELECT count(*) FROM conversations WHERE status = 'closed'", "SELECT count(*) FROM auto_replies", "SELECT count(*) FROM tokens WHERE voided_at > 0",
		"SELECT count(*) FROM away_periods WHERE standin_user_id IS NOT NULL", "SELECT count(*) FROM away_periods WHERE standin_team_id IS NOT NULL",
		"SELECT count(*) FROM away_periods WHERE starts_at > strftime('%s', 'now')", "SELECT count(*) FROM outbox WHERE state = 'failed'"} {
		if queryInt(t, st, q) == 0 {
			t.Errorf("nothing for %s", q)
		}
	}
	// Stand-ins are active people other than the one away.
	if bad := queryInt(t, st, `SELECT count(*) FROM away_periods a JOIN users s ON s.id = a.standin_user_id
		WHERE s.status != 'active' OR s.id = a.user_id`); bad != 0 {
		t.Errorf("%d stand-ins not active or themselves", bad)
	}
	// Each invited person has one live invitation, the newest.
	if bad := queryInt(t, st, `SELECT count(*) FROM users u WHERE status = 'invited' AND (SELECT count(*) FROM tokens t
		WHERE t.user_id = u.id AND t.kind = 'invite' AND t.voided_at = 0 AND t.used_at = 0) != 1`); bad != 0 {
		t.Errorf("%d invited users without exactly one live link", bad)
	}

	// Each invitation's mail says what was sent: the account, the person,
	// who invited them (the owner), and its link, redacted as once sent.
	owner := queryStrings(t, st, "SELECT first_name || ' ' || last_name || ' ' || email FROM users WHERE role = 'owner'")
	for _, row := range queryStrings(t, st, "SELECT o.data || char(0) || o.recipient_name FROM outbox o") {
		data, name, _ := strings.Cut(row, "\x00")
		var d MailData
		must(t, json.Unmarshal([]byte(data), &d))
		if d.Account != "Lumière & Associés" || d.Name != name || d.Inviter+" "+d.InviterEmail != owner[0] ||
			d.Path != "/invite/"+RedactedToken || d.ExpiresAt.IsZero() || d.Lifetime != 48*3600 {
			t.Fatalf("a seeded mail's data: %+v (to %s)", d, name)
		}
	}

	// Search keys, sort names and permissions as the store's own writes make them.
	var wantKeys, gotKeys []string
	err = st.ReadTx(ctx, func(q *Q) error {
		for id := int64(1); id <= n; id++ {
			u, err := q.UserByID(ctx, id, time.Now())
			if err != nil {
				return err
			}
			for _, k := range searchKeys(u.Email, u.FirstName, u.LastName, u.Position, u.ReferenceID, u.Tags) {
				wantKeys = append(wantKeys, k+"\x00"+u.Email)
			}
			var sn string
			if err := q.db.QueryRowContext(ctx, "SELECT sort_name FROM users WHERE id = ?", id).Scan(&sn); err != nil {
				return err
			}
			if sn != sortName(u) {
				t.Errorf("sort name %q for %s, want %q", sn, u.Name(), sortName(u))
			}
			ps, err := q.Perms(ctx, id)
			if err != nil {
				return err
			}
			want := slices.Sorted(slices.Values(testPerms[u.Role]))
			if !slices.Equal(ps, want) {
				t.Errorf("%s (%s) holds %v", u.Email, u.Role, ps)
			}
			if u.Email != strings.ToLower(u.Email) || strings.Count(u.Email, "@") != 1 {
				t.Errorf("address %q", u.Email)
			}
		}
		return nil
	})
	must(t, err)
	gotKeys = queryStrings(t, st, "SELECT k.key || char(0) || u.email FROM search_keys k JOIN users u ON u.id = k.user_id")
	slices.Sort(wantKeys)
	slices.Sort(gotKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("%d search keys, want %d", len(gotKeys), len(wantKeys))
	}

	// Seeding again adds as many, with new addresses.
	_, err = Seed(ctx, st, 500, 7, testPerms)
	must(t, err)
	if got := queryInt(t, st, "SELECT count(*) FROM users"); got != n+500 {
		t.Fatalf("%d users after seeding again", got)
	}
	if got := queryInt(t, st, "SELECT count(DISTINCT user_id) FROM user_perms"); got != n+500 {
		t.Fatalf("%d users with permissions", got)
	}
}

// The same seed gives the same people.
func TestSeedIsRepeatable(t *testing.T) {
	testdb.SQLiteOnly(t, "Seed writes SQLite's SQL (sqlite_master, pragmas, explicit ids); a PostgreSQL seed comes with its benchmarks")
	people := func(seed int64) []string {
		st, _ := seeded(t, 400, seed)
		return queryStrings(t, st, `SELECT email || first_name || last_name || role || status || phone || position || reference_id
			FROM users ORDER BY id`)
	}
	a, b, c := people(3), people(3), people(4)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave different people")
	}
	if slices.Equal(a, c) {
		t.Fatal("two seeds gave the same people")
	}
}

// Seed refuses to run without permissions for every role, and stops with
// its context, leaving the database as it was.
func TestSeedRefusalsAndCancel(t *testing.T) {
	testdb.SQLiteOnly(t, "Seed writes SQLite's SQL (sqlite_master, pragmas, explicit ids); a PostgreSQL seed comes with its benchmarks")
	st := openTemp(t)
	if _, err := Seed(context.Background(), st, 10, 1, map[string][]string{"member": {"data.team"}}); err == nil {
		t.Fatal("seeded without owner permissions")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Seed(ctx, st, 500_000, 1, testPerms); err == nil {
		t.Fatal("seeding half a million users took under 300ms, or ignored its context")
	}
	st2, err := Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	must(t, err)
	defer st2.Close()
	indexes := func(s *Store) []string {
		return queryStrings(t, s, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
	}
	if got, want := indexes(st), indexes(st2); !slices.Equal(got, want) {
		t.Fatalf("indexes after a cancelled seed %v, want %v", got, want)
	}
	// Nothing of it was written.
	for _, table := range []string{"account", "users", "teams", "search_keys", "audit"} {
		if n := queryInt(t, st, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%d rows in %s after a cancelled seed", n, table)
		}
	}
}

// A million users in under a minute: run with ROSTER_SEED_TIMING=1 (it
// writes about a gigabyte under the temporary directory).
func TestSeedMillionUnderAMinute(t *testing.T) {
	testdb.SQLiteOnly(t, "Seed writes SQLite's SQL (sqlite_master, pragmas, explicit ids); a PostgreSQL seed comes with its benchmarks")
	if os.Getenv("ROSTER_SEED_TIMING") == "" {
		t.Skip("set ROSTER_SEED_TIMING=1 to seed a million users")
	}
	st := openTemp(t)
	stats, err := Seed(context.Background(), st, 1_000_000, 1, testPerms)
	must(t, err)
	t.Logf("%+v", stats)
	if stats.Took > time.Minute {
		t.Errorf("a million users took %v", stats.Took)
	}
}
