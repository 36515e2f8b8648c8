// Package webhook delivers the events that the rules queue for webhooks, in
// the transaction of each event: signed as the Standard Webhooks
// specification says, retried with mail's backoff, each attempt's answer
// kept. A claimed delivery is leased, so several processes share the work
// and one that dies leaves its claims to the others.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"roster/admin"
	"roster/internal/stdwebhook"
	"roster/mail"
	"roster/store"
)

// Options configure delivery.
type Options struct {
	Log *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Timeout bounds one attempt; 0 is 10 s.
	Timeout time.Duration
	// Poll is how often Start looks for deliveries due; 0 is a second.
	Poll time.Duration
}

// Deliverer sends the deliveries due.
type Deliverer struct {
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
	private atomic.Bool // the account lets webhooks reach private addresses
	// grace is how long the attempts under way when the worker is told to
	// stop may go on: roster serve exits within 10 s of SIGTERM.
	grace time.Duration
}

// New returns a Deliverer over st.
func New(st *store.Store, opts Options) *Deliverer {
	d := &Deliverer{st: st, log: opts.Log, now: opts.Now, grace: stopGrace}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	// The address connected to is checked, not the name: a name that
	// resolved to a public address when the webhook was added and to a
	// private one now (DNS rebinding) is refused. No proxy from the
	// environment: it would connect on the receiver's behalf.
	dialer := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return err
		}
		return admin.ReceiverAllowed(ip, d.private.Load())
	}}
	d.client = &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return d
}

// Report counts what a pass did.
type Report struct {
	Delivered, Retried, Failed int
}

// leaseFor is how long a claim lasts: longer than an attempt.
const leaseFor = time.Minute

// stopGrace is how long an attempt under way goes on once the worker is
// told to stop, for the receiver's answer.
const stopGrace = 5 * time.Second

// maxInFlight is how many deliveries a worker attempts at once.
const maxInFlight = 32

// perWebhook is how many of one subscription's deliveries are in flight at
// once, across workers: a receiver that hangs holds that many places, and
// the other subscriptions' deliveries take the rest.
const perWebhook = 4

// Pass delivers, once, every delivery due when it begins, and returns when
// the last one's outcome is recorded. It ends early, with ctx's error, once
// ctx ends, after recording the attempts under way.
func (d *Deliverer) Pass(ctx context.Context) (Report, error) {
	due := d.now()
	return d.run(ctx, func() time.Time { return due }, nil)
}

// ended is a delivery whose attempt ended and whose outcome was written, or
// could not be (err).
type ended struct {
	dl  *store.Delivery
	err error
}

// run attempts deliveries up to maxInFlight at once, perWebhook of one
// subscription, claiming more as places free up rather than a batch at a
// time; the claims take those due by due(). Each outcome is recorded as
// soon as its attempt ends, with those that ended meanwhile, and a slow
// attempt holds up no other's: a delivered webhook is never sent again
// because another receiver hung. With poll nil, run returns once nothing
// due is left and nothing is in flight, with the first error met (it then
// claims no more); with a poll, it claims again at each tick and logs its
// errors, until ctx ends. Either way, once ctx ends it claims no more,
// gives the attempts under way d.grace for their answers, cutting short
// those still waiting, and records them all: a delivery the receiver took
// is recorded as delivered.
func (d *Deliverer) run(ctx context.Context, due func() time.Time, poll <-chan time.Time) (Report, error) {
	finished := make(chan *store.Delivery, maxInFlight) // attempts ended, for the recorder
	recorded := make(chan ended, maxInFlight)
	go d.recorder(finished, recorded)
	defer close(finished)
	// Attempts outlive ctx by d.grace: a receiver's answer is waited for
	// and recorded, but a stop is not held up by a receiver that hangs.
	actx, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(d.grace, cut) })()

	var rep Report
	var failed error
	flying, more, stopping := 0, true, false
	done := ctx.Done()
	fail := func(err error) {
		if poll != nil {
			d.log.Error("webhooks", "err", err)
			return
		}
		if failed == nil {
			failed = err
		}
		stopping = true
	}
	record := func(e ended) {
		flying--
		d.count(&rep, e.dl)
		if e.err != nil && poll == nil { // record logged it
			fail(e.err)
		}
		more = true
	}
	for {
		if more && !stopping && flying < maxInFlight {
			claimed, err := d.claim(ctx, due(), maxInFlight-flying)
			switch {
			case ctx.Err() != nil:
				stopping = true
			case err != nil:
				fail(fmt.Errorf("claim webhook deliveries: %w", err))
			}
			for i := range claimed {
				dl := &claimed[i]
				flying++
				go func() {
					d.attempt(actx, dl)
					finished <- dl
				}()
			}
			// Fewer than asked: nothing else can be taken until a place
			// frees up or, polling, more falls due.
			more = err == nil && flying == maxInFlight
		}
		if flying == 0 && (stopping || poll == nil && !more) {
			if stopping && failed == nil {
				failed = ctx.Err()
			}
			return rep, failed
		}
		select {
		case e := <-recorded:
			record(e)
			for drained := false; !drained; {
				select {
				case e := <-recorded:
					record(e)
				default:
					drained = true
				}
			}
		case <-poll:
			more = true
		case <-done:
			stopping, done = true, nil
		}
	}
}

// claim leases up to n deliveries due by due, none of a subscription with
// perWebhook in flight already.
func (d *Deliverer) claim(ctx context.Context, due time.Time, n int) ([]store.Delivery, error) {
	var claimed []store.Delivery
	now := d.now()
	err := d.st.Claim(ctx, func(q *store.Q) error {
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		d.private.Store(acct.WebhooksPrivate)
		claimed, err = q.ClaimDeliveries(ctx, store.DeliveryClaim{Now: now, Due: due, LeaseUntil: now.Add(leaseFor),
			Limit: n, PerWebhook: perWebhook})
		return err
	})
	return claimed, err
}

