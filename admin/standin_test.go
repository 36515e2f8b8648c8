package admin

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Choosing a stand-in who cannot take the work now warns, naming where the
// work would go and why; routing agrees once the period is set. A team
// warns when none of its active members can take the work.
func TestStandInWarning(t *testing.T) {
	const (
		ada  = "ada.away@example.com"
		ben  = "ben@example.com"
		cleo = "cleo@example.com"
		dan  = "dan.deactivated@example.com"
	)
	cases := []struct {
		name        string
		setup       func(f *fixture)
		standIn     string
		to, why     string // to "": no warning
		stayWithAda bool
	}{
		{"present and active", func(f *fixture) {}, ben, "", "", false},
		{"deactivated", func(f *fixture) {}, dan, ada, "dan.deactivated@example.com is deactivated", true},
		{"away with a stand-in", func(f *fixture) { f.away(ben, cleo) }, ben, cleo, "ben@example.com is away until", false},
		{"away with nobody", func(f *fixture) { f.away(ben, "") }, ben, ada, "with no stand-in", true},
		{"away with an empty team", func(f *fixture) { f.away(ben, "team:Support") }, ben, ada,
			"standing in team:Support; team:Support has no active member", true},
		{"away with a team someone in it takes", func(f *fixture) { f.join(cleo); f.away(ben, "team:Support") }, ben, cleo,
			"ben@example.com is away until", false},
		{"a cycle", func(f *fixture) { f.away(ben, cleo); f.away(cleo, ada) }, ben, ada, "standing in ada.away@example.com: a cycle", true},
		{"a team with someone present", func(f *fixture) { f.join(ben, cleo); f.away(ben, "") }, "team:Support", "", "", false},
		{"a team of inactive members", func(f *fixture) { f.join(dan) }, "team:support", ada, "team:Support has no active member", true},
		{"a team all away", func(f *fixture) { f.join(ben, cleo); f.away(ben, ""); f.away(cleo, "") }, "team:Support", ada,
			"team:Support has nobody to take it (ben@example.com is away, cleo@example.com is away)", true},
		{"a team that leads back to the one away", func(f *fixture) { f.join(ada, ben); f.away(ben, "") }, "team:Support", ada,
			"is the one away", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			for _, e := range []string{ada, ben, cleo} {
				f.addUser(e, "member", store.Active)
			}
			f.addUser(dan, "member", store.Deactivated)
			c.setup(f)
			r, err := f.svc.StandInWarning(f.ctx, f.owner, ada, AwayRequest{StandIn: c.standIn})
			must(t, err)
			if c.to == "" {
				if r != nil {
					t.Fatalf("warning %v, want none", r)
				}
				return
			}
			if r == nil || r.To != c.to || !strings.Contains(r.Why, c.why) || !strings.EqualFold(r.StandIn, c.standIn) {
				t.Fatalf("warning %+v, want work to %s because %q", r, c.to, c.why)
			}
			if stay := strings.Contains(r.String(), "would stay with "+ada+", who is away"); stay != c.stayWithAda {
				t.Fatalf("%q", r.String())
			}
			if c.standIn == dan {
				return
			}
			// Routing, once ada is away with that stand-in, sends the work where the warning said.
			f.away(ada, c.standIn)
			got, err := f.svc.Route(f.ctx, f.owner, ada)
			must(t, err)
			if got.Email != c.to {
				t.Fatalf("work routed to %s, warned %s", got.Email, c.to)
			}
		})
	}
	f := newFixture(t)
	f.addUser(ada, "member", store.Active)
	_, err := f.svc.StandInWarning(f.ctx, f.owner, ada, AwayRequest{StandIn: ada})
	wantInput(t, err, "stand-in", "cannot be the person who is away")
	_, err = f.svc.StandInWarning(f.ctx, f.owner, ada, AwayRequest{StandIn: "team:Nowhere"})
	wantInput(t, err, "stand-in", `team "Nowhere" does not exist`)
}

// join puts the users in the team Support.
func (f *fixture) join(emails ...string) {
	f.t.Helper()
	for _, e := range emails {
		_, err := f.svc.Edit(f.ctx, f.owner, e, 0, Profile{AddTeams: []string{"Support"}})
		must(f.t, err)
	}
}

// away sets email away from now for a week with standIn.
func (f *fixture) away(email, standIn string) {
	f.t.Helper()
	_, err := f.svc.SetAway(f.ctx, f.owner, email, AwayRequest{Until: f.now().Add(7 * 24 * time.Hour), StandIn: standIn})
	must(f.t, err)
}

