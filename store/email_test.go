package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Spellings of one address have one key: Unicode case, composed or decomposed
// accents, the domain in Unicode or its IDNA ASCII form. Accents themselves
// make another address.
func TestEmailKey(t *testing.T) {
	same := [][]string{
		{"Zoé@acme.test", "ZOÉ@acme.test", "zoe\u0301@ACME.test", "ZOE\u0301@acme.test", " zoé@acme.test "},
		{"jan@münchen.example", "jan@xn--mnchen-3ya.example", "Jan@MÜNCHEN.example", "jan@mu\u0308nchen.example"},
		{"straße@acme.test", "STRASSE@acme.test"},
		{"Jean.Dupont@Example.FR", "jean.dupont@example.fr"},
	}
	for _, spellings := range same {
		for _, s := range spellings[1:] {
			if a, b := EmailKey(spellings[0]), EmailKey(s); a != b {
				t.Errorf("EmailKey(%q) = %q, EmailKey(%q) = %q: want one key", spellings[0], a, s, b)
			}
		}
	}
	for _, pair := range [][2]string{{"zoe@acme.test", "zoé@acme.test"}, {"jan@munchen.example", "jan@münchen.example"}} {
		if EmailKey(pair[0]) == EmailKey(pair[1]) {
			t.Errorf("%q and %q have one key %q: accents make another address", pair[0], pair[1], EmailKey(pair[0]))
		}
	}
}

// The store finds a user by any spelling of their address and refuses a
// second user for it, whatever the spelling.
func TestUsersOneAddress(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	zoe := addUser(t, st, &User{Email: "Zoé@acme.test"})
	jan := addUser(t, st, &User{Email: "jan@münchen.example"})
	for _, c := range []struct {
		user   *User
		others []string
	}{
		{zoe, []string{"ZOÉ@acme.test", "zoe\u0301@acme.test", "ZOE\u0301@ACME.TEST"}},
		{jan, []string{"jan@xn--mnchen-3ya.example", "JAN@MÜNCHEN.EXAMPLE"}},
	} {
		for _, e := range c.others {
			u, err := st.Read().UserByEmail(ctx, e, t0)
			if err != nil || u.ID != c.user.ID {
				t.Errorf("UserByEmail(%q) = %v, %v; want %s", e, u, err, c.user.Email)
			}
			if taken, err := st.Read().TakenEmails(ctx, e); err != nil || !taken[EmailKey(e)] {
				t.Errorf("TakenEmails(%q) = %v, %v; want its key", e, taken, err)
			}
			err = st.Write(ctx, func(q *Q) error {
				return q.InsertUser(ctx, &User{Email: e, Role: "member", Status: Staged, Locale: "en", CreatedAt: t0, UpdatedAt: t0})
			})
			if !errors.Is(err, ErrDuplicate) {
				t.Errorf("InsertUser(%q): %v, want ErrDuplicate", e, err)
			}
		}
	}
	// Changing an address to another spelling of someone else's is refused too.
	err := st.Write(ctx, func(q *Q) error {
		u, err := q.UserByID(ctx, jan.ID, t0)
		if err != nil {
			return err
		}
		u.Email = "ZOÉ@acme.test"
		return q.UpdateUser(ctx, u, u.Version)
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("UpdateUser to another spelling of Zoé's address: %v, want ErrDuplicate", err)
	}
}

// A database written before addresses had keys opens; the users it holds
// twice under the new key are reported, the older one keeps the address, the
// other is still found by its exact spelling (its SSH keys still name it),
// and gets the key when the older one is deleted.
func TestMigrationReportsAddressClashes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "roster.db")
	raw := schemaDB(t, path, 4)
	_, err := raw.Exec("PRAGMA user_version = 4")
	must(t, err)
	// All distinct by the old NOCASE comparison.
	for i, e := range []string{"Zoé@acme.test", "ada@acme.test", "ZOÉ@acme.test", "jan@münchen.example", "zoe\u0301@acme.test", "jan@xn--mnchen-3ya.example"} {
		_, err := raw.Exec(`INSERT INTO users (id, email, sort_name, role, status, created_at, updated_at)
			VALUES (?, ?, ?, 'member', 'active', 0, 0)`, i+1, e, e)
		must(t, err)
	}
	_, err = raw.Exec(`INSERT INTO ssh_keys (user_id, fingerprint, public_key, created_at) VALUES (3, 'SHA256:x', 'ssh-ed25519 x', 0)`)
	must(t, err)
	must(t, raw.Close())
	// An older roster left the file readable by others; Open asks for this chmod.
	must(t, os.Chmod(path, 0o600))

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open a database with address clashes: %v", err)
	}
	defer st.Close()
	clashes := func() string {
		cs, err := st.Read().AddressClashes(ctx)
		must(t, err)
		return fmt.Sprint(cs)
	}
	want := "[{3 ZOÉ@acme.test 1 Zoé@acme.test} {5 zoe\u0301@acme.test 1 Zoé@acme.test} {6 jan@xn--mnchen-3ya.example 4 jan@münchen.example}]"
	if got := clashes(); got != want {
		t.Fatalf("clashes %s, want %s", got, want)
	}
	find := func(email string) int64 {
		t.Helper()
		u, err := st.Read().UserByEmail(ctx, email, t0)
		must(t, err)
		return u.ID
	}
	for email, id := range map[string]int64{"zoé@ACME.test": 1, "Zoé@acme.test": 1, "ZOÉ@acme.test": 3, "zoe\u0301@acme.test": 5,
		"jan@MÜNCHEN.example": 4, "jan@xn--mnchen-3ya.example": 6, "ADA@acme.test": 2} {
		if got := find(email); got != id {
			t.Errorf("UserByEmail(%q) = user %d, want %d", email, got, id)
		}
	}
	k, err := st.Read().KeyByFingerprint(ctx, "SHA256:x")
	must(t, err)
	if got := find(k.Email); got != 3 {
		t.Errorf("the key's owner %s is found as user %d, want 3", k.Email, got)
	}
	// Editing a user left without a key works, and keeps the clash as it is.
	must(t, st.Write(ctx, func(q *Q) error {
		u, err := q.UserByID(ctx, 3, t0)
		if err != nil {
			return err
		}
		u.Position = "Engineer"
		return q.UpdateUser(ctx, u, u.Version)
	}))
	if got := clashes(); got != want {
		t.Fatalf("after an edit: clashes %s, want %s", got, want)
	}
	// Deleting the holder hands the key to the next oldest.
	must(t, st.Write(ctx, func(q *Q) error { return q.DeleteUser(ctx, 1) }))
	want = "[{5 zoe\u0301@acme.test 3 ZOÉ@acme.test} {6 jan@xn--mnchen-3ya.example 4 jan@münchen.example}]"
	if got := clashes(); got != want {
		t.Fatalf("after deleting the holder: clashes %s, want %s", got, want)
	}
	if got := find("zoé@acme.test"); got != 3 {
		t.Errorf("zoé@acme.test is user %d, want 3", got)
	}
}
