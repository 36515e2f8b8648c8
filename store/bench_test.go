package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"roster/internal/benchdb"
	"roster/store"
)

const (
	benchUsers = 1_000_000
	pageSize   = 50
)

func openMillion(b *testing.B) *store.Store {
	b.Helper()
	path := benchdb.Million(b, benchdb.Users(benchUsers))
	st, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// cursorAt is the cursor of the row at offset in a listing's order, read
// with OFFSET once in setup, then checked against ListUsers itself.
func cursorAt(b *testing.B, st *store.Store, sortBy string, offset int) *store.Cursor {
	b.Helper()
	ctx := context.Background()
	conn, err := st.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var c store.Cursor
	switch sortBy {
	case "name":
		err = conn.QueryRowContext(ctx, "SELECT sort_name, id FROM users ORDER BY sort_name, id LIMIT 1 OFFSET ?", offset).Scan(&c.Text, &c.ID)
	case "last-login":
		err = conn.QueryRowContext(ctx, "SELECT last_login_at, id FROM users ORDER BY last_login_at DESC, id DESC LIMIT 1 OFFSET ?", offset).Scan(&c.Num, &c.ID)
	}
	if err != nil {
		b.Fatal(err)
	}
	// The page after it starts with the next row.
	var next int64
	switch sortBy {
	case "name":
		err = conn.QueryRowContext(ctx, "SELECT id FROM users ORDER BY sort_name, id LIMIT 1 OFFSET ?", offset+1).Scan(&next)
	case "last-login":
		err = conn.QueryRowContext(ctx, "SELECT id FROM users ORDER BY last_login_at DESC, id DESC LIMIT 1 OFFSET ?", offset+1).Scan(&next)
	}
	if err != nil {
		b.Fatal(err)
	}
	p, err := st.Read().ListUsers(ctx, store.ListQuery{Sort: sortBy, After: &c, Limit: pageSize, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	if len(p.Users) != pageSize || p.Users[0].ID != next {
		b.Fatalf("the page after offset %d does not start with user %d", offset, next)
	}
	return &c
}

// Listing a million users (ROSTER_BENCH_USERS) by key: page 1 and page 5,000, by name and by last
// login. Target: under 5 ms each.
func BenchmarkListMillion(b *testing.B) {
	st := openMillion(b)
	ctx := context.Background()
	for _, sortBy := range []string{"name", "last-login"} {
		for _, page := range []int{1, 5000} {
			b.Run(sortBy+"/page"+map[int]string{1: "1", 5000: "5000"}[page], func(b *testing.B) {
				var after *store.Cursor
				if page > 1 {
					after = cursorAt(b, st, sortBy, (page-1)*pageSize-1)
				}
				lq := store.ListQuery{Sort: sortBy, After: after, Limit: pageSize, Now: time.Now()}
				b.ResetTimer()
				for b.Loop() {
					p, err := st.Read().ListUsers(ctx, lq)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Users) != pageSize || !p.More {
						b.Fatalf("%d users", len(p.Users))
					}
				}
			})
		}
	}
}

// Searching a million users by a prefix of a name or an email: the first
// page. Target: under 5 ms each.
func BenchmarkSearchMillion(b *testing.B) {
	st := openMillion(b)
	ctx := context.Background()
	for _, c := range []struct{ name, prefix string }{
		{"name-common", "mar"},         // Martin, Marie, Marchand, Marc…: tens of thousands
		{"name-full", "camille mar"},   // first and last name
		{"last-first", "martin cam"},   // last name first
		{"name-accents", "elodie"},     // typed without the accent of Élodie
		{"email", "camille.martin"},    // an address
		{"email-domain-rare", "zoe.l"}, // fewer matches
		{"position", "commercial"},     // a job title
		{"reference", "E10042"},        // an employee number
	} {
		b.Run(c.name, func(b *testing.B) {
			lq := store.ListQuery{Search: c.prefix, Limit: pageSize, Now: time.Now()}
			for b.Loop() {
				p, err := st.Read().ListUsers(ctx, lq)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Users) == 0 {
					b.Fatalf("nobody for %q", c.prefix)
				}
			}
		})
	}
}

// Filtered listings and the header's counts, for the screens (no target).
func BenchmarkFiltersMillion(b *testing.B) {
	st := openMillion(b)
	ctx := context.Background()
	for _, f := range []struct{ name, status, team string }{
		{"active", "active", ""}, {"invited", "invited", ""}, {"expired", "expired", ""}, {"away", "away", ""},
		{"never-logged-in", "never-logged-in", ""}, {"deactivated", "deactivated", ""}, {"team", "", "Support N1"},
	} {
		b.Run(f.name, func(b *testing.B) {
			lq := store.ListQuery{Status: f.status, Team: f.team, Limit: pageSize, Now: time.Now()}
			for b.Loop() {
				if _, err := st.Read().ListUsers(ctx, lq); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Read().Summary(ctx, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The Pending screen at a million users (about 90,000 pending invitations):
// the first page, all and only the stuck, the first 500 (what the screen
// reads), and the page after the first. Target: the first rows within 50 ms.
func BenchmarkPendingMillion(b *testing.B) {
	st := openMillion(b)
	ctx := context.Background()
	for _, stuck := range []bool{false, true} {
		name := map[bool]string{false: "all", true: "stuck"}[stuck]
		first := store.PendingQuery{Stuck: stuck, Limit: pageSize, Now: time.Now()}
		b.Run(name+"/first", func(b *testing.B) {
			for b.Loop() {
				if p, err := st.Read().PendingInvitations(ctx, first); err != nil || len(p.Invitations) != pageSize {
					b.Fatalf("%v, %d rows", err, len(p.Invitations))
				}
			}
		})
		// What the Pending screen reads (tui's pendingPageRows).
		screen := first
		screen.Limit = 500
		b.Run(name+"/first500", func(b *testing.B) {
			for b.Loop() {
				if p, err := st.Read().PendingInvitations(ctx, screen); err != nil || len(p.Invitations) != screen.Limit {
					b.Fatalf("%v, %d rows", err, len(p.Invitations))
				}
			}
		})
		b.Run(name+"/next", func(b *testing.B) {
			p, err := st.Read().PendingInvitations(ctx, first)
			if err != nil || p.Next == nil {
				b.Fatalf("%v, no next page", err)
			}
			next := first
			next.After = p.Next
			for b.Loop() {
				if p, err := st.Read().PendingInvitations(ctx, next); err != nil || len(p.Invitations) == 0 {
					b.Fatalf("%v, %d rows", err, len(p.Invitations))
				}
			}
		})
	}
}

// The user counts of the Users screen's header. Target: 20 ms.
func BenchmarkSummaryMillion(b *testing.B) {
	st := openMillion(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := st.Read().Summary(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// openEngines opens the benchmarks' database of n users on SQLite and its
// copy on PostgreSQL (benchdb.Postgres: the same rows), skipping when
// ROSTER_TEST_POSTGRES is unset.
func openEngines(b *testing.B, n int) (lite, pg *store.Store) {
	b.Helper()
	ctx := context.Background()
	url := benchdb.Postgres(b, n)
	var err error
	if pg, err = store.Open(ctx, url); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pg.Close() })
	if lite, err = store.Open(ctx, benchdb.Million(b, n)); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lite.Close() })
	return lite, pg
}

// pagesPerTurn is how many pages one engine reads in a turn, so that a
// turn is long next to the clock's resolution and the switch between them.
const pagesPerTurn = 20

// The first page by name and by last login, and a search by name and by
// email, on SQLite and on PostgreSQL over loopback (round trips included)
// with the same rows, the two taking turns in the same run: each engine's
// median time for a page and PostgreSQL's over SQLite's. Target: at most 2.
// A million users (ROSTER_BENCH_USERS):
//
//	ROSTER_TEST_POSTGRES=$(bash .ci/postgres) go test -run '^$' -bench Engines -benchtime 20x ./store
func BenchmarkEnginesMillion(b *testing.B) {
	lite, pg := openEngines(b, benchdb.Users(benchUsers))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		lq   store.ListQuery
	}{
		{"name/page1", store.ListQuery{Sort: "name"}},
		{"last-login/page1", store.ListQuery{Sort: "last-login"}},
		{"search/name", store.ListQuery{Search: "mar"}},
		{"search/email", store.ListQuery{Search: "camille.martin"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.lq.Limit, c.lq.Now = pageSize, time.Now()
			var first []int64 // the ids of the first page, which both must give
			page := func(st *store.Store) func() time.Duration {
				return func() time.Duration {
					start := time.Now()
					for range pagesPerTurn {
						p, err := st.Read().ListUsers(ctx, c.lq)
						if err != nil {
							b.Fatal(err)
						}
						ids := make([]int64, len(p.Users))
						for i, u := range p.Users {
							ids[i] = u.ID
						}
						if first == nil {
							first = ids
						} else if !slices.Equal(ids, first) {
							b.Fatalf("%v gave %v, want %v", st.Path(), ids, first)
						}
					}
					return time.Since(start) / pagesPerTurn
				}
			}
			ps, ls := benchdb.InTurns(b, page(pg), page(lite))
			p, l := benchdb.ReportPair(b, "postgres", ps, "sqlite", ls)
			b.Logf("%s: PostgreSQL %v, SQLite %v a page (%.2fx); medians of %d", c.name, p, l, float64(p)/float64(l), len(ps))
		})
	}
}
