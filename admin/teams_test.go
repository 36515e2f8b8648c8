package admin

import (
	"errors"
	"testing"

	"roster/store"
)

// Renaming a team keeps its members and the away periods that name it as
// stand-in; a bad or taken name, or an unknown team, is refused and changes
// nothing; the rename is audited in the same transaction.
func TestRenameTeam(t *testing.T) {
	cases := []struct {
		name, from, to string
		check          func(t *testing.T, err error)
	}{
		{"renamed", "Support", "Support Lyon", nil},
		{"its case only", "Support", "SUPPORT", nil},
		{"unknown", "Suport", "Help desk", func(t *testing.T, err error) {
			var nf *NotFoundError
			if !errors.As(err, &nf) || nf.What != `team "Suport"` {
				t.Fatalf("error %v (%T), want a *NotFoundError", err, err)
			}
		}},
		{"taken, in any case", "Support", "night SHIFT", func(t *testing.T, err error) { wantInput(t, err, "team", `"night SHIFT" already exists`) }},
		{"empty", "Support", "  ", func(t *testing.T, err error) { wantInput(t, err, "team", "is not empty") }},
		{"a comma", "Support", "Support, Lyon", func(t *testing.T, err error) { wantInput(t, err, "team", "no comma or colon") }},
		{"a colon", "Support", "team:Lyon", func(t *testing.T, err error) { wantInput(t, err, "team", "no comma or colon") }},
		{"a control character", "Support", "Sup\x1bport", func(t *testing.T, err error) { wantInput(t, err, "team", "") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Night shift"))
			const member, away = "mia.member@example.com", "abe.away@example.com"
			f.addUser(member, "member", store.Active)
			f.addUser(away, "member", store.Active)
			_, err := f.svc.Edit(f.ctx, f.owner, member, 0, Profile{AddTeams: []string{"Support"}})
			must(t, err)
			_, err = f.svc.SetAway(f.ctx, f.owner, away, AwayRequest{StandIn: "team:Support"})
			must(t, err)
			before := f.snapshot()

			err = f.svc.RenameTeam(f.ctx, f.owner, c.from, c.to)
			if c.check != nil {
				c.check(t, err)
				f.unchanged(before)
				return
			}
			must(t, err)
			if teams := f.user(member).Teams; len(teams) != 1 || teams[0] != c.to {
				t.Fatalf("the member's teams: %q, want %q", teams, c.to)
			}
			ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(away).ID, f.now())
			must(t, err)
			if len(ps) != 1 || ps[0].StandIn != "team:"+c.to {
				t.Fatalf("the away period's stand-in: %+v", ps)
			}
			a := f.audits("team.rename")
			if len(a) != 1 || a[0].Actor != ownerEmail {
				t.Fatalf("audit: %+v", a)
			}
		})
	}

	// With its audit row refused, the rename does not happen either.
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	before := f.snapshot()
	restore := f.refuseAudit()
	if err := f.svc.RenameTeam(f.ctx, f.owner, "Support", "Help desk"); err == nil {
		t.Fatal("renamed without its audit row")
	}
	restore()
	f.unchanged(before)
}
