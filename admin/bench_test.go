package admin_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// bulkRows are 10,000 people as a CSV file of invitations gives them: every
// column filled, a team each, French and English.
func bulkRows(n int) []admin.NewUser {
	teams := []string{"Ventes Paris", "Support", "Comptabilité"}
	firsts := []string{"Camille", "Élodie", "Hugo", "Léa", "Oliver", "Amelia", "Noah", "Chloé"}
	lasts := []string{"Martin", "Lefèvre", "Dupont", "Smith", "O'Brien", "Garnier", "Taylor", "Roux"}
	rows := make([]admin.NewUser, n)
	for i := range rows {
		f, l := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
		locale := "fr"
		if i%3 == 0 {
			locale = "en"
		}
		rows[i] = admin.NewUser{
			Email: fmt.Sprintf("person.%05d@example.com", i), FirstName: f, LastName: l,
			Phone: fmt.Sprintf("06 %02d %02d %02d %02d", i/1000000%100, i/10000%100, i/100%100, i%100),
			Role:  []string{"member", "member", "member", "manager"}[i%4], Teams: []string{teams[i%len(teams)]},
			Position: "Commercial", ReferenceID: fmt.Sprintf("E%06d", i), Locale: locale,
		}
	}
	return rows
}

// plainInserts writes what inviting rows writes, as plain single-row
// INSERTs of values made beforehand, with nothing checked or read, into the
// same schema (its triggers firing too), with the pragmas store.Open gives
// its write connection, batch rows to a transaction. Only each person's user,
// invitation mail and audit row with every false; with every, all the rows
// an invitation writes: the user, their team, permissions and search keys,
// the link, the mail and the audit row. It is the floor Invite is measured
// against.
func plainInserts(b *testing.B, path string, rows []admin.NewUser, batch int, every bool) time.Duration {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_pragma=secure_delete(FAST)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	teams := map[string]int64{}
	trows, err := db.Query("SELECT name, id FROM teams")
	if err != nil {
		b.Fatal(err)
	}
	for trows.Next() {
		var name string
		var id int64
		if err := trows.Scan(&name, &id); err != nil {
			b.Fatal(err)
		}
		teams[name] = id
	}
	trows.Close()
	now := time.Now().Unix()
	type person struct {
		email, key, sortName, name, data, audit, messageID string
		keys                                               []string
		hash                                               [32]byte
	}
	people := make([]person, len(rows))
	for i, r := range rows {
		name := r.FirstName + " " + r.LastName
		hash := sha256.Sum256([]byte(r.Email))
		people[i] = person{email: r.Email, key: store.EmailKey(r.Email), sortName: store.Fold(name), name: name,
			data:      fmt.Sprintf(`{"account":"Acme","name":%q,"inviter":"Olive Owner","inviter_email":"olive.owner@example.com","path":"/invite/%x","expires_at":"2026-03-04T09:00:00Z","lifetime_secs":172800}`, name, hash[:13]),
			audit:     fmt.Sprintf(`{"email":%q,"first_name":%q,"last_name":%q,"phone":"+33600000000","position":%q,"reference_id":%q,"locale":%q,"role":%q,"status":"invited","teams":[%q]}`, r.Email, r.FirstName, r.LastName, r.Position, r.ReferenceID, r.Locale, r.Role, r.Teams[0]),
			messageID: fmt.Sprintf("<%x@example.com>", hash[:13]),
			keys:      []string{store.Fold(r.Email), store.Fold(name), store.Fold(r.LastName + " " + r.FirstName), store.Fold(r.Position), store.Fold(r.ReferenceID)},
			hash:      hash}
	}
	queries := []string{
		`INSERT INTO users (email, email_key, first_name, last_name, sort_name, phone, position, reference_id, locale,
			role, status, invited_by, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'invited', 1, ?, ?, ?)`,
		`INSERT INTO outbox (kind, user_id, token_id, recipient, recipient_name, locale, data, message_id, next_attempt_at, give_up_at, created_at)
			VALUES ('invitation', ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?)`,
		`INSERT INTO audit (at, actor_id, actor_email, channel, action, target_id, target_email, after)
			VALUES (?, 1, 'olive.owner@example.com', 'cli', 'user.invite', ?, ?, ?)`,
		"INSERT INTO user_teams (user_id, team_id) VALUES (?, ?)",
		"INSERT INTO user_perms (user_id, perm) VALUES (?, ?)",
		"INSERT INTO search_keys (key, user_id) VALUES (?, ?)",
		`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at, created_by)
			VALUES (?, 'invite', ?, ?, ?, 'olive.owner@example.com')`,
	}
	start := time.Now()
	for first := 0; first < len(people); first += batch {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st := make([]*sql.Stmt, len(queries))
		for i, q := range queries {
			if st[i], err = tx.Prepare(q); err != nil {
				b.Fatal(err)
			}
		}
		exec := func(i int, args ...any) int64 {
			res, err := st[i].Exec(args...)
			if err != nil {
				b.Fatal(err)
			}
			id, _ := res.LastInsertId()
			return id
		}
		for i := first; i < min(first+batch, len(people)); i++ {
			p, r := people[i], rows[i]
			id := exec(0, p.email, p.key, r.FirstName, r.LastName, p.sortName, r.Phone, r.Position, r.ReferenceID,
				r.Locale, r.Role, now, now, "olive.owner@example.com")
			var token int64
			if every {
				exec(3, id, teams[r.Teams[0]])
				for _, perm := range admin.Presets[r.Role] {
					exec(4, id, perm)
				}
				for _, k := range p.keys {
					exec(5, k, id)
				}
				token = exec(6, id, p.hash[:], now, now+172800)
			}
			exec(1, id, token, p.email, p.name, r.Locale, p.data, p.messageID, now, now+172800, now)
			exec(2, now, id, p.email, p.audit)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// Inviting 10,000 people in one call of Invite (one transaction, each row
// checked, its user, permissions, team, search keys, link, mail and audit
// row written) into a database of 10,000, 100,000 and a million users
// (ROSTER_BENCH_USERS picks one size), and, taking turns in the same run,
// plainInserts writing the same people into two other copies of that
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
	st, owner := openSeeded(b, benchdb.Copy(b, users))
	var plainDB, allDB string
	for _, db := range []*string{&plainDB, &allDB} {
		*db = benchdb.Copy(b, users)
		openSeeded(b, *db)
	}
	rows, turn := bulkRows(10_000), 0
	var rs, ps, as []time.Duration
	for i := -1; i < b.N; i++ { // the first turn brings the pages into the caches
		turn++
		people := slices.Clone(rows)
		for j := range people {
			people[j].Email = fmt.Sprintf("turn%d.%s", turn, people[j].Email)
		}
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
		p, a := plainInserts(b, plainDB, people, len(people), false), plainInserts(b, allDB, people, len(people), true)
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
// bulkRows names, and returns an owner to act as.
func openEngineCopies(b *testing.B, n int) (lite, pg *store.Store, owner admin.Actor) {
	b.Helper()
	url := benchdb.PostgresCopy(b, n) // skips without PostgreSQL
	lite, owner = openSeeded(b, benchdb.Copy(b, n))
	pg, _ = openSeeded(b, url)
	return lite, pg, owner
}

// openSeeded opens dsn, a copy of the benchmarks' seeded database, and adds
// the one team of bulkRows' the seed lacks; it returns the store and the
// seed's owner.
func openSeeded(b *testing.B, dsn string) (*store.Store, admin.Actor) {
	b.Helper()
	st, email := benchdb.Open(b, dsn)
	owner := admin.Actor{Email: email, Channel: admin.ChannelCLI}
	if err := admin.New(st).AddTeam(context.Background(), owner, "Support"); err != nil {
		b.Fatal(err)
	}
	return st, owner
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
	rows := bulkRows(10_000)
	turn := 0
	invite := func(st *store.Store) func() time.Duration {
		return func() time.Duration {
			turn++
			people := slices.Clone(rows)
			for i := range people {
				people[i].Email = fmt.Sprintf("turn%d.%s", turn, people[i].Email)
			}
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
