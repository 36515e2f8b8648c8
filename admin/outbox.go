package admin

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// Outbox lists outbox messages newest first, of one state unless state is
// "", older than beforeID unless it is 0, at most limit: what the Mail screen
// shows. Links are redacted whatever the state: an operator never holds a
// working invitation or reset link.
func (s *Service) Outbox(ctx context.Context, a Actor, state string, beforeID int64, limit int) ([]store.OutboxMessage, error) {
	if state != "" && !slices.Contains(store.OutboxStates(), state) {
		return nil, inputErr("state", "%q is not a mail state (want one of %s)", state, strings.Join(store.OutboxStates(), ", "))
	}
	var out []store.OutboxMessage
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = q.Outbox(ctx, state, beforeID, limit)
		for i := range out {
			out[i].Data = store.RedactLink(out[i].Data)
		}
		return err
	})
	return out, err
}

// OutboxMessage reads outbox message id, its link redacted, and the copy the
// capture server kept of it (its link working) when the operator may read
// that copy (CapturedMessage's rules); otherwise kept is nil, and the message
// is to be shown written again from the row.
func (s *Service) OutboxMessage(ctx context.Context, a Actor, id int64) (m *store.OutboxMessage, kept *store.CapturedMail, err error) {
	err = s.read(ctx, a, func(q *store.Q, op *operator) error {
		m, err = q.OutboxByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("mail %d", id)
		} else if err != nil {
			return err
		}
		m.Data = store.RedactLink(m.Data)
		if !op.can("settings.integrations") {
			return nil
		}
		c, err := q.CapturedMailByMessageID(ctx, m.MessageID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		var d *DeniedError
		if err := s.mayReadCaptured(ctx, q, op, c); errors.As(err, &d) {
			return nil
		} else if err != nil {
			return err
		}
		kept = c
		return nil
	})
	return m, kept, err
}

// CapturedMail lists what the embedded capture server kept, newest first.
// Those copies hold working links (they stand for the recipients' mailboxes),
// so reading them takes settings.integrations, which configures where mail
// goes: an owner's or an admin's.
func (s *Service) CapturedMail(ctx context.Context, a Actor, beforeID int64, limit int) ([]store.CapturedMail, error) {
	var out []store.CapturedMail
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := op.need("settings.integrations", "reading the captured mail"); err != nil {
			return err
		}
		out, err = q.CapturedMails(ctx, beforeID, limit)
		return err
	})
	return out, err
}

// CapturedMessage reads one captured message whole, links working: it takes
// settings.integrations, and acting as its recipients (mayReadCaptured).
func (s *Service) CapturedMessage(ctx context.Context, a Actor, id int64) (*store.CapturedMail, error) {
	var out *store.CapturedMail
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := op.need("settings.integrations", "reading the captured mail"); err != nil {
			return err
		}
		out, err = q.CapturedMailByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("captured mail %d", id)
		} else if err != nil {
			return err
		}
		return s.mayReadCaptured(ctx, q, op, out)
	})
	return out, err
}

// mayReadCaptured checks that the operator, who holds settings.integrations,
// may read captured message c whole: a copy of a user's mail may hold the
// link that sets their password, so reading it is acting as them (mayActAs).
func (s *Service) mayReadCaptured(ctx context.Context, q *store.Q, op *operator, c *store.CapturedMail) error {
	for _, to := range c.To {
		u, err := q.UserByEmail(ctx, to, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if err := s.mayActAs(ctx, q, op, u, "settings.integrations", "reading the captured mail", "read the captured mail of"); err != nil {
			return err
		}
	}
	return nil
}

// RetryMail puts a failed or deferred outbox message back in the queue, due
// now, and audits it. Retrying is the mail delivery's business, as reading
// the captured mail is: it takes settings.integrations. A message past its
// deadline (lifetime is how long the outbox tries a message) is refused: its
// link has expired, and the invitation or reset must be sent again.
func (s *Service) RetryMail(ctx context.Context, a Actor, id int64, lifetime time.Duration) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.integrations", "retrying mail"); err != nil {
			return err
		}
		m, err := q.OutboxByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("mail %d", id)
		} else if err != nil {
			return err
		}
		return s.requeue(ctx, q, op, m, lifetime)
	})
}

// RetryFailedMail retries, as RetryMail does, every failed message whose
// deadline has not passed, in one transaction; it says how many it requeued
// and how many were too late.
func (s *Service) RetryFailedMail(ctx context.Context, a Actor, lifetime time.Duration) (requeued, tooLate int, err error) {
	err = s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.integrations", "retrying mail"); err != nil {
			return err
		}
		failed, err := q.Outbox(ctx, store.OutboxFailed, 0, 0)
		if err != nil {
			return err
		}
		for i := range failed {
			var nr *NotRetryableError
			if err := s.requeue(ctx, q, op, &failed[i], lifetime); errors.As(err, &nr) {
				tooLate++
			} else if err != nil {
				return err
			} else {
				requeued++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return requeued, tooLate, nil
}

// requeue puts m back in the queue, due now, and audits it, naming its
// recipient's user when it has one.
func (s *Service) requeue(ctx context.Context, q *store.Q, op *operator, m *store.OutboxMessage, lifetime time.Duration) error {
	switch m.State {
	case store.OutboxFailed, store.OutboxDeferred:
	case store.OutboxSent:
		return &NotRetryableError{ID: m.ID, Why: i18n.Msg("it was sent on %s; to send a new link, resend the invitation or the reset", m.SentAt.Format("2006-01-02 15:04 MST"))}
	case store.OutboxCancelled:
		var reason any = m.LastError // as the worker recorded it, in English
		if m.LastError == "" {
			reason = i18n.Msg("a newer link replaced it")
		}
		return &NotRetryableError{ID: m.ID, Why: i18n.Msg("it was cancelled (%s)", reason)}
	default:
		return &NotRetryableError{ID: m.ID, Why: i18n.Msg("it is already %s", i18n.Msg(m.State))}
	}
	now := s.Now()
	if end := m.Deadline(lifetime); !end.After(now) {
		return &NotRetryableError{ID: m.ID, Why: i18n.Msg("its deadline passed on %s; to send a new link, resend the invitation or the reset", end.Format("2006-01-02 15:04 MST"))}
	}
	if err := q.RequeueMail(ctx, m.ID, now); err != nil {
		return err
	}
	var to *store.User
	if m.UserID != 0 {
		u, err := q.UserByID(ctx, m.UserID, now)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		to = u
	}
	return s.audit(ctx, q, op.User, op.channel, "mail.retry", to,
		map[string]any{"mail": m.ID, "kind": m.Kind, "recipient": m.Recipient, "state": m.State},
		map[string]any{"mail": m.ID, "state": store.OutboxQueued})
}
