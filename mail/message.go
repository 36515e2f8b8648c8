package mail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"roster/store"
)

// composed is a message ready for the wire, with its envelope.
type composed struct {
	from, to string // envelope addresses
	raw      []byte
}

// compose makes the outbox message m as it goes on the wire. Every header
// value goes through net/mail's address formatting or mime's RFC 2047
// encoder, which turn CR and LF into encoded text, so that no name, subject
// or address can add a header; a value that still spans lines is refused.
// The body is multipart/alternative: plain text, then HTML, both UTF-8 in
// quoted-printable.
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
	var b bytes.Buffer
	h := headerWriter{b: &b}
	h.add("From", sender.String())
	h.add("To", (&mail.Address{Name: m.RecipientName, Address: to.Address}).String())
	if d.InviterEmail != "" && m.Kind != store.MailStandInNotice {
		if a, err := mail.ParseAddress(d.InviterEmail); err == nil {
			h.add("Reply-To", (&mail.Address{Name: d.Inviter, Address: a.Address}).String())
		}
	}
	h.add("Subject", mime.QEncoding.Encode("utf-8", c.Subject))
	h.add("Date", date.In(loc).Format(time.RFC1123Z))
	h.add("Message-ID", m.MessageID)
	h.add("MIME-Version", "1.0")
	h.add("Content-Language", c.Lang)
	// Automatic mail (RFC 3834): no out-of-office replies to it.
	h.add("Auto-Submitted", "auto-generated")
	h.add("X-Auto-Response-Suppress", "All")
	mw := multipart.NewWriter(&b)
	h.add("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	if h.err != nil {
		return nil, h.err
	}
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", c.Text}, {"text/html", c.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(part.typ, map[string]string{"charset": "utf-8"})},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return &composed{from: from.Address, to: to.Address, raw: b.Bytes()}, nil
}

// headerWriter writes header fields, refusing any value that would span lines.
type headerWriter struct {
	b   *bytes.Buffer
	err error
}

func (h *headerWriter) add(name, value string) {
	if strings.ContainsAny(value, "\r\n") {
		if h.err == nil {
			h.err = fmt.Errorf("header %s: the value would span lines", name)
		}
		return
	}
	h.b.WriteString(name + ": " + value + "\r\n")
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
