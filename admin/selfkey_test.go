package admin

import (
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"roster/store"
)

// What a user does for themselves alone (their own API keys) is refused,
// as every other operation is, once the key they came in with no longer
// lets them in: an SSH key removed, or added by someone who may no longer
// act as them, an API key revoked. It was not checked there: an open
// dashboard whose key had been removed created an API key, a credential
// that outlived the key.
func TestOwnAPIKeysRefuseAKeyThatNoLongerHolds(t *testing.T) {
	const adm, mgr = "alice.admin@example.com", "mia.manager@example.com"
	cases := []struct {
		name  string
		actor func(f *fixture) Actor // a key that held, then stopped holding
	}{
		{"ssh key removed", func(f *fixture) Actor {
			k, err := f.svc.AddKey(f.ctx, as(mgr), mgr, newKeyLine(t))
			must(t, err)
			must(t, f.svc.RemoveKey(f.ctx, f.owner, mgr, k.Fingerprint))
			return Actor{Email: mgr, Channel: ChannelSSH, Key: k.Fingerprint}
		}},
		{"ssh key added by one who left", func(f *fixture) Actor {
			line := newKeyLine(t)
			_, err := f.svc.AddKey(f.ctx, as(adm), mgr, line)
			must(t, err)
			pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			must(t, err)
			a, err := f.svc.KeyOperator(f.ctx, pub)
			must(t, err)
			must(t, f.svc.Deactivate(f.ctx, f.owner, adm))
			return a
		}},
		{"api key revoked", func(f *fixture) Actor {
			secret, k, err := f.svc.CreateAPIKey(f.ctx, as(mgr), "okta", time.Time{})
			must(t, err)
			a, err := f.svc.APIKeyActor(f.ctx, secret)
			must(t, err)
			must(t, f.svc.RevokeAPIKey(f.ctx, as(mgr), k.ID))
			return a
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(adm, "admin", store.Active)
			f.addUser(mgr, "manager", store.Active)
			_, own, err := f.svc.CreateAPIKey(f.ctx, as(mgr), "zapier", time.Time{})
			must(t, err)
			a := c.actor(f)
			before := f.count("SELECT count(*) FROM api_keys")
			_, _, err = f.svc.CreateAPIKey(f.ctx, a, "persist", time.Time{})
			wantDenied(t, err, "")
			_, _, err = f.svc.RegenerateAPIKey(f.ctx, a, own.ID)
			wantDenied(t, err, "")
			_, err = f.svc.APIKeys(f.ctx, a, "")
			wantDenied(t, err, "")
			wantDenied(t, f.svc.RevokeAPIKey(f.ctx, a, own.ID), "")
			if n := f.count("SELECT count(*) FROM api_keys"); n != before {
				t.Fatalf("%d API keys, want %d", n, before)
			}
		})
	}
}
