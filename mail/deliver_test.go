package mail

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"roster/admin"
	"roster/internal/testdb"
	"roster/store"
)

var jean = admin.NewUser{Email: "jean@acme.test", FirstName: "Jean", LastName: "Dupont", Locale: "fr"}

func TestServerDownThenUpDeliversOnce(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	addr := freeAddr(t)
	cfg := f.config("smtp://" + addr)

	if rep := f.deliver(cfg); rep != (Report{Deferred: 1}) {
		t.Fatalf("relay down: %+v, want one deferred", rep)
	}
	m := f.only()
	if m.State != store.OutboxDeferred || m.Attempts != 1 || !strings.Contains(m.LastError, "connect") {
		t.Fatalf("after a refused connection: %s, attempt %d, %q", m.State, m.Attempts, m.LastError)
	}
	if wait := m.NextAttemptAt.Sub(start); wait < time.Second || wait > backoffBase+time.Second {
		t.Fatalf("first retry in %s, want within (0, %s]", wait, backoffBase)
	}

	srv := newTestServer(t, addr)
	if rep := f.deliver(cfg); rep != (Report{}) {
		t.Fatalf("before its next attempt: %+v, want nothing done", rep)
	}
	f.clock.advance(backoffBase + time.Second)
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("relay up: %+v, want one sent", rep)
	}
	f.clock.advance(time.Hour)
	f.deliver(cfg)
	if got := srv.received(); len(got) != 1 {
		t.Fatalf("the relay got %d messages, want exactly 1", len(got))
	}
	m = f.only()
	if m.State != store.OutboxSent || m.Attempts != 2 || !strings.HasPrefix(m.Reply, "250 ") || m.LastError != "" {
		t.Fatalf("after delivery: %s, attempt %d, reply %q, error %q", m.State, m.Attempts, m.Reply, m.LastError)
	}
}

func TestTemporaryFailuresAreRetriedWithBackoff(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	srv.set(func(s *testServer) { s.tempFails = 3 })
	cfg := f.config(srv.url())

	for attempt := 1; attempt <= 3; attempt++ {
		if rep := f.deliver(cfg); rep != (Report{Deferred: 1}) {
			t.Fatalf("attempt %d: %+v, want deferred", attempt, rep)
		}
		m := f.only()
		if m.State != store.OutboxDeferred || m.Attempts != attempt || m.Reply != "451 4.3.0 Try again later" {
			t.Fatalf("attempt %d: %s, attempts %d, reply %q", attempt, m.State, m.Attempts, m.Reply)
		}
		ceiling := backoffBase << (attempt - 1)
		if wait := m.NextAttemptAt.Sub(f.clock.Now()); wait < time.Second || wait > ceiling+time.Second {
			t.Fatalf("attempt %d: next in %s, want within (0, %s]", attempt, wait, ceiling)
		}
		f.clock.advance(ceiling + time.Second)
	}
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("fourth attempt: %+v, want sent", rep)
	}
	if m := f.only(); m.State != store.OutboxSent || m.Attempts != 4 {
		t.Fatalf("after delivery: %s, attempts %d", m.State, m.Attempts)
	}
	if n := len(srv.received()); n != 1 {
		t.Fatalf("the relay kept %d messages, want 1", n)
	}
}

// jeanRefused invites jean, then marie, and gives the relay that refuses
// jean's address (RCPT TO) with refusal, and the config to reach it on one
// connection (no STARTTLS probe).
func jeanRefused(t *testing.T, refusal *smtp.SMTPError) (*fixture, *testServer, Config) {
	t.Helper()
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test", Locale: "en"})
	srv := newTestServer(t, "")
	srv.set(func(s *testServer) { s.rejectRcpt["jean@acme.test"] = refusal })
	return f, srv, f.config(srv.url() + "?starttls=off")
}

