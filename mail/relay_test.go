package mail

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// twenty invites twenty people.
func (f *fixture) twenty() {
	f.t.Helper()
	var users []admin.NewUser
	for i := range 20 {
		users = append(users, admin.NewUser{Email: fmt.Sprintf("user%02d@acme.test", i)})
	}
	f.invite(users...)
}

// The running worker, with a relay that answers 451 to the first message
// and, as CPython's smtpd does, refuses a second EHLO on a connection: the
// reply to the end of the data ended that transaction, so the next message
// follows at once with no RSET (after which go-smtp would say EHLO again).
// All twenty arrive, the deferred one once flushed, and none is failed.
func TestStrictRelayAfterATemporaryFailure(t *testing.T) {
	f := newFixture(t)
	f.svc.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	f.twenty()
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.tempFails = 1 })
	cfg := f.config(srv.url())
	cfg.Now = nil
	w, err := Start(f.ctx, f.st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	f.waitFor("19 sent and 1 deferred", map[string]int{store.OutboxSent: 19, store.OutboxDeferred: 1})
	if err := w.Flush(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.waitFor("all sent", map[string]int{store.OutboxSent: 20})
	if n := len(srv.received()); n != 20 {
		t.Fatalf("the relay kept %d messages, want 20", n)
	}
	srv.set(func(s *strictServer) {
		if len(s.refused) != 0 {
			t.Errorf("commands refused: %q", s.refused)
		}
	})
}

// waitFor waits until the outbox holds as many messages in each state as
// want says, and fails at once if one is marked failed.
func (f *fixture) waitFor(what string, want map[string]int) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := map[string]int{}
		for _, m := range f.outbox() {
			if got[m.State]++; m.State == store.OutboxFailed {
				f.t.Fatalf("%s failed: %s", m.Recipient, m.LastError)
			}
		}
		if maps.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waiting for %s: the outbox holds %v", what, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// After a refused recipient the transaction is still open: RSET ends it, and
// the EHLO that go-smtp's client sends after RSET, refused by a strict
// relay, costs a new connection, not the next message.
func TestStrictRelayAfterARefusedRecipient(t *testing.T) {
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test"}, admin.NewUser{Email: "paul@acme.test"})
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.rejectRcpt["jean@acme.test"] = 550 })
	if rep := f.deliver(f.config(srv.url())); rep != (Report{Sent: 2, Failed: 1}) {
		t.Fatalf("%+v, want jean failed and the others sent; outbox %+v", rep, f.outbox())
	}
	for _, m := range f.outbox() {
		want := store.OutboxSent
		if m.Recipient == "jean@acme.test" {
			want = store.OutboxFailed
		}
		if m.State != want {
			t.Errorf("%s is %s (%s), want %s", m.Recipient, m.State, m.LastError, want)
		}
	}
}

// A relay that keeps a transaction open after refusing its data answers
// the next MAIL with 503: the relay and roster disagree on where the
// session is, which is no fault of that message. It goes again at once, on
// a new connection.
func TestRelayOutOfStepRetriesOnANewConnection(t *testing.T) {
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test"})
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.tempFails, s.sticky = 1, true })
	if rep := f.deliver(f.config(srv.url())); rep != (Report{Sent: 1, Deferred: 1}) {
		t.Fatalf("%+v, want jean deferred and marie sent; outbox %+v", rep, f.outbox())
	}
	srv.set(func(s *strictServer) {
		if s.connections != 2 || len(s.refused) != 1 || !strings.HasPrefix(s.refused[0], "MAIL") {
			t.Errorf("%d connections, refused %q; want a second connection after one refused MAIL", s.connections, s.refused)
		}
	})
}

