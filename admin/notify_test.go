package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// notices lists the subjects of the notices queued to email, oldest first,
// each with the expiry it announces when it has one.
func (f *fixture) notices(email string) []string {
	f.t.Helper()
	var out []string
	for _, raw := range f.rows(`SELECT data FROM outbox WHERE recipient = ? AND kind = 'notice' ORDER BY id`, email) {
		var d store.MailData
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			f.t.Fatalf("notice to %s: %q: %v", email, raw, err)
		}
		s := d.Subject
		if !d.ExpiresAt.IsZero() {
			s += " until " + d.ExpiresAt.UTC().Format(time.RFC3339)
		}
		out = append(out, s)
	}
	return out
}

// texts lists the SMS queued to phone, oldest first.
func (f *fixture) texts(phone string) []string {
	f.t.Helper()
	var out []string
	for _, raw := range f.rows(`SELECT data FROM outbox WHERE channel = 'sms' AND recipient = ? ORDER BY id`, phone) {
		var d store.MailData
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			f.t.Fatalf("SMS to %s: %q: %v", phone, raw, err)
		}
		out = append(out, d.Body)
	}
	return out
}

func wantNotices(t *testing.T, f *fixture, email string, want ...string) {
	t.Helper()
	got := f.notices(email)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notices to %s:\n%q\nwant:\n%q", email, got, want)
	}
}

// An invitee is reminded once, when a day is left on their link (the
// default), whenever roster serve runs next; never after accepting, never
// with reminders off, and not again when the next runs pass.
func TestReminderOnceAtTheRightTime(t *testing.T) {
	const ada, ben = "ada@example.com", "ben@example.com"
	f := newFixture(t)
	f.invite(ada, "member")
	expires := f.now().Add(48 * time.Hour)
	benToken := f.invite(ben, "member")
	remind := func(after time.Duration) {
		t.Helper()
		f.advance(after)
		must(t, f.svc.NotifyDue(f.ctx))
	}
	remind(0)
	remind(time.Hour)
	if _, err := f.svc.UseLink(f.ctx, "invite", benToken, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	remind(23*time.Hour - time.Second) // a second before the day left
	wantNotices(t, f, ada)
	remind(time.Second)
	want := "Your invitation to Acme & Fils is waiting until " + expires.Format(time.RFC3339)
	wantNotices(t, f, ada, want)
	remind(time.Minute)
	remind(12 * time.Hour)
	remind(24 * time.Hour) // expired
	wantNotices(t, f, ada, want)
	wantNotices(t, f, ben)
	if a := f.audits("invite.remind"); len(a) != 1 || a[0].Actor != "" || a[0].Target != ada || a[0].Channel != ChannelSystem {
		t.Fatalf("invite.remind audit rows %+v, want one from the system about %s", a, ada)
	}

	// A run missed for hours still reminds, once, while the link works.
	const cleo, dan = "cleo@example.com", "dan@example.com"
	f.invite(cleo, "member")
	remind(30 * time.Hour)
	remind(time.Minute)
	wantNotices(t, f, cleo, "Your invitation to Acme & Fils is waiting until "+f.now().Add(18*time.Hour-time.Minute).Format(time.RFC3339))

	// 0 turns reminders off; a reminder as long as the link's lifetime is
	// refused, as it would go out with the link.
	_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{RemindBefore: ptr(time.Duration(0))})
	must(t, err)
	f.invite(dan, "member")
	remind(47 * time.Hour)
	wantNotices(t, f, dan)
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{RemindBefore: ptr(72 * time.Hour)})
	wantInput(t, err, "remind-before", "is not shorter than the invitation's lifetime")
	remind(time.Minute)
	const eve = "eve@example.com"
	f.invite(eve, "member")
	remind(47 * time.Hour)
	wantNotices(t, f, dan)
	wantNotices(t, f, eve)
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{RemindBefore: ptr(time.Second)})
	wantInput(t, err, "remind-before", "want 0 (never) or between 1m and 720h")
}

