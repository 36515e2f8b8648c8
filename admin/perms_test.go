package admin

import (
	"slices"
	"testing"

	"roster/store"
)

// Every act needs its permission: without it the act is refused and nothing
// changes; given that one permission back, the same act succeeds.
func TestEachActNeedsItsPermission(t *testing.T) {
	const target = "tom.target@example.com"
	cases := []struct {
		act   string
		perm  string
		setup func(f *fixture)
		do    func(f *fixture, op Actor) error
	}{
		{"invite", "users.invite", nil, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.person@example.com"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}},
		{"stage", "users.invite", nil, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.person@example.com"}}, InviteOptions{Staged: true})
			if err == nil {
				err = res[0].Err
			}
			return err
		}},
		{"resend", "users.invite", func(f *fixture) { f.invite(target, ""); f.advance(2 * 60e9) }, func(f *fixture, op Actor) error {
			return f.svc.Resend(f.ctx, op, []string{target})[0].Err
		}},
		{"revoke", "users.invite", func(f *fixture) { f.invite(target, "") }, func(f *fixture, op Actor) error {
			return f.svc.Revoke(f.ctx, op, []string{target})[0].Err
		}},
		{"send staged", "users.invite", func(f *fixture) { f.addUser(target, "member", store.Staged) }, func(f *fixture, op Actor) error {
			return f.svc.SendStaged(f.ctx, op, []string{target})[0].Err
		}},
		{"edit someone", "users.edit", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, target, 0, Profile{Position: ptr("Buyer")})
			return err
		}},
		{"password reset for someone", "users.edit", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			return f.svc.SendReset(f.ctx, op, target)
		}},
		{"add a team", "users.edit", nil, func(f *fixture, op Actor) error {
			return f.svc.AddTeam(f.ctx, op, "Support Lyon")
		}},
		{"rename a team", "users.edit", func(f *fixture) { must(f.t, f.svc.AddTeam(f.ctx, f.owner, "Support Lyon")) }, func(f *fixture, op Actor) error {
			return f.svc.RenameTeam(f.ctx, op, "Support Lyon", "Support Lille")
		}},
		{"remove a team", "users.edit", func(f *fixture) { must(f.t, f.svc.AddTeam(f.ctx, f.owner, "Support Lyon")) }, func(f *fixture, op Actor) error {
			return f.svc.RemoveTeam(f.ctx, op, "Support Lyon")
		}},
		{"change permissions", "users.permissions", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, target, 0, PermChange{Grant: []string{"analytics.all"}})
			return err
		}},
		{"deactivate", "users.delete", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			return f.svc.Deactivate(f.ctx, op, target)
		}},
		{"reactivate", "users.delete", func(f *fixture) { f.addUser(target, "member", store.Deactivated) }, func(f *fixture, op Actor) error {
			return f.svc.Reactivate(f.ctx, op, target)
		}},
		{"delete", "users.delete", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			_, err := f.svc.Delete(f.ctx, op, target, DeleteRequest{Heir: ownerEmail})
			return err
		}},
		{"set someone away", "users.away", func(f *fixture) { f.addUser(target, "member", store.Active) }, func(f *fixture, op Actor) error {
			_, err := f.svc.SetAway(f.ctx, op, target, AwayRequest{Until: f.now().Add(48 * 3600e9)})
			return err
		}},
		{"bring someone back", "users.away", func(f *fixture) {
			f.addUser(target, "member", store.Active)
			_, err := f.svc.SetAway(f.ctx, f.owner, target, AwayRequest{})
			must(f.t, err)
		}, func(f *fixture, op Actor) error {
			return f.svc.EndAway(f.ctx, op, target)
		}},
		{"cancel someone's leave", "users.away", func(f *fixture) {
			f.addUser(target, "member", store.Active)
			_, err := f.svc.SetAway(f.ctx, f.owner, target, AwayRequest{From: f.now().Add(240 * 3600e9)})
			must(f.t, err)
		}, func(f *fixture, op Actor) error {
			ps, err := f.st.Read().AwayPeriods(f.ctx, f.user(target).ID, f.now())
			must(f.t, err)
			return f.svc.CancelAway(f.ctx, op, target, ps[0].ID)
		}},
		{"account settings", "settings.account", nil, func(f *fixture, op Actor) error {
			_, err := f.svc.UpdateAccount(f.ctx, op, AccountChange{Name: ptr("Acme SA")})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.act, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			const opEmail = "alice.admin@example.com"
			// An admin holds every permission but billing; take away the one this act needs.
			f.addUser(opEmail, "admin", store.Active, minus(allPerms(), c.perm)...)
			if c.setup != nil {
				c.setup(f)
			}
			before := f.snapshot()
			wantDenied(t, c.do(f, as(opEmail)), c.perm)
			f.unchanged(before)

			f.setPerms(opEmail, allPerms())
			if err := c.do(f, as(opEmail)); err != nil {
				t.Fatalf("with %s: %v", c.perm, err)
			}
		})
	}
}

