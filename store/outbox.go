package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Mail kinds written to the outbox.
const (
	MailInvitation    = "invitation"
	MailInviteResent  = "invitation_resent"
	MailPasswordReset = "password_reset"
	MailStandInNotice = "standin_notice"
	MailNotice        = "notice" // a notification of admin's catalogue: its words in Subject and Body
	MailTest          = "test"
)

// Channels of an outbox message: a mail, or an SMS (its recipient a phone
// number in E.164, its text MailData.Body).
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// States of an outbox message.
const (
	OutboxQueued    = "queued"    // waiting for its first attempt
	OutboxSending   = "sending"   // claimed by a worker until lease_until
	OutboxSent      = "sent"      // accepted by the relay
	OutboxDeferred  = "deferred"  // a temporary failure; tried again at next_attempt_at
	OutboxFailed    = "failed"    // refused for good, or given up
	OutboxCancelled = "cancelled" // replaced by a newer link, or its user went away
)

// OutboxStates lists every state, in the order a message moves through them.
func OutboxStates() []string {
	return []string{OutboxQueued, OutboxSending, OutboxDeferred, OutboxSent, OutboxFailed, OutboxCancelled}
}

// OutboxMessage is a mail waiting for, or done with, delivery. Data holds what
// the template needs, as JSON.
type OutboxMessage struct {
	ID            int64     `json:"id"`
	Channel       string    `json:"channel"` // ChannelEmail or ChannelSMS
	Kind          string    `json:"kind"`
	UserID        int64     `json:"user_id,omitempty"`
	TokenID       int64     `json:"-"`
	Recipient     string    `json:"recipient"`
	RecipientName string    `json:"recipient_name"`
	Locale        string    `json:"locale"`
	Data          string    `json:"-"`
	MessageID     string    `json:"message_id"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	LeaseUntil    time.Time `json:"-"`
	GiveUpAt      time.Time `json:"give_up_at"`
	LastError     string    `json:"last_error,omitempty"`
	Reply         string    `json:"reply,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Deadline is when m stops being tried: its own deadline (a link's expiry),
// or lifetime after it was queued, whichever comes first.
func (m *OutboxMessage) Deadline(lifetime time.Duration) time.Time {
	end := m.CreatedAt.Add(lifetime)
	if !m.GiveUpAt.IsZero() && m.GiveUpAt.Before(end) {
		end = m.GiveUpAt
	}
	return end
}

// Enqueue adds messages in state queued, in one statement for all, and sets
// their IDs. A message with no channel is a mail.
func (q *Q) Enqueue(ctx context.Context, ms ...*OutboxMessage) error {
	vals := make([]any, 0, 13*len(ms))
	for _, m := range ms {
		m.State = "queued"
		if m.NextAttemptAt.IsZero() {
			m.NextAttemptAt = m.CreatedAt
		}
		if m.Channel == "" {
			m.Channel = ChannelEmail
		}
		vals = append(vals, m.Channel, m.Kind, m.UserID, m.TokenID, m.Recipient, m.RecipientName, m.Locale, m.Data, m.MessageID, m.State,
			unix(m.NextAttemptAt), unix(m.GiveUpAt), unix(m.CreatedAt))
	}
	ids, err := q.insertIDs(ctx, `INSERT INTO outbox (channel, kind, user_id, token_id, recipient, recipient_name, locale,
		data, message_id, state, next_attempt_at, give_up_at, created_at) VALUES `,
		"(?, ?, nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?)", vals)
	if err != nil {
		return mapErr(err)
	}
	for i, m := range ms {
		m.ID = ids[i]
	}
	return nil
}

// CancelPendingMail cancels the user's mail of the given kinds that has not
// gone out yet (queued or deferred), so that a newer link replaces it, and
// their notices not gone out whose link was voided (a reminder's fresh
// one, by its token).
func (q *Q) CancelPendingMail(ctx context.Context, userID int64, kinds ...string) (int64, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	args := []any{userID}
	for _, k := range kinds {
		args = append(args, k)
	}
	// A notice that carries a link (a reminder's fresh one) has its token.
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', data = '{}'
		WHERE user_id = ? AND (kind IN (`+placeholders(len(kinds))+`) OR kind = '`+MailNotice+`' AND token_id IN (SELECT id FROM tokens
			WHERE user_id = outbox.user_id AND voided_at != 0))
		AND state IN ('queued', 'deferred')`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CancelStandInNotices cancels the notices to standIn, by mail or SMS,
// of the away period of awayEmail from from, that are still to send, and
// says how many.
func (q *Q) CancelStandInNotices(ctx context.Context, standIn int64, awayEmail string, from time.Time) (int64, error) {
	at, err := json.Marshal(from) // as MailData holds it
	if err != nil {
		return 0, err
	}
	field := "data ->> '%s'"
	if q.pg {
		field = "data::json ->> '%s'"
	}
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', data = '{}'
		WHERE user_id = ? AND kind IN ('`+MailStandInNotice+`', '`+MailNotice+`') AND state IN ('queued', 'deferred')
		AND `+fmt.Sprintf(field, "away_email")+` = ? AND `+fmt.Sprintf(field, "away_from")+` = ?`,
		standIn, awayEmail, strings.Trim(string(at), `"`))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CancelNotices cancels the user's notices, by mail or SMS, that have not
// gone out yet (queued or deferred), with why as their last error, and
// says how many.
func (q *Q) CancelNotices(ctx context.Context, userID int64, why string) (int64, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', data = '{}', last_error = ?
		WHERE user_id = ? AND kind IN ('`+MailStandInNotice+`', '`+MailNotice+`') AND state IN ('queued', 'deferred')`, why, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ReaddressSMS sends the user's SMS not gone out yet (queued or deferred)
// to phone, their new number; with phone "" it cancels them.
func (q *Q) ReaddressSMS(ctx context.Context, userID int64, phone string) error {
	var err error
	if phone == "" {
		_, err = q.db.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', data = '{}', last_error = 'its recipient has no phone number any more'
			WHERE user_id = ? AND channel = '`+ChannelSMS+`' AND state IN ('queued', 'deferred')`, userID)
	} else {
		_, err = q.db.ExecContext(ctx, `UPDATE outbox SET recipient = ?
			WHERE user_id = ? AND channel = '`+ChannelSMS+`' AND state IN ('queued', 'deferred')`, phone, userID)
	}
	return err
}

