package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// BillingPlan is a plan the account is billed on from StartsAt (migration
// 014). Period "" is no plan.
type BillingPlan struct {
	ID        int64     `json:"id"`
	StartsAt  time.Time `json:"starts_at"`
	Period    string    `json:"period"`
	SeatPrice int64     `json:"seat_price"`
	Currency  string    `json:"currency"`
	Anchor    string    `json:"anchor"`
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// BillingPlans lists every plan, in the order they take effect.
func (q *Q) BillingPlans(ctx context.Context) ([]BillingPlan, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, starts_at, period, seat_price, currency, anchor, time_zone, created_at, created_by
		FROM billing_plans ORDER BY starts_at, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []BillingPlan
	for rows.Next() {
		var p BillingPlan
		var starts, created int64
		if err := rows.Scan(&p.ID, &starts, &p.Period, &p.SeatPrice, &p.Currency, &p.Anchor, &p.TimeZone, &created, &p.CreatedBy); err != nil {
			return nil, err
		}
		p.StartsAt, p.CreatedAt = fromUnix(starts), fromUnix(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddBillingPlan records a plan taking effect at p.StartsAt, replacing any
// plan that was to take effect from then on.
func (q *Q) AddBillingPlan(ctx context.Context, p *BillingPlan) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM billing_plans WHERE starts_at >= ?`, unix(p.StartsAt)); err != nil {
		return mapErr(err)
	}
	return q.db.QueryRowContext(ctx, `INSERT INTO billing_plans (starts_at, period, seat_price, currency, anchor, time_zone, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		unix(p.StartsAt), p.Period, p.SeatPrice, p.Currency, p.Anchor, p.TimeZone, unix(p.CreatedAt), p.CreatedBy).Scan(&p.ID)
}

// CancelBillingPlans removes the plans that were to take effect from t on:
// a planned change undone.
func (q *Q) CancelBillingPlans(ctx context.Context, t time.Time) error {
	_, err := q.db.ExecContext(ctx, `DELETE FROM billing_plans WHERE starts_at >= ?`, unix(t))
	return mapErr(err)
}

// The kinds of ledger rows.
const (
	SeatStarted = "seat_started" // charged prorated to the end of its cycle
	SeatResumed = "seat_resumed" // started on a seat paid for its cycle and free again, its user of before or another: no charge
	SeatEnded   = "seat_ended"   // paid to the end of its cycle, no credit, not renewed
	SeatRenewed = "renewal"      // charged the full price at a cycle start
	PlanChanged = "plan_changed"
)

// LedgerEntry is a row of the seat ledger.
type LedgerEntry struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	UserID     int64     `json:"-"`
	Email      string    `json:"email,omitempty"`
	At         time.Time `json:"at"`
	CycleStart time.Time `json:"cycle_start"`
	CycleEnd   time.Time `json:"cycle_end"`
	Amount     int64     `json:"amount"`
	Currency   string    `json:"currency"`
	Rule       string    `json:"rule"`
}

// AddLedger appends e, unless it is a second renewal of its seat in its
// cycle (renewals are unique per user and cycle); it reports whether e was
// added, and sets its ID if so.
func (q *Q) AddLedger(ctx context.Context, e *LedgerEntry) (bool, error) {
	err := q.db.QueryRowContext(ctx, `INSERT INTO seat_ledger (kind, user_id, email, at, cycle_start, cycle_end, amount, currency, rule)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		e.Kind, e.UserID, e.Email, unix(e.At), unix(e.CycleStart), unix(e.CycleEnd), e.Amount, e.Currency, e.Rule).Scan(&e.ID)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, sql.ErrNoRows) { // nothing returned: the row was already there
		return false, nil
	}
	return false, mapErr(err)
}

// lastSeatRow is the condition that l is its user's last seat row at or
// before the instant ?1 (in time, then in writing order): renewals are
// written after the fact, stamped with their cycle's start.
const lastSeatRow = `l.kind <> 'plan_changed' AND l.at <= ?1 AND NOT EXISTS (SELECT 1 FROM seat_ledger m
	WHERE m.user_id = l.user_id AND m.kind <> 'plan_changed' AND m.at <= ?1 AND (m.at > l.at OR m.at = l.at AND m.id > l.id))`

// RenewSeats charges every seat open at the instant at (started, resumed or
// renewed and not ended since) the amount for the cycle [at, end), and
// returns how many it charged: a seat renewed already for that cycle (by
// another process) is not charged twice.
func (q *Q) RenewSeats(ctx context.Context, at, end time.Time, amount int64, currency, rule string) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO seat_ledger (kind, user_id, email, at, cycle_start, cycle_end, amount, currency, rule)
		SELECT 'renewal', l.user_id, l.email, ?1, ?1, ?2, ?3, ?4, ?5 FROM seat_ledger l
		WHERE `+lastSeatRow+` AND l.kind <> 'seat_ended'
		ON CONFLICT DO NOTHING`, unix(at), unix(end), amount, currency, rule)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

// SeatOpen reports whether the user's seat is open at the instant at.
func (q *Q) SeatOpen(ctx context.Context, userID int64, at time.Time) (bool, error) {
	var kind string
	err := q.db.QueryRowContext(ctx, `SELECT l.kind FROM seat_ledger l WHERE l.user_id = ?2 AND `+lastSeatRow, unix(at), userID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && kind != SeatEnded, mapErr(err)
}

// OpenSeats counts the seats open at the instant at.
func (q *Q) OpenSeats(ctx context.Context, at time.Time) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM seat_ledger l WHERE `+lastSeatRow+` AND l.kind <> 'seat_ended'`, unix(at)).Scan(&n)
	return n, mapErr(err)
}

// SeatPaid reports whether the user held a paid seat in the cycle starting
// at cycleStart: charged for it, or taking a seat paid for it.
func (q *Q) SeatPaid(ctx context.Context, userID int64, cycleStart time.Time) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM seat_ledger WHERE user_id = ? AND cycle_start = ? AND kind IN ('seat_started', 'renewal', 'seat_resumed')`,
		userID, unix(cycleStart)).Scan(&n)
	return n > 0, mapErr(err)
}

// PaidSeats counts the seats charged for the cycle starting at cycleStart
// (renewed at its start or started in it): those open now, and those ended
// in it, paid to its end all the same.
func (q *Q) PaidSeats(ctx context.Context, cycleStart time.Time) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM seat_ledger WHERE cycle_start = ? AND kind IN ('seat_started', 'renewal')`,
		unix(cycleStart)).Scan(&n)
	return n, mapErr(err)
}

const ledgerCols = `id, kind, user_id, email, at, cycle_start, cycle_end, amount, currency, rule`

func scanLedger(r scanner) (LedgerEntry, error) {
	var e LedgerEntry
	var at, start, end int64
	err := r.Scan(&e.ID, &e.Kind, &e.UserID, &e.Email, &at, &start, &end, &e.Amount, &e.Currency, &e.Rule)
	e.At, e.CycleStart, e.CycleEnd = fromUnix(at), fromUnix(start), fromUnix(end)
	return e, err
}

func (q *Q) ledger(ctx context.Context, query string, args ...any) ([]LedgerEntry, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []LedgerEntry{}
	for rows.Next() {
		e, err := scanLedger(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Ledger lists the ledger newest first, a page at a time: rows before
// beforeID (0: from the newest), of one user when userID is not 0.
func (q *Q) Ledger(ctx context.Context, userID, beforeID int64, limit int) ([]LedgerEntry, error) {
	return q.ledger(ctx, `SELECT `+ledgerCols+` FROM seat_ledger
		WHERE (?1 = 0 OR id < ?1) AND (?2 = 0 OR user_id = ?2) ORDER BY id DESC LIMIT ?3`, beforeID, userID, limit)
}

// LedgerByEmail lists, as Ledger does, the rows written with the address
// email, its case aside: those of a user since deleted, whose ID names
// nobody now.
func (q *Q) LedgerByEmail(ctx context.Context, email string, beforeID int64, limit int) ([]LedgerEntry, error) {
	return q.ledger(ctx, `SELECT `+ledgerCols+` FROM seat_ledger
		WHERE (?1 = 0 OR id < ?1) AND lower(email) = lower(?2) ORDER BY id DESC LIMIT ?3`, beforeID, strings.TrimSpace(email), limit)
}

// CycleLedger lists the rows of the cycle starting at cycleStart in the
// order they took effect.
func (q *Q) CycleLedger(ctx context.Context, cycleStart time.Time) ([]LedgerEntry, error) {
	return q.ledger(ctx, `SELECT `+ledgerCols+` FROM seat_ledger WHERE cycle_start = ? ORDER BY at, id`, unix(cycleStart))
}

// RenewedThrough is the instant up to which renewals have been written.
func (q *Q) RenewedThrough(ctx context.Context) (time.Time, error) {
	var t int64
	err := q.db.QueryRowContext(ctx, `SELECT billing_renewed_through FROM account WHERE id = 1`).Scan(&t)
	return fromUnix(t), mapErr(err)
}

// SetRenewedThrough records that renewals are written up to t.
func (q *Q) SetRenewedThrough(ctx context.Context, t time.Time) error {
	_, err := q.db.ExecContext(ctx, `UPDATE account SET billing_renewed_through = ? WHERE id = 1`, unix(t))
	return mapErr(err)
}

// StartSeats charges every active user's seat the amount for the cycle
// [cycleStart, cycleEnd), as of the instant at: billing starting on an
// account that had no plan. It returns how many it charged.
func (q *Q) StartSeats(ctx context.Context, at, cycleStart, cycleEnd time.Time, amount int64, currency, rule string) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO seat_ledger (kind, user_id, email, at, cycle_start, cycle_end, amount, currency, rule)
		SELECT 'seat_started', u.id, u.email, ?, ?, ?, ?, ?, ? FROM users u WHERE u.status = 'active'
		ON CONFLICT DO NOTHING`, unix(at), unix(cycleStart), unix(cycleEnd), amount, currency, rule)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}
