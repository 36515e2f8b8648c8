package admin

import (
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Deciding where someone else's new work goes (setting them away with a
// stand-in, ending or cancelling their leave) takes users.away and a role
// above theirs, or being an owner; anyone may for themselves. A peer may
// not: a manager set a fellow manager away with themselves as stand-in and
// took the conversations meant for them.
func TestSettingSomeoneAwayTakesARoleAboveTheirs(t *testing.T) {
	const (
		mgr    = "mia.manager@example.com"
		peer   = "pia.manager@example.com"
		memb   = "max.member@example.com"
		adm    = "alice.admin@example.com"
		adm2   = "ada.admin@example.com"
		owner2 = "oona.owner@example.com"
	)
	week := 7 * 24 * time.Hour
	setAway := func(who, standIn string) func(f *fixture, op Actor) error {
		return func(f *fixture, op Actor) error {
			_, err := f.svc.SetAway(f.ctx, op, who, AwayRequest{Until: f.now().Add(week), StandIn: standIn})
			return err
		}
	}
	// away sets who away as themselves, now or from a day on.
	away := func(f *fixture, who string, later bool) {
		r := AwayRequest{Until: f.now().Add(week)}
		if later {
			r.From = f.now().Add(24 * time.Hour)
		}
		_, err := f.svc.SetAway(f.ctx, as(who), who, r)
		must(f.t, err)
	}
	cases := []struct {
		name  string
		op    string
		setup func(f *fixture)
		do    func(f *fixture, op Actor) error
		ok    bool
	}{
		{"a manager sets a peer manager away, standing in", mgr, nil, setAway(peer, mgr), false},
		{"a manager sets a peer manager away, a member standing in", mgr, nil, setAway(peer, memb), false},
		{"a manager sets a peer manager away, nobody standing in", mgr, nil, setAway(peer, ""), false},
		{"a manager ends a peer manager's leave", mgr, func(f *fixture) { away(f, peer, false) }, func(f *fixture, op Actor) error {
			return f.svc.EndAway(f.ctx, op, peer)
		}, false},
		{"a manager cancels a peer manager's planned leave", mgr, func(f *fixture) { away(f, peer, true) }, func(f *fixture, op Actor) error {
			ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(peer).ID, f.now())
			must(f.t, err)
			return f.svc.CancelAway(f.ctx, op, peer, ps[0].ID)
		}, false},
		{"an admin sets a peer admin away", adm, nil, setAway(adm2, adm), false},
		{"an admin sets an owner away", adm, nil, setAway(ownerEmail, adm), false},
		{"a manager sets a member away, standing in", mgr, nil, setAway(memb, mgr), true},
		{"a manager sets themselves away, a peer standing in", mgr, nil, setAway(mgr, peer), true},
		{"a manager ends their own leave", mgr, func(f *fixture) { away(f, mgr, false) }, func(f *fixture, op Actor) error {
			return f.svc.EndAway(f.ctx, op, mgr)
		}, true},
		{"an admin sets a manager away, standing in", adm, nil, setAway(peer, adm), true},
		{"an admin ends a manager's leave", adm, func(f *fixture) { away(f, peer, false) }, func(f *fixture, op Actor) error {
			return f.svc.EndAway(f.ctx, op, peer)
		}, true},
		{"an owner sets another owner away", ownerEmail, nil, setAway(owner2, ownerEmail), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(mgr, "manager", store.Active)
			f.addUser(peer, "manager", store.Active)
			f.addUser(memb, "member", store.Active)
			f.addUser(adm, "admin", store.Active)
			f.addUser(adm2, "admin", store.Active)
			f.addUser(owner2, "owner", store.Active)
			if c.setup != nil {
				c.setup(f)
			}
			before := f.snapshot()
			err := c.do(f, as(c.op))
			if c.ok {
				must(t, err)
				return
			}
			wantDenied(t, err, "")
			if !strings.Contains(err.Error(), "only they, an owner or a higher role can") {
				t.Errorf("refusal %q does not say who may", err)
			}
			f.unchanged(before)
		})
	}

	// Refused, the peer's new work stays theirs.
	t.Run("the peer's work stays theirs", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(mgr, "manager", store.Active)
		f.addUser(peer, "manager", store.Active)
		_, err := f.svc.SetAway(f.ctx, as(mgr), peer, AwayRequest{StandIn: mgr})
		wantDenied(t, err, "")
		c, err := f.svc.AddConversation(f.ctx, f.owner, "Commande 7", peer)
		must(t, err)
		if got := f.rows("SELECT u.email FROM conversations c JOIN users u ON u.id = c.assignee_id WHERE c.id = ?", c.ID); len(got) != 1 || got[0] != peer {
			t.Fatalf("the conversation went to %v, want %s", got, peer)
		}
	})
}

