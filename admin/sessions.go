package admin

import (
	"context"

	"roster/store"
)

// IsOwner reports whether a, an active user, is an owner of the account:
// roster serve lets owners in past its cap on sessions, so that whoever
// fills it can always be stopped by one of them.
func (s *Service) IsOwner(ctx context.Context, a Actor) (bool, error) {
	var ok bool
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		me, err := s.actor(ctx, q, a)
		ok = err == nil && me.Role == "owner"
		return err
	})
	return ok, err
}
