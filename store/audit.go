package store

import (
	"context"
	"time"
)

// AuditEntry is one recorded change. Entries are never updated or deleted
// (triggers refuse it), and name people by email so that they stay readable
// after the user is deleted.
type AuditEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"-"`
	Actor    string    `json:"actor"`
	Channel  string    `json:"channel"`
	Action   string    `json:"action"`
	TargetID int64     `json:"-"`
	Target   string    `json:"target"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
}

// InsertAudit records e.
func (q *Q) InsertAudit(ctx context.Context, e *AuditEntry) error {
	res, err := q.db.ExecContext(ctx, `INSERT INTO audit (at, actor_id, actor_email, channel, action, target_id,
		target_email, before, after) VALUES (?, nullif(?, 0), ?, ?, ?, nullif(?, 0), ?, ?, ?)`,
		e.At.Unix(), e.ActorID, e.Actor, e.Channel, e.Action, e.TargetID, e.Target, e.Before, e.After)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
	return err
}

// AuditQuery selects audit entries, newest first, by key (Before an ID).
type AuditQuery struct {
	Target string // email, "" for all
	Before int64
	Limit  int
}

// Audit lists entries newest first.
func (q *Q) Audit(ctx context.Context, aq AuditQuery) ([]AuditEntry, error) {
	if aq.Limit <= 0 {
		aq.Limit = 100
	}
	query := `SELECT id, at, coalesce(actor_id, 0), actor_email, channel, action, coalesce(target_id, 0), target_email,
		before, after FROM audit WHERE 1`
	var args []any
	if aq.Before != 0 { // not "? = 0 OR id < ?", which would read from the newest every time
		query += " AND id < ?"
		args = append(args, aq.Before)
	}
	if aq.Target != "" {
		query += " AND (target_email = ? COLLATE NOCASE OR actor_email = ? COLLATE NOCASE)"
		args = append(args, aq.Target, aq.Target)
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, aq.Limit)
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Channel, &e.Action, &e.TargetID, &e.Target,
			&e.Before, &e.After); err != nil {
			return nil, err
		}
		e.At = fromUnix(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