// Acting on oneself needs no users.* permission for one's own profile, away
// status and password reset; acting on someone else does (above).
func TestSelfServiceNeedsNoPermission(t *testing.T) {
	f := newFixture(t)
	const me = "mia.manager@example.com"
	// A manager without users.edit and users.away, keeping users.invite to use roster at all.
	f.addUser(me, "manager", store.Active, "users.invite", "data.team")
	if _, err := f.svc.Edit(f.ctx, as(me), me, 0, Profile{Position: ptr("Head of sales")}); err != nil {
		t.Fatalf("edit own profile: %v", err)
	}
	if _, err := f.svc.SetAway(f.ctx, as(me), me, AwayRequest{Until: f.now().Add(24 * 3600e9)}); err != nil {
		t.Fatalf("set self away: %v", err)
	}
	must(t, f.svc.EndAway(f.ctx, as(me), me))
	must(t, f.svc.SendReset(f.ctx, as(me), me))
	if got := f.user(me).Position; got != "Head of sales" {
		t.Fatalf("position %q", got)
	}
}

// Only active users holding some users.* permission administer the account.
func TestOperatorMustBeActiveAdministrator(t *testing.T) {
	cases := []struct {
		name   string
		status store.Status
		perms  []string
	}{
		{"member without users permissions", store.Active, Presets["member"]},
		{"deactivated admin", store.Deactivated, Presets["admin"]},
		{"invited admin", store.Invited, Presets["admin"]},
		{"unknown person", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			op := "oscar.operator@example.com"
			if c.status != "" {
				f.addUser(op, "admin", c.status, c.perms...)
			}
			before := f.snapshot()
			_, err := f.svc.Invite(f.ctx, as(op), []NewUser{{Email: "new.person@example.com"}}, InviteOptions{})
			wantDenied(t, err, "")
			_, err = f.svc.ListUsers(f.ctx, as(op), store.ListQuery{})
			wantDenied(t, err, "")
			f.unchanged(before)
		})
	}
}

