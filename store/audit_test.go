package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A user's trail is read through the indexes on target and actor, and holds
// what the single query with an OR of the two columns held.
func TestAuditByUser(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	people := []string{"ana@example.com", "Bruno@example.com", "carla@example.com"}
	must(t, st.Write(ctx, func(q *Q) error {
		for i := range 20000 {
			// As in a real account, one person does most of the acts, on
			// users seen a few times each.
			actor, target := "owner@example.com", fmt.Sprintf("user%d@example.com", i/3)
			if i%200 == 0 {
				actor, target = people[i%3], people[(i/3)%3]
			}
			if i%7 == 0 {
				target = strings.ToUpper(target)
			}
			if err := q.InsertAudit(ctx, &AuditEntry{At: t0, Actor: actor, Channel: "cli", Action: "user.edit", Target: target}); err != nil {
				return err
			}
		}
		return nil
	}))
	// With statistics the planner knows that an OR over the two columns
	// would read every entry of the main actor.
	must(t, st.Write(ctx, func(q *Q) error {
		_, err := q.db.ExecContext(ctx, "ANALYZE")
		return err
	}))
	old := func(user string, before int64, limit int) []int64 {
		query := "SELECT id FROM audit WHERE (target_email = ?1 COLLATE NOCASE OR actor_email = ?1 COLLATE NOCASE)"
		if before != 0 {
			query += " AND id < ?2"
		}
		rows, err := st.Read().db.QueryContext(ctx, query+" ORDER BY id DESC LIMIT ?3", user, before, limit)
		must(t, err)
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			must(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		must(t, rows.Err())
		return ids
	}
	for _, user := range []string{"ana@example.com", "BRUNO@example.com", "nobody@example.com"} {
		for _, before := range []int64{0, 150, 2} {
			for _, limit := range []int{1, 40, 1000} {
				entries, err := st.Read().Audit(ctx, AuditQuery{Target: user, Before: before, Limit: limit})
				must(t, err)
				var got []int64
				for _, e := range entries {
					got = append(got, e.ID)
				}
				if want := old(user, before, limit); !slices.Equal(got, want) {
					t.Errorf("Audit(%s, before %d, limit %d) = %v, want %v", user, before, limit, got, want)
				}
			}
		}
	}

	// The plan: no step reads the whole table (SQLite's plan, as
	// EXPLAIN QUERY PLAN gives it).
	if st.Postgres() {
		return
	}
	query, args := auditQuery(AuditQuery{Target: "ana@example.com", Limit: 100})
	rows, err := st.Read().db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		must(t, rows.Scan(&id, &parent, &unused, &detail))
		if strings.HasPrefix(detail, "SCAN audit") {
			t.Errorf("a user's trail reads every entry: %s", detail)
		}
	}
	must(t, rows.Err())
}

// audit --user on a million entries, most of them by one owner (as a large
// import leaves them): the owner's trail and a user's, read as today and with
// the OR of the two columns (the query before, for comparison).
func BenchmarkAuditUserMillion(b *testing.B) {
	if testing.Short() {
		b.Skip("writes a million audit entries")
	}
	st := openTemp(b)
	ctx := context.Background()
	must(b, st.Write(ctx, func(q *Q) error {
		_, err := q.db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
			INSERT INTO audit (at, actor_email, channel, action, target_email)
			SELECT i, 'owner@example.com', 'cli', 'user.invite', 'user' || (i / 2) || '@example.com' FROM n`)
		return err
	}))
	for _, user := range []string{"owner@example.com", "user4242@example.com"} {
		aq := AuditQuery{Target: user, Limit: 100}
		b.Run(user+"/union", func(b *testing.B) {
			for b.Loop() {
				if _, err := st.Read().Audit(ctx, aq); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(user+"/or", func(b *testing.B) {
			for b.Loop() {
				rows, err := st.Read().db.QueryContext(ctx, `SELECT id, at, coalesce(actor_id, 0), actor_email, channel, action,
					coalesce(target_id, 0), target_email, before, after FROM audit
					WHERE (target_email = ?1 COLLATE NOCASE OR actor_email = ?1 COLLATE NOCASE) ORDER BY id DESC LIMIT ?2`, user, aq.Limit)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
			}
		})
	}
}
