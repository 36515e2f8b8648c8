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