// A reminder carries a fresh link only when the invitation's link is about
// to expire (less than freshLinkUnder left): with the default day left it
// points to the invitation mail, whose link still works; with 2 hours it
// voids that link and mails a new one with its new expiry, which works
// once, and the invitation is not reminded again for it.
func TestReminderFreshLinkOnlyWhenAboutToExpire(t *testing.T) {
	const ada = "ada@example.com"
	for _, tc := range []struct {
		before time.Duration
		fresh  bool
	}{{24 * time.Hour, false}, {2 * time.Hour, true}} {
		t.Run(tc.before.String(), func(t *testing.T) {
			f := newFixture(t)
			_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{RemindBefore: ptr(tc.before)})
			must(t, err)
			must(t, f.svc.NotifyDue(f.ctx))
			old := f.invite(ada, "member")
			expires := f.now().Add(48 * time.Hour)
			f.advance(48*time.Hour - tc.before)
			must(t, f.svc.NotifyDue(f.ctx))
			kind, _, d := f.mail(ada)
			if kind != store.MailNotice || d.Subject != "Your invitation to Acme & Fils is waiting" {
				t.Fatalf("newest mail to %s: %s %q, want the reminder", ada, kind, d.Subject)
			}
			a := f.audits("invite.remind")
			if len(a) != 1 || strings.Contains(a[0].After, "fresh_link") == !tc.fresh {
				t.Fatalf("invite.remind audit rows %+v, want one, fresh_link %v", a, tc.fresh)
			}
			if !tc.fresh {
				if d.Path != "" || !d.ExpiresAt.Equal(expires) || !strings.Contains(d.Body, "open the link in the invitation mail") {
					t.Fatalf("reminder path %q until %s, body %q: want no link, the invitation's expiry %s", d.Path, d.ExpiresAt, d.Body, expires)
				}
				if _, err := f.svc.UseLink(f.ctx, "invite", old, "a long enough password"); err != nil {
					t.Fatalf("the invitation's link after the reminder: %v", err)
				}
				return
			}
			renewed := f.now().Add(48 * time.Hour)
			if !strings.HasPrefix(d.Path, "/invite/") || !d.ExpiresAt.Equal(renewed) || !strings.Contains(d.Body, "here is a new one") {
				t.Fatalf("reminder path %q until %s, body %q: want a fresh link until %s", d.Path, d.ExpiresAt, d.Body, renewed)
			}
			if _, err := f.svc.UseLink(f.ctx, "invite", old, "a long enough password"); !errors.Is(err, ErrLinkReplaced) {
				t.Fatalf("the old link after the reminder: %v, want %v", err, ErrLinkReplaced)
			}
			for _, step := range []time.Duration{time.Hour, 46 * time.Hour, time.Hour - time.Minute} {
				f.advance(step)
				must(t, f.svc.NotifyDue(f.ctx))
			}
			if n := len(f.notices(ada)); n != 1 {
				t.Fatalf("%d reminders to %s, want 1: %q", n, ada, f.notices(ada))
			}
			fresh := strings.TrimPrefix(d.Path, "/invite/")
			if _, err := f.svc.UseLink(f.ctx, "invite", fresh, "a long enough password"); err != nil {
				t.Fatalf("the fresh link: %v", err)
			}
			if _, err := f.svc.UseLink(f.ctx, "invite", fresh, "a long enough password"); !errors.Is(err, ErrLinkUsed) {
				t.Fatalf("the fresh link used twice: %v, want %v", err, ErrLinkUsed)
			}
		})
	}
}

