package store

import (
	"context"
	"time"
)

// APIKey is a key an automation acts as its user with (migration 015).
type APIKey struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"-"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	Hash       string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
}

// InsertAPIKey stores a key and sets its ID.
func (q *Q) InsertAPIKey(ctx context.Context, k *APIKey) error {
	var err error
	k.ID, err = q.insertOne(ctx, "api_keys", "user_id, name, prefix, hash, created_at, expires_at", "(?, ?, ?, ?, ?, ?)",
		k.UserID, k.Name, k.Prefix, k.Hash, unix(k.CreatedAt), unix(k.ExpiresAt))
	return err
}

const apiKeyCols = `k.id, k.user_id, u.email, k.name, k.prefix, k.hash, k.created_at, k.last_used_at, k.expires_at`

func scanAPIKey(r scanner) (*APIKey, error) {
	var k APIKey
	var created, used, expires int64
	if err := r.Scan(&k.ID, &k.UserID, &k.Email, &k.Name, &k.Prefix, &k.Hash, &created, &used, &expires); err != nil {
		return nil, mapErr(err)
	}
	k.CreatedAt, k.LastUsedAt, k.ExpiresAt = fromUnix(created), fromUnix(used), fromUnix(expires)
	return &k, nil
}

// APIKeys lists the keys of one user, oldest first.
func (q *Q) APIKeys(ctx context.Context, userID int64) ([]APIKey, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.user_id = ? ORDER BY k.id`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

// APIKeyByID finds a key; ErrNotFound if none.
func (q *Q) APIKeyByID(ctx context.Context, id int64) (*APIKey, error) {
	return scanAPIKey(q.db.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = ?`, id))
}

// APIKeyByHash finds the key whose secret hashes to hash; ErrNotFound if none.
func (q *Q) APIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	return scanAPIKey(q.db.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.hash = ?`, hash))
}

// ReplaceAPIKeySecret gives a key a new secret: the old one stops working
// when the transaction commits.
func (q *Q) ReplaceAPIKeySecret(ctx context.Context, id int64, prefix, hash string) error {
	_, err := q.db.ExecContext(ctx, `UPDATE api_keys SET prefix = ?, hash = ?, last_used_at = 0 WHERE id = ?`, prefix, hash, id)
	return mapErr(err)
}

// DeleteAPIKey deletes a key.
func (q *Q) DeleteAPIKey(ctx context.Context, id int64) error {
	_, err := q.db.ExecContext(ctx, `DELETE FROM api_keys WHERE id = ?`, id)
	return mapErr(err)
}

// TouchAPIKey records that a key was used at t.
func (q *Q) TouchAPIKey(ctx context.Context, id int64, t time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, unix(t), id)
	return mapErr(err)
}
