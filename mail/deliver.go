package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"roster/sms"
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

// deliverer sends outbox messages through one relay, and SMS through one
// provider.
type deliverer struct {
	st      *store.Store
	cfg     Config
	relay   *relay
	dialer  dialer
	from    *mail.Address
	log     *slog.Logger
	capture *captureServer // nil when a relay is configured
	sms     *sms.Provider  // nil: SMS are captured (captureSMS)
	client  *http.Client   // the SMS provider's
	unwiped bool           // the database's log may hold links already sent (wipeLog)
	// beat is when the worker last showed it was working (UnixNano): a
	// pass began or ended, or outcomes were recorded (Worker.Alive).
	beat atomic.Int64
	// writing makes a pass's writers (claims, leases, outcomes, the log's
	// checkpoint, the capture server) take turns here: waiting on SQLite's
	// lock, each would sleep a millisecond or more in its busy handler,
	// stalling the pipeline.
	writing sync.Mutex
}

func (d *deliverer) tick() { d.beat.Store(time.Now().UnixNano()) }

// write runs fn in a write transaction, in turn with the pass's others.
func (d *deliverer) write(ctx context.Context, fn func(q *store.Q) error) error {
	d.writing.Lock()
	defer d.writing.Unlock()
	return d.st.Write(ctx, fn)
}

// claim runs fn in the transaction that claims mail (store.Claim). On
// PostgreSQL it waits for nothing, the pass's other writers included: it
// takes no lock they hold.
func (d *deliverer) claim(ctx context.Context, fn func(q *store.Q) error) error {
	if d.st.Postgres() {
		return d.st.Claim(ctx, fn)
	}
	return d.write(ctx, fn)
}