// A resend voids a reminder's fresh link: the reminder, not sent yet, is
// cancelled with it, so the invitee never gets a link that no longer
// works; a notice without a link stays.
func TestResendCancelsAReminderNotSent(t *testing.T) {
	const ada = "ada@example.com"
	f := newFixture(t)
	_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{RemindBefore: ptr(2 * time.Hour)})
	must(t, err)
	must(t, f.svc.NotifyDue(f.ctx))
	f.invite(ada, "member")
	f.advance(46 * time.Hour)
	must(t, f.svc.NotifyDue(f.ctx))
	if kind, state, d := f.mail(ada); kind != store.MailNotice || state != store.OutboxQueued || d.Path == "" {
		t.Fatalf("newest mail to %s: %s %s %q, want the reminder with its fresh link, queued", ada, kind, state, d.Path)
	}
	// A notice with no link, queued beside it.
	_, err = f.svc.SetPermissions(f.ctx, f.owner, ada, 0, PermChange{Role: "manager"})
	must(t, err)
	f.advance(2 * time.Minute) // past the resend limit
	for _, o := range f.svc.Resend(f.ctx, f.owner, []string{ada}) {
		must(t, o.Err)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE recipient = ? AND kind = 'notice' AND state = 'cancelled'`, ada); n != 1 {
		t.Fatalf("%d reminders cancelled by the resend, want 1: %q", n, f.rows(`SELECT kind || ' ' || state FROM outbox WHERE recipient = ?`, ada))
	}
	if kind, state, d := f.mail(ada); kind != store.MailInviteResent || state != store.OutboxQueued || d.Path == "" {
		t.Fatalf("newest mail to %s: %s %s, want the resent invitation, queued", ada, kind, state)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE recipient = ? AND kind = 'notice' AND state = 'queued' AND token_id IS NULL`, ada); n != 1 {
		t.Fatalf("%d notices without a link still queued, want 1 (the role change)", n)
	}
}

// Each event reaches exactly the people its preferences say, by the
// channels they say: mail to their address, SMS to their phone number
// (ben's, in to under benPhone). Someone without a phone number gets no
// SMS, even when they chose sms alone.
func TestNoticesFollowPreferences(t *testing.T) {
	const ada, ann, ben, benPhone = "ada@example.com", "ann@example.com", "ben.fr@example.com", "+33612345678"
	key := newKeyLine(t)
	const accepted = "Acme & Fils : Ann a accepté votre invitation."
	cases := []struct {
		name    string
		prefs   []string // ben's
		noPhone bool     // ben has no phone number
		act     func(f *fixture)
		to      map[string][]string
	}{
		{"acceptance tells whoever invited", nil, false, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: {"Ann a rejoint Acme & Fils"}, benPhone: nil, ann: nil, ownerEmail: nil}},
		{"acceptance, turned off", []string{"invitation.accepted=off"}, false, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: nil, benPhone: nil, ann: nil}},
		{"acceptance, sms only", []string{"invitation.accepted=sms"}, false, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: nil, benPhone: {accepted}}},
		{"acceptance, email and sms", []string{"invitation.accepted=email,sms"}, false, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: {"Ann a rejoint Acme & Fils"}, benPhone: {accepted}}},
		{"acceptance, sms only, no phone number", []string{"invitation.accepted=sms"}, true, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: nil, benPhone: nil}},
		{"acceptance, both, no phone number", []string{"invitation.accepted=email,sms"}, true, func(f *fixture) { f.acceptAs(ben, ann) },
			map[string][]string{ben: {"Ann a rejoint Acme & Fils"}, benPhone: nil}},
		{"permissions changed", nil, false, func(f *fixture) {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, ben, 0, PermChange{Role: "manager"})
			must(f.t, err)
		}, map[string][]string{ben: {"Votre rôle ou vos permissions sur Acme & Fils ont changé"}, benPhone: nil, ownerEmail: nil, ada: nil}},
		{"permissions changed, sms added", []string{"security.permissions=email,sms"}, false, func(f *fixture) {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, ben, 0, PermChange{Revoke: []string{"users.away"}})
			must(f.t, err)
		}, map[string][]string{ben: {"Votre rôle ou vos permissions sur Acme & Fils ont changé"},
			benPhone: {"Acme & Fils : " + ownerEmail + " a modifié vos permissions. Si vous ne vous y attendiez pas, prévenez votre administrateur."}}},
		{"an SSH key added by someone else", nil, false, func(f *fixture) {
			_, err := f.svc.AddKey(f.ctx, f.owner, ben, key)
			must(f.t, err)
		}, map[string][]string{ben: {"Une clé a été ajoutée à votre compte Acme & Fils"}, benPhone: nil, ownerEmail: nil}},
		{"an API key made by oneself", nil, false, func(f *fixture) {
			_, _, err := f.svc.CreateAPIKey(f.ctx, as(ben), "zapier", time.Time{})
			must(f.t, err)
		}, map[string][]string{ben: {"Une clé a été ajoutée à votre compte Acme & Fils"}}},
		{"stand-in, on", nil, false, func(f *fixture) { f.away(ada, ben) }, map[string][]string{ben: nil, benPhone: nil}},
		{"stand-in, turned off", []string{"standin.start=off"}, false, func(f *fixture) { f.away(ada, ben) }, map[string][]string{ben: nil, benPhone: nil}},
		{"stand-in, sms only", []string{"standin.start=sms"}, false, func(f *fixture) { f.away(ada, ben) },
			map[string][]string{ben: nil, benPhone: {"Acme & Fils : Ada est absent et vous le remplacez."}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(ada, "member", store.Active)
			f.addUser(ben, "admin", store.Active)
			f.exec(`UPDATE users SET locale = 'fr' WHERE email = ?`, ben)
			if !c.noPhone {
				f.exec(`UPDATE users SET phone = ? WHERE email = ?`, benPhone, ben)
			}
			if c.prefs != nil {
				_, err := f.svc.SetNotifyPrefs(f.ctx, as(ben), ben, 0, c.prefs)
				must(t, err)
			}
			c.act(f)
			for to, want := range c.to {
				if to == benPhone {
					if got := f.texts(to); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("SMS to %s:\n%q\nwant:\n%q", to, got, want)
					}
					continue
				}
				wantNotices(t, f, to, want...)
			}
			if strings.HasPrefix(c.name, "stand-in") {
				want := 1
				if c.prefs != nil {
					want = 0
				}
				if n := f.count(`SELECT count(*) FROM outbox WHERE recipient = ? AND kind = 'standin_notice'`, ben); n != want {
					t.Fatalf("%d stand-in notices to ben, want %d", n, want)
				}
			}
		})
	}
}

