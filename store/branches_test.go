package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// checkBranchCounts fails unless every branch's member count equals a
// recount of its memberships (020_branches.sql's triggers).
func checkBranchCounts(t *testing.T, st *Store, when string) {
	t.Helper()
	rows, err := st.Read().db.QueryContext(context.Background(), `SELECT b.name, b.members,
		(SELECT count(*) FROM user_branches ub WHERE ub.branch_id = b.id) FROM branches b`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var name string
		var n, want int
		must(t, rows.Scan(&name, &n, &want))
		if n != want {
			t.Errorf("%s: branch %s counts %d members, a recount %d", when, name, n, want)
		}
	}
	must(t, rows.Err())
}

// A user's branches are kept on their row and each branch's member count,
// through every change: users added and edited, a branch renamed, removed
// with its people moved or not, a user deleted. Users are listed and
// exported by branch; a missing branch is ErrNotFound, a taken name
// ErrDuplicate.
func TestBranches(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	ids := make(map[string]int64)
	must(t, st.Write(ctx, func(q *Q) (err error) {
		for _, n := range []string{"Lyon", "Paris", "Lille"} {
			if ids[n], err = q.AddBranch(ctx, &Branch{Name: n, TimeZone: "Europe/Paris"}); err != nil {
				return err
			}
		}
		return nil
	}))
	err := st.Write(ctx, func(q *Q) error {
		_, err := q.AddBranch(ctx, &Branch{Name: "LYON"})
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("a taken name: %v, want ErrDuplicate", err)
	}
	ann := addUser(t, st, &User{Email: "ann@example.com", Branches: []string{"paris", "Lyon"}})
	bob := addUser(t, st, &User{Email: "bob@example.com", Branches: []string{"Lyon"}})
	addUser(t, st, &User{Email: "cat@example.com"})
	err = st.Write(ctx, func(q *Q) error {
		return q.InsertUser(ctx, &User{Email: "dan@example.com", Role: "member", Status: Active, Locale: "en", Branches: []string{"Nantes"}})
	})
	if !errors.Is(err, ErrNotFound) || err.Error() != `branch "Nantes": not found` {
		t.Errorf("a missing branch: %v", err)
	}
	check := func(when string, want map[*User][]string, counts map[string]int) {
		t.Helper()
		checkUserRows(t, st, when)
		checkBranchCounts(t, st, when)
		for u, w := range want {
			got, err := st.Read().UserByID(ctx, u.ID, t0)
			must(t, err)
			if !slices.Equal(got.Branches, w) {
				t.Errorf("%s: %s in %q, want %q", when, u.Email, got.Branches, w)
			}
		}
		bs, err := st.Read().Branches(ctx)
		must(t, err)
		for _, b := range bs {
			if b.Members != counts[b.Name] {
				t.Errorf("%s: %s has %d members, want %d", when, b.Name, b.Members, counts[b.Name])
			}
		}
	}
	check("added", map[*User][]string{ann: {"Lyon", "Paris"}, bob: {"Lyon"}}, map[string]int{"Lyon": 2, "Paris": 1})

	list := func(branch string) []string {
		t.Helper()
		p, err := st.Read().ListUsers(ctx, ListQuery{Branch: branch, Now: t0})
		must(t, err)
		var out []string
		for _, u := range p.Users {
			out = append(out, u.Email)
		}
		return out
	}
	if got := list("lyon"); !slices.Equal(got, []string{ann.Email, bob.Email}) {
		t.Errorf("listed in Lyon: %q", got)
	}
	if got := list("Nantes"); len(got) != 0 {
		t.Errorf("listed in a branch that does not exist: %q", got)
	}

	must(t, st.Write(ctx, func(q *Q) error {
		u, err := q.UserByID(ctx, bob.ID, t0)
		if err != nil {
			return err
		}
		u.Branches = []string{"Lille"}
		return q.UpdateUser(ctx, u, u.Version)
	}))
	check("bob moved", map[*User][]string{ann: {"Lyon", "Paris"}, bob: {"Lille"}}, map[string]int{"Lyon": 1, "Paris": 1, "Lille": 1})

	must(t, st.Write(ctx, func(q *Q) error {
		return q.UpdateBranch(ctx, &Branch{ID: ids["Lyon"], Name: "Villeurbanne", Address: "1 rue X"})
	}))
	check("Lyon renamed", map[*User][]string{ann: {"Paris", "Villeurbanne"}}, map[string]int{"Villeurbanne": 1, "Paris": 1, "Lille": 1})

	must(t, st.Write(ctx, func(q *Q) error { return q.RemoveBranch(ctx, ids["Paris"], ids["Lille"]) }))
	check("Paris removed into Lille", map[*User][]string{ann: {"Lille", "Villeurbanne"}, bob: {"Lille"}},
		map[string]int{"Villeurbanne": 1, "Lille": 2})
	must(t, st.Write(ctx, func(q *Q) error { return q.RemoveBranch(ctx, ids["Lyon"], 0) }))
	check("Villeurbanne removed", map[*User][]string{ann: {"Lille"}}, map[string]int{"Lille": 2})

	var exported []string
	must(t, st.Read().ExportUsers(ctx, func(r *ExportRow) error {
		exported = append(exported, r.Email+":"+strings.Join(r.Branches, ","))
		return nil
	}))
	if want := []string{"ann@example.com:Lille", "bob@example.com:Lille", "cat@example.com:"}; !slices.Equal(exported, want) {
		t.Errorf("exported %q, want %q", exported, want)
	}
	must(t, st.Write(ctx, func(q *Q) error { return q.DeleteUser(ctx, ann.ID) }))
	check("ann deleted", nil, map[string]int{"Lille": 1})
}
