package store

import (
	"context"
	"time"
)

// SSHKey is a public key that identifies its user to roster serve.
type SSHKey struct {
	ID          int64     `json:"id"`
	UserID      int64     `json:"-"`
	Email       string    `json:"email"`
	Fingerprint string    `json:"fingerprint"`
	PublicKey   string    `json:"public_key"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// InsertKey stores a key; ErrDuplicate if the key already belongs to someone.
func (q *Q) InsertKey(ctx context.Context, k *SSHKey) error {
	var err error
	k.ID, err = q.insertOne(ctx, "ssh_keys", "user_id, fingerprint, public_key, comment, created_at, created_by",
		"(?, ?, ?, ?, ?, ?)", k.UserID, k.Fingerprint, k.PublicKey, k.Comment, unix(k.CreatedAt), k.CreatedBy)
	return err
}

// Keys lists the keys of one user, or of everyone when userID is 0.
func (q *Q) Keys(ctx context.Context, userID int64) ([]SSHKey, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT k.id, k.user_id, u.email, k.fingerprint, k.public_key, k.comment,
		k.created_at, k.created_by FROM ssh_keys k JOIN users u ON u.id = k.user_id
		WHERE ?1 = 0 OR k.user_id = ?1 ORDER BY u.email, k.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SSHKey{}
	for rows.Next() {
		var k SSHKey
		var created int64
		if err := rows.Scan(&k.ID, &k.UserID, &k.Email, &k.Fingerprint, &k.PublicKey, &k.Comment, &created, &k.CreatedBy); err != nil {
			return nil, err
		}
		k.CreatedAt = fromUnix(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

// KeyByFingerprint finds a key; ErrNotFound if none.
func (q *Q) KeyByFingerprint(ctx context.Context, fp string) (*SSHKey, error) {
	var k SSHKey
	var created int64
	err := q.db.QueryRowContext(ctx, `SELECT k.id, k.user_id, u.email, k.fingerprint, k.public_key, k.comment,
		k.created_at, k.created_by FROM ssh_keys k JOIN users u ON u.id = k.user_id
		WHERE k.fingerprint = ?`, fp).Scan(&k.ID, &k.UserID, &k.Email, &k.Fingerprint, &k.PublicKey, &k.Comment, &created, &k.CreatedBy)
	if err != nil {
		return nil, mapErr(err)
	}
	k.CreatedAt = fromUnix(created)
	return &k, nil
}

// DeleteKey removes a key; ErrNotFound if it does not exist.
func (q *Q) DeleteKey(ctx context.Context, id int64) error {
	res, err := q.db.ExecContext(ctx, "DELETE FROM ssh_keys WHERE id = ?", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}