// acceptAs has inviter invite email, who accepts.
func (f *fixture) acceptAs(inviter, email string) {
	f.t.Helper()
	res, err := f.svc.Invite(f.ctx, as(inviter), []NewUser{{Email: email, FirstName: "Ann", Role: "member"}}, InviteOptions{})
	must(f.t, err)
	must(f.t, res[0].Err)
	f.advance(time.Hour)
	if _, err := f.svc.UseLink(f.ctx, "invite", f.token(email), "a long enough password"); err != nil {
		f.t.Fatalf("accept %s: %v", email, err)
	}
}

// Who may read and change whose notifications: everyone their own (a
// member holding no users.* permission included), operators holding
// users.edit those of the people below them. A security notice cannot be
// turned off, by anyone; a refused change changes nothing; each change is
// audited with what it changed.
func TestNotifyPrefsRules(t *testing.T) {
	const mel, max, mia = "mel.member@example.com", "max.manager@example.com", "mia.admin@example.com"
	f := newFixture(t)
	f.addUser(mel, "member", store.Active)
	f.addUser(max, "manager", store.Active)
	f.addUser(mia, "admin", store.Active)

	ps, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"invitation.accepted=sms,email", "digest.stuck=email"})
	must(t, err)
	got := map[string]string{}
	for _, p := range ps {
		got[p.Event] = strings.Join(p.Channels, ",")
	}
	if got["invitation.accepted"] != "email,sms" || got["digest.stuck"] != "email" || got["security.key"] != "email" {
		t.Fatalf("prefs %v", got)
	}
	a := f.audits("notify.set")
	if len(a) != 1 || a[0].Actor != mel || a[0].Target != mel ||
		a[0].Before != `{"digest.stuck":[],"invitation.accepted":["email"]}` || a[0].After != `{"digest.stuck":["email"],"invitation.accepted":["email","sms"]}` {
		t.Fatalf("audit %+v", a)
	}

	before := f.snapshot()
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), max, 0, []string{"digest.stuck=off"})
	wantDenied(t, err, "users.edit")
	_, err = f.svc.NotifyPrefs(f.ctx, as(mel), max)
	wantDenied(t, err, "users.edit")
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(max), mia, 0, []string{"digest.stuck=off"})
	wantDenied(t, err, "")
	for _, who := range []string{mel, ownerEmail} {
		for _, set := range []string{"security.key=off", "security.permissions=sms", "security.key="} {
			_, err = f.svc.SetNotifyPrefs(f.ctx, as(who), mel, 0, []string{"digest.stuck=off", set})
			wantInput(t, err, "event", "is a security notice and cannot be turned off")
		}
	}
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"invitation.accepted=fax"})
	wantInput(t, err, "channel", `"fax" is not a channel`)
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"nope=email"})
	wantInput(t, err, "event", `"nope" is not an event`)
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"invitation.accepted"})
	wantInput(t, err, "setting", "want EVENT=CHANNELS")
	f.unchanged(before)

	ps, err = f.svc.SetNotifyPrefs(f.ctx, as(max), mel, 0, []string{"invitation.accepted=default", "security.key=email,sms"})
	must(t, err)
	for _, p := range ps {
		if p.Event == "invitation.accepted" && (p.Chosen || strings.Join(p.Channels, ",") != "email") {
			t.Fatalf("default not restored: %+v", p)
		}
		if p.Event == "security.key" && strings.Join(p.Channels, ",") != "email,sms" {
			t.Fatalf("security.key: %+v", p)
		}
	}
	if a := f.audits("notify.set"); len(a) != 2 || a[1].Actor != max {
		t.Fatalf("audit %+v", a)
	}
}