// An operator grants only permissions they hold themselves.
func TestGrantOnlyHeldPermissions(t *testing.T) {
	const target = "tom.target@example.com"
	cases := []struct {
		name    string
		opRole  string
		opPerms []string
		change  PermChange
		denied  string // the permission refused, "" when allowed
	}{
		{"admin grants billing, which admins lack", "admin", Presets["admin"], PermChange{Grant: []string{"settings.billing"}}, "settings.billing"},
		{"admin grants data.all, which they hold", "admin", Presets["admin"], PermChange{Grant: []string{"data.all"}}, ""},
		{"manager grants data.all, which managers lack", "manager", plus(Presets["manager"], "users.permissions"), PermChange{Grant: []string{"data.all"}}, "data.all"},
		{"manager grants analytics.all, which they hold", "manager", plus(Presets["manager"], "users.permissions"), PermChange{Grant: []string{"analytics.all"}}, ""},
		{"admin sets a list holding billing", "admin", Presets["admin"], PermChange{Set: []string{"data.team", "settings.billing"}}, "settings.billing"},
		{"admin without coaching.manage makes a manager", "admin", minus(Presets["admin"], "coaching.manage"), PermChange{Role: "manager"}, "coaching.manage"},
		{"revoking what one lacks is allowed", "manager", []string{"users.permissions", "users.edit"}, PermChange{Revoke: []string{"analytics.own"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			op := "oscar.operator@example.com"
			f.addUser(op, c.opRole, store.Active, c.opPerms...)
			f.addUser(target, "member", store.Active)
			before := f.snapshot()
			_, err := f.svc.SetPermissions(f.ctx, as(op), target, 0, c.change)
			if c.denied == "" {
				must(t, err)
				return
			}
			wantDenied(t, err, c.denied)
			f.unchanged(before)
		})
	}

	// A broader permission covers the narrower one: who sees everyone's
	// analytics or data may hand out seeing one's own or one's team's.
	t.Run("a manager with the preset invites a member", func(t *testing.T) {
		f := newFixture(t)
		op := "mia.manager@example.com"
		f.addUser(op, "manager", store.Active)
		res, err := f.svc.Invite(f.ctx, as(op), []NewUser{{Email: "new.member@example.com"}}, InviteOptions{})
		must(t, err)
		must(t, res[0].Err)
		if got, want := f.perms("new.member@example.com"), slices.Sorted(slices.Values(Presets["member"])); !slices.Equal(got, want) {
			t.Fatalf("perms %v, want %v", got, want)
		}
	})
	t.Run("without the broader permission the narrower one is not grantable", func(t *testing.T) {
		f := newFixture(t)
		op := "mia.manager@example.com"
		f.addUser(op, "manager", store.Active, "users.invite", "data.team")
		before := f.snapshot()
		res, err := f.svc.Invite(f.ctx, as(op), []NewUser{{Email: "new.member@example.com"}}, InviteOptions{})
		must(t, err)
		wantDenied(t, res[0].Err, "analytics.own")
		f.unchanged(before)
	})

	// Inviting someone gives them their role's preset: the inviter must hold it all.
	t.Run("invite a manager without holding coaching.manage", func(t *testing.T) {
		f := newFixture(t)
		op := "mia.manager@example.com"
		f.addUser(op, "manager", store.Active, minus(Presets["manager"], "coaching.manage")...)
		before := f.snapshot()
		res, err := f.svc.Invite(f.ctx, as(op), []NewUser{{Email: "new.manager@example.com", Role: "manager"}}, InviteOptions{})
		must(t, err)
		wantDenied(t, res[0].Err, "coaching.manage")
		f.unchanged(before)
		res, err = f.svc.Invite(f.ctx, as(op), []NewUser{{Email: "new.member@example.com", Role: "member"}}, InviteOptions{})
		must(t, err)
		must(t, res[0].Err)
	})
}

// Nobody raises anyone (themselves included) above their own role, nor acts on
// someone above them.
func TestNoRaisingAboveOwnRole(t *testing.T) {
	const (
		mgr   = "mia.manager@example.com"
		adm   = "alice.admin@example.com"
		memb  = "max.member@example.com"
		other = "ada.otheradmin@example.com"
	)
	mgrPerms := plus(Presets["manager"], "users.permissions", "users.delete")
	cases := []struct {
		name string
		op   string
		do   func(f *fixture, op Actor) error
		ok   bool
	}{
		{"manager makes a member admin", mgr, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, memb, 0, PermChange{Role: "admin"})
			return err
		}, false},
		{"manager holding every admin permission makes a member admin", "rich.manager@example.com", func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, memb, 0, PermChange{Role: "admin"})
			return err
		}, false},
		{"manager holding every admin permission invites an admin", "rich.manager@example.com", func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.admin@example.com", Role: "admin"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, false},
		{"manager makes a member manager", mgr, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, memb, 0, PermChange{Role: "manager"})
			return err
		}, true},
		{"manager makes themselves admin", mgr, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, mgr, 0, PermChange{Role: "admin"})
			return err
		}, false},
		{"manager invites an admin", mgr, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.admin@example.com", Role: "admin"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, false},
		{"manager changes an admin's permissions", mgr, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, adm, 0, PermChange{Revoke: []string{"data.all"}})
			return err
		}, false},
		{"manager edits an admin's profile", mgr, func(f *fixture, op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, adm, 0, Profile{Position: ptr("Intern")})
			return err
		}, false},
		{"manager deactivates an admin", mgr, func(f *fixture, op Actor) error {
			return f.svc.Deactivate(f.ctx, op, adm)
		}, false},
		{"admin makes another admin a manager", adm, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, other, 0, PermChange{Role: "manager"})
			return err
		}, true},
		{"admin invites an admin", adm, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.admin@example.com", Role: "admin"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(mgr, "manager", store.Active, mgrPerms...)
			f.addUser(adm, "admin", store.Active)
			f.addUser(other, "admin", store.Active)
			f.addUser(memb, "member", store.Active)
			f.addUser("rich.manager@example.com", "manager", store.Active, Presets["admin"]...)
			before := f.snapshot()
			err := c.do(f, as(c.op))
			if c.ok {
				must(t, err)
				return
			}
			wantDenied(t, err, "")
			f.unchanged(before)
		})
	}
}

