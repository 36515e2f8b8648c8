package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/store"
)

// teamsView lists the teams (T from the Users screen) or the branches (B)
// with their member counts: n adds one, r renames the one under the cursor,
// x removes it once the operator says yes. A team's members stay, without
// it (admin's rule); a branch that still has people asks where they go,
// another branch or none, picked with ←/→.
type teamsView struct {
	s        *session
	keys     teamsKeys
	width    int
	perms    map[string]bool
	branches bool // the branches, else the teams

	teams []group
	nav   nav
	seq   int // of the newest reading; older ones are dropped
	shown int // of the reading shown
	keep  string

	// naming is the name being typed: a new team's, or renaming's.
	naming   *textinput.Model
	renaming string // the team renamed, by name: the rows may change meanwhile
	confirm  *confirmation
	moving   *moveChoice
	busy     bool
	note     string
	err      string
	closed   bool // esc: the list closes it as soon as it has handled the key
	// members is the team or branch whose people enter asks for: the list
	// closes the view and shows them (its t filter set to it).
	members string
}

type teamsKeys struct {
	nav                        navKeys
	New, Rename, Remove, Close key.Binding
	Save, Cancel, Pick         key.Binding
	Members                    key.Binding
}

// group is a team or a branch as the list shows it.
type group struct {
	name    string
	members int
	about   string // a branch's time zone and address
}

// moveChoice is where the people of a branch removed go: to[at], the last
// choice none ("").
type moveChoice struct {
	branch string
	to     []string
	at     int
}

type (
	teamsMsg struct {
		seq   int
		teams []group
		err   error
	}
	// teamsDoneMsg is the outcome of an add, rename or remove; keep is the
	// team the cursor goes to.
	teamsDoneMsg struct {
		note, keep string
		err        error
	}
)

func newTeamsView(s *session, perms map[string]bool, branches bool) *teamsView {
	v := &teamsView{s: s, perms: perms, branches: branches}
	p := s.p
	v.keys = teamsKeys{
		nav:     navKeysIn(p),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", v.kindT("new team", "new branch"))),
		Rename:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", p.T("rename"))),
		Remove:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", p.T("remove"))),
		Close:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("back to users"))),
		Members: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("its people"))),
		Save:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("save"))),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("cancel"))),
		Pick:    key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", p.T("where they go"))),
	}
	v.nav.height = 10
	return v
}

// kindT is the message of key team, or of key branch when the list holds
// branches, in the session's language: each sentence is written whole for
// each kind, as the languages do not make them alike (i18n's test checks
// both keys).
func (v *teamsView) kindT(team, branch string, args ...any) string {
	if v.branches {
		return v.s.p.T(branch, args...)
	}
	return v.s.p.T(team, args...)
}

func (v *teamsView) Init() tea.Cmd { return v.load() }

func (v *teamsView) load() tea.Cmd {
	v.seq++
	seq, svc, a, branches := v.seq, v.s.svc, v.s.actor, v.branches
	return v.s.do(func(ctx context.Context) tea.Msg {
		var gs []group
		if branches {
			bs, err := svc.Branches(ctx, a)
			for _, b := range bs {
				about := b.TimeZone
				if b.Address != "" {
					about = strings.TrimPrefix(about+" · "+b.Address, " · ")
				}
				gs = append(gs, group{b.Name, b.Members, about})
			}
			return teamsMsg{seq, gs, err}
		}
		ts, err := svc.Teams(ctx, a)
		for _, t := range ts {
			gs = append(gs, group{name: t.Name, members: t.Members})
		}
		return teamsMsg{seq, gs, err}
	})
}

func (v *teamsView) SetSize(w, h int) {
	v.width = w
	v.nav.resize(max(1, h-6))
}

// reading reports that the teams keys act on are on their way.
func (v *teamsView) reading() bool { return v.shown != v.seq }

func (v *teamsView) Capturing() bool { return v.naming != nil || v.confirm != nil || v.moving != nil }

func (v *teamsView) ShortHelp() []key.Binding {
	if v.moving != nil {
		return []key.Binding{v.keys.Pick, v.keys.Save, v.keys.Cancel}
	}
	if v.naming != nil {
		return []key.Binding{v.keys.Save, v.keys.Cancel}
	}
	if len(v.teams) == 0 { // nothing to show, rename or remove
		return []key.Binding{v.keys.New, v.keys.Close}
	}
	return []key.Binding{v.keys.Members, v.keys.New, v.keys.Rename, v.keys.Remove, v.keys.Close}
}

func (v *teamsView) FullHelp() [][]key.Binding {
	return [][]key.Binding{v.keys.nav.list(), v.ShortHelp()}
}