// MailData is what a template needs, kept as JSON in the outbox row. Path
// holds the link's token until a relay has accepted the message.
type MailData struct {
	Account      string    `json:"account"`
	Name         string    `json:"name"`
	Inviter      string    `json:"inviter,omitempty"`
	InviterEmail string    `json:"inviter_email,omitempty"`
	Path         string    `json:"path,omitempty"` // "/invite/TOKEN" or "/reset/TOKEN"
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	Lifetime     int64     `json:"lifetime_secs,omitempty"`
	// For a stand-in notice: who is away, when, and their note.
	AwayName  string    `json:"away_name,omitempty"`
	AwayEmail string    `json:"away_email,omitempty"`
	AwayFrom  time.Time `json:"away_from,omitzero"`
	AwayUntil time.Time `json:"away_until,omitzero"`
	Note      string    `json:"note,omitempty"`
	// For a notice: its subject and text, written in the reader's language
	// from the catalogue when it was queued.
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
	// TimeZone is the recipient's branch's (an IANA name), in which the
	// mail writes its dates; "": the mail worker's.
	TimeZone string `json:"time_zone,omitempty"`
}

// RedactedToken stands for a link's token once the mail carrying it was sent.
const RedactedToken = "REDACTED"

// RedactLink replaces the token at the end of the message data's link path,
// so that a copy of the database holds no working link. Data that is not
// MailData is replaced by an empty object rather than kept.
func RedactLink(data string) string {
	var d MailData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return "{}"
	}
	return RedactParsedLink(data, d)
}

