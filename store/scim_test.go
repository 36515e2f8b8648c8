package store

import (
	"context"
	"errors"
	"testing"
)

// Migration 031 keeps the identity provider's IDs an older roster
// recorded, and a user known by one may then be given a userName.
func TestSCIMIDsMigrated(t *testing.T) {
	ctx := context.Background()
	st := olderStore(t, 29,
		`INSERT INTO users (id, email, email_key, sort_name, role, status, created_at, updated_at) VALUES
			(1, 'ann@acme.test', 'ann@acme.test', 'ann', 'member', 'active', 0, 0)`,
		`INSERT INTO scim_ids (user_id, external_id) VALUES (1, 'ext-ann')`)
	must(t, st.Write(ctx, func(q *Q) error { return q.SetSCIMUserName(ctx, 1, "ann@acme.onmicrosoft.com") }))
	got, err := st.Read().SCIMIDsOf(ctx, 1)
	must(t, err)
	if got[1] != (SCIMIDs{ExternalID: "ext-ann", UserName: "ann@acme.onmicrosoft.com"}) {
		t.Fatalf("ann's SCIM IDs after the migration: %+v", got[1])
	}
}

// A user may be known by a userName alone, unique whatever its case, or
// by an externalId alone; removing one of a user's identifiers keeps the
// other. externalId's NOT NULL refused a userName without one.
func TestSCIMUserNames(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	ann, bob, cy := addUser(t, st, &User{Email: "ann@acme.test"}).ID, addUser(t, st, &User{Email: "bob@acme.test"}).ID, addUser(t, st, &User{Email: "cy@acme.test"}).ID
	ids := func(want map[int64]SCIMIDs) {
		t.Helper()
		got, err := st.Read().SCIMIDsOf(ctx, ann, bob, cy)
		must(t, err)
		if len(got) != len(want) {
			t.Fatalf("the users' SCIM IDs: %v, want %v", got, want)
		}
		for id, w := range want {
			if got[id] != w {
				t.Fatalf("the users' SCIM IDs: %v, want %v", got, want)
			}
		}
	}
	must(t, st.Write(ctx, func(q *Q) error {
		if err := q.SetExternalID(ctx, ann, "ext-ann"); err != nil {
			return err
		}
		if err := q.SetSCIMUserName(ctx, bob, "BDupont@acme.onmicrosoft.com"); err != nil {
			return err
		}
		return q.SetSCIMUserName(ctx, ann, "ann@acme.onmicrosoft.com")
	}))
	ids(map[int64]SCIMIDs{ann: {ExternalID: "ext-ann", UserName: "ann@acme.onmicrosoft.com"}, bob: {UserName: "BDupont@acme.onmicrosoft.com"}})
	err := st.Write(ctx, func(q *Q) error { return q.SetSCIMUserName(ctx, cy, "bdupont@ACME.onmicrosoft.com") })
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("another user's userName in another case: %v", err)
	}
	id, err := st.Read().UserIDBySCIMUserName(ctx, "bdupont@acme.ONMICROSOFT.com")
	must(t, err)
	if id != bob {
		t.Fatalf("bdupont is user %d, want bob, %d", id, bob)
	}
	must(t, st.Write(ctx, func(q *Q) error {
		if err := q.SetExternalID(ctx, ann, ""); err != nil {
			return err
		}
		if err := q.SetSCIMUserName(ctx, bob, ""); err != nil {
			return err
		}
		return q.SetExternalID(ctx, cy, "ext-cy")
	}))
	ids(map[int64]SCIMIDs{ann: {UserName: "ann@acme.onmicrosoft.com"}, cy: {ExternalID: "ext-cy"}})
	if _, err := st.Read().UserIDBySCIMUserName(ctx, "bdupont@acme.onmicrosoft.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob's userName removed: %v", err)
	}
}
