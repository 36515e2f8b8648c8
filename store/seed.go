package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SeedVersion changes whenever Seed writes different data for the same
// arguments, so that databases seeded and cached by benchmarks are rebuilt.
const SeedVersion = 3

// SeedStats counts what Seed wrote.
type SeedStats struct {
	Users         int           `json:"users"`
	Teams         int           `json:"teams"`
	Invitations   int           `json:"invitations"`
	AwayPeriods   int           `json:"away_periods"`
	Conversations int           `json:"conversations"`
	AutoReplies   int           `json:"auto_replies"`
	Took          time.Duration `json:"took"`
}

// seedChunk is how many users are made between two sorts of search keys and
// two statements giving permissions.
const seedChunk = 100_000

// Seed fills the database with n realistic fake users (French and English
// names, emails, phones, positions, reference IDs; a few admins and managers,
// mostly members; active, invited, expired, staged and deactivated), teams,
// "contact for" tags, invitations, away periods with stand-ins, conversations
// and automated replies, for demos and benchmarks. The same seed gives the
// same people. perms gives each role's permissions (admin.Presets: the store
// knows no rules). Without an account, Seed creates one; without an active
// owner, the first person seeded is the only owner.
//
// Everything is written in one transaction, so that an interrupted seed
// leaves the database as it was; other writers wait meanwhile, and may time
// out. A million users take under a minute: rows are made on one goroutine
// and written on another, many to a statement; secondary indexes are dropped
// while loading and created again from the same SQL; search keys are sorted
// before they are written.
func Seed(ctx context.Context, st *Store, n int, seed int64, perms map[string][]string) (*SeedStats, error) {
	began := time.Now()
	if n < 0 {
		return nil, fmt.Errorf("seed: %d users", n)
	}
	if st.pg != nil {
		// It drops and creates SQLite's indexes and triggers by their SQL
		// in sqlite_master, and writes ids that identity columns do not
		// know of. The benchmarks copy SQLite's seed to PostgreSQL instead
		// (internal/benchdb.Postgres), so that both engines hold the same rows.
		return nil, errors.New("seed: not available on PostgreSQL yet")
	}
	for _, role := range []string{"owner", "admin", "manager", "member"} {
		if len(perms[role]) == 0 {
			return nil, fmt.Errorf("seed: no permissions given for the %s role", role)
		}
	}
	conn, err := st.wdb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer conn.Close()
	// This connection only: a big page cache, no fsync while loading (a crash
	// loses the seed, never the rest: WAL keeps the file consistent) and no
	// foreign key lookups, the rows being made consistent (the tests check
	// them with PRAGMA foreign_key_check).
	for _, p := range []string{"PRAGMA cache_size = -65536", "PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return nil, fmt.Errorf("seed: %s: %w", p, err)
		}
	}
	defer func() {
		// The connection goes back to the pool as the DSN opened it.
		for _, p := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -2000", "PRAGMA foreign_keys = ON"} {
			conn.ExecContext(context.WithoutCancel(ctx), p)
		}
	}()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", mapErr(err))
	}
	defer tx.Rollback()
	g := &seeder{ctx: ctx, conn: conn, tx: tx, r: rand.New(rand.NewPCG(uint64(seed), SeedVersion)),
		now: time.Now().UTC().Truncate(time.Second), perms: perms, stats: &SeedStats{}}
	if err := g.prepare(); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	indexes, err := g.dropIndexes()
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := g.load(n); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := g.finish(indexes); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("seed: %w", mapErr(err))
	}
	// Give back the disk the write-ahead log took; readers may prevent it.
	conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	g.stats.Took = time.Since(began)
	return g.stats, nil
}

