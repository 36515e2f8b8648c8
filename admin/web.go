package admin

import (
	"context"

	"roster/store"
)

// LinkLocale is the language of the person a link was made for, even when
// the link can no longer be used, so that the web page explaining why
// speaks their language. It is "" for a link that matches nobody.
func (s *Service) LinkLocale(ctx context.Context, kind, token string) string {
	var locale string
	s.st.ReadTx(ctx, func(q *store.Q) error {
		if _, u, _ := s.checkLink(ctx, q, kind, token); u != nil {
			locale = u.Locale
		}
		return nil
	})
	return locale
}
