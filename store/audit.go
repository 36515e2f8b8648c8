package store

import (
	"context"
	"encoding/json"
	"strings"
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
	Before   string    `json:"-"` // JSON
	After    string    `json:"-"` // JSON
}

// MarshalJSON writes Before and After as the JSON they hold, objects as
// webhooks send them, not as strings of JSON.
func (e AuditEntry) MarshalJSON() ([]byte, error) {
	type plain AuditEntry // without this method
	raw := func(s string) json.RawMessage {
		if s == "" || !json.Valid([]byte(s)) {
			return nil
		}
		return json.RawMessage(s)
	}
	return json.Marshal(struct {
		plain
		Before json.RawMessage `json:"before,omitempty"`
		After  json.RawMessage `json:"after,omitempty"`
	}{plain(e), raw(e.Before), raw(e.After)})
}

// InsertAudit records entries, in one statement for all, and sets their IDs.
func (q *Q) InsertAudit(ctx context.Context, es ...*AuditEntry) error {
	vals := make([]any, 0, 9*len(es))
	for _, e := range es {
		vals = append(vals, e.At.Unix(), e.ActorID, e.Actor, e.Channel, e.Action, e.TargetID, e.Target, e.Before, e.After)
	}
	ids, err := q.insertIDs(ctx, `INSERT INTO audit (at, actor_id, actor_email, channel, action, target_id,
		target_email, before, after) VALUES `, "(?, nullif(?, 0), ?, ?, ?, nullif(?, 0), ?, ?, ?)", vals)
	if err != nil {
		return err
	}
	for i, e := range es {
		e.ID = ids[i]
	}
	return nil
}

// AuditQuery selects audit entries, newest first, by key (Before an ID).
type AuditQuery struct {
	Target string // email, "" for all
	Before int64
	Limit  int
	AuditFilter
}

// AuditFilter narrows an audit listing; its zero value lets every entry through.
type AuditFilter struct {
	// Search is a part of the actor's or the target's address, or the start
	// of a word of their name (as the user search folds it).
	Search string
	// Action is an action (user.delete) or its area (user: every user.*).
	Action string
	Since  time.Time // at or after; zero: from the first entry
	Until  time.Time // before; zero: to the last
}

// Audit lists entries newest first.
func (q *Q) Audit(ctx context.Context, aq AuditQuery) ([]AuditEntry, error) {
	if aq.Limit <= 0 {
		aq.Limit = 100
	}
	query, args := auditQuery(aq)
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

// auditQuery is Audit's query and its arguments.
func auditQuery(aq AuditQuery) (string, []any) {
	const cols = `SELECT id, at, coalesce(actor_id, 0), actor_email, channel, action, coalesce(target_id, 0), target_email,
		before, after FROM audit WHERE TRUE`
	walk := func(cond string, args ...any) (string, []any) {
		query := cols + cond
		if aq.Before != 0 { // not "? = 0 OR id < ?", which would read from the newest every time
			query += " AND id < ?"
			args = append(args, aq.Before)
		}
		query, args = aq.AuditFilter.where(query, args)
		return query + " ORDER BY id DESC LIMIT ?", append(args, aq.Limit)
	}
	if aq.Target == "" {
		return walk("")
	}
	// Two walks, one per index, merged: with an OR of the two columns the
	// planner reads every entry. The second leaves out what the first
	// finds, the entries in which the user acted on themselves.
	byTarget, targs := walk(" AND target_email = ? COLLATE NOCASE", aq.Target)
	byActor, aargs := walk(" AND actor_email = ? COLLATE NOCASE AND target_email != ? COLLATE NOCASE", aq.Target, aq.Target)
	return "SELECT * FROM (" + byTarget + ") AS t UNION ALL SELECT * FROM (" + byActor + ") AS a ORDER BY id DESC LIMIT ?",
		append(append(targs, aargs...), aq.Limit)
}

// where adds f's conditions to an audit query and its arguments.
func (f AuditFilter) where(query string, args []any) (string, []any) {
	if s := strings.TrimSpace(f.Search); s != "" {
		like := "%" + likeEscape(s) + "%"
		prefix := Fold(s)
		named := "(SELECT user_id FROM search_keys WHERE key >= ? AND key < ?)"
		query += ` AND (actor_email LIKE ? ESCAPE '\' OR target_email LIKE ? ESCAPE '\' OR actor_id IN ` + named +
			" OR target_id IN " + named + ")"
		args = append(args, like, like, prefix, prefix+"\U0010FFFF", prefix, prefix+"\U0010FFFF")
	}
	if a := strings.TrimSpace(f.Action); a != "" {
		query += ` AND (action = ? OR action LIKE ? ESCAPE '\')`
		args = append(args, a, likeEscape(a)+".%")
	}
	if !f.Since.IsZero() {
		query += " AND at >= ?"
		args = append(args, f.Since.Unix())
	}
	if !f.Until.IsZero() {
		query += " AND at < ?"
		args = append(args, f.Until.Unix())
	}
	return query, args
}

// likeEscape makes s match itself in a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