type seeder struct {
	ctx   context.Context
	conn  *sql.Conn
	tx    *sql.Tx // the one transaction
	r     *rand.Rand
	now   time.Time
	perms map[string][]string
	stats *SeedStats

	nextID    int64  // the next user's ID
	ownerID   int64  // who invited the seeded people
	account   string // the account's name, and the owner's, for the mail
	owner     User
	teamIDs   []int64         // every team
	emails    map[string]int  // base address → how many took it
	taken     map[string]bool // addresses already in the database
	active    []int64         // active users so far: stand-ins
	tokenSeq  int64
	outboxSeq int64
}

// prepare reads the account and the existing users, creating the account
// and the teams when missing.
func (g *seeder) prepare() error {
	ctx, tx := g.ctx, g.tx
	{
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM account)").Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, name, invite_lifetime_secs, country, created_at)
				VALUES (1, 'Lumière & Associés', 172800, 'FR', ?)`, g.now.Add(-3*365*24*time.Hour).Unix()); err != nil {
				return err
			}
		}
		for _, t := range seedTeams {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO teams (name) VALUES (?)", t); err != nil {
				return err
			}
		}
		var err error
		if g.teamIDs, err = scanAll[int64](ctx, tx, "SELECT id FROM teams ORDER BY id"); err != nil {
			return err
		}
		g.stats.Teams = len(g.teamIDs)
		for _, q := range []struct {
			query string
			dst   *int64
		}{
			{"SELECT coalesce(max(id), 0) + 1 FROM users", &g.nextID},
			{"SELECT coalesce(max(id), 0) FROM tokens", &g.tokenSeq},
			{"SELECT coalesce(max(id), 0) FROM outbox", &g.outboxSeq},
			{"SELECT coalesce((SELECT id FROM users WHERE role = 'owner' AND status = 'active' ORDER BY id LIMIT 1), 0)", &g.ownerID},
		} {
			if err := tx.QueryRowContext(ctx, q.query).Scan(q.dst); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT name FROM account").Scan(&g.account); err != nil {
			return err
		}
		if g.ownerID != 0 {
			if err := tx.QueryRowContext(ctx, "SELECT first_name, last_name, email FROM users WHERE id = ?", g.ownerID).Scan(
				&g.owner.FirstName, &g.owner.LastName, &g.owner.Email); err != nil {
				return err
			}
		}
		emails, err := scanAll[string](ctx, tx, "SELECT email_key FROM users WHERE email_key IS NOT NULL")
		if err != nil {
			return err
		}
		g.emails, g.taken = map[string]int{}, map[string]bool{}
		for _, e := range emails {
			g.taken[e] = true
		}
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS seed_perms (role TEXT, perm TEXT, PRIMARY KEY (role, perm)) WITHOUT ROWID"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM seed_perms"); err != nil {
			return err
		}
		for role, ps := range g.perms {
			for _, p := range ps {
				if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO seed_perms (role, perm) VALUES (?, ?)", role, p); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

func scanAll[T any](ctx context.Context, tx *sql.Tx, query string) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// seededTables are the tables Seed fills, whose secondary indexes and
// triggers it drops while loading.
var seededTables = []string{"users", "search_keys", "user_perms", "user_teams", "user_tags", "tokens",
	"away_periods", "conversations", "auto_replies", "audit", "outbox"}

type index struct{ kind, name, sql string } // an index or a trigger

// dropIndexes drops the secondary indexes and the triggers of the seeded
// tables and returns them, as the schema wrote them, to be created again.
// What the triggers keep is computed once at the end (rebuildDerived).
func (g *seeder) dropIndexes() ([]index, error) {
	var out []index
	err := func() error {
		tx := g.tx
		rows, err := tx.QueryContext(g.ctx, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('"+
			strings.Join(seededTables, "', '")+"') ORDER BY name")
		if err != nil {
			return err
		}
		for rows.Next() {
			var ix index
			if err := rows.Scan(&ix.kind, &ix.name, &ix.sql); err != nil {
				rows.Close()
				return err
			}
			out = append(out, ix)
		}
		rows.Close()
		for _, ix := range out {
			if _, err := tx.ExecContext(g.ctx, "DROP "+ix.kind+` "`+ix.name+`"`); err != nil {
				return err
			}
		}
		return nil
	}()
	return out, err
}

// finish creates the dropped indexes and triggers again, computes what the
// triggers keep, and records the seed.
func (g *seeder) finish(indexes []index) error {
	ctx, tx := g.ctx, g.tx
	// A small cache makes SQLite sort in runs that fit the CPU caches and
	// merge them: five times faster here than one sort of everything in memory.
	if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -16384"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE temp.seed_perms"); err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix.sql); err != nil {
			return fmt.Errorf("create %s %s again: %w", ix.kind, ix.name, err)
		}
	}
	if err := (&Q{db: tx}).rebuildDerived(ctx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor_email, channel, action, after) VALUES (?, 'seed', 'cli', 'account.seed', ?)`,
		g.now.Unix(), fmt.Sprintf(`{"users":%d,"seed_version":%d}`, g.stats.Users, SeedVersion))
	return err
}