// RedactParsedLink is RedactLink of data already read into d, for the mail
// worker, which reads every message's data to write it.
func RedactParsedLink(data string, d MailData) string {
	if d.Path == "" {
		return data
	}
	if i := strings.LastIndexByte(d.Path, '/'); i >= 0 {
		d.Path = d.Path[:i+1] + RedactedToken
	} else {
		d.Path = RedactedToken
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "{}"
	}
	return string(b)
}

const outboxCols = `id, channel, kind, coalesce(user_id, 0), coalesce(token_id, 0), recipient, recipient_name, locale, data,
	message_id, state, attempts, next_attempt_at, lease_until, give_up_at, last_error, reply, created_at, sent_at`

func scanOutbox(r scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var next, lease, giveUp, created, sent int64
	err := r.Scan(&m.ID, &m.Channel, &m.Kind, &m.UserID, &m.TokenID, &m.Recipient, &m.RecipientName, &m.Locale, &m.Data,
		&m.MessageID, &m.State, &m.Attempts, &next, &lease, &giveUp, &m.LastError, &m.Reply, &created, &sent)
	m.NextAttemptAt, m.LeaseUntil, m.GiveUpAt = fromUnix(next), fromUnix(lease), fromUnix(giveUp)
	m.CreatedAt, m.SentAt = fromUnix(created), fromUnix(sent)
	return m, err
}

