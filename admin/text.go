package admin

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"roster/i18n"
	"roster/store"
)

// unsafeRune reports the characters free text may not hold: C0 and C1
// controls, DEL, bidirectional overrides, isolates and marks, the line and
// paragraph separators, any of which can rewrite an operator's terminal,
// reorder what it shows, or break a mail header; and the zero-width
// characters (spaces, joiners, word joiner, BOM), which make two names that
// look the same differ.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x061c || (r >= 0x200b && r <= 0x200f) ||
		(r >= 0x2028 && r <= 0x202e) || r == 0x2060 || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff
}

// checkText trims s and refuses it when it holds unsafe characters, is not
// UTF-8 or is longer than max characters.
func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", inputErr(field, "is not valid UTF-8")
	}
	for _, r := range s {
		if unsafeRune(r) {
			return "", inputErr(field, "holds a control, bidirectional or invisible character (%U)", r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", inputErr(field, "is %d characters long, at most %d", n, max)
	}
	return s, nil
}

// article puts "a" or "an" before a role as it is spoken: "an admin", "a
// manager". Roles are English words, so the first letter decides; the
// result is a message, as French says "un administrateur".
func article(role string) i18n.Text {
	if role != "" && strings.ContainsRune("aeiouAEIOU", rune(role[0])) {
		return i18n.Msg("an " + role)
	}
	return i18n.Msg("a " + role)
}

// Printable makes text stored by anyone (names, emails, SMTP replies) safe to
// draw in a terminal: escape sequences are removed, then every remaining
// control or bidirectional character (ansi.Strip alone keeps CR, BS, BEL and
// C1) is replaced by U+FFFD.
func Printable(s string) string {
	s = strings.ToValidUTF8(ansi.Strip(s), "\uFFFD")
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// status is a user's status as a word of a message: "active", "actif".
func status(s store.Status) i18n.Text { return i18n.Msg(string(s)) }
