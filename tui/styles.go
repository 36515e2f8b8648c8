package tui

import (
	"strconv"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles are every style the screens draw with. They are made per session
// from the session's renderer, so that over SSH the colours follow the
// client's terminal, and NO_COLOR (through the renderer's colour profile)
// leaves only bold, reverse and underline.
type Styles struct {
	Header, Operator, Tab, ActiveTab     lipgloss.Style
	Title, Subtle, Faint, Bold           lipgloss.Style
	Selected, Marked, Cursor             lipgloss.Style
	OK, Warn, Error, Locked              lipgloss.Style
	Label, Field, FocusedField, FieldErr lipgloss.Style
	ColHead, Group, Status, Footer       lipgloss.Style
	Box                                  lipgloss.Style
	Help                                 help.Styles
}

// DefaultStyles builds the styles for one session's renderer, with
// adaptive colours for light and dark terminals.
func DefaultStyles(r *lipgloss.Renderer) Styles {
	var (
		accent = resolve(r, "#5A3FC0", "#B4A4FF")
		subtle = resolve(r, "#6B6B6B", "#9A9A9A")
		faint  = resolve(r, "#9E9E9E", "#6C6C6C")
		green  = resolve(r, "#1E7B34", "#6BD88A")
		amber  = resolve(r, "#9A5B00", "#F2C94C")
		red    = resolve(r, "#B3261E", "#FF7A70")
		selBg  = resolve(r, "#E4DEFF", "#3B3363")
	)
	s := Styles{
		Header:       r.NewStyle().Bold(true),
		Operator:     r.NewStyle().Foreground(accent),
		Tab:          r.NewStyle().Foreground(subtle).Padding(0, 1),
		ActiveTab:    r.NewStyle().Bold(true).Underline(true).Foreground(accent).Padding(0, 1),
		Title:        r.NewStyle().Bold(true).Foreground(accent),
		Subtle:       r.NewStyle().Foreground(subtle),
		Faint:        r.NewStyle().Foreground(faint),
		Bold:         r.NewStyle().Bold(true),
		Selected:     r.NewStyle().Reverse(true),
		Marked:       r.NewStyle().Bold(true).Foreground(accent),
		Cursor:       r.NewStyle().Reverse(true),
		OK:           r.NewStyle().Foreground(green),
		Warn:         r.NewStyle().Foreground(amber),
		Error:        r.NewStyle().Bold(true).Foreground(red),
		Locked:       r.NewStyle().Foreground(faint),
		Label:        r.NewStyle().Foreground(subtle),
		Field:        r.NewStyle(),
		FocusedField: r.NewStyle().Underline(true),
		FieldErr:     r.NewStyle().Foreground(red),
		ColHead:      r.NewStyle().Bold(true).Foreground(subtle),
		Group:        r.NewStyle().Bold(true).Foreground(accent),
		Status:       r.NewStyle().Foreground(subtle),
		Footer:       r.NewStyle(),
		Box:          r.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(accent).Padding(0, 1),
	}
	// bubbles' own default styles are built on the global renderer: replace them.
	s.Help = help.Styles{
		Ellipsis:       r.NewStyle().Foreground(faint),
		ShortKey:       r.NewStyle().Bold(true),
		ShortDesc:      r.NewStyle().Foreground(subtle),
		ShortSeparator: r.NewStyle().Foreground(faint),
		FullKey:        r.NewStyle().Bold(true),
		FullDesc:       r.NewStyle().Foreground(subtle),
		FullSeparator:  r.NewStyle().Foreground(faint),
	}
	s.Selected = s.Selected.Background(selBg).Reverse(false)
	if r.ColorProfile() == termenv.Ascii { // no colour: keep the selection visible
		s.Selected = r.NewStyle().Reverse(true)
	}
	return s
}

// resolve picks the light or the dark shade for the renderer's terminal and
// converts it to the terminal's colour profile once. Left to lipgloss, every
// styled string of every frame converts its colours again, and for a
// 256-colour terminal that is a nearest-colour search in HSLuv space: a good
// part of a frame's time, multiplied by every SSH session.
func resolve(r *lipgloss.Renderer, light, dark string) lipgloss.TerminalColor {
	hex := light
	if r.HasDarkBackground() {
		hex = dark
	}
	switch c := r.ColorProfile().Color(hex).(type) {
	case nil:
		return lipgloss.NoColor{}
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(c)))
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(c)))
	}
	return lipgloss.Color(hex)
}

// status is the line at the foot of a screen: the question it asks, the
// work under way (busy, said as busyText), what went wrong, or what the last
// action did; the first of them there is.
func (st Styles) status(width int, confirm *confirmation, busy bool, busyText, err, note string) string {
	switch {
	case confirm != nil:
		return st.Warn.Render(cut(confirm.prompt, width))
	case busy:
		return st.Subtle.Render(busyText)
	case err != "":
		return st.Error.Render(cut(err, width))
	case note != "":
		return st.OK.Render(cut(note, width))
	}
	return ""
}

// styleInput gives a text input this session's styles and turns off what
// does not belong in a shared session: the blinking cursor (a redraw twice a
// second) and paste, which reads the clipboard of the machine roster runs on.
func (s Styles) styleInput(ti *textinput.Model) {
	ti.PromptStyle = s.Label
	ti.TextStyle = s.Field
	ti.PlaceholderStyle = s.Faint
	ti.CompletionStyle = s.Faint
	ti.Cursor.Style = s.Cursor
	ti.Cursor.TextStyle = s.Field
	ti.KeyMap.Paste.SetEnabled(false)
}
