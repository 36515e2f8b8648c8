package admin_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// Inviting 10,000 people in one call of Invite (one transaction, each row
// checked, its user, permissions, team, search keys, link, mail and audit
// row written) into a database of 10,000, 100,000 and a million users
// (ROSTER_BENCH_USERS picks one size), and, taking turns in the same run,
// benchdb.PlainInvites writing the same people into two other copies of that
// database: the user, mail and audit rows alone (plain), and every row
// Invite writes (plain-all). Each turn invites other people. Reports each
// one's median and Invite's over each floor. Target: at most 1.5 times.
//
//	go test -run '^$' -bench 'Invite10000$' -benchtime 5x ./admin
func BenchmarkInvite10000(b *testing.B) {
	sizes := []int{10_000, 100_000, 1_000_000}
	if n := benchdb.Users(0); n > 0 {
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) { benchInvite(b, n) })
	}
}

func benchInvite(b *testing.B, users int) {
	ctx := context.Background()
	st, owner := benchdb.OpenForInvites(b, benchdb.Copy(b, users))
	var plainDB, allDB string
	for _, db := range []*string{&plainDB, &allDB} {
		*db = benchdb.Copy(b, users)
		benchdb.OpenForInvites(b, *db)
	}
	var rs, ps, as []time.Duration
	for i := -1; i < b.N; i++ { // the first turn brings the pages into the caches
		people := benchdb.People(10_000, fmt.Sprintf("turn%d.", i+2))
		start := time.Now()
		res, err := admin.New(st).Invite(ctx, owner, people, admin.InviteOptions{})
		r := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatalf("row %d: %v", r.Row, r.Err)
			}
		}
		p, err := benchdb.PlainInvites(plainDB, people, len(people), false)
		if err != nil {
			b.Fatal(err)
		}
		a, err := benchdb.PlainInvites(allDB, people, len(people), true)
		if err != nil {
			b.Fatal(err)
		}
		if i >= 0 {
			rs, ps, as = append(rs, r), append(ps, p), append(as, a)
		}
	}
	r, p, a := benchdb.Median(rs), benchdb.Median(ps), benchdb.Median(as)
	b.ReportMetric(float64(r.Nanoseconds()), "invite-ns/op")
	b.ReportMetric(float64(p.Nanoseconds()), "plain-ns/op")
	b.ReportMetric(float64(a.Nanoseconds()), "plain-all-ns/op")
	b.ReportMetric(float64(r)/float64(p), "invite/plain")
	b.ReportMetric(float64(r)/float64(a), "invite/plain-all")
	b.Logf("%d users, 10,000 invited: Invite %v, plain inserts %v (ratio %.2f), of every row %v (ratio %.2f); medians of %d",
		users, r.Round(time.Millisecond), p.Round(time.Millisecond), float64(r)/float64(p), a.Round(time.Millisecond), float64(r)/float64(a), len(rs))
}

// Listing and searching a million users through the rules, as the screens
// do: the operator is read and checked, then the page. Target: under 5 ms.
func BenchmarkListMillionThroughRules(b *testing.B) {
	path := benchdb.Million(b, 1_000_000)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	op, err := svc.DefaultOperator(ctx)
	if err != nil {
		// Seeded databases have a few owners: the first will do.
		owners, oerr := st.Read().Owners(ctx)
		if oerr != nil || len(owners) == 0 {
			b.Fatal(err)
		}
		op = owners[0]
	}
	actor := admin.Actor{Email: op, Channel: admin.ChannelTUI}
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
			c.lq.Limit = 50
			for b.Loop() {
				p, err := svc.ListUsers(ctx, actor, c.lq)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Users) == 0 {
					b.Fatal("nobody")
				}
			}
		})
	}
}

// openEngineCopies opens a copy of the benchmarks' database of n users on
// SQLite and one of its PostgreSQL copy (the same rows), with the teams
// benchdb.People puts people in, and returns an owner to act as.
func openEngineCopies(b *testing.B, n int) (lite, pg *store.Store, owner admin.Actor) {
	b.Helper()
	url := benchdb.PostgresCopy(b, n) // skips without PostgreSQL
	lite, owner = benchdb.OpenForInvites(b, benchdb.Copy(b, n))
	pg, _ = benchdb.OpenForInvites(b, url)
	return lite, pg, owner
}

