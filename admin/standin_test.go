package admin

import (
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Choosing a stand-in who cannot take the work now warns, naming where the
// work would go and why; routing agrees once the period is set.
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
		{"away with a team", func(f *fixture) { f.away(ben, "team:Support") }, ben, "team:Support", "standing in team:Support", false},
		{"a cycle", func(f *fixture) { f.away(ben, cleo); f.away(cleo, ada) }, ben, ada, "standing in ada.away@example.com: a cycle", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			for _, e := range []string{ada, ben, cleo} {
				f.addUser(e, "member", store.Active)
			}
			f.addUser(dan, "member", store.Deactivated)
			c.setup(f)
			r, err := f.svc.StandInWarning(f.ctx, f.owner, ada, c.standIn)
			must(t, err)
			if c.to == "" {
				if r != nil {
					t.Fatalf("warning %v, want none", r)
				}
				return
			}
			if r == nil || r.To != c.to || !strings.Contains(r.Why, c.why) || r.StandIn != c.standIn {
				t.Fatalf("warning %+v, want work to %s because %q", r, c.to, c.why)
			}
			if stay := strings.Contains(r.String(), "would stay with "+ada+", who is away"); stay != c.stayWithAda {
				t.Fatalf("%q", r.String())
			}
			if c.standIn == dan || strings.HasPrefix(c.to, "team:") {
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
	_, err := f.svc.StandInWarning(f.ctx, f.owner, ada, ada)
	wantInput(t, err, "stand-in", "cannot be the person who is away")
}

// away sets email away from now for a week with standIn.
func (f *fixture) away(email, standIn string) {
	f.t.Helper()
	_, err := f.svc.SetAway(f.ctx, f.owner, email, AwayRequest{Until: f.now().Add(7 * 24 * time.Hour), StandIn: standIn})
	must(f.t, err)
}
