package admin

import (
	"context"

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