// Inviting 10,000 people in one call of Invite into a database of a million
// users (ROSTER_BENCH_USERS), on SQLite and on PostgreSQL over loopback with
// the same rows, the two taking turns in the same run, each iteration other
// people: each engine's median and PostgreSQL's over SQLite's.
//
//	ROSTER_TEST_POSTGRES=$(bash .ci/postgres) go test -run '^$' -bench Invite10000Engines -benchtime 5x ./admin
func BenchmarkInvite10000Engines(b *testing.B) {
	lite, pg, owner := openEngineCopies(b, benchdb.Users(1_000_000))
	ctx := context.Background()
	turn := 0
	invite := func(st *store.Store) func() time.Duration {
		return func() time.Duration {
			turn++
			people := benchdb.People(10_000, fmt.Sprintf("turn%d.", turn))
			start := time.Now()
			res, err := admin.New(st).Invite(ctx, owner, people, admin.InviteOptions{})
			took := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					b.Fatalf("row %d: %v", r.Row, r.Err)
				}
			}
			return took
		}
	}
	ps, ls := benchdb.InTurns(b, invite(pg), invite(lite))
	p, l := benchdb.ReportPair(b, "postgres", ps, "sqlite", ls)
	b.Logf("10,000 invited: PostgreSQL %v, SQLite %v (%.2fx); medians of %d", p.Round(time.Millisecond), l.Round(time.Millisecond), float64(p)/float64(l), len(ps))
}

// BenchmarkTeamOfMany adds 10,000 users of a copy of the 100,000-user bench
// database to a team through ActOnUsers, then takes them out again, in
// turns: the cost of one user's change in a bulk act, "per-user".
//
//	go test -run '^$' -bench TeamOfMany -benchtime 4x ./admin
func BenchmarkTeamOfMany(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, benchdb.Copy(b, benchdb.Users(100_000)))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	owners, err := st.Read().Owners(ctx)
	if err != nil {
		b.Fatal(err)
	}
	owner := admin.Actor{Email: owners[0], Channel: admin.ChannelCLI}
	if err := svc.AddTeam(ctx, owner, "Bench"); err != nil {
		b.Fatal(err)
	}
	ids, err := svc.SelectUsers(ctx, owner, store.ListQuery{})
	if err != nil {
		b.Fatal(err)
	}
	ids = ids[:10_000]
	var per []time.Duration
	b.ResetTimer()
	for i := range b.N {
		act := admin.JoinTeam
		if i%2 == 1 {
			act = admin.LeaveTeam
		}
		t0 := time.Now()
		out, err := svc.ActOnUsers(ctx, owner, admin.UserBatch{Act: act, Team: "Bench", IDs: ids})
		if err != nil {
			b.Fatal(err)
		}
		per = append(per, time.Since(t0)/time.Duration(len(ids)))
		for _, o := range out {
			if o.Err != nil {
				b.Fatalf("%s: %v", o.Email, o.Err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchdb.Median(per).Microseconds()), "per-user-µs")
}

// What roster serve's /metrics reads from a million users' database at each
// scrape (Backlog: the outbox's waiting and failed mail by kind, the stuck
// invitations, through their indexes), against the Users screen's first
// page through the rules, in turns; medians.
func BenchmarkBacklogMillion(b *testing.B) {
	path := benchdb.Million(b, benchdb.Users(1_000_000))
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		b.Fatal("no owner", err)
	}
	actor := admin.Actor{Email: owners[0], Channel: admin.ChannelTUI}
	timed := func(fn func() error) func() time.Duration {
		return func() time.Duration {
			start := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			return time.Since(start)
		}
	}
	backlog := timed(func() error { _, err := svc.Backlog(ctx); return err })
	page := timed(func() error {
		_, err := svc.ListUsers(ctx, actor, store.ListQuery{Sort: "name", Limit: 50})
		return err
	})
	bs, ps := benchdb.InTurns(b, backlog, page)
	benchdb.ReportPair(b, "backlog", bs, "page", ps)
}