// The digest of stuck invitations goes once a day at the account's hour
// (9:00 in Paris, its country's zone), across the change to summer time,
// to the holders of users.invite who opted in; a day with nothing stuck
// is silent; days missed are not sent late, the next run sends one.
func TestDigestOnceADayAtTheAccountsHour(t *testing.T) {
	const ann, mia, max, mel = "ann@example.com", "mia.manager@example.com", "max.manager@example.com", "mel.member@example.com"
	f := newFixture(t)
	f.addUser(mia, "manager", store.Active)
	f.addUser(max, "manager", store.Active)
	f.addUser(mel, "member", store.Active)
	for _, who := range []string{ownerEmail, mia, mel} {
		_, err := f.svc.SetNotifyPrefs(f.ctx, as(who), who, 0, []string{"digest.stuck=email"})
		must(t, err)
	}
	f.invite(ann, "member") // expires on 4 March at 9:00 UTC
	must(t, f.svc.NotifyDue(f.ctx))
	// every 30 minutes, as roster serve's minute would meet each hour
	runUntil := func(end time.Time) {
		t.Helper()
		for f.now().Before(end) {
			f.advance(30 * time.Minute)
			must(t, f.svc.NotifyDue(f.ctx))
		}
	}
	digests := func(email string) []string {
		t.Helper()
		var out []string
		for _, r := range f.rows(`SELECT created_at FROM outbox WHERE recipient = ? AND kind = 'notice'
			AND data LIKE '%Stuck invitations at%' ORDER BY id`, email) {
			var sec int64
			fmt.Sscan(r, &sec)
			out = append(out, time.Unix(sec, 0).UTC().Format("Jan 2 15:04"))
		}
		return out
	}
	runUntil(time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC))
	f.clock.Store(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC).Unix()) // the server was down
	must(t, f.svc.NotifyDue(f.ctx))
	runUntil(time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)) // summer time from 29 March, 1:00 UTC
	want := []string{"Mar 5 08:00", "Mar 6 08:00", "Mar 28 12:00", "Mar 29 07:00", "Mar 30 07:00"}
	for _, who := range []string{ownerEmail, mia} {
		if got := digests(who); strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("digests to %s at %q, want %q", who, got, want)
		}
	}
	for _, who := range []string{max, mel} {
		if got := digests(who); len(got) != 0 {
			t.Fatalf("digests to %s at %q, want none", who, got)
		}
	}
	_, _, d := f.mail(mia)
	for _, w := range []string{"1 invitation is stuck:", "- ann@example.com: expired 25 days 22 h ago", "roster invites resend --stuck"} {
		if !strings.Contains(d.Body, w) {
			t.Fatalf("the digest lacks %q:\n%s", w, d.Body)
		}
	}
	if d.Subject != "Stuck invitations at Acme & Fils" {
		t.Fatalf("subject %q", d.Subject)
	}
	if n := len(f.audits("invite.digest")); n != len(want) {
		t.Fatalf("%d invite.digest audit rows, want %d", n, len(want))
	}

	for _, o := range f.svc.Revoke(f.ctx, f.owner, []string{ann}) {
		must(t, o.Err)
	}
	runUntil(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	if got := digests(mia); len(got) != len(want) {
		t.Fatalf("digests to mia at %q once nothing is stuck, want %q", got, want)
	}
	_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{DigestHour: ptr(24)})
	wantInput(t, err, "digest-hour", "want an hour from 0 to 23")
}

