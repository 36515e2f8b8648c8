package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// resetMsg is the outcome of a password reset asked from a user's page.
type resetMsg struct {
	email string
	err   error
}

// sendReset mails email a password reset link, as the session's operator.
func sendReset(s *session, email string) tea.Cmd {
	svc, a := s.svc, s.actor
	return s.do(func(ctx context.Context) tea.Msg {
		return resetMsg{email, svc.SendReset(ctx, a, email)}
	})
}
