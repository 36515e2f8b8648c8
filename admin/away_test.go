package admin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"roster/store"
)

const day24 = 24 * time.Hour

// Away is derived from periods: it starts and ends by itself as time passes.
func TestAwayPeriods(t *testing.T) {
	const ada = "ada.active@example.com"
	away := func(f *fixture) bool { t.Helper(); return f.user(ada).Away }
	listedAway := func(f *fixture) bool {
		t.Helper()
		p, err := f.svc.ListUsers(f.ctx, f.owner, store.ListQuery{Status: "away"})
		must(t, err)
		return len(p.Users) == 1 && p.Users[0].Email == ada
	}

	t.Run("the return date ends it by itself", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(ada, "member", store.Active)
		back := start.Add(3 * day24)
		p, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{Until: back, Note: "Congés"})
		must(t, err)
		// The period, as returned and as audited, says who is away.
		if a := f.audits("away.set"); p.Email != ada || len(a) != 1 || !strings.Contains(a[0].After, `"email":"`+ada+`"`) {
			t.Fatalf("period %+v, audited %+v", p, a)
		}
		if u := f.user(ada); !u.Away || !u.AwayUntil.Equal(back) || !listedAway(f) {
			t.Fatalf("away %v until %v", u.Away, u.AwayUntil)
		}
		f.clock.Store(back.Add(-time.Second).Unix())
		if !away(f) {
			t.Fatal("back a second early")
		}
		f.clock.Store(back.Unix())
		if away(f) || listedAway(f) {
			t.Fatal("still away on the return date")
		}
	})
	t.Run("planned ahead", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(ada, "member", store.Active)
		from, until := start.Add(10*day24), start.Add(12*day24)
		p, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{From: from, Until: until})
		must(t, err)
		if !p.Start.Equal(from) || away(f) {
			t.Fatalf("planned period %+v; away now: %v", p, away(f))
		}
		f.clock.Store(from.Unix())
		if !away(f) || !listedAway(f) {
			t.Fatal("not away when the leave starts")
		}
		f.clock.Store(until.Unix())
		if away(f) {
			t.Fatal("away after the leave")
		}
	})
	t.Run("until further notice, then back", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(ada, "member", store.Active)
		_, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{})
		must(t, err)
		f.advance(300 * day24)
		if u := f.user(ada); !u.Away || !u.AwayUntil.IsZero() {
			t.Fatalf("away %v until %v", u.Away, u.AwayUntil)
		}
		must(t, f.svc.EndAway(f.ctx, f.owner, ada))
		if away(f) {
			t.Fatal("still away")
		}
		if err := f.svc.EndAway(f.ctx, f.owner, ada); err == nil {
			t.Fatal("ended an away period twice")
		}
	})
	t.Run("a planned leave can be cancelled and survives coming back", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(ada, "member", store.Active)
		_, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{Until: start.Add(day24)})
		must(t, err)
		leave, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{From: start.Add(5 * day24), Until: start.Add(8 * day24)})
		must(t, err)
		must(t, f.svc.EndAway(f.ctx, f.owner, ada))
		f.clock.Store(start.Add(6 * day24).Unix())
		if !away(f) {
			t.Fatal("coming back early cancelled the planned leave")
		}
		f.clock.Store(start.Unix())
		must(t, f.svc.CancelAway(f.ctx, f.owner, ada, leave.ID))
		f.clock.Store(start.Add(6 * day24).Unix())
		if away(f) {
			t.Fatal("cancelled leave still applies")
		}
	})

	cases := []struct {
		name        string
		existing    [2]time.Duration // from, until after start; until 0: further notice
		from, until time.Duration
		ok          bool
		field       string
	}{
		{"overlapping the end", [2]time.Duration{10 * day24, 12 * day24}, 11 * day24, 13 * day24, false, "period"},
		{"overlapping the start", [2]time.Duration{10 * day24, 12 * day24}, 9 * day24, 11 * day24, false, "period"},
		{"inside", [2]time.Duration{10 * day24, 12 * day24}, 10*day24 + time.Hour, 11 * day24, false, "period"},
		{"around", [2]time.Duration{10 * day24, 12 * day24}, 9 * day24, 13 * day24, false, "period"},
		{"open-ended after an open-ended one", [2]time.Duration{10 * day24, 0}, 40 * day24, 0, false, "period"},
		{"right after", [2]time.Duration{10 * day24, 12 * day24}, 12 * day24, 14 * day24, true, ""},
		{"right before", [2]time.Duration{10 * day24, 12 * day24}, 8 * day24, 10 * day24, true, ""},
		{"return before leaving", [2]time.Duration{10 * day24, 12 * day24}, 20 * day24, 19 * day24, false, "until"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(ada, "member", store.Active)
			r := AwayRequest{From: start.Add(c.existing[0])}
			if c.existing[1] != 0 {
				r.Until = start.Add(c.existing[1])
			}
			_, err := f.svc.SetAway(f.ctx, f.owner, ada, r)
			must(t, err)
			before := f.snapshot()
			r = AwayRequest{From: start.Add(c.from)}
			if c.until != 0 {
				r.Until = start.Add(c.until)
			}
			_, err = f.svc.SetAway(f.ctx, f.owner, ada, r)
			if c.ok {
				must(t, err)
				return
			}
			wantInput(t, err, c.field, "")
			f.unchanged(before)
		})
	}
}

