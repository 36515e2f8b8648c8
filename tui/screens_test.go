package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"roster/admin"
	"roster/store"
)

// First run on an empty database: the organisation and its owner, then the
// dashboard as that owner.
func TestSetupFirstRun(t *testing.T) {
	f := newEmpty(t)
	tt := f.run("")
	tt.wait("Welcome to roster")
	tt.typ("Acme Corp")
	tt.press("tab")
	tt.typ("olive@acme.test")
	tt.press("tab")
	tt.typ("Olive")
	tt.press("tab")
	tt.typ("Owner")
	tt.press("enter")
	tt.wait("acting as", "olive@acme.test", "Olive Owner")
	a, err := f.svc.Account(f.ctx)
	must(t, err == nil && a.Name == "Acme Corp", "account: %v %v", a, err)
	u := f.user("olive@acme.test")
	must(t, u.Role == "owner" && u.Status == store.Active, "owner: %s %s", u.Role, u.Status)
}

// A role mailbox is refused as the operator types it; submitting invites the
// valid rows and reports each row's outcome.
func TestInviteRowsCheckedAsTyped(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
		t.Fatal(err)
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("2")
	tt.wait("Invite people")
	tt.typ("Alice")
	tt.press("tab")
	tt.typ("Martin")
	tt.press("tab")
	tt.typ("alice@example.com")
	tt.press("tab")
	tt.typ("0612345678")
	tt.press("tab", "right") // role: member → owner
	tt.press("tab")
	tt.typ("Support")
	tt.press("ctrl+n")
	tt.press("tab", "tab")
	tt.typ("maintenance@example.com")
	tt.wait("role or department mailbox", "ctrl+o accepts role mailboxes")
	tt.press("ctrl+n", "tab", "tab")
	tt.typ("ann.active@example.com")
	tt.wait("is already a user")
	tt.press("ctrl+n", "tab", "tab")
	tt.typ("ALICE@example.com")
	tt.wait("is also on row 1")
	tt.press("ctrl+d") // that duplicate row goes
	tt.press("ctrl+s")
	tt.wait("✓ alice@example.com invited", "✗ maintenance@example.com", "✗ ann.active@example.com")
	u := f.user("alice@example.com")
	must(t, u.Status == store.Invited && u.FirstName == "Alice" && u.Phone == "+33612345678", "alice: %+v", u)
	must(t, u.Role == "owner" && slices.Equal(u.Teams, []string{"Support"}), "alice's role and team: %s %v", u.Role, u.Teams)
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'maintenance@example.com'`) == 0, "the role mailbox was not invited")
	must(t, f.count(`SELECT count(*) FROM outbox WHERE recipient = 'alice@example.com' AND kind = 'invitation'`) == 1, "alice's mail is queued")
	// The refused rows stay in the form; ctrl+o accepts the role mailbox.
	tt.press("ctrl+o")
	tt.press("ctrl+s")
	tt.wait("✓ maintenance@example.com invited")
	must(t, f.user("maintenance@example.com").Status == store.Invited, "maintenance@ invited once allowed")
}

// The on-call path: twenty stuck invitations resent with four keys and the
// answer to the question from the moment roster opens, each failure shown.
func TestPendingResendStuckInFourKeys(t *testing.T) {
	f := newFixture(t)
	var emails []string
	for i := range 20 {
		emails = append(emails, fmt.Sprintf("stuck%02d@example.com", i))
	}
	f.invite(emails...)
	f.advance(49 * time.Hour) // past the 48-hour lifetime
	f.invite("fresh@example.com")
	stuck, _ := f.svc.Invitations(f.ctx, f.op, true)
	must(t, len(stuck) == 20, "%d stuck before", len(stuck))
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("3")
	tt.typ("s")
	tt.typ("A")
	tt.typ("r")
	tt.wait("Resend 20 invitations? y/n")
	tt.typ("y")
	tt.wait("20 of 20 resent.")
	stuck, _ = f.svc.Invitations(f.ctx, f.op, true)
	must(t, len(stuck) == 0, "%d still stuck", len(stuck))
	all, _ := f.svc.Invitations(f.ctx, f.op, false)
	for _, in := range all {
		if strings.HasPrefix(in.Email, "stuck") {
			must(t, in.TimesSent == 2 && !in.Expired, "%s sent %d times, expired %v", in.Email, in.TimesSent, in.Expired)
		}
	}
	must(t, f.count(`SELECT count(*) FROM audit WHERE action = 'invite.resend' AND channel = 'tui'`) == 20, "20 resends audited as tui")
	// Resending again at once is rate-limited, and says until when.
	tt.typ("s") // every pending invitation
	tt.wait("Pending invitations")
	tt.typ("A")
	tt.typ("r")
	tt.wait("Resend 21 invitations? y/n")
	tt.typ("y")
	tt.wait("rate-limited until")
	must(t, f.count(`SELECT count(*) FROM audit WHERE action = 'invite.resend'`) == 20, "nobody was resent twice within a minute")
}

// Revoke asks first, then deletes the invited user.
func TestPendingRevoke(t *testing.T) {
	f := newFixture(t)
	f.invite("bob@example.com", "carl@example.com")
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("3")
	tt.wait("bob@example.com", "carl@example.com")
	tt.press("space") // select bob
	tt.typ("x")
	tt.wait("Revoke bob@example.com?")
	tt.typ("y")
	tt.wait("1 of 1 revoked.")
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'bob@example.com'`) == 0, "bob's invitation revoked")
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'carl@example.com'`) == 1, "carl's kept")
}

// Two boxes ticked and saved after the summary; the store holds them. A
// manager sees what they may not grant as locked.
func TestPermissionsTickAndSave(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	tt := f.run(owner)
	tt.wait("Mia Member")
	tt.typ("p")
	tt.wait("Permissions of Mia Member")
	tt.press("space") // users.invite
	tt.typ("jj")
	tt.press("space") // users.permissions
	tt.press("enter")
	tt.wait("Before saving", "+ users.invite", "+ users.permissions")
	tt.press("enter")
	tt.wait("Saved: mia.member@example.com is member")
	got, _ := f.svc.User(f.ctx, f.op, "mia.member@example.com")
	must(t, slices.Equal(got.Perms, []string{"analytics.own", "data.team", "users.invite", "users.permissions"}), "perms: %v", got.Perms)
	// esc discards unsaved ticks; the role selector applies a preset.
	tt.press("space")
	tt.press("esc")
	tt.wait("Changes discarded.")
	tt.press("left") // member → manager
	tt.press("enter")
	tt.wait("role member → manager")
	tt.press("enter")
	eventually(t, "mia is a manager", func() bool { return f.user("mia.member@example.com").Role == "manager" })
	got, _ = f.svc.User(f.ctx, f.op, "mia.member@example.com")
	must(t, slices.Equal(got.Perms, admin.Presets["manager"]) || len(got.Perms) == len(admin.Presets["manager"]), "manager preset: %v", got.Perms)
}

func TestPermissionsLockedForManager(t *testing.T) {
	f := newFixture(t)
	f.addUser("max.manager@example.com", "Max", "Manager", "manager", store.Active)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	f.exec(`INSERT INTO user_perms (user_id, perm) SELECT id, 'users.permissions' FROM users WHERE email = 'max.manager@example.com'`)
	tt := f.run("max.manager@example.com")
	tt.wait("Mia Member")
	tt.typ("4")
	tt.wait("choose a user")
	tt.typ("mia")
	tt.wait("Mia Member <mia.member@example.com>")
	tt.press("enter")
	tt.wait("Permissions of Mia Member", "locked: you do not hold it")
	tt.typ("G") // settings.account, locked
	tt.press("space")
	tt.wait("Locked: you do not hold it.")
	tt.typ("g")
	tt.press("space", "enter")
	tt.wait("+ users.invite")
	tt.press("enter")
	eventually(t, "mia may invite", func() bool {
		d, _ := f.svc.User(f.ctx, f.op, "mia.member@example.com")
		return slices.Contains(d.Perms, "users.invite") && !slices.Contains(d.Perms, "settings.account")
	})
}

// Away for a week from a relative date, with a stand-in found by a fuzzy
// search, and a note; a team as stand-in for a planned period.
func TestAwayWithStandIn(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Night shift"); err != nil {
		t.Fatal(err)
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	tt := f.run(owner)
	tt.wait("Ann Active")
	tt.typ("a")
	tt.wait("Away: Ann Active")
	tt.typ("+7d")
	tt.wait("reads as: Until")
	tt.press("tab", "enter")
	tt.wait("stand-in: a name")
	// Wait on the query typed, not on a result: Bob's line, first already
	// among the results for "", may have been drawn before the last wait,
	// and a wait looks only at the frames drawn since. Enter before
	// the results for "bob" come chooses the best of them once they do.
	tt.typ("bob")
	tt.wait("› bob")
	tt.press("enter")
	tt.typ("Holiday")
	tt.press("ctrl+s")
	tt.wait("Saved: ann.active@example.com is away")
	d := f.detail("ann.active@example.com")
	must(t, len(d.AwayPeriods) == 1, "periods: %v", d.AwayPeriods)
	p := d.AwayPeriods[0]
	now := f.svc.Now().Local()
	wantEnd := time.Date(now.Year(), now.Month(), now.Day()+7, 0, 0, 0, 0, time.Local)
	must(t, p.StandIn == "bob.backup@example.com" && p.Note == "Holiday" && p.End.Equal(wantEnd), "period: %+v (end want %v)", p, wantEnd)
	must(t, f.user("ann.active@example.com").Away, "ann is away now")
	// A planned period after it, with a team: from 2026-12-24.
	tt.press("enter") // the form again, at When
	tt.press("right", "tab")
	tt.typ("2026-12-24")
	tt.press("tab")
	tt.typ("2026-12-31")
	tt.press("tab", "enter")
	tt.typ("nght")
	tt.wait("› nght")
	tt.press("enter", "ctrl+s")
	eventually(t, "the planned period is saved", func() bool { return len(f.detail("ann.active@example.com").AwayPeriods) == 2 })
	tt.wait("stand-in team:Night shift")
	d = f.detail("ann.active@example.com")
	must(t, len(d.AwayPeriods) == 2 && d.AwayPeriods[1].StandIn == "team:Night shift", "planned: %+v", d.AwayPeriods)
	must(t, d.AwayPeriods[1].Start.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.Local)), "planned start %v", d.AwayPeriods[1].Start)
	// Cancel the planned one: n first leaves it, and the screen answers
	// keys as before (it stayed "Saving…", deaf, after n); x asks again.
	tt.typ("jx")
	tt.wait("Cancel the period")
	tt.typ("n")
	tt.typ("x")
	tt.wait("Cancel the period")
	must(t, len(f.detail("ann.active@example.com").AwayPeriods) == 2, "n cancelled the period")
	tt.typ("y")
	eventually(t, "the planned period is cancelled", func() bool { return len(f.detail("ann.active@example.com").AwayPeriods) == 1 })
}

// Deactivate is offered beside delete.
func TestDeleteOffersDeactivate(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	tt := f.run(owner)
	tt.wait("Ann Active")
	tt.typ("d")
	tt.wait("Deactivate instead")
	tt.press("ctrl+x")
	tt.wait("Deactivate ann.active@example.com instead?")
	tt.typ("y")
	eventually(t, "ann deactivated", func() bool { return f.user("ann.active@example.com").Status == store.Deactivated })
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'ann.active@example.com'`) == 1, "nothing deleted")
}