// newDeliverer resolves the configuration; with no relay configured it
// starts the capture server, which close stops.
func newDeliverer(st *store.Store, cfg Config) (*deliverer, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	// Another process may have sent mail and failed to empty the log.
	d := &deliverer{st: st, cfg: cfg, from: cfg.from(), log: cfg.logger(),
		dialer: dialer{timeout: cfg.timeout(), tls: cfg.TLS, helo: hostname()}, unwiped: true, client: cfg.httpClient()}
	var err error
	if d.sms, err = cfg.smsProvider(); err != nil {
		return nil, err
	}
	if cfg.SMTP == "" {
		c, err := startCapture(d.write, cfg)
		if err != nil {
			return nil, err
		}
		d.capture, d.relay = c, c.relay()
	} else if d.relay, err = cfg.relay(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *deliverer) close() {
	if d.capture != nil {
		d.capture.close()
	}
}

// pass delivers every message due when it starts, claiming them a batch at
// a time, through a pipeline per channel, the mail's then the SMS':
// messages are composed ahead, handed over on up to Connections connections
// (or requests) at once, and their outcomes recorded in batches. When the
// relay cannot take mail (it cannot be reached, times out or breaks the
// connection, is closing, or refuses roster's credentials), or the SMS
// provider asks to wait, the messages of that channel not yet handed over
// are deferred and its pipeline ends: the others wait their turn.
func (d *deliverer) pass(ctx context.Context) (Report, error) {
	var rep Report
	var err error
	for _, channel := range []string{store.ChannelEmail, store.ChannelSMS} {
		p := d.newPipeline(ctx, channel)
		err = p.feed()
		r := p.finish()
		rep.Sent, rep.Deferred, rep.Failed, rep.Cancelled = rep.Sent+r.Sent, rep.Deferred+r.Deferred, rep.Failed+r.Failed, rep.Cancelled+r.Cancelled
		if err != nil {
			break
		}
	}
	d.wipeLog()
	return rep, err
}

// connectionShare is how many waiting messages make a connection more worth
// opening: each costs a handshake (TCP, EHLO, STARTTLS, AUTH) before its
// first message.
const connectionShare = 10

// pipeline is one pass's work, in three parts that run at once: the feeder
// (feed) claims messages and composes them ahead; senders, one per
// connection, hand them to the relay; the recorder writes their outcomes,
// several in one transaction.
//
// A message is in flight from the moment a sender takes it until its
// outcome is committed. At most 2 × Connections messages are in flight (the
// window): a sender waits for a place before taking the next message. A
// message the relay accepted is therefore sent again after a crash (once
// its lease runs out) only if it was in flight at the crash: at most
// 2 × Connections messages, each connection's message being sent and the one
// before it, still being recorded.
type pipeline struct {
	d        *deliverer
	ctx      context.Context
	channel  string        // of the messages it claims
	jobs     chan *job     // composed, waiting for a sender
	again    chan *job     // handed back by a sender that could not connect (handOff)
	outcomes chan outcome  // for the recorder
	window   chan struct{} // a token per message in flight
	senders  sync.WaitGroup
	growMu   sync.Mutex
	nsenders int         // senders running, under growMu
	limit    int         // the connections the relay takes at once, once it refused one more; under growMu
	accepted atomic.Bool // the relay accepted a message in this pass
	recorded chan struct{}

	mu   sync.Mutex
	down error // why the relay cannot take mail for now
	rep  Report
}

// job is a claimed message, composed.
type job struct {
	m      *store.OutboxMessage
	msg    *composed
	flying bool // holds a place in the window
}

// outcome is what happened to a message, waiting to be written.
type outcome struct {
	j     *job
	what  string                         // for the log: sent, deferred, failed or released
	reply string                         // the relay's, when sent: the sent are marked together
	write func(q *store.Q) (bool, error) // the others' mark
}

func (d *deliverer) newPipeline(ctx context.Context, channel string) *pipeline {
	n := d.cfg.connections()
	p := &pipeline{d: d, ctx: ctx, channel: channel, jobs: make(chan *job, n), again: make(chan *job, n), outcomes: make(chan outcome, 2*n),
		window: make(chan struct{}, 2*n), recorded: make(chan struct{})}
	go p.recorder()
	return p
}

// feed claims the due messages a batch at a time and hands them to the
// senders, composed, until none is left, the relay is down or ctx ends.
func (p *pipeline) feed() error {
	d, ctx := p.d, p.ctx
	due := d.cfg.now()
	for {
		if ctx.Err() != nil || p.relayDown() != nil {
			return nil
		}
		now := d.cfg.now()
		var res *store.ClaimResult
		var baseURL string // the account's, read as the batch is claimed
		err := d.claim(ctx, func(q *store.Q) (err error) {
			res, err = q.ClaimMail(ctx, store.MailClaim{Channel: p.channel, Now: now, Due: due, LeaseUntil: now.Add(d.cfg.lease()),
				Limit: d.cfg.batch(), MaxAge: d.cfg.lifetime()})
			if err != nil || len(res.Claimed) == 0 {
				return err
			}
			if len(res.GaveUp) > 0 && d.cfg.Failed != nil {
				if err := d.cfg.Failed(ctx, q, res.GaveUp); err != nil {
					return err
				}
			}
			baseURL, err = d.cfg.linkBase(ctx, q)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("claim mail: %w", err)
		}
		for _, m := range res.GaveUp {
			p.count(func(r *Report) { r.Failed++ })
			d.log.Warn("mail failed", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "error", m.LastError)
		}
		for _, m := range res.Cancelled {
			p.count(func(r *Report) { r.Cancelled++ })
			d.log.Info("mail cancelled", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "reason", m.LastError)
		}
		if len(res.Claimed) == 0 {
			if len(res.GaveUp)+len(res.Cancelled) > 0 {
				continue
			}
			return nil
		}
		for i := range res.Claimed {
			m := &res.Claimed[i]
			if ctx.Err() != nil {
				p.releaseAll(res.Claimed[i:])
				return nil
			}
			if down := p.relayDown(); down != nil {
				for j := range res.Claimed[i:] {
					p.retryLater(&job{m: &res.Claimed[i+j]}, down)
				}
				return nil
			}
			if err := d.keepLease(ctx, res.Claimed[i:]); err != nil {
				return err
			}
			var msg *composed
			if p.channel == store.ChannelSMS {
				msg, err = composeSMS(m)
			} else {
				msg, err = compose(m, d.from, baseURL, d.cfg.now(), d.cfg.location())
			}
			if err != nil {
				p.fail(&job{m: m}, "cannot write the message: "+err.Error(), "")
				continue
			}
			p.grow(len(res.Claimed) - i + len(p.jobs))
			select {
			case p.jobs <- &job{m: m, msg: msg}:
			case <-ctx.Done():
				p.releaseAll(res.Claimed[i:])
				return nil
			}
		}
	}
}

// grow starts the first sender, and another while the relay has accepted
// mail in this pass and more than connectionShare messages wait for each
// connection, up to Connections: a relay that refuses or hangs sees one.
// The feeder calls it as it hands messages over, and each sender as the
// relay accepts one: with a batch composed ahead, the feeder may be done
// before the relay has accepted the first message.
func (p *pipeline) grow(waiting int) {
	p.growMu.Lock()
	defer p.growMu.Unlock()
	limit := p.d.cfg.connections()
	if p.limit > 0 {
		limit = p.limit
	}
	if p.nsenders > 0 && (p.nsenders >= limit || !p.accepted.Load() ||
		waiting <= p.nsenders*connectionShare) {
		return
	}
	p.nsenders++
	p.senders.Add(1)
	go p.send()
}

// finish waits for the senders and the recorder, and reports the pass.
func (p *pipeline) finish() Report {
	close(p.jobs)
	p.senders.Wait()
	close(p.outcomes)
	<-p.recorded
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rep
}

// send is a sender: it hands messages to the relay over one connection,
// opened when needed, until the feeder is done. Once the relay is down or
// the pass stopped, it defers or gives back what is left.
func (p *pipeline) send() {
	defer p.senders.Done()
	var s *session
	defer func() {
		if s != nil {
			s.quit()
		}
	}()
	for {
		j, ok := p.next()
		if !ok {
			return
		}
		switch down := p.relayDown(); {
		case p.ctx.Err() != nil:
			p.release(j)
		case down != nil:
			p.retryLater(j, down)
		case p.channel == store.ChannelSMS:
			p.window <- struct{}{}
			j.flying = true
			if down = p.deliverSMS(j); down != nil {
				p.setDown(down)
			}
		default:
			p.window <- struct{}{}
			j.flying = true
			if s, down = p.deliver(s, j); down == errHandedOff {
				return
			} else if down != nil {
				p.setDown(down)
			}
		}
	}
}

// next is a sender's next message: one handed back by a sender that could
// not connect first, then the feeder's; false once the feeder is done and
// none is left. A sender ends only under growMu with none handed back, and
// handOff hands back only while another sender runs, so none is left
// behind.
func (p *pipeline) next() (*job, bool) {
	select {
	case j := <-p.again:
		return j, true
	case j, ok := <-p.jobs:
		if ok {
			return j, true
		}
	}
	p.growMu.Lock()
	defer p.growMu.Unlock()
	select {
	case j := <-p.again:
		return j, true
	default:
		p.nsenders--
		return nil, false
	}
}

// errHandedOff ends a sender whose message went to the others (handOff).
var errHandedOff = errors.New("handed to the other connections")

// handOff gives j to the other senders when this one could not open a
// connection (why) while the relay has taken mail in this pass: a relay
// that serves so many connections from one client at once greets the next
// with 421 (Postfix's smtpd_client_connection_count_limit), which says
// nothing of the others. The sender ends, and no more than those left are
// started in this pass. False when no other sender is left: the relay is
// taken to be down.
func (p *pipeline) handOff(j *job, why error) bool {
	p.growMu.Lock()
	defer p.growMu.Unlock()
	if !p.accepted.Load() || p.nsenders <= 1 {
		return false
	}
	p.nsenders--
	p.limit = p.nsenders
	if j.flying {
		<-p.window
		j.flying = false
	}
	p.again <- j // one a sender, and there is room for every sender's
	p.d.log.Info("relay refused one more connection: going on with those open", "connections", p.nsenders, "error", why.Error())
	return true
}

func (p *pipeline) relayDown() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

func (p *pipeline) setDown(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down == nil {
		p.down = err
	}
}

func (p *pipeline) count(fn func(r *Report)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&p.rep)
}

// deliver sends j over s, opening a session if s is nil, and records the
// outcome. It returns the session to go on with (nil once it is closed),
// and the error when the relay cannot take any message for now: it could
// not be reached, timed out or broke the connection, is closing, or refuses
// roster's credentials.
func (p *pipeline) deliver(s *session, j *job) (*session, error) {
	d, ctx, m := p.d, p.ctx, j.m
	mctx, cancel := p.sendContext(m)
	defer cancel()
	for fresh := s == nil; ; fresh = true {
		if s == nil {
			var err error
			dialed := time.Now()
			if s, err = d.dialer.open(ctx, d.relay, nil); err != nil {
				if ctx.Err() != nil {
					p.release(j)
					return nil, nil
				}
				d.replied(replyCode(err), time.Since(dialed))
				if p.handOff(j, err) {
					return nil, errHandedOff
				}
				p.retryLater(j, err)
				return nil, err
			}
		}
		start := time.Now()
		reply, err := s.send(mctx, j.msg)
		if err == nil || ctx.Err() == nil {
			d.replied(replyCode(err), time.Since(start))
		}
		if err == nil {
			p.accepted.Store(true)
			p.grow(len(p.jobs))
			p.outcomes <- outcome{j: j, what: "sent", reply: reply}
			p.count(func(r *Report) { r.Sent++ })
			d.log.Info("mail sent", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "reply", reply)
			return s, nil
		}
		if ctx.Err() != nil {
			// Stopping: the message goes back untried, for the next worker.
			s.close()
			p.release(j)
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
			p.fail(j, err.Error(), replyOf(err))
		} else {
			p.retryLater(j, err)
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

// sendContext bounds the handing over of m: it must be done while the
// claim is still this worker's; past that, another worker may send it too.
// A worker told to stop gives the message in flight a few seconds to get
// its reply, rather than leave the relay with a copy it may deliver.
func (p *pipeline) sendContext(m *store.OutboxMessage) (context.Context, context.CancelFunc) {
	mctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), m.LeaseUntil.Sub(p.d.cfg.now())-p.d.leaseMargin())
	stopping := context.AfterFunc(p.ctx, func() { time.AfterFunc(stopGrace, cancel) })
	return mctx, func() { stopping(); cancel() }
}

// deliverSMS hands j's SMS to the provider, or keeps it as captured when
// there is none, and records the outcome. An answer that refuses the
// message (a 4xx other than 408 and 429) fails it for good with the
// answer kept; any other failure defers it, and is returned: the provider
// cannot take messages for now, so the pipeline defers the rest.
func (p *pipeline) deliverSMS(j *job) error {
	d, m := p.d, j.m
	mctx, cancel := p.sendContext(m)
	defer cancel()
	var reply string
	var err error
	if d.sms == nil {
		reply, err = d.captureSMS(mctx, j)
	} else {
		reply, err = d.sms.Send(mctx, d.client, sms.Message{ID: strings.Trim(m.MessageID, "<>"), To: m.Recipient,
			Body: string(j.msg.raw), Created: m.CreatedAt}, d.cfg.now())
	}
	var se *sms.Error
	switch {
	case err == nil:
		p.accepted.Store(true)
		p.grow(len(p.jobs))
		p.outcomes <- outcome{j: j, what: "sent", reply: reply}
		p.count(func(r *Report) { r.Sent++ })
		d.log.Info("sms sent", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "reply", reply)
		return nil
	case p.ctx.Err() != nil:
		p.release(j)
		return nil
	case errors.As(err, &se) && !se.Temporary():
		p.fail(j, err.Error(), se.Answer)
		return nil
	}
	p.retryLater(j, err)
	return err
}

// replied tells cfg.Replied of one attempt: code is the relay's reply code,
// 250 for a message taken and 0 when no reply came.
func (d *deliverer) replied(code int, took time.Duration) {
	if d.cfg.Replied == nil {
		return
	}
	class := "network"
	if code >= 200 && code < 600 {
		class = fmt.Sprintf("%dxx", code/100)
	}
	d.cfg.Replied(class, took)
}

// record hands an outcome to the recorder.
func (p *pipeline) record(j *job, what string, write func(q *store.Q) (bool, error)) {
	p.outcomes <- outcome{j: j, what: what, write: write}
}

// maxRecorded bounds the outcomes written in one transaction.
const maxRecorded = 256

// recordLinger is how long the recorder waits for more outcomes, up to one
// per connection, before it writes those it has: a commit costs as much as
// a few marks, and no sender waits for the window until that many are
// waiting.
const recordLinger = time.Millisecond

// recorder writes the outcomes as they come, all those waiting in one
// transaction, then frees their places in the window.
func (p *pipeline) recorder() {
	defer close(p.recorded)
	d := p.d
	linger := time.NewTimer(recordLinger)
	defer linger.Stop()
	var batch []outcome
	sent, wiped := 0, time.Now() // since the log was last emptied
	for o := range p.outcomes {
		batch = append(batch[:0], o)
		linger.Reset(recordLinger)
		lingering := true
	more:
		for len(batch) < maxRecorded {
			if lingering && len(batch) < d.cfg.connections() {
				select {
				case o, ok := <-p.outcomes:
					if !ok {
						break more
					}
					batch = append(batch, o)
					continue
				case <-linger.C:
					lingering = false
				}
			}
			select {
			case o, ok := <-p.outcomes:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		d.mark(batch)
		for _, o := range batch {
			if o.j.flying {
				<-p.window
			}
			if o.what == "sent" {
				sent++
				d.unwiped = true
			}
		}
		if sent >= d.cfg.batch() && time.Since(wiped) >= wipeEvery {
			d.wipeLog()
			sent, wiped = 0, time.Now()
		}
	}
}

// wipeEvery is the least time between two emptyings of the log within a
// pass. Each waits for the log and the database to reach the disk (two
// fsyncs) while the pass's writers wait: once per 100 messages, that cost
// a fast pass about 6% of its CPU time, for links that are on disk a
// tenth of a second longer at most. The pass's end always empties it.
const wipeEvery = 100 * time.Millisecond

// wipeLog empties the database's write-ahead log when mail was sent since
// it was last emptied: the sent rows no longer hold their links' tokens, but
// the log keeps the pages that did. Once per batch and wipeEvery, not per
// message, since it waits for readers; when they keep it from finishing,
// the next batch or pass tries again.
func (d *deliverer) wipeLog() {
	if !d.unwiped {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.writing.Lock()
	err := d.st.Checkpoint(ctx)
	d.writing.Unlock()
	if err != nil {
		d.log.Warn("the links of sent mail stay in the database's log for now", "err", err)
		return
	}
	d.unwiped = false
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
	return d.write(ctx, func(q *store.Q) error {
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

// retryLater defers j's message after the temporary failure err, or fails
// it when its time is up.
func (p *pipeline) retryLater(j *job, err error) {
	d, m := p.d, j.m
	now := d.cfg.now()
	next, ok := NextAttempt(now, m.Attempts, m.Deadline(d.cfg.lifetime()))
	var se *sms.Error
	if errors.As(err, &se) && ok {
		// The provider's Retry-After, when it asks for longer.
		if at, last := now.Add(se.RetryAfter), m.Deadline(d.cfg.lifetime()).Add(-time.Second); at.After(next) {
			next = at
			if next.After(last) {
				next = last
			}
		}
	}
	if !ok {
		p.fail(j, fmt.Sprintf("gave up: not delivered by %s (last error: %s)", m.Deadline(d.cfg.lifetime()).Format("2006-01-02 15:04 MST"), err), replyOf(err))
		return
	}
	p.record(j, "deferred", func(q *store.Q) (bool, error) {
		return q.MarkDeferred(context.Background(), m, err.Error(), replyOf(err), next)
	})
	p.count(func(r *Report) { r.Deferred++ })
	d.log.Warn("mail deferred", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "next", next, "error", err.Error())
}

func (p *pipeline) fail(j *job, why, reply string) {
	m := j.m
	p.record(j, "failed", func(q *store.Q) (bool, error) {
		ok, err := q.MarkFailed(context.Background(), m, why, reply)
		if err != nil || !ok || p.d.cfg.Failed == nil {
			return ok, err
		}
		failed := *m
		failed.State, failed.LastError, failed.Reply = store.OutboxFailed, why, reply
		return ok, p.d.cfg.Failed(context.Background(), q, []store.OutboxMessage{failed})
	})
	p.count(func(r *Report) { r.Failed++ })
	p.d.log.Warn("mail failed", "id", m.ID, "kind", m.Kind, "to", m.Recipient, "attempt", m.Attempts, "error", why)
}

// release gives j's message back untried.
func (p *pipeline) release(j *job) {
	now := p.d.cfg.now()
	p.record(j, "released", func(q *store.Q) (bool, error) { return q.ReleaseClaim(context.Background(), j.m, now) })
}

func (p *pipeline) releaseAll(ms []store.OutboxMessage) {
	for i := range ms {
		p.release(&job{m: &ms[i]})
	}
}

// mark writes outcomes in one transaction, even while the worker stops: a
// message the relay took must be marked sent, or it would go out again.
// When the transaction fails, each is tried on its own, so that one that
// cannot be written does not take the others with it.
func (d *deliverer) mark(batch []outcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lost := make([]bool, len(batch))
	err := d.write(ctx, func(q *store.Q) error {
		var sent []store.SentMail
		var at []int // their places in batch
		for i, o := range batch {
			if o.what == "sent" {
				sent = append(sent, store.SentMail{Message: o.j.m, Reply: o.reply, Data: o.j.msg.sent})
				at = append(at, i)
				continue
			}
			ok, err := o.write(q)
			if err != nil {
				return err
			}
			lost[i] = !ok
		}
		if len(sent) == 0 {
			return nil
		}
		ok, err := q.MarkSent(ctx, sent, d.cfg.now())
		if err != nil {
			return err
		}
		for k, i := range at {
			lost[i] = !ok[k]
		}
		return nil
	})
	switch {
	case err != nil && len(batch) > 1:
		for i := range batch {
			d.mark(batch[i : i+1])
		}
		return
	case err != nil:
		d.log.Error("cannot record mail outcome", "id", batch[0].j.m.ID, "outcome", batch[0].what, "err", err)
		return
	}
	d.tick()
	for i, o := range batch {
		if lost[i] {
			d.log.Warn("mail claim lost before its outcome was recorded (its lease ran out)", "id", o.j.m.ID, "outcome", o.what)
		}
	}
}

// NextAttempt is when a message (or a webhook's delivery) that failed for
// the attempts-th time is tried again: after a random wait up to
// base·2^(attempts-1), capped, and no later than a second before giveUp; ok
// is false when that leaves no time.
func NextAttempt(now time.Time, attempts int, giveUp time.Time) (next time.Time, ok bool) {
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
