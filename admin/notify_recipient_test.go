package admin

import (
	"strings"
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

// The digest of stuck invitations is written in its recipient's language,
// the time since an invitation expired included; and it goes once a day
// even when its hour is moved later in a day it already went.
func TestDigestInFrenchOnceADay(t *testing.T) {
	const ann, mia = "ann@example.com", "mia.manager@example.com"
	f := newFixture(t)
	f.addUser(mia, "manager", store.Active)
	f.exec(`UPDATE users SET locale = 'fr' WHERE email = ?`, mia)
	_, err := f.svc.SetNotifyPrefs(f.ctx, as(mia), mia, 0, []string{"digest.stuck=email"})
	must(t, err)
	f.invite(ann, "member")
	must(t, f.svc.NotifyDue(f.ctx))
	f.clock.Store(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC).Unix()) // 10:00 in Paris
	must(t, f.svc.NotifyDue(f.ctx))
	digests := func() []string {
		return f.rows(`SELECT data FROM outbox WHERE recipient = ? AND kind = 'notice' AND data LIKE '%Invitations bloqu%' ORDER BY id`, mia)
	}
	if n := len(digests()); n != 1 {
		t.Fatalf("%d digests to mia, want 1", n)
	}
	_, _, d := f.mail(mia)
	if !strings.Contains(d.Body, "- ann@example.com : expirée depuis 16 jours") || strings.Contains(d.Body, "days") {
		t.Fatalf("the French digest says:\n%s", d.Body)
	}
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{DigestHour: ptr(17)})
	must(t, err)
	f.clock.Store(time.Date(2026, 3, 20, 17, 0, 0, 0, time.UTC).Unix()) // 18:00 in Paris
	must(t, f.svc.NotifyDue(f.ctx))
	if n := len(digests()); n != 1 {
		t.Fatalf("%d digests to mia on one day once the hour moved later, want 1", n)
	}
	f.clock.Store(time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC).Unix())
	must(t, f.svc.NotifyDue(f.ctx))
	if n := len(digests()); n != 2 {
		t.Fatalf("%d digests to mia the next day, want 2", n)
	}
}