// table is one table's multi-row insert.
type table struct {
	head string // INSERT INTO t (a, b) VALUES
	cols int
	per  int // rows in a full statement
}

func newTable(name string, cols ...string) *table {
	// OR ROLLBACK: a failure ends the seed anyway, and SQLite then keeps no
	// statement journal to undo a statement's rows alone.
	return &table{head: "INSERT OR ROLLBACK INTO " + name + " (" + strings.Join(cols, ", ") + ") VALUES ",
		cols: len(cols), per: 16000 / len(cols)} // under SQLite's 32,766 variables
}

func (t *table) query(rows int) string { return t.head + valueRows("("+placeholders(t.cols)+")", rows) }

var (
	tUsers = newTable("users", "id", "email", "email_key", "first_name", "last_name", "sort_name", "phone", "position",
		"reference_id", "locale", "role", "status", "invited_by", "created_at", "activated_at", "last_login_at",
		"login_count", "updated_at")
	tKeys      = newTable("search_keys", "key", "user_id")
	tUserTeams = newTable("user_teams", "user_id", "team_id")
	tUserTags  = newTable("user_tags", "user_id", "tag")
	tTokens    = newTable("tokens", "id", "user_id", "kind", "hash", "created_at", "expires_at", "voided_at", "created_by")
	tOutbox    = newTable("outbox", "id", "kind", "user_id", "token_id", "recipient", "recipient_name", "locale", "data", "message_id", "state", "attempts", "next_attempt_at", "give_up_at", "last_error", "created_at", "sent_at")
	tAway      = newTable("away_periods", "user_id", "starts_at", "ends_at", "standin_user_id", "standin_team_id", "note", "created_at", "created_by")
	tConvs     = newTable("conversations", "subject", "assignee_id", "status", "created_at")
	tReplies   = newTable("auto_replies", "name", "owner_id")
)

// job is one step for the writer: rows to insert, or users [first, next) to
// give the permissions of their roles.
type job struct {
	t           *table
	args        []any
	first, next int64
}

// rows gathers one table's rows and sends them to the writer many at a
// time, after its parent's (foreign keys).
type rows struct {
	t      *table
	args   []any
	parent *rows
	out    chan<- job
	ctx    context.Context
}

func (r *rows) add(vals ...any) error {
	r.args = append(r.args, vals...)
	if len(r.args) < r.t.per*r.t.cols {
		return nil
	}
	return r.send()
}

