package tui

import (
	"context"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"roster/store"
)

// picker finds a user (and, for a stand-in, a team, or a team in one branch)
// as the operator types: users by the store's prefix search over names,
// emails, positions and tags, teams by a fuzzy match over their names
// ("Support", "Support, Lyon").
type picker struct {
	s       *session
	id      int // tells this picker's messages from another's
	input   textinput.Model
	teams   bool   // offer teams too
	status  string // only users of this status filter, "" for all
	exclude string // an email not to offer (the user acted on)

	teamNames []string          // the teams, then each team in each branch, as offered
	teamValue map[string]string // a name offered: its stand-in, team:NAME or team:NAME@BRANCH
	results   []pick
	nav       nav
	seq       int // of the newest search typed
	shown     int // of the search whose results are shown
	// queued are the keys held since one that acts on a result (a move,
	// enter) came while the results shown were of an older search: they are
	// replayed, in order, once the newest land, so that they act on what the
	// operator sees. Those after the pick belong to the screen, which replays
	// them.
	queued []tea.KeyPressMsg
	err    string
}

// pick is one result: value is an email, "team:NAME" or "team:NAME@BRANCH".
type pick struct{ value, label string }

type (
	pickerTickMsg struct{ id, seq int }
	pickerMsg     struct {
		id, seq int
		users   []*store.User
		err     error
	}
	pickerTeamsMsg struct {
		id       int
		teams    []store.Team
		branches []store.Branch
	}
)

func newPicker(s *session, id int, placeholder string, teams bool, status string) *picker {
	p := &picker{s: s, id: id, teams: teams, status: status}
	p.input = s.newInput(placeholder, 100)
	p.input.Prompt = "› "
	p.nav.height = 8
	return p
}

// start focuses the picker and reads what it offers before typing.
func (p *picker) start() tea.Cmd {
	cmds := []tea.Cmd{p.input.Focus(), p.search()}
	if p.teams {
		id := p.id
		svc, a := p.s.svc, p.s.actor
		cmds = append(cmds, p.s.do(func(ctx context.Context) tea.Msg {
			t, _ := svc.Teams(ctx, a)
			b, _ := svc.Branches(ctx, a)
			return pickerTeamsMsg{id, t, b}
		}))
	}
	return tea.Batch(cmds...)
}

func (p *picker) search() tea.Cmd {
	p.seq++
	id, seq := p.id, p.seq
	q := store.ListQuery{Search: p.input.Value(), Status: p.status, Limit: 8}
	svc, a := p.s.svc, p.s.actor
	return p.s.do(func(ctx context.Context) tea.Msg {
		pg, err := svc.ListUsers(ctx, a, q)
		if err != nil {
			return pickerMsg{id: id, seq: seq, err: err}
		}
		return pickerMsg{id: id, seq: seq, users: pg.Users}
	})
}

// update handles the picker's messages and keys; it returns the pick once
// the operator chose one with enter.
func (p *picker) update(msg tea.Msg) (chosen *pick, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case pickerTeamsMsg:
		if msg.id == p.id {
			p.teamNames, p.teamValue = nil, map[string]string{}
			offer := func(name, value string) {
				p.teamNames = append(p.teamNames, name)
				p.teamValue[name] = value
			}
			for _, t := range msg.teams {
				offer(t.Name, "team:"+t.Name)
			}
			for _, t := range msg.teams {
				for _, b := range msg.branches {
					offer(t.Name+", "+b.Name, "team:"+t.Name+"@"+b.Name)
				}
			}
			// Results shown before the teams came lack them: read them again.
			return nil, p.search()
		}
	case pickerTickMsg:
		if msg.id == p.id && msg.seq == p.seq {
			return nil, p.search()
		}
	case pickerMsg:
		if msg.id != p.id || msg.seq != p.seq {
			return nil, nil
		}
		p.shown = msg.seq
		p.err = p.s.explain(msg.err)
		p.results = p.results[:0]
		for _, t := range fuzzy(p.input.Value(), p.teamNames) {
			p.results = append(p.results, pick{p.teamValue[t], p.s.p.T("team %s", clean(t))})
		}
		for _, u := range msg.users {
			if strings.EqualFold(u.Email, p.exclude) {
				continue
			}
			p.results = append(p.results, pick{u.Email, who(u)})
		}
		p.nav.set(len(p.results))
		return p.replay()
	case tea.KeyPressMsg:
		if len(p.queued) > 0 || p.shown != p.seq && p.acts(msg) {
			p.queued = append(p.queued, msg)
			return nil, nil
		}
		switch msg.String() {
		case "up", "ctrl+p":
			p.nav.move(-1)
			return nil, nil
		case "down", "ctrl+n":
			p.nav.move(1)
			return nil, nil
		case "enter":
			if p.nav.cur < len(p.results) {
				c := p.results[p.nav.cur]
				return &c, nil
			}
			return nil, nil
		}
		before := p.input.Value()
		p.input, cmd = p.input.Update(msg)
		if p.input.Value() != before {
			p.seq++
			id, seq := p.id, p.seq
			p.nav.cur = 0
			return nil, tea.Batch(cmd, tea.Tick(debounce, func(time.Time) tea.Msg { return pickerTickMsg{id, seq} }))
		}
		return nil, cmd
	}
	return nil, nil
}