// The warning follows the work when the period is, not now: a stand-in
// away today but back before a planned leave warns of nothing, and one
// present today warns of a leave of their own at the same time, or one
// that starts in the middle of the period, saying from when.
func TestStandInWarningWhenThePeriodIs(t *testing.T) {
	const (
		ada  = "ada.away@example.com"
		ben  = "ben@example.com"
		cleo = "cleo@example.com"
	)
	leave := AwayRequest{From: start.Add(10 * day24), Until: start.Add(15 * day24), StandIn: ben}
	cases := []struct {
		name        string
		ben         AwayRequest // ben's own leave
		from        time.Time   // zero: no warning
		to, why     string
		stayWithAda bool
	}{
		{"ben away now, back before ada leaves", AwayRequest{Until: start.Add(3 * day24)}, time.Time{}, "", "", false},
		{"ben away from the day ada leaves", AwayRequest{From: start.Add(10 * day24), Until: start.Add(12 * day24)}, start.Add(10 * day24), ada,
			"ben@example.com is away until " + day(start.Add(12*day24)) + " with no stand-in", true},
		{"ben away already when ada leaves", AwayRequest{From: start.Add(8 * day24), Until: start.Add(11 * day24), StandIn: cleo}, start.Add(10 * day24), cleo,
			"ben@example.com is away until", false},
		{"ben leaves in the middle", AwayRequest{From: start.Add(13 * day24), Until: start.Add(20 * day24), StandIn: cleo}, start.Add(13 * day24), cleo,
			"ben@example.com is away until " + day(start.Add(20*day24)), false},
		{"ben leaves the day ada is back", AwayRequest{From: start.Add(15 * day24), Until: start.Add(20 * day24)}, time.Time{}, "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for _, e := range []string{ada, ben, cleo} {
				f.addUser(e, "member", store.Active)
			}
			_, err := f.svc.SetAway(f.ctx, f.owner, ben, c.ben)
			must(t, err)
			r, err := f.svc.StandInWarning(f.ctx, f.owner, ada, leave)
			must(t, err)
			if c.from.IsZero() {
				if r != nil {
					t.Fatalf("warning %v, want none", r)
				}
				return
			}
			if r == nil || !r.From.Equal(c.from) || r.To != c.to || !strings.Contains(r.Why, c.why) {
				t.Fatalf("warning %+v, want from %v work to %s because %q", r, c.from, c.to, c.why)
			}
			said := "warning: from " + day(c.from) + ", "
			if stay := strings.Contains(r.String(), "would stay with "+ada+", who is away"); !strings.HasPrefix(r.String(), said) || stay != c.stayWithAda {
				t.Fatalf("%q", r.String())
			}
			// Routing, once ada is away then with that stand-in, sends the work where the warning said.
			_, err = f.svc.SetAway(f.ctx, f.owner, ada, leave)
			must(t, err)
			f.clock.Store(c.from.Unix())
			got, err := f.svc.Route(f.ctx, f.owner, ada)
			must(t, err)
			if got.Email != c.to {
				t.Fatalf("work routed to %s, warned %s", got.Email, c.to)
			}
		})
	}
}

// Removing a team or a branch changes the stand-in of the away periods that
// name it, each written on the away person's audit trail in the same
// transaction, which the removal fails with if it cannot be.
func TestRemovingAStandInTeamOrBranchIsAudited(t *testing.T) {
	const (
		ada = "ada.away@example.com"
		bea = "bea.later@example.com"
		ben = "ben@example.com"
	)
	f := newFixture(t)
	for _, e := range []string{ada, bea, ben} {
		f.addUser(e, "member", store.Active)
	}
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Night"))
	must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Lyon"}))
	must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Paris"}))
	pa, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{Until: start.Add(7 * day24), StandIn: "team:Night"})
	must(t, err)
	pb, err := f.svc.SetAway(f.ctx, f.owner, bea, AwayRequest{From: start.Add(10 * day24), Until: start.Add(12 * day24), StandIn: "team:Support@Lyon"})
	must(t, err)
	pc, err := f.svc.SetAway(f.ctx, f.owner, ben, AwayRequest{From: start.Add(20 * day24), Until: start.Add(22 * day24), StandIn: "team:Night"})
	must(t, err)

	before := f.snapshot()
	restore := f.refuseAuditWhere("NEW.action = 'away.standin'", "refused by the test")
	if err := f.svc.RemoveTeam(f.ctx, f.owner, "Night"); err == nil {
		t.Fatal("removed the team without auditing its periods")
	}
	f.unchanged(before)
	restore()

	must(t, f.svc.RemoveTeam(f.ctx, f.owner, "Night"))
	must(t, f.svc.RemoveBranch(f.ctx, f.owner, "Lyon", "Paris"))
	var got []string
	for _, e := range f.audits("away.standin") {
		got = append(got, e.Target+" "+e.Before+" "+e.After)
	}
	entry := func(who string, id int64, was, is, why string) string {
		return fmt.Sprintf(`%[1]s {"period_id":%[2]d,"standin":"%[3]s"} {"period_id":%[2]d,"standin":"%[4]s","why":"%[5]s"}`, who, id, was, is, why)
	}
	want := []string{
		entry(ada, pa.ID, "team:Night", "", "the team was removed"),
		entry(ben, pc.ID, "team:Night", "", "the team was removed"),
		entry(bea, pb.ID, "team:Support@Lyon", "team:Support@Paris", "the branch was removed"),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audited\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
