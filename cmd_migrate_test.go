package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"roster/internal/testdb"
	"roster/store"
)

// roster migrate copies a SQLite database made through the rules into
// PostgreSQL (another SQLite file when ROSTER_TEST_POSTGRES is unset) and
// back, every table equal row by row to the source's; PostgreSQL's ids go
// on after the copied ones; a non-empty target, a source of another schema
// version and a missing source are refused with one line, changing nothing.
func TestMigrateCommand(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	dir := t.TempDir()
	src := filepath.Join(dir, "roster.db")
	madeThroughTheRules(t, dir, src)

	mid := testdb.DSN(t)
	// It prints every table's rows, as many as the source has.
	counts := jsonOf[[]store.TableCount](t, "", "migrate", "--from", src, "--to", mid)
	tables := column(t, rawDB(t, src), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if len(counts) != len(tables) {
		t.Fatalf("migrate counted %d tables, the source has %d: %v", len(counts), len(tables), counts)
	}
	for _, c := range counts {
		if n := count(t, src, "SELECT count(*) FROM "+c.Table); int64(n) != c.Rows {
			t.Errorf("migrate counted %d rows in %s, the source has %d", c.Rows, c.Table, n)
		}
	}
	sameRows(t, src, mid)
	back := filepath.Join(dir, "backup.db")
	ok(t, "", "migrate", "--from", mid, "--to", back)
	sameRows(t, src, back)

	// Refused: the target holds rows; it is left as it was.
	fails(t, "", "is not empty (account has 1 rows)", "migrate", "--from", src, "--to", mid)
	sameRows(t, src, mid)
	// Refused: a source of another schema version, and a missing one,
	// which is not created.
	older := filepath.Join(dir, "older.db")
	ok(t, "", "migrate", "--from", src, "--to", older)
	sqlExec(t, older, fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()-1))
	fails(t, "", fmt.Sprintf("has schema version %d, this roster %d", store.SchemaVersion()-1, store.SchemaVersion()),
		"migrate", "--from", older, "--to", filepath.Join(dir, "other.db"))
	missing := filepath.Join(dir, "missing.db")
	fails(t, "", "no database at "+missing+" to copy: --from names it", "migrate", "--from", missing, "--to", filepath.Join(dir, "other.db"))
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("migrate created the missing source")
	}
	fails(t, "", "migrate takes --from DB --to DB", "migrate", "--from", src)

	// The copy's next ids follow the copied ones (PostgreSQL's identities
	// were set): an invitation adds a user, a token, a mail and audit rows;
	// the triggers are on again: it is pending, and counted.
	ok(t, mid, "invite", "new@acme.test")
	if out := ok(t, mid, "user", "new@acme.test"); !strings.Contains(out, "Invited") {
		t.Fatalf("the copy's new user:\n%s", out)
	}
	if out := ok(t, mid, "invites"); !strings.Contains(out, "new@acme.test") {
		t.Fatalf("the copy's invitation is not pending:\n%s", out)
	}
	invited := count(t, src, "SELECT n FROM user_counts WHERE name = 'invited'")
	if n := len(column(t, rawAny(t, mid), "SELECT name FROM user_counts WHERE name = 'invited' AND n = $1", invited+1)); n != 1 {
		t.Fatalf("the copy's count of invited users is not %d", invited+1)
	}
}

