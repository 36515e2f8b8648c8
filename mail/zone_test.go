package mail

import (
	"strings"
	"testing"

	"roster/admin"
	"roster/store"
)

// A mail's dates are in its recipient's time zone when their branch has
// one, else in the worker's (CET here): an invitee of the Montréal branch
// read that their link works until 10:00 CET.
func TestMailDatesInTheRecipientsZone(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddBranch(f.ctx, boss, store.Branch{Name: "Montréal", TimeZone: "America/Toronto"}); err != nil {
		t.Fatal(err)
	}
	f.invite(jean, admin.NewUser{Email: "mary@acme.test", FirstName: "Mary", LastName: "Smith", Locale: "en", Branches: []string{"Montréal"}})
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Location = cet
	f.deliver(cfg)
	want := map[string]string{
		"jean@acme.test": "jusqu'au mercredi 4 mars 2026 à 10 h 00 (CET)",
		"mary@acme.test": "until Wednesday 4 March 2026 at 04:00 EST",
	}
	got := srv.received()
	if len(got) != 2 {
		t.Fatalf("received %d messages", len(got))
	}
	for _, r := range got {
		if text := r.text(t); !strings.Contains(strings.Join(strings.Fields(text), " "), want[r.to[0]]) {
			t.Errorf("the mail to %s lacks %q:\n%s", r.to[0], want[r.to[0]], text)
		}
	}
}