// A notice not yet sent to someone deleted is cancelled with their other
// mail: it would reach an address that is no longer a user's.
func TestDeleteCancelsNotices(t *testing.T) {
	const ben = "ben@example.com"
	f := newFixture(t)
	f.addUser(ben, "member", store.Active)
	_, err := f.svc.AddKey(f.ctx, f.owner, ben, newKeyLine(t))
	must(t, err)
	if kind, state, _ := f.mail(ben); kind != store.MailNotice || state != store.OutboxQueued {
		t.Fatalf("newest mail to ben: %s, %s; want a queued notice", kind, state)
	}
	_, err = f.svc.Delete(f.ctx, f.owner, ben, DeleteRequest{Heir: ownerEmail})
	must(t, err)
	if _, state, _ := f.mail(ben); state != store.OutboxCancelled {
		t.Fatalf("the notice to ben is %s once ben is deleted, want cancelled", state)
	}
}

// The notices time sets off go once, when their instant passes: whoever
// invited is told when the invitation expires unaccepted; someone away is
// told the day before their period ends (not for a period shorter than a
// day); a stand-in is told of each conversation routed to them.
func TestTimedAndStandInNotices(t *testing.T) {
	const mia, ann, ben, cleo, dan = "mia.manager@example.com", "ann@example.com", "ben@example.com", "cleo@example.com", "dan@example.com"
	f := newFixture(t)
	f.addUser(mia, "manager", store.Active)
	for _, e := range []string{ben, cleo, dan} {
		f.addUser(e, "member", store.Active)
	}
	must(t, f.svc.NotifyDue(f.ctx))
	res, err := f.svc.Invite(f.ctx, as(mia), []NewUser{{Email: ann, FirstName: "Ann", Role: "member"}}, InviteOptions{})
	must(t, err)
	must(t, res[0].Err)
	_, err = f.svc.SetAway(f.ctx, f.owner, ben, AwayRequest{Until: f.now().Add(72 * time.Hour), StandIn: cleo})
	must(t, err)
	_, err = f.svc.SetAway(f.ctx, f.owner, dan, AwayRequest{Until: f.now().Add(12 * time.Hour)})
	must(t, err)
	_, err = f.svc.AddConversation(f.ctx, f.owner, "Order 42", ben)
	must(t, err)
	_, err = f.svc.AddConversation(f.ctx, f.owner, "Order 43", cleo)
	must(t, err)
	for range 4 * 48 {
		f.advance(30 * time.Minute)
		must(t, f.svc.NotifyDue(f.ctx))
	}
	wantNotices(t, f, mia, "Your invitation to Ann is stuck")
	wantNotices(t, f, ben, "Your away period ends tomorrow")
	wantNotices(t, f, dan)
	wantNotices(t, f, cleo, "New work for Ben came to you")
	_, _, d := f.mail(cleo)
	if !strings.Contains(d.Body, "The conversation “Order 42”, meant for Ben, came to you while they are away.") {
		t.Fatalf("the stand-in's notice says %q", d.Body)
	}
	if got := f.rows(`SELECT created_at FROM outbox WHERE recipient = ? AND kind = 'notice'`, ben); len(got) != 1 || got[0] != fmt.Sprint(start.Add(48*time.Hour).Unix()) {
		t.Fatalf("ben told at %q, want a day before the period's end (%d)", got, start.Add(48*time.Hour).Unix())
	}
}