// The Mail screen lists the outbox with states and channels and shows a
// message; links are never shown to the operator.
func TestMailListsOutbox(t *testing.T) {
	f := newFixture(t)
	f.invite("bob@example.com", "carl@example.com")
	f.exec(`UPDATE outbox SET state = 'failed', last_error = '550 5.1.1 no such user' WHERE recipient = 'carl@example.com'`)
	f.exec(`INSERT INTO outbox (channel, kind, recipient, locale, data, message_id, state, attempts, next_attempt_at, give_up_at,
		created_at, last_error, reply) VALUES ('sms', 'notice', '+33612345678', 'en', '{"body": "Acme: your away period ends tomorrow."}',
		'<sms@example.com>', 'failed', 1, 0, 0, 1772445600, 'the SMS provider answered 400 Bad Request', '{"code": 21211}')`)
	var data string
	if err := f.raw.QueryRow(`SELECT data FROM outbox WHERE recipient = 'bob@example.com'`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	token := data[strings.Index(data, "/invite/")+len("/invite/"):]
	token = token[:strings.IndexByte(token, '"')]
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("7")
	tt.wait("Via", "sms   +33612345678", "answered 400", "email carl@example.com", "failed", "550 5.1.1 no such user", "bob@example.com", "queued")
	tt.press("enter") // the SMS, the newest
	tt.wait("Channel", "sms", "Server reply", `{"code": 21211}`, "your away period ends tomorrow")
	tt.press("esc")
	tt.typ("j")
	tt.typ("j") // bob, the older one
	tt.press("enter")
	tt.wait("Message-ID", "bob@example.com", "invitation", "REDACTED")
	tt.press("esc")
	tt.typ("f") // queued only
	tt.wait("state queued · 1 shown")
	tt.typ("f")
	tt.typ("f")
	tt.typ("f")
	tt.typ("f") // failed
	// At 80 columns every column still shows, the channel whole.
	tt.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 40})
	tt.wait("state failed · 2 shown", "sms   +33612345678", "email carl@example.com")
	for _, l := range strings.Split(tt.last(), "\n") {
		must(t, lipgloss.Width(l) <= 80, "a line wider than 80 columns: %q", l)
	}
	tt.press("ctrl+c")
	out := readAll(tt)
	must(t, !strings.Contains(out, token), "the link's token was drawn")
}

