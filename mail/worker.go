package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"roster/store"
)

// Worker delivers the outbox while roster runs: a pass over what is due
// every Poll, or at once after Kick. Several workers, in one process or
// many, can share a database: each message is claimed by one at a time.
type Worker struct {
	d      *deliverer
	st     *store.Store
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts a worker over st; it runs until ctx ends or Stop is called.
// With no relay configured, it also runs the capture server (CaptureAddr).
func Start(ctx context.Context, st *store.Store, cfg Config) (*Worker, error) {
	d, err := newDeliverer(st, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Worker{d: d, st: st, kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	d.tick()
	d.log.Info("mail worker started", "config", cfg)
	go w.run(ctx)
	return w, nil
}

func (w *Worker) run(ctx context.Context) {
	defer close(w.done)
	defer w.d.close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-timer.C:
		}
		w.d.tick()
		if _, err := w.d.pass(ctx); err != nil {
			w.d.log.Error("mail delivery pass", "err", err)
		}
		w.d.tick()
		timer.Reset(w.d.cfg.poll())
	}
}

// Kick asks for a delivery pass now, for mail just queued.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Flush makes every deferred message due now and starts a pass, as Flush
// does for a process without a worker.
func (w *Worker) Flush(ctx context.Context) error {
	if err := flushDeferred(ctx, w.st, w.d.cfg); err != nil {
		return err
	}
	w.Kick()
	return nil
}

// CaptureAddr is the loopback address of the capture server, "" when mail
// goes to a relay.
func (w *Worker) CaptureAddr() string {
	if w.d.capture == nil {
		return ""
	}
	return w.d.capture.addr
}

// Stop stops the worker and waits for it. The message being handed over
// gets a few seconds to finish; it and the rest of the batch are given back
// to the queue rather than left claimed.
func (w *Worker) Stop() {
	w.cancel()
	<-w.done
}

// Wait waits until the worker has stopped (its context ended).
func (w *Worker) Wait() { <-w.done }

// Alive says whether the worker is running and working: it has looked at
// the outbox within three polls, or, in a long pass, recorded outcomes
// within five relay timeouts (a handover that times out takes up to four).
// roster serve's readiness check calls it.
func (w *Worker) Alive() error {
	select {
	case <-w.done:
		return errors.New("mail worker stopped")
	default:
	}
	since := time.Since(time.Unix(0, w.d.beat.Load()))
	if limit := 3*w.d.cfg.poll() + 5*w.d.cfg.timeout(); since > limit {
		return fmt.Errorf("mail worker has not worked for %s", since.Round(time.Second))
	}
	return nil
}
