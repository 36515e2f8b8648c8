package mail

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/mail"
	"time"

	"roster/store"
)

// Backoff of temporary failures: the n-th retry waits a random time up to
// base·2ⁿ⁻¹, at most backoffCap ("full jitter"), so that a relay coming back
// is not hit by every message at once.
const (
	backoffBase = 30 * time.Second
	backoffCap  = 30 * time.Minute
)

// stopGrace is how long a stopping worker waits for the message in flight.
const stopGrace = 5 * time.Second

// Report counts what a delivery pass did to the outbox.
type Report struct {
	Sent      int `json:"sent"`
	Deferred  int `json:"deferred"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
}

// deliverer sends outbox messages through one relay.
type deliverer struct {
	st      *store.Store
	cfg     Config
	relay   *relay
	dialer  dialer
	from    *mail.Address
	baseURL string // of the batch in hand: the account's, read as it is claimed
	log     *slog.Logger
	capture *captureServer // nil when a relay is configured
	unwiped bool           // the database's log may hold links already sent (wipeLog)
}

// newDeliverer resolves the configuration; with no relay configured it
// starts the capture server, which close stops.
func newDeliverer(st *store.Store, cfg Config) (*deliverer, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	// Another process may have sent mail and failed to empty the log.
	d := &deliverer{st: st, cfg: cfg, from: cfg.from(), log: cfg.logger(),
		dialer: dialer{timeout: cfg.timeout(), tls: cfg.TLS, helo: hostname()}, unwiped: true}
	if cfg.SMTP == "" {
		c, err := startCapture(st, cfg)
		if err != nil {
			return nil, err
		}
		d.capture, d.relay = c, c.relay()
	} else {
		var err error
		if d.relay, err = cfg.relay(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *deliverer) close() {
	if d.capture != nil {
		d.capture.close()
	}
}

// pass delivers every message due when it starts, claiming them a batch at
// a time, over one connection. When the relay cannot take mail (it cannot
// be reached, times out or breaks the connection, is closing, or refuses
// roster's credentials), the rest of the batch in hand is deferred and the
// pass ends: the others wait their turn.
func (d *deliverer) pass(ctx context.Context) (Report, error) {
	var rep Report
	due := d.cfg.now()
	var s *session
	defer func() {
		if s != nil {
			s.quit()
		}
		d.wipeLog()
	}()
	for {
		if ctx.Err() != nil {
			return rep, nil
		}
		now := d.cfg.now()
		var res *store.ClaimResult
		err := d.st.Write(ctx, func(q *store.Q) (err error) {
			res, err = q.ClaimMail(ctx, store.MailClaim{Now: now, Due: due, LeaseUntil: now.Add(d.cfg.lease()),
				Limit: d.cfg.batch(), MaxAge: d.cfg.lifetime()})
			if err != nil || len(res.Claimed) == 0 {
				return err
			}
			d.baseURL, err = d.cfg.linkBase(ctx, q)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return rep, nil
			}
			return rep, fmt.Errorf("claim mail: %w", err)
		}
		for _, m := range res.GaveUp {
			rep.Failed++
			d.log.Warn("mail failed", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "error", m.LastError)
		}
		for _, m := range res.Cancelled {
			rep.Cancelled++
			d.log.Info("mail cancelled", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "reason", m.LastError)
		}
		if len(res.Claimed) == 0 {
			if len(res.GaveUp)+len(res.Cancelled) > 0 {
				continue
			}
			return rep, nil
		}
		for i := range res.Claimed {
			m := &res.Claimed[i]
			if ctx.Err() != nil {
				d.release(res.Claimed[i:])
				return rep, nil
			}
			if err := d.keepLease(ctx, res.Claimed[i:]); err != nil {
				return rep, err
			}
			var down error
			s, down = d.deliver(ctx, s, m, &rep)
			if down != nil {
				for j := range res.Claimed[i+1:] {
					d.retryLater(&res.Claimed[i+1+j], down, &rep)
				}
				return rep, nil
			}
		}
		d.wipeLog()
	}
}

// wipeLog empties the database's write-ahead log when mail was sent since
// it was last emptied: the sent rows no longer hold their links' tokens, but
// the log keeps the pages that did. Once per batch, not per message, since
// it waits for readers; when they keep it from finishing, the next batch or
// pass tries again.
func (d *deliverer) wipeLog() {
	if !d.unwiped {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.st.Checkpoint(ctx); err != nil {
		d.log.Warn("the links of sent mail stay in the database's log for now", "err", err)
		return
	}
	d.unwiped = false
}

// deliver sends m over s, opening a session if s is nil, and records the
// outcome. It returns the session to go on with (nil once it is closed),
// and the error when the relay cannot take any message for now: it could
// not be reached, timed out or broke the connection, is closing, or refuses
// roster's credentials.
func (d *deliverer) deliver(ctx context.Context, s *session, m *store.OutboxMessage, rep *Report) (*session, error) {
	msg, err := compose(m, d.from, d.baseURL, d.cfg.now(), d.cfg.location())
	if err != nil {
		d.fail(m, "cannot write the message: "+err.Error(), "", rep)
		return s, nil
	}
	// The message must be handed over while the claim is still this
	// worker's; past that, another worker may send it too.
	// A worker told to stop gives the message in flight a few seconds to
	// get its reply, rather than leave the relay with a copy it may deliver.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.LeaseUntil.Sub(d.cfg.now())-d.leaseMargin())
	defer cancel()
	stopping := context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })
	defer stopping()
	for fresh := s == nil; ; fresh = true {
		if s == nil {
			if s, err = d.dialer.open(ctx, d.relay, nil); err != nil {
				if ctx.Err() != nil {
					d.release([]store.OutboxMessage{*m})
					return nil, nil
				}
				d.retryLater(m, err, rep)
				return nil, err
			}
		}
		reply, err := s.send(mctx, msg)
		if err == nil {
			d.mark(m, "sent", func(q *store.Q) (bool, error) { return q.MarkSent(context.Background(), m, reply, d.cfg.now()) })
			rep.Sent++
			d.unwiped = true
			d.log.Info("mail sent", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "reply", reply)
			return s, nil
		}
		if ctx.Err() != nil {
			// Stopping: the message goes back untried, for the next worker.
			s.close()
			d.release([]store.OutboxMessage{*m})
			return nil, nil
		}
		se := err.(*sendError)
		if se.notTheMessage() && !fresh {
			d.log.Info("relay refused the session, not the message: trying again on a new connection", "id", m.ID, "to", m.Recipient, "error", err.Error())
			s.close()
			s = nil
			continue
		}
		if se.permanent() {
			d.fail(m, err.Error(), replyOf(err), rep)
		} else {
			d.retryLater(m, err, rep)
		}
		switch {
		case se.broken:
			s.close()
			return nil, err
		case se.relayWide() || se.notTheMessage():
			// Refused on a new connection too: so would every message be.
			s.quit()
			return nil, err
		case se.inTransaction() && !s.reset():
			s.close()
			return nil, nil
		}
		return s, nil
	}
}

// leaseMargin is kept between the end of a send and the end of its lease,
// for the clocks of two machines sharing a database to disagree.
func (d *deliverer) leaseMargin() time.Duration { return d.cfg.lease() / 10 }

// keepLease renews the claim on the messages left in a batch once half of
// it has gone, so that a slow relay does not let it run out mid-batch.
func (d *deliverer) keepLease(ctx context.Context, left []store.OutboxMessage) error {
	now := d.cfg.now()
	if left[0].LeaseUntil.Sub(now) > d.cfg.lease()/2 {
		return nil
	}
	until := now.Add(d.cfg.lease())
	return d.st.Write(ctx, func(q *store.Q) error {
		for i := range left {
			ok, err := q.RenewLease(ctx, &left[i], until)
			if err != nil {
				return fmt.Errorf("renew the lease of mail %d: %w", left[i].ID, err)
			}
			if ok {
				left[i].LeaseUntil = until
			}
		}
		return nil
	})
}

// retryLater defers m after the temporary failure err, or fails it when its
// time is up.
func (d *deliverer) retryLater(m *store.OutboxMessage, err error, rep *Report) {
	now := d.cfg.now()
	next, ok := nextAttempt(now, m.Attempts, m.Deadline(d.cfg.lifetime()))
	if !ok {
		d.fail(m, fmt.Sprintf("gave up: not delivered by %s (last error: %s)", m.Deadline(d.cfg.lifetime()).Format("2006-01-02 15:04 MST"), err), replyOf(err), rep)
		return
	}
	d.mark(m, "deferred", func(q *store.Q) (bool, error) {
		return q.MarkDeferred(context.Background(), m, err.Error(), replyOf(err), next)
	})
	rep.Deferred++
	d.log.Warn("mail deferred", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "next", next, "error", err.Error())
}

func (d *deliverer) fail(m *store.OutboxMessage, why, reply string, rep *Report) {
	d.mark(m, "failed", func(q *store.Q) (bool, error) { return q.MarkFailed(context.Background(), m, why, reply) })
	rep.Failed++
	d.log.Warn("mail failed", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "error", why)
}

// release gives claimed messages back untried.
func (d *deliverer) release(ms []store.OutboxMessage) {
	now := d.cfg.now()
	for i := range ms {
		d.mark(&ms[i], "released", func(q *store.Q) (bool, error) { return q.ReleaseClaim(context.Background(), &ms[i], now) })
	}
}

// mark records an outcome even while the worker stops: a message the relay
// took must be marked sent, or it would go out again.
func (d *deliverer) mark(m *store.OutboxMessage, what string, fn func(q *store.Q) (bool, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var ok bool
	err := d.st.Write(ctx, func(q *store.Q) (err error) {
		ok, err = fn(q)
		return err
	})
	switch {
	case err != nil:
		d.log.Error("cannot record mail outcome", "id", m.ID, "outcome", what, "err", err)
	case !ok:
		d.log.Warn("mail claim lost before its outcome was recorded (its lease ran out)", "id", m.ID, "outcome", what)
	}
}

// nextAttempt is when a message that failed for the attempts-th time is
// tried again: after a random wait up to base·2^(attempts-1), capped, and
// no later than a second before giveUp; ok is false when that leaves no time.
func nextAttempt(now time.Time, attempts int, giveUp time.Time) (next time.Time, ok bool) {
	ceiling := backoffCap
	if attempts >= 1 && attempts <= 16 {
		ceiling = min(backoffCap, backoffBase<<(attempts-1))
	}
	// Times are kept in whole seconds: wait at least one, so that a pass
	// does not take the message again.
	next = now.Add(time.Second + rand.N(ceiling))
	if last := giveUp.Add(-time.Second); next.After(last) {
		next = last
	}
	return next, next.After(now)
}

// DeliverDue delivers, once, every message that is due, and reports what
// happened (for `roster mail deliver`, from cron). With no relay configured
// it delivers to a capture server that lives for the call.
func DeliverDue(ctx context.Context, st *store.Store, cfg Config) (Report, error) {
	d, err := newDeliverer(st, cfg)
	if err != nil {
		return Report{}, err
	}
	defer d.close()
	return d.pass(ctx)
}

// Flush makes every deferred message due now, ignoring its backoff, and
// delivers what is due, as Postfix's postqueue -f does once a relay is
// repaired.
func Flush(ctx context.Context, st *store.Store, cfg Config) (Report, error) {
	if err := flushDeferred(ctx, st, cfg); err != nil {
		return Report{}, err
	}
	return DeliverDue(ctx, st, cfg)
}

func flushDeferred(ctx context.Context, st *store.Store, cfg Config) error {
	return st.Write(ctx, func(q *store.Q) error {
		_, err := q.FlushDeferred(ctx, cfg.now())
		return err
	})
}
