package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"roster/store"
)

// A selection by filter is the users the listing with that filter shows,
// each once (a search meets a user once per key), counted as listed.
func TestSelectUsersByFilter(t *testing.T) {
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Ventes"))
	want := map[string]bool{}
	for i, c := range []struct {
		status store.Status
		team   string
	}{{store.Invited, "Support"}, {store.Invited, "Support"}, {store.Invited, "Ventes"}, {store.Active, "Support"}, {store.Invited, ""}} {
		e := fmt.Sprintf("marc.martin%d@example.com", i)
		f.addUser(e, "member", c.status)
		if c.team != "" {
			_, err := f.svc.Edit(f.ctx, f.owner, e, 0, Profile{AddTeams: []string{c.team}})
			must(t, err)
		}
		if c.status == store.Invited && c.team == "Support" {
			want[e] = true
		}
	}
	check := func(lq store.ListQuery, want map[string]bool) {
		t.Helper()
		ids, err := f.svc.SelectUsers(f.ctx, f.owner, lq)
		must(t, err)
		var got, exp []string
		for _, id := range ids {
			u, err := f.st.Read().UserByID(f.ctx, id, f.now())
			must(t, err)
			got = append(got, u.Email)
		}
		for e := range want {
			exp = append(exp, e)
		}
		slices.Sort(got)
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("%+v selects %v, want %v", lq, got, exp)
		}
		n, err := f.svc.CountUsers(f.ctx, f.owner, lq)
		must(t, err)
		if n != len(want) {
			t.Errorf("%+v counts %d, want %d", lq, n, len(want))
		}
	}
	check(store.ListQuery{Status: "invited", Team: "Support"}, want)
	// "marc" starts both the address and the first name of each.
	all := map[string]bool{}
	for i := range 5 {
		all[fmt.Sprintf("marc.martin%d@example.com", i)] = true
	}
	check(store.ListQuery{Search: "marc"}, all)
	check(store.ListQuery{Search: "marc", Status: "active", Team: "Support"}, map[string]bool{"marc.martin3@example.com": true})
	var in *InputError
	if _, err := f.svc.SelectUsers(f.ctx, f.owner, store.ListQuery{Status: "asleep"}); !errors.As(err, &in) || in.Field != "status" {
		t.Errorf("an unknown status: %v, want the status refused", err)
	}
}