// send hands the rows gathered to the writer.
func (r *rows) send() error {
	if r.parent != nil {
		if err := r.parent.send(); err != nil {
			return err
		}
	}
	if len(r.args) == 0 {
		return nil
	}
	select {
	case r.out <- job{t: r.t, args: r.args}:
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	r.args = make([]any, 0, r.t.per*r.t.cols)
	return nil
}

type seedRows struct {
	users, teams, tags, tokens, outbox, away, convs, replies *rows
}

// seedKey is one search key of one user.
type seedKey struct {
	key string
	id  int64
}

// load makes the users up on this goroutine and writes them on another; the
// search keys, sorted by chunk on the side, are merged and written last, in
// key order.
func (g *seeder) load(n int) error {
	ctx, cancel := context.WithCancelCause(g.ctx)
	defer cancel(nil)
	jobs := make(chan job, 8)
	written := make(chan error, 1)
	go func() {
		err := g.write(ctx, jobs)
		if err != nil {
			cancel(err) // stop the maker
		}
		written <- err
	}()

	var sorted [][]seedKey
	var sorting sync.WaitGroup
	err := func() error {
		defer close(jobs)
		mk := func(t *table, parent *rows) *rows {
			return &rows{t: t, args: make([]any, 0, t.per*t.cols), parent: parent, out: jobs, ctx: ctx}
		}
		for done := 0; done < n; {
			size := min(seedChunk, n-done)
			r := &seedRows{users: mk(tUsers, nil)}
			r.teams, r.tags, r.tokens = mk(tUserTeams, r.users), mk(tUserTags, r.users), mk(tTokens, r.users)
			r.outbox, r.away = mk(tOutbox, r.tokens), mk(tAway, r.users)
			r.convs, r.replies = mk(tConvs, r.users), mk(tReplies, r.users)
			keys := make([]seedKey, 0, size*6)
			first := g.nextID
			for range size {
				var err error
				if keys, err = g.user(r, keys); err != nil {
					return err
				}
			}
			for _, rs := range []*rows{r.users, r.teams, r.tags, r.tokens, r.outbox, r.away, r.convs, r.replies} {
				if err := rs.send(); err != nil {
					return err
				}
			}
			select {
			case jobs <- job{first: first, next: g.nextID}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			sorted = append(sorted, keys)
			sorting.Add(1)
			go func() {
				defer sorting.Done()
				slices.SortFunc(keys, func(a, b seedKey) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
			}()
			done += size
		}
		sorting.Wait()
		return g.mergeKeys(ctx, sorted, jobs)
	}()
	if err != nil {
		cancel(err)
		<-written
		return err
	}
	return <-written
}

// mergeKeys sends every chunk's sorted keys to the writer, merged in order,
// so that the search_keys table is written from start to end.
func (g *seeder) mergeKeys(ctx context.Context, runs [][]seedKey, jobs chan<- job) error {
	out := &rows{t: tKeys, args: make([]any, 0, tKeys.per*2), out: jobs, ctx: ctx}
	pos := make([]int, len(runs))
	for {
		best := -1
		for i, run := range runs {
			if pos[i] == len(run) {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			a, b := run[pos[i]], runs[best][pos[best]]
			if c := strings.Compare(a.key, b.key); c < 0 || c == 0 && a.id < b.id {
				best = i
			}
		}
		if best < 0 {
			break
		}
		k := runs[best][pos[best]]
		pos[best]++
		if err := out.add(k.key, k.id); err != nil {
			return err
		}
	}
	return out.send()
}

// write runs the jobs in order.
func (g *seeder) write(ctx context.Context, jobs <-chan job) error {
	defer func() {
		for range jobs { // let the maker finish
		}
	}()
	stmts := map[*table]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for j := range jobs {
		if j.t == nil {
			// Permissions follow the roles: one statement, users outside
			// (CROSS JOIN keeps that order), so rows come in key order.
			if _, err := g.tx.ExecContext(ctx, `INSERT OR ROLLBACK INTO user_perms (user_id, perm) SELECT u.id, p.perm
				FROM users u CROSS JOIN temp.seed_perms p ON p.role = u.role WHERE u.id >= ? AND u.id < ?`, j.first, j.next); err != nil {
				return err
			}
			continue
		}
		rows := len(j.args) / j.t.cols
		if rows < j.t.per {
			if _, err := g.tx.ExecContext(ctx, j.t.query(rows), j.args...); err != nil {
				return err
			}
			continue
		}
		st := stmts[j.t]
		if st == nil {
			var err error
			if st, err = g.tx.PrepareContext(ctx, j.t.query(rows)); err != nil {
				return err
			}
			stmts[j.t] = st
		}
		if _, err := st.ExecContext(ctx, j.args...); err != nil {
			return err
		}
	}
	return context.Cause(ctx)
}

// user makes one person up and gathers their rows; it returns keys with
// theirs added.
func (g *seeder) user(b *seedRows, keys []seedKey) ([]seedKey, error) {
	r, now := g.r, g.now
	id := g.nextID
	g.nextID++
	g.stats.Users++

	french := r.IntN(10) < 6
	names := seedNames()
	firsts, lasts, locale := names.firstEN, names.lastEN, "en"
	if french {
		firsts, lasts, locale = names.firstFR, names.lastFR, "fr"
	}
	first, last := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
	if r.IntN(20) == 0 { // mixed couples, expatriates
		last = names.lastEN[r.IntN(len(names.lastEN))]
	}
	email := g.email(first, last, seedDomains[r.IntN(len(seedDomains))])

	// One owner, the first person, when the account has none: the command
	// line then acts as them without --as.
	role := "member"
	switch x := r.IntN(1000); {
	case g.ownerID == 0:
		role = "owner"
	case x < 12:
		role = "admin"
	case x < 80:
		role = "manager"
	}
	status := Active
	switch x := r.IntN(100); {
	case g.ownerID == 0:
	case x < 9:
		status = Invited
	case x < 12:
		status = Staged
	case x < 18:
		status = Deactivated
	}

	phone := ""
	if r.IntN(10) < 7 {
		// Mobile numbers in ranges their plans have assigned, which the
		// rules accept (06 39… and 07 1… are not numbers in France).
		if french {
			phone = "+33" + seedFrenchMobiles[r.IntN(len(seedFrenchMobiles))] + fmt.Sprintf("%07d", r.IntN(10_000_000))
		} else {
			phone = "+447" + strconv.Itoa(1+r.IntN(3)) + fmt.Sprintf("%08d", r.IntN(100_000_000))
		}
	}
	position := seedPositions[r.IntN(len(seedPositions))]
	if r.IntN(8) == 0 {
		position = ""
	}
	ref := ""
	if r.IntN(10) < 8 {
		ref = "E" + strconv.FormatInt(100000+id, 10)
	}
	created := now.Add(-time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour)))).Truncate(time.Second)
	var activated, lastLogin time.Time
	logins := 0
	switch status {
	case Active, Deactivated:
		activated = created.Add(time.Duration(r.Int64N(int64(40 * time.Hour)))).Truncate(time.Second)
		if r.IntN(10) < 9 && activated.Before(now) {
			// Most people logged in lately; a few not for months.
			back := time.Duration(r.ExpFloat64() * float64(6*24*time.Hour))
			lastLogin = now.Add(-back).Truncate(time.Second)
			if lastLogin.Before(activated) {
				lastLogin = activated
			}
			logins = 1 + r.IntN(400)
		}
	case Invited:
		created = now.Add(-time.Duration(r.Int64N(int64(5 * 24 * time.Hour)))).Truncate(time.Second)
	}
	invitedBy := any(nil)
	if g.ownerID != 0 {
		invitedBy = g.ownerID
	} else {
		g.ownerID = id
		g.owner = User{FirstName: first, LastName: last, Email: email}
	}
	updated := created
	if !activated.IsZero() {
		updated = activated
	}
	u := &User{FirstName: first, LastName: last, Email: email}
	if err := b.users.add(id, email, EmailKey(email), first, last, sortName(u), phone, position, ref, locale, role, string(status), invitedBy,
		created.Unix(), unix(activated), unix(lastLogin), logins, updated.Unix()); err != nil {
		return keys, err
	}

	var tags []string
	if r.IntN(10) < 9 {
		t1 := g.teamIDs[r.IntN(len(g.teamIDs))]
		if err := b.teams.add(id, t1); err != nil {
			return keys, err
		}
		if t2 := g.teamIDs[r.IntN(len(g.teamIDs))]; r.IntN(8) == 0 && t2 != t1 {
			if err := b.teams.add(id, t2); err != nil {
				return keys, err
			}
		}
	}
	if r.IntN(7) == 0 {
		tags = append(tags, seedTags[r.IntN(len(seedTags))])
		if t := seedTags[r.IntN(len(seedTags))]; r.IntN(3) == 0 && t != tags[0] {
			tags = append(tags, t)
		}
	}
	for _, t := range tags {
		if err := b.tags.add(id, t); err != nil {
			return keys, err
		}
	}
	for _, k := range searchKeys(email, first, last, position, ref, tags) {
		keys = append(keys, seedKey{k, id})
	}

	switch status {
	case Invited:
		return keys, g.invitation(b, id, email, first+" "+last, locale, created)
	case Active:
		g.active = append(g.active, id)
		return keys, g.work(b, id, created)
	}
	return keys, nil
}

// email makes a unique address from a name: camille.martin@…, then
// camille.martin2@… and so on.
func (g *seeder) email(first, last, domain string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
				return r
			case r == ' ' || r == '\'':
				return '-'
			}
			return -1
		}, Fold(s))
	}
	base := clean(first) + "." + clean(last)
	for {
		key := base + "@" + domain
		g.emails[key]++
		e := key
		if n := g.emails[key]; n > 1 {
			e = base + strconv.Itoa(n) + "@" + domain
		}
		if !g.taken[e] {
			return e
		}
	}
}

