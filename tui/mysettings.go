package tui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"roster/admin"
	"roster/i18n"
)

// mySettings is the whole program for a user who administers nobody (no
// users.* permission): their own profile in brief and their notification
// grid, nothing else. roster serve gives it to their SSH session rather
// than a refusal; admin checks every read and save as for anyone.
type mySettings struct {
	s       *session
	grid    *notifyView
	held    []tea.KeyPressMsg // keys typed while the grid reads or saves
	keys    globalKeys
	help    help.Model
	account string
	width   int
	height  int
	dark    bool
	plain   bool
}

// NewMySettings returns the "My settings" model of the user
// opts.Operator, for a program the caller runs; its commands end with ctx.
func NewMySettings(ctx context.Context, opts Options) tea.Model {
	s := &session{ctx: ctx, svc: opts.Service, actor: admin.Actor{Email: opts.Operator, Channel: opts.Channel, Key: opts.Key},
		styles: DefaultStyles(true), p: i18n.For(opts.Lang), timeout: 15 * time.Second}
	m := &mySettings{s: s, grid: newNotifyView(s, opts.Operator), keys: newGlobalKeys(s.p), help: help.New(),
		width: opts.Width, height: opts.Height, dark: true}
	m.help.Styles = s.styles.Help
	return m
}

func (m *mySettings) Init() tea.Cmd {
	svc := m.s.svc
	return tea.Batch(tea.RequestBackgroundColor, m.grid.load(true), m.s.do(func(ctx context.Context) tea.Msg {
		a, err := svc.Account(ctx)
		if err != nil {
			return accountMsg{err: err}
		}
		return accountMsg{name: a.Name}
	}))
}

func (m *mySettings) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.BackgroundColorMsg:
		m.restyle(msg.IsDark(), m.plain)
		return m, nil
	case tea.ColorProfileMsg:
		m.restyle(m.dark, msg.Profile <= colorprofile.Ascii)
		return m, nil
	case accountMsg:
		m.account = msg.name
		return m, nil
	case tea.KeyPressMsg:
		// esc typed just before a key arrives as alt and the key: both act,
		// in order, as on the dashboard (esc q discards, then quits).
		if esc, k, ok := unalt(msg); ok {
			return m, tea.Batch(m.typed(esc), m.typed(k))
		}
		return m, m.typed(msg)
	}
	cmds := []tea.Cmd{m.grid.update(msg)}
	m.grid.closed = false // there is nothing behind the grid to go back to
	for len(m.held) > 0 && !m.grid.busy() {
		k := m.held[0]
		m.held = m.held[1:]
		cmds = append(cmds, m.key(k))
	}
	return m, tea.Batch(cmds...)
}

// typed acts on a key, or holds it while the grid reads or saves, as the
// dashboard's keys wait: q typed straight after enter quits once the save
// is done. A second ctrl+c does not wait.
func (m *mySettings) typed(msg tea.KeyPressMsg) tea.Cmd {
	force := key.Matches(msg, m.keys.ForceQuit)
	switch {
	case force && slices.ContainsFunc(m.held, func(k tea.KeyPressMsg) bool { return key.Matches(k, m.keys.ForceQuit) }):
		return tea.Quit
	case len(m.held) > 0 || !force && m.grid.busy():
		m.held = append(m.held, msg)
		return nil
	}
	return m.key(msg)
}

func (m *mySettings) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.ForceQuit):
		return tea.Quit
	case m.grid.reviewing:
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		return nil
	case key.Matches(msg, m.keys.Quit):
		if m.grid.dirty() {
			m.grid.err = m.s.p.T("Save (enter) or discard (esc) your changes first.")
			return nil
		}
		return tea.Quit
	}
	cmd := m.grid.update(msg)
	m.grid.closed = false
	return cmd
}

func (m *mySettings) restyle(dark, plain bool) {
	m.dark, m.plain = dark, plain
	st := DefaultStyles(dark)
	if plain {
		st = st.Plain()
	}
	m.s.styles, m.help.Styles = st, st.Help
}

// mySettingsKeys are the footer's: quit first, since at 80 columns the
// footer cuts the keys at its end and there is no other way out, then the
// grid's and help.
type mySettingsKeys struct{ m *mySettings }

func (k mySettingsKeys) ShortHelp() []key.Binding {
	return append(append([]key.Binding{k.m.keys.Quit}, k.m.grid.shortHelp()...), k.m.keys.Help)
}

func (k mySettingsKeys) FullHelp() [][]key.Binding {
	return append(k.m.grid.fullHelp(), []key.Binding{k.m.keys.Help, k.m.keys.Quit, k.m.keys.ForceQuit})
}

func (m *mySettings) View() tea.View {
	v := tea.NewView(m.frame())
	v.AltScreen = true
	return v
}

func (m *mySettings) frame() string {
	if m.width == 0 {
		return ""
	}
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	b.WriteString(headerLine(st, p, m.width, m.account, m.s.actor) + "\n")
	b.WriteString(st.Title.Render(p.T("My settings")) + "\n")
	b.WriteString(st.Subtle.Render(cut(p.T("You administer no one here: these are your own settings."), m.width)) + "\n")
	if u := m.grid.user; u != nil {
		phone := clean(u.Phone)
		if phone == "" {
			phone = p.T("no mobile number")
		}
		teams := p.T("no team")
		if len(u.Teams) > 0 {
			teams = clean(strings.Join(u.Teams, ", "))
		}
		b.WriteString(cut(st.Label.Render(p.T("Me")+"  ")+who(u)+st.Subtle.Render(" · "+p.T(u.Role)+" · "+teams+" · "+phone+" · "+p.T("mails in %s", u.Locale)), m.width) + "\n")
	}
	b.WriteString("\n")
	footer := cut(m.help.View(mySettingsKeys{m}), m.width)
	if m.help.ShowAll {
		// Every key, as the dashboard's ? lists them: cut, the help's
		// view kept only its first line.
		footer = allKeys(m.help.Styles, mySettingsKeys{m}, m.width, m.height)
	}
	h := max(3, m.height-strings.Count(b.String(), "\n")-strings.Count(footer, "\n")-2)
	var body bytes.Buffer
	clip(&body, m.grid.view(st, m.width, h), h, m.width)
	b.WriteString(body.String())
	b.WriteString("\n\n" + footer)
	return b.String()
}
