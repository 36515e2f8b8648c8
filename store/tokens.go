package store

import (
	"context"
	"crypto/subtle"
	"time"
)

// Token is an invitation or password-reset link; only its hash is stored.
type Token struct {
	ID        int64
	UserID    int64
	Kind      string // "invite" or "reset"
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	VoidedAt  time.Time
	CreatedBy string
}

// InsertToken stores a new link and sets its ID.
func (q *Q) InsertToken(ctx context.Context, t *Token) error {
	res, err := q.db.ExecContext(ctx, `INSERT INTO tokens (user_id, kind, hash, created_at, expires_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?)`, t.UserID, t.Kind, t.Hash, unix(t.CreatedAt), unix(t.ExpiresAt), t.CreatedBy)
	if err != nil {
		return mapErr(err)
	}
	t.ID, err = res.LastInsertId()
	return err
}

// VoidTokens voids the user's unused links of a kind ("" for every kind).
func (q *Q) VoidTokens(ctx context.Context, userID int64, kind string, at time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE tokens SET voided_at = ? WHERE user_id = ? AND used_at = 0
		AND voided_at = 0 AND (? = '' OR kind = ?)`, at.Unix(), userID, kind, kind)
	return err
}

// TokenByHash finds a link by its hash, whatever its state; ErrNotFound if none.
// The hash found is compared again in constant time.
func (q *Q) TokenByHash(ctx context.Context, hash []byte) (*Token, error) {
	var t Token
	var created, expires, used, voided int64
	err := q.db.QueryRowContext(ctx, `SELECT id, user_id, kind, hash, created_at, expires_at, used_at, voided_at, created_by
		FROM tokens WHERE hash = ?`, hash).Scan(&t.ID, &t.UserID, &t.Kind, &t.Hash, &created, &expires, &used, &voided, &t.CreatedBy)
	if err != nil {
		return nil, mapErr(err)
	}
	if subtle.ConstantTimeCompare(t.Hash, hash) != 1 {
		return nil, ErrNotFound
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt, t.VoidedAt = fromUnix(created), fromUnix(expires), fromUnix(used), fromUnix(voided)
	return &t, nil
}

// ConsumeToken marks the link used if it is still unused, not voided and
// unexpired. It reports whether this call consumed it: of two simultaneous
// calls, only one can.
func (q *Q) ConsumeToken(ctx context.Context, id int64, hash []byte, at time.Time) (bool, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE tokens SET used_at = ? WHERE id = ? AND hash = ? AND used_at = 0
		AND voided_at = 0 AND expires_at > ?`, at.Unix(), id, hash, at.Unix())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Invitation is a pending invitation as the on-call screen shows it.
type Invitation struct {
	UserID     int64     `json:"user_id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	InvitedBy  string    `json:"invited_by"`
	TimesSent  int       `json:"times_sent"`
	LastSentAt time.Time `json:"last_sent_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Expired    bool      `json:"expired"`
	MailState  string    `json:"mail_state"` // of the newest invitation mail; "" if none
	MailError  string    `json:"mail_error"`
	Stuck      bool      `json:"stuck"`
}

// Invitations lists pending invitations, what needs attention first: mail
// failed, expired, mail deferred, then the rest by expiry. With stuck, only
// those an operator should resend: expired, or their mail failed or deferred.
func (q *Q) Invitations(ctx context.Context, now time.Time, stuck bool) ([]Invitation, error) {
	query := `WITH inv AS (
		SELECT u.id, u.email, u.first_name, u.last_name, coalesce(iu.email, '') AS inviter,
			(SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.kind = 'invite') AS sent,
			t.created_at, t.expires_at,
			coalesce(o.state, '') AS mail_state, coalesce(o.last_error, '') AS mail_error
		FROM users u
		JOIN tokens t ON t.id = (SELECT max(id) FROM tokens WHERE user_id = u.id AND kind = 'invite')
		LEFT JOIN users iu ON iu.id = u.invited_by
		LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE user_id = u.id
			AND kind IN ('invitation', 'invitation_resent') AND state != 'cancelled')
		WHERE u.status = 'invited')
	SELECT *, CASE WHEN mail_state = 'failed' THEN 0 WHEN expires_at <= ?1 THEN 1
		WHEN mail_state = 'deferred' THEN 2 ELSE 3 END AS urgency FROM inv`
	if stuck {
		query += " WHERE mail_state IN ('failed', 'deferred') OR expires_at <= ?1"
	}
	query += " ORDER BY urgency, expires_at, id"
	rows, err := q.db.QueryContext(ctx, query, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		var in Invitation
		var first, last string
		var created, expires int64
		var urgency int
		if err := rows.Scan(&in.UserID, &in.Email, &first, &last, &in.InvitedBy, &in.TimesSent, &created, &expires,
			&in.MailState, &in.MailError, &urgency); err != nil {
			return nil, err
		}
		u := User{Email: in.Email, FirstName: first, LastName: last}
		in.Name = u.Name()
		in.LastSentAt, in.ExpiresAt = fromUnix(created), fromUnix(expires)
		in.Expired = !now.Before(in.ExpiresAt)
		in.Stuck = urgency < 3
		out = append(out, in)
	}
	return out, rows.Err()
}

// CountTokensSince counts the links of a kind made for the user since t.
func (q *Q) CountTokensSince(ctx context.Context, userID int64, kind string, t time.Time) (n int, newest time.Time, oldest time.Time, err error) {
	var newestS, oldestS int64
	err = q.db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(created_at), 0), coalesce(min(created_at), 0)
		FROM tokens WHERE user_id = ? AND kind = ? AND created_at > ?`, userID, kind, t.Unix()).Scan(&n, &newestS, &oldestS)
	return n, fromUnix(newestS), fromUnix(oldestS), err
}
