package tui

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// field is one labelled value of a form: free text, or one of choices.
type field struct {
	label   string
	input   textinput.Model
	choices []string // a selector when not nil: ←/→ or space change it
	choice  int
	err     string // what is wrong with the value, "" when nothing
	hint    string
	orig    string // the value when the form was filled, to tell unsaved changes
}

// value is the field's current value.
func (f *field) value() string {
	if f.choices != nil {
		return f.choices[f.choice]
	}
	return strings.TrimSpace(f.input.Value())
}

// set fills the field and remembers the value as saved.
func (f *field) set(v string) {
	if f.choices != nil {
		for i, c := range f.choices {
			if c == v {
				f.choice = i
			}
		}
	} else {
		f.input.SetValue(v)
		f.input.CursorEnd()
	}
	f.orig = f.value()
	f.err = ""
}

// form is a column of fields; it has the keyboard while active.
type form struct {
	fields []*field
	focus  int
	active bool
	keys   formKeys
}

func (s *session) newField(label, placeholder string, limit int) *field {
	return &field{label: label, input: s.newInput(placeholder, limit)}
}

func newChoice(label string, choices ...string) *field {
	return &field{label: label, choices: choices, orig: choices[0]}
}

// dirty reports whether a value differs from what was filled in.
func (f *form) dirty() bool {
	for _, fl := range f.fields {
		if fl.value() != fl.orig {
			return true
		}
	}
	return false
}

// startsEditing reports whether msg, on a form that does not have the
// keyboard, takes it and is typed: a letter or a sign does (+7d, +33…), a
// digit or a space does not. Until then the number keys switch screens, as
// everywhere; enter or i take the keyboard without typing.
func startsEditing(msg tea.KeyPressMsg) bool {
	r := []rune(msg.Text)
	return len(r) > 0 && unicode.IsGraphic(r[0]) && !unicode.IsDigit(r[0]) && !unicode.IsSpace(r[0])
}

// activate gives the form the keyboard at field i.
func (f *form) activate(i int) {
	f.active = true
	f.focusOn(i)
}

func (f *form) deactivate() {
	f.active = false
	for _, fl := range f.fields {
		fl.input.Blur()
	}
}

func (f *form) focusOn(i int) {
	n := len(f.fields)
	f.focus = ((i % n) + n) % n
	for j, fl := range f.fields {
		if j == f.focus && f.active && fl.choices == nil {
			fl.input.Focus()
		} else {
			fl.input.Blur()
		}
	}
}

// update handles a key while the form is active and reports whether a value
// changed. Save and Leave are left to the screen.
func (f *form) update(msg tea.KeyPressMsg) (changed bool, cmd tea.Cmd) {
	fl := f.fields[f.focus]
	switch {
	case key.Matches(msg, f.keys.NextField):
		f.focusOn(f.focus + 1)
		return false, nil
	case key.Matches(msg, f.keys.PrevField):
		f.focusOn(f.focus - 1)
		return false, nil
	case msg.String() == "enter":
		f.focusOn(f.focus + 1)
		return false, nil
	}
	if fl.choices != nil {
		switch msg.String() {
		case "left", "h":
			fl.choice = (fl.choice + len(fl.choices) - 1) % len(fl.choices)
			return true, nil
		case "right", "l", "space":
			fl.choice = (fl.choice + 1) % len(fl.choices)
			return true, nil
		}
		return false, nil
	}
	before := fl.input.Value()
	fl.input, cmd = fl.input.Update(msg)
	return fl.input.Value() != before, cmd
}

// view draws the fields one per line, labels in a column of labelW cells,
// or wider for a longer label (French labels are longer than the English
// ones the screens measured), up to a third of width.
func (f *form) view(st Styles, labelW, width int) string {
	for _, fl := range f.fields {
		labelW = max(labelW, min(cells(fl.label), width/3))
	}
	var b strings.Builder
	for i, fl := range f.fields {
		focused := f.active && i == f.focus
		mark := "  "
		if focused {
			mark = st.Marked.Render("▸ ")
		} else if !f.active && i == f.focus {
			mark = st.Faint.Render("› ")
		}
		b.WriteString(mark)
		b.WriteString(st.Label.Render(fit(fl.label, labelW)))
		b.WriteString(" ")
		inW := max(10, width-labelW-4)
		if fl.choices != nil {
			var parts []string
			for j, c := range fl.choices {
				if j == fl.choice {
					c = st.Bold.Render("[" + c + "]")
				} else {
					c = st.Faint.Render(" " + c + " ")
				}
				parts = append(parts, c)
			}
			b.WriteString(strings.Join(parts, ""))
			if focused {
				h := f.keys.Change.Help()
				b.WriteString(st.Faint.Render("  " + h.Key + " " + h.Desc))
			}
		} else {
			fl.input.SetWidth(min(inW, 60))
			if focused {
				b.WriteString(st.input(fl.input))
			} else {
				v := clean(fl.input.Value())
				if v == "" {
					v = st.Faint.Render("—")
				} else {
					v = cut(v, inW)
				}
				b.WriteString(v)
			}
		}
		b.WriteString("\n")
		if fl.err != "" {
			b.WriteString(strings.Repeat(" ", labelW+3))
			b.WriteString(st.FieldErr.Render(cut("✗ "+fl.err, max(10, width-labelW-3))))
			b.WriteString("\n")
		} else if focused && fl.hint != "" {
			b.WriteString(strings.Repeat(" ", labelW+3))
			b.WriteString(st.Faint.Render(cut(fl.hint, max(10, width-labelW-3))))
			b.WriteString("\n")
		}
	}
	return b.String()
}
