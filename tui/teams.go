package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"roster/store"
)

// teamsView lists the teams with their member counts, opened with T from the
// Users screen: n adds a team, r renames the one under the cursor, x removes
// it once the operator says yes. Its members stay, without it (admin's rule).
type teamsView struct {
	s     *session
	keys  teamsKeys
	width int
	perms map[string]bool

	teams []store.Team
	nav   nav
	seq   int // of the newest reading; older ones are dropped
	shown int // of the reading shown
	keep  string

	// naming is the name being typed: a new team's, or renaming's.
	naming   *textinput.Model
	renaming string // the team renamed, by name: the rows may change meanwhile
	confirm  *confirmation
	busy     bool
	note     string
	err      string
	closed   bool // esc: the list closes it as soon as it has handled the key
}

type teamsKeys struct {
	nav                        navKeys
	New, Rename, Remove, Close key.Binding
	Save, Cancel               key.Binding
}

type (
	teamsMsg struct {
		seq   int
		teams []store.Team
		err   error
	}
	// teamsDoneMsg is the outcome of an add, rename or remove; keep is the
	// team the cursor goes to.
	teamsDoneMsg struct {
		note, keep string
		err        error
	}
)

func newTeamsView(s *session, perms map[string]bool) *teamsView {
	v := &teamsView{s: s, perms: perms, keys: teamsKeys{
		nav:    newNavKeys(),
		New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new team")),
		Rename: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename")),
		Remove: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove")),
		Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to users")),
		Save:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
	v.nav.height = 10
	return v
}

func (v *teamsView) Init() tea.Cmd { return v.load() }

func (v *teamsView) load() tea.Cmd {
	v.seq++
	seq, svc, a := v.seq, v.s.svc, v.s.actor
	return v.s.do(func(ctx context.Context) tea.Msg {
		t, err := svc.Teams(ctx, a)
		return teamsMsg{seq, t, err}
	})
}

func (v *teamsView) SetSize(w, h int) {
	v.width = w
	v.nav.resize(max(1, h-6))
}

// reading reports that the teams keys act on are on their way.
func (v *teamsView) reading() bool { return v.shown != v.seq }

func (v *teamsView) Capturing() bool { return v.naming != nil || v.confirm != nil }

func (v *teamsView) ShortHelp() []key.Binding {
	if v.naming != nil {
		return []key.Binding{v.keys.Save, v.keys.Cancel}
	}
	return []key.Binding{v.keys.New, v.keys.Rename, v.keys.Remove, v.keys.Close}
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
		v.shown = msg.seq
		v.err = explain(msg.err)
		v.teams = msg.teams
		v.nav.set(len(v.teams))
		for i, t := range v.teams {
			if strings.EqualFold(t.Name, v.keep) {
				v.nav.cur = i
				v.nav.clamp()
			}
		}
	case teamsDoneMsg:
		v.busy = false
		if msg.err != nil {
			v.err = explain(msg.err)
			return v, nil
		}
		v.naming, v.note, v.keep = nil, msg.note, msg.keep
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

// selected is the team under the cursor, nil when there is none.
func (v *teamsView) selected() *store.Team {
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
		if why := may(v.perms, "users.edit", "manage teams"); why != "" {
			v.err = why
			return nil
		}
		return v.act(msg)
	}
	return nil
}

// act starts adding, renaming or removing a team.
func (v *teamsView) act(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, v.keys.New) {
		v.renaming = ""
		return v.name("")
	}
	t := v.selected()
	if t == nil {
		v.err = "There is no team yet: n adds one."
		return nil
	}
	if key.Matches(msg, v.keys.Rename) {
		v.renaming = t.Name
		return v.name(t.Name)
	}
	name, svc, a := t.Name, v.s.svc, v.s.actor
	members := "It has no members"
	if t.Members > 0 {
		members = "Its " + plural(t.Members, "member stays", "members stay") + ", without it"
	}
	v.confirm = &confirmation{prompt: fmt.Sprintf("Remove team %s? %s. y/n", clean(name), members),
		yes: v.s.do(func(ctx context.Context) tea.Msg {
			return teamsDoneMsg{note: "Team " + name + " removed.", err: svc.RemoveTeam(ctx, a, name)}
		})}
	return nil
}

// name opens the field the team's name is typed in, holding value.
func (v *teamsView) name(value string) tea.Cmd {
	in := v.s.newInput("the team's name", 60)
	in.SetValue(value)
	in.CursorEnd()
	v.naming = &in
	return in.Focus()
}

func (v *teamsView) save() tea.Cmd {
	to, from := strings.TrimSpace(v.naming.Value()), v.renaming
	svc, a := v.s.svc, v.s.actor
	v.busy, v.err = true, ""
	return v.s.do(func(ctx context.Context) tea.Msg {
		if from == "" {
			return teamsDoneMsg{note: "Team " + to + " added.", keep: to, err: svc.AddTeam(ctx, a, to)}
		}
		return teamsDoneMsg{note: "Team " + from + " renamed to " + to + ".", keep: to, err: svc.RenameTeam(ctx, a, from, to)}
	})
}

func (v *teamsView) View() string {
	st := v.s.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(fmt.Sprintf("Teams (%d)", len(v.teams))))
	b.WriteString("\n\n")
	if len(v.teams) == 0 {
		b.WriteString(st.Subtle.Render("No team yet: n adds one."))
		b.WriteString("\n")
	}
	nameW := min(max(20, v.width/2), 60)
	from, to := v.nav.visible()
	for i := from; i < to; i++ {
		t := v.teams[i]
		line := fit(clean(t.Name), nameW) + " " + plural(t.Members, "member", "members")
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
		b.WriteString(st.Label.Render("Rename " + clean(v.renaming) + " to: "))
		b.WriteString(st.input(*v.naming))
	case v.naming != nil:
		b.WriteString(st.Label.Render("New team: "))
		b.WriteString(st.input(*v.naming))
	case v.confirm != nil:
		b.WriteString(st.Warn.Render(cut(v.confirm.prompt, v.width)))
	case v.busy:
		b.WriteString(st.Subtle.Render("Saving…"))
	case v.note != "":
		b.WriteString(st.OK.Render(cut(clean(v.note), v.width)))
	}
	if v.err != "" {
		b.WriteString("\n")
		b.WriteString(st.Error.Render(cut(v.err, v.width)))
	}
	return b.String()
}