// invitation writes an invited person's links (older ones voided by a
// resend) and the mail of the newest, sent or failed.
func (g *seeder) invitation(b *seedRows, id int64, email, name, locale string, sent time.Time) error {
	r := g.r
	g.stats.Invitations++
	times := 1
	if r.IntN(5) == 0 {
		times = 2 + r.IntN(2)
	}
	var tokenID int64
	for i := range times {
		at := sent.Add(time.Duration(i) * 20 * time.Hour)
		if at.After(g.now) {
			at = g.now
		}
		var voided int64
		if i < times-1 {
			voided = at.Add(20 * time.Hour).Unix()
		}
		g.tokenSeq++
		tokenID = g.tokenSeq
		// A hash nobody holds the token of, unique even when seeding again.
		hash := sha256.Sum256(fmt.Appendf(nil, "%d/%d", r.Uint64(), tokenID))
		if err := b.tokens.add(tokenID, id, "invite", hash[:], at.Unix(), at.Add(48*time.Hour).Unix(), voided, "seed"); err != nil {
			return err
		}
		sent = at
	}
	state, lastErr, sentAt := "sent", "", sent.Add(time.Minute).Unix()
	if r.IntN(25) == 0 {
		state, sentAt = "failed", 0
		lastErr = []string{"550 5.1.1 <" + email + ">: Recipient address rejected: User unknown",
			"552 5.2.2 Mailbox full", "554 5.7.1 Message rejected as spam"}[r.IntN(3)]
	}
	g.outboxSeq++
	kind := MailInvitation
	if times > 1 {
		kind = MailInviteResent
	}
	// What the mail said, its link redacted as once sent or given up.
	data, err := json.Marshal(MailData{Account: g.account, Name: name, Inviter: g.owner.Name(), InviterEmail: g.owner.Email,
		Path: "/invite/" + RedactedToken, ExpiresAt: sent.Add(48 * time.Hour), Lifetime: int64((48 * time.Hour).Seconds())})
	if err != nil {
		return err
	}
	return b.outbox.add(g.outboxSeq, kind, id, tokenID, email, name, locale, string(data),
		fmt.Sprintf("<seed-%d@roster.localhost>", g.outboxSeq), state, 1, sent.Unix(), sent.Add(48*time.Hour).Unix(), lastErr, sent.Unix(), sentAt)
}

