package store

import (
	"context"
	"strings"
	"time"
)

// SCIMIDs are what an identity provider knows a user by: its own ID for
// them (externalId) and the userName it gave them, each "" when it gave
// none.
type SCIMIDs struct {
	ExternalID, UserName string
}

// SetExternalID records the identity provider's ID of a user; empty removes
// it. ErrDuplicate when another user has it.
func (q *Q) SetExternalID(ctx context.Context, userID int64, externalID string) error {
	if externalID == "" {
		return q.clearSCIMID(ctx, userID, "external_id = NULL")
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO scim_ids (user_id, external_id) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id`, userID, externalID)
	return mapErr(err)
}

// SetSCIMUserName records the userName the identity provider gave a user,
// unique whatever its case (its EmailKey); empty removes it. ErrDuplicate
// when another user has it.
func (q *Q) SetSCIMUserName(ctx context.Context, userID int64, userName string) error {
	if userName == "" {
		return q.clearSCIMID(ctx, userID, "user_name = NULL, user_name_key = NULL")
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO scim_ids (user_id, user_name, user_name_key) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET user_name = excluded.user_name, user_name_key = excluded.user_name_key`,
		userID, userName, EmailKey(userName))
	return mapErr(err)
}

// clearSCIMID removes one of a user's identifiers (set, the columns made
// NULL), and their row once it holds none.
func (q *Q) clearSCIMID(ctx context.Context, userID int64, set string) error {
	if _, err := q.db.ExecContext(ctx, "UPDATE scim_ids SET "+set+" WHERE user_id = ?", userID); err != nil {
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, "DELETE FROM scim_ids WHERE user_id = ? AND external_id IS NULL AND user_name IS NULL", userID)
	return mapErr(err)
}

// UserIDByExternalID finds the user the identity provider knows by
// externalID; ErrNotFound if none.
func (q *Q) UserIDByExternalID(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT user_id FROM scim_ids WHERE external_id = ?`, externalID).Scan(&id)
	return id, mapErr(err)
}

// UserIDBySCIMUserName finds the user the identity provider gave userName,
// whatever its case; ErrNotFound if none.
func (q *Q) UserIDBySCIMUserName(ctx context.Context, userName string) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT user_id FROM scim_ids WHERE user_name_key = ?`, EmailKey(userName)).Scan(&id)
	return id, mapErr(err)
}

// ExternalIDs reads the identity provider's IDs of users, by user ID.
func (q *Q) ExternalIDs(ctx context.Context, userIDs ...int64) (map[int64]string, error) {
	ids, err := q.SCIMIDsOf(ctx, userIDs...)
	out := map[int64]string{}
	for id, s := range ids {
		if s.ExternalID != "" {
			out[id] = s.ExternalID
		}
	}
	return out, err
}

// SCIMIDsOf reads what the identity provider knows users by, by user ID;
// a user it knows by nothing is not in it.
func (q *Q) SCIMIDsOf(ctx context.Context, userIDs ...int64) (map[int64]SCIMIDs, error) {
	out := map[int64]SCIMIDs{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := q.db.QueryContext(ctx, `SELECT user_id, coalesce(external_id, ''), coalesce(user_name, '') FROM scim_ids
		WHERE user_id IN (?`+strings.Repeat(", ?", len(userIDs)-1)+`)`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s SCIMIDs
		if err := rows.Scan(&id, &s.ExternalID, &s.UserName); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

// TouchUser makes a new version of u, if it is still at expectVersion,
// without changing its columns: what is kept of a user beside their row
// (what an identity provider knows them by) changed, and a client holding
// the old version (SCIM's ETag) holds a stale one.
func (q *Q) TouchUser(ctx context.Context, u *User, expectVersion int64) error {
	res, err := q.db.ExecContext(ctx, "UPDATE users SET updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ? AND version = ?",
		unix(u.UpdatedAt), u.UpdatedBy, u.ID, expectVersion)
	return bumped(res, err, u, expectVersion)
}

// TeamMemberIDs lists the IDs of a team's members, in order.
func (q *Q) TeamMemberIDs(ctx context.Context, teamID int64) ([]int64, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT user_id FROM user_teams WHERE team_id = ? ORDER BY user_id", teamID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
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
