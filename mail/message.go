package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"roster/store"
)

// composed is a message ready for the wire, with its envelope.
type composed struct {
	from, to string // envelope addresses
	utf8     bool   // an address in the envelope or header needs SMTPUTF8
	raw      []byte
	sent     string // the outbox row's data once sent: its link redacted
}

// compose makes the outbox message m as it goes on the wire. Names and the
// subject are written as RFC 2047 encoded-words unless they are plain
// ASCII, which turns CR and LF into encoded text, so that no name, subject
// or address can add a header; a value that still spans lines is refused.
// Header fields are folded so that names of any length the rules allow
// keep lines short: relays refuse lines over 998 octets (aiosmtpd: "500
// Line too long"). The body is multipart/alternative: plain text, then
// HTML, both UTF-8 in quoted-printable.
func compose(m *store.OutboxMessage, from *mail.Address, baseURL string, date time.Time, loc *time.Location) (*composed, error) {
	to, err := mail.ParseAddress(m.Recipient)
	if err != nil || to.Name != "" || to.Address != m.Recipient {
		return nil, fmt.Errorf("recipient %q is not a mail address", m.Recipient)
	}
	var d store.MailData
	if err := json.Unmarshal([]byte(m.Data), &d); err != nil {
		return nil, fmt.Errorf("message data: %w", err)
	}
	c, err := render(m, d, baseURL, date, loc)
	if err != nil {
		return nil, err
	}
	if !validMessageID(m.MessageID) {
		return nil, fmt.Errorf("message ID %q is not of the form <id@host>", m.MessageID)
	}
	sender := *from
	if sender.Name == "" {
		sender.Name = d.Account
	}
	sender.Address = wireAddress(sender.Address)
	rcpt := wireAddress(to.Address)
	needsUTF8 := !isASCII(sender.Address) || !isASCII(rcpt)
	var b bytes.Buffer
	// The header, and both parts with a tenth more for their encoding.
	b.Grow(2048 + (len(c.Text)+len(c.HTML))*11/10)
	h := headerWriter{b: &b}
	h.address("From", sender.Name, sender.Address)
	h.address("To", m.RecipientName, rcpt)
	if d.InviterEmail != "" && m.Kind != store.MailStandInNotice {
		// An inviter's address that needs SMTPUTF8 is left out of a message
		// that otherwise does not: it would fail the message on a relay
		// without it, or go raw in the header through one. The body still
		// gives it.
		if a, err := mail.ParseAddress(d.InviterEmail); err == nil {
			if replyTo := wireAddress(a.Address); needsUTF8 || isASCII(replyTo) {
				h.address("Reply-To", d.Inviter, replyTo)
			}
		}
	}
	h.text("Subject", c.Subject)
	h.add("Date", date.In(loc).Format(time.RFC1123Z))
	h.add("Message-ID", m.MessageID)
	h.add("MIME-Version", "1.0")
	h.add("Content-Language", c.Lang)
	// Automatic mail (RFC 3834): no out-of-office replies to it.
	h.add("Auto-Submitted", "auto-generated")
	h.add("X-Auto-Response-Suppress", "All")
	boundary := newBoundary()
	h.add("Content-Type", "multipart/alternative; boundary="+boundary)
	if h.err != nil {
		return nil, h.err
	}
	// The parts as mime/multipart's Writer writes them, without its
	// header map and writes of a few bytes.
	b.WriteString("\r\n")
	for i, part := range [2]struct{ header, body string }{{plainPartHeader, c.Text}, {htmlPartHeader, c.HTML}} {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("--" + boundary + "\r\n" + part.header + "\r\n")
		// Appended to b's spare room: b.Grow above made enough for most.
		b.Write(appendQP(b.AvailableBuffer(), part.body))
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return &composed{from: sender.Address, to: rcpt, utf8: needsUTF8, raw: b.Bytes(), sent: store.RedactParsedLink(m.Data, d)}, nil
}

// wireAddress is addr as it goes on the wire: its domain in the IDNA ASCII
// form (jan@münchen.example is jan@xn--mnchen-3ya.example), which every
// relay takes, so that only a local part past ASCII needs SMTPUTF8. A
// domain that is no valid IDN is left as it is.
func wireAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if isASCII(addr) || at < 0 {
		return addr
	}
	domain, err := idna.Lookup.ToASCII(addr[at+1:])
	if err != nil {
		return addr
	}
	return addr[:at+1] + domain
}