// work gives an active person conversations, sometimes an automated reply,
// and sometimes an away period, now or planned, with a stand-in.
func (g *seeder) work(b *seedRows, id int64, since time.Time) error {
	r, now := g.r, g.now
	open := []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 4}[r.IntN(10)]
	closed := []int{0, 0, 0, 1}[r.IntN(4)]
	for i := range open + closed {
		status := "open"
		if i >= open {
			status = "closed"
		}
		at := now.Add(-time.Duration(r.Int64N(int64(now.Sub(since)) + 1)))
		subject := fmt.Sprintf(seedSubjects[r.IntN(len(seedSubjects))], 1000+r.IntN(90000))
		if err := b.convs.add(subject, id, status, at.Unix()); err != nil {
			return err
		}
		g.stats.Conversations++
	}
	if r.IntN(12) == 0 {
		if err := b.replies.add(seedReplies[r.IntN(len(seedReplies))], id); err != nil {
			return err
		}
		g.stats.AutoReplies++
	}
	var start, end time.Time
	switch x := r.IntN(100); {
	case x < 3: // away now
		start = now.Add(-time.Duration(r.Int64N(int64(10 * 24 * time.Hour))))
		if r.IntN(5) > 0 {
			end = now.Add(time.Duration(1 + r.Int64N(int64(14*24*time.Hour)))).Truncate(time.Hour)
		}
	case x < 5: // a planned leave
		start = now.Add(time.Duration(3+r.IntN(30)) * 24 * time.Hour).Truncate(24 * time.Hour)
		end = start.Add(time.Duration(2+r.IntN(14)) * 24 * time.Hour)
	default:
		return nil
	}
	var standInUser, standInTeam any
	switch x := r.IntN(10); {
	case x < 6 && len(g.active) > 0:
		standInUser = g.active[r.IntN(len(g.active))]
	case x < 8:
		standInTeam = g.teamIDs[r.IntN(len(g.teamIDs))]
	}
	g.stats.AwayPeriods++
	return b.away.add(id, start.Truncate(time.Second).Unix(), unix(end), standInUser, standInTeam,
		seedNotes[r.IntN(len(seedNotes))], start.Add(-72*time.Hour).Truncate(time.Second).Unix(), "seed")
}

