package admin

import (
	"errors"
	"testing"

	"roster/store"
)

// A branch is created with an optional address and IANA time zone; a bad or
// taken name or an unknown zone is refused and changes nothing; a manager
// without users.edit may not manage branches; every change is audited.
func TestAddBranch(t *testing.T) {
	cases := []struct {
		name  string
		b     store.Branch
		field string // "": added
		want  string
	}{
		{"name alone", store.Branch{Name: "Lyon"}, "", ""},
		{"address and zone", store.Branch{Name: " Lyon Part-Dieu ", Address: "5 place Charles Béraudier, 69003 Lyon", TimeZone: "Europe/Paris"}, "", ""},
		{"taken, in any case", store.Branch{Name: "PARIS"}, "branch", `"PARIS" already exists`},
		{"empty", store.Branch{Name: " "}, "branch", "is not empty"},
		{"a comma", store.Branch{Name: "Lyon, Villeurbanne"}, "branch", "no comma, colon, @ or |"},
		{"an @", store.Branch{Name: "Support@Lyon"}, "branch", "no comma, colon, @ or |"},
		{"a bar", store.Branch{Name: "Lyon|Paris"}, "branch", "no comma, colon, @ or |"},
		{"none", store.Branch{Name: "None"}, "branch", `not "none"`},
		{"unknown zone", store.Branch{Name: "Lyon", TimeZone: "Europe/Lyon"}, "timezone", `"Europe/Lyon" is not a time zone name`},
		{"Local", store.Branch{Name: "Lyon", TimeZone: "Local"}, "timezone", "is not a time zone name"},
		{"a long address", store.Branch{Name: "Lyon", Address: string(make([]byte, 201))}, "address", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Paris"}))
			before := f.snapshot()
			err := f.svc.AddBranch(f.ctx, f.owner, c.b)
			if c.field != "" {
				wantInput(t, err, c.field, c.want)
				f.unchanged(before)
				return
			}
			must(t, err)
			bs, err := f.svc.Branches(f.ctx, f.owner)
			must(t, err)
			if len(bs) != 2 || bs[0].Name != "Lyon"+map[bool]string{true: " Part-Dieu"}[c.b.Address != ""] ||
				bs[0].Address != c.b.Address || bs[0].TimeZone != c.b.TimeZone || bs[0].Members != 0 {
				t.Fatalf("branches %+v", bs)
			}
			if a := f.audits("branch.add"); len(a) != 2 || a[1].Actor != ownerEmail {
				t.Fatalf("audit: %+v", a)
			}
		})
	}
	f := newFixture(t)
	f.addUser("mia@example.com", "manager", store.Active, "users.invite")
	before := f.snapshot()
	wantDenied(t, f.svc.AddBranch(f.ctx, as("mia@example.com"), store.Branch{Name: "Lyon"}), "users.edit")
	wantDenied(t, f.svc.RemoveBranch(f.ctx, as("mia@example.com"), "Lyon", ""), "users.edit")
	f.unchanged(before)
}

// Users join and leave branches through Edit, as teams; the branch's count
// and the user's row follow in the same transaction; renaming a branch
// renames it on its members' rows and in the stand-ins that name it.
func TestBranchMembers(t *testing.T) {
	f := newFixture(t)
	for _, b := range []string{"Lyon", "Paris"} {
		must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: b}))
	}
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	const mia, abe = "mia@example.com", "abe@example.com"
	f.addUser(mia, "member", store.Active)
	f.addUser(abe, "member", store.Active)
	_, err := f.svc.Edit(f.ctx, f.owner, mia, 0, Profile{AddBranches: []string{"lyon", "Paris"}, AddTeams: []string{"Support"}})
	must(t, err)
	if got := f.user(mia).Branches; len(got) != 2 || got[0] != "Lyon" || got[1] != "Paris" {
		t.Fatalf("branches %q", got)
	}
	_, err = f.svc.Edit(f.ctx, f.owner, mia, 0, Profile{RemoveBranches: []string{"PARIS"}})
	must(t, err)
	if got := f.user(mia).Branches; len(got) != 1 || got[0] != "Lyon" {
		t.Fatalf("branches %q", got)
	}
	if a := f.audits("user.edit"); len(a) != 2 {
		t.Fatalf("audit %+v", a)
	}
	before := f.snapshot()
	_, err = f.svc.Edit(f.ctx, f.owner, mia, 0, Profile{AddBranches: []string{"Lille"}})
	wantInput(t, err, "branch", `"Lille" does not exist (roster branches add "Lille" creates it)`)
	f.unchanged(before)

	_, err = f.svc.SetAway(f.ctx, f.owner, abe, AwayRequest{StandIn: "team:Support@lyon"})
	must(t, err)
	must(t, f.svc.RenameBranch(f.ctx, f.owner, "Lyon", "Lyon Part-Dieu"))
	if got := f.user(mia).Branches; len(got) != 1 || got[0] != "Lyon Part-Dieu" {
		t.Fatalf("after the rename, branches %q", got)
	}
	ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(abe).ID, f.now())
	must(t, err)
	if len(ps) != 1 || ps[0].StandIn != "team:Support@Lyon Part-Dieu" {
		t.Fatalf("stand-in %+v", ps)
	}
	bs, err := f.svc.Branches(f.ctx, f.owner)
	must(t, err)
	if bs[0].Name != "Lyon Part-Dieu" || bs[0].Members != 1 || bs[1].Members != 0 {
		t.Fatalf("branches %+v", bs)
	}
	if a := f.audits("branch.edit"); len(a) != 1 {
		t.Fatalf("audit %+v", a)
	}
	_, err = f.svc.SetAway(f.ctx, f.owner, mia, AwayRequest{StandIn: "team:Support@Lille"})
	wantInput(t, err, "stand-in", `branch "Lille" does not exist`)
}

