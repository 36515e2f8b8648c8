package tui

import (
	"context"
	"reflect"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The session's start reads the Users screen's first page, beside the
// change watch, before anything else: the counts, the teams, the
// operator's permissions, the account and Options.Ready (the mail worker,
// for roster's dashboard) wait until it is in. On a million users the page
// waited behind them, and the first frame with it.
func TestFirstPageIsReadFirst(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Lovelace", "member", "active")
	ctx, cancel := context.WithCancel(f.ctx)
	t.Cleanup(cancel) // closes the watch's connection
	ready := 0
	opts := f.options(owner)
	opts.Ready = func() (string, error) { ready++; return "", nil }
	m := New(ctx, opts).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 130, Height: 40})

	kinds := func(msgs []tea.Msg) (page tea.Msg, others []string) {
		for _, msg := range msgs {
			switch msg.(type) {
			case usersPageMsg:
				page = msg
			case usersSummaryMsg, usersTeamsMsg, operatorMsg, accountMsg, connMsg, readyMsg:
				others = append(others, reflect.TypeOf(msg).Name())
			}
		}
		return page, others
	}
	page, others := kinds(results(m.Init()))
	if page == nil || !slices.Equal(others, []string{"connMsg"}) || ready > 0 {
		t.Fatalf("the start read the page: %v; and %v; Ready called %d times", page != nil, others, ready)
	}
	// Then the rest, once the page is in, as the program feeds results back.
	var read []string
	for msgs := []tea.Msg{page}; len(msgs) > 0; {
		var next []tea.Msg
		for _, msg := range msgs {
			if _, ok := msg.(connMsg); ok {
				continue // its polling would never end
			}
			_, cmd := m.Update(msg)
			next = append(next, results(cmd)...)
		}
		_, others := kinds(next)
		read = append(read, others...)
		msgs = next
	}
	if !m.screens[usersScreen].(*users).ids[f.user("ada@example.com").ID] {
		t.Fatal("the first page does not show Ada")
	}
	slices.Sort(read)
	want := []string{"accountMsg", "operatorMsg", "readyMsg", "usersSummaryMsg", "usersTeamsMsg"}
	if !slices.Equal(read, want) || ready != 1 {
		t.Fatalf("once the page is in, the session reads %v, want %v; Ready called %d times", read, want, ready)
	}
}

// results runs cmd and the commands of the batches it returns, and returns
// their messages.
func results(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, results(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}