func TestPermanentFailureFailsAtOnce(t *testing.T) {
	f, srv, cfg := jeanRefused(t, &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"})

	if rep := f.deliver(cfg); rep != (Report{Sent: 1, Failed: 1}) {
		t.Fatalf("%+v, want one sent and one failed", rep)
	}
	f.clock.advance(24 * time.Hour)
	f.deliver(cfg)
	ms := f.outbox()
	if ms[0].State != store.OutboxFailed || ms[0].Attempts != 1 || ms[0].Reply != "550 5.1.1 No such user here" ||
		!strings.Contains(ms[0].LastError, "RCPT TO") {
		t.Fatalf("refused message: %s, attempts %d, reply %q, error %q", ms[0].State, ms[0].Attempts, ms[0].Reply, ms[0].LastError)
	}
	// The connection went on after the refusal: the next message used it.
	if ms[1].State != store.OutboxSent {
		t.Fatalf("the message after the refused one is %s", ms[1].State)
	}
	if conns, _ := srv.stats(); conns != 1 {
		t.Fatalf("%d connections, want 1 for both messages", conns)
	}
}

// A 552 to RCPT (a full mailbox) is temporary, as RFC 5321 has clients take
// it: the invitation waits and goes once the mailbox takes it, within the
// link's life. It failed at once, for good. The connection goes on.
func TestFullMailboxIsRetried(t *testing.T) {
	f, srv, cfg := jeanRefused(t, &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "Mailbox full"})
	if rep := f.deliver(cfg); rep != (Report{Sent: 1, Deferred: 1}) {
		t.Fatalf("%+v, want one sent and jean's deferred", rep)
	}
	if m := f.outbox()[0]; m.State != store.OutboxDeferred || m.Reply != "552 5.2.2 Mailbox full" {
		t.Fatalf("jean's: %s, reply %q", m.State, m.Reply)
	}
	if conns, _ := srv.stats(); conns != 1 {
		t.Fatalf("%d connections, want 1 for both messages", conns)
	}
	srv.set(func(s *testServer) { delete(s.rejectRcpt, "jean@acme.test") })
	f.clock.advance(6 * time.Hour)
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("%+v, want jean's sent once the mailbox takes it", rep)
	}
}

func TestConnectionDroppedDuringDataIsRetried(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	srv.set(func(s *testServer) { s.dropInData = 1 })
	cfg := f.config(srv.url())

	if rep := f.deliver(cfg); rep != (Report{Deferred: 1}) {
		t.Fatalf("dropped: %+v, want deferred", rep)
	}
	if m := f.only(); !strings.Contains(m.LastError, "end of DATA") {
		t.Fatalf("last error %q, want the end of DATA named", m.LastError)
	}
	f.clock.advance(backoffBase + time.Second)
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("retry: %+v, want sent", rep)
	}
	if n := len(srv.received()); n != 1 {
		t.Fatalf("the relay kept %d messages, want 1", n)
	}
	if m := f.only(); m.State != store.OutboxSent || m.Attempts != 2 {
		t.Fatalf("%s after %d attempts", m.State, m.Attempts)
	}
}

func TestAuthentication(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	users := map[string]string{"roster": "s3cret pass"}
	for _, tc := range []struct {
		name      string
		userinfo  string
		tls       bool
		wantState string
		wantError string
		loginOnly bool
		wantTries int
	}{
		{"no credentials", "", true, store.OutboxDeferred, "530 5.7.0 Authentication required", false, 0},
		{"refused", "roster:wrong@", true, store.OutboxDeferred, "AUTH: 535 5.7.8 Authentication failed", false, 1},
		{"accepted", "roster:s3cret%20pass@", true, store.OutboxSent, "", false, 1},
		{"LOGIN when PLAIN is not offered", "roster:s3cret%20pass@", true, store.OutboxSent, "", true, 1},
		{"never without TLS", "roster:s3cret%20pass@", false, store.OutboxDeferred, "only sent over TLS", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.invite(jean)
			opts := []serverOption{withUsers(users)}
			if tc.tls {
				opts = append(opts, withTLS(serverTLS))
			}
			srv := newTestServer(t, "", opts...)
			srv.set(func(s *testServer) { s.loginOnly = tc.loginOnly })
			cfg := f.config("smtp://" + tc.userinfo + srv.addr)
			cfg.TLS = clientTLS
			f.deliver(cfg)
			m := f.only()
			if m.State != tc.wantState || !strings.Contains(m.LastError, tc.wantError) {
				t.Fatalf("%s, %q; want %s, %q", m.State, m.LastError, tc.wantState, tc.wantError)
			}
			if strings.Contains(m.LastError, "s3cret") {
				t.Fatalf("the password is in the outbox: %q", m.LastError)
			}
			if _, tries := srv.stats(); tries != tc.wantTries {
				t.Fatalf("%d AUTH attempts reached the server, want %d", tries, tc.wantTries)
			}
			if tc.wantState == store.OutboxSent {
				got := srv.received()
				if len(got) != 1 || got[0].user != "roster" || !got[0].tls {
					t.Fatalf("received %+v, want one message from user roster over TLS", got)
				}
			}
		})
	}
}