// A change of preferences is a change of the user: saved at the version
// the screen read, it fails with the conflict error when the user changed
// since (changing nothing), and it makes what others read of the user
// stale in turn.
func TestNotifyPrefsStaleVersionConflicts(t *testing.T) {
	const mel, max = "mel.member@example.com", "max.manager@example.com"
	f := newFixture(t)
	f.addUser(mel, "member", store.Active)
	f.addUser(max, "manager", store.Active)
	read, err := f.svc.NotifySettings(f.ctx, as(mel), mel)
	must(t, err)
	if read.User.Email != mel || len(read.Prefs) != len(Events) {
		t.Fatalf("settings %+v", read)
	}
	pos := "Buyer"
	_, err = f.svc.Edit(f.ctx, as(max), mel, 0, Profile{Position: &pos})
	must(t, err)
	before := f.snapshot()
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, read.User.Version, []string{"invitation.accepted=off"})
	var conflict *ConflictError
	if !errors.As(err, &conflict) || conflict.By != max {
		t.Fatalf("stale save: %v, want a conflict naming %s", err, max)
	}
	f.unchanged(before)

	again, err := f.svc.NotifySettings(f.ctx, as(mel), mel)
	must(t, err)
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, again.User.Version, []string{"invitation.accepted=off"})
	must(t, err)
	_, err = f.svc.Edit(f.ctx, as(max), mel, again.User.Version, Profile{Position: &pos})
	if !errors.As(err, &conflict) || conflict.By != mel {
		t.Fatalf("an edit at the version before the preferences changed: %v", err)
	}
}

// Preferences saved as they are write nothing: no new version of the user
// for another's open form to conflict with, no audit entry; a stale
// version is still refused, and a real change still writes.
func TestNotifyPrefsNoChangeWritesNothing(t *testing.T) {
	const mel = "mel.member@example.com"
	f := newFixture(t)
	f.addUser(mel, "member", store.Active)
	_, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"invitation.accepted=email,sms"})
	must(t, err)
	u := f.user(mel)
	before := f.snapshot()
	for _, set := range [][]string{{"invitation.accepted=sms,email"}, {"digest.stuck=default"}, {"invitation.accepted=email,sms", "security.key=default"}} {
		if _, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, u.Version, set); err != nil {
			t.Fatalf("%v changing nothing: %v", set, err)
		}
		if _, err := f.svc.SetNotifyPrefs(f.ctx, f.owner, mel, 0, set); err != nil {
			t.Fatalf("%v changing nothing, by the owner: %v", set, err)
		}
	}
	f.unchanged(before)
	var conflict *ConflictError
	if _, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, u.Version-1, []string{"digest.stuck=default"}); !errors.As(err, &conflict) {
		t.Fatalf("a stale version changing nothing: %v, want a conflict", err)
	}
	_, err = f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, u.Version, []string{"invitation.accepted=default"})
	must(t, err)
	if got := f.user(mel).Version; got != u.Version+1 {
		t.Errorf("a real change: version %d, want %d", got, u.Version+1)
	}
	if n := len(f.audits("notify.set")); n != 2 {
		t.Errorf("%d notify.set entries, want 2", n)
	}
}