// A stand-in is told by mail when the period starts.
func TestAwayStandInNotice(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada.active@example.com", "member", store.Active)
	f.addUser("ben.standin@example.com", "member", store.Active)
	f.addUser("dan.gone@example.com", "member", store.Deactivated)
	from := start.Add(3 * day24)
	_, err := f.svc.SetAway(f.ctx, f.owner, "ada.active@example.com", AwayRequest{From: from, Until: from.Add(day24), StandIn: "ben.standin@example.com", Note: "Salon à Lyon"})
	must(t, err)
	kind, state, data := f.mail("ben.standin@example.com")
	if kind != store.MailStandInNotice || state != "queued" || data.AwayEmail != "ada.active@example.com" || data.Note != "Salon à Lyon" || !data.AwayFrom.Equal(from) {
		t.Fatalf("notice %s %s %+v", kind, state, data)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE next_attempt_at = ?`, from.Unix()); n != 1 {
		t.Fatal("the notice is not held until the period starts")
	}
	before := f.snapshot()
	for _, bad := range []string{"dan.gone@example.com", "ada.active@example.com", "nobody@example.com", "team:Nowhere"} {
		_, err := f.svc.SetAway(f.ctx, f.owner, "ada.active@example.com", AwayRequest{From: start.Add(20 * day24), StandIn: bad})
		wantInput(t, err, "stand-in", "")
	}
	f.unchanged(before)
}

// New work for an away user goes to their stand-in, following chains, skipping
// stand-ins who are away, stopping at cycles; a team stand-in gives it to the
// active member with the fewest open conversations.
func TestRouting(t *testing.T) {
	type away struct{ who, standIn string }
	cases := []struct {
		name string
		away []away
		want string
	}{
		{"not away", nil, "a"},
		{"away, to a stand-in", []away{{"a", "b"}}, "b"},
		{"away with nobody named", []away{{"a", ""}}, "a"},
		{"chain past an away stand-in", []away{{"a", "b"}, {"b", "c"}}, "c"},
		{"longer chain", []away{{"a", "b"}, {"b", "c"}, {"c", "d"}}, "d"},
		{"cycle of two", []away{{"a", "b"}, {"b", "a"}}, "a"},
		{"cycle of three", []away{{"a", "b"}, {"b", "c"}, {"c", "a"}}, "a"},
		{"cycle not through the first", []away{{"a", "b"}, {"b", "c"}, {"c", "b"}}, "a"},
		{"to a team: fewest open conversations", []away{{"a", "team:Support"}}, "t3"},
		{"to a team, its best member away", []away{{"a", "team:Support"}, {"t3", ""}}, "t1"},
		{"to a team whose best member is away with a stand-in", []away{{"a", "team:Support"}, {"t3", "b"}}, "t1"},
		{"to a stand-in away to a team", []away{{"a", "b"}, {"b", "team:Support"}}, "t3"},
		// t1 and t2 work in Lyon, t3 and t4 in Paris: the team in Lyon is
		// never given to t3, the team's least loaded.
		{"to a team in a branch: its least loaded there", []away{{"a", "team:Support@Lyon"}}, "t1"},
		{"to a team in a branch, any case", []away{{"a", "team:support@PARIS"}}, "t3"},
		{"to a team in a branch, its best there away", []away{{"a", "team:Support@Lyon"}, {"t1", ""}}, "t2"},
		{"to a team in a branch all away", []away{{"a", "team:Support@Lyon"}, {"t1", ""}, {"t2", "t3"}}, "a"},
	}
	email := func(n string) string { return n + "@example.com" }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for _, n := range []string{"a", "b", "c", "d", "t1", "t2", "t3", "t4"} {
				f.addUser(email(n), "member", store.Active)
			}
			f.addUser(email("t0"), "member", store.Deactivated)
			f.addUser(email("t5"), "member", store.Invited)
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Lyon"}))
			must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Paris"}))
			branch := map[string]string{"t0": "Lyon", "t1": "Lyon", "t2": "Lyon", "t3": "Paris", "t4": "Paris", "t5": "Lyon"}
			// Open conversations: t0 0 (deactivated), t1 2, t2 3, t3 1 (and 4 closed), t4 2, t5 0 (invited).
			open := map[string]int{"t1": 2, "t2": 3, "t3": 1, "t4": 2}
			must(t, f.st.Write(f.ctx, func(q *store.Q) error {
				for _, n := range []string{"t0", "t1", "t2", "t3", "t4", "t5"} {
					u, err := q.UserByEmail(f.ctx, email(n), f.now())
					if err != nil {
						return err
					}
					u.Teams, u.Branches = []string{"Support"}, []string{branch[n]}
					if err := q.UpdateUser(f.ctx, u, u.Version); err != nil {
						return err
					}
					for range open[n] {
						if _, err := q.InsertConversation(f.ctx, "open", u.ID, f.now()); err != nil {
							return err
						}
					}
				}
				t3, _ := q.UserByEmail(f.ctx, email("t3"), f.now())
				for range 4 {
					if _, err := q.InsertConversation(f.ctx, "closed", t3.ID, f.now()); err != nil {
						return err
					}
				}
				return nil
			}))
			f.exec(`UPDATE conversations SET status = 'closed' WHERE subject = 'closed'`)
			// Stand-ins are set while everyone is active, then their periods start.
			for _, a := range c.away {
				standIn := a.standIn
				if standIn != "" && !strings.HasPrefix(standIn, "team:") {
					standIn = email(standIn)
				}
				_, err := f.svc.SetAway(f.ctx, f.owner, email(a.who), AwayRequest{From: start.Add(time.Hour), StandIn: standIn})
				must(t, err)
			}
			f.advance(2 * time.Hour)
			u, err := f.svc.Route(f.ctx, f.owner, email("a"))
			must(t, err)
			if u.Email != email(c.want) {
				t.Fatalf("routed to %s, want %s", u.Email, email(c.want))
			}
			// Opening a conversation for a goes the same way.
			conv, err := f.svc.AddConversation(f.ctx, f.owner, "Devis n° 42", email("a"))
			must(t, err)
			if conv.Assignee != email(c.want) {
				t.Fatalf("conversation assigned to %s, want %s", conv.Assignee, email(c.want))
			}
			cs, err := f.svc.Conversations(f.ctx, f.owner, email(c.want))
			must(t, err)
			if cs[len(cs)-1].Subject != "Devis n° 42" {
				t.Fatalf("conversations of %s: %+v", c.want, cs)
			}
		})
	}
}

// New work goes to active users only: an invited or staged one would hold
// it unseen, and revoking their invitation then failed on the store's
// foreign key; a deactivated one is refused already.
func TestAddConversationNeedsAnActiveUser(t *testing.T) {
	f := newFixture(t)
	f.invite("ivy.invited@example.com", "member")
	f.addUser("sam.staged@example.com", "member", store.Staged)
	f.addUser("dan.gone@example.com", "member", store.Deactivated)
	before := f.snapshot()
	for email, status := range map[string]string{"ivy.invited@example.com": "invited", "sam.staged@example.com": "staged", "dan.gone@example.com": "deactivated"} {
		_, err := f.svc.AddConversation(f.ctx, f.owner, "Devis", email)
		var st *StateError
		if !errors.As(err, &st) || !strings.HasPrefix(st.Error(), email+" is "+status) {
			t.Fatalf("%s: %v, want a refusal", email, err)
		}
	}
	f.unchanged(before)
	out, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: RevokeInvitations, Emails: []string{"ivy.invited@example.com", "sam.staged@example.com"}})
	must(t, err)
	for _, o := range out {
		must(t, o.Err)
	}
}

// A planned leave's notices to its stand-in, by mail and by SMS, wait in
// the outbox for its start; cancelling the leave, ending it, or deleting
// the person away cancels them, and leaves another leave's alone. They
// went out at the start, telling the stand-in of work that would not come.
func TestStandInNoticesGoWithTheirLeave(t *testing.T) {
	const ada, ben, benPhone = "ada.active@example.com", "ben.standin@example.com", "+33612345678"
	f := newFixture(t)
	f.addUser(ada, "member", store.Active)
	f.addUser("cleo.active@example.com", "member", store.Active)
	f.addUser(ben, "member", store.Active)
	f.exec(`UPDATE users SET phone = ? WHERE email = ?`, benPhone, ben)
	_, err := f.svc.SetNotifyPrefs(f.ctx, as(ben), ben, 0, []string{"standin.start=email,sms"})
	must(t, err)
	queued := func(away string) int {
		t.Helper()
		n := 0
		for _, raw := range f.rows(`SELECT data FROM outbox WHERE state = 'queued' AND recipient IN (?, ?)`, ben, benPhone) {
			var d store.MailData
			must(t, json.Unmarshal([]byte(raw), &d))
			if d.AwayEmail == away {
				n++
			}
		}
		return n
	}
	leave := func(who string, from time.Time) *store.AwayPeriod {
		t.Helper()
		p, err := f.svc.SetAway(f.ctx, f.owner, who, AwayRequest{From: from, Until: from.Add(day24), StandIn: ben})
		must(t, err)
		return p
	}
	in3 := start.Add(3 * day24)
	p := leave(ada, in3)
	leave("cleo.active@example.com", in3) // the same days, the same stand-in: its notices stay
	if n := queued(ada); n != 2 {
		t.Fatalf("%d notices of ada's leave queued, want a mail and an SMS", n)
	}
	must(t, f.svc.CancelAway(f.ctx, f.owner, ada, p.ID))
	if n := queued(ada); n != 0 {
		t.Fatalf("%d notices of ada's cancelled leave still queued", n)
	}

	leave(ada, in3.Add(7*day24))
	f.advance(7*day24 + 3*day24 + time.Hour) // into the leave, its notices not sent (the relay is down)
	must(t, f.svc.EndAway(f.ctx, f.owner, ada))
	if n := queued(ada); n != 0 {
		t.Fatalf("%d notices of ada's ended leave still queued", n)
	}

	leave(ada, f.now().Add(day24))
	_, err = f.svc.Delete(f.ctx, f.owner, ada, DeleteRequest{})
	must(t, err)
	if n := queued(ada); n != 0 {
		t.Fatalf("%d notices of deleted ada's leave still queued", n)
	}
	if n := queued("cleo.active@example.com"); n != 2 {
		t.Fatalf("%d notices of cleo's leave queued, want her mail and SMS kept", n)
	}
}