// A relay that wants credentials refuses every message alike: the batch
// waits after the first refusal instead of asking again for each message.
func TestCredentialsRefusedDefersTheBatch(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "marie@acme.test"}, admin.NewUser{Email: "paul@acme.test"})
	srv := newTestServer(t, "", withTLS(serverTLS), withUsers(map[string]string{"roster": "pass"}))
	cfg := f.config(srv.url())
	cfg.TLS = clientTLS
	if rep := f.deliver(cfg); rep != (Report{Deferred: 3}) {
		t.Fatalf("%+v, want all three deferred", rep)
	}
	var mails int
	srv.set(func(s *testServer) { mails = s.mailCmds })
	if mails != 1 {
		t.Fatalf("%d MAIL commands, want 1", mails)
	}
	for _, m := range f.outbox() {
		if !strings.Contains(m.LastError, "530 5.7.0") {
			t.Fatalf("%s: %q", m.Recipient, m.LastError)
		}
	}
}

func TestTLS(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	for _, tc := range []struct {
		name      string
		serverTLS bool
		query     string
		clientTLS bool
		scheme    string
		wantState string
		wantTLS   bool
		wantError string
	}{
		{"STARTTLS when offered", true, "", true, "smtp", store.OutboxSent, true, ""},
		{"plain when not offered", false, "", true, "smtp", store.OutboxSent, false, ""},
		{"required and not offered", false, "?starttls=required", true, "smtp", store.OutboxDeferred, false, "STARTTLS"},
		{"untrusted certificate", true, "", false, "smtp", store.OutboxDeferred, false, "certificate"},
		{"off", true, "?starttls=off", true, "smtp", store.OutboxSent, false, ""},
		{"implicit TLS", true, "", true, "smtps", store.OutboxSent, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.invite(jean)
			var srv *testServer
			if tc.scheme == "smtps" {
				srv = newTestServer(t, "", withImplicitTLS(serverTLS))
			} else if tc.serverTLS {
				srv = newTestServer(t, "", withTLS(serverTLS))
			} else {
				srv = newTestServer(t, "")
			}
			cfg := f.config(tc.scheme + "://" + srv.addr + tc.query)
			if tc.clientTLS {
				cfg.TLS = clientTLS
			}
			f.deliver(cfg)
			m := f.only()
			if m.State != tc.wantState || !strings.Contains(m.LastError, tc.wantError) {
				t.Fatalf("%s, %q; want %s, %q", m.State, m.LastError, tc.wantState, tc.wantError)
			}
			got := srv.received()
			if tc.wantState == store.OutboxSent && (len(got) != 1 || got[0].tls != tc.wantTLS) {
				t.Fatalf("received %d, over TLS %v; want 1, over TLS %v", len(got), len(got) > 0 && got[0].tls, tc.wantTLS)
			}
			if tc.wantState != store.OutboxSent && len(got) != 0 {
				t.Fatalf("the relay got %d messages, want none", len(got))
			}
		})
	}
}

func TestNonASCIIDisplayName(t *testing.T) {
	f := newFixture(t)
	f.invite(admin.NewUser{Email: "elodie@acme.test", FirstName: "Élodie", LastName: "Müller-Straße", Locale: "fr"})
	srv := newTestServer(t, "")
	f.deliver(f.config(srv.url()))
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	if got[0].to[0] != "elodie@acme.test" {
		t.Fatalf("envelope recipient %q", got[0].to[0])
	}
	for _, l := range strings.Split(string(got[0].raw), "\r\n") {
		if strings.HasPrefix(l, "To:") && !strings.Contains(l, "=?utf-8?") {
			t.Fatalf("non-ASCII To header not encoded: %q", l)
		}
	}
	to, err := got[0].msg(t).Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Élodie Müller-Straße" || to[0].Address != "elodie@acme.test" {
		t.Fatalf("To decodes to %v (%v)", to, err)
	}
}

