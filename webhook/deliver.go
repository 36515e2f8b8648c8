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
	"sync"
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
}

// New returns a Deliverer over st.
func New(st *store.Store, opts Options) *Deliverer {
	d := &Deliverer{st: st, log: opts.Log, now: opts.Now}
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

// Pass delivers, once, every delivery due, a batch at a time.
func (d *Deliverer) Pass(ctx context.Context) (Report, error) {
	var r Report
	for {
		var batch []store.Delivery
		now := d.now()
		err := d.st.Claim(ctx, func(q *store.Q) error {
			acct, err := q.Account(ctx)
			if err != nil {
				return err
			}
			d.private.Store(acct.WebhooksPrivate)
			batch, err = q.ClaimDeliveries(ctx, now, now.Add(leaseFor), 32)
			return err
		})
		if err != nil || len(batch) == 0 {
			return r, err
		}
		var wg sync.WaitGroup
		for i := range batch {
			wg.Go(func() { d.attempt(ctx, &batch[i]) })
		}
		wg.Wait()
		err = d.st.Write(ctx, func(q *store.Q) error {
			for i := range batch {
				ok, err := q.RecordDelivery(ctx, &batch[i])
				if err != nil {
					return err
				}
				if !ok {
					d.log.Warn("webhook claim lost before its outcome was recorded", "id", batch[i].ID)
				}
			}
			return nil
		})
		if err != nil {
			return r, err
		}
		for _, b := range batch {
			switch b.State {
			case store.DeliveryDelivered:
				r.Delivered++
			case store.DeliveryFailed:
				r.Failed++
				d.log.Warn("webhook failed", "id", b.ID, "url", b.URL, "status", b.LastStatus, "error", b.LastError)
			default:
				r.Retried++
			}
		}
	}
}

// attempt sends one delivery and sets its outcome: delivered on 2xx,
// failed on another 4xx than 408 and 429, retried otherwise (5xx, timeouts,
// no answer) until it gives up.
func (d *Deliverer) attempt(ctx context.Context, dl *store.Delivery) {
	now := d.now()
	dl.LastStatus, dl.LastError, dl.Response = 0, "", ""
	status, answer, err := d.post(ctx, dl, now)
	dl.LastStatus, dl.Response = status, answer
	switch {
	case err == nil && status >= 200 && status < 300:
		dl.State, dl.DoneAt, dl.NextAt = store.DeliveryDelivered, now, time.Time{}
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

// Start delivers until ctx ends, a pass every opts.Poll; Stop waits for
// the pass under way.
func Start(ctx context.Context, st *store.Store, opts Options) *Worker {
	poll := opts.Poll
	if poll == 0 {
		poll = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Worker{cancel: cancel, done: make(chan struct{})}
	d := New(st, opts)
	go func() {
		defer close(w.done)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			if _, err := d.Pass(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("webhooks", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Worker is a running delivery loop.
type Worker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Stop ends the loop and waits for it.
func (w *Worker) Stop() {
	w.cancel()
	<-w.done
}
