package mail

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"testing"

	"roster/admin"
)

// Once the relay has accepted an invitation, no file of the database holds
// its link's token: not the database, not its write-ahead log, while
// roster still runs.
func TestSentTokensLeaveNoCopyInTheDatabaseFiles(t *testing.T) {
	f := newFixture(t)
	var people []admin.NewUser
	for i := range 10 {
		people = append(people, admin.NewUser{Email: fmt.Sprintf("user%d@acme.test", i), FirstName: "User", Locale: "en"})
	}
	f.invite(people...)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Batch = 4 // three batches
	if rep := f.deliver(cfg); rep.Sent != 10 {
		t.Fatalf("%+v", rep)
	}

	link := regexp.MustCompile(`https://roster\.acme\.test/invite/([A-Za-z0-9_-]+)`)
	var tokens []string
	for _, m := range srv.received() {
		found := link.FindStringSubmatch(m.text(t))
		if found == nil {
			t.Fatalf("no link in the mail:\n%s", m.text(t))
		}
		tokens = append(tokens, found[1])
	}
	if len(tokens) != 10 {
		t.Fatalf("%d tokens mailed, want 10", len(tokens))
	}
	path := f.st.Path()
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
			t.Errorf("%s (%d bytes) holds %d of the %d tokens mailed", p, len(b), n, len(tokens))
		}
	}
}
