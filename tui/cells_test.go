package tui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// cells must measure as ansi.StringWidth does, whatever it is given: what
// the screens draw, and random mixes of letters, accents, wide and
// combining characters, emoji, controls and escape sequences.
func TestCellsIsStringWidth(t *testing.T) {
	st := DefaultStyles(true)
	given := []string{
		"", "a", "Amélie Durand", "e\u0301t\u00e9", "a\u0301", "é", "\u0301", "日本語", "a日b", "👍🏽 ok", "1\ufe0f\u20e3",
		"👨‍👩‍👧", "🇫🇷🇩🇪", "tab\there", "bell\a", "del\x7f", "\x1b", "\x1b[", "\x1b[1", "\x1b[1;2", "\x1b[31mred\x1b[m",
		"\x1b]8;;https://example.com\x07link\x1b]8;;\x07", "\x1bPq#0\x1b\\", "a\x1b[31é", "\x1b[31\x80m", "x\r\ny",
		st.Selected.Render("▸ Amélie Durand   amelie@example.com"), st.Faint.Render("hugo") + " hugo@example.com",
		st.Title.Render("Pending invitations") + st.Subtle.Render("  1,000 shown, more below"),
		lipgloss.NewStyle().Underline(true).Render("souligné et espacé"),
	}
	parts := []string{"a", "Z", " ", "~", "é", "e", "\u0301", "\u200d", "日", "👍", "🏽", "🇫", "\ufe0f", "▸", "…", "·",
		"\x1b[m", "\x1b[1;38;2;1;2;3m", "\x1b[", "\x1b]8;;u\x07", "\x1b", "\t", "\n", "\x00", "\x7f", "\x9b", "\xff",
		"\u0085", "\u009b", "\ufffd", "\u00a0", "\u00ad", "\u1160", "\U0001F3FB"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50_000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		given = append(given, b.String())
	}
	for _, s := range given {
		if got, want := cells(s), ansi.StringWidth(s); got != want {
			t.Errorf("cells(%q) = %d, ansi.StringWidth says %d", s, got, want)
		}
	}
}
