package mail

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"roster/sms"
	"roster/store"
)

// Message is one mail as an operator reads it: its header fields in order,
// decoded, and its plain-text part. Text from the database or from the
// capture server's clients is not made printable here: screens and the
// command line pass it through admin.Printable.
type Message struct {
	Outbox   *store.OutboxMessage `json:"outbox,omitempty"`   // the outbox row, for an outbox message
	Captured *store.CapturedMail  `json:"captured,omitempty"` // the copy the capture server kept, if any
	Header   []HeaderField        `json:"header"`
	Text     string               `json:"text"`
}

// HeaderField is one header line, its encoded words decoded.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Show is outbox message m as an operator reads it. Given the copy the
// capture server kept of it, that copy is shown whole, as its recipient
// would read it; otherwise the message is written again from the row, as it
// was or will be sent, but with the link's token redacted: an operator never
// holds someone else's working link. A cancelled message has no text: its
// data was discarded. An SMS is its number and text, with the segments it
// takes. admin.Service.OutboxMessage reads both.
func Show(m *store.OutboxMessage, kept *store.CapturedMail, cfg Config) (*Message, error) {
	out := &Message{Outbox: m}
	if kept != nil {
		out.Captured = kept
		var err error
		out.Header, out.Text, err = parseMessage(kept.Raw)
		return out, err
	}
	if m.State == store.OutboxCancelled {
		return out, nil
	}
	if m.Channel == store.ChannelSMS {
		c, err := composeSMS(m)
		if err != nil {
			return nil, err
		}
		n, enc := sms.Segments(string(c.raw))
		out.Header = []HeaderField{{"To", m.Recipient}, {"Channel", store.ChannelSMS}, {"Segments", fmt.Sprintf("%d %s", n, enc)}}
		out.Text = string(c.raw)
		return out, nil
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	date := cfg.now()
	if !m.SentAt.IsZero() {
		date = m.SentAt
	}
	redacted := *m
	redacted.Data = store.RedactLink(m.Data)
	msg, err := compose(&redacted, cfg.from(), cfg.baseURL(), date, cfg.location())
	if err != nil {
		return nil, fmt.Errorf("mail %d: %w", m.ID, err)
	}
	out.Header, out.Text, err = parseMessage(msg.raw)
	return out, err
}

// ReadCaptured reads the header and text of a message the capture server kept.
func ReadCaptured(c *store.CapturedMail) (*Message, error) {
	out := &Message{Captured: c}
	var err error
	out.Header, out.Text, err = parseMessage(c.Raw)
	return out, err
}

// parseMessage reads a raw message's header fields, in order and decoded,
// and its first plain-text part.
func parseMessage(raw []byte) ([]HeaderField, string, error) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	var fields []HeaderField
	var dec mime.WordDecoder
	for {
		line, err := r.ReadContinuedLine()
		if err != nil {
			return nil, "", fmt.Errorf("read the message's header: %w", err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if d, err := dec.DecodeHeader(value); err == nil {
			value = d
		}
		fields = append(fields, HeaderField{Name: strings.TrimSpace(name), Value: value})
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return fields, "", fmt.Errorf("read the message: %w", err)
	}
	text, err := textPart(textproto.MIMEHeader(msg.Header), msg.Body)
	return fields, text, err
}

// textPart finds the first text/plain part under a part with header h.
func textPart(h textproto.MIMEHeader, body io.Reader) (string, error) {
	typ, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		typ, params = "text/plain", map[string]string{}
	}
	switch {
	case strings.HasPrefix(typ, "multipart/"):
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", nil
			}
			if err != nil {
				return "", fmt.Errorf("read the message's parts: %w", err)
			}
			if t, err := textPart(p.Header, p); err != nil || t != "" {
				return t, err
			}
		}
	case typ == "text/plain":
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return "", fmt.Errorf("read the message's text: %w", err)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
	}
	return "", nil
}

// newMessageID makes a Message-ID for a message that is not queued (the
// outbox's are made by admin when it queues them).
func newMessageID() string {
	return "<" + strings.ToLower(rand.Text()) + "@" + hostname() + ">"
}