func (v *teamsView) Update(msg tea.Msg) (*teamsView, tea.Cmd) {
	switch msg := msg.(type) {
	case operatorMsg:
		v.perms = msg.perms
	case teamsMsg:
		if msg.seq != v.seq {
			return v, nil
		}
		// The cursor stays on its team, or goes once to the one an add or
		// a rename made (keep): a later reading (another operator's change)
		// leaves it where the keys since have put it.
		keep := v.keep
		if g := v.selected(); keep == "" && g != nil {
			keep = g.name
		}
		v.shown, v.keep = msg.seq, ""
		v.err = v.s.explain(msg.err)
		v.teams = msg.teams
		v.nav.set(len(v.teams))
		for i, t := range v.teams {
			if strings.EqualFold(t.name, keep) {
				v.nav.cur = i
				v.nav.clamp()
			}
		}
	case teamsDoneMsg:
		v.busy = false
		if msg.err != nil {
			v.err = v.s.explain(msg.err)
			return v, nil
		}
		v.naming, v.moving, v.note, v.keep = nil, nil, msg.note, msg.keep
		return v, v.load()
	case refreshMsg:
		return v, v.load()
	case tea.KeyPressMsg:
		return v, v.key(msg)
	default:
		if v.naming != nil { // the cursor's blink
			var cmd tea.Cmd
			*v.naming, cmd = v.naming.Update(msg)
			return v, cmd
		}
	}
	return v, nil
}

// selected is the team or branch under the cursor, nil when there is none.
func (v *teamsView) selected() *group {
	if v.nav.cur >= len(v.teams) {
		return nil
	}
	return &v.teams[v.nav.cur]
}

func (v *teamsView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	if v.confirm != nil {
		cmd := v.confirm.answer(msg)
		v.confirm = nil
		if cmd != nil {
			v.busy = true
		}
		return cmd
	}
	if v.busy {
		return nil
	}
	if mv := v.moving; mv != nil {
		switch {
		case key.Matches(msg, k.Cancel):
			v.moving = nil
		case key.Matches(msg, k.Save):
			v.busy = true
			return v.remove(mv.branch, mv.to[mv.at])
		case key.Matches(msg, k.Pick):
			step := 1
			if msg.String() == "left" || msg.String() == "h" {
				step = len(mv.to) - 1
			}
			mv.at = (mv.at + step) % len(mv.to)
		}
		return nil
	}
	if v.naming != nil {
		switch {
		case key.Matches(msg, k.Cancel):
			v.naming, v.err = nil, ""
			return nil
		case key.Matches(msg, k.Save):
			return v.save()
		}
		var cmd tea.Cmd
		*v.naming, cmd = v.naming.Update(msg)
		return cmd
	}
	v.note, v.err = "", ""
	switch {
	case key.Matches(msg, k.Close):
		v.closed = true
	case key.Matches(msg, k.Members):
		if g := v.selected(); g != nil {
			v.members, v.closed = g.name, true
		}
	case key.Matches(msg, k.nav.Up):
		v.nav.move(-1)
	case key.Matches(msg, k.nav.Down):
		v.nav.move(1)
	case key.Matches(msg, k.nav.PageUp):
		v.nav.page(-1)
	case key.Matches(msg, k.nav.PageDown):
		v.nav.page(1)
	case key.Matches(msg, k.nav.Home):
		v.nav.home()
	case key.Matches(msg, k.nav.End):
		v.nav.end()
	case key.Matches(msg, k.New, k.Rename, k.Remove):
		if why := mayIn(v.s.p, v.perms, "users.edit", v.kindT("manage teams", "manage branches")); why != "" {
			v.err = why
			return nil
		}
		return v.act(msg)
	}
	return nil
}

// act starts adding, renaming or removing a team or branch.
func (v *teamsView) act(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, v.keys.New) {
		v.renaming = ""
		return v.name("")
	}
	t := v.selected()
	if t == nil {
		v.err = v.kindT("There is no team yet: n adds one.", "There is no branch yet: n adds one.")
		return nil
	}
	if key.Matches(msg, v.keys.Rename) {
		v.renaming = t.name
		return v.name(t.name)
	}
	if v.branches && t.members > 0 {
		// Its people go somewhere the operator picks: another branch, or none.
		mv := &moveChoice{branch: t.name}
		for _, o := range v.teams {
			if o.name != t.name {
				mv.to = append(mv.to, o.name)
			}
		}
		mv.to = append(mv.to, "")
		v.moving = mv
		return nil
	}
	name, p := t.name, v.s.p
	members := p.T("It has no members")
	if t.members > 0 {
		members = p.N(t.members, "Its %s member stays, without it", "Its %s members stay, without it")
	}
	v.confirm = &confirmation{prompt: v.kindT("Remove team %s? %s. y/n", "Remove branch %s? %s. y/n", clean(name), members),
		yes: v.remove(name, "")}
	return nil
}

