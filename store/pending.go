package store

import (
	"context"
	"slices"
	"time"
)

// The urgency classes of a pending invitation, most urgent first: its mail
// failed, it expired, its mail is deferred, the rest. Within a class,
// invitations come by expiry.
const (
	urgencyFailed = iota
	urgencyExpired
	urgencyDeferred
	urgencyRest
	urgencyClasses
)

// urgencySegments selects each class from pending_invitations p, in the order
// of an index on (expires_at, user_id); ?1 is the cursor's now.
var urgencySegments = [urgencyClasses]string{
	urgencyFailed:   "p.mail = 0",
	urgencyExpired:  "p.expires_at <= ?1 AND +p.mail != 0",
	urgencyDeferred: "p.mail = 1 AND p.expires_at > ?1",
	urgencyRest:     "p.mail = 2 AND p.expires_at > ?1",
}

// PendingCursor is a pending invitation's place in the urgency order. It
// carries the time the first page was read at: whether an invitation is
// expired is decided by that time on every page, so that one expiring while
// the pages are read is neither skipped nor shown twice.
type PendingCursor struct {
	Now       int64 `json:"now"`
	Class     int   `json:"class"`
	ExpiresAt int64 `json:"expires_at"`
	UserID    int64 `json:"user_id"`
}

// PendingQuery selects a page of pending invitations: all, or only the stuck
// ones (those an operator should resend: expired, or their mail failed or is
// deferred), after a cursor.
type PendingQuery struct {
	Stuck bool
	After *PendingCursor // nil: from the most urgent, as of Now
	Limit int
	Now   time.Time
}

// PendingPage is one page of pending invitations, most urgent first.
type PendingPage struct {
	Invitations []Invitation
	Next        *PendingCursor // where the next page starts; nil on the last page
}

// PendingInvitations reads one page of pending invitations by key, in urgency
// order: each class is one walk of an index on pending_invitations, which
// triggers keep in the transaction of every change (see 006_pending_counts.sql),
// so a page costs the same at any depth and for any number of invitations.
func (q *Q) PendingInvitations(ctx context.Context, pq PendingQuery) (*PendingPage, error) {
	if pq.Limit <= 0 {
		pq.Limit = 50
	}
	cur := PendingCursor{Now: pq.Now.Unix(), Class: urgencyFailed}
	if pq.After != nil {
		cur = *pq.After
	}
	last := urgencyRest
	if pq.Stuck {
		last = urgencyDeferred
	}
	page := &PendingPage{Invitations: []Invitation{}}
	var keys []PendingCursor // parallel to page.Invitations
	// One row more than the page says whether another page follows.
	for class := cur.Class; class <= last && len(keys) <= pq.Limit; class++ {
		where := urgencySegments[class]
		if class == cur.Class && pq.After != nil {
			where += " AND (p.expires_at, p.user_id) > (?2, ?3)"
		}
		// CROSS JOIN keeps pending_invitations the outer loop, read in
		// index order, so that the LIMIT stops the walk.
		rows, err := q.db.QueryContext(ctx, `SELECT p.user_id, u.email, u.first_name, u.last_name, coalesce(iu.email, ''),
			p.sent, p.sent_at, p.expires_at, p.mail_state, p.mail_error
		FROM pending_invitations p CROSS JOIN users u ON u.id = p.user_id
		LEFT JOIN users iu ON iu.id = u.invited_by
		WHERE `+where+` ORDER BY p.expires_at, p.user_id LIMIT ?4`,
			cur.Now, cur.ExpiresAt, cur.UserID, pq.Limit+1-len(keys))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var in Invitation
			var first, last string
			var created, expires int64
			if err := rows.Scan(&in.UserID, &in.Email, &first, &last, &in.InvitedBy, &in.TimesSent, &created, &expires,
				&in.MailState, &in.MailError); err != nil {
				rows.Close()
				return nil, err
			}
			u := User{Email: in.Email, FirstName: first, LastName: last}
			in.Name = u.Name()
			in.LastSentAt, in.ExpiresAt = fromUnix(created), fromUnix(expires)
			in.Expired = expires <= cur.Now
			in.Stuck = class < urgencyRest
			page.Invitations = append(page.Invitations, in)
			keys = append(keys, PendingCursor{Now: cur.Now, Class: class, ExpiresAt: expires, UserID: in.UserID})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(keys) > pq.Limit {
		page.Invitations = page.Invitations[:pq.Limit]
		page.Next = &keys[pq.Limit-1]
	}
	return page, nil
}

// pendingDerived are the statements that compute again what the triggers of
// 006_pending_counts.sql keep (its migration's Go step).
var pendingDerived = []string{
	"DELETE FROM pending_invitations",
	"INSERT INTO pending_invitations SELECT * FROM pending_source",
	`UPDATE user_counts SET n = CASE name
		WHEN 'never-logged-in' THEN (SELECT count(*) FROM users WHERE last_login_at = 0 AND status IN ('invited', 'active'))
		ELSE (SELECT count(*) FROM users WHERE status = user_counts.name) END`,
}

// rebuildPending computes what 006's triggers keep, for a database filled
// without them.
func (q *Q) rebuildPending(ctx context.Context) error { return q.exec(ctx, pendingDerived) }

// userRowsDerived computes again the columns of a user's row that
// 009_user_rows.sql's triggers keep (its migration's Go step).
var userRowsDerived = []string{`UPDATE users SET (teams, invite_expires_at, away_spans) =
	(SELECT s.teams, s.invite_expires_at, s.away_spans FROM user_row_source s WHERE s.user_id = users.id)`}

// rebuildUserRows computes what 009's triggers keep, for a database filled
// without them.
func (q *Q) rebuildUserRows(ctx context.Context) error { return q.exec(ctx, userRowsDerived) }

// rebuildDerived computes again what every trigger-kept table holds (006's,
// 008_team_members.sql's counts, 009's user rows and 020's branches), for a database filled
// without the triggers: the seed.
func (q *Q) rebuildDerived(ctx context.Context) error {
	stmts := append(slices.Clone(pendingDerived), "UPDATE teams SET members = (SELECT count(*) FROM user_teams ut WHERE ut.team_id = teams.id)",
		"UPDATE branches SET members = (SELECT count(*) FROM user_branches ub WHERE ub.branch_id = branches.id)",
		"UPDATE users SET branches = (SELECT s.branches FROM user_row_source s WHERE s.user_id = users.id)")
	return q.exec(ctx, append(stmts, userRowsDerived...))
}

func (q *Q) exec(ctx context.Context, stmts []string) error {
	for _, stmt := range stmts {
		if _, err := q.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
