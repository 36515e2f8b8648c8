package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/store"
)

// switchFrames runs the commands a switch to a screen started, as the
// program does, and returns when the frame first changed (the first result
// drawn: the first rows, on a list) and when every result was drawn.
func switchFrames(m *Model, cmd tea.Cmd, before string, t0 time.Time) (first, settled time.Duration) {
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
	for pending > 0 {
		msg := <-msgs
		pending--
		switch msg := msg.(type) {
		case nil, connMsg, pollMsg, versionMsg:
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				launch(c)
			}
			continue
		default:
			_, next := m.Update(msg)
			launch(next)
		}
		if f := m.frame(); first == 0 && f != before {
			first = time.Since(t0)
		}
	}
	return first, time.Since(t0)
}

// BenchmarkScreens measures, on a million users, each screen but Users
// (BenchmarkUsersKey): its number key to the new View(), as "switch-key";
// from that key to the first frame showing what it read (the first rows, on
// a list), as "first-rows", and to the last, as "settled"; then a down key on
// the screen to its View(), as "key", and to the page it may read, as
// "page-lands". Each iteration opens the screen afresh, as a session's first
// visit does. Whatever the screens read and draw is measured, so the figures
// follow them as they change:
//
//	go test -run '^$' -bench Screens -benchtime 20x ./tui/
func BenchmarkScreens(b *testing.B) {
	path, operator := benchDB(b)
	for id := inviteScreen; id < numScreens; id++ {
		b.Run(screenNames[id], func(b *testing.B) {
			m, _ := benchModel(b, path, operator)
			var switches, firsts, settles, keys, pages durations
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				// A screen as a new session has it, never opened, on Users.
				m.screens[id] = New(m.s.ctx, Options{Service: m.s.svc, Operator: operator}).(*Model).screens[id]
				m.started[id] = false
				m.layout()
				drive(m, func() tea.Msg { return keyMsg("1") })
				b.StartTimer()

				t0 := time.Now()
				cmd, before := m.press(string(rune('1' + id)))
				switches = append(switches, time.Since(t0))
				first, settled := switchFrames(m, cmd, before, t0)
				firsts = append(firsts, first)
				settles = append(settles, settled)
				if m.active != id {
					b.Fatalf("%s: not shown after its key", screenNames[id])
				}

				t1 := time.Now()
				cmd, _ = m.press("down")
				keys = append(keys, time.Since(t1))
				if cmd != nil {
					t2 := time.Now()
					drive(m, cmd)
					m.View()
					pages = append(pages, time.Since(t2))
				}
			}
			b.StopTimer()
			switches.report(b, "switch-key")
			firsts.report(b, "first-rows")
			settles.report(b, "settled")
			keys.report(b, "key")
			pages.report(b, "page-lands")
		})
	}
}

// BenchmarkCounts measures the counts of every user the Users screen's
// summary line shows, read afresh as a new process does (no cached copy).
func BenchmarkCounts(b *testing.B) {
	path, operator := benchDB(b)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	a := admin.Actor{Email: operator, Channel: admin.ChannelTUI}
	var reads durations
	b.ResetTimer()
	for range b.N {
		svc := admin.New(st)
		t0 := time.Now()
		if _, err := svc.Summary(ctx, a); err != nil {
			b.Fatal(err)
		}
		reads = append(reads, time.Since(t0))
	}
	b.StopTimer()
	reads.report(b, "counts")
}
