package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/testdb"
	"roster/store"
)

const owner = "olive.owner@acme.test"

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	svc   *admin.Service
	clock atomic.Int64
	owner admin.Actor
	d     *Deliverer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), owner: admin.Actor{Email: owner, Channel: admin.ChannelCLI}}
	f.clock.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Unix())
	st, err := store.Open(f.ctx, testdb.DSN(t)) // SQLite, or PostgreSQL with ROSTER_TEST_POSTGRES
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.svc = st, admin.New(st)
	f.svc.Now = f.now
	if err := f.svc.Init(f.ctx, "Acme", owner, "Olive", "Owner", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	f.d = New(st, Options{Now: f.now, Timeout: 2 * time.Second})
	return f
}

func (f *fixture) now() time.Time { return time.Unix(f.clock.Load(), 0).UTC() }

func (f *fixture) allowPrivate(allow bool) {
	f.t.Helper()
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) invite(email string) {
	f.t.Helper()
	res, err := f.svc.Invite(f.ctx, f.owner, []admin.NewUser{{Email: email}}, admin.InviteOptions{})
	if err != nil || res[0].Err != nil {
		f.t.Fatalf("invite %s: %v %v", email, err, res[0].Err)
	}
}

func (f *fixture) pass() Report {
	f.t.Helper()
	r, err := f.d.Pass(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) deliveries(id int64) []store.Delivery {
	f.t.Helper()
	ds, err := f.svc.WebhookDeliveries(f.ctx, f.owner, id, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return ds
}

// receiver is a webhook receiver that checks each request's signature as
// the Standard Webhooks specification describes it, written here apart from
// the code that signs.
type receiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	got    []map[string]any
	bad    []string
	answer atomic.Int32 // the status it answers
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.answer.Store(http.StatusOK)
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(rw http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts, sigs := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	key, _ := base64.StdEncoding.DecodeString(r.secret[len("whsec_"):])
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	ok := false
	for _, s := range strings.Fields(sigs) {
		if v, sig, _ := strings.Cut(s, ","); v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			ok = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok || id == "" || ts == "" {
		r.bad = append(r.bad, id)
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	m["webhook-id"] = id
	r.got = append(r.got, m)
	rw.WriteHeader(int(r.answer.Load()))
	io.WriteString(rw, "thanks")
}

func (r *receiver) received() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.got...)
}

func (f *fixture) subscribe(r *receiver, events ...string) int64 {
	f.t.Helper()
	secret, w, err := f.svc.AddWebhook(f.ctx, f.owner, r.URL+"/hooks", events)
	if err != nil {
		f.t.Fatal(err)
	}
	r.secret = secret
	return w.ID
}

// An event is queued with the act that causes it, delivered signed, and
// the receiver's answer kept; an act that fails queues nothing.
func TestEventsAreQueuedAndDeliveredSigned(t *testing.T) {
	f := newFixture(t)
	f.allowPrivate(true)
	r := newReceiver(t)
	id := f.subscribe(r, "user.invited", "user.deactivated")
	f.invite("ann@acme.test")
	if _, err := f.svc.Invite(f.ctx, f.owner, []admin.NewUser{{Email: "maintenance@acme.test"}}, admin.InviteOptions{}); err != nil {
		t.Fatal(err)
	}
	ds := f.deliveries(id)
	if len(ds) != 1 || ds[0].State != store.DeliveryQueued || ds[0].EventType != "user.invited" {
		t.Fatalf("queued: %+v", ds)
	}
	if rep := f.pass(); rep.Delivered != 1 {
		t.Fatalf("pass: %+v", rep)
	}
	got := r.received()
	if len(got) != 1 || got[0]["type"] != "user.invited" || got[0]["data"].(map[string]any)["target"] != "ann@acme.test" || len(r.bad) != 0 {
		t.Fatalf("received %v, refused %v", got, r.bad)
	}
	// sequence orders the events: the audit row's ID, as webhook-id says.
	if seq, ok := got[0]["sequence"].(float64); !ok || seq <= 0 || got[0]["webhook-id"] != fmt.Sprintf("msg_%d", int64(seq)) {
		t.Errorf("sequence %v, webhook-id %v", got[0]["sequence"], got[0]["webhook-id"])
	}
	ds = f.deliveries(id)
	if ds[0].State != store.DeliveryDelivered || ds[0].LastStatus != 200 || ds[0].Response != "thanks" {
		t.Errorf("after delivery: %+v", ds[0])
	}
}

// 5xx and no answer are retried with backoff until delivered; another 4xx
// than 408 and 429 fails at once; nothing is lost while the receiver is
// down, and each retry keeps the event's ID.
func TestRetriesAndFailures(t *testing.T) {
	f := newFixture(t)
	f.allowPrivate(true)
	r := newReceiver(t)
	id := f.subscribe(r, "all")
	f.invite("ann@acme.test")
	r.answer.Store(http.StatusServiceUnavailable)
	if rep := f.pass(); rep.Retried != 1 {
		t.Fatalf("a 503: %+v", rep)
	}
	if rep := f.pass(); rep != (Report{}) {
		t.Fatalf("retried before its time: %+v", rep)
	}
	r.answer.Store(http.StatusTooManyRequests)
	f.clock.Add(3600)
	if rep := f.pass(); rep.Retried != 1 {
		t.Fatalf("a 429: %+v", rep)
	}
	r.answer.Store(http.StatusOK)
	f.clock.Add(3600)
	if rep := f.pass(); rep.Delivered != 1 {
		t.Fatalf("then a 200: %+v", rep)
	}
	got := r.received()
	if len(got) != 3 || got[0]["webhook-id"] != got[2]["webhook-id"] {
		t.Errorf("three attempts of one event: %v", got)
	}
	ds := f.deliveries(id)
	if ds[0].Attempts != 3 || ds[0].State != store.DeliveryDelivered {
		t.Errorf("after three attempts: %+v", ds[0])
	}

	r.answer.Store(http.StatusBadRequest)
	f.invite("bob@acme.test")
	if rep := f.pass(); rep.Failed != 1 {
		t.Fatalf("a 400: %+v", rep)
	}

	// The receiver is down for the whole run, then comes back on its address.
	addr := strings.TrimPrefix(r.URL, "http://")
	r.Close()
	f.invite("carl@acme.test")
	for range 5 {
		if rep := f.pass(); rep.Retried != 1 {
			t.Fatalf("while down: %+v", rep)
		}
		f.clock.Add(3600)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the receiver's port was taken meanwhile: %v", err)
	}
	r.answer.Store(http.StatusOK)
	back := &http.Server{Handler: http.HandlerFunc(r.serve)}
	go back.Serve(ln)
	defer back.Close()
	if rep := f.pass(); rep.Delivered != 1 {
		t.Fatalf("once back: %+v", rep)
	}
	last := r.received()
	if d := last[len(last)-1]["data"].(map[string]any); d["target"] != "carl@acme.test" {
		t.Errorf("the event delivered once back: %v", d)
	}
	// Past its lifetime, a delivery fails rather than being retried forever.
	r.answer.Store(http.StatusBadGateway)
	f.invite("dan@acme.test")
	f.clock.Add(int64(73 * time.Hour / time.Second))
	if rep := f.pass(); rep.Failed != 1 {
		t.Fatalf("past its lifetime: %+v", rep)
	}
}

// Receivers on loopback and private addresses are refused unless the
// account allows them, when the webhook is added and again when it is
// delivered to; only http(s) URLs are taken.
func TestReceiversOnPrivateAddresses(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	var in *admin.InputError
	for _, u := range []string{r.URL, "http://10.1.2.3/x", "http://[::1]:8080/", "http://169.254.169.254/latest/meta-data", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::1]/", "ftp://example.com/", "http://user:pw@example.com/"} {
		if _, _, err := f.svc.AddWebhook(f.ctx, f.owner, u, []string{"all"}); !errors.As(err, &in) {
			t.Errorf("%s: %v, want refused", u, err)
		}
	}
	if _, _, err := f.svc.AddWebhook(f.ctx, f.owner, "https://example.com/", []string{"user.flew"}); !errors.As(err, &in) {
		t.Errorf("an unknown event: %v", err)
	}
	f.allowPrivate(true)
	id := f.subscribe(r, "user.invited")
	f.allowPrivate(false)
	f.invite("ann@acme.test")
	if rep := f.pass(); rep.Retried != 1 {
		t.Fatalf("delivering to loopback once no longer allowed: %+v", rep)
	}
	if ds := f.deliveries(id); !strings.Contains(ds[0].LastError, "loopback") || len(r.received()) != 0 {
		t.Errorf("the attempt: %+v, received %d", ds[0], len(r.received()))
	}
}

// hangingReceiver takes each request and answers it (200) only once the
// test releases it, or when the attempt gives up. It keeps how many it
// held at once, at most.
type hangingReceiver struct {
	*httptest.Server
	release   chan struct{}
	releaseMu sync.Once
	took      chan struct{} // a request was taken
	mu        sync.Mutex
	held      int
	most      int
}

func newHangingReceiver(t *testing.T) *hangingReceiver {
	h := &hangingReceiver{release: make(chan struct{}), took: make(chan struct{}, 1000)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		h.mu.Lock()
		h.held++
		h.most = max(h.most, h.held)
		h.mu.Unlock()
		h.took <- struct{}{}
		select {
		case <-h.release:
		case <-req.Context().Done():
		}
		h.mu.Lock()
		h.held--
		h.mu.Unlock()
		io.WriteString(rw, "at last")
	}))
	t.Cleanup(h.Close)
	t.Cleanup(h.let) // before Close, which waits for the requests held
	return h
}

