package admin

import (
	"slices"
	"testing"
	"time"

	"roster/internal/testdb"
	"roster/store"
)

// Seeded people are ones the rules would have accepted, and the rules work
// on them as on anyone.
func TestSeededDataPassesTheRules(t *testing.T) {
	testdb.SQLiteOnly(t, "store.Seed is SQLite's until PostgreSQL's benchmarks")
	f := newFixture(t)
	f.clock.Store(time.Now().Unix()) // Seed dates things from the wall clock
	stats, err := store.Seed(f.ctx, f.st, 2000, 11, Presets)
	must(t, err)
	if stats.Users != 2000 {
		t.Fatalf("stats %+v", stats)
	}
	acct, err := f.svc.Account(f.ctx)
	must(t, err)
	var away []string
	var cursor *store.Cursor
	seen := 0
	for {
		p, err := f.svc.ListUsers(f.ctx, f.owner, store.ListQuery{Limit: 500, After: cursor})
		must(t, err)
		for _, u := range p.Users {
			seen++
			if e, err := NormalizeEmail(u.Email); err != nil || e != u.Email || IsRoleAddress(u.Email) {
				t.Errorf("address %q: %v", u.Email, err)
			}
			if ph, err := NormalizePhone(u.Phone, acct.Country); err != nil || ph != u.Phone {
				t.Errorf("phone %q of %s: %q, %v", u.Phone, u.Email, ph, err)
			}
			for _, s := range append([]string{u.FirstName, u.LastName, u.Position, u.ReferenceID}, u.Tags...) {
				if c, err := checkText("text", s, 100); err != nil || c != s {
					t.Errorf("text %q of %s: %v", s, u.Email, err)
				}
			}
			if !KnownRole(u.Role) {
				t.Errorf("role %q", u.Role)
			}
			if u.Away && u.Status == store.Active {
				away = append(away, u.Email)
			}
		}
		if !p.More {
			break
		}
		cursor = &p.Cursors[len(p.Cursors)-1]
	}
	if seen != 2001 {
		t.Fatalf("listed %d users, want 2001", seen)
	}
	if len(away) == 0 {
		t.Fatal("nobody away")
	}
	for _, e := range away {
		r, err := f.svc.Route(f.ctx, f.owner, e)
		must(t, err)
		if r.Status != store.Active {
			t.Errorf("work for %s goes to %s, who is %s", e, r.Email, r.Status)
		}
	}
	stuck, err := f.svc.Stuck(f.ctx, f.owner)
	must(t, err)
	if len(stuck) == 0 {
		t.Fatal("no stuck invitation among the seeded ones")
	}
	// Resending one goes through the rate limit and the rest like any other.
	if out := f.svc.Resend(f.ctx, f.owner, []string{stuck[0].Email}); out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	// Editing re-indexes a seeded user as the seed indexed them.
	p, err := f.svc.ListUsers(f.ctx, f.owner, store.ListQuery{Status: "active", Limit: 2})
	must(t, err)
	target, heir := p.Users[0], p.Users[1]
	keys := func() []string {
		return f.rows(`SELECT key FROM search_keys WHERE user_id = ? ORDER BY key`, target.ID)
	}
	before := keys()
	_, err = f.svc.Edit(f.ctx, f.owner, target.Email, 0, Profile{})
	must(t, err)
	if after := keys(); !slices.Equal(before, after) {
		t.Fatalf("search keys %v, after an empty edit %v", before, after)
	}
	if target.Role != "owner" {
		_, err = f.svc.Delete(f.ctx, f.owner, target.Email, DeleteRequest{Heir: heir.Email})
		must(t, err)
	}
}
