package admin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/internal/testdb"
	"roster/store"
)

// start is the fixtures' clock at creation: a Monday morning.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const ownerEmail = "olive.owner@example.com"

// fixture is an initialised account in a fresh database (a SQLite file, or
// PostgreSQL's: see internal/testdb), with a clock the test moves and a raw
// connection for setup and inspection. It shares nothing with another
// fixture, so that the cases of a table run in parallel (t.Parallel).
type fixture struct {
	t     testing.TB
	ctx   context.Context
	path  string // what store.Open took
	st    *store.Store
	svc   *Service
	raw   *testdb.Raw
	clock atomic.Int64
	owner Actor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), path: migratedDSN(t)}
	st, err := store.Open(f.ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.clock.Store(start.Unix())
	f.svc = &Service{st: st, Now: func() time.Time { return time.Unix(f.clock.Load(), 0).UTC() }}
	if err := f.svc.Init(f.ctx, "Acme & Fils", ownerEmail, "Olive", "Owner", ChannelCLI); err != nil {
		t.Fatal(err)
	}
	f.owner = Actor{Email: ownerEmail, Channel: ChannelCLI}
	f.raw = testdb.OpenRaw(t, f.path)
	return f
}

// migrated is a SQLite database that store.Open has migrated, made once a
// test process: migrating a new file took 0.4 s under the race detector,
// nearly all of a fixture's making, and the package makes hundreds.
var migrated struct {
	once sync.Once
	file []byte
	err  error
}