func (q *Q) outboxRows(ctx context.Context, query string, args ...any) ([]OutboxMessage, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OutboxMessage{}
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxByID reads one message; ErrNotFound if none.
func (q *Q) OutboxByID(ctx context.Context, id int64) (*OutboxMessage, error) {
	m, err := scanOutbox(q.db.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return nil, mapErr(err)
	}
	return &m, nil
}

// Outbox lists messages newest first: of one state unless state is "", and
// older than the message beforeID unless it is 0, at most limit (0: all).
func (q *Q) Outbox(ctx context.Context, state string, beforeID int64, limit int) ([]OutboxMessage, error) {
	query := `SELECT ` + outboxCols + ` FROM outbox WHERE (?1 = '' OR state = ?1) AND (?2 = 0 OR id < ?2)
		ORDER BY id DESC`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	return q.outboxRows(ctx, query, state, beforeID)
}

// OutboxCounts counts the messages in each state; states with none are absent.
func (q *Q) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// MailClaim asks for messages of one channel to deliver: those due by Due
// (queued or deferred), and those whose claim by another worker ran out
// before Now.
type MailClaim struct {
	Channel    string // ChannelEmail ("" too) or ChannelSMS
	Now        time.Time
	Due        time.Time     // zero: Now
	LeaseUntil time.Time     // the claimed rows belong to the caller until then
	Limit      int           // at most this many rows are claimed
	MaxAge     time.Duration // a message older than this is given up, whatever its give_up_at (0: no limit)
}

// ClaimResult is what ClaimMail did to the rows it looked at.
type ClaimResult struct {
	Claimed   []OutboxMessage // now in state sending, Attempts counting this attempt
	GaveUp    []OutboxMessage // past their give-up time: now failed
	Cancelled []OutboxMessage // their link was used, voided or deleted before they went out
}

// ClaimMail claims due messages for one delivery attempt each, in the
// caller's write transaction (or Claim's): they move to state sending with a
// lease, so that no other worker takes them until it runs out. Messages
// past their give-up time fail instead, and those whose link no longer
// works are cancelled. A claim is identified by the message's ID and
// Attempts.
//
// On PostgreSQL it locks the rows it takes and skips those locked by
// another transaction (a worker claiming, an operator cancelling). In
// Claim's transaction it gives messages up only if it gets the write lock
// at once, since the caller then writes their audit rows, as every other
// write does, under that lock; it never waits for the lock while holding
// rows, which a writer holding the lock may be waiting for. Without it the
// messages to give up stay as they are for a later claim.
func (q *Q) ClaimMail(ctx context.Context, c MailClaim) (*ClaimResult, error) {
	now := c.Now.Unix()
	due := now
	if !c.Due.IsZero() {
		due = c.Due.Unix()
	}
	maxAge := int64(c.MaxAge / time.Second)
	channel := c.Channel
	if channel == "" {
		channel = ChannelEmail
	}
	// Each branch walks an index in order; together they take the claims of
	// dead workers first, then new mail, then retries.
	branches := []struct {
		where string
		arg   int64
	}{
		{"state = 'sending' AND lease_until <= ?1", now},
		{"state = 'queued' AND next_attempt_at <= ?1", due},
		{"state = 'deferred' AND next_attempt_at <= ?1", due},
	}
	type candidate struct {
		id       int64
		giveUp   int64
		linkDead bool
	}
	lock := ""
	if q.pg {
		lock = " FOR UPDATE OF o SKIP LOCKED"
	}
	var cands []candidate
	for _, b := range branches {
		if len(cands) >= c.Limit {
			break
		}
		rows, err := q.db.QueryContext(ctx, `SELECT o.id,
				CASE WHEN ?2 > 0 AND (o.give_up_at = 0 OR o.created_at + ?2 < o.give_up_at)
					THEN o.created_at + ?2 ELSE o.give_up_at END,
				CASE WHEN o.kind IN ('invitation', 'invitation_resent', 'password_reset')
					THEN coalesce((SELECT t.used_at != 0 OR t.voided_at != 0 FROM tokens t WHERE t.id = o.token_id), TRUE)
					ELSE FALSE END
			FROM outbox o WHERE o.channel = ?4 AND `+b.where+` ORDER BY o.next_attempt_at, o.id LIMIT ?3`+lock,
			b.arg, maxAge, c.Limit-len(cands), channel)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cd candidate
			if err := rows.Scan(&cd.id, &cd.giveUp, &cd.linkDead); err != nil {
				rows.Close()
				return nil, err
			}
			cands = append(cands, cd)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	expired := func(cd candidate) bool { return !cd.linkDead && cd.giveUp != 0 && cd.giveUp <= now }
	giveUp := true
	if q.claiming && slices.ContainsFunc(cands, expired) {
		if err := q.db.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", writeLockKey).Scan(&giveUp); err != nil {
			return nil, err
		}
	}
	res := &ClaimResult{}
	var claim, cancel []int64
	for _, cd := range cands {
		switch {
		case cd.linkDead:
			cancel = append(cancel, cd.id)
		case expired(cd) && !giveUp:
			// left for a claim that gets the write lock
		case expired(cd):
			why := "gave up: not delivered by " + fromUnix(cd.giveUp).Format("2006-01-02 15:04 MST")
			m, err := q.updateMany(ctx, []int64{cd.id}, `state = 'failed', lease_until = 0,
				last_error = ?2 || CASE WHEN last_error = '' THEN '' ELSE ' (last error: ' || last_error || ')' END`, why)
			if err != nil {
				return nil, err
			}
			res.GaveUp = append(res.GaveUp, m...)
		default:
			claim = append(claim, cd.id)
		}
	}
	var err error
	if res.Cancelled, err = q.updateMany(ctx, cancel, `state = 'cancelled', data = '{}', lease_until = 0,
		last_error = 'its link was used or replaced before the mail went out'`); err != nil {
		return nil, err
	}
	if res.Claimed, err = q.updateMany(ctx, claim, `state = 'sending', attempts = attempts + 1, lease_until = ?2`,
		unix(c.LeaseUntil)); err != nil {
		return nil, err
	}
	if len(res.Claimed)+len(res.GaveUp)+len(res.Cancelled) > 0 {
		err = q.claimNotice(ctx)
	}
	return res, err
}

// claimNotice queues the notice of a change for the change watches, when a
// claim in Claim's transaction changed something (beginWrite queues one
// for every other write).
func (q *Q) claimNotice(ctx context.Context) error {
	if !q.claiming {
		return nil
	}
	_, err := q.db.ExecContext(ctx, "SELECT "+notifyChange)
	return err
}

// updateMany applies set to the rows ids (a JSON array is ?1) and returns them
// as they are afterwards, in the order of ids.
func (q *Q) updateMany(ctx context.Context, ids []int64, set string, args ...any) ([]OutboxMessage, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	in := "SELECT value FROM json_each(?1)"
	if q.pg {
		in = "SELECT value::bigint FROM json_array_elements_text(?1::json)"
	}
	rows, err := q.outboxRows(ctx, `UPDATE outbox SET `+set+` WHERE id IN (`+in+`)
		RETURNING `+outboxCols, append([]any{string(list)}, args...)...)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	out := make([]OutboxMessage, len(rows))
	for _, m := range rows {
		out[pos[m.ID]] = m
	}
	return out, nil
}

// claimed is the condition that a row is still held by the claim m made.
const claimed = `id = ? AND state = 'sending' AND attempts = ?`

func (q *Q) execClaimed(ctx context.Context, m *OutboxMessage, set string, args ...any) (bool, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET `+set+` WHERE `+claimed, append(args, m.ID, m.Attempts)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SentMail is a claimed message the relay accepted, with its reply.
type SentMail struct {
	Message *OutboxMessage
	Reply   string
	// Data replaces the message's data: RedactLink's (or RedactParsedLink's)
	// of it, which holds no working link.
	Data string
}

// MarkSent records that the relay accepted the claimed messages sent, and
// writes their data with the links' tokens redacted, in one statement
// however many they are. ok[i] is false, and sent[i]'s row unchanged, when
// the claim was no longer sent[i]'s (its lease ran out and another worker
// took the message).
func (q *Q) MarkSent(ctx context.Context, sent []SentMail, at time.Time) (ok []bool, err error) {
	// Each row as [id, attempts, reply, data]: one JSON text is one
	// statement for any number of rows. The + keeps SQLite from walking
	// every message in state sending (outbox_state) for each row given,
	// rather than looking each up by its id.
	rows := make([][4]any, len(sent))
	pos := make(map[int64]int, len(sent))
	for i, s := range sent {
		rows[i] = [4]any{s.Message.ID, s.Message.Attempts, s.Reply, s.Data}
		pos[s.Message.ID] = i
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	rowsSQL := `SELECT value ->> 0 AS id, value ->> 1 AS attempts, value ->> 2 AS reply, value ->> 3 AS data
			FROM json_each(?1)`
	if q.pg {
		rowsSQL = `SELECT (value ->> 0)::bigint AS id, (value ->> 1)::bigint AS attempts, value ->> 2 AS reply,
			value ->> 3 AS data FROM json_array_elements(?1::json) AS value`
	}
	res, err := q.db.QueryContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?2, reply = m.reply, last_error = '',
			lease_until = 0, data = m.data
		FROM (`+rowsSQL+`) AS m
		WHERE outbox.id = m.id AND +outbox.state = 'sending' AND outbox.attempts = m.attempts
		RETURNING outbox.id`, string(list), unix(at))
	if err != nil {
		return nil, err
	}
	defer res.Close()
	ok = make([]bool, len(sent))
	for res.Next() {
		var id int64
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		ok[pos[id]] = true
	}
	return ok, res.Err()
}

