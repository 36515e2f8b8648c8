package tui

import (
	"charm.land/bubbles/v2/key"

	"roster/i18n"
)

// checks are checkboxes being edited, as the Permissions screen and the
// notification grid show them: what is saved, what the operator ticked
// since, and the boxes they may not change with the reason. One piece, so
// that a box looks and behaves alike wherever it is.
type checks struct {
	orig, draft map[string]bool
	locked      map[string]string // why a box cannot be changed
}

// reset shows the saved boxes, on, and drops what was ticked.
func (c *checks) reset(on map[string]bool, locked map[string]string) {
	c.orig, c.draft, c.locked = copyMap(on), copyMap(on), locked
}

func (c *checks) ticked() bool { return !maps(c.draft, c.orig) }

// discard puts the boxes back as saved.
func (c *checks) discard() { c.draft = copyMap(c.orig) }

// toggle ticks or unticks a box; for a locked one it says why instead, in
// p's language.
func (c *checks) toggle(p *i18n.Printer, id string) (refused string) {
	if why := c.locked[id]; why != "" {
		return p.T("Locked: %s.", p.T(why))
	}
	if c.draft[id] {
		delete(c.draft, id)
	} else {
		c.draft[id] = true
	}
	return ""
}

func (c *checks) changed(id string) bool { return c.draft[id] != c.orig[id] }

// box draws a box, marked with * when it differs from what is saved.
func (c *checks) box(id string) string {
	b := "[ ]"
	if c.draft[id] {
		b = "[x]"
	}
	if c.changed(id) {
		return b + "*"
	}
	return b + " "
}

// changes lists the boxes ticked and unticked, in the order of ids.
func (c *checks) changes(ids []string) (added, removed []string) {
	for _, id := range ids {
		switch {
		case c.draft[id] && !c.orig[id]:
			added = append(added, id)
		case !c.draft[id] && c.orig[id]:
			removed = append(removed, id)
		}
	}
	return
}

func maps(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func copyMap(a map[string]bool) map[string]bool {
	b := make(map[string]bool, len(a))
	for k, v := range a {
		if v {
			b[k] = true
		}
	}
	return b
}

// checkKeys are the keys of a grid of checkboxes: the Permissions screen's,
// which the notification grid shares.
type checkKeys struct {
	nav                                   navKeys
	Toggle, Review, Save, Discard, Reload key.Binding
}

func newCheckKeys(p *i18n.Printer) checkKeys {
	return checkKeys{
		nav:     navKeysIn(p),
		Toggle:  key.NewBinding(key.WithKeys("space"), key.WithHelp("space", p.T("toggle"))),
		Review:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("review and save"))),
		Save:    key.NewBinding(key.WithKeys("enter", "y", "ctrl+s"), key.WithHelp("enter", p.T("save"))),
		Discard: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("discard changes"))),
		Reload:  reloadKey(p),
	}
}

// reviewKeys are what the footer offers while changes are shown before
// saving: save, or go back to the boxes.
func (k checkKeys) reviewKeys(p *i18n.Printer) []key.Binding {
	return []key.Binding{k.Save, backKey(p)}
}

// inSight is the lines that fit in height, scrolled to keep line cur in
// sight.
func inSight(lines []string, cur, height int) []string {
	if h := max(1, height); len(lines) > h {
		from := max(0, cur-h+1)
		return lines[from : from+h]
	}
	return lines
}
