package tui

import (
	"math"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Styles are every style the screens draw with. They are plain values: the
// program downsamples their colours to each session's terminal as it writes
// (NO_COLOR leaves only bold, reverse and underline), so one set serves a
// session, made for its terminal's light or dark background.
type Styles struct {
	Header, Operator, Tab, ActiveTab     lipgloss.Style
	Title, Subtle, Faint, Bold           lipgloss.Style
	Selected, Marked, Cursor             lipgloss.Style
	OK, Warn, Error, Locked              lipgloss.Style
	Label, Field, FocusedField, FieldErr lipgloss.Style
	ColHead, Group, Status, Footer       lipgloss.Style
	Box                                  lipgloss.Style
	Help                                 help.Styles
	Input                                textinput.Styles
}

// DefaultStyles builds the styles for a terminal with a dark background, or
// a light one.
func DefaultStyles(isDark bool) Styles {
	pick := lipgloss.LightDark(isDark)
	var (
		accent = pick(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B4A4FF"))
		subtle = pick(lipgloss.Color("#6B6B6B"), lipgloss.Color("#9A9A9A"))
		faint  = pick(lipgloss.Color("#9E9E9E"), lipgloss.Color("#6C6C6C"))
		green  = pick(lipgloss.Color("#1E7B34"), lipgloss.Color("#6BD88A"))
		amber  = pick(lipgloss.Color("#9A5B00"), lipgloss.Color("#F2C94C"))
		red    = pick(lipgloss.Color("#B3261E"), lipgloss.Color("#FF7A70"))
		selBg  = pick(lipgloss.Color("#E4DEFF"), lipgloss.Color("#3B3363"))
	)
	s := Styles{
		Header:       lipgloss.NewStyle().Bold(true),
		Operator:     lipgloss.NewStyle().Foreground(accent),
		Tab:          lipgloss.NewStyle().Foreground(subtle).Padding(0, 1),
		ActiveTab:    lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent).Padding(0, 1),
		Title:        lipgloss.NewStyle().Bold(true).Foreground(accent),
		Subtle:       lipgloss.NewStyle().Foreground(subtle),
		Faint:        lipgloss.NewStyle().Foreground(faint),
		Bold:         lipgloss.NewStyle().Bold(true),
		Selected:     lipgloss.NewStyle().Background(selBg),
		Marked:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		Cursor:       lipgloss.NewStyle().Reverse(true),
		OK:           lipgloss.NewStyle().Foreground(green),
		Warn:         lipgloss.NewStyle().Foreground(amber),
		Error:        lipgloss.NewStyle().Bold(true).Foreground(red),
		Locked:       lipgloss.NewStyle().Foreground(faint),
		Label:        lipgloss.NewStyle().Foreground(subtle),
		Field:        lipgloss.NewStyle(),
		FocusedField: lipgloss.NewStyle().Underline(true),
		FieldErr:     lipgloss.NewStyle().Foreground(red),
		ColHead:      lipgloss.NewStyle().Bold(true).Foreground(subtle),
		Group:        lipgloss.NewStyle().Bold(true).Foreground(accent),
		Status:       lipgloss.NewStyle().Foreground(subtle),
		Footer:       lipgloss.NewStyle(),
		Box:          lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(accent).Padding(0, 1),
	}
	s.Help = help.Styles{
		Ellipsis:       s.Faint,
		ShortKey:       s.Bold,
		ShortDesc:      s.Subtle,
		ShortSeparator: s.Faint,
		FullKey:        s.Bold,
		FullDesc:       s.Subtle,
		FullSeparator:  s.Faint,
	}
	// A static cursor: a blinking one redraws twice a second, for every
	// session.
	field := textinput.StyleState{Text: s.Field, Placeholder: s.Faint, Suggestion: s.Faint, Prompt: s.Label}
	s.Input = textinput.Styles{Focused: field, Blurred: field, Cursor: textinput.CursorStyle{Blink: false}}
	return s
}

// Plain is the styles for a terminal without colour: the selection, a
// background colour elsewhere, is drawn in reverse video to stay visible.
func (s Styles) Plain() Styles {
	s.Selected = s.Cursor
	return s
}

// paint styles one line of text as st.Render does, at a cost that does not
// grow with the line: Render measures every line it styles, to align and
// pad it, and the rows of a table are styled on every frame of every
// session. A style that does more than colour and set attributes (padding,
// a width, underlined spaces), or text that is not one plain line, is left
// to Render.
func paint(st lipgloss.Style, line string) string {
	open, rest, ok := strings.Cut(st.Render("x"), "x")
	if !ok || rest != ansi.ResetStyle || st.GetUnderline() || st.GetStrikethrough() || st.GetMaxWidth() > 0 ||
		st.GetTransform() != nil || strings.ContainsAny(line, "\t\r\n") {
		return st.Render(line)
	}
	return open + line + rest
}

// status is the line at the foot of a screen: the question it asks, the
// work under way (busy, said as busyText), what went wrong, or what the last
// action did; the first of them there is.
func (st Styles) status(width int, confirm *confirmation, busy bool, busyText, err, note string) string {
	switch {
	case confirm != nil:
		// Cut in the question, not in its answer: at 80 columns "Deactivate
		// ann@…? They will no longer be able to sign in. y/n" lost its y/n.
		if q, ok := strings.CutSuffix(confirm.prompt, " y/n"); ok && cells(confirm.prompt) > width && width > 8 {
			return paint(st.Warn, cut(q, width-4)+" y/n")
		}
		return paint(st.Warn, cut(confirm.prompt, width))
	case busy:
		return paint(st.Subtle, busyText)
	case err != "":
		return paint(st.Error, cut(err, width))
	case note != "":
		return paint(st.OK, cut(note, width))
	}
	return ""
}

// wrappedStatus is status wrapped at width rather than cut: a conflict's
// message ends with what to do about it (ctrl+r), which at 80 columns was
// cut off. The screen gives its lines above (strings.Count of "\n").
func (st Styles) wrappedStatus(width int, confirm *confirmation, busy bool, busyText, err, note string) string {
	return ansi.Wrap(st.status(math.MaxInt, confirm, busy, busyText, err, note), max(10, width), "")
}

// input draws a text input in these styles. They are applied as it is
// drawn, not when it is made: the terminal may tell its background, and so
// the styles, after the screens and their inputs exist.
func (s Styles) input(ti textinput.Model) string {
	ti.SetStyles(s.Input)
	if ti.Width() == 0 && ti.Value() == "" {
		// bubbles v2 draws only the first letter of the placeholder of an
		// input without a width.
		ti.SetWidth(lipgloss.Width(ti.Placeholder))
	}
	return ti.View()
}