var seedDomains = []string{"lumiere-associes.example", "northwind.example", "boulangerie-dupain.example",
	"atelier-rivoli.example", "harbour-logistics.example", "cabinet-morel.example", "greenfield.example", "transports-garnier.example"}

// seedNames are the names people are made up from, split on first use:
// split in a package variable, they cost every roster process's start 50 µs.
var seedNames = sync.OnceValue(func() (n struct{ firstFR, lastFR, firstEN, lastEN []string }) {
	n.firstFR = strings.Fields(`Camille Léa Manon Chloé Emma Inès Jade Louise Alice Lina Zoé Élodie Anaïs Clémence
	Margaux Mathilde Juliette Pauline Céline Sophie Nathalie Isabelle Sandrine Valérie Aurélie Mélanie Hélène
	Françoise Brigitte Martine Océane Maëlys Noémie Agathe Gaëlle Solène Bérénice Laëtitia Cécile Émilie
	Lucas Hugo Louis Gabriel Arthur Jules Raphaël Léo Adam Nathan Thomas Théo Mathis Noé Maxime Antoine
	Nicolas Julien Sébastien Stéphane Frédéric Jérôme Laurent Olivier Philippe Pierre François Éric Benoît
	Guillaume Romain Quentin Alexandre Baptiste Clément Damien Florian Jérémy Loïc Mickaël Yannick Gaël
	Hervé Thierry Bruno Didier Régis Cédric Aurélien Maël Timothée Bastien Valentin Corentin Mehdi Karim Yasmine Sofiane`)

	n.lastFR = strings.Fields(`Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
	Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent
	Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia
	Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie
	Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud
	Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine
	Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume
	Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet
	Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles
	Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le Gall Collet Léger
	Bouvier Julien Prévost Millet Perrot Daniel Le Roux Cousin Germain Breton Besson Langlois Rémy Le Goff
	Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud
	Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Da Silva Bouchet Gay
	Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert`)

	n.firstEN = strings.Fields(`Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James
	Henry Leo Alfie Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas
	Mohammed Logan Dylan Harrison Benjamin Theo Jake Sebastian Finley Adam Ryan Liam Michael David Richard
	Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Sophia Grace Evie Scarlett Ruby Chloe Sophie
	Freya Daisy Phoebe Florence Alice Matilda Jessica Charlotte Harper Sienna Rosie Willow Elizabeth Sarah
	Rebecca Hannah Laura Emma Katherine Rachel Victoria Lucy Megan Bethany Eleanor Abigail Niamh Siobhan
	Aoife Seán Ciarán Eóin Róisín Zoë Renée Chloé`)

	n.lastEN = strings.Fields(`Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
	Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood
	Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
	Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey
	Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson
	Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills
	Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey O'Brien O'Connor
	McCarthy Fitzgerald Ní Bhriain Ó Súilleabháin Nguyen Chen Wong Kowalski Nowak`)
	return n
})

