package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Conversation is a piece of work a user owns in the product.
type Conversation struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Assignee  string    `json:"assignee"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// AutoReply is an automated reply a user owns.
type AutoReply struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Owner   string `json:"owner"`
	Enabled bool   `json:"enabled"` // off: switched off, and sends nothing
}

// Selection picks some of a user's rows by ID: those in IDs or, with All,
// every one but those in IDs. "Select all" on a screen is All with the rows
// unticked since, so that acting on thousands of rows never lists them.
type Selection struct {
	All bool    `json:"all"`
	IDs []int64 `json:"ids,omitempty"`
}

// MaxSelected bounds the IDs a Selection lists: they are one statement's
// parameters, and SQLite allows 32,766.
const MaxSelected = 10000

// ParseSelection reads "all" or a list of IDs ("12,15"); "" is none.
func ParseSelection(v string) (Selection, error) {
	var s Selection
	switch v = strings.TrimSpace(v); v {
	case "":
		return s, nil
	case "all":
		return Selection{All: true}, nil
	}
	for f := range strings.SplitSeq(v, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || id <= 0 {
			return Selection{}, fmt.Errorf("%q is not all or a list of IDs such as 12,15", v)
		}
		s.IDs = append(s.IDs, id)
	}
	return s, nil
}

// Empty reports whether s picks nothing.
func (s Selection) Empty() bool { return !s.All && len(s.IDs) == 0 }

// Has reports whether s picks id.
func (s Selection) Has(id int64) bool { return s.All != slices.Contains(s.IDs, id) }

// where is s as a condition on col, with its parameters.
func (s Selection) where(col string) (string, []any) {
	if len(s.IDs) == 0 {
		if s.All {
			return "1 = 1", nil
		}
		return "1 = 0", nil
	}
	args := make([]any, len(s.IDs))
	for i, id := range s.IDs {
		args[i] = id
	}
	if s.All {
		return col + " NOT IN (" + placeholders(len(args)) + ")", args
	}
	return col + " IN (" + placeholders(len(args)) + ")", args
}

// InsertConversation adds an open conversation assigned to assignee.
func (q *Q) InsertConversation(ctx context.Context, subject string, assignee int64, at time.Time) (int64, error) {
	return q.insertID(ctx, "INSERT INTO conversations (subject, assignee_id, created_at) VALUES (?, ?, ?)",
		subject, assignee, at.Unix())
}

// InsertAutoReply adds an automated reply owned by owner.
func (q *Q) InsertAutoReply(ctx context.Context, name string, owner int64) (int64, error) {
	return q.insertID(ctx, "INSERT INTO auto_replies (name, owner_id) VALUES (?, ?)", name, owner)
}

// Conversations lists conversations, of one assignee when assignee is not 0.
func (q *Q) Conversations(ctx context.Context, assignee int64) ([]Conversation, error) {
	query := `SELECT c.id, c.subject, coalesce(u.email, ''), c.status, c.created_at
		FROM conversations c LEFT JOIN users u ON u.id = c.assignee_id`
	var args []any
	if assignee != 0 { // a separate WHERE, not "? = 0 OR …", so that the index serves it
		query += " WHERE c.assignee_id = ?"
		args = append(args, assignee)
	}
	return scanConversations(q.db.QueryContext(ctx, query+" ORDER BY c.id", args...))
}

// OpenConversations lists a page of the assignee's open conversations, at
// most limit of them after the one with ID after, in ID order (keyset
// paging on conversations_assignee, however many they own).
func (q *Q) OpenConversations(ctx context.Context, assignee, after int64, limit int) ([]Conversation, error) {
	return scanConversations(q.db.QueryContext(ctx, `SELECT c.id, c.subject, u.email, c.status, c.created_at
		FROM conversations c JOIN users u ON u.id = c.assignee_id
		WHERE c.assignee_id = ? AND c.status = 'open' AND c.id > ? ORDER BY c.id LIMIT ?`, assignee, after, limit))
}

// scanConversations reads rows of (id, subject, assignee's email, status,
// created_at), the columns both listings select.
func scanConversations(rows *sql.Rows, err error) ([]Conversation, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		var c Conversation
		var at int64
		if err := rows.Scan(&c.ID, &c.Subject, &c.Assignee, &c.Status, &at); err != nil {
			return nil, err
		}
		c.CreatedAt = fromUnix(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountConversations counts the assignee's conversations of a status
// ("open" or "closed") that sel picks, with the sum of their IDs: together a
// fingerprint of the set, which changes when one is added, closed or moved.
func (q *Q) CountConversations(ctx context.Context, assignee int64, status string, sel Selection) (n, idSum int64, err error) {
	cond, args := sel.where("id")
	err = q.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(id), 0) FROM conversations
		WHERE assignee_id = ? AND status = ? AND `+cond, append([]any{assignee, status}, args...)...).Scan(&n, &idSum)
	return n, idSum, err
}

// CloseConversations closes the assignee's open conversations that sel
// picks and says how many.
func (q *Q) CloseConversations(ctx context.Context, assignee int64, sel Selection) (int64, error) {
	cond, args := sel.where("id")
	res, err := q.db.ExecContext(ctx, `UPDATE conversations SET status = 'closed'
		WHERE assignee_id = ? AND status = 'open' AND `+cond, append([]any{assignee}, args...)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SwitchOffAutoReplies switches off the owner's automated replies that sel picks.
func (q *Q) SwitchOffAutoReplies(ctx context.Context, owner int64, sel Selection) error {
	cond, args := sel.where("id")
	_, err := q.db.ExecContext(ctx, `UPDATE auto_replies SET enabled = ? WHERE owner_id = ? AND `+cond,
		append([]any{false, owner}, args...)...)
	return err
}

// AutoReplies lists the automated replies a user owns.
func (q *Q) AutoReplies(ctx context.Context, owner int64) ([]AutoReply, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT a.id, a.name, u.email, a.enabled FROM auto_replies a JOIN users u ON u.id = a.owner_id
		WHERE a.owner_id = ? ORDER BY a.id`, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AutoReply{}
	for rows.Next() {
		var a AutoReply
		if err := rows.Scan(&a.ID, &a.Name, &a.Owner, &a.Enabled); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// TransferOwned moves every conversation and automated reply of from to heir
// and reports how many of each moved. With no heir (0) they are left with
// nobody: the caller has made sure that only closed conversations and
// switched-off replies are left.
func (q *Q) TransferOwned(ctx context.Context, from, heir int64) (convs, replies int64, err error) {
	res, err := q.db.ExecContext(ctx, "UPDATE conversations SET assignee_id = nullif(?, 0) WHERE assignee_id = ?", heir, from)
	if err != nil {
		return 0, 0, err
	}
	convs, _ = res.RowsAffected()
	res, err = q.db.ExecContext(ctx, "UPDATE auto_replies SET owner_id = nullif(?, 0) WHERE owner_id = ?", heir, from)
	if err != nil {
		return 0, 0, err
	}
	replies, _ = res.RowsAffected()
	return convs, replies, nil
}