// Only an owner makes or unmakes an owner.
func TestOnlyAnOwnerMakesOrUnmakesAnOwner(t *testing.T) {
	const (
		adm    = "alice.admin@example.com"
		owner2 = "oona.owner@example.com"
		memb   = "max.member@example.com"
	)
	cases := []struct {
		name string
		op   string
		do   func(f *fixture, op Actor) error
		ok   bool
	}{
		{"admin makes an owner", adm, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, memb, 0, PermChange{Role: "owner"})
			return err
		}, false},
		{"admin invites an owner", adm, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.owner@example.com", Role: "owner"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, false},
		{"admin demotes an owner", adm, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, owner2, 0, PermChange{Role: "admin"})
			return err
		}, false},
		{"admin deactivates an owner", adm, func(f *fixture, op Actor) error {
			return f.svc.Deactivate(f.ctx, op, owner2)
		}, false},
		{"admin deletes an owner", adm, func(f *fixture, op Actor) error {
			_, err := f.svc.Delete(f.ctx, op, owner2, DeleteRequest{Heir: adm})
			return err
		}, false},
		{"owner makes an owner", ownerEmail, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, memb, 0, PermChange{Role: "owner"})
			return err
		}, true},
		{"owner demotes another owner", ownerEmail, func(f *fixture, op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, owner2, 0, PermChange{Role: "admin"})
			return err
		}, true},
		{"owner invites an owner", ownerEmail, func(f *fixture, op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.owner@example.com", Role: "owner"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(adm, "admin", store.Active)
			f.addUser(owner2, "owner", store.Active)
			f.addUser(memb, "member", store.Active)
			before := f.snapshot()
			err := c.do(f, as(c.op))
			if c.ok {
				must(t, err)
				return
			}
			wantDenied(t, err, "")
			f.unchanged(before)
		})
	}
}

// The account always keeps an active owner.
func TestLastActiveOwnerStays(t *testing.T) {
	t.Run("the last active owner cannot demote themselves", func(t *testing.T) {
		f := newFixture(t)
		before := f.snapshot()
		_, err := f.svc.SetPermissions(f.ctx, f.owner, ownerEmail, 0, PermChange{Role: "admin"})
		wantDenied(t, err, "")
		f.unchanged(before)
	})
	t.Run("a deactivated second owner does not count", func(t *testing.T) {
		f := newFixture(t)
		f.addUser("oona.owner@example.com", "owner", store.Deactivated)
		before := f.snapshot()
		_, err := f.svc.SetPermissions(f.ctx, f.owner, ownerEmail, 0, PermChange{Role: "admin"})
		wantDenied(t, err, "")
		f.unchanged(before)
	})
	t.Run("with a second active owner, one may step down", func(t *testing.T) {
		f := newFixture(t)
		f.addUser("oona.owner@example.com", "owner", store.Active)
		_, err := f.svc.SetPermissions(f.ctx, f.owner, ownerEmail, 0, PermChange{Role: "admin"})
		must(t, err)
		if got := f.user(ownerEmail).Role; got != "admin" {
			t.Fatalf("role %s", got)
		}
		if got := f.perms(ownerEmail); slices.Contains(got, "settings.billing") {
			t.Fatalf("a former owner kept billing: %v", got)
		}
	})
	t.Run("two owners stepping down at once: one stays", func(t *testing.T) {
		// On SQLite the writer is single; on PostgreSQL each write takes the
		// store's write lock first: either way the second reads the first's
		// change, and is refused.
		for range 10 {
			f := newFixture(t)
			f.addUser("oona.owner@example.com", "owner", store.Active)
			errs := make(chan error, 2)
			for _, who := range []string{ownerEmail, "oona.owner@example.com"} {
				go func() {
					_, err := f.svc.SetPermissions(f.ctx, as(who), who, 0, PermChange{Role: "admin"})
					errs <- err
				}()
			}
			var refused int
			for range 2 {
				if err := <-errs; err != nil {
					wantDenied(t, err, "")
					refused++
				}
			}
			if n := f.count("SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active'"); n != 1 || refused != 1 {
				t.Fatalf("%d active owners left, %d refused; want 1 and 1", n, refused)
			}
		}
	})
	t.Run("nobody can deactivate or delete the last active owner", func(t *testing.T) {
		f := newFixture(t)
		f.addUser("alice.admin@example.com", "admin", store.Active)
		before := f.snapshot()
		for _, op := range []string{ownerEmail, "alice.admin@example.com"} {
			wantDenied(t, f.svc.Deactivate(f.ctx, as(op), ownerEmail), "")
			_, err := f.svc.Delete(f.ctx, as(op), ownerEmail, DeleteRequest{Heir: "alice.admin@example.com"})
			wantDenied(t, err, "")
		}
		f.unchanged(before)
	})
	// Through the operations above, the self rule and the owner-only rule
	// already stop these; the last-owner check is also applied directly, so
	// that it holds whatever those rules become.
	t.Run("the last-owner check refuses deactivation and deletion", func(t *testing.T) {
		f := newFixture(t)
		for _, what := range []string{"deactivated", "deleted", "demoted"} {
			err := f.st.Write(f.ctx, func(q *store.Q) error {
				u, err := q.UserByEmail(f.ctx, ownerEmail, f.now())
				if err != nil {
					return err
				}
				return f.svc.keepAnOwner(f.ctx, q, u, what)
			})
			wantDenied(t, err, "")
		}
		f.addUser("oona.owner@example.com", "owner", store.Active)
		must(t, f.st.Write(f.ctx, func(q *store.Q) error {
			u, err := q.UserByEmail(f.ctx, ownerEmail, f.now())
			if err != nil {
				return err
			}
			return f.svc.keepAnOwner(f.ctx, q, u, "deactivated")
		}))
	})
}