// Every bulk act applies each user's rules as acting on them alone does:
// the refused users are reported with their reason and left as they were,
// the others are changed, each with its audit row.
func TestBulkActsApplyEveryRule(t *testing.T) {
	const (
		admin1  = "adam.admin@example.com"
		admin2  = "alba.admin@example.com"
		manager = "maya.manager@example.com"
		member  = "mona.member@example.com"
		member2 = "mael.member@example.com"
		owner2  = "oscar.owner@example.com"
		gone    = "gone.deactivated@example.com"
		ghost   = "nobody@example.com"
	)
	cases := []struct {
		name  string
		as    string
		batch UserBatch
		setup func(f *fixture)
		users []string
		// refused maps a user to words of their refusal; the others are
		// done. Words that say the user is already as the act leaves them
		// ("already…", "not in…") are an Outcome.Unchanged, not a failure.
		refused map[string]string
		done    func(f *fixture, email string) bool
		audit   string
	}{
		{
			name: "an admin makes members", as: admin1, batch: UserBatch{Act: ChangeRole, Role: "member"},
			users: []string{manager, member, admin2, ownerEmail, ghost},
			refused: map[string]string{member: "already a member", ownerEmail: "only an owner",
				ghost: "not found"},
			done:  func(f *fixture, e string) bool { return f.user(e).Role == "member" },
			audit: "user.perms",
		},
		{
			name: "a manager cannot act above themselves", as: manager, batch: UserBatch{Act: ChangeRole, Role: "member"},
			users:   []string{admin1, member2},
			refused: map[string]string{admin1: "users.permissions", member2: "users.permissions"},
			done:    func(f *fixture, e string) bool { return f.user(e).Role == "member" },
			audit:   "user.perms",
		},
		{
			name: "the last owner stays", as: ownerEmail, batch: UserBatch{Act: ChangeRole, Role: "admin"},
			setup: func(f *fixture) { f.addUser(owner2, "owner", store.Active) },
			users: []string{owner2, ownerEmail},
			// The first is demoted; the second is then the last owner.
			refused: map[string]string{ownerEmail: "last active owner"},
			done:    func(f *fixture, e string) bool { return f.user(e).Role == "admin" },
			audit:   "user.perms",
		},
		{
			name: "deactivate", as: admin1, batch: UserBatch{Act: DeactivateUsers},
			users:   []string{member, admin1, gone, ownerEmail, manager},
			refused: map[string]string{admin1: "yourself", gone: "already deactivated", ownerEmail: "only an owner"},
			done:    func(f *fixture, e string) bool { return f.user(e).Status == store.Deactivated },
			audit:   "user.deactivate",
		},
		{
			name: "reactivate", as: admin1, batch: UserBatch{Act: ReactivateUsers},
			// Reactivated, someone who never accepted is invited again: the
			// same act run again leaves them so, no failure.
			setup: func(f *fixture) {
				f.invite(invitee, "")
				must(f.t, f.svc.Deactivate(f.ctx, f.owner, invitee))
				must(f.t, f.svc.Reactivate(f.ctx, f.owner, invitee))
			},
			users:   []string{gone, member, invitee},
			refused: map[string]string{member: "already active", invitee: "already invited"},
			done:    func(f *fixture, e string) bool { return f.user(e).Status == store.Active },
			audit:   "user.reactivate",
		},
		{
			name: "join a team", as: manager, batch: UserBatch{Act: JoinTeam, Team: "support"},
			setup: func(f *fixture) {
				_, err := f.svc.Edit(f.ctx, f.owner, member2, 0, Profile{AddTeams: []string{"Support"}})
				must(f.t, err)
			},
			users:   []string{member, member2, admin1, manager},
			refused: map[string]string{member2: "already in Support", admin1: "a manager cannot edit an admin"},
			done:    func(f *fixture, e string) bool { return slices.Contains(f.user(e).Teams, "Support") },
			audit:   "user.edit",
		},
		{
			name: "leave a team", as: admin1, batch: UserBatch{Act: LeaveTeam, Team: "Support"},
			setup: func(f *fixture) {
				_, err := f.svc.Edit(f.ctx, f.owner, member2, 0, Profile{AddTeams: []string{"Support", "Ventes"}})
				must(f.t, err)
			},
			users:   []string{member2, member},
			refused: map[string]string{member: "not in Support"},
			done: func(f *fixture, e string) bool {
				return !slices.Contains(f.user(e).Teams, "Support") && slices.Contains(f.user(e).Teams, "Ventes")
			},
			audit: "user.edit",
		},
		{
			name: "join a branch", as: manager, batch: UserBatch{Act: JoinBranch, Branch: "lyon"},
			setup: func(f *fixture) {
				_, err := f.svc.Edit(f.ctx, f.owner, member2, 0, Profile{AddBranches: []string{"Lyon"}})
				must(f.t, err)
			},
			users:   []string{member, member2, admin1},
			refused: map[string]string{member2: "already in Lyon", admin1: "a manager cannot edit an admin"},
			done: func(f *fixture, e string) bool {
				return slices.Contains(f.user(e).Branches, "Lyon") && len(f.user(e).Teams) == 0
			},
			audit: "user.edit",
		},
		{
			name: "leave a branch", as: admin1, batch: UserBatch{Act: LeaveBranch, Branch: "Lyon"},
			setup: func(f *fixture) {
				_, err := f.svc.Edit(f.ctx, f.owner, member2, 0, Profile{AddBranches: []string{"Lyon", "Paris"}, AddTeams: []string{"Support"}})
				must(f.t, err)
			},
			users:   []string{member2, member},
			refused: map[string]string{member: "not in Lyon"},
			done: func(f *fixture, e string) bool {
				u := f.user(e)
				return !slices.Contains(u.Branches, "Lyon") && slices.Contains(u.Branches, "Paris") && slices.Contains(u.Teams, "Support")
			},
			audit: "user.edit",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Ventes"))
			for _, b := range []string{"Lyon", "Paris"} {
				must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: b}))
			}
			f.addUser(admin1, "admin", store.Active)
			f.addUser(admin2, "admin", store.Active)
			f.addUser(manager, "manager", store.Active)
			f.addUser(member, "member", store.Active)
			f.addUser(member2, "member", store.Active)
			f.addUser(gone, "member", store.Deactivated)
			if c.setup != nil {
				c.setup(f)
			}
			before := map[string]string{}
			for _, e := range c.users {
				if f.exists(e) {
					before[e] = fmt.Sprint(*f.user(e))
				}
			}
			audits := len(f.audits(c.audit))
			b := c.batch
			b.Emails = c.users
			out, err := f.svc.ActOnUsers(f.ctx, as(c.as), b)
			must(t, err)
			if len(out) != len(c.users) {
				t.Fatalf("%d outcomes for %d users", len(out), len(c.users))
			}
			done := 0
			for i, o := range out {
				e := c.users[i]
				if !strings.EqualFold(o.Email, e) {
					t.Errorf("outcome %d is %s, want %s", i, o.Email, e)
				}
				why, refused := c.refused[e]
				same := refused && (strings.HasPrefix(why, "already") || strings.HasPrefix(why, "not in"))
				switch {
				case same && (o.Err != nil || !strings.Contains(o.Unchanged.String(), why)):
					t.Errorf("%s: %v, unchanged %q; want unchanged (%s), no failure", e, o.Err, o.Unchanged, why)
				case same && fmt.Sprint(*f.user(e)) != before[e]:
					t.Errorf("%s was unchanged yet changed", e)
				case same:
				case refused && o.Err == nil:
					t.Errorf("%s: done, want refused (%s)", e, why)
				case refused && !strings.Contains(o.Err.Error(), why):
					t.Errorf("%s: refused with %q, want %q", e, o.Err, why)
				case refused && !refusal(o.Err):
					t.Errorf("%s: %T is not a typed refusal", e, o.Err)
				case refused && f.exists(e) && fmt.Sprint(*f.user(e)) != before[e]:
					t.Errorf("%s was refused yet changed", e)
				case !refused && o.Err != nil:
					t.Errorf("%s: %v", e, o.Err)
				case !refused && !c.done(f, e):
					t.Errorf("%s: reported done, not done", e)
				}
				if o.Err == nil && o.Unchanged.Key == "" {
					done++
				}
			}
			if n := len(f.audits(c.audit)) - audits; n != done {
				t.Errorf("%d %s audit rows for %d users done", n, c.audit, done)
			}
		})
	}
}