// Removing a branch that still has people is refused until the operator
// says where they go: to another branch (stand-ins that named a team in it
// follow), or nowhere; either way in one audited transaction.
func TestRemoveBranch(t *testing.T) {
	const mia, abe, zoe = "mia@example.com", "abe@example.com", "zoe@example.com"
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		for _, b := range []string{"Lyon", "Paris", "Empty"} {
			must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: b}))
		}
		must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
		for _, e := range []string{mia, abe, zoe} {
			f.addUser(e, "member", store.Active)
		}
		for e, bs := range map[string][]string{mia: {"Lyon"}, zoe: {"Lyon", "Paris"}} {
			_, err := f.svc.Edit(f.ctx, f.owner, e, 0, Profile{Branches: bs, Teams: []string{"Support"}})
			must(t, err)
		}
		_, err := f.svc.SetAway(f.ctx, f.owner, abe, AwayRequest{StandIn: "team:Support@Lyon"})
		must(t, err)
		return f
	}
	standIn := func(f *fixture) string {
		ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(abe).ID, f.now())
		must(f.t, err)
		return ps[0].StandIn
	}

	t.Run("refused with people", func(t *testing.T) {
		f := setup(t)
		before := f.snapshot()
		err := f.svc.RemoveBranch(f.ctx, f.owner, "lyon", "")
		var inUse *BranchInUseError
		if !errors.As(err, &inUse) || inUse.Members != 2 ||
			err.Error() != `branch "Lyon" still has 2 people: say where they go (--move-to BRANCH, or --move-to none)` {
			t.Fatalf("error %v", err)
		}
		for _, to := range []string{"Lille", "Lyon"} {
			if err := f.svc.RemoveBranch(f.ctx, f.owner, "Lyon", to); err == nil {
				t.Fatalf("moved to %s", to)
			}
		}
		var nf *NotFoundError
		if err := f.svc.RemoveBranch(f.ctx, f.owner, "Lille", "none"); !errors.As(err, &nf) {
			t.Fatalf("error %v", err)
		}
		restore := f.refuseAudit()
		if err := f.svc.RemoveBranch(f.ctx, f.owner, "Lyon", "Paris"); err == nil {
			t.Fatal("removed without its audit row")
		}
		restore()
		f.unchanged(before)
	})
	t.Run("empty", func(t *testing.T) {
		f := setup(t)
		must(t, f.svc.RemoveBranch(f.ctx, f.owner, "Empty", ""))
		if a := f.audits("branch.remove"); len(a) != 1 {
			t.Fatalf("audit %+v", a)
		}
	})
	t.Run("moved", func(t *testing.T) {
		f := setup(t)
		must(t, f.svc.RemoveBranch(f.ctx, f.owner, "Lyon", "paris"))
		for _, e := range []string{mia, zoe} {
			if got := f.user(e).Branches; len(got) != 1 || got[0] != "Paris" {
				t.Fatalf("%s: branches %q", e, got)
			}
		}
		if got := standIn(f); got != "team:Support@Paris" {
			t.Fatalf("stand-in %q", got)
		}
		bs, err := f.svc.Branches(f.ctx, f.owner)
		must(t, err)
		if len(bs) != 2 || bs[1].Name != "Paris" || bs[1].Members != 2 {
			t.Fatalf("branches %+v", bs)
		}
		if a := f.audits("branch.remove"); len(a) != 1 {
			t.Fatalf("audit %+v", a)
		}
	})
	t.Run("none", func(t *testing.T) {
		f := setup(t)
		must(t, f.svc.RemoveBranch(f.ctx, f.owner, "Lyon", "None"))
		if got := f.user(mia).Branches; len(got) != 0 {
			t.Fatalf("branches %q", got)
		}
		if got := f.user(zoe).Branches; len(got) != 1 || got[0] != "Paris" {
			t.Fatalf("branches %q", got)
		}
		if got := standIn(f); got != "team:Support" {
			t.Fatalf("stand-in %q", got)
		}
	})
}
