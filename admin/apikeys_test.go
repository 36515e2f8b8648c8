package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/store"
)

func TestAPIKeys(t *testing.T) {
	f := newFixture(t)
	secret, k, err := f.svc.CreateAPIKey(f.ctx, f.owner, "zapier", f.now().Add(90*24*time.Hour))
	must(t, err)
	if !strings.HasPrefix(secret, "rst_") || len(secret) < 4+26 || k.Prefix != secret[:12] {
		t.Fatalf("secret %q (prefix %q): want rst_ and 130 random bits, the prefix its start", secret, k.Prefix)
	}
	// Only the hash is kept.
	h := sha256.Sum256([]byte(secret))
	if n := f.count("SELECT count(*) FROM api_keys WHERE hash = ?", hex.EncodeToString(h[:])); n != 1 {
		t.Fatalf("%d keys with the secret's hash", n)
	}
	if dump := f.snapshot() + strings.Join(f.rows("SELECT * FROM api_keys"), "\n") + strings.Join(f.rows("SELECT * FROM audit"), "\n"); strings.Contains(dump, secret[4:]) {
		t.Fatal("the secret is stored")
	}
	a, err := f.svc.APIKeyActor(f.ctx, secret)
	if err != nil || a.Email != ownerEmail || a.Channel != fmt.Sprintf("api key %d", k.ID) {
		t.Fatalf("the key acts as %+v, %v", a, err)
	}
	if n := f.count("SELECT count(*) FROM api_keys WHERE last_used_at = ?", f.now().Unix()); n != 1 {
		t.Error("the key's use was not recorded")
	}

	// Regenerated: the old secret stops working at once, the new one works.
	fresh, _, err := f.svc.RegenerateAPIKey(f.ctx, f.owner, k.ID)
	must(t, err)
	if _, err := f.svc.APIKeyActor(f.ctx, secret); !errors.Is(err, ErrBadAPIKey) {
		t.Errorf("the old secret after regenerating: %v", err)
	}
	if _, err := f.svc.APIKeyActor(f.ctx, fresh); err != nil {
		t.Errorf("the new secret: %v", err)
	}
	for _, bad := range []string{"", "rst_", "Bearer " + fresh, fresh + "x", strings.ToLower(fresh)} {
		if _, err := f.svc.APIKeyActor(f.ctx, bad); !errors.Is(err, ErrBadAPIKey) {
			t.Errorf("%q: %v", bad, err)
		}
	}

	// Expired: refused, and the refusal audited.
	f.advance(91 * 24 * time.Hour)
	_, err = f.svc.APIKeyActor(f.ctx, fresh)
	var d *DeniedError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired key: %v", err)
	}
	if n := len(f.audits("apikey.refused")); n != 1 {
		t.Errorf("%d refusals audited, want 1", n)
	}
	// An automation left polling with it: refused every time, audited once
	// an hour, not once a request.
	for range 50 {
		if _, err := f.svc.APIKeyActor(f.ctx, fresh); !errors.As(err, &d) {
			t.Fatalf("the expired key again: %v", err)
		}
	}
	f.advance(keyRefusedEvery)
	if _, err := f.svc.APIKeyActor(f.ctx, fresh); !errors.As(err, &d) {
		t.Fatalf("the expired key an hour later: %v", err)
	}
	if n := len(f.audits("apikey.refused")); n != 2 {
		t.Errorf("%d refusals audited for 52 requests over an hour, want 2", n)
	}
	for _, action := range []string{"apikey.create", "apikey.regenerate"} {
		if len(f.audits(action)) != 1 {
			t.Errorf("no audit row %s", action)
		}
	}

	before := f.snapshot()
	if _, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, " ", time.Time{}); err == nil {
		t.Error("a key without a name")
	}
	if _, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, "old", f.now().Add(-time.Hour)); err == nil {
		t.Error("a key that expired before it was made")
	}
	f.unchanged(before)
}

