package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"roster/store"
)

// SendTest sends a test message to the address to through the configured
// relay (or, with none, the capture server), once and now, without the
// outbox, and returns what was said at each step, credentials hidden: for
// the on-call engineer checking the relay. The transcript is returned with
// the error when the relay did not take the message.
func SendTest(ctx context.Context, st *store.Store, cfg Config, to string) (*Transcript, error) {
	a, err := mail.ParseAddress(to)
	if err != nil || a.Name != "" {
		return nil, fmt.Errorf("%q is not a mail address", to)
	}
	d, err := newDeliverer(st, cfg)
	if err != nil {
		return nil, err
	}
	defer d.close()
	now := cfg.now()
	m := &store.OutboxMessage{Kind: store.MailTest, Recipient: a.Address, Locale: "en", Data: "{}",
		MessageID: newMessageID(), CreatedAt: now}
	// Written to a user, the test is in their language, to their name.
	err = st.ReadTx(ctx, func(q *store.Q) error {
		data := store.MailData{}
		if acct, err := q.Account(ctx); err == nil {
			data.Account = acct.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if u, err := q.UserByEmail(ctx, a.Address, now); err == nil {
			m.Locale, m.RecipientName = u.Locale, strings.TrimSpace(u.FirstName+" "+u.LastName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		b, err := json.Marshal(data)
		m.Data = string(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	msg, err := compose(m, d.from, cfg.baseURL(), now, cfg.location()) // a test has no link
	if err != nil {
		return nil, err
	}
	tr := &Transcript{Relay: d.relay.display}
	s, err := d.dialer.open(ctx, d.relay, tr)
	if err != nil {
		return tr, err
	}
	defer s.quit()
	tr.Reply, err = s.send(ctx, msg)
	return tr, err
}
