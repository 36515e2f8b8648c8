package tui

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
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

// While Run opens the session, the program already has the terminal: what
// comes meanwhile (the window's size, keys typed) reaches the dashboard, in
// order, once it is open, and an error opening ends the program with it.
func TestOpeningHoldsWhatComesForTheDashboard(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Lovelace", "member", "active")
	ctx, cancel := context.WithCancel(f.ctx)
	t.Cleanup(cancel)
	o := &opening{}
	o.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	o.Update(tea.KeyPressMsg{Code: '3', Text: "3"})
	m := New(ctx, f.options(owner)).(*Model)
	next, cmd := o.Update(openedMsg{m: m})
	for msgs := results(cmd); len(msgs) > 0 && m.active != pendingScreen; { // the key waits for the first page
		var more []tea.Msg
		for _, msg := range msgs {
			if _, ok := msg.(connMsg); !ok { // its polling would never end
				_, cmd := m.Update(msg)
				more = append(more, results(cmd)...)
			}
		}
		msgs = more
	}
	if next != m || m.width != 100 || m.active != pendingScreen {
		t.Fatalf("the dashboard got: size %dx%d, screen %v; want 100x30 and Pending (the key 3)", m.width, m.height, m.active)
	}

	failed := &opening{}
	_, cmd = failed.Update(openedMsg{err: errors.New("database is locked")})
	if _, quit := cmd().(tea.QuitMsg); !quit || failed.err == nil {
		t.Fatalf("opening failed: the program got %T and the error %v; want it to quit with the error", cmd(), failed.err)
	}
}

// The first frame drawn is the first page's: until its rows are in, the
// frame is empty, for firstRowsWait at most, after which the dashboard shows
// itself reading.
func TestFirstFrameHasTheRows(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Lovelace", "member", "active")
	ctx, cancel := context.WithCancel(f.ctx)
	t.Cleanup(cancel)
	for _, wait := range []bool{false, true} {
		m := New(ctx, f.options(owner)).(*Model)
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if v := m.View().Content; v != "" {
			t.Fatalf("before the first page, the frame is %q", v)
		}
		if wait {
			m.Update(showMsg{})
			if v := ansi.Strip(m.View().Content); !strings.Contains(v, "Users") {
				t.Fatalf("after %v without the first page, the frame is %q", firstRowsWait, v)
			}
			continue
		}
		for _, msg := range results(m.Init()) {
			if _, ok := msg.(usersPageMsg); ok {
				m.Update(msg)
			}
		}
		if v := ansi.Strip(m.View().Content); !strings.Contains(v, "ada@example.com") {
			t.Fatalf("with the first page, the frame is %q", v)
		}
	}
}
