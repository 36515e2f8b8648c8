package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"roster/internal/benchdb"
	"roster/store"
)

// processRun is one command run to its end, its output read and dropped.
type processRun struct {
	args  []string
	env   []string
	stdin string
}

// took runs the command and returns the time from exec to its exit.
func (r processRun) took(tb testing.TB) time.Duration {
	tb.Helper()
	cmd := exec.Command(r.args[0], r.args[1:]...)
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(r.stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil || out.Len() == 0 {
		tb.Fatalf("%s: %v, %d bytes out\n%s", strings.Join(r.args, " "), err, out.Len(), errOut.String())
	}
	return took
}

// BenchmarkProcess measures roster's one-shot commands as whole processes,
// from exec to exit, beside a baseline that runs the same SQL, taking turns
// in each iteration so that both see the same machine: internal/bare (a Go
// program that opens the database and runs the query) and the sqlite3
// command line (skipped when it is not installed). The query is the one
// roster's listing runs (store's ListSQL), stopped at the page's rows as
// roster stops, with the page's tags, or for users --count the count's
// (CountSQL); roster help is held against the same baseline, since it
// reads nothing at all. It reports the medians and roster's over the
// baseline's. A million users (ROSTER_BENCH_USERS; 10,000 and 100,000 are
// the other sizes measured):
//
//	go test -run '^$' -bench Process -benchtime 20x .
func BenchmarkProcess(b *testing.B) {
	users := envInt("ROSTER_BENCH_USERS", 1_000_000)
	dir := b.TempDir()
	bins := buildBinaries(b, dir, ".", "./internal/bare")
	roster, bare := bins[0], bins[1]
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		sqlite3 = ""
	}
	db := seededDB(b, users)
	const limit = 50
	type row struct {
		name   string
		args   []string // roster's, after --db and --as
		search string   // the listing's, for the baseline's query
		count  bool     // the baseline runs the count's query, not the page's
	}
	rows := []row{
		{"users", []string{"users", "--json", "--sort", "name", "--limit", fmt.Sprint(limit)}, "", false},
		{"users-search", []string{"users", "--json", "--sort", "name", "--limit", fmt.Sprint(limit), "--search", "mar"}, "mar", false},
		{"count", []string{"users", "--json", "--count"}, "", true},
		{"help", []string{"help"}, "", false},
	}
	sqls := map[string]string{}
	params := map[string][]any{}
	owner := benchOwner(b, db, func(st *store.Store) {
		ctx := context.Background()
		for _, r := range rows {
			lq := store.ListQuery{Sort: "name", Search: r.search, Limit: limit}
			if r.count {
				q, args, err := st.Read().CountSQL(ctx, lq)
				if err != nil {
					b.Fatal(err)
				}
				sqls[r.name], params[r.name] = q, args
				continue
			}
			q, args, err := st.Read().ListSQL(ctx, lq)
			if err != nil {
				b.Fatal(err)
			}
			// A search's query reads until roster has its page; the page's
			// tags are roster's second statement (store.addTags).
			sqls[r.name], params[r.name] = fmt.Sprintf("SELECT p.*, (SELECT group_concat(tag, ',') FROM (SELECT tag FROM user_tags t WHERE t.user_id = p.id ORDER BY tag)) AS tags"+
				" FROM (SELECT * FROM (%s) LIMIT %d) p", q, limit+1), args
		}
	})
	env := append(os.Environ(), "XDG_DATA_HOME="+dir, "LANG=C.UTF-8")

	for _, r := range rows {
		ros := processRun{args: append([]string{roster, "--db", db, "--as", owner}, r.args...), env: env}
		bareArgs := []string{bare, db, sqls[r.name]}
		for _, a := range params[r.name] {
			bareArgs = append(bareArgs, fmt.Sprint(a))
		}
		baselines := map[string]processRun{"bare": {args: bareArgs, env: env}}
		if sqlite3 != "" {
			baselines["sqlite3"] = processRun{args: []string{sqlite3, "-readonly", "-json", db}, env: env, stdin: sqliteScript(sqls[r.name], params[r.name])}
		}
		for _, name := range []string{"bare", "sqlite3"} {
			b.Run(r.name+"/"+name, func(b *testing.B) {
				base, ok := baselines[name]
				if !ok {
					b.Skip("sqlite3 is not installed")
				}
				rs, bs := benchdb.InTurns(b, func() time.Duration { return ros.took(b) }, func() time.Duration { return base.took(b) })
				rm, bm := benchdb.ReportPair(b, "roster", rs, name, bs)
				b.Logf("%d users, roster %s: %v, %s %v (medians of %d)", users, strings.Join(r.args, " "),
					rm.Round(time.Microsecond), name, bm.Round(time.Microsecond), b.N)
			})
		}
	}
}

// sqliteScript is what the sqlite3 command line reads to run query with
// args bound to ?1, ?2…: text quoted as SQL, numbers as they are.
func sqliteScript(query string, args []any) string {
	var s strings.Builder
	for i, a := range args {
		v := fmt.Sprint(a)
		if t, ok := a.(string); ok {
			v = `"'` + strings.ReplaceAll(t, "'", "''") + `'"`
		}
		fmt.Fprintf(&s, ".parameter set ?%d %s\n", i+1, v)
	}
	return s.String() + query + ";\n"
}