// acts reports that k acts on the results shown rather than on the text.
func (p *picker) acts(k tea.KeyPressMsg) bool {
	switch k.String() {
	case "up", "ctrl+p", "down", "ctrl+n", "enter":
		return true
	}
	return false
}

// replay applies the held keys now that the newest results are shown; it
// stops at a pick, leaving the keys after it queued for the screen, or when
// a key holds the rest again (it typed a new search).
func (p *picker) replay() (chosen *pick, cmd tea.Cmd) {
	held := p.queued
	p.queued = nil
	var cmds []tea.Cmd
	for i, k := range held {
		chosen, cmd = p.update(k)
		cmds = append(cmds, cmd)
		if chosen != nil || len(p.queued) > 0 {
			p.queued = append(p.queued, held[i+1:]...)
			break
		}
	}
	return chosen, tea.Batch(cmds...)
}

// step gives msg to the picker for a screen that shows it: closed is esc,
// chosen the pick made, and handled whether the picker took msg (a key, or
// one of its own results); otherwise the screen handles msg.
func (p *picker) step(msg tea.Msg) (closed bool, chosen *pick, cmd tea.Cmd, handled bool) {
	km, isKey := msg.(tea.KeyPressMsg)
	if isKey && km.String() == "esc" && len(p.queued) == 0 {
		return true, nil, nil, true
	}
	chosen, cmd = p.update(msg)
	return false, chosen, cmd, chosen != nil || isKey || cmd != nil
}

func (p *picker) view(st Styles, width int) string {
	var b strings.Builder
	b.WriteString(st.input(p.input))
	b.WriteString("\n")
	if p.err != "" {
		b.WriteString(st.Error.Render(cut(p.err, width)) + "\n")
	}
	if len(p.results) == 0 {
		b.WriteString(st.Faint.Render("  "+p.s.p.T("no match")) + "\n")
	}
	from, to := p.nav.visible()
	for i := from; i < to; i++ {
		line := "  " + cut(p.results[i].label, width-4)
		if i == p.nav.cur {
			line = st.Selected.Render("▸ " + cut(p.results[i].label, width-4))
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// fuzzy keeps the names holding the letters of q in order, best first:
// the tighter and earlier the letters, the better.
func fuzzy(q string, names []string) []string {
	q = store.Fold(strings.TrimSpace(q))
	type scored struct {
		name  string
		score int
	}
	var out []scored
	for _, n := range names {
		f := store.Fold(n)
		if q == "" {
			out = append(out, scored{n, 0})
			continue
		}
		pos, first, last := 0, -1, -1
		for _, r := range q {
			i := strings.IndexRune(f[pos:], r)
			if i < 0 {
				first = -2
				break
			}
			if first == -1 {
				first = pos + i
			}
			last = pos + i
			pos += i + len(string(r))
		}
		if first == -2 {
			continue
		}
		out = append(out, scored{n, (last - first) + first})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score < out[j].score })
	names = names[:0:0]
	for _, s := range out {
		names = append(names, s.name)
	}
	return names
}