// A key acts with its user's permissions at each request: a member's key
// cannot invite, a deactivated user's key stops working, a deleted user's
// keys go with them.
func TestAPIKeyActsAsItsUser(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "member", store.Active)
	secret, _, err := f.svc.CreateAPIKey(f.ctx, as("mia.member@example.com"), "scripts", time.Time{})
	must(t, err)
	mia, err := f.svc.APIKeyActor(f.ctx, secret)
	must(t, err)
	_, err = f.svc.Invite(f.ctx, mia, []NewUser{{Email: "x@example.com"}}, InviteOptions{})
	var d *DeniedError
	if !errors.As(err, &d) {
		t.Errorf("a member's key invites: %v", err)
	}

	must(t, f.svc.Deactivate(f.ctx, f.owner, "mia.member@example.com"))
	if _, err := f.svc.APIKeyActor(f.ctx, secret); !errors.As(err, &d) || !strings.Contains(err.Error(), "deactivated") {
		t.Errorf("a deactivated user's key: %v", err)
	}
	must(t, f.svc.Reactivate(f.ctx, f.owner, "mia.member@example.com"))
	_, err = f.svc.Delete(f.ctx, f.owner, "mia.member@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	if _, err := f.svc.APIKeyActor(f.ctx, secret); !errors.Is(err, ErrBadAPIKey) {
		t.Errorf("a deleted user's key: %v", err)
	}
}

// Nobody creates, regenerates or reads the secret of another's key; an
// operator revokes another's key only if they may act as them.
func TestAPIKeysOfOthers(t *testing.T) {
	f := newFixture(t)
	f.addUser("max.manager@example.com", "manager", store.Active)
	_, ownerKey, err := f.svc.CreateAPIKey(f.ctx, f.owner, "okta", time.Time{})
	must(t, err)
	_, maxKey, err := f.svc.CreateAPIKey(f.ctx, as("max.manager@example.com"), "zapier", time.Time{})
	must(t, err)
	maxOp := as("max.manager@example.com")

	var nf *NotFoundError
	if _, _, err := f.svc.RegenerateAPIKey(f.ctx, maxOp, ownerKey.ID); !errors.As(err, &nf) {
		t.Errorf("a manager regenerates the owner's key: %v", err)
	}
	before := f.snapshot()
	wantDenied(t, f.svc.RevokeAPIKey(f.ctx, maxOp, ownerKey.ID), "")
	_, err = f.svc.APIKeys(f.ctx, maxOp, ownerEmail)
	wantDenied(t, err, "")
	f.unchanged(before)

	keys, err := f.svc.APIKeys(f.ctx, f.owner, "max.manager@example.com")
	if err != nil || len(keys) != 1 || keys[0].ID != maxKey.ID {
		t.Fatalf("the owner lists the manager's keys: %+v, %v", keys, err)
	}
	must(t, f.svc.RevokeAPIKey(f.ctx, f.owner, maxKey.ID))
	if rows := f.audits("apikey.revoke"); len(rows) != 1 || rows[0].Target != "max.manager@example.com" || rows[0].Actor != ownerEmail {
		t.Errorf("the revocation's audit: %+v", rows)
	}
}

// A refusal whose entry could not be written is written by the next one,
// not an hour later: the hour is counted from an entry that was committed.
func TestKeyRefusalAuditedOnceWritten(t *testing.T) {
	f := newFixture(t)
	secret, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, "zapier", f.now().Add(time.Hour))
	must(t, err)
	f.advance(2 * time.Hour)
	restore := f.refuseAudit()
	if _, err := f.svc.APIKeyActor(f.ctx, secret); err == nil || !strings.Contains(err.Error(), "audit refused") {
		t.Fatalf("with the audit refused: %v", err)
	}
	restore()
	f.advance(time.Minute)
	var d *DeniedError
	if _, err := f.svc.APIKeyActor(f.ctx, secret); !errors.As(err, &d) {
		t.Fatalf("the expired key: %v", err)
	}
	if n := len(f.audits("apikey.refused")); n != 1 {
		t.Fatalf("%d refusals audited, want 1", n)
	}
	// Once written, the hour holds again.
	f.advance(time.Minute)
	if _, err := f.svc.APIKeyActor(f.ctx, secret); !errors.As(err, &d) {
		t.Fatalf("the expired key again: %v", err)
	}
	if n := len(f.audits("apikey.refused")); n != 1 {
		t.Fatalf("%d refusals audited, want 1", n)
	}
}