// An act's team or role is checked before any user: an unknown one changes
// nobody.
func TestBulkActRefusesUnknownTeamOrRole(t *testing.T) {
	f := newFixture(t)
	f.addUser("mona.member@example.com", "member", store.Active)
	before := f.snapshot()
	for _, b := range []UserBatch{{Act: JoinTeam, Team: "Nowhere"}, {Act: JoinBranch, Branch: "Nowhere"}, {Act: ChangeRole, Role: "emperor"}} {
		b.Emails = []string{"mona.member@example.com"}
		out, err := f.svc.ActOnUsers(f.ctx, f.owner, b)
		var ie *InputError
		if !errors.As(err, &ie) || out != nil {
			t.Errorf("%+v: %v, %v; want an input error and no outcome", b, out, err)
		}
	}
	f.unchanged(before)
}

// A bulk act over a selection by filter, cancelled after its first batch,
// leaves each user done whole (team and audit row) or not at all.
func TestBulkJoinTeamCancelled(t *testing.T) {
	n := 250
	defer func(rows int) { bulkBatchRows = rows }(bulkBatchRows)
	bulkBatchRows = 100
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	_, err := f.svc.Import(f.ctx, f.owner, importRows(n+2), InviteOptions{})
	must(t, err)
	ids, err := f.svc.SelectUsers(f.ctx, f.owner, store.ListQuery{Status: "invited"})
	must(t, err)
	if len(ids) != n {
		t.Fatalf("%d invited selected, want %d", len(ids), n)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var steps []int
	out, err := f.svc.ActOnUsers(ctx, f.owner, UserBatch{Act: JoinTeam, Team: "Support", IDs: ids,
		Progress: func(done, total int) {
			if total != n {
				t.Errorf("progress of %d, want %d", total, n)
			}
			steps = append(steps, done)
			if done > 0 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want cancelled", err)
	}
	if len(steps) < 2 || steps[1] == 0 || steps[1] >= n {
		t.Fatalf("progress %v: want a first batch short of %d", steps, n)
	}
	done := 0
	for _, o := range out {
		u, err := f.st.Read().UserByID(f.ctx, o.ID, f.now())
		must(t, err)
		in := slices.Contains(u.Teams, "Support")
		var nd *NotDoneError
		switch {
		case o.Err == nil && !in:
			t.Fatalf("%s reported done, not in the team", o.Email)
		case o.Err != nil && (in || !errors.As(o.Err, &nd)):
			t.Fatalf("%s: %v, in the team: %v", o.Email, o.Err, in)
		}
		if o.Err == nil {
			done++
		}
	}
	if done != steps[1] {
		t.Errorf("%d done, progress said %d", done, steps[1])
	}
	if got := len(f.audits("user.edit")); got != done {
		t.Errorf("%d audit rows for %d done", got, done)
	}
}

// A user selected by filter and gone before the act reaches them is
// reported as such; the others are done.
func TestBulkByIDUserGoneSince(t *testing.T) {
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	f.addUser("ann.a@example.com", "member", store.Invited)
	f.addUser("bob.b@example.com", "member", store.Invited)
	ids, err := f.svc.SelectUsers(f.ctx, f.owner, store.ListQuery{Status: "invited"})
	must(t, err)
	must(t, f.svc.Revoke(f.ctx, f.owner, []string{"ann.a@example.com"})[0].Err)
	out, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: JoinTeam, Team: "Support", IDs: ids})
	must(t, err)
	var nf *NotFoundError
	if len(out) != 2 || !errors.As(out[0].Err, &nf) || !strings.Contains(nf.What, "deleted since") || out[1].Err != nil ||
		out[1].Email != "bob.b@example.com" {
		t.Fatalf("outcomes %+v", out)
	}
	if !slices.Contains(f.user("bob.b@example.com").Teams, "Support") {
		t.Error("bob was not added")
	}
}