// The Audit screen lists changes newest first and filters by user.
func TestAuditFilterByUser(t *testing.T) {
	f := newFixture(t)
	f.invite("bob@example.com")
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	if err := f.svc.Deactivate(f.ctx, f.op, "ann.active@example.com"); err != nil {
		t.Fatal(err)
	}
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("8")
	tt.wait("user.deactivate", "user.invite", "account.init")
	tt.typ("f")
	tt.typ("bob@example.com")
	tt.press("enter")
	tt.wait("user bob@example.com")
	entries, _ := f.svc.Audit(f.ctx, f.op, store.AuditQuery{Target: "bob@example.com"})
	must(t, len(entries) == 1 && entries[0].Action == "user.invite", "bob's entries: %v", entries)
	tt.press("enter")
	tt.wait("Change", "user.invite", "After")
}

// Quitting with unsaved changes asks first.
func TestQuitAsksWithUnsavedChanges(t *testing.T) {
	f := newFixture(t)
	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("2")
	tt.typ("someone")
	tt.press("tab", "tab")
	tt.typ("someone@example.com")
	tt.press("ctrl+c")
	tt.wait("unsaved changes. Quit anyway?")
	tt.typ("n")
	tt.wait("ctrl+s invite 1")
	tt.press("esc")
	tt.wait("enter fill in the form")
	tt.typ("q")
	tt.wait("unsaved changes. Quit anyway?")
	tt.typ("y")
	tt.tm.WaitFinished(t, teatestFinal())
}
