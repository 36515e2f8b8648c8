package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// everyKey is each search key of u, as search_keys held them all before
// migration 030: the address, both orders of the name, the position, the
// reference and the tags, folded.
func everyKey(u *User) []string {
	var keys []string
	for _, k := range append([]string{u.Email, u.FirstName + " " + u.LastName, u.LastName + " " + u.FirstName, u.Position, u.ReferenceID}, u.Tags...) {
		if k = Fold(strings.TrimSpace(k)); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// searchPeople are users whose keys meet in every way the arms of a
// search can: addresses in ASCII or not (accented, an IDN domain, ß),
// nobody's name, a name read the same both ways, a position or tag equal
// to a name or an address.
func searchPeople() []*User {
	return []*User{
		{Email: "marie.dupont@example.com", FirstName: "Marie", LastName: "Dupont", Position: "Marketing", ReferenceID: "E01"},
		{Email: "josé.martin@example.com", FirstName: "José", LastName: "Martin", Position: "Comptable"},
		{Email: "mar@bücher.example", FirstName: "Anna", LastName: "Bücher"},
		{Email: "Straße@example.com", FirstName: "Marc", LastName: "Straße", Tags: []string{"marc straße"}},
		{Email: "martin.martin@example.com", FirstName: "Martin", LastName: "Martin", Position: "martin martin"},
		{Email: "MARIO@EXAMPLE.COM"},
		{Email: "e01@example.com", FirstName: "Émile", LastName: "Marais", ReferenceID: "E01", Tags: []string{"mar", "ventes"}},
		{Email: "zoe@example.com", FirstName: "Zoé", LastName: "Duval", Position: "zoe@example.com"},
		{Email: "mara@example.com", FirstName: "Mara", LastName: "Ann", Position: "Marketing", Tags: []string{"mara@example.com"}},
	}
}

// hit is a user listed by a search at a key.
type hit struct {
	key string
	id  int64
}

// wantSearch is what a search for prefix lists of users: each user once,
// at the first of every one of their keys the prefix matches, in key order.
func wantSearch(users []*User, prefix string) []hit {
	p := Fold(strings.TrimSpace(prefix))
	var out []hit
	for _, u := range users {
		var first string
		for _, k := range everyKey(u) {
			if strings.HasPrefix(k, p) && (first == "" || k < first) {
				first = k
			}
		}
		if first != "" {
			out = append(out, hit{first, u.ID})
		}
	}
	slices.SortFunc(out, func(a, b hit) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	return out
}

// readSearch pages through a search, limit users a page, forwards, then
// backwards from the end, and returns what the forward pages listed.
func readSearch(t *testing.T, st *Store, lq ListQuery) []hit {
	t.Helper()
	ctx := context.Background()
	var got []hit
	var cursors []Cursor
	for n := 0; ; n++ {
		p, err := st.Read().ListUsers(ctx, lq)
		must(t, err)
		for i, u := range p.Users {
			got = append(got, hit{p.Cursors[i].Text, u.ID})
			cursors = append(cursors, p.Cursors[i])
		}
		if !p.More || n > 100 {
			break
		}
		lq.After = &cursors[len(cursors)-1]
	}
	if len(cursors) > 1 { // backwards from the last row: the rows before it
		back := lq
		back.After, back.Before, back.Limit = nil, &cursors[len(cursors)-1], len(cursors)
		p, err := st.Read().ListUsers(ctx, back)
		must(t, err)
		var ids []int64
		for _, u := range p.Users {
			ids = append(ids, u.ID)
		}
		var want []int64
		for _, h := range got[:len(got)-1] {
			want = append(want, h.id)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%q read backwards: %v, forwards %v", lq.Search, ids, want)
		}
	}
	return got
}

// A search lists each user once, at the first of their keys that matches,
// in key order, page after page and backwards, whether the key is a row
// of search_keys or the sort name or address key on the users' row; and it
// counts and selects the same users.
func TestSearchReadsTheUsersOwnKeys(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	users := searchPeople()
	for _, u := range users {
		u.Status = Active
		addUser(t, st, u)
	}
	prefixes := map[string]bool{"": false}
	for _, u := range users {
		for _, k := range everyKey(u) {
			for n := range k {
				prefixes[k[:n]] = true
			}
			prefixes[k] = true
		}
	}
	prefixes["xn--"], prefixes["strasse"], prefixes["jose@"], prefixes["mario@exa"] = true, true, true, true
	for prefix := range prefixes {
		if prefix == "" || !strings.ContainsRune("mjsxz", rune(prefix[0])) && len(prefix) > 3 {
			continue // enough to meet every arm, in a second
		}
		want := wantSearch(users, prefix)
		for _, limit := range []int{2, 50} {
			got := readSearch(t, st, ListQuery{Search: prefix, Limit: limit, Now: t0})
			if !slices.Equal(got, want) {
				t.Fatalf("search %q by %d: %v, want %v", prefix, limit, got, want)
			}
		}
		lq := ListQuery{Search: prefix, Now: t0}
		n, err := st.Read().CountUsers(ctx, lq)
		must(t, err)
		ids, err := st.Read().UserIDs(ctx, lq)
		must(t, err)
		var wantIDs []int64
		for _, h := range want {
			wantIDs = append(wantIDs, h.id)
		}
		slices.Sort(wantIDs)
		if n != len(want) || !slices.Equal(ids, wantIDs) {
			t.Fatalf("search %q counts %d, selects %v; want %v", prefix, n, ids, wantIDs)
		}
	}
}

// A database made before migration 030, its search_keys holding every key,
// keeps only those the users' own indexes do not hold, and is searched as
// before.
func TestMigrationDropsTheSearchKeysUsersHold(t *testing.T) {
	users := searchPeople()
	stmts := []string{}
	for i, u := range users {
		u.ID = int64(i + 1)
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO users (id, email, email_key, first_name, last_name, sort_name, position,
			reference_id, role, status, created_at, updated_at) VALUES (%d, '%s', '%s', '%s', '%s', '%s', '%s', '%s', 'member', 'active', 0, 0)`,
			u.ID, u.Email, EmailKey(u.Email), u.FirstName, u.LastName, sortName(u), u.Position, u.ReferenceID))
		for _, k := range everyKey(u) {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO search_keys (key, user_id) VALUES ('%s', %d)", k, u.ID))
		}
		for _, tag := range u.Tags {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO user_tags (user_id, tag) VALUES (%d, '%s')", u.ID, tag))
		}
	}
	st := olderStore(t, 29, stmts...)
	ctx := context.Background()
	for _, u := range users {
		got, err := st.Read().strings(ctx, "SELECT key FROM search_keys WHERE user_id = ? ORDER BY key", u.ID)
		must(t, err)
		want := searchKeys(u.Email, u.FirstName, u.LastName, u.Position, u.ReferenceID, u.Tags)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s keeps the keys %q, want %q", u.Email, got, want)
		}
	}
	for _, prefix := range []string{"m", "mar", "e0", "jos", "zoe@", "xn", "stra"} {
		if got, want := readSearch(t, st, ListQuery{Search: prefix, Limit: 3, Now: t0}), wantSearch(users, prefix); !slices.Equal(got, want) {
			t.Errorf("search %q after the migration: %v, want %v", prefix, got, want)
		}
	}
}