// A relay that does not offer SMTPUTF8 takes an address whose domain alone
// is past ASCII, written in its ASCII form; one whose local part is past
// ASCII fails at once, saying why, and the messages after it go on.
func TestAddressesPastASCIIOnARelayWithoutSMTPUTF8(t *testing.T) {
	f := newFixture(t)
	f.invite(admin.NewUser{Email: "jan@münchen.example", FirstName: "Jan", Locale: "en"},
		admin.NewUser{Email: "zoé@acme.test", FirstName: "Zoé", Locale: "fr"},
		admin.NewUser{Email: "ann@acme.test", FirstName: "Ann", Locale: "en"})
	// Ann's invitation, as zoé@acme.test sends it once an administrator.
	raw := testdb.OpenRaw(t, f.dsn)
	set := "json_set(data, '$.inviter_email', ?1)"
	if f.st.Postgres() {
		set = "(data::jsonb || jsonb_build_object('inviter_email', ?1::text))::text"
	}
	if _, err := raw.Exec(`UPDATE outbox SET data = `+set+` WHERE recipient = ?2`, "zoé@acme.test", "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, "", withoutSMTPUTF8())
	if rep := f.deliver(f.config(srv.url() + "?starttls=off")); rep != (Report{Sent: 2, Failed: 1}) {
		t.Fatalf("%+v, want two sent and one failed: %+v", rep, f.outbox())
	}
	got := srv.received()
	if len(got) != 2 || got[0].to[0] != "jan@xn--mnchen-3ya.example" || got[1].to[0] != "ann@acme.test" {
		t.Fatalf("the relay got %+v", got)
	}
	for _, r := range got {
		if !isASCII(string(r.raw)) {
			t.Fatalf("a message past ASCII went to a relay without SMTPUTF8:\n%s", r.raw)
		}
	}
	if to, err := got[0].msg(t).Header.AddressList("To"); err != nil || to[0].Address != "jan@xn--mnchen-3ya.example" {
		t.Fatalf("To is %v (%v)", to, err)
	}
	if h := got[1].msg(t).Header; h.Get("Reply-To") != "" || !strings.Contains(got[1].text(t), "zoé@acme.test") {
		t.Fatalf("Reply-To %q, text:\n%s", h.Get("Reply-To"), got[1].text(t))
	}
	for _, m := range f.outbox() {
		if m.Recipient == "zoé@acme.test" && (m.State != store.OutboxFailed || !strings.Contains(m.LastError, "SMTPUTF8")) {
			t.Fatalf("zoé's invitation is %s: %q", m.State, m.LastError)
		}
	}
}

func TestHeaderInjection(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	// Text written by another tool, which admin's checks never saw: CR LF
	// and a Bcc field in the recipient's name, and in the inviter's and the
	// account's names, which the subject holds.
	raw := testdb.OpenRaw(t, f.dsn)
	set := "json_set(data, '$.inviter', ?2, '$.account', ?3)"
	if f.st.Postgres() {
		set = "(data::jsonb || jsonb_build_object('inviter', ?2::text, 'account', ?3::text))::text"
	}
	if _, err := raw.Exec(`UPDATE outbox SET recipient_name = ?1, data = `+set,
		"Jean\r\nBcc: c@evil.test", "Boss\r\nBcc: b@evil.test", "Acme\r\nBcc: a@evil.test"); err != nil {
		t.Fatal(err)
	}
	f.deliver(f.config(srv.url()))
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("received %d messages: %+v", len(got), f.outbox())
	}
	if len(got[0].to) != 1 || got[0].to[0] != "jean@acme.test" {
		t.Fatalf("envelope recipients %v", got[0].to)
	}
	want := []string{"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Language",
		"Auto-Submitted", "X-Auto-Response-Suppress", "Content-Type"}
	if names := headerNames(got[0].raw); strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("header fields %v, want %v", names, want)
	}
	h := got[0].msg(t).Header
	if h.Get("Bcc") != "" {
		t.Fatalf("a Bcc header reached the server: %q", h.Get("Bcc"))
	}
	to, err := h.AddressList("To")
	if err != nil || to[0].Name != "Jean\r\nBcc: c@evil.test" {
		t.Fatalf("the name did not stay inside To: %v (%v)", to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "Boss Bcc: b@evil.test vous invite sur Acme Bcc: a@evil.test" {
		t.Fatalf("the names did not stay inside Subject: %q (%v)", subject, err)
	}
}

func TestLeaseRunsOutAfterWorkerDied(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Lease = time.Minute

	// A worker claims the message and dies before it sends it.
	err := f.st.Write(f.ctx, func(q *store.Q) error {
		res, err := q.ClaimMail(f.ctx, store.MailClaim{Now: f.clock.Now(), LeaseUntil: f.clock.Now().Add(cfg.Lease), Limit: 10})
		if err == nil && len(res.Claimed) != 1 {
			err = fmt.Errorf("claimed %d", len(res.Claimed))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(cfg.Lease - time.Second)
	if rep := f.deliver(cfg); rep != (Report{}) || len(srv.received()) != 0 {
		t.Fatalf("during the dead worker's lease: %+v, %d received; want nothing", rep, len(srv.received()))
	}
	if m := f.only(); m.State != store.OutboxSending {
		t.Fatalf("state %s during the lease", m.State)
	}
	f.clock.advance(time.Second)
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("once the lease ran out: %+v, want sent", rep)
	}
	f.deliver(cfg)
	if n := len(srv.received()); n != 1 {
		t.Fatalf("the relay got %d messages, want 1", n)
	}
	if m := f.only(); m.State != store.OutboxSent || m.Attempts != 2 {
		t.Fatalf("%s after %d attempts", m.State, m.Attempts)
	}
}

// Workers sharing a store, and workers of two stores on one database (two
// processes, or two nodes of roster serve on PostgreSQL), send each message
// once between them.
func TestConcurrentWorkersSendEachMessageOnce(t *testing.T) {
	for _, stores := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d stores", stores), func(t *testing.T) { concurrentWorkers(t, stores) })
	}
}

func concurrentWorkers(t *testing.T, stores int) {
	f := newFixture(t)
	var users []admin.NewUser
	for i := range 120 {
		users = append(users, admin.NewUser{Email: fmt.Sprintf("user%03d@acme.test", i)})
	}
	f.invite(users...)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Batch = 7
	sts := []*store.Store{f.st}
	for range stores - 1 {
		st, err := store.Open(f.ctx, f.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		sts = append(sts, st)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := DeliverDue(f.ctx, sts[i%len(sts)], cfg); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range srv.received() {
		seen[r.msg(t).Header.Get("Message-ID")]++
	}
	if len(seen) != len(users) {
		t.Fatalf("%d distinct messages reached the relay, want %d", len(seen), len(users))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s sent %d times", id, n)
		}
	}
}

// Once the relay has taken a message, a pass with mail waiting opens more
// connections, up to Connections, and sends each message once.
func TestWorkerSendsOnSeveralConnections(t *testing.T) {
	f := newFixture(t)
	var users []admin.NewUser
	for i := range 100 {
		users = append(users, admin.NewUser{Email: fmt.Sprintf("user%03d@acme.test", i)})
	}
	f.invite(users...)
	srv := newTestServer(t, "")
	// A relay that takes a few milliseconds a message, as a real one does:
	// one connection cannot send the hundred before the others are open.
	srv.set(func(s *testServer) { s.onData = func() { time.Sleep(3 * time.Millisecond) } })
	cfg := f.config(srv.url() + "?starttls=off")
	cfg.Connections = 3
	if rep := f.deliver(cfg); rep != (Report{Sent: 100}) {
		t.Fatalf("%+v, want 100 sent", rep)
	}
	if conns, _ := srv.stats(); conns != 3 {
		t.Errorf("%d connections, want 3", conns)
	}
	seen := map[string]bool{}
	for _, r := range srv.received() {
		id := r.msg(t).Header.Get("Message-ID")
		if seen[id] {
			t.Errorf("%s sent twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct messages reached the relay, want 100", len(seen))
	}
}

func TestGivesUpAtTheLinksExpiry(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	cfg := f.config("smtp://" + freeAddr(t))
	var last store.OutboxMessage
	for i := 0; i < 200; i++ {
		f.deliver(cfg)
		prev := last
		last = f.only()
		if last.State != store.OutboxDeferred {
			break
		}
		// Each pass finds it due (it waits backoffCap and a second at
		// most), and tries it once: say which pass did not, and why.
		if last.Attempts != prev.Attempts+1 || last.NextAttemptAt.After(f.clock.Now().Add(backoffCap+time.Second)) {
			t.Fatalf("pass %d at %s: %d attempts (were %d), next at %s, giving up at %s, last error %q",
				i, f.clock.Now(), last.Attempts, prev.Attempts, last.NextAttemptAt, last.GiveUpAt, last.LastError)
		}
		f.clock.advance(backoffCap + time.Second)
	}
	if last.State != store.OutboxFailed || !strings.Contains(last.LastError, "gave up") ||
		!strings.Contains(last.LastError, "connect") {
		t.Fatalf("%s, %q; want failed, given up with the last error", last.State, last.LastError)
	}
	// 48 hours of retries, every 30 minutes at most.
	if last.Attempts < 90 || f.clock.Now().After(last.GiveUpAt.Add(backoffCap)) {
		t.Fatalf("gave up after %d attempts at %s; the link expires at %s", last.Attempts, f.clock.Now(), last.GiveUpAt)
	}
}

func TestNextAttempt(t *testing.T) {
	now := start
	far := now.Add(24 * time.Hour)
	for attempts, ceiling := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 5: 8 * time.Minute, 7: 30 * time.Minute, 60: 30 * time.Minute} {
		for range 50 {
			next, ok := NextAttempt(now, attempts, far)
			if wait := next.Sub(now); !ok || wait < time.Second || wait > ceiling+time.Second {
				t.Fatalf("attempt %d waits %s, want within [1s, %s]", attempts, wait, ceiling)
			}
		}
	}
	if next, ok := NextAttempt(now, 10, now.Add(10*time.Second)); !ok || next.After(now.Add(9*time.Second)) {
		t.Fatalf("near the deadline: %s, %v; want no later than a second before it", next, ok)
	}
	if _, ok := NextAttempt(now, 1, now.Add(time.Second)); ok {
		t.Fatal("no time left, yet another attempt")
	}
}

func TestRetryAndFlush(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	srv.set(func(s *testServer) {
		s.rejectRcpt["jean@acme.test"] = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	})
	cfg := f.config(srv.url())
	f.deliver(cfg)
	m := f.only()
	if m.State != store.OutboxFailed {
		t.Fatalf("state %s, want failed", m.State)
	}

	// The relay is fixed; the operator retries the failed mail.
	srv.set(func(s *testServer) { delete(s.rejectRcpt, "jean@acme.test") })
	if n, late, err := f.svc.RetryFailedMail(f.ctx, boss, DefaultLifetime); n != 1 || late != 0 || err != nil {
		t.Fatalf("RetryFailed: %d, %d, %v", n, late, err)
	}
	if m := f.only(); m.State != store.OutboxQueued {
		t.Fatalf("state %s after retry, want queued", m.State)
	}
	f.deliver(cfg)
	if m := f.only(); m.State != store.OutboxSent || len(srv.received()) != 1 {
		t.Fatalf("state %s, %d received", m.State, len(srv.received()))
	}
	var nr *admin.NotRetryableError
	if err := f.svc.RetryMail(f.ctx, boss, m.ID, DefaultLifetime); !errors.As(err, &nr) || !strings.Contains(err.Error(), "sent") {
		t.Fatalf("retrying a sent message: %v", err)
	}
	var nf *admin.NotFoundError
	if err := f.svc.RetryMail(f.ctx, boss, 999, DefaultLifetime); !errors.As(err, &nf) {
		t.Fatalf("retrying no message: %v", err)
	}

	// A deferred message waits for its backoff, unless flushed.
	f.clock.advance(2 * time.Minute)
	if out := f.svc.Resend(f.ctx, boss, []string{"jean@acme.test"}); out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	srv.set(func(s *testServer) { s.tempFails = 1 })
	f.deliver(cfg)
	if rep := f.deliver(cfg); rep != (Report{}) {
		t.Fatalf("before the backoff: %+v", rep)
	}
	if rep, err := Flush(f.ctx, f.st, cfg); err != nil || rep != (Report{Sent: 1}) {
		t.Fatalf("flush: %+v, %v", rep, err)
	}

	// Past the link's expiry, retrying is refused: a new link is needed.
	f.clock.advance(2 * time.Minute)
	f.svc.Resend(f.ctx, boss, []string{"jean@acme.test"})
	srv.set(func(s *testServer) {
		s.rejectRcpt["jean@acme.test"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	})
	f.deliver(cfg)
	ms := f.outbox()
	failed := ms[len(ms)-1]
	f.clock.advance(49 * time.Hour)
	if err := f.svc.RetryMail(f.ctx, boss, failed.ID, DefaultLifetime); !errors.As(err, &nr) || !strings.Contains(err.Error(), "deadline passed") {
		t.Fatalf("retrying past the deadline: %v", err)
	}
	if n, late, err := f.svc.RetryFailedMail(f.ctx, boss, DefaultLifetime); n != 0 || late != 1 || err != nil {
		t.Fatalf("RetryFailed past the deadline: %d, %d, %v", n, late, err)
	}
}

func TestResendReplacesMailNotYetSent(t *testing.T) {
	for _, pending := range []string{store.OutboxQueued, store.OutboxDeferred} {
		t.Run(pending, func(t *testing.T) {
			f := newFixture(t)
			f.invite(jean)
			addr := freeAddr(t)
			cfg := f.config("smtp://" + addr)
			if pending == store.OutboxDeferred {
				f.deliver(cfg) // the relay is down
			}
			if m := f.only(); m.State != pending {
				t.Fatalf("first mail %s, want %s", m.State, pending)
			}
			f.clock.advance(2 * time.Minute)
			if out := f.svc.Resend(f.ctx, boss, []string{"jean@acme.test"}); out[0].Err != nil {
				t.Fatal(out[0].Err)
			}
			srv := newTestServer(t, addr)
			f.clock.advance(backoffCap)
			f.deliver(cfg)
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("jean got %d mails, want 1", len(got))
			}
			if subj := got[0].msg(t).Header.Get("Subject"); !strings.Contains(subj, "nouveau lien") {
				t.Fatalf("subject %q, want the resent invitation's", subj)
			}
			ms := f.outbox()
			if ms[0].State != store.OutboxCancelled || ms[1].State != store.OutboxSent {
				t.Fatalf("states %s, %s; want cancelled, sent", ms[0].State, ms[1].State)
			}
		})
	}
}

// A claimed message whose link was replaced meanwhile is not sent.
func TestReplacedLinkIsNotSent(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	err := f.st.Write(f.ctx, func(q *store.Q) error {
		_, err := q.ClaimMail(f.ctx, store.MailClaim{Now: f.clock.Now(), LeaseUntil: f.clock.Now().Add(time.Minute), Limit: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(2 * time.Minute) // the claim's worker died; a resend comes
	if out := f.svc.Resend(f.ctx, boss, []string{"jean@acme.test"}); out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	if rep := f.deliver(cfg); rep != (Report{Sent: 1, Cancelled: 1}) {
		t.Fatalf("%+v, want the old mail cancelled and the new one sent", rep)
	}
	if n := len(srv.received()); n != 1 {
		t.Fatalf("%d mails reached the relay", n)
	}
}

func TestWorkerDeliversWhileRunning(t *testing.T) {
	f := newFixture(t)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Now = nil
	f.svc.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	w, err := Start(f.ctx, f.st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if w.CaptureAddr() != "" {
		t.Fatalf("capture server at %s although a relay is configured", w.CaptureAddr())
	}
	f.invite(jean)
	w.Kick()
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.received()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing delivered: %+v", f.outbox())
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.Stop()
	if m := f.only(); m.State != store.OutboxSent {
		t.Fatalf("state %s", m.State)
	}
}

func TestStoppedWorkerGivesBackWhatItClaimed(t *testing.T) {
	f := newFixture(t)
	f.svc.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	f.invite(jean, admin.NewUser{Email: "marie@acme.test"})
	srv := newTestServer(t, "")
	holding, release := make(chan struct{}, 1), make(chan struct{})
	srv.set(func(s *testServer) { s.holding, s.release = holding, release })
	defer close(release)
	cfg := f.config(srv.url())
	cfg.Now = nil
	w, err := Start(f.ctx, f.st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-holding: // the first message's data is in, its reply withheld
	case <-time.After(10 * time.Second):
		t.Fatal("the worker sent nothing")
	}
	began := time.Now()
	w.Stop()
	if d := time.Since(began); d < stopGrace || d > stopGrace+5*time.Second {
		t.Fatalf("Stop took %s, want the %s grace for the message in flight", d, stopGrace)
	}
	for _, m := range f.outbox() {
		if m.State != store.OutboxQueued || m.Attempts != 0 {
			t.Fatalf("after Stop, %s is %s with %d attempts; want queued, untried", m.Recipient, m.State, m.Attempts)
		}
	}
}

// A relay that takes the connection and says nothing is given up on after
// the timeouts, and the message waits for a later attempt.
func TestSilentRelayTimesOut(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	for _, url := range []string{"smtp://" + ln.Addr().String(), "smtp://" + ln.Addr().String() + "?starttls=off"} {
		cfg := f.config(url)
		cfg.Timeout = 100 * time.Millisecond
		began := time.Now()
		if rep := f.deliver(cfg); rep != (Report{Deferred: 1}) {
			t.Fatalf("%s: %+v, want deferred", url, rep)
		}
		if d := time.Since(began); d > 2*time.Second {
			t.Fatalf("%s: gave up after %s", url, d)
		}
		if m := f.only(); !strings.Contains(m.LastError, "connect") || !strings.Contains(m.LastError, "timeout") && !strings.Contains(m.LastError, "deadline") {
			t.Fatalf("%s: last error %q", url, m.LastError)
		}
		f.clock.advance(backoffCap + time.Second)
	}
}

// A process started without a base URL of its own (the dashboard, on a
// server's database) writes the links with the account's, read as each mail
// is composed: a change of the account's reaches a worker already running.
func TestLinksStartWithTheAccountsBaseURL(t *testing.T) {
	f := newFixture(t)
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Now, cfg.BaseURL = nil, ""
	f.svc.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	setBase := func(u string) {
		t.Helper()
		if _, err := f.svc.UpdateAccount(f.ctx, boss, admin.AccountChange{BaseURL: &u}); err != nil {
			t.Fatal(err)
		}
	}
	setBase("https://roster.acme.test/people")
	w, err := Start(f.ctx, f.st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	waitFor := func(n int) string {
		t.Helper()
		w.Kick()
		deadline := time.Now().Add(10 * time.Second)
		for len(srv.received()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d delivered, want %d: %+v", len(srv.received()), n, f.outbox())
			}
			time.Sleep(10 * time.Millisecond)
		}
		return srv.received()[n-1].text(t)
	}
	f.invite(jean)
	if text := waitFor(1); !strings.Contains(text, "https://roster.acme.test/people/invite/") || strings.Contains(text, DefaultBaseURL) {
		t.Fatalf("the link does not start with the account's base URL:\n%s", text)
	}
	setBase("https://people.acme.test")
	f.invite(admin.NewUser{Email: "marie@acme.test"})
	if text := waitFor(2); !strings.Contains(text, "https://people.acme.test/invite/") {
		t.Fatalf("after the account's base URL changed:\n%s", text)
	}
}

// An invitation whose mail fails for good is stuck: with the rules told
// (Config.Failed), the transaction that records the failure also writes an
// audit row and the invitation.stuck event of a webhook subscribed to it;
// a message that went out writes neither.
func TestFailedInvitationIsStuck(t *testing.T) {
	f := newFixture(t)
	allow := true
	if _, err := f.svc.UpdateAccount(f.ctx, boss, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
		t.Fatal(err)
	}
	_, hook, err := f.svc.AddWebhook(f.ctx, boss, "http://127.0.0.1:9/hooks", []string{"invitation.stuck"})
	if err != nil {
		t.Fatal(err)
	}
	f.invite(jean, admin.NewUser{Email: "marie@acme.test", Locale: "en"})
	srv := newTestServer(t, "")
	srv.set(func(s *testServer) {
		s.rejectRcpt["jean@acme.test"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	})
	cfg := f.config(srv.url() + "?starttls=off")
	cfg.Failed = f.svc.MailFailed
	// The notice to whoever invited, queued as jean's mail fails, goes in
	// the same run or the next, as the claims fall.
	rep, again := f.deliver(cfg), f.deliver(cfg)
	if rep.Failed != 1 || rep.Sent+again.Sent != 2 || again.Failed != 0 {
		t.Fatalf("%+v then %+v, want jean's failed, marie's invitation and the notice sent", rep, again)
	}
	entries, err := f.svc.Audit(f.ctx, boss, store.AuditQuery{AuditFilter: store.AuditFilter{Action: "invite.stuck"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Target != "jean@acme.test" || entries[0].Channel != admin.ChannelSystem || entries[0].Actor != "" ||
		!strings.Contains(entries[0].After, "No such user here") {
		t.Fatalf("stuck audit rows: %+v", entries)
	}
	ds, err := f.svc.WebhookDeliveries(f.ctx, boss, hook.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].EventType != "invitation.stuck" || !strings.Contains(ds[0].Payload, "jean@acme.test") {
		t.Fatalf("the webhook's deliveries: %+v", ds)
	}
	// and whoever invited is told, by a notice of the same name
	msgs, err := f.svc.Outbox(f.ctx, boss, "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for _, m := range msgs {
		if m.Kind == store.MailNotice {
			notices = append(notices, m.Recipient+": "+m.Data)
		}
	}
	if len(notices) != 1 || !strings.HasPrefix(notices[0], bossEmail+": ") || !strings.Contains(notices[0], "is stuck") ||
		!strings.Contains(notices[0], "No such user here") {
		t.Fatalf("notices: %q, want one to %s saying why the invitation is stuck", notices, bossEmail)
	}
}
