package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/i18n"
)

// globalKeys work on every screen unless a text field has focus.
type globalKeys struct {
	Next, Prev, Help, Quit, ForceQuit, Lang key.Binding
	Tabs                                    [numScreens]key.Binding
}

func newGlobalKeys(p *i18n.Printer) globalKeys {
	k := globalKeys{
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", p.T("next screen"))),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", p.T("previous screen"))),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", p.T("help"))),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", p.T("quit"))),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", p.T("quit"))),
		Lang:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", p.T("français"))),
	}
	for i := range k.Tabs {
		n := string(rune('1' + i))
		k.Tabs[i] = key.NewBinding(key.WithKeys(n), key.WithHelp(n, p.T(screenNames[i])))
	}
	return k
}

// navKeys move a cursor through a list; most screens embed them.
type navKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// navKeysIn are the navigation keys with their help in p's language.
func navKeysIn(p *i18n.Printer) navKeys {
	return navKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", p.T("up"))),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", p.T("down"))),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", p.T("page up"))),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", p.T("page down"))),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", p.T("first"))),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", p.T("last"))),
	}
}

// list returns the bindings for a help column.
func (k navKeys) list() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// apply moves v for a navigation key and reports whether msg was one.
func (k navKeys) apply(km tea.KeyPressMsg, v *nav) bool {
	switch {
	case key.Matches(km, k.Up):
		v.move(-1)
	case key.Matches(km, k.Down):
		v.move(1)
	case key.Matches(km, k.PageUp):
		v.page(-1)
	case key.Matches(km, k.PageDown):
		v.page(1)
	case key.Matches(km, k.Home):
		v.home()
	case key.Matches(km, k.End):
		v.end()
	default:
		return false
	}
	return true
}

// formKeys move between the fields of a form and act on it.
type formKeys struct {
	NextField, PrevField, Save, Leave key.Binding
	// Change names the keys that change a choice, for the hint beside it.
	Change key.Binding
}

// formKeysIn are a form's keys with their help in p's language; save is
// already in it.
func formKeysIn(p *i18n.Printer, save string) formKeys {
	return formKeys{
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", p.T("next field"))),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", p.T("previous field"))),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", save)),
		Leave:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("leave the form"))),
		Change:    key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", p.T("to change"))),
	}
}

// reloadKey reads again what a screen shows: ctrl+r wherever a screen offers
// it.
func reloadKey(p *i18n.Printer) key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", p.T("reload")))
}

// backKey leaves a page or step for the one before it.
func backKey(p *i18n.Printer) key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("back")))
}

// otherUserKey picks another user on the screens that act on one user
// (Permissions, Away, Delete).
func otherUserKey(p *i18n.Printer) key.Binding {
	return key.NewBinding(key.WithKeys("u", "/"), key.WithHelp("u", p.T("another user")))
}

// userActKeys open an act on one user from the Users list's row or from the
// user's page alike.
type userActKeys struct {
	Perms, Away, Delete, Reset key.Binding
}

// userActKeysIn are those keys with their help in p's language.
func userActKeysIn(p *i18n.Printer) userActKeys {
	return userActKeys{
		Perms:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", p.T("permissions"))),
		Away:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", p.T("away periods"))),
		Delete: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", p.T("delete"))),
		Reset:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", p.T("password reset"))),
	}
}
