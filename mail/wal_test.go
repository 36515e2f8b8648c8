package mail

import (
	"bytes"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"roster/admin"
	"roster/internal/testdb"
)

// Once the relay has accepted an invitation, no file of the database holds
// its link's token: not the database, not its write-ahead log, while
// roster still runs.
func TestSentTokensLeaveNoCopyInTheDatabaseFiles(t *testing.T) {
	testdb.SQLiteOnly(t, "the bytes of SQLite's database file and its log")
	f := newFixture(t)
	var people []admin.NewUser
	for i := range 10 {
		people = append(people, admin.NewUser{Email: fmt.Sprintf("user%d@acme.test", i), FirstName: "User", Locale: "en"})
	}
	f.invite(people...)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Batch = 4 // three batches
	if rep := f.deliver(cfg); rep.Sent != 10 || len(srv.received()) != 10 {
		t.Fatalf("%+v, %d received", rep, len(srv.received()))
	}
	for _, p := range tokenFiles(t, f, srv) {
		t.Error(p)
	}
}

// A reader of an older snapshot keeps the log from being emptied; the next
// pass empties it, even with nothing to send.
func TestSentTokensLeaveTheLogOnceReadersAreDone(t *testing.T) {
	testdb.SQLiteOnly(t, "SQLite's write-ahead log")
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test", Locale: "fr"})
	raw, err := sql.Open("sqlite", "file:"+f.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	reader, err := raw.BeginTx(f.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow("SELECT count(*) FROM outbox").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d messages, %v", n, err)
	}
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	var logged strings.Builder
	cfg.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	if rep := f.deliver(cfg); rep.Sent != 2 {
		t.Fatalf("%+v", rep)
	}
	if left := tokenFiles(t, f, srv); len(left) == 0 || !strings.Contains(logged.String(), "stay in the database's log") {
		t.Fatalf("the log was emptied under a reader, or nothing said it was not: %v\n%s", left, logged.String())
	}
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	if rep := f.deliver(cfg); rep != (Report{}) {
		t.Fatalf("%+v", rep)
	}
	for _, p := range tokenFiles(t, f, srv) {
		t.Error(p)
	}
}

// tokenFiles says which files of the database hold tokens of the links that
// srv received.
func tokenFiles(t *testing.T, f *fixture, srv *testServer) []string {
	t.Helper()
	link := regexp.MustCompile(`https://roster\.acme\.test/invite/([A-Za-z0-9_-]+)`)
	var tokens []string
	for _, m := range srv.received() {
		found := link.FindStringSubmatch(m.text(t))
		if found == nil {
			t.Fatalf("no link in the mail:\n%s", m.text(t))
		}
		tokens = append(tokens, found[1])
	}
	path := f.st.Path()
	var holding []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		n := 0
		for _, tok := range tokens {
			if bytes.Contains(b, []byte(tok)) {
				n++
			}
		}
		if n > 0 {
			holding = append(holding, fmt.Sprintf("%s (%d bytes) holds %d of the %d tokens mailed", p, len(b), n, len(tokens)))
		}
	}
	return holding
}