// MarkDeferred records a temporary failure of the claimed message m; it is
// tried again from next.
func (q *Q) MarkDeferred(ctx context.Context, m *OutboxMessage, errText, reply string, next time.Time) (bool, error) {
	return q.execClaimed(ctx, m, `state = 'deferred', last_error = ?, reply = ?, next_attempt_at = ?, lease_until = 0`,
		errText, reply, unix(next))
}

// MarkFailed records that the claimed message m will not be sent: refused
// for good (reply holds the server's answer), or given up.
func (q *Q) MarkFailed(ctx context.Context, m *OutboxMessage, errText, reply string) (bool, error) {
	return q.execClaimed(ctx, m, `state = 'failed', last_error = ?, reply = ?, lease_until = 0`, errText, reply)
}

// ReleaseClaim gives the claimed message m back untried (its worker is
// stopping): the attempt is not counted and it is due at next.
func (q *Q) ReleaseClaim(ctx context.Context, m *OutboxMessage, next time.Time) (bool, error) {
	return q.execClaimed(ctx, m, `state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END,
		attempts = attempts - 1, next_attempt_at = ?, lease_until = 0`, unix(next))
}

// RenewLease keeps the claimed message m until until.
func (q *Q) RenewLease(ctx context.Context, m *OutboxMessage, until time.Time) (bool, error) {
	return q.execClaimed(ctx, m, `lease_until = ?`, unix(until))
}

