package store

import (
	"context"
	"time"
)

// AwayPeriod is a time a user is away, with who takes their new work.
// A zero End means until further notice.
type AwayPeriod struct {
	ID            int64     `json:"id"`
	UserID        int64     `json:"user_id"`
	Email         string    `json:"email"` // who is away
	Start         time.Time `json:"start"`
	End           time.Time `json:"end,omitzero"`
	StandInUserID int64     `json:"standin_user_id,omitempty"`
	StandInTeamID int64     `json:"standin_team_id,omitempty"`
	// StandInBranchID narrows a team stand-in to its members of one branch.
	StandInBranchID int64     `json:"standin_branch_id,omitempty"`
	StandIn         string    `json:"standin"` // email, "team:NAME" or "team:NAME@BRANCH"
	Note            string    `json:"note"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"created_by"`
}

// Covers reports whether t lies inside the period.
func (p *AwayPeriod) Covers(t time.Time) bool {
	return !t.Before(p.Start) && (p.End.IsZero() || t.Before(p.End))
}

// InsertAway stores a period and sets its ID.
func (q *Q) InsertAway(ctx context.Context, p *AwayPeriod) error {
	var err error
	p.ID, err = q.insertOne(ctx, "away_periods", `user_id, starts_at, ends_at, standin_user_id,
		standin_team_id, standin_branch_id, note, created_at, created_by`,
		"(?, ?, ?, nullif(?, 0), nullif(?, 0), nullif(?, 0), ?, ?, ?)",
		p.UserID, unix(p.Start), unix(p.End), p.StandInUserID, p.StandInTeamID, p.StandInBranchID, p.Note, unix(p.CreatedAt), p.CreatedBy)
	return err
}

// UpdateAwayEnd changes when a period ends.
func (q *Q) UpdateAwayEnd(ctx context.Context, id int64, end time.Time) error {
	_, err := q.db.ExecContext(ctx, "UPDATE away_periods SET ends_at = ? WHERE id = ?", unix(end), id)
	return err
}

// DeleteAway removes a period.
func (q *Q) DeleteAway(ctx context.Context, id int64) error {
	_, err := q.db.ExecContext(ctx, "DELETE FROM away_periods WHERE id = ?", id)
	return err
}

// AwayPeriods lists the user's periods that have not ended by now, soonest first
// (all of them, past ones too, when now is zero).
func (q *Q) AwayPeriods(ctx context.Context, userID int64, now time.Time) ([]AwayPeriod, error) {
	return q.awayPeriods(ctx, "a.user_id = ?1", userID, now)
}

// StandInPeriods lists the periods, current and planned, in which the user
// stands in for someone, soonest first.
func (q *Q) StandInPeriods(ctx context.Context, standInID int64, now time.Time) ([]AwayPeriod, error) {
	return q.awayPeriods(ctx, "a.standin_user_id = ?1", standInID, now)
}

// awaySelect reads periods with the away person's address and the stand-in's.
const awaySelect = `SELECT a.id, a.user_id, u.email, a.starts_at, a.ends_at, coalesce(a.standin_user_id, 0),
	coalesce(a.standin_team_id, 0), coalesce(a.standin_branch_id, 0),
	coalesce(su.email, CASE WHEN st.name IS NULL THEN '' ELSE 'team:' || st.name || coalesce('@' || sb.name, '') END),
	a.note, a.created_at, a.created_by
	FROM away_periods a JOIN users u ON u.id = a.user_id
	LEFT JOIN users su ON su.id = a.standin_user_id LEFT JOIN teams st ON st.id = a.standin_team_id
	LEFT JOIN branches sb ON sb.id = a.standin_branch_id`

// awayPeriods lists the periods matching where (on ?1 = id) that have not
// ended by now (all of them when now is zero).
func (q *Q) awayPeriods(ctx context.Context, where string, id int64, now time.Time) ([]AwayPeriod, error) {
	return q.scanAway(ctx, awaySelect+` WHERE `+where+` AND (?2 = 0 OR a.ends_at = 0 OR a.ends_at > ?2) ORDER BY a.starts_at, a.id`, id, unix(now))
}

