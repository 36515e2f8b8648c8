package tui

// Benchmarks on a 1,000,000-user database (store.Seed; ROSTER_BENCH_USERS
// for another size), cached under os.TempDir() so that reruns start at once:
//
//	go test -run '^$' -bench . -benchtime 200x ./tui/
//
// Each reports the median (and the 99th percentile) of the wall time from a
// key to the new View() string, the figure an operator feels; ns/op is the
// mean, kept for comparison between runs.

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

const benchUsers = 1_000_000

// benchDB opens the cached million-user database (ROSTER_BENCH_USERS users
// if set), seeding it the first time.
func benchDB(b *testing.B) (path, operator string) {
	b.Helper()
	ctx := context.Background()
	n := benchUsers
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	path = benchdb.Million(b, n)
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	owners, err := st.Read().Owners(ctx) // the first is the account's first owner
	if err != nil || len(owners) == 0 {
		b.Fatalf("no owner to act as: %v", err)
	}
	return path, owners[0]
}

// durations collects one measure per iteration and reports its median.
type durations []time.Duration

func (d durations) report(b *testing.B, name string) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append(durations(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	med := s[len(s)/2]
	p99 := s[min(len(s)-1, len(s)*99/100)]
	b.ReportMetric(float64(med.Microseconds())/1000, name+"-median-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, name+"-p99-ms")
	return med
}

// benchModel is the dashboard on the million users, first page drawn.
func benchModel(b *testing.B, path, operator string) (*Model, *store.Store) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	m := New(ctx, Options{Service: admin.New(st), Operator: operator}).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	firstFrame(m, m.Init())
	return m, st
}

// firstFrame runs the start's commands at once, as the program does, and
// returns the first frame with the Users screen's rows and when it was drawn.
// Slower results (the counts of every user) land afterwards, as they would
// on screen; firstFrame returns once they did.
func firstFrame(m *Model, cmd tea.Cmd) (string, time.Time) {
	msgs := make(chan tea.Msg, 64)
	pending := 0
	launch := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	launch(cmd)
	var frame string
	var at time.Time
	for pending > 0 {
		msg := <-msgs
		pending--
		switch msg := msg.(type) {
		case nil, connMsg, pollMsg, versionMsg:
		case tea.BatchMsg:
			for _, c := range msg {
				launch(c)
			}
		default:
			_, next := m.Update(msg)
			launch(next)
		}
		if u := m.screens[usersScreen].(*users); frame == "" && len(u.rows) > 0 {
			frame = m.frame()
			at = time.Now()
		}
	}
	return frame, at
}

// press sends a key and returns its command and the new frame.
func (m *Model) press(k string) (tea.Cmd, string) {
	_, cmd := m.Update(keyMsg(k))
	return cmd, m.frame()
}

// BenchmarkUsersKey measures, on a million users, a key to the new View():
// down, page down, and one letter typed in the search. A page read from the
// store (prefetched as the cursor nears the window's edge) lands in a frame
// of its own, measured as "page-lands"; a search's results likewise, as
// "results" (the 100 ms debounce excluded).
func BenchmarkUsersKey(b *testing.B) {
	path, operator := benchDB(b)
	for _, k := range []string{"down", "pgdown"} {
		b.Run(k, func(b *testing.B) {
			m, _ := benchModel(b, path, operator)
			var keys, pages durations
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				cmd, _ := m.press(k)
				keys = append(keys, time.Since(t0))
				if cmd != nil {
					t1 := time.Now()
					drive(m, cmd)
					m.View()
					pages = append(pages, time.Since(t1))
				}
			}
			b.StopTimer()
			keys.report(b, "key")
			pages.report(b, "page-lands")
		})
	}
	const letters = "abcdefghjlmnprst" // initials the seeded names and emails start with
	b.Run("filter-letter", func(b *testing.B) {
		m, _ := benchModel(b, path, operator)
		u := m.screens[usersScreen].(*users)
		var keys, results durations
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			drive(m, func() tea.Msg { return keyMsg("esc") }) // clear the search
			drive(m, func() tea.Msg { return keyMsg("/") })
			b.StartTimer()
			t0 := time.Now()
			m.press(string(letters[i%len(letters)]))
			keys = append(keys, time.Since(t0))
			t1 := time.Now()
			drive(m, func() tea.Msg { return usersFilterMsg{seq: u.filterSeq} })
			m.View()
			results = append(results, time.Since(t1))
			if len(u.rows) == 0 {
				b.Fatalf("no user starts with %c", letters[i%len(letters)])
			}
		}
		b.StopTimer()
		keys.report(b, "key")
		results.report(b, "results")
	})
}

