package admin

import (
	"testing"
	"time"

	"roster/store"
)

// A notice waits in the outbox (a planned leave's stand-in notice until
// the leave starts, a message deferred while the provider is down): what
// changed of its recipient meanwhile holds when it goes. An SMS goes to
// the number they have when it is sent, not the one given up; none goes
// once they have no number. Someone deactivated meanwhile is told nothing.
func TestWaitingNoticesFollowTheirRecipient(t *testing.T) {
	const ada, ben, old, new = "ada@example.com", "ben@example.com", "+33612345678", "+33698765432"
	planned := func(f *fixture) {
		f.t.Helper()
		_, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{From: f.now().Add(72 * time.Hour), Until: f.now().Add(240 * time.Hour), StandIn: ben})
		must(f.t, err)
	}
	cases := []struct {
		name   string
		change func(f *fixture)
		// want: the states of the notices to ben, by channel, and the
		// number the SMS goes to ("": none waiting).
		mail, sms, to string
	}{
		{"nothing changed", func(f *fixture) {}, store.OutboxQueued, store.OutboxQueued, old},
		{"a new number", func(f *fixture) {
			phone := "06 98 76 54 32"
			_, err := f.svc.Edit(f.ctx, f.owner, ben, 0, Profile{Phone: &phone})
			must(f.t, err)
		}, store.OutboxQueued, store.OutboxQueued, new},
		{"the number removed", func(f *fixture) {
			phone := ""
			_, err := f.svc.Edit(f.ctx, f.owner, ben, 0, Profile{Phone: &phone})
			must(f.t, err)
		}, store.OutboxQueued, store.OutboxCancelled, ""},
		{"deactivated", func(f *fixture) { must(f.t, f.svc.Deactivate(f.ctx, f.owner, ben)) },
			store.OutboxCancelled, store.OutboxCancelled, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(ada, "member", store.Active)
			f.addUser(ben, "member", store.Active)
			f.exec(`UPDATE users SET phone = ? WHERE email = ?`, old, ben)
			_, err := f.svc.SetNotifyPrefs(f.ctx, as(ben), ben, 0, []string{"standin.start=email,sms"})
			must(t, err)
			planned(f)
			c.change(f)
			if got := f.rows(`SELECT state FROM outbox WHERE user_id = (SELECT id FROM users WHERE email = ?) AND channel = 'email' AND kind = ?`,
				ben, store.MailStandInNotice); len(got) != 1 || got[0] != c.mail {
				t.Fatalf("the stand-in mail to ben: %q, want %s", got, c.mail)
			}
			if got := f.rows(`SELECT state FROM outbox WHERE channel = 'sms'`); len(got) != 1 || got[0] != c.sms {
				t.Fatalf("the stand-in SMS: %q, want %s", got, c.sms)
			}
			got := f.rows(`SELECT recipient FROM outbox WHERE channel = 'sms' AND state IN ('queued', 'deferred')`)
			if c.to == "" && len(got) != 0 || c.to != "" && (len(got) != 1 || got[0] != c.to) {
				t.Fatalf("the SMS waiting goes to %q, want %q", got, c.to)
			}
		})
	}
}
