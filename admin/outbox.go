package admin

import (
	"context"
	"errors"
	"fmt"

	"roster/store"
)

// Outbox lists outbox messages newest first, of one state unless state is
// "", older than beforeID unless it is 0, at most limit: what the Mail screen
// shows. Links are redacted whatever the state: an operator never holds a
// working invitation or reset link.
func (s *Service) Outbox(ctx context.Context, a Actor, state string, beforeID int64, limit int) ([]store.OutboxMessage, error) {
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

// CapturedMessage reads one captured message whole, under the same rule.
func (s *Service) CapturedMessage(ctx context.Context, a Actor, id int64) (*store.CapturedMail, error) {
	var out *store.CapturedMail
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := op.need("settings.integrations", "reading the captured mail"); err != nil {
			return err
		}
		out, err = q.CapturedMailByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return &NotFoundError{What: fmt.Sprintf("captured mail %d", id)}
		}
		return err
	})
	return out, err
}
