package sms

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	for _, c := range []struct {
		text     string
		n        int
		encoding string
	}{
		{"", 1, GSM7},
		{strings.Repeat("a", 160), 1, GSM7},
		{strings.Repeat("a", 161), 2, GSM7},
		{strings.Repeat("a", 306), 2, GSM7},
		{strings.Repeat("a", 307), 3, GSM7},
		// The extension table's characters count twice.
		{strings.Repeat("€", 80), 1, GSM7},
		{strings.Repeat("€", 80) + "a", 2, GSM7},
		{strings.Repeat("[", 81), 2, GSM7},
		// The French letters of the default alphabet keep GSM-7...
		{"Votre invitation à rejoindre Acmé a été acceptée, Ç", 1, GSM7},
		// ...but one outside it turns the whole text into UCS-2.
		{strings.Repeat("a", 69) + "ç", 1, UCS2},
		{strings.Repeat("a", 70) + "ê", 2, UCS2},
		{strings.Repeat("a", 134), 1, GSM7},
		{strings.Repeat("a", 133) + "’", 2, UCS2},
		{strings.Repeat("a", 133) + "’" + strings.Repeat("b", 67), 3, UCS2},
		// An emoji is two UTF-16 code units.
		{strings.Repeat("a", 68) + "🙂", 1, UCS2},
		{strings.Repeat("a", 69) + "🙂", 2, UCS2},
		// The escape code itself is no character of the alphabet.
		{"\x1b", 1, UCS2},
	} {
		if n, enc := Segments(c.text); n != c.n || enc != c.encoding {
			t.Errorf("Segments(%.20q… %d runes) = %d %s, want %d %s", c.text, len([]rune(c.text)), n, enc, c.n, c.encoding)
		}
	}
}
