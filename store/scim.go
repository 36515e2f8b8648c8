package store

import (
	"context"
	"strings"
	"time"
)

// SetExternalID records the identity provider's ID of a user; empty removes
// it. ErrDuplicate when another user has it.
func (q *Q) SetExternalID(ctx context.Context, userID int64, externalID string) error {
	if externalID == "" {
		_, err := q.db.ExecContext(ctx, `DELETE FROM scim_ids WHERE user_id = ?`, userID)
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO scim_ids (user_id, external_id) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id`, userID, externalID)
	return mapErr(err)
}

// UserIDByExternalID finds the user the identity provider knows by
// externalID; ErrNotFound if none.
func (q *Q) UserIDByExternalID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT user_id FROM scim_ids WHERE external_id = ?`, externalID).Scan(&id)
	return id, mapErr(err)
}

// ExternalIDs reads the identity provider's IDs of users, by user ID.
func (q *Q) ExternalIDs(ctx context.Context, userIDs ...int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := q.db.QueryContext(ctx, `SELECT user_id, external_id FROM scim_ids WHERE user_id IN (?`+strings.Repeat(", ?", len(userIDs)-1)+`)`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			return nil, err
		}
		out[id] = ext
	}
	return out, rows.Err()
}

// UsersInIDOrder reads up to limit users whose ID is above after, in ID
// order, past the first skip of them, without their tags: the pages of an
// identity provider's listing (SCIM), which says where a page starts by its
// index (startIndex) rather than by a key, and the chunks of one that
// filters on what no index holds. ID order is the order users were created
// in, so that a page stays where it was as users are added.
func (q *Q) UsersInIDOrder(ctx context.Context, after int64, skip, limit int, now time.Time) ([]*User, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT "+userCols+" FROM users u WHERE u.id > ?2 ORDER BY u.id LIMIT ?3 OFFSET ?4",
		now.Unix(), after, limit, skip)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountAllUsers counts the users, whatever their status.
func (q *Q) CountAllUsers(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, mapErr(err)
}