// The parts' headers, the same in every message.
const (
	plainPartHeader = "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; charset=utf-8\r\n"
	htmlPartHeader  = "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=utf-8\r\n"
)

// newBoundary is a random boundary between the parts, of the form
// mime/multipart's Writer makes: no text of a part can hold it.
func newBoundary() string {
	var r [30]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// upperHex are the digits of quoted-printable and the Q encoding.
const upperHex = "0123456789ABCDEF"

// appendQP appends text s to dst in quoted-printable, as mime/quotedprintable's
// Writer writes it, in one pass rather than a write per line: line breaks
// (LF, CRLF or CR) become CRLF; '=', control characters and bytes past ASCII
// are encoded, and so is a space or tab that would end a line; lines are
// broken softly ("=" CRLF) to stay within 76 characters.
func appendQP(dst []byte, s string) []byte {
	const room = 75 // characters on a line before its soft break
	n := 0          // characters on the current line
	encode := func(c byte) {
		if room-n < 3 {
			dst = append(dst, "=\r\n"...)
			n = 0
		}
		dst = append(dst, '=', upperHex[c>>4], upperHex[c&0x0f])
		n += 3
	}
	// endLine encodes a space or tab ending the line, which transport may strip.
	endLine := func() {
		if n == 0 {
			return
		}
		if c := dst[len(dst)-1]; c == ' ' || c == '\t' {
			dst, n = dst[:len(dst)-1], n-1
			encode(c)
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r' || c == '\n':
			if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			endLine()
			dst = append(dst, '\r', '\n')
			n = 0
		case qpPlain(c):
			if n == room {
				dst = append(dst, "=\r\n"...)
				n = 0
			}
			// The run of plain bytes that fits on the line, in one append.
			j := i + 1
			for j < len(s) && j-i < room-n && qpPlain(s[j]) {
				j++
			}
			dst = append(dst, s[i:j]...)
			n += j - i
			i = j - 1
		default:
			encode(c)
		}
	}
	endLine()
	return dst
}

// qpPlain says whether quoted-printable writes c as it is (a space or tab
// too, unless it ends a line).
func qpPlain(c byte) bool { return c >= '!' && c <= '~' && c != '=' || c == ' ' || c == '\t' }

// Line lengths of RFC 5322 (2.1.1) and RFC 2047 (2).
const (
	foldAt      = 78  // header lines are folded before passing this
	maxLine     = 998 // and never pass this
	maxWord     = 75  // the longest encoded-word
	longestRune = 24  // the longest encoded-word holding one character: "=?utf-8?q?=XX=XX=XX=XX?="
)

// headerWriter writes header fields, folded between words, refusing any
// value that would span lines and any line over 998 octets.
type headerWriter struct {
	b    *bytes.Buffer
	name string // the field being written
	col  int    // octets on its current line
	err  error
}

// add writes a field whose value needs no encoding (a date, an ID, a
// media type), folded at its spaces.
func (h *headerWriter) add(name, value string) {
	h.start(name)
	if strings.ContainsAny(value, "\r\n") {
		h.fail("the value would span lines")
	}
	h.words(value)
	h.end()
}

// quotedPairs escapes a quoted string's backslashes and quotes.
var quotedPairs = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// address writes "name <addr>", the name as a quoted string when it is
// plain, as encoded-words otherwise.
func (h *headerWriter) address(field, name, addr string) {
	h.start(field)
	quoted := `"` + quotedPairs.Replace(name) + `"`
	switch {
	case name == "":
	case plain(quoted):
		h.words(quoted)
	default:
		h.encoded(name)
	}
	h.word((&mail.Address{Address: addr}).String())
	h.end()
}

// text writes unstructured text (a subject): as it is when it is plain, as
// encoded-words otherwise.
func (h *headerWriter) text(field, s string) {
	h.start(field)
	if plain(s) {
		h.words(s)
	} else {
		h.encoded(s)
	}
	h.end()
}

// plain says whether s can go in a header as it is: printable ASCII, with
// nothing a reader would decode, and no word too long to fold.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	if strings.Contains(s, "=?") {
		return false
	}
	for w := range strings.SplitSeq(s, " ") {
		if 1+len(w) > foldAt {
			return false
		}
	}
	return true
}