// Nobody deactivates or deletes themselves.
func TestNobodyRemovesThemselves(t *testing.T) {
	cases := []struct {
		name string
		do   func(f *fixture, me string) error
	}{
		{"deactivate", func(f *fixture, me string) error { return f.svc.Deactivate(f.ctx, as(me), me) }},
		{"delete", func(f *fixture, me string) error {
			_, err := f.svc.Delete(f.ctx, as(me), me, DeleteRequest{Heir: "oona.owner@example.com"})
			return err
		}},
	}
	for _, c := range cases {
		for _, role := range []string{"owner", "admin"} {
			t.Run(c.name+" as "+role, func(t *testing.T) {
				f := newFixture(t)
				f.addUser("oona.owner@example.com", "owner", store.Active)
				me := ownerEmail
				if role == "admin" {
					me = "alice.admin@example.com"
					f.addUser(me, "admin", store.Active)
				}
				before := f.snapshot()
				wantDenied(t, c.do(f, me), "")
				f.unchanged(before)
			})
		}
	}
}

// GrantableRoles offers exactly the roles SetPermissions accepts from the
// operator for that user.
func TestGrantableRoles(t *testing.T) {
	const (
		mgr  = "mia.manager@example.com"
		adm  = "alice.admin@example.com"
		memb = "max.member@example.com"
		weak = "walt.manager@example.com"
	)
	cases := []struct {
		op, target string
		want       []string
	}{
		{mgr, memb, []string{"manager", "member"}},
		{mgr, adm, []string{}},   // above them
		{weak, memb, []string{}}, // no users.permissions
		{adm, memb, []string{"admin", "manager", "member"}},
		{ownerEmail, memb, []string{"owner", "admin", "manager", "member"}},
	}
	for _, c := range cases {
		t.Run(c.op+" on "+c.target, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(mgr, "manager", store.Active, plus(Presets["manager"], "users.permissions")...)
			f.addUser(weak, "manager", store.Active)
			f.addUser(adm, "admin", store.Active)
			f.addUser(memb, "member", store.Active)
			got, err := f.svc.GrantableRoles(f.ctx, as(c.op), c.target)
			must(t, err)
			if !slices.Equal(got, c.want) {
				t.Fatalf("grantable %v, want %v", got, c.want)
			}
			for _, r := range Roles {
				before := f.snapshot()
				_, err := f.svc.SetPermissions(f.ctx, as(c.op), c.target, 0, PermChange{Role: r})
				if slices.Contains(got, r) != (err == nil) {
					t.Fatalf("role %s: offered %v, SetPermissions says %v", r, slices.Contains(got, r), err)
				}
				if err == nil { // back to member for the next role
					_, err = f.svc.SetPermissions(f.ctx, f.owner, c.target, 0, PermChange{Role: "member"})
					must(t, err)
				} else {
					f.unchanged(before)
				}
			}
		})
	}
}
