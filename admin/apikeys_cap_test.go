package admin

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// One person holds at most maxAPIKeys working keys: each has a rate limit
// of its own, so that creating keys without end multiplied it at will. An
// expired key or a revoked one leaves its place.
func TestAPIKeysPerPersonBounded(t *testing.T) {
	f := newFixture(t)
	for i := range maxAPIKeys {
		expires := time.Time{}
		if i == 0 {
			expires = f.now().Add(time.Hour)
		}
		_, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, fmt.Sprint("key ", i), expires)
		must(t, err)
	}
	refused := func(what string) {
		t.Helper()
		_, _, err := f.svc.CreateAPIKey(f.ctx, f.owner, "one more", time.Time{})
		var st *StateError
		if !errors.As(err, &st) || !strings.Contains(err.Error(), "holds 25 API keys, the most one person may") {
			t.Fatalf("%s: %v, want a refusal", what, err)
		}
	}
	refused("a key past the most")
	f.advance(2 * time.Hour) // the first expires
	_, k, err := f.svc.CreateAPIKey(f.ctx, f.owner, "in the expired one's place", time.Time{})
	must(t, err)
	refused("a key past the most again")
	must(t, f.svc.RevokeAPIKey(f.ctx, f.owner, k.ID))
	_, _, err = f.svc.CreateAPIKey(f.ctx, f.owner, "in the revoked one's place", time.Time{})
	must(t, err)
}