// remove removes the team or branch name, a branch's people going to the
// branch moveTo ("": none).
func (v *teamsView) remove(name, moveTo string) tea.Cmd {
	svc, a, branches, p := v.s.svc, v.s.actor, v.branches, v.s.p
	return v.s.do(func(ctx context.Context) tea.Msg {
		if !branches {
			return teamsDoneMsg{note: p.T("Team %s removed.", name), err: svc.RemoveTeam(ctx, a, name)}
		}
		note := p.T("Branch %s removed.", name)
		if moveTo == "" {
			moveTo = admin.MoveToNone
		} else {
			note = p.T("Branch %s removed; its people moved to %s.", name, moveTo)
		}
		return teamsDoneMsg{note: note, keep: moveTo, err: svc.RemoveBranch(ctx, a, name, moveTo)}
	})
}

// name opens the field the team's name is typed in, holding value.
func (v *teamsView) name(value string) tea.Cmd {
	in := v.s.newInput(v.kindT("the team's name", "the branch's name"), 60)
	in.SetValue(value)
	in.CursorEnd()
	v.naming = &in
	return in.Focus()
}

func (v *teamsView) save() tea.Cmd {
	to, from := strings.TrimSpace(v.naming.Value()), v.renaming
	svc, a, branches := v.s.svc, v.s.actor, v.branches
	// The notes are made now, not in the command, which must not read v.
	added := v.kindT("Team %s added.", "Branch %s added.", to)
	renamed := v.kindT("Team %s renamed to %s.", "Branch %s renamed to %s.", from, to)
	v.busy, v.err = true, ""
	return v.s.do(func(ctx context.Context) tea.Msg {
		var err error
		switch {
		case from == "" && branches:
			err = svc.AddBranch(ctx, a, store.Branch{Name: to})
		case from == "":
			err = svc.AddTeam(ctx, a, to)
		case branches:
			err = svc.RenameBranch(ctx, a, from, to)
		default:
			err = svc.RenameTeam(ctx, a, from, to)
		}
		if from == "" {
			return teamsDoneMsg{note: added, keep: to, err: err}
		}
		return teamsDoneMsg{note: renamed, keep: to, err: err}
	})
}

func (v *teamsView) View() string {
	st, p := v.s.styles, v.s.p
	var b strings.Builder
	b.WriteString(st.Title.Render(v.kindT("Teams (%s)", "Branches (%s)", p.Num(len(v.teams)))))
	b.WriteString("\n\n")
	if len(v.teams) == 0 {
		b.WriteString(st.Subtle.Render(v.kindT("No team yet: n adds one.", "No branch yet: n adds one.")))
		b.WriteString("\n")
	}
	nameW := min(max(20, v.width/2), 60)
	from, to := v.nav.visible()
	for i := from; i < to; i++ {
		t := v.teams[i]
		line := fit(clean(t.name), nameW) + " " + p.N(t.members, "%s member", "%s members")
		if t.about != "" {
			line = fit(line, nameW+13) + " " + clean(t.about)
		}
		if i == v.nav.cur {
			b.WriteString(st.Selected.Render(cut("▸ "+line, v.width)))
		} else {
			b.WriteString(cut("  "+line, v.width))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	switch {
	case v.naming != nil && v.renaming != "":
		b.WriteString(st.Label.Render(p.T("Rename %s to:", clean(v.renaming)) + " "))
		b.WriteString(st.input(*v.naming))
	case v.naming != nil:
		b.WriteString(st.Label.Render(v.kindT("New team:", "New branch:") + " "))
		b.WriteString(st.input(*v.naming))
	case v.moving != nil:
		to := p.T("no branch")
		if n := v.moving.to[v.moving.at]; n != "" {
			to = p.T("branch %s", clean(n))
		}
		b.WriteString(st.Warn.Render(cut(p.T("Remove branch %s? Its people go to ◂ %s ▸ (←/→ picks, enter removes, esc keeps it)",
			clean(v.moving.branch), to), v.width)))
	case v.confirm != nil:
		// Cut in the question, not in its y/n, as the other screens do.
		b.WriteString(st.status(v.width, v.confirm, false, "", "", ""))
	case v.busy:
		b.WriteString(st.Subtle.Render(p.T("Saving…")))
	case v.note != "":
		b.WriteString(st.OK.Render(cut(clean(v.note), v.width)))
	}
	if v.err != "" {
		b.WriteString("\n")
		b.WriteString(st.Error.Render(cut(v.err, v.width)))
	}
	return b.String()
}
