package admin

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/ssh"

	"roster/store"
)

// newKeyLine is a fresh public key as one authorized_keys line.
func newKeyLine(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(ssh.MarshalAuthorizedKey(k))
}

// Giving someone else a way to act as a user (an SSH key, a password reset,
// an invitation link) is acting as them: only the user themselves, an owner,
// or someone of a higher role holding every permission the user holds may.
func TestActingAsSomeoneTakesTheirPowers(t *testing.T) {
	const (
		mgr    = "mia.manager@example.com"
		adm    = "alice.admin@example.com"
		target = "tom.target@example.com"
	)
	acts := []struct {
		name   string
		status store.Status // the target's
		setup  func(f *fixture)
		do     func(f *fixture, op Actor) error
	}{
		{"add an SSH key", store.Active, nil, func(f *fixture, op Actor) error {
			_, err := f.svc.AddKey(f.ctx, op, target, newKeyLine(f.t))
			return err
		}},
		{"remove an SSH key", store.Active, func(f *fixture) {
			_, err := f.svc.AddKey(f.ctx, f.owner, target, newKeyLine(f.t))
			must(f.t, err)
		}, func(f *fixture, op Actor) error {
			ks, err := f.st.Read().Keys(f.ctx, f.user(target).ID)
			must(f.t, err)
			return f.svc.RemoveKey(f.ctx, op, target, ks[0].Fingerprint)
		}},
		{"send a password reset", store.Active, nil, func(f *fixture, op Actor) error {
			return f.svc.SendReset(f.ctx, op, target)
		}},
		{"send a password reset to an invited user", store.Invited, nil, func(f *fixture, op Actor) error {
			return f.svc.SendReset(f.ctx, op, target)
		}},
		{"resend an invitation", store.Invited, nil, func(f *fixture, op Actor) error {
			return f.svc.Resend(f.ctx, op, []string{target})[0].Err
		}},
		{"send a staged invitation", store.Staged, nil, func(f *fixture, op Actor) error {
			return f.svc.SendStaged(f.ctx, op, []string{target})[0].Err
		}},
	}
	mgrPerms := Presets["manager"]
	cases := []struct {
		name        string
		op, opRole  string
		opPerms     []string
		targetRole  string
		targetPerms []string // nil: the role's preset
		ok          bool
		deniedPerm  string // the permission named in the refusal, if one
	}{
		// The case: mgr2 holds users.delete and settings.billing.
		{"manager on a manager holding more", mgr, "manager", mgrPerms, "manager", plus(mgrPerms, "users.delete", "settings.billing"), false, ""},
		{"manager on a manager holding the same", mgr, "manager", mgrPerms, "manager", nil, false, ""},
		{"manager on a member holding more", mgr, "manager", mgrPerms, "member", plus(Presets["member"], "data.all"), false, "data.all"},
		{"manager on a member with the preset", mgr, "manager", mgrPerms, "member", nil, true, ""},
		{"admin on an admin", adm, "admin", Presets["admin"], "admin", nil, false, ""},
		{"admin on a manager holding billing", adm, "admin", Presets["admin"], "manager", plus(mgrPerms, "settings.billing"), false, "settings.billing"},
		{"admin on a manager", adm, "admin", Presets["admin"], "manager", nil, true, ""},
		{"owner on an owner", ownerEmail, "", nil, "owner", nil, true, ""},
	}
	for _, act := range acts {
		for _, c := range cases {
			t.Run(act.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				if c.opRole != "" {
					f.addUser(c.op, c.opRole, store.Active, c.opPerms...)
				}
				f.addUser(target, c.targetRole, act.status, c.targetPerms...)
				if act.setup != nil {
					act.setup(f)
				}
				before := f.snapshot()
				err := act.do(f, as(c.op))
				if c.ok {
					must(t, err)
					return
				}
				wantDenied(t, err, c.deniedPerm)
				f.unchanged(before)
			})
		}
	}
}

// Acting on one's own account takes no permission beyond using roster.
func TestActingAsOneselfIsAllowed(t *testing.T) {
	const me = "mia.manager@example.com"
	f := newFixture(t)
	// A manager without users.edit, keeping users.invite to use roster at all.
	f.addUser(me, "manager", store.Active, "users.invite", "data.team")
	k, err := f.svc.AddKey(f.ctx, as(me), me, newKeyLine(t))
	must(t, err)
	must(t, f.svc.RemoveKey(f.ctx, as(me), me, k.Fingerprint))
	must(t, f.svc.SendReset(f.ctx, as(me), me))
}