func (h *headerWriter) start(name string) {
	h.name = name
	h.b.WriteString(name + ":")
	h.col = len(name) + 1
}

func (h *headerWriter) end() { h.b.WriteString("\r\n") }

func (h *headerWriter) fail(why string) {
	if h.err == nil {
		h.err = fmt.Errorf("header %s: %s", h.name, why)
	}
}

// words writes s folded at its spaces, which unfolding gives back.
func (h *headerWriter) words(s string) {
	for w := range strings.SplitSeq(s, " ") {
		h.word(w)
	}
}

// word writes a space and w, folding first when w would take the line past
// 78 octets and something follows the field's name on it.
func (h *headerWriter) word(w string) {
	if h.col+1+len(w) > foldAt && h.col > len(h.name)+1 {
		h.fold()
	}
	h.b.WriteString(" " + w)
	if h.col += 1 + len(w); h.col > maxLine {
		h.fail(fmt.Sprintf("a line would be longer than %d octets", maxLine))
	}
}

func (h *headerWriter) fold() {
	h.b.WriteString("\r\n")
	h.col = 0
}

// encoded writes s as RFC 2047 encoded-words, each cut between characters
// to fill the room left on its line, folding between them.
func (h *headerWriter) encoded(s string) {
	b := encodedLen(s, true) < encodedLen(s, false)
	for s != "" {
		room := min(maxWord, foldAt-h.col-1)
		if room < longestRune {
			h.fold()
			room = min(maxWord, foldAt-1)
		}
		// The Q word's length is counted as it grows, not again for each
		// longer prefix.
		n, q := 0, encodedLen("", false)
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			q += encodedLen(s[n:n+size], false) - encodedLen("", false)
			if b && encodedLen(s[:n+size], true) > room || !b && q > room {
				break
			}
			n += size
		}
		h.word(encodedWord(s[:n], b))
		s = s[n:]
	}
}

// encodedWord is s as one encoded-word in UTF-8, in the B encoding (base64)
// or the Q encoding. mime.WordEncoder is not used because it leaves ASCII
// as it is, and a word cut from a longer text must be encoded all the same.
// Q keeps only letters, digits and !*+-/ as they are, which makes the word
// valid in a display name too (RFC 2047 5(3)).
func encodedWord(s string, b bool) string {
	if b {
		return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	}
	var w strings.Builder
	w.WriteString("=?utf-8?q?")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			w.WriteByte('_')
		case qKept(c):
			w.WriteByte(c)
		default:
			w.Write([]byte{'=', upperHex[c>>4], upperHex[c&0x0f]})
		}
	}
	w.WriteString("?=")
	return w.String()
}

// qKept says whether the Q encoding keeps c as it is.
func qKept(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!*+-/", c) >= 0
}

// encodedLen is len(encodedWord(s, b)), counted rather than written: the
// words are cut to fit a line by trying longer and longer prefixes.
func encodedLen(s string, b bool) int {
	n := len("=?utf-8?q??=")
	if b {
		return n + base64.StdEncoding.EncodedLen(len(s))
	}
	for i := 0; i < len(s); i++ {
		if n++; s[i] != ' ' && !qKept(s[i]) {
			n += 2
		}
	}
	return n
}

// validMessageID accepts "<left@right>" made of printable ASCII without spaces.
func validMessageID(s string) bool {
	if len(s) < 5 || s[0] != '<' || s[len(s)-1] != '>' || !strings.Contains(s, "@") {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}