// count adds dl's outcome to r.
func (d *Deliverer) count(r *Report, dl *store.Delivery) {
	switch dl.State {
	case store.DeliveryDelivered:
		r.Delivered++
	case store.DeliveryFailed:
		r.Failed++
		d.log.Warn("webhook failed", "id", dl.ID, "url", dl.URL, "status", dl.LastStatus, "error", dl.LastError)
	default:
		r.Retried++
	}
}

// recorder writes the outcomes of the attempts that ended, as they end:
// those waiting when it is free go in one transaction, and none waits for
// an attempt still under way. It ends when finished is closed.
func (d *Deliverer) recorder(finished <-chan *store.Delivery, recorded chan<- ended) {
	var batch []*store.Delivery
	for dl := range finished {
		batch = append(batch[:0], dl)
		for drained := false; !drained; {
			select {
			case dl, ok := <-finished:
				if ok {
					batch = append(batch, dl)
				}
				drained = !ok
			default:
				drained = true
			}
		}
		errs := d.record(batch)
		for i, dl := range batch {
			recorded <- ended{dl: dl, err: errs[i]}
		}
	}
}

// record writes outcomes in one transaction, even once the worker is told
// to stop: a delivery the receiver took must be recorded as delivered, or
// it would be sent again. When the transaction fails, each is tried on its
// own, so that one that cannot be written does not take the others with
// it; the errors are each one's.
func (d *Deliverer) record(batch []*store.Delivery) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lost := make([]bool, len(batch))
	err := d.st.Write(ctx, func(q *store.Q) error {
		for i, dl := range batch {
			ok, err := q.RecordDelivery(ctx, dl)
			if err != nil {
				return fmt.Errorf("record webhook delivery %d: %w", dl.ID, err)
			}
			lost[i] = !ok
		}
		return nil
	})
	errs := make([]error, len(batch))
	switch {
	case err != nil && len(batch) > 1:
		for i := range batch {
			errs[i] = d.record(batch[i : i+1])[0]
		}
		return errs
	case err != nil:
		d.log.Error("cannot record a webhook's outcome", "id", batch[0].ID, "state", batch[0].State, "err", err)
		errs[0] = err
		return errs
	}
	for i, dl := range batch {
		if lost[i] {
			d.log.Warn("webhook claim lost before its outcome was recorded", "id", dl.ID)
		}
	}
	return errs
}

// attempt sends one delivery and sets its outcome: delivered on 2xx,
// failed on another 4xx than 408 and 429, retried otherwise (5xx, timeouts,
// no answer) until it gives up. One cut short as the worker stops (ctx
// ends) is due again at once.
func (d *Deliverer) attempt(ctx context.Context, dl *store.Delivery) {
	now := d.now()
	dl.LastStatus, dl.LastError, dl.Response = 0, "", ""
	status, answer, err := d.post(ctx, dl, now)
	dl.LastStatus, dl.Response = status, answer
	switch {
	case err == nil && status >= 200 && status < 300:
		dl.State, dl.DoneAt, dl.NextAt = store.DeliveryDelivered, now, time.Time{}
		return
	case err != nil && ctx.Err() != nil:
		// Cut short as the worker stopped: due again at once, for the
		// next worker rather than after a backoff.
		dl.LastError = "roster stopped before the receiver answered"
		dl.State, dl.NextAt = store.DeliveryQueued, now
		return
	case err != nil:
		dl.LastError = err.Error()
	default:
		dl.LastError = fmt.Sprintf("the receiver answered %d", status)
	}
	if err == nil && status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests {
		dl.State, dl.DoneAt, dl.NextAt = store.DeliveryFailed, now, time.Time{}
		return
	}
	if next, ok := mail.NextAttempt(now, dl.Attempts, dl.GiveUpAt); ok {
		dl.State, dl.NextAt = store.DeliveryQueued, next
		return
	}
	dl.State, dl.DoneAt, dl.NextAt = store.DeliveryFailed, now, time.Time{}
}

// maxAnswer is how much of the receiver's answer is kept.
const maxAnswer = 1024

func (d *Deliverer) post(ctx context.Context, dl *store.Delivery, now time.Time) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, strings.NewReader(dl.Payload))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roster-webhooks")
	if err := stdwebhook.SetHeaders(req.Header, dl.Secret, dl.EventID, now, []byte(dl.Payload)); err != nil {
		return 0, "", errors.New("the webhook's secret is not whsec_ and base64")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	io.Copy(&b, io.LimitReader(resp.Body, maxAnswer))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // so that the connection is kept
	return resp.StatusCode, admin.Printable(b.String()), nil
}

// Start delivers until ctx ends: it claims deliveries as places free up,
// and looks for those newly due every opts.Poll. Once ctx ends, the
// attempts under way have a few seconds (stopGrace) for their answers, and
// are recorded: delivered if the receiver answered, due again at once if
// not.
func Start(ctx context.Context, st *store.Store, opts Options) *Worker {
	return New(st, opts).start(ctx, opts.Poll)
}

func (d *Deliverer) start(ctx context.Context, poll time.Duration) *Worker {
	if poll == 0 {
		poll = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Worker{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(poll)
		defer t.Stop()
		d.run(ctx, d.now, t.C)
	}()
	return w
}

// Worker is a running delivery loop.
type Worker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Stop ends the loop and waits for it: for the attempts under way (a few
// seconds at most) and their records.
func (w *Worker) Stop() {
	w.cancel()
	<-w.done
}