// A key someone else added is them acting as its owner: it opens roster
// serve only while they still may, not once the owner was raised above them
// or they left.
func TestKeyAddedBySomeoneElseWorksWhileTheyMayActAsItsOwner(t *testing.T) {
	const (
		adm = "alice.admin@example.com"
		mgr = "mia.manager@example.com"
	)
	cases := []struct {
		name   string
		change func(f *fixture) // after the admin added the manager's key
		ok     bool
	}{
		{"unchanged", func(f *fixture) {}, true},
		{"the owner raised the manager to admin", func(f *fixture) {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, mgr, 0, PermChange{Role: "admin"})
			must(f.t, err)
		}, false},
		{"the owner granted the manager billing", func(f *fixture) {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, mgr, 0, PermChange{Grant: []string{"settings.billing"}})
			must(f.t, err)
		}, false},
		{"the admin was deactivated", func(f *fixture) { must(f.t, f.svc.Deactivate(f.ctx, f.owner, adm)) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(adm, "admin", store.Active)
			f.addUser(mgr, "manager", store.Active)
			line := newKeyLine(t)
			pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			must(t, err)
			_, err = f.svc.AddKey(f.ctx, as(adm), mgr, line)
			must(t, err)
			if a, err := f.svc.KeyOperator(f.ctx, pub); err != nil || a.Email != mgr {
				t.Fatalf("before: %v %v", a, err)
			}
			c.change(f)
			a, err := f.svc.KeyOperator(f.ctx, pub)
			if c.ok {
				if err != nil || a.Email != mgr {
					t.Fatalf("%v %v", a, err)
				}
				return
			}
			wantDenied(t, err, "")
			// Added again by an owner, the same key works.
			ks, err := f.st.Read().Keys(f.ctx, f.user(mgr).ID)
			must(t, err)
			must(t, f.svc.RemoveKey(f.ctx, f.owner, mgr, ks[0].Fingerprint))
			_, err = f.svc.AddKey(f.ctx, f.owner, mgr, line)
			must(t, err)
			if a, err := f.svc.KeyOperator(f.ctx, pub); err != nil || a.Email != mgr {
				t.Fatalf("added again by the owner: %v %v", a, err)
			}
		})
	}
	t.Run("one's own key", func(t *testing.T) {
		f := newFixture(t)
		f.addUser(mgr, "manager", store.Active)
		line := newKeyLine(t)
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		must(t, err)
		_, err = f.svc.AddKey(f.ctx, as(mgr), mgr, line)
		must(t, err)
		_, err = f.svc.SetPermissions(f.ctx, f.owner, mgr, 0, PermChange{Role: "admin"})
		must(t, err)
		if a, err := f.svc.KeyOperator(f.ctx, pub); err != nil || a.Email != mgr {
			t.Fatalf("%v %v", a, err)
		}
	})
}

// A member holding no users.* permission gets in with their key, to their
// own settings only (Administers is false, and every rule still refuses
// them); once deactivated, not at all.
func TestKeyOfAMemberOpensTheirSettingsOnly(t *testing.T) {
	const mel, mgr = "mel.member@example.com", "mia.manager@example.com"
	f := newFixture(t)
	f.addUser(mel, "member", store.Active)
	f.addUser(mgr, "manager", store.Active)
	line := newKeyLine(t)
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	must(t, err)
	_, err = f.svc.AddKey(f.ctx, f.owner, mel, line)
	must(t, err)
	a, err := f.svc.KeyOperator(f.ctx, pub)
	if err != nil || a.Email != mel {
		t.Fatalf("member's key: %v %v", a, err)
	}
	for who, want := range map[string]bool{mel: false, mgr: true, ownerEmail: true} {
		ok, err := f.svc.Administers(f.ctx, as(who))
		if err != nil || ok != want {
			t.Fatalf("Administers(%s) = %v, %v; want %v", who, ok, err, want)
		}
	}
	_, err = f.svc.ListUsers(f.ctx, a, store.ListQuery{Limit: 10})
	wantDenied(t, err, "")
	must(t, f.svc.Deactivate(f.ctx, f.owner, mel))
	_, err = f.svc.KeyOperator(f.ctx, pub)
	wantDenied(t, err, "")
	_, err = f.svc.Administers(f.ctx, as(mel))
	wantDenied(t, err, "")
}
