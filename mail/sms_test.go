package mail

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/store"
)

const phone = "+33612345678"

// queueSMS queues an SMS of text, as admin's notices do.
func (f *fixture) queueSMS(text string) int64 {
	f.t.Helper()
	data, _ := json.Marshal(store.MailData{Account: "Acme", Body: text})
	now := f.clock.Now()
	m := &store.OutboxMessage{Channel: store.ChannelSMS, Kind: store.MailNotice, Recipient: phone, Locale: "en", Data: string(data),
		MessageID: fmt.Sprintf("<sms-%d@acme.test>", now.UnixNano()+int64(len(text))), CreatedAt: now, GiveUpAt: now.Add(24 * time.Hour)}
	if err := f.st.Write(f.ctx, func(q *store.Q) error { return q.Enqueue(f.ctx, m) }); err != nil {
		f.t.Fatal(err)
	}
	return m.ID
}

func (f *fixture) message(id int64) store.OutboxMessage {
	f.t.Helper()
	for _, m := range f.outbox() {
		if m.ID == id {
			return m
		}
	}
	f.t.Fatalf("no message %d", id)
	return store.OutboxMessage{}
}

// With no provider, an SMS is kept beside the captured mail, and shown as
// its recipient's phone would show it; the mail of the same pass goes to
// the capture server as ever.
func TestSMSCapturedWithoutProvider(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	id := f.queueSMS("Acme: Ann accepted your invitation and joined.")
	if rep := f.deliver(f.config("")); rep.Sent != 2 {
		t.Fatalf("report %+v, want the mail and the SMS sent", rep)
	}
	m := f.message(id)
	if m.State != store.OutboxSent || m.Channel != store.ChannelSMS || !strings.HasPrefix(m.Reply, "captured as #") {
		t.Fatalf("the SMS: %+v", m)
	}
	cs, err := f.st.Read().CapturedMails(f.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].From != "sms" || cs[0].To[0] != phone || cs[0].Subject != "Acme: Ann accepted your invitation and joined." {
		t.Fatalf("captured %+v", cs)
	}
	shown, err := f.show(f.config(""), id)
	if err != nil {
		t.Fatal(err)
	}
	if shown.Captured == nil || shown.Text != "Acme: Ann accepted your invitation and joined." || !hasHeader(shown, "X-SMS-Segments", "1 GSM-7") {
		t.Fatalf("shown %+v", shown)
	}
}

func hasHeader(m *Message, name, value string) bool {
	for _, h := range m.Header {
		if h.Name == name && h.Value == value {
			return true
		}
	}
	return false
}

// gateway is an SMS gateway answering each request with the next of its
// answers (the last one for ever after).
type gateway struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	got     []string // the bodies received
}

type answer struct {
	status     int
	retryAfter string
	body       string
}

func newGateway(t *testing.T, answers ...answer) *gateway {
	g := &gateway{answers: answers}
	g.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		a := g.answers[min(len(g.got), len(g.answers)-1)]
		g.got = append(g.got, string(body))
		g.mu.Unlock()
		if r.Header.Get("webhook-signature") == "" {
			a = answer{status: http.StatusUnauthorized, body: "unsigned"}
		}
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.got)
}

func (f *fixture) gatewayConfig(g *gateway) Config {
	cfg := f.config("")
	cfg.SMS, cfg.SMSSecret, cfg.HTTPClient = g.URL+"/send", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", g.Client()
	return cfg
}

// A gateway that answers 5xx or 429 has the SMS tried again with backoff,
// the rest of the batch deferred without a request each, and a 429's
// Retry-After honoured; a 4xx fails the SMS for good with the gateway's
// answer kept; a 2xx sends it. Mail is not held up by the SMS' provider.
func TestSMSRetriedAndFailed(t *testing.T) {
	f := newFixture(t)
	g := newGateway(t,
		answer{status: http.StatusServiceUnavailable, body: "down for maintenance"},
		answer{status: http.StatusTooManyRequests, retryAfter: "3600", body: `{"error": "slow down"}`},
		answer{status: http.StatusOK, body: `{"id": "gw-1"}`},
		answer{status: http.StatusBadRequest, body: `{"error": "+33612345678 is not a mobile number"}`})
	cfg := f.gatewayConfig(g)
	a, b := f.queueSMS("first"), f.queueSMS("second")
	f.invite(jean)

	// 503: the first deferred with backoff, the second deferred untried.
	if rep := f.deliver(cfg); rep.Sent != 1 || rep.Deferred != 2 || g.requests() != 1 {
		t.Fatalf("503: report %+v, %d requests; want the mail sent, both SMS deferred after one request", rep, g.requests())
	}
	now := f.clock.Now()
	for _, id := range []int64{a, b} {
		m := f.message(id)
		if m.State != store.OutboxDeferred || !m.NextAttemptAt.After(now) || m.NextAttemptAt.After(now.Add(backoffBase+time.Second)) {
			t.Fatalf("503: %+v", m)
		}
	}
	if m := f.message(a); m.Reply != "down for maintenance" || !strings.Contains(m.LastError, "503") {
		t.Fatalf("503: the answer kept %q, error %q", m.Reply, m.LastError)
	}

	// 429 with Retry-After: an hour, longer than the backoff.
	f.clock.advance(time.Hour)
	if rep := f.deliver(cfg); rep.Deferred != 2 || g.requests() != 2 {
		t.Fatalf("429: report %+v, %d requests", rep, g.requests())
	}
	now = f.clock.Now()
	for _, id := range []int64{a, b} {
		if m := f.message(id); m.State != store.OutboxDeferred || m.NextAttemptAt.Before(now.Add(time.Hour)) {
			t.Fatalf("429: next attempt %s, want an hour after %s", m.NextAttemptAt, now)
		}
	}
	f.clock.advance(59 * time.Minute)
	if rep := f.deliver(cfg); rep != (Report{}) {
		t.Fatalf("before the Retry-After: %+v", rep)
	}

	// 200 for the first, 400 for the second: sent, and failed for good.
	f.clock.advance(time.Minute)
	if rep := f.deliver(cfg); rep.Sent != 1 || rep.Failed != 1 || g.requests() != 4 {
		t.Fatalf("200 then 400: report %+v, %d requests", rep, g.requests())
	}
	if m := f.message(a); m.State != store.OutboxSent || m.Reply != `200 {"id": "gw-1"}` || m.Attempts != 3 {
		t.Fatalf("sent: %+v", m)
	}
	m := f.message(b)
	if m.State != store.OutboxFailed || m.Reply != `{"error": "+33612345678 is not a mobile number"}` || !strings.Contains(m.LastError, "400 Bad Request") {
		t.Fatalf("failed: %+v", m)
	}
	f.clock.advance(24 * time.Hour)
	if rep := f.deliver(cfg); rep != (Report{}) || g.requests() != 4 {
		t.Fatalf("a failed SMS was tried again: %+v, %d requests", rep, g.requests())
	}
	var body struct{ ID, To, Body string }
	if err := json.Unmarshal([]byte(g.got[2]), &body); err != nil || body.To != phone || body.Body != "first" || body.ID == "" || strings.ContainsAny(body.ID, "<>") {
		t.Fatalf("the body posted: %s, %v", g.got[2], err)
	}
}
