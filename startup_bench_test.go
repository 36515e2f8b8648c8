package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/creack/pty"

	"roster/internal/benchdb"
	"roster/store"
)

// startupRun is one start of a program on a fresh pseudo-terminal.
type startupRun struct {
	args   []string
	env    []string
	want   []byte // the first frame holds this
	answer bool   // answer the terminal's queries as a terminal does
}

// terminalQueries are the queries a Bubble Tea v2 program may send at start:
// colours (OSC 10/11), cursor position, device attributes, mode reports,
// the kitty keyboard flags, the terminal's version.
var terminalQueries = regexp.MustCompile(`\x1b\](1[01]);\?(?:\x07|\x1b\\)|\x1b\[(\?)?6n|\x1b\[0?c|\x1b\[\?(\d+)\$p|\x1b\[\?u|\x1b\[>0?q`)

// reply is what xterm answers to a query terminalQueries matched.
func reply(m [][]byte) []byte {
	q := m[0]
	switch {
	case q[1] == ']':
		return []byte("\x1b]" + string(m[1]) + ";rgb:1e1e/1e1e/1e1e\x1b\\")
	case bytes.HasSuffix(q, []byte("6n")):
		return []byte("\x1b[" + string(m[2]) + "1;1R")
	case bytes.HasSuffix(q, []byte("c")):
		return []byte("\x1b[?62;22c")
	case bytes.HasSuffix(q, []byte("$p")):
		return []byte("\x1b[?" + string(m[3]) + ";2$y") // known, reset
	case bytes.HasSuffix(q, []byte("u")):
		return []byte("\x1b[?0u")
	default:
		return []byte("\x1bP>|xterm(390)\x1b\\")
	}
}

// firstFrame starts the program on a 160x50 pty and returns the time from
// exec to the first output holding r.want; the program is then killed.
func (r startupRun) firstFrame(tb testing.TB) time.Duration {
	tb.Helper()
	cmd := exec.Command(r.args[0], r.args[1:]...)
	cmd.Env = r.env
	start := time.Now()
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		tb.Skipf("no pseudo-terminal: %v", err)
	}
	// A program that draws nothing more leaves Read waiting: past 30 s it is
	// stopped, which ends the Read with an error and the output so far.
	stop := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer func() {
		stop.Stop()
		cmd.Process.Kill()
		master.Close()
		cmd.Wait()
	}()
	var out []byte
	answered := 0 // queries answered so far
	buf := make([]byte, 64<<10)
	for {
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		if r.answer {
			qs := terminalQueries.FindAllSubmatch(out, -1)
			for _, q := range qs[answered:] {
				master.Write(reply(q))
			}
			answered = len(qs)
		}
		if bytes.Contains(out, r.want) {
			return time.Since(start)
		}
		if err != nil {
			tb.Fatalf("%s: no frame with %q after %v: %v\n%q", r.args[0], r.want, time.Since(start).Round(time.Millisecond), err, out)
		}
	}
}

// BenchmarkStartupFirstFrame measures, on a pty, the time from exec to the
// Users screen's first frame holding the first user, for roster's dashboard
// and for the floor (internal/floor: a bare Bubble Tea v2 program drawing
// the same page), taking turns in each iteration so that all see the same
// machine. It reports each one's median and roster's over the floor's, on a
// pty that answers the terminal queries as xterm does and on one that
// answers nothing. The floor quits once it has the page, which draws it at
// once; roster, staying open, draws on the renderer's next tick, up to
// 8.3 ms later at 120 frames a second. The floor staying open (-open),
// drawing on its tick too, is reported beside it (floor-open): roster's time
// over it is its start alone. A million users (ROSTER_BENCH_USERS):
//
//	go test -run '^$' -bench StartupFirstFrame -benchtime 20x .
func BenchmarkStartupFirstFrame(b *testing.B) {
	users := envInt("ROSTER_BENCH_USERS", 1_000_000)
	dir := b.TempDir()
	bins := buildBinaries(b, dir, ".", "./internal/floor")
	roster, floor := bins[0], bins[1]
	db := seededDB(b, users)
	var first []byte // both draw it in the first page's first row
	owner := benchOwner(b, db, func(st *store.Store) {
		p, err := st.Read().ListUsers(context.Background(), store.ListQuery{Limit: 1})
		if err != nil || len(p.Users) == 0 {
			b.Fatal("no user in the seeded database", err)
		}
		first = []byte(p.Users[0].Email)
	})
	env := append(os.Environ(), "XDG_DATA_HOME="+dir, "TERM=xterm-256color", "LANG=C.UTF-8")

	for _, answer := range []bool{true, false} {
		name := "silent"
		if answer {
			name = "answering"
		}
		b.Run(name, func(b *testing.B) {
			ros := startupRun{args: []string{roster, "--db", db, "--as", owner}, env: env, want: first, answer: answer}
			flo := startupRun{args: []string{floor, db}, env: env, want: first, answer: answer}
			open := startupRun{args: []string{floor, "-open", db}, env: env, want: first, answer: answer}
			var rs, fs, opens []time.Duration
			rs, fs = benchdb.InTurns(b, func() time.Duration {
				opens = append(opens, open.firstFrame(b))
				return ros.firstFrame(b)
			}, func() time.Duration { return flo.firstFrame(b) })
			r, f := benchdb.ReportPair(b, "roster", rs, "floor", fs)
			o := benchdb.Median(opens[1:]) // the first turn warms the caches
			b.ReportMetric(float64(o.Nanoseconds()), "floor-open-ns/op")
			b.ReportMetric(float64(r)/float64(o), "roster/floor-open")
			b.Logf("%d users, %s pty: roster %v, floor %v, floor staying open %v (medians of %d)", users, name,
				r.Round(time.Microsecond), f.Round(time.Microsecond), o.Round(time.Microsecond), b.N)
		})
	}
}

// buildBinaries builds each package into dir, for benchmarks that run the
// programs whole, and returns the binaries' paths in the same order. They
// are built as contrib/release builds roster's binaries, the baselines too:
// static (no cgo: no dynamic loader at each start, 0.3 ms in a profile) and
// stripped.
func buildBinaries(tb testing.TB, dir string, pkgs ...string) []string {
	tb.Helper()
	bins := make([]string, len(pkgs))
	for i, pkg := range pkgs {
		bins[i] = filepath.Join(dir, filepath.Base(filepath.Clean(pkg)))
		if pkg == "." {
			bins[i] = filepath.Join(dir, "roster")
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bins[i], pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return bins
}

// benchOwner opens the benchmark's database and returns an active owner
// for --as, reading what else the benchmark needs with more.
func benchOwner(tb testing.TB, db string, more func(*store.Store)) string {
	tb.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	owners, err := st.Read().Owners(context.Background())
	if err != nil || len(owners) == 0 {
		tb.Fatal("no owner in the seeded database", err)
	}
	more(st)
	return owners[0]
}
