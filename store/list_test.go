package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// listFixture is a few hundred users with clashing and accented names, mixed
// statuses and logins, some in a team, some tagged, some away or expired.
func listFixture(t *testing.T) (*Store, []*User) {
	st := openTemp(t)
	ctx := context.Background()
	addTeams(t, st, "Ventes")
	firsts := []string{"Élodie", "Eloise", "Marc", "Marie", "Mårten", "Zoé", "zoe", "Anne", "Ann", ""}
	lasts := []string{"Martin", "Marchand", "Éric", "Dupont", "du Pont", "Łukasz", "Ng", ""}
	statuses := []Status{Active, Active, Active, Invited, Staged, Deactivated}
	r := rand.New(rand.NewPCG(1, 2))
	var users []*User
	for i := range 300 {
		u := &User{
			Email:     fmt.Sprintf("user%03d@%s.example.com", i, []string{"acme", "Marseille", "zeta"}[i%3]),
			FirstName: firsts[r.IntN(len(firsts))], LastName: lasts[r.IntN(len(lasts))],
			Position: []string{"", "Marketing", "Comptable", "Manager"}[r.IntN(4)],
			Status:   statuses[r.IntN(len(statuses))],
		}
		if u.Status == Active && r.IntN(4) > 0 {
			u.LastLoginAt = t0.Add(-time.Duration(r.IntN(5)) * 24 * time.Hour) // many ties
		}
		if r.IntN(5) == 0 {
			u.Teams = []string{"Ventes"}
		}
		if r.IntN(6) == 0 {
			u.Tags = []string{"Marchés publics"}
		}
		addUser(t, st, u)
		if !u.LastLoginAt.IsZero() {
			must(t, st.Write(ctx, func(q *Q) error { return q.RecordLogin(ctx, u.ID, true, u.LastLoginAt) }))
		}
		if r.IntN(6) == 0 { // away: some now, some back already, some planned
			from := t0.Add(time.Duration(r.IntN(5)-3) * 24 * time.Hour)
			must(t, st.Write(ctx, func(q *Q) error {
				return q.InsertAway(ctx, &AwayPeriod{UserID: u.ID, Start: from, End: from.Add(48 * time.Hour), CreatedAt: t0})
			}))
		}
	}
	// Read them back as stored.
	must(t, st.ReadTx(ctx, func(q *Q) error {
		for id := int64(1); id <= 300; id++ {
			u, err := q.UserByID(ctx, id, t0)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	}))
	return st, users
}

// readAll reads every page of a listing forwards, checking More on each.
func readAll(t *testing.T, st *Store, lq ListQuery) (ids []int64, pages [][]int64) {
	t.Helper()
	ctx := context.Background()
	for n := 0; ; n++ {
		p, err := st.Read().ListUsers(ctx, lq)
		must(t, err)
		var page []int64
		for _, u := range p.Users {
			page = append(page, u.ID)
		}
		ids = append(ids, page...)
		pages = append(pages, page)
		if !p.More {
			return ids, pages
		}
		if len(p.Users) != lq.Limit {
			t.Fatalf("page %d: %d rows and More", n, len(p.Users))
		}
		c := p.Cursors[len(p.Cursors)-1]
		lq.After = &c
		if n > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

// Keyset pages, read forwards or backwards, give every user once, in order.
func TestListUsersKeyset(t *testing.T) {
	st, users := listFixture(t)
	byName := func(a, b *User) int {
		return cmp.Or(strings.Compare(Fold(a.Name()), Fold(b.Name())), cmp.Compare(a.ID, b.ID))
	}
	orders := map[string]func(a, b *User) int{
		"name": byName,
		"last-login": func(a, b *User) int {
			return cmp.Or(-a.LastLoginAt.Compare(b.LastLoginAt), -cmp.Compare(a.ID, b.ID))
		},
		"status": func(a, b *User) int { return cmp.Or(strings.Compare(string(a.Status), string(b.Status)), byName(a, b)) },
	}
	// Sets of users are read one way when few, another when many: both.
	defer func(l int) { setLimit = l }(setLimit)
	for _, limit := range []int{1, 2000} {
		setLimit = limit
		for sortBy, order := range orders {
			for _, filter := range []string{"", "active", "never-logged-in", "away", "team"} {
				t.Run(fmt.Sprint(sortBy, " ", filter, " ", limit), func(t *testing.T) {
					keyset(t, st, users, sortBy, order, filter)
				})
			}
		}
	}
	// Only users of the team.
	got, _ := readAll(t, st, ListQuery{Team: "ventes", Limit: 10, Now: t0})
	for _, id := range got {
		if !slices.Contains(users[id-1].Teams, "Ventes") {
			t.Fatalf("user %d is not in the team", id)
		}
	}
	if n := countFunc(users, func(u *User) bool { return len(u.Teams) > 0 }); len(got) != n {
		t.Fatalf("%d team members listed, want %d", len(got), n)
	}
}

func keyset(t *testing.T, st *Store, users []*User, sortBy string, order func(a, b *User) int, filter string) {
	var want []int64
	sorted := slices.Clone(users)
	slices.SortFunc(sorted, order)
	for _, u := range sorted {
		if filter == "" || filter == "active" && u.Status == Active ||
			filter == "never-logged-in" && u.LastLoginAt.IsZero() && (u.Status == Active || u.Status == Invited) ||
			filter == "away" && u.Away || filter == "team" && len(u.Teams) > 0 {
			want = append(want, u.ID)
		}
	}
	lq := ListQuery{Sort: sortBy, Status: filter, Limit: 7, Now: t0}
	if filter == "team" {
		lq.Status, lq.Team = "", "Ventes"
	}
	got, pages := readAll(t, st, lq)
	if !slices.Equal(got, want) {
		t.Fatalf("order\n got %v\nwant %v", got, want)
	}
	// Backwards from the last page's first row gives the pages before it.
	if len(pages) < 3 {
		t.Fatalf("only %d pages", len(pages))
	}
	ctx := context.Background()
	first, err := st.Read().UserByID(ctx, pages[2][0], t0)
	must(t, err)
	c := orderCursor(sortBy, first)
	lq.Before = &c
	back, err := st.Read().ListUsers(ctx, lq)
	must(t, err)
	var backIDs []int64
	for _, u := range back.Users {
		backIDs = append(backIDs, u.ID)
	}
	if !slices.Equal(backIDs, pages[1]) {
		t.Fatalf("page 2 read backwards %v, forwards %v", backIDs, pages[1])
	}
}

func orderCursor(sortBy string, u *User) Cursor { return orders[sortBy].cursor(u, "") }

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// A search matches the start of an email, a name in either order, a position,
// a reference ID or a tag, whatever the case and accents.
func TestListUsersSearch(t *testing.T) {
	st, users := listFixture(t)
	matches := func(u *User, prefix string) bool {
		p := Fold(prefix)
		for _, k := range append([]string{u.Email, u.FirstName + " " + u.LastName, u.LastName + " " + u.FirstName, u.Position, u.ReferenceID}, u.Tags...) {
			if strings.HasPrefix(Fold(strings.TrimSpace(k)), p) && strings.TrimSpace(k) != "" {
				return true
			}
		}
		return false
	}
	defer func(l int) { setLimit = l }(setLimit)
	found := 0
	for _, limit := range []int{1, 2000} {
		setLimit = limit
		for _, q := range []string{"mar", "élo", "comptable"} {
			got, _ := readAll(t, st, ListQuery{Search: q, Team: "Ventes", Status: "away", Limit: 4, Now: t0})
			want := countFunc(users, func(u *User) bool { return matches(u, q) && u.Away && len(u.Teams) > 0 })
			seen := map[int64]bool{}
			for _, id := range got {
				if u := users[id-1]; !matches(u, q) || !u.Away || len(u.Teams) == 0 {
					t.Errorf("user %d listed for %q, away in the team", id, q)
				}
				seen[id] = true
			}
			if len(seen) != want {
				t.Errorf("%d users for %q, away in the team, want %d", len(seen), q, want)
			}
			found += want
		}
	}
	if found == 0 {
		t.Fatal("the fixture has nobody away in the team to search for")
	}
	setLimit = 2000
	for _, q := range []string{"mar", "MAR", "élo", "eloise", "zoé d", "du p", "user01", "user299@zeta", "marchés", "lukasz", "comptable", "nobody"} {
		t.Run(q, func(t *testing.T) {
			got, _ := readAll(t, st, ListQuery{Search: q, Limit: 9, Now: t0})
			seen := map[int64]bool{}
			for _, id := range got {
				seen[id] = true
				if !matches(users[id-1], q) {
					t.Errorf("user %d (%s %s %s) listed for %q", id, users[id-1].Email, users[id-1].Name(), users[id-1].Position, q)
				}
			}
			for _, u := range users {
				if matches(u, q) && !seen[u.ID] {
					t.Errorf("user %d (%s, %s) missing for %q", u.ID, u.Email, u.Name(), q)
				}
			}
		})
	}
}

// A listed user is the user read alone, tags and all ([] for none) when
// asked for, on every page, in every order.
func TestListedUserIsTheUserReadAlone(t *testing.T) {
	st, users := listFixture(t)
	ctx := context.Background()
	tagged := 0
	for _, lq := range []ListQuery{{Sort: "name"}, {Sort: "last-login"}, {Search: "mar"}} {
		lq.Limit, lq.Now, lq.Tags = 7, t0, true
		for n := 0; ; n++ {
			p, err := st.Read().ListUsers(ctx, lq)
			must(t, err)
			for _, u := range p.Users {
				if want := users[u.ID-1]; !reflect.DeepEqual(u, want) {
					t.Fatalf("listed by %q%s, page %d:\n%+v\nread alone:\n%+v", lq.Sort, lq.Search, n, u, want)
				}
				if len(u.Tags) > 0 {
					tagged++
				}
			}
			if !p.More {
				break
			}
			lq.After = &p.Cursors[len(p.Cursors)-1]
		}
	}
	if tagged == 0 {
		t.Fatal("nobody tagged listed")
	}
}

// Expired and away are derived from invitations and periods at the time asked.
func TestDerivedStatuses(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	inv := addUser(t, st, &User{Email: "inv@example.com", Status: Invited})
	old := addUser(t, st, &User{Email: "old@example.com", Status: Invited})
	away := addUser(t, st, &User{Email: "away@example.com"})
	must(t, st.Write(ctx, func(q *Q) error {
		for i, u := range []*User{inv, old} {
			sum := sha256.Sum256([]byte(u.Email))
			tk := &Token{UserID: u.ID, Kind: "invite", Hash: sum[:], CreatedAt: t0, ExpiresAt: t0.Add(time.Duration(i+1) * 24 * time.Hour)}
			if err := q.InsertToken(ctx, tk); err != nil {
				return err
			}
		}
		return q.InsertAway(ctx, &AwayPeriod{UserID: away.ID, Start: t0.Add(time.Hour), End: t0.Add(48 * time.Hour), CreatedAt: t0})
	}))
	at := func(d time.Duration) Summary {
		s, err := st.Read().Summary(ctx, t0.Add(d))
		must(t, err)
		return s
	}
	for _, c := range []struct {
		at            time.Duration
		expired, away int
	}{{0, 0, 0}, {2 * time.Hour, 0, 1}, {24 * time.Hour, 1, 1}, {48 * time.Hour, 2, 0}} {
		s := at(c.at)
		if s.Expired != c.expired || s.Away != c.away || s.Total != 3 || s.Invited != 2 || s.NeverLoggedIn != 3 {
			t.Errorf("at +%v: %+v, want %d expired, %d away", c.at, s, c.expired, c.away)
		}
		p, err := st.Read().ListUsers(ctx, ListQuery{Status: "expired", Now: t0.Add(c.at)})
		must(t, err)
		if len(p.Users) != c.expired {
			t.Errorf("at +%v: %d listed expired", c.at, len(p.Users))
		}
		for _, limit := range []int{1, 2000} {
			setLimit = limit
			p, err := st.Read().ListUsers(ctx, ListQuery{Status: "away", Now: t0.Add(c.at)})
			must(t, err)
			if len(p.Users) != c.away || c.away == 1 && p.Users[0].ID != away.ID {
				t.Errorf("at +%v: %d listed away", c.at, len(p.Users))
			}
		}
		setLimit = 2000
		for _, u := range p.Users {
			if !u.Expired {
				t.Errorf("listed expired, read not expired: %+v", u)
			}
		}
	}
	if _, err := st.Read().ListUsers(ctx, ListQuery{Status: "gone"}); err == nil {
		t.Fatal("unknown filter accepted")
	}
	if _, err := st.Read().ListUsers(ctx, ListQuery{Sort: "age"}); err == nil {
		t.Fatal("unknown sort accepted")
	}
}

// A user's search keys are written from what is stored when the user is
// added and again on every edit: the old name, position and tags stop
// finding them, the new ones do.
func TestSearchKeysFollowEdits(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	u := addUser(t, st, &User{Email: "ann@example.com", FirstName: "Ann", LastName: "Arbor", Position: "Comptable",
		Tags: []string{"Paie", "Devis"}})
	found := func(prefix string) bool {
		t.Helper()
		p, err := st.Read().ListUsers(ctx, ListQuery{Search: prefix, Now: t0})
		must(t, err)
		return len(p.Users) == 1 && p.Users[0].ID == u.ID
	}
	for _, k := range []string{"ann@", "ann arb", "arbor ann", "compt", "paie", "devis"} {
		if !found(k) {
			t.Errorf("added: %q does not find Ann", k)
		}
	}
	must(t, st.Write(ctx, func(q *Q) error {
		v, err := q.UserByID(ctx, u.ID, t0)
		if err != nil {
			return err
		}
		v.LastName, v.Position, v.Tags = "Élan", "Juriste", []string{"Devis", "RGPD"}
		return q.UpdateUser(ctx, v, v.Version)
	}))
	for k, want := range map[string]bool{"ann@": true, "ann elan": true, "elan ann": true, "juriste": true, "rgpd": true,
		"devis": true, "ann arb": false, "arbor": false, "compt": false, "paie": false} {
		if found(k) != want {
			t.Errorf("edited: %q finds Ann: %v, want %v", k, !want, want)
		}
	}
}

// An export gives each field whole, whatever it holds: letters of several
// bytes, spaces, digits, commas, nothing, and the separator ExportUsers
// reads a row's fields with on SQLite (exportSep), which sends that row alone through
// the column by column read.
func TestExportUsersGivesEachFieldWhole(t *testing.T) {
	st := openTemp(t)
	want := []ExportRow{
		{Email: "zoe@acme.test", FirstName: "Zoë", LastName: "Ångström-Łukasz", Phone: "+33 6 12", Role: "admin",
			Teams: []string{"R&D", "Ventes Paris"}, Position: "12 34, chef", ReferenceID: "7 8", Locale: "fr"},
		{Email: "zy@acme.test", FirstName: "Zy" + exportSep, LastName: exportSep + exportSep, Role: "member",
			Teams: []string{}, Position: "a" + exportSep + "b,", Locale: "en"},
		{Email: "zz@acme.test", Role: "member", Teams: []string{}, Locale: "en"},
	}
	ctx := context.Background()
	addTeams(t, st, want[0].Teams...)
	for _, w := range want {
		addUser(t, st, &User{Email: w.Email, FirstName: w.FirstName, LastName: w.LastName, Phone: w.Phone, Role: w.Role,
			Teams: w.Teams, Position: w.Position, ReferenceID: w.ReferenceID, Locale: w.Locale})
	}
	var got []ExportRow
	must(t, st.ReadTx(ctx, func(q *Q) error {
		return q.ExportUsers(ctx, func(r *ExportRow) error { got = append(got, *r); return nil })
	}))
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("exported\n%q\nwant\n%q", got, want)
	}
}

// A search whose users each match on several keys pages as on SQLite, where
// a page is read to its end in one statement: full pages, each user once a
// page, backwards as forwards. On PostgreSQL a page then takes several
// chunks of rows (searchChunk).
func TestSearchPagesOverSeveralKeys(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	const users, tags = 20, 5
	for i := range users {
		// Five keys each, one after the other in the search's order.
		u := &User{Email: fmt.Sprintf("zed%02d@example.com", i), FirstName: "Zed", LastName: "Zed", Status: Active}
		for j := range tags {
			u.Tags = append(u.Tags, fmt.Sprintf("mar-%02d-%d", i, j))
		}
		addUser(t, st, u)
	}
	// Each user once, at their first key: pages of three in that order.
	var want [][]int64
	for first := int64(1); first <= users; first += 3 {
		var page []int64
		for id := first; id < first+3 && id <= users; id++ {
			page = append(page, id)
		}
		want = append(want, page)
	}
	lq := ListQuery{Search: "mar", Limit: 3, Now: t0}
	if _, pages := readAll(t, st, lq); !slices.EqualFunc(pages, want, slices.Equal) {
		t.Fatalf("pages %v, want %v", pages, want)
	}
	// Backwards from the third page's first row gives the second page.
	p, err := st.Read().ListUsers(ctx, lq)
	must(t, err)
	lq.After = &p.Cursors[2]
	second, err := st.Read().ListUsers(ctx, lq)
	must(t, err)
	lq.After = &second.Cursors[2]
	third, err := st.Read().ListUsers(ctx, lq)
	must(t, err)
	lq.After, lq.Before = nil, &third.Cursors[0]
	back, err := st.Read().ListUsers(ctx, lq)
	must(t, err)
	ids := func(p *Page) (ids []int64) {
		for _, u := range p.Users {
			ids = append(ids, u.ID)
		}
		return ids
	}
	if !slices.Equal(ids(back), ids(second)) {
		t.Fatalf("page 2 read backwards %v, forwards %v", ids(back), ids(second))
	}

	// Keys of different users in between: Ann matches on her name and on
	// her position, Bob's name comes between the two. Ann is on one page.
	ann := &User{Email: "ann@example.com", FirstName: "Mara", LastName: "Ann", Position: "Marketing", Status: Active}
	bob := &User{Email: "bob@example.com", FirstName: "Marc", LastName: "Bob", Status: Active}
	addUser(t, st, ann)
	addUser(t, st, bob)
	lq = ListQuery{Search: "mar", Limit: 1, Now: t0}
	var got []int64
	_, pages := readAll(t, st, lq)
	for _, p := range pages {
		for _, id := range p {
			if id == ann.ID || id == bob.ID {
				got = append(got, id)
			}
		}
	}
	if !slices.Equal(got, []int64{ann.ID, bob.ID}) {
		t.Fatalf("paging one at a time through Ann (twice a match) and Bob: %v, want %v", got, []int64{ann.ID, bob.ID})
	}
}

// A count is the number of users the listing's filter keeps, whether it is
// read from the counters the triggers keep (everyone, a stored status, never
// logged in) or counted; and a change is counted at once.
func TestCountUsersAgreesWithTheListing(t *testing.T) {
	st, users := listFixture(t)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		for _, status := range append([]string{""}, StatusFilters()...) {
			for _, lq := range []ListQuery{{Status: status, Now: t0}, {Status: status, Team: "Ventes", Now: t0}, {Status: status, Search: "mar", Now: t0}} {
				ids, err := st.Read().UserIDs(ctx, lq)
				must(t, err)
				n, err := st.Read().CountUsers(ctx, lq)
				must(t, err)
				if n != len(ids) {
					t.Errorf("%s: %+v counts %d, lists %d", when, lq, n, len(ids))
				}
			}
		}
	}
	check("as made")
	for _, status := range []string{"", "staged", "invited", "active", "deactivated", "never-logged-in"} {
		if q, _, err := st.Read().CountSQL(ctx, ListQuery{Status: status}); err != nil || !strings.Contains(q, "user_counts") {
			t.Errorf("status %q is counted by %q (%v), not read from user_counts", status, q, err)
		}
	}
	u := users[0]
	u.Status = Deactivated
	must(t, st.Write(ctx, func(q *Q) error { return q.UpdateUser(ctx, u, u.Version) }))
	must(t, st.Write(ctx, func(q *Q) error { return q.DeleteUser(ctx, users[1].ID) }))
	check("after a change and a deletion")
}