func (q *Q) scanAway(ctx context.Context, query string, args ...any) ([]AwayPeriod, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AwayPeriod{}
	for rows.Next() {
		var p AwayPeriod
		var start, end, created int64
		if err := rows.Scan(&p.ID, &p.UserID, &p.Email, &start, &end, &p.StandInUserID, &p.StandInTeamID, &p.StandInBranchID, &p.StandIn,
			&p.Note, &created, &p.CreatedBy); err != nil {
			return nil, err
		}
		p.Start, p.End, p.CreatedAt = fromUnix(start), fromUnix(end), fromUnix(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// AwayAfter is where a page of AwayBetween starts: after the period that
// starts at Start with ID (zero: from the first).
type AwayAfter struct {
	Start time.Time
	ID    int64
}

// AwayBetween lists everyone's periods that overlap [from, until), by start,
// a page of at most limit after the given one. It reads the periods not
// ended by from in start order through away_starts, a page stopping after
// its rows.
func (q *Q) AwayBetween(ctx context.Context, from, until time.Time, after AwayAfter, limit int) ([]AwayPeriod, error) {
	query, args := awayBetween(from, until, after, limit)
	return q.scanAway(ctx, query, args...)
}

func awayBetween(from, until time.Time, after AwayAfter, limit int) (string, []any) {
	return awaySelect + ` WHERE (a.ends_at = 0 OR a.ends_at > ?) AND a.starts_at < ?
		AND (a.starts_at, a.id) > (?, ?)
		ORDER BY a.starts_at, a.id LIMIT ?`, []any{unix(from), unix(until), unix(after.Start), after.ID, limit}
}

// PastAwayPeriods lists the user's periods that ended by now, newest first,
// at most limit of them.
func (q *Q) PastAwayPeriods(ctx context.Context, userID int64, now time.Time, limit int) ([]AwayPeriod, error) {
	return q.scanAway(ctx, awaySelect+` WHERE a.user_id = ? AND a.ends_at <> 0 AND a.ends_at <= ?
		ORDER BY a.starts_at DESC, a.id DESC LIMIT ?`, userID, unix(now), limit)
}

// AwayStartedBetween lists periods that started in (from, to], for notices.
func (q *Q) AwayStartedBetween(ctx context.Context, from, to time.Time) ([]AwayPeriod, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, user_id FROM away_periods WHERE starts_at > ? AND starts_at <= ?`, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	var ids [][2]int64
	for rows.Next() {
		var id, uid int64
		if err := rows.Scan(&id, &uid); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, [2]int64{id, uid})
	}
	rows.Close()
	var out []AwayPeriod
	for _, p := range ids {
		ps, err := q.AwayPeriods(ctx, p[1], time.Time{})
		if err != nil {
			return nil, err
		}
		for _, ap := range ps {
			if ap.ID == p[0] {
				out = append(out, ap)
			}
		}
	}
	return out, nil
}

// SetAwayStandIn makes the user the stand-in of a period.
func (q *Q) SetAwayStandIn(ctx context.Context, id, standInID int64) error {
	_, err := q.db.ExecContext(ctx, "UPDATE away_periods SET standin_user_id = ?, standin_team_id = NULL, standin_branch_id = NULL WHERE id = ?", standInID, id)
	return err
}

// TeamMembersByLoad calls each with the ids of the team's active users,
// those of branchID alone unless it is 0, fewest open conversations first
// and then by id, until each says to stop. Routing wants the first member
// who is not away, and on a team of thousands most have no open
// conversation: those are read first, a few at a time in id order (a read
// that stops early), and only then the others, sorted by their load.
func (q *Q) TeamMembersByLoad(ctx context.Context, teamID, branchID int64, each func(id int64) (stop bool, err error)) error {
	const members = `SELECT u.id FROM user_teams ut JOIN users u ON u.id = ut.user_id
		WHERE ut.team_id = ?1 AND u.status = 'active'
		AND (?2 = 0 OR EXISTS (SELECT 1 FROM user_branches ub WHERE ub.user_id = u.id AND ub.branch_id = ?2))`
	const open = `SELECT 1 FROM conversations c WHERE c.assignee_id = u.id AND c.status = 'open'`
	// Each batch is read whole before each sees it: one connection (a
	// PostgreSQL transaction) runs one query at a time.
	const batch = 64
	for after := int64(0); ; {
		idle, err := q.ids(ctx, members+" AND NOT EXISTS ("+open+") AND ut.user_id > ?3 ORDER BY ut.user_id LIMIT ?4", teamID, branchID, after, batch)
		if err != nil {
			return err
		}
		for _, id := range idle {
			if stop, err := each(id); stop || err != nil {
				return err
			}
		}
		if len(idle) < batch {
			break
		}
		after = idle[len(idle)-1]
	}
	busy, err := q.ids(ctx, members+" AND EXISTS ("+open+") ORDER BY (SELECT count(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status = 'open'), u.id",
		teamID, branchID)
	if err != nil {
		return err
	}
	for _, id := range busy {
		if stop, err := each(id); stop || err != nil {
			return err
		}
	}
	return nil
}