// madeThroughTheRules fills the database at db by the command line: users
// of every status, teams, away periods, tokens, mail in every state of the
// outbox (sent and captured, queued, deferred, failed, cancelled),
// conversations, SSH and API keys, a billing plan and its ledger, a webhook
// and its deliveries, and the audit of all of it.
func madeThroughTheRules(t *testing.T, dir, db string) {
	t.Helper()
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "account", "--webhooks-private", "true")
	ok(t, db, "webhooks", "add", "http://127.0.0.1:1/hook", "--events", "all")
	ok(t, db, "billing", "plan", "--period", "monthly", "--seat-price", "15.00", "--currency", "EUR", "--anchor", "2026-01-31", "--timezone", "Europe/Paris")
	ok(t, db, "teams", "add", "Sales")
	ok(t, db, "teams", "add", "Ops")
	ok(t, db, "invite", "ann@acme.test", "--team", "Sales", "--first", "Ann")
	ok(t, db, "invite", "bob@acme.test", "--team", "Sales")
	ok(t, db, "invite", "dan@acme.test", "--staged", "--team", "Ops")
	ok(t, db, "mail", "deliver") // sent, kept by the capture server
	ok(t, db, "invite", "cat@acme.test", "eve@acme.test", "--team", "Ops")
	ok(t, db, "invites", "revoke", "eve@acme.test") // its mail cancelled
	ok(t, db, "deactivate", "bob@acme.test")
	ok(t, db, "edit", "ann@acme.test", "--phone", "+33 6 12 34 56 78", "--tag", "+vip", "--team", "+Ops")
	ok(t, db, "away", "ann@acme.test", "--until", "+7d", "--to", "boss@acme.test", "--note", "off")
	ok(t, db, "conversations", "add", "--subject", "Refund", "--to", "ann@acme.test")
	ok(t, db, "apikeys", "create", "--name", "zapier")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "boss.pub")
	if err := os.WriteFile(pub, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	ok(t, db, "keys", "add", "boss@acme.test", pub)
	// cat's invitation is refused by the relay (failed), the stand-in's
	// notice finds none listening (deferred); a later invitation waits.
	r := newRelay(t)
	r.set(func(r *relay) { r.refuse["cat@acme.test"] = true })
	ok(t, db, "--smtp", r.url(), "mail", "deliver")
	ok(t, db, "invite", "fay@acme.test")
	ok(t, db, "--smtp", "smtp://127.0.0.1:1", "mail", "deliver")
	ok(t, db, "invite", "gus@acme.test")
	for _, state := range []string{"sent", "queued", "deferred", "failed", "cancelled"} {
		if count(t, db, "SELECT count(*) FROM outbox WHERE state = ?", state) == 0 {
			t.Fatalf("the source has no mail %s", state)
		}
	}
	for _, status := range []string{"staged", "invited", "active", "deactivated"} {
		if count(t, db, "SELECT count(*) FROM users WHERE status = ?", status) == 0 {
			t.Fatalf("the source has no user %s", status)
		}
	}
	for _, table := range []string{"seat_ledger", "webhook_deliveries", "captured_mail", "away_periods", "ssh_keys", "api_keys", "conversations"} {
		if count(t, db, "SELECT count(*) FROM "+table) == 0 {
			t.Fatalf("the source has nothing in %s", table)
		}
	}
}

// sameRows fails unless every table of the SQLite database a has the same
// rows in the database b, either engine, comparing every column.
func sameRows(t *testing.T, a, b string) {
	t.Helper()
	da := rawDB(t, a)
	defer da.Close()
	db := rawAny(t, b)
	defer db.Close()
	tables := column(t, da, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if len(tables) < 20 {
		t.Fatalf("%d tables", len(tables))
	}
	for _, table := range tables {
		cols := column(t, da, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = fmt.Sprint(i + 1)
		}
		query := fmt.Sprintf(`SELECT "%s" FROM %s ORDER BY %s`, strings.Join(cols, `", "`), table, strings.Join(order, ", "))
		ra, rb := rowsOf(t, da, query), rowsOf(t, db, query)
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%s differs:\n%s: %v\n%s: %v", table, a, ra, b, rb)
		}
	}
}

// rawAny opens a SQLite file or a PostgreSQL URL as a plain connection.
func rawAny(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	if !store.IsPostgres(dsn) {
		return rawDB(t, dsn)
	}
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func column(t *testing.T, conn *sql.DB, query string, args ...any) []string {
	t.Helper()
	var out []string
	for _, r := range rowsOf(t, conn, query, args...) {
		out = append(out, r[0])
	}
	return out
}

// rowsOf reads every row as text, the engines' types made alike: booleans
// as SQLite's 0 and 1, bytes as text.
func rowsOf(t *testing.T, conn *sql.DB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := conn.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case bool:
				v = 0
				if x {
					v = 1
				}
			case []byte:
				v = string(x)
			}
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