// migratedDSN is a new database for the test, as testdb.DSN's, which on
// SQLite store.Open finds migrated already: a copy of the migrated file.
// A PostgreSQL schema is migrated by store.Open, as before.
func migratedDSN(t testing.TB) string {
	t.Helper()
	dsn := testdb.DSN(t)
	if testdb.Postgres() != "" {
		return dsn
	}
	migrated.once.Do(func() {
		dir, err := os.MkdirTemp("", "roster-admin-migrated")
		if err != nil {
			migrated.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "roster.db")
		st, err := store.Open(context.Background(), path)
		if err != nil {
			migrated.err = err
			return
		}
		// The last connection's close checkpoints the log into the file.
		if migrated.err = st.Close(); migrated.err == nil {
			migrated.file, migrated.err = os.ReadFile(path)
		}
	})
	if migrated.err != nil {
		t.Fatalf("migrate a database to copy: %v", migrated.err)
	}
	if err := os.WriteFile(dsn, migrated.file, 0o600); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func (f *fixture) now() time.Time { return f.svc.Now() }

// advance moves the clock forward.
func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

func as(email string) Actor { return Actor{Email: email, Channel: ChannelCLI} }

// addUser writes a user straight through the store, with their role's preset
// permissions unless perms are given.
func (f *fixture) addUser(email, role string, status store.Status, perms ...string) *store.User {
	f.t.Helper()
	local, _, _ := strings.Cut(email, "@")
	first, last, _ := strings.Cut(local, ".")
	now := f.now()
	u := &store.User{Email: email, FirstName: strings.ToUpper(first[:1]) + first[1:], LastName: strings.ToUpper(last[:min(1, len(last))]) + last[min(1, len(last)):],
		Locale: "en", Role: role, Status: status, CreatedAt: now, UpdatedAt: now, UpdatedBy: "setup"}
	if status == store.Active || status == store.Deactivated {
		u.ActivatedAt = now
	}
	if perms == nil {
		perms = Presets[role]
	}
	err := f.st.Write(f.ctx, func(q *store.Q) error {
		if err := q.InsertUser(f.ctx, u); err != nil {
			return err
		}
		return q.SetPerms(f.ctx, u.ID, perms)
	})
	if err != nil {
		f.t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// capture keeps m as the capture server would, straight through the store.
func (f *fixture) capture(m *store.CapturedMail) {
	f.t.Helper()
	if err := f.st.Write(f.ctx, func(q *store.Q) error { return q.InsertCapturedMail(f.ctx, m) }); err != nil {
		f.t.Fatal(err)
	}
}

// setPerms replaces a user's permissions straight through the store.
func (f *fixture) setPerms(email string, perms []string) {
	f.t.Helper()
	u := f.user(email)
	if err := f.st.Write(f.ctx, func(q *store.Q) error { return q.SetPerms(f.ctx, u.ID, perms) }); err != nil {
		f.t.Fatal(err)
	}
}

// user reads a user; the test fails if it does not exist.
func (f *fixture) user(email string) *store.User {
	f.t.Helper()
	u, err := f.st.Read().UserByEmail(f.ctx, email, f.now())
	if err != nil {
		f.t.Fatalf("read user %s: %v", email, err)
	}
	return u
}

func (f *fixture) exists(email string) bool {
	f.t.Helper()
	_, err := f.st.Read().UserByEmail(f.ctx, email, f.now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		f.t.Fatal(err)
	}
	return err == nil
}

func (f *fixture) perms(email string) []string {
	f.t.Helper()
	ps, err := f.st.Read().Perms(f.ctx, f.user(email).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// invite invites one person as the owner and returns the token of the mail.
func (f *fixture) invite(email, role string) string {
	f.t.Helper()
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: email, Role: role}}, InviteOptions{})
	if err != nil {
		f.t.Fatalf("invite %s: %v", email, err)
	}
	if res[0].Err != nil {
		f.t.Fatalf("invite %s: %v", email, res[0].Err)
	}
	return f.token(email)
}

// mail is the newest outbox message to email, decoded as the mail worker
// would read it.
func (f *fixture) mail(email string) (kind, state string, data store.MailData) {
	f.t.Helper()
	var raw string
	err := f.raw.QueryRow(`SELECT kind, state, data FROM outbox WHERE recipient = ? COLLATE NOCASE ORDER BY id DESC LIMIT 1`, email).
		Scan(&kind, &state, &raw)
	if err != nil {
		f.t.Fatalf("mail to %s: %v", email, err)
	}
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		f.t.Fatalf("mail to %s: data %q: %v", email, raw, err)
	}
	return kind, state, data
}

// token is the link token of the newest mail to email, read from the outbox
// as the recipient would read it from the mail.
func (f *fixture) token(email string) string {
	f.t.Helper()
	_, _, data := f.mail(email)
	i := strings.LastIndexByte(data.Path, '/')
	if data.Path == "" || i < 0 {
		f.t.Fatalf("mail to %s has no link: %+v", email, data)
	}
	return data.Path[i+1:]
}

// count runs a counting query on the raw connection.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.raw.QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.raw.Exec(query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

// snapshot is every row of every table, to check that a refused operation
// changed nothing.
func (f *fixture) snapshot() string {
	f.t.Helper()
	names, err := f.raw.Tables()
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range names {
		lines := f.rows(fmt.Sprintf("SELECT * FROM %q", n))
		sort.Strings(lines)
		fmt.Fprintf(&b, "== %s\n%s\n", n, strings.Join(lines, "\n"))
	}
	return b.String()
}

// rows renders every row a query returns, blobs in hex.
func (f *fixture) rows(query string, args ...any) []string {
	f.t.Helper()
	rows, err := f.raw.Query(query, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				parts[i] = "x'" + hex.EncodeToString(b) + "'"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// unchanged fails the test when the database differs from before.
func (f *fixture) unchanged(before string) {
	f.t.Helper()
	if after := f.snapshot(); after != before {
		f.t.Errorf("the database changed:\n%s", diffLines(before, after))
	}
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	am, bm := in(al), in(bl)
	var out []string
	for _, s := range al {
		if !bm[s] {
			out = append(out, "- "+s)
		}
	}
	for _, s := range bl {
		if !am[s] {
			out = append(out, "+ "+s)
		}
	}
	return strings.Join(out, "\n")
}

// audits lists the audit rows of an action, oldest first.
func (f *fixture) audits(action string) []store.AuditEntry {
	f.t.Helper()
	all, err := f.st.Read().Audit(f.ctx, store.AuditQuery{Limit: 100000})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.AuditEntry
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Action == action {
			out = append(out, all[i])
		}
	}
	return out
}

// refuseAudit makes every audit insert fail until the returned function is
// called: a change written with its audit row in one transaction then fails
// whole.
func (f *fixture) refuseAudit() (restore func()) {
	f.t.Helper()
	return f.refuseAuditWhere("", "audit refused by the test")
}

// refuseAuditWhere makes the audit inserts for which cond holds (on NEW)
// fail with message, until the returned function is called.
func (f *fixture) refuseAuditWhere(cond, message string) (restore func()) {
	f.t.Helper()
	drop, err := f.raw.RefuseInserts("audit", cond, message)
	if err != nil {
		f.t.Fatal(err)
	}
	return func() {
		if err := drop(); err != nil {
			f.t.Fatal(err)
		}
	}
}

// wantDenied checks that err is a *DeniedError about perm ("" for any).
func wantDenied(t testing.TB, err error, perm string) {
	t.Helper()
	var d *DeniedError
	if !errors.As(err, &d) {
		t.Fatalf("error %v (%T), want a *DeniedError", err, err)
	}
	if perm != "" && d.Perm != perm {
		t.Fatalf("denied for %q (%v), want %q", d.Perm, err, perm)
	}
}

// wantInput checks that err is an *InputError about field whose text holds want.
func wantInput(t testing.TB, err error, field, want string) {
	t.Helper()
	var e *InputError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *InputError about %s", err, err, field)
	}
	if e.Field != field || !strings.Contains(e.Msg, want) {
		t.Fatalf("error %q about %q, want %q about %q", e.Msg, e.Field, want, field)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// minus is a copy of list without drop.
func minus(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return slices.Contains(drop, s) })
}

// plus is a copy of list with add.
func plus(list []string, add ...string) []string { return append(slices.Clone(list), add...) }
