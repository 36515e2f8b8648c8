package store

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// Webhook is a subscription: the events it is sent and where (migration 017).
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// InsertWebhook stores a subscription and sets its ID.
func (q *Q) InsertWebhook(ctx context.Context, w *Webhook) error {
	var err error
	w.ID, err = q.insertOne(ctx, "webhooks", "url, events, secret, created_at, created_by", "(?, ?, ?, ?, ?)",
		w.URL, strings.Join(w.Events, ","), w.Secret, unix(w.CreatedAt), w.CreatedBy)
	return err
}

// Webhooks lists the subscriptions, oldest first.
func (q *Q) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, url, events, secret, created_at, created_by FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		var w Webhook
		var events string
		var created int64
		if err := rows.Scan(&w.ID, &w.URL, &events, &w.Secret, &created, &w.CreatedBy); err != nil {
			return nil, err
		}
		w.Events, w.CreatedAt = strings.Split(events, ","), fromUnix(created)
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook removes a subscription and its deliveries; false if there
// was none.
func (q *Q) DeleteWebhook(ctx context.Context, id int64) (bool, error) {
	res, err := q.db.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Delivery states.
const (
	DeliveryQueued    = "queued"
	DeliverySending   = "sending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event sent, or to send, to one subscription.
type Delivery struct {
	ID         int64     `json:"id"`
	WebhookID  int64     `json:"webhook_id"`
	URL        string    `json:"url"`
	Secret     string    `json:"-"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Payload    string    `json:"payload"`
	State      string    `json:"state"`
	Attempts   int       `json:"attempts"`
	NextAt     time.Time `json:"next_attempt_at,omitzero"`
	GiveUpAt   time.Time `json:"give_up_at"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	Response   string    `json:"response,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	DoneAt     time.Time `json:"done_at,omitzero"`
}

// EnqueueDeliveries writes deliveries, queued, in the caller's transaction.
func (q *Q) EnqueueDeliveries(ctx context.Context, ds ...*Delivery) error {
	for _, d := range ds {
		if err := q.db.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, state,
			next_attempt_at, give_up_at, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id`,
			d.WebhookID, d.EventID, d.EventType, d.Payload, unix(d.NextAt), unix(d.GiveUpAt), unix(d.CreatedAt)).Scan(&d.ID); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

const deliveryCols = `d.id, d.webhook_id, w.url, w.secret, d.event_id, d.event_type, d.payload, d.state, d.attempts,
	d.next_attempt_at, d.give_up_at, d.last_status, d.last_error, d.response, d.created_at, d.done_at`

func scanDelivery(r scanner) (Delivery, error) {
	var d Delivery
	var next, giveUp, created, done int64
	err := r.Scan(&d.ID, &d.WebhookID, &d.URL, &d.Secret, &d.EventID, &d.EventType, &d.Payload, &d.State, &d.Attempts,
		&next, &giveUp, &d.LastStatus, &d.LastError, &d.Response, &created, &done)
	d.NextAt, d.GiveUpAt, d.CreatedAt, d.DoneAt = fromUnix(next), fromUnix(giveUp), fromUnix(created), fromUnix(done)
	return d, err
}

// DeliveryClaim says which deliveries ClaimDeliveries takes.
type DeliveryClaim struct {
	Now        time.Time
	Due        time.Time // queued deliveries due by then are taken; zero: Now
	LeaseUntil time.Time // the claimed deliveries belong to the caller until then
	Limit      int       // at most this many are claimed
	// PerWebhook bounds a subscription's deliveries in flight, those under
	// a lease (any worker's, not run out) and those claimed now together,
	// so that a receiver that hangs holds that many places and no more.
	// 0: no bound.
	PerWebhook int
}

// ClaimDeliveries takes up to c.Limit deliveries due (queued and due, or
// sending with their lease run out), oldest first, none of a subscription
// that has c.PerWebhook in flight already, and leases them to the caller
// until c.LeaseUntil: another worker takes them only after that. On
// PostgreSQL it is one statement that locks the rows it takes and skips
// those another transaction holds (see Store.Claim). Two nodes claiming at
// the same moment count each other's claims only once committed, and may
// so each take a subscription up to its bound; no worker's own claims take
// it past.
func (q *Q) ClaimDeliveries(ctx context.Context, c DeliveryClaim) ([]Delivery, error) {
	due := c.Due
	if due.IsZero() {
		due = c.Now
	}
	per := c.PerWebhook
	if per <= 0 {
		per = math.MaxInt64
	}
	// A delivery's place is its rank among its subscription's due ones,
	// after those in flight. The condition that makes it due is checked
	// again on the row locked (PostgreSQL reads the row again as another
	// claim left it), not only in ranked's snapshot.
	const isDue = `((d.state = 'queued' AND d.next_attempt_at <= ?2) OR (d.state = 'sending' AND d.lease_until <= ?1))`
	const pick = `WITH busy AS (
			SELECT webhook_id, count(*) AS n FROM webhook_deliveries
			WHERE state = 'sending' AND lease_until > ?1 GROUP BY webhook_id),
		ranked AS (
			SELECT d.id, row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.id) + coalesce(b.n, 0) AS place
			FROM webhook_deliveries d LEFT JOIN busy b ON b.webhook_id = d.webhook_id WHERE ` + isDue + `)
		SELECT d.id FROM webhook_deliveries d JOIN ranked r ON r.id = d.id
		WHERE r.place <= ?4 AND ` + isDue + ` ORDER BY d.id LIMIT ?3`
	args := []any{unix(c.Now), unix(due), c.Limit, per}
	if q.pg {
		out, err := q.deliveryRows(ctx, `UPDATE webhook_deliveries AS d SET state = 'sending', attempts = d.attempts + 1, lease_until = ?5
			FROM webhooks w WHERE w.id = d.webhook_id AND d.id IN (`+pick+` FOR UPDATE OF d SKIP LOCKED)
			RETURNING `+deliveryCols, append(args, unix(c.LeaseUntil))...)
		if err != nil || len(out) == 0 {
			return out, err
		}
		slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.ID, b.ID) })
		return out, q.claimNotice(ctx)
	}
	out, err := q.deliveryRows(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.id IN (`+pick+`) ORDER BY d.id`, args...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts++
		out[i].State = DeliverySending
		if _, err := q.db.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'sending', attempts = ?, lease_until = ? WHERE id = ?`,
			out[i].Attempts, unix(c.LeaseUntil), out[i].ID); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// RecordDelivery records how an attempt of a claimed delivery went: its
// new state (delivered, failed, or queued again at d.NextAt), the
// receiver's status, error and answer. It reports false when the claim was
// lost (its lease ran out and another worker took it).
func (q *Q) RecordDelivery(ctx context.Context, d *Delivery) (bool, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, lease_until = 0, last_status = ?,
		last_error = ?, response = ?, done_at = ? WHERE id = ? AND state = 'sending' AND attempts = ?`,
		d.State, unix(d.NextAt), d.LastStatus, d.LastError, d.Response, unix(d.DoneAt), d.ID, d.Attempts)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Deliveries lists a subscription's deliveries, newest first.
func (q *Q) Deliveries(ctx context.Context, webhookID int64, limit int) ([]Delivery, error) {
	return q.deliveryRows(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?`, webhookID, limit)
}

// deliveryRows runs query, which returns deliveryCols, and scans its rows.
func (q *Q) deliveryRows(ctx context.Context, query string, args ...any) ([]Delivery, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