// let releases the requests held, and answers the next ones at once.
func (h *hangingReceiver) let() { h.releaseMu.Do(func() { close(h.release) }) }

// holding reports the requests held now, and the most held at once.
func (h *hangingReceiver) holding() (now, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held, h.most
}

// states counts a subscription's deliveries by state.
func (f *fixture) states(id int64) map[string]int {
	f.t.Helper()
	n := map[string]int{}
	for _, d := range f.deliveries(id) {
		n[d.State]++
	}
	return n
}

// A receiver that hangs holds up no other subscription's deliveries: while
// it holds perWebhook requests (and no more), the healthy receiver's are
// all delivered and recorded, each once; once it answers, its own are.
func TestHangingReceiverHoldsUpNoOther(t *testing.T) {
	const events = 40
	f := newFixture(t)
	f.d = New(f.st, Options{Now: f.now, Timeout: time.Minute}) // it hangs until released
	f.allowPrivate(true)
	h := newHangingReceiver(t)
	_, hook, err := f.svc.AddWebhook(f.ctx, f.owner, h.URL+"/hooks", []string{"user.invited"})
	if err != nil {
		t.Fatal(err)
	}
	r := newReceiver(t)
	healthy := f.subscribe(r, "user.invited")
	var users []admin.NewUser
	for i := range events {
		users = append(users, admin.NewUser{Email: fmt.Sprintf("u%d@acme.test", i)})
	}
	if _, err := f.svc.Invite(f.ctx, f.owner, users, admin.InviteOptions{}); err != nil {
		t.Fatal(err)
	}

	type result struct {
		rep Report
		err error
	}
	passed := make(chan result, 1)
	go func() {
		rep, err := f.d.Pass(f.ctx)
		passed <- result{rep, err}
	}()
	var res *result
	t.Cleanup(func() { // the pass ends before the store is closed
		h.let()
		if res == nil {
			<-passed
		}
	})

	// Deadline of the wait, not a measure of it: the healthy deliveries
	// take a fraction of a second.
	for deadline := time.Now().Add(30 * time.Second); ; {
		n := f.states(healthy)
		held, _ := h.holding()
		if n[store.DeliveryDelivered] == events && held == perWebhook {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the healthy receiver's deliveries while the other holds %d requests: %v (received %d)", held, n, len(r.received()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	held, most := h.holding()
	if n := f.states(hook.ID); held != perWebhook || most != perWebhook || n[store.DeliverySending] != perWebhook || n[store.DeliveryDelivered] != 0 {
		t.Errorf("the hanging receiver holds %d requests (at most %d), its deliveries %v; want %d sending", held, most, n, perWebhook)
	}
	seen := map[any]int{}
	for _, m := range r.received() {
		seen[m["webhook-id"]]++
	}
	if len(seen) != events || len(r.received()) != events {
		t.Errorf("the healthy receiver got %d requests for %d events, want each of %d once", len(r.received()), len(seen), events)
	}

	h.let()
	got := <-passed
	res = &got
	if got.err != nil || got.rep != (Report{Delivered: 2 * events}) {
		t.Fatalf("the pass: %+v, %v", got.rep, got.err)
	}
	if n := f.states(hook.ID); n[store.DeliveryDelivered] != events {
		t.Errorf("the hanging receiver's deliveries once it answered: %v", n)
	}
	if _, most := h.holding(); most > perWebhook {
		t.Errorf("the hanging receiver held %d requests at once, want at most %d", most, perWebhook)
	}
}

// A worker told to stop waits for the attempt under way and records it: a
// delivery the receiver took, and answered after the stop, is recorded
// delivered, not left to be sent again once its lease runs out.
func TestStopRecordsTheAttemptUnderWay(t *testing.T) {
	f := newFixture(t)
	f.allowPrivate(true)
	h := newHangingReceiver(t)
	_, hook, err := f.svc.AddWebhook(f.ctx, f.owner, h.URL+"/hooks", []string{"user.invited"})
	if err != nil {
		t.Fatal(err)
	}
	f.invite("ann@acme.test")
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	w := Start(ctx, f.st, Options{Now: f.now, Timeout: time.Minute, Poll: 10 * time.Millisecond})
	select {
	case <-h.took:
	case <-time.After(30 * time.Second):
		t.Fatal("the delivery was not attempted")
	}
	cancel()
	h.let()
	w.Stop()
	ds := f.deliveries(hook.ID)
	if len(ds) != 1 || ds[0].State != store.DeliveryDelivered || ds[0].LastStatus != 200 || ds[0].Response != "at last" {
		t.Fatalf("the delivery taken as the worker stopped: %+v", ds)
	}
}

// A worker told to stop does not wait past its grace for a receiver that
// hangs: the attempt is cut short and recorded as due again at once, and
// the next pass delivers it.
func TestStopCutsAReceiverThatHangs(t *testing.T) {
	f := newFixture(t)
	f.allowPrivate(true)
	h := newHangingReceiver(t)
	_, hook, err := f.svc.AddWebhook(f.ctx, f.owner, h.URL+"/hooks", []string{"user.invited"})
	if err != nil {
		t.Fatal(err)
	}
	f.invite("ann@acme.test")
	d := New(f.st, Options{Now: f.now, Timeout: time.Minute})
	d.grace = 50 * time.Millisecond
	w := d.start(f.ctx, 10*time.Millisecond)
	select {
	case <-h.took:
	case <-time.After(30 * time.Second):
		t.Fatal("the delivery was not attempted")
	}
	w.Stop()
	ds := f.deliveries(hook.ID)
	if len(ds) != 1 || ds[0].State != store.DeliveryQueued || !ds[0].NextAt.Equal(f.now()) || ds[0].Attempts != 1 ||
		!strings.Contains(ds[0].LastError, "stopped") {
		t.Fatalf("the delivery cut short by the stop: %+v", ds)
	}
	h.let()
	if rep := f.pass(); rep != (Report{Delivered: 1}) {
		t.Fatalf("the next pass: %+v", rep)
	}
}
