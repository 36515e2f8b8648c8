package store

import (
	"context"
	"time"
)

// Mail kinds written to the outbox.
const (
	MailInvitation    = "invitation"
	MailInviteResent  = "invitation_resent"
	MailPasswordReset = "password_reset"
	MailStandInNotice = "standin_notice"
	MailTest          = "test"
)

// OutboxMessage is a mail waiting for, or done with, delivery. Data holds what
// the template needs, as JSON.
type OutboxMessage struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	UserID        int64     `json:"user_id,omitempty"`
	TokenID       int64     `json:"-"`
	Recipient     string    `json:"recipient"`
	RecipientName string    `json:"recipient_name"`
	Locale        string    `json:"locale"`
	Data          string    `json:"-"`
	MessageID     string    `json:"message_id"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	LeaseUntil    time.Time `json:"-"`
	GiveUpAt      time.Time `json:"give_up_at"`
	LastError     string    `json:"last_error,omitempty"`
	Reply         string    `json:"reply,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Enqueue adds a message in state queued and sets its ID.
func (q *Q) Enqueue(ctx context.Context, m *OutboxMessage) error {
	m.State = "queued"
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	res, err := q.db.ExecContext(ctx, `INSERT INTO outbox (kind, user_id, token_id, recipient, recipient_name, locale,
		data, message_id, state, next_attempt_at, give_up_at, created_at)
		VALUES (?, nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Kind, m.UserID, m.TokenID, m.Recipient, m.RecipientName, m.Locale, m.Data, m.MessageID, m.State,
		unix(m.NextAttemptAt), unix(m.GiveUpAt), unix(m.CreatedAt))
	if err != nil {
		return mapErr(err)
	}
	m.ID, err = res.LastInsertId()
	return err
}

// CancelPendingMail cancels the user's mail of the given kinds that has not
// gone out yet (queued or deferred), so that a newer link replaces it.
func (q *Q) CancelPendingMail(ctx context.Context, userID int64, kinds ...string) (int64, error) {
	var n int64
	for _, k := range kinds {
		res, err := q.db.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', data = '{}'
			WHERE user_id = ? AND kind = ? AND state IN ('queued', 'deferred')`, userID, k)
		if err != nil {
			return n, err
		}
		c, _ := res.RowsAffected()
		n += c
	}
	return n, nil
}

// MailData is what a template needs, kept as JSON in the outbox row. Path
// holds the link's token until a relay has accepted the message.
type MailData struct {
	Account      string    `json:"account"`
	Name         string    `json:"name"`
	Inviter      string    `json:"inviter,omitempty"`
	InviterEmail string    `json:"inviter_email,omitempty"`
	Path         string    `json:"path,omitempty"` // "/invite/TOKEN" or "/reset/TOKEN"
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	Lifetime     int64     `json:"lifetime_secs,omitempty"`
	// For a stand-in notice: who is away, when, and their note.
	AwayName  string    `json:"away_name,omitempty"`
	AwayEmail string    `json:"away_email,omitempty"`
	AwayFrom  time.Time `json:"away_from,omitzero"`
	AwayUntil time.Time `json:"away_until,omitzero"`
	Note      string    `json:"note,omitempty"`
}