// RequeueMail puts a failed or deferred message back in the queue, due at
// now; ErrConflict if it is in another state.
func (q *Q) RequeueMail(ctx context.Context, id int64, now time.Time) error {
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET state = 'queued', next_attempt_at = ?, lease_until = 0
		WHERE id = ? AND state IN ('failed', 'deferred')`, unix(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	return nil
}

// FlushDeferred makes every deferred message due at now, ignoring its
// backoff, and says how many there were.
func (q *Q) FlushDeferred(ctx context.Context, now time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE state = 'deferred'`, unix(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CapturedMail is a message received by the embedded capture server.
type CapturedMail struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	MessageID  string    `json:"message_id"`
	Subject    string    `json:"subject"`
	Raw        []byte    `json:"-"`
}

// InsertCapturedMail keeps a received message and sets its ID.
func (q *Q) InsertCapturedMail(ctx context.Context, m *CapturedMail) error {
	to, err := json.Marshal(m.To)
	if err != nil {
		return err
	}
	m.ID, err = q.insertID(ctx, `INSERT INTO captured_mail (received_at, mail_from, rcpt_to, message_id, subject, raw)
		VALUES (?, ?, ?, ?, ?, ?)`, unix(m.ReceivedAt), m.From, string(to), m.MessageID, m.Subject, m.Raw)
	return err
}

const capturedCols = `id, received_at, mail_from, rcpt_to, message_id, subject`

func scanCaptured(r scanner, extra ...any) (CapturedMail, error) {
	var m CapturedMail
	var at int64
	var to string
	if err := r.Scan(append([]any{&m.ID, &at, &m.From, &to, &m.MessageID, &m.Subject}, extra...)...); err != nil {
		return m, err
	}
	m.ReceivedAt = fromUnix(at)
	return m, json.Unmarshal([]byte(to), &m.To)
}

// CapturedMails lists captured messages newest first, without their raw
// text: older than beforeID unless it is 0, at most limit (0: all).
func (q *Q) CapturedMails(ctx context.Context, beforeID int64, limit int) ([]CapturedMail, error) {
	query := `SELECT ` + capturedCols + ` FROM captured_mail WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := q.db.QueryContext(ctx, query, beforeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CapturedMail{}
	for rows.Next() {
		m, err := scanCaptured(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CapturedMailByID reads one captured message with its raw text.
func (q *Q) CapturedMailByID(ctx context.Context, id int64) (*CapturedMail, error) {
	var raw []byte
	m, err := scanCaptured(q.db.QueryRowContext(ctx, `SELECT `+capturedCols+`, raw FROM captured_mail WHERE id = ?`, id), &raw)
	if err != nil {
		return nil, mapErr(err)
	}
	m.Raw = raw
	return &m, nil
}

// CapturedMailByMessageID reads the newest captured message with that
// Message-ID, raw text included; ErrNotFound if none.
func (q *Q) CapturedMailByMessageID(ctx context.Context, messageID string) (*CapturedMail, error) {
	var raw []byte
	m, err := scanCaptured(q.db.QueryRowContext(ctx, `SELECT `+capturedCols+`, raw FROM captured_mail
		WHERE message_id = ? ORDER BY id DESC LIMIT 1`, messageID), &raw)
	if err != nil {
		return nil, mapErr(err)
	}
	m.Raw = raw
	return &m, nil
}