// A refused MAIL FROM is about roster's sender, the same in every message,
// not about the message: over its sending quota, the relay refuses the
// next message on a new connection too, and the batch waits, none failed.
func TestRelayRefusingTheSenderDefersTheBatch(t *testing.T) {
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test"}, admin.NewUser{Email: "paul@acme.test"})
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.quota = 1 })
	if rep := f.deliver(f.config(srv.url())); rep != (Report{Sent: 1, Deferred: 2}) {
		t.Fatalf("%+v, want one sent and two deferred; outbox %+v", rep, f.outbox())
	}
	for _, m := range f.outbox()[1:] {
		if m.State != store.OutboxDeferred || m.Reply != "550 5.4.5 Daily sending quota exceeded" {
			t.Errorf("%s: %s, reply %q", m.Recipient, m.State, m.Reply)
		}
	}
	srv.set(func(s *strictServer) {
		if s.connections != 2 {
			t.Errorf("%d connections, want 2: the second message tried again once on a new one", s.connections)
		}
	})
}

// A relay that takes a message's data and never answers costs one timeout,
// not one per message: the whole batch waits for its next attempt.
func TestRelayHangingAfterDataDefersTheBatch(t *testing.T) {
	f := newFixture(t)
	f.twenty()
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.hang = true })
	cfg := f.config(srv.url())
	cfg.Timeout = 100 * time.Millisecond
	began := time.Now()
	if rep := f.deliver(cfg); rep != (Report{Deferred: 20}) {
		t.Fatalf("%+v, want all 20 deferred", rep)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("the pass took %s", d)
	}
	srv.set(func(s *strictServer) {
		if s.datas != 1 {
			t.Errorf("%d messages handed to the hanging relay, want 1", s.datas)
		}
	})
	for i, m := range f.outbox() {
		if m.State != store.OutboxDeferred || m.Attempts != 1 || !m.NextAttemptAt.After(f.clock.Now()) {
			t.Fatalf("%s: %s, attempt %d, next %s", m.Recipient, m.State, m.Attempts, m.NextAttemptAt)
		}
		if i == 0 && (!strings.Contains(m.LastError, "end of DATA") || !strings.Contains(m.LastError, "timeout")) {
			t.Errorf("the first message's error %q, want the end of DATA's timeout", m.LastError)
		}
	}
}

// A relay that takes so many messages on a connection, then ends it, in a
// word (421) or without one, has the next message on a new connection: all
// twenty go in one pass. The session's end was taken for the relay's, and
// the batch waited for the next pass, three messages a pass.
func TestRelayEndingEachConnectionAfterSomeMessages(t *testing.T) {
	for _, says := range []string{"", "421 4.7.0 Too many messages on this connection"} {
		t.Run(fmt.Sprintf("%q", says), func(t *testing.T) {
			f := newFixture(t)
			f.twenty()
			srv := newStrictServer(t)
			srv.set(func(s *strictServer) { s.perConn, s.perConnSays = 3, says })
			if rep := f.deliver(f.config(srv.url())); rep != (Report{Sent: 20}) {
				t.Fatalf("%+v, want all 20 sent", rep)
			}
			if n := len(srv.received()); n != 20 {
				t.Fatalf("the relay kept %d messages, want 20", n)
			}
		})
	}
}

// A relay that serves so many connections from one client at once, and
// greets another with 421 (Postfix's smtpd_client_connection_count_limit),
// has the pass go on over those it has: every
// message goes in one pass, none deferred. The refused connection was
// taken for the relay being down, and the rest of the batch deferred.
func TestRelayLimitingConnectionsAtOnce(t *testing.T) {
	f := newFixture(t)
	var users []admin.NewUser
	for i := range 100 {
		users = append(users, admin.NewUser{Email: fmt.Sprintf("user%03d@acme.test", i)})
	}
	f.invite(users...)
	srv := newStrictServer(t)
	srv.set(func(s *strictServer) { s.maxConns = 2 })
	cfg := f.config(srv.url())
	cfg.Connections = 4
	if rep := f.deliver(cfg); rep != (Report{Sent: 100}) {
		t.Fatalf("%+v, want all 100 sent in one pass", rep)
	}
	var turnedAway int
	srv.set(func(s *strictServer) { turnedAway = s.turnedAway })
	if n := len(srv.received()); n != 100 || turnedAway == 0 {
		t.Fatalf("the relay kept %d messages, want 100, and turned %d connections away (the test needs some)", n, turnedAway)
	}
}
