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

// InsertToken stores new links, in one statement for all, and sets their IDs.
func (q *Q) InsertToken(ctx context.Context, ts ...*Token) error {
	vals := make([]any, 0, 6*len(ts))
	for _, t := range ts {
		vals = append(vals, t.UserID, t.Kind, t.Hash, unix(t.CreatedAt), unix(t.ExpiresAt), t.CreatedBy)
	}
	ids, err := q.insertIDs(ctx, "INSERT INTO tokens (user_id, kind, hash, created_at, expires_at, created_by) VALUES ",
		"(?, ?, ?, ?, ?, ?)", vals)
	if err != nil {
		return mapErr(err)
	}
	for i, t := range ts {
		t.ID = ids[i]
	}
	return nil
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

// CountTokensSince counts the links of a kind made for the user since t.
func (q *Q) CountTokensSince(ctx context.Context, userID int64, kind string, t time.Time) (n int, newest time.Time, oldest time.Time, err error) {
	var newestS, oldestS int64
	err = q.db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(created_at), 0), coalesce(min(created_at), 0)
		FROM tokens WHERE user_id = ? AND kind = ? AND created_at > ?`, userID, kind, t.Unix()).Scan(&n, &newestS, &oldestS)
	return n, fromUnix(newestS), fromUnix(oldestS), err
}