// BenchmarkUsersStart measures start to the first frame of the Users screen:
// opening the store, the session, the first page, the frame.
func BenchmarkUsersStart(b *testing.B) {
	path, operator := benchDB(b)
	var starts durations
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		st, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		m := New(ctx, Options{Service: admin.New(st), Operator: operator}).(*Model)
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
		frame, at := firstFrame(m, m.Init())
		starts = append(starts, at.Sub(t0))
		if frame == "" {
			b.Fatal("no first frame")
		}
		b.StopTimer()
		cancel()
		st.Close()
		b.StartTimer()
	}
	b.StopTimer()
	starts.report(b, "first-frame")
}

// BenchmarkTableAlternative is the usual alternative: every user read into a
// bubbles table. It reports the start (reading and filling) and a down key,
// and their ratios to the Users screen's figures measured in the same run.
func BenchmarkTableAlternative(b *testing.B) {
	path, operator := benchDB(b)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	a := admin.Actor{Email: operator, Channel: admin.ChannelTUI}

	// The Users screen's figures, for the ratios.
	var ours, ourStart durations
	m, _ := benchModel(b, path, operator)
	for range 200 {
		t0 := time.Now()
		cmd, _ := m.press("down")
		ours = append(ours, time.Since(t0))
		drive(m, cmd)
	}
	for range 5 {
		t0 := time.Now()
		s, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		mm := New(ctx, Options{Service: admin.New(s), Operator: operator}).(*Model)
		mm.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
		_, at := firstFrame(mm, mm.Init())
		ourStart = append(ourStart, at.Sub(t0))
		s.Close()
	}

	var starts, keys durations
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		var rows []table.Row
		var after *store.Cursor
		for {
			p, err := svc.ListUsers(ctx, a, store.ListQuery{After: after, Limit: 20_000})
			if err != nil {
				b.Fatal(err)
			}
			for _, u := range p.Users {
				rows = append(rows, table.Row{admin.Printable(u.FirstName + " " + u.LastName), admin.Printable(u.Email), u.Role,
					admin.Status(u).String(), u.LastLoginAt.Local().Format("2006-01-02 15:04")})
			}
			if !p.More {
				break
			}
			after = &p.Cursors[len(p.Cursors)-1]
		}
		t := table.New(table.WithColumns([]table.Column{{Title: "Name", Width: 30}, {Title: "Email", Width: 40},
			{Title: "Role", Width: 8}, {Title: "Status", Width: 20}, {Title: "Last login", Width: 16}}),
			table.WithRows(rows), table.WithHeight(44), table.WithFocused(true))
		_ = t.View()
		starts = append(starts, time.Since(t0))
		for range 200 {
			t1 := time.Now()
			t, _ = t.Update(tea.KeyPressMsg{Code: tea.KeyDown})
			_ = t.View()
			keys = append(keys, time.Since(t1))
		}
	}
	b.StopTimer()
	ourKey := ours.report(b, "users-key")
	ourFirst := ourStart.report(b, "users-first-frame")
	tableStart := starts.report(b, "table-start")
	tableKey := keys.report(b, "table-key")
	b.ReportMetric(float64(tableStart)/float64(ourFirst), "start-ratio")
	b.ReportMetric(float64(tableKey)/float64(ourKey), "key-ratio")
}
