package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// BenchmarkSelectAllTeam selects every user of a copy of the 100,000-user
// bench database on the Users screen (A), adds them all to a team through
// the acts on the selection (m, add to team, y), and meanwhile presses a
// key every 10 ms on the same screen: "act" is the time from y to the
// outcome drawn, "key" a key to the new View() while the act runs. Even
// iterations add to the team, odd ones remove from it, so that each moves
// every user:
//
//	go test -run '^$' -bench SelectAllTeam -benchtime 3x ./tui/
//
// The program's loop is played by the benchmark's goroutine, which alone
// calls Update and View, as the program does; the act and the pages read
// run in commands on other goroutines. The refresh on the database's
// changes is left out (pollMsg).
func BenchmarkSelectAllTeam(b *testing.B) {
	n := benchdb.Users(100_000)
	path := benchdb.Copy(b, n)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		b.Fatalf("no owner: %v", err)
	}
	operator := owners[0]
	if err := admin.New(st).AddTeam(ctx, admin.Actor{Email: operator, Channel: admin.ChannelCLI}, "Bench"); err != nil {
		b.Fatal(err)
	}
	st.Close()
	m, _ := benchModel(b, path, operator)
	u := m.screens[usersScreen].(*users)

	msgs := make(chan tea.Msg, 64)
	pending := 0
	launch := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	// deliver gives Update one command's result, as the program does.
	deliver := func(msg tea.Msg) {
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
	}
	// settle delivers results until none is on its way.
	settle := func() {
		for pending > 0 {
			deliver(<-msgs)
		}
	}
	press := func(k string) {
		cmd, _ := m.press(k)
		launch(cmd)
		settle()
	}

	var acts, keys durations
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		press("A")
		if got := u.sel.size(); got != n+1 && got != n { // the seed's users and its owner
			b.Fatalf("A selected %d users, want about %d", got, n)
		}
		press("m")
		press(map[bool]string{true: "2", false: "3"}[i%2 == 0]) // add to, remove from
		for u.menu != nil && u.menu.options[u.menu.cur] != "Bench" {
			press("right")
		}
		press("enter")
		if u.confirm == nil {
			b.Fatalf("no question; status: %s", u.err)
		}
		b.Logf("%s", u.confirm.prompt)
		b.StartTimer()
		t0 := time.Now()
		cmd, _ := m.press("y")
		launch(cmd)
		tick := time.NewTicker(10 * time.Millisecond)
		down := true
		for u.jobs.job != nil {
			select {
			case msg := <-msgs:
				deliver(msg)
			case <-tick.C:
				k := "down"
				if !down {
					k = "up"
				}
				down = !down
				t1 := time.Now()
				cmd, _ := m.press(k)
				keys = append(keys, time.Since(t1))
				launch(cmd)
			}
		}
		acts = append(acts, time.Since(t0))
		tick.Stop()
		b.StopTimer()
		settle()
		b.Logf("%s in %v", u.note+u.pendingNote, acts[len(acts)-1].Round(time.Millisecond))
		b.StartTimer()
	}
	b.StopTimer()
	acts.report(b, "act")
	keys.report(b, "key")
}
