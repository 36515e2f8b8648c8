package store

import (
	"context"
	"testing"
)

// A team's member count, kept by triggers, equals a recount after every way
// a membership changes: a user added with teams, their teams changed, a
// user deleted, a team removed; and the seed computes it too.
func TestTeamMembersFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	addTeams(t, st, "Sales", "Support")
	check := func(when string) {
		t.Helper()
		teams, err := st.Read().Teams(ctx)
		must(t, err)
		for _, tm := range teams {
			var n int
			must(t, st.Read().db.QueryRowContext(ctx, "SELECT count(*) FROM user_teams WHERE team_id = ?", tm.ID).Scan(&n))
			if tm.Members != n {
				t.Errorf("%s: %s has %d members, a recount %d", when, tm.Name, tm.Members, n)
			}
		}
	}
	ann := addUser(t, st, &User{Email: "ann@example.com", Teams: []string{"Sales", "Support"}})
	bob := addUser(t, st, &User{Email: "bob@example.com", Teams: []string{"Sales"}})
	check("two users added")
	must(t, st.Write(ctx, func(q *Q) error {
		u, err := q.UserByID(ctx, bob.ID, t0)
		if err != nil {
			return err
		}
		u.Teams = []string{"Support"}
		return q.UpdateUser(ctx, u, u.Version)
	}))
	check("bob moved to Support")
	must(t, st.Write(ctx, func(q *Q) error { return q.DeleteUser(ctx, ann.ID) }))
	check("ann deleted")
	sales, err := st.Read().TeamByName(ctx, "Sales")
	must(t, err)
	if sales.Members != 0 {
		t.Errorf("Sales has %d members after its only one left, want 0", sales.Members)
	}
	must(t, st.Write(ctx, func(q *Q) error { return q.RemoveTeam(ctx, sales.ID) }))
	check("Sales removed")

	if st.Postgres() {
		return // Seed is SQLite's for now (see TestSeed)
	}
	st = openTemp(t)
	_, err = Seed(ctx, st, 300, 7, testPerms)
	must(t, err)
	check("seeded")
}
