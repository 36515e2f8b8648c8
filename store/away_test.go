package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Away overview's periods, read a page at a time, are those of one
// query over the window, past periods left out; SQLite reads them through
// away_ends, not by scanning every period.
func TestAwayBetween(t *testing.T) {
	st := openTemp(t)
	if st.Postgres() {
		t.Skip("Seed writes SQLite only; admin's tests read the overview on PostgreSQL")
	}
	ctx := context.Background()
	if _, err := Seed(ctx, st, 3000, 3, testPerms); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// A few periods over before the window, which no page may show.
	must(t, st.Write(ctx, func(q *Q) error {
		for i := range 50 {
			p := &AwayPeriod{UserID: int64(i + 1), Start: now.Add(-30 * 24 * time.Hour), End: now.Add(-time.Duration(i+1) * time.Hour), CreatedAt: now}
			if err := q.InsertAway(ctx, p); err != nil {
				return err
			}
		}
		return nil
	}))
	from, until := now, now.Add(14*24*time.Hour)
	var want []int64
	rows, err := st.Read().db.QueryContext(ctx, `SELECT id FROM away_periods WHERE starts_at < ? AND (ends_at = 0 OR ends_at > ?)
		ORDER BY starts_at, id`, until.Unix(), from.Unix())
	must(t, err)
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		want = append(want, id)
	}
	rows.Close()
	if len(want) < 10 {
		t.Fatalf("the seed has %d periods in the window: too few to page", len(want))
	}
	var got []int64
	var after AwayAfter
	for {
		page, err := st.Read().AwayBetween(ctx, from, until, after, 7)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			got = append(got, p.ID)
			if p.Email == "" || !p.Covers(from) && !p.Start.Before(until) {
				t.Fatalf("period %+v", p)
			}
		}
		last := page[len(page)-1]
		after = AwayAfter{Start: last.Start, ID: last.ID}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages gave %d periods, the query %d", len(got), len(want))
	}

	query, args := awayBetween(from, until, AwayAfter{}, 50)
	plan, err := st.Read().db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	must(t, err)
	defer plan.Close()
	var steps []string
	for plan.Next() {
		var id, parent, unused int
		var detail string
		must(t, plan.Scan(&id, &parent, &unused, &detail))
		steps = append(steps, detail)
	}
	must(t, plan.Err())
	all := strings.Join(steps, "; ")
	if !strings.Contains(all, "away_starts") || strings.Contains(all, "SCAN a ") || strings.HasSuffix(all, "SCAN a") ||
		strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("the overview does not read through away_starts in start order: %s", all)
	}
	t.Log(all)
}
