package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"roster/sms"
	"roster/store"
)

// composeSMS reads the text of the outbox's SMS m: its data's Body. It
// holds no link, so its data is kept as it is once sent.
func composeSMS(m *store.OutboxMessage) (*composed, error) {
	var d store.MailData
	if err := json.Unmarshal([]byte(m.Data), &d); err != nil {
		return nil, fmt.Errorf("message data: %w", err)
	}
	if d.Body == "" {
		return nil, fmt.Errorf("SMS %d has no text", m.ID)
	}
	return &composed{to: m.Recipient, raw: []byte(d.Body), sent: m.Data}, nil
}

// captureSMS keeps j's SMS beside the captured mail, as the capture server
// keeps a mail when no relay is configured: a plain-text message whose
// header names the channel, the number and the segments the text takes, so
// that roster mail captured, roster mail show and the Mail screen show it
// as its recipient's phone would.
func (d *deliverer) captureSMS(ctx context.Context, j *job) (string, error) {
	m, text := j.m, string(j.msg.raw)
	n, enc := sms.Segments(text)
	var raw strings.Builder
	fmt.Fprintf(&raw, "To: %s\r\nMessage-ID: %s\r\nX-Roster-Channel: sms\r\nX-SMS-Segments: %d %s\r\n", m.Recipient, m.MessageID, n, enc)
	raw.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	raw.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
	c := &store.CapturedMail{ReceivedAt: d.cfg.now(), From: "sms", To: []string{m.Recipient}, MessageID: m.MessageID,
		Subject: text, Raw: []byte(raw.String())}
	if err := d.write(ctx, func(q *store.Q) error { return q.InsertCapturedMail(ctx, c) }); err != nil {
		return "", fmt.Errorf("keep the captured SMS: %w", err)
	}
	return fmt.Sprintf("captured as #%d", c.ID), nil
}