// An actor found by an API key acts only while the key lets them in: each
// operation checks it again, as an SSH key is checked, so that revoking a
// leaked key, or giving it a new secret, stops what a request (a bulk
// act's batches) had begun with it, and a key expiring on the way does
// too. The actor went on acting as the key's owner until the request ended.
func TestAPIKeyStopsWhatItBegan(t *testing.T) {
	f := newFixture(t)
	actor := func(expires time.Time) (Actor, *store.APIKey) {
		t.Helper()
		secret, k, err := f.svc.CreateAPIKey(f.ctx, f.owner, "okta", expires)
		must(t, err)
		a, err := f.svc.APIKeyActor(f.ctx, secret)
		must(t, err)
		if _, err := f.svc.ListUsers(f.ctx, a, store.ListQuery{Limit: 1}); err != nil {
			t.Fatalf("the key before: %v", err)
		}
		return a, k
	}
	refused := func(a Actor, want string) {
		t.Helper()
		_, err := f.svc.ListUsers(f.ctx, a, store.ListQuery{Limit: 1})
		var d *DeniedError
		if !errors.As(err, &d) || !strings.Contains(err.Error(), want) {
			t.Errorf("listing users: %v, want a refusal saying %q", err, want)
		}
		if _, err := f.svc.Edit(f.ctx, a, ownerEmail, 0, Profile{Position: ptr("Leaked")}); !errors.As(err, &d) {
			t.Errorf("an edit: %v, want a refusal", err)
		}
	}
	revoked, k := actor(time.Time{})
	must(t, f.svc.RevokeAPIKey(f.ctx, f.owner, k.ID))
	refused(revoked, "was revoked or given a new secret")

	regenerated, k := actor(time.Time{})
	_, _, err := f.svc.RegenerateAPIKey(f.ctx, f.owner, k.ID)
	must(t, err)
	refused(regenerated, "was revoked or given a new secret")

	expiring, _ := actor(f.now().Add(time.Hour))
	f.advance(time.Hour)
	refused(expiring, "expired on")

	kept, _ := actor(time.Time{})
	if _, err := f.svc.ListUsers(f.ctx, kept, store.ListQuery{Limit: 1}); err != nil {
		t.Errorf("a key kept: %v", err)
	}
}

// A key is known without the write lock when there is nothing to write: a
// key used within the minute, a refusal audited within the hour. Every
// request took the write lock, so that each, a read included, waited
// behind every write under way (a bulk act's batch, an import's).
func TestAPIKeyWaitsForNoWriter(t *testing.T) {
	f := newFixture(t)
	secret, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, "okta", f.now().Add(time.Hour))
	must(t, err)
	// check asks for the key's actor while a write is under way, and
	// reports the answer, or that it waited for the write.
	check := func(what string, want func(error) bool) {
		t.Helper()
		writing, done := make(chan struct{}), make(chan struct{})
		wrote := make(chan error, 1)
		go func() {
			wrote <- f.st.Write(f.ctx, func(q *store.Q) error {
				close(writing)
				<-done
				return nil
			})
		}()
		<-writing
		got := make(chan error, 1)
		go func() { _, err := f.svc.APIKeyActor(f.ctx, secret); got <- err }()
		select {
		case err := <-got:
			if !want(err) {
				t.Errorf("%s: %v", what, err)
			}
			close(done)
		case <-time.After(2 * time.Second):
			t.Errorf("%s waited for the write under way", what)
			close(done)
			<-got
		}
		must(t, <-wrote)
	}
	_, err = f.svc.APIKeyActor(f.ctx, secret) // its use recorded
	must(t, err)
	check("a key used within the minute", func(err error) bool { return err == nil })
	f.advance(time.Hour) // expired: the first refusal is audited, the next not within the hour
	var d *DeniedError
	if _, err = f.svc.APIKeyActor(f.ctx, secret); !errors.As(err, &d) {
		t.Fatalf("the expired key: %v", err)
	}
	check("a refusal audited within the hour", func(err error) bool { return errors.As(err, &d) })
}