// seedFrenchMobiles are the first two digits of French mobile numbers.
var seedFrenchMobiles = []string{"60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78", "79"}

var seedPositions = []string{
	"Commercial", "Commerciale terrain", "Chargée de clientèle", "Chargé de clientèle", "Responsable des ventes",
	"Directrice commerciale", "Directeur financier", "Comptable", "Assistante de direction", "Technicien SAV",
	"Technicienne de maintenance", "Responsable logistique", "Cheffe de projet", "Chef de projet", "Acheteuse",
	"Juriste", "Chargée de recrutement", "Développeur", "Développeuse", "Responsable qualité",
	"Account Executive", "Sales Development Representative", "Customer Success Manager", "Support Engineer",
	"Head of Sales", "Office Manager", "Finance Director", "Operations Manager", "Product Manager",
	"Recruiter", "Field Technician", "Warehouse Supervisor", "Marketing Manager", "Software Engineer",
}

var seedTeams = []string{"Ventes Paris", "Ventes Lyon", "Ventes Lille", "Ventes Bordeaux", "Grands comptes",
	"Support N1", "Support N2", "Service client", "SAV Nord", "SAV Sud", "Comptabilité", "Achats",
	"Logistique", "Ressources humaines", "Juridique", "Direction", "Qualité", "R&D",
	"UK Sales", "UK Support", "Customer Success", "Onboarding", "Marketing", "Partnerships"}

var seedTags = []string{"Facturation", "Devis", "Litiges", "Grands comptes", "Marchés publics", "Export",
	"Recrutement", "Paie", "Sécurité", "RGPD", "Billing", "Onboarding", "Renewals", "Escalations",
	"Partnerships", "Logistique", "Garantie", "Formation"}

var seedSubjects = []string{"Devis n° %d", "Relance facture %d", "Commande %d en retard", "Demande de rappel (%d)",
	"Réclamation dossier %d", "Question about order #%d", "Renewal quote %d", "Ticket %d: cannot log in",
	"Rendez-vous technicien, dossier %d", "Invoice %d overdue", "Livraison partielle, BL %d", "Contrat %d à signer"}

var seedReplies = []string{"Absence — congés", "Accusé de réception", "Hors des heures d'ouverture",
	"Out of office", "Thanks for your message", "Réponse devis sous 48 h"}

var seedNotes = []string{"Congés", "Congés d'été", "Formation", "Salon professionnel", "Arrêt maladie",
	"Annual leave", "Parental leave", "Conference", "Séminaire", ""}
