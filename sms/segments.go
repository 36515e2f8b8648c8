package sms

import (
	"strings"
	"unicode/utf16"
)

// gsmBasic is the GSM 03.38 default alphabet (3GPP TS 23.038), by code:
// each costs one septet. 0x1B, the escape to the extension table, stands
// for no character.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters of the extension table: each costs
// two septets (the escape and its code).
const gsmExtension = "\f^{}\\[~]|€"

// Segment sizes: a text that fits one SMS takes up to the first number;
// a longer one is sent in parts that each give up room to a header (UDH)
// saying how to join them again.
const (
	gsmSingle  = 160 // septets
	gsmPart    = 153
	ucs2Single = 70 // UTF-16 code units
	ucs2Part   = 67
)

// Encodings a text is sent in.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// Segments is how many SMS text takes, and in which encoding: GSM-7 when
// every character is in the default alphabet or its extension table (whose
// characters count twice), 160 to one SMS and 153 to each part of a longer
// one; otherwise UCS-2, 70 and 67. One character outside GSM-7 (an
// apostrophe ’, a ç, an emoji) is enough to turn the whole text into UCS-2.
// A long text may take one part more than counted here, since a phone
// splits no escape pair or surrogate pair across two parts; whether a text
// fits one SMS is exact.
func Segments(text string) (n int, encoding string) {
	septets, gsm := 0, true
	for _, r := range text {
		switch {
		case r != 0x1b && strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			gsm = false
		}
	}
	size, single, part := septets, gsmSingle, gsmPart
	encoding = GSM7
	if !gsm {
		size, single, part = len(utf16.Encode([]rune(text))), ucs2Single, ucs2Part
		encoding = UCS2
	}
	if size <= single {
		return 1, encoding
	}
	return (size + part - 1) / part, encoding
}