// Deleting a stand-in hands their duties to the heir, which changes who
// takes the away person's new work: the operator must be one who may set
// that person away (above). A manager holding users.delete deleted a
// member who stood in for a fellow manager, named themselves heir, and
// took that manager's new work.
func TestDeleteHandsStandInDutiesOnlyForThoseOneMaySetAway(t *testing.T) {
	const (
		mgr   = "mia.manager@example.com"
		peer  = "pia.manager@example.com"
		memb  = "max.member@example.com"
		other = "otto.member@example.com"
	)
	cases := []struct {
		name    string
		opPerms []string
		away    string // who is away with memb standing in
		heir    string
		perm    string // the permission refused, when refused
		ok      bool
	}{
		{"for a peer manager", plus(Presets["manager"], "users.delete"), peer, mgr, "", false},
		{"for the owner", plus(Presets["manager"], "users.delete"), ownerEmail, mgr, "", false},
		{"for a member, without users.away", []string{"users.delete", "users.edit"}, other, mgr, "users.away", false},
		{"for a member", plus(Presets["manager"], "users.delete"), other, mgr, "", true},
		{"for the operator themselves, without users.away", []string{"users.delete", "users.edit"}, mgr, other, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(mgr, "manager", store.Active, c.opPerms...)
			f.addUser(peer, "manager", store.Active)
			f.addUser(memb, "member", store.Active)
			f.addUser(other, "member", store.Active)
			// The away person set it themselves (a member, who administers
			// nobody, through the owner).
			by := as(c.away)
			if c.away == other {
				by = f.owner
			}
			_, err := f.svc.SetAway(f.ctx, by, c.away, AwayRequest{Until: f.now().Add(7 * 24 * time.Hour), StandIn: memb})
			must(t, err)
			before := f.snapshot()
			r := DeleteRequest{Heir: c.heir}
			_, perr := f.svc.PlanDelete(f.ctx, as(mgr), memb, r)
			_, err = f.svc.Delete(f.ctx, as(mgr), memb, r)
			if c.ok {
				must(t, perr)
				must(t, err)
				ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(c.away).ID, f.now())
				must(t, err)
				if len(ps) != 1 || ps[0].StandIn != c.heir {
					t.Fatalf("periods of %s %+v, want %s standing in", c.away, ps, c.heir)
				}
				return
			}
			wantDenied(t, perr, c.perm)
			wantDenied(t, err, c.perm)
			f.unchanged(before)
		})
	}
}

// One's own teams and branches take users.edit, as anyone's do: a team
// may stand in for someone away, its least loaded member (a newcomer
// first) taking their new work. An operator holding users.invite alone
// joined the team standing in for the owner, by editing themselves or by
// a bulk act on their own row, and took the owner's new work. The rest of
// one's profile stays one's own.
func TestOwnTeamsTakeUsersEdit(t *testing.T) {
	const me = "ivan.inviter@example.com"
	cases := []struct {
		name string
		do   func(f *fixture, op Actor) error
		perm string // refused for, "" when allowed
	}{
		{"join a team by editing oneself", func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, me, 0, Profile{AddTeams: []string{"Support"}})
			return err
		}, "users.edit"},
		{"set one's teams", func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, me, 0, Profile{Teams: []string{"Support"}})
			return err
		}, "users.edit"},
		{"join a branch by editing oneself", func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, me, 0, Profile{AddBranches: []string{"Lyon"}})
			return err
		}, "users.edit"},
		{"join a team by a bulk act on oneself", func(f *fixture, op Actor) error {
			out, err := f.svc.ActOnUsers(f.ctx, op, UserBatch{Act: JoinTeam, Team: "Support", Emails: []string{me}})
			if err == nil {
				err = out[0].Err
			}
			return err
		}, "users.edit"},
		{"join a branch by a bulk act on oneself", func(f *fixture, op Actor) error {
			out, err := f.svc.ActOnUsers(f.ctx, op, UserBatch{Act: JoinBranch, Branch: "Lyon", Emails: []string{me}})
			if err == nil {
				err = out[0].Err
			}
			return err
		}, "users.edit"},
		{"edit one's position, one's teams given as they are", func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, me, 0, Profile{Position: ptr("Recruiter"), Teams: []string{}, Branches: []string{}})
			return err
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(me, "manager", store.Active, "users.invite", "data.team")
			must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
			must(t, f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: "Lyon"}))
			_, err := f.svc.SetAway(f.ctx, f.owner, ownerEmail, AwayRequest{StandIn: "team:Support"})
			must(t, err)
			before := f.snapshot()
			err = c.do(f, as(me))
			if c.perm == "" {
				must(t, err)
				return
			}
			wantDenied(t, err, c.perm)
			f.unchanged(before)

			f.setPerms(me, []string{"users.invite", "users.edit", "data.team"})
			must(t, c.do(f, as(me)))
		})
	}
}
