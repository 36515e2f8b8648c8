package store

import (
	"context"
	"strings"
	"time"
)

// NotifyPrefs reads the channels the user chose per event, where they
// chose: an event absent from the map takes the catalogue's default. An
// empty set is an event turned off.
func (q *Q) NotifyPrefs(ctx context.Context, userID int64) (map[string][]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT event, channels FROM notify_prefs WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var event, channels string
		if err := rows.Scan(&event, &channels); err != nil {
			return nil, err
		}
		out[event] = splitChannels(channels)
	}
	return out, rows.Err()
}

func splitChannels(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// SetNotifyPref records the user's channels for event (empty: off).
func (q *Q) SetNotifyPref(ctx context.Context, userID int64, event string, channels []string) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, event, channels) VALUES (?, ?, ?)
		ON CONFLICT (user_id, event) DO UPDATE SET channels = excluded.channels`, userID, event, strings.Join(channels, ","))
	return mapErr(err)
}

// ClearNotifyPref drops the user's choice for event: it takes the
// catalogue's default again.
func (q *Q) ClearNotifyPref(ctx context.Context, userID int64, event string) error {
	_, err := q.db.ExecContext(ctx, `DELETE FROM notify_prefs WHERE user_id = ? AND event = ?`, userID, event)
	return mapErr(err)
}

// NoticesThrough is the instant up to which the notices that time alone
// sets off are written.
func (q *Q) NoticesThrough(ctx context.Context) (time.Time, error) {
	var t int64
	err := q.db.QueryRowContext(ctx, `SELECT notices_through FROM account WHERE id = 1`).Scan(&t)
	return fromUnix(t), mapErr(err)
}

// SetNoticesThrough records that those notices are written up to t.
func (q *Q) SetNoticesThrough(ctx context.Context, t time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE account SET notices_through = ? WHERE id = 1`, unix(t))
	return mapErr(err)
}

// DigestThrough is the instant of the last daily digest due.
func (q *Q) DigestThrough(ctx context.Context) (time.Time, error) {
	var t int64
	err := q.db.QueryRowContext(ctx, `SELECT digest_through FROM account WHERE id = 1`).Scan(&t)
	return fromUnix(t), mapErr(err)
}

// SetDigestThrough records that the digests are written up to t.
func (q *Q) SetDigestThrough(ctx context.Context, t time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE account SET digest_through = ? WHERE id = 1`, unix(t))
	return mapErr(err)
}

// ActiveHolders lists the IDs of the active users holding perm.
func (q *Q) ActiveHolders(ctx context.Context, perm string) ([]int64, error) {
	return q.ids(ctx, `SELECT u.id FROM users u JOIN user_perms p ON p.user_id = u.id
		WHERE p.perm = ? AND u.status = 'active' ORDER BY u.id`, perm)
}

// ids runs a query of one id column and returns its rows.
func (q *Q) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
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

// Due is a user with an instant that calls for a notice: a link's
// expiry, the end of an away period.
type Due struct {
	UserID int64
	At     time.Time
}

// RemindersDue lists the pending invitations whose reminder instant (the
// expiry of their newest link less before) falls in (after, now], whose
// link has not expired, and whose link was made before that instant: a
// link made with less than before to run is not worth a reminder. A link
// made by notMadeBy (the link a reminder itself sent) gets none either, so
// that an invitation is reminded once. It reads pending_invitations by its
// expiry index, and the newest link's maker by tokens_user.
func (q *Q) RemindersDue(ctx context.Context, after, now time.Time, before time.Duration, notMadeBy string) ([]Due, error) {
	b := int64(before / time.Second)
	return q.dues(ctx, `SELECT p.user_id, p.expires_at FROM pending_invitations p
		WHERE p.expires_at > ? AND p.expires_at > ? AND p.expires_at <= ? AND p.expires_at - ? > p.sent_at
		AND (SELECT t.created_by FROM tokens t WHERE t.user_id = p.user_id AND t.kind = 'invite'
			ORDER BY t.id DESC LIMIT 1) != ?
		ORDER BY p.expires_at, p.user_id`, unix(after)+b, unix(now), unix(now)+b, b, notMadeBy)
}

// ExpiredDue lists the pending invitations whose newest link expired in
// (after, now].
func (q *Q) ExpiredDue(ctx context.Context, after, now time.Time) ([]Due, error) {
	return q.dues(ctx, `SELECT user_id, expires_at FROM pending_invitations
		WHERE expires_at > ? AND expires_at <= ? ORDER BY expires_at, user_id`, unix(after), unix(now))
}

// AwayEndingDue lists the away periods ending in (after+before,
// now+before] whose person is already away before then: a period shorter
// than before is not worth a notice that it ends.
func (q *Q) AwayEndingDue(ctx context.Context, after, now time.Time, before time.Duration) ([]Due, error) {
	b := int64(before / time.Second)
	return q.dues(ctx, `SELECT user_id, ends_at FROM away_periods
		WHERE ends_at > ? AND ends_at <= ? AND starts_at <= ends_at - ? ORDER BY ends_at, user_id`, unix(after)+b, unix(now)+b, b)
}

func (q *Q) dues(ctx context.Context, query string, args ...any) ([]Due, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		var at int64
		if err := rows.Scan(&d.UserID, &at); err != nil {
			return nil, err
		}
		d.At = fromUnix(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
