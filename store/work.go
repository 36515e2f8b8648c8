package store

import (
	"context"
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
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Owner string `json:"owner"`
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
	rows, err := q.db.QueryContext(ctx, query+" ORDER BY c.id", args...)
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

// AutoReplies lists the automated replies a user owns.
func (q *Q) AutoReplies(ctx context.Context, owner int64) ([]AutoReply, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT a.id, a.name, u.email FROM auto_replies a JOIN users u ON u.id = a.owner_id
		WHERE a.owner_id = ? ORDER BY a.id`, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AutoReply{}
	for rows.Next() {
		var a AutoReply
		if err := rows.Scan(&a.ID, &a.Name, &a.Owner); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// TransferOwned moves every conversation and automated reply of from to heir
// and reports how many of each moved.
func (q *Q) TransferOwned(ctx context.Context, from, heir int64) (convs, replies int64, err error) {
	res, err := q.db.ExecContext(ctx, "UPDATE conversations SET assignee_id = ? WHERE assignee_id = ?", heir, from)
	if err != nil {
		return 0, 0, err
	}
	convs, _ = res.RowsAffected()
	res, err = q.db.ExecContext(ctx, "UPDATE auto_replies SET owner_id = ? WHERE owner_id = ?", heir, from)
	if err != nil {
		return 0, 0, err
	}
	replies, _ = res.RowsAffected()
	return convs, replies, nil
}
