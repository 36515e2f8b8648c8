package main

import (
	"io"
	"log"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// relay is a go-smtp server on loopback that refuses the recipients in refuse.
type relay struct {
	addr   string
	mu     sync.Mutex
	got    int
	ids    map[string]int // how many times each Message-ID came
	onData func(got int)  // called, under mu, after each message taken
	refuse map[string]bool
}

func newRelay(t *testing.T) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{addr: ln.Addr().String(), ids: map[string]int{}, refuse: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	srv.Domain = "relay.test"
	srv.ErrorLog = log.New(io.Discard, "", 0) // a killed client is expected
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		ln.Close()
		<-done
	})
	return r
}

func (r *relay) url() string { return "smtp://" + r.addr }

// twice checks that the relay took exactly messages distinct messages, none
// more than twice, and returns how many came twice.
func (r *relay) twice(t *testing.T, messages int) int {
	t.Helper()
	n := 0
	r.set(func(r *relay) {
		if len(r.ids) != messages {
			t.Errorf("the relay took %d distinct messages, want %d", len(r.ids), messages)
		}
		for id, times := range r.ids {
			switch {
			case times == 2:
				n++
			case times > 2:
				t.Errorf("%s came %d times", id, times)
			}
		}
	})
	return n
}

func (r *relay) set(fn func(r *relay)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r)
}

type relaySession struct{ r *relay }

func (s *relaySession) Reset()                               {}
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	s.r.set(func(r *relay) {
		r.got++
		r.ids[m.Header.Get("Message-ID")]++
		if r.onData != nil {
			r.onData(r.got)
		}
	})
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if s.r.refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	return nil
}

func TestMailCommands(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_BASE_URL", "https://roster.acme.test")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "jean@acme.test", "--first", "Jean", "--locale", "fr")

	list := jsonOf[[]struct {
		ID        int64  `json:"id"`
		State     string `json:"state"`
		Recipient string `json:"recipient"`
	}](t, db, "mail")
	if len(list) != 1 || list[0].State != "queued" || list[0].Recipient != "jean@acme.test" {
		t.Fatalf("mail --json: %+v", list)
	}
	// Before it is sent, the message shows with its link's token hidden.
	out := ok(t, db, "mail", "show", "1")
	for _, want := range []string{"# mail 1, invitation to jean@acme.test: queued, not tried yet", "Subject: Big Boss vous invite sur Acme",
		"https://roster.acme.test/invite/REDACTED", "valable 48 heures"} {
		if !strings.Contains(out, want) {
			t.Fatalf("mail show lacks %q:\n%s", want, out)
		}
	}

	// No relay: the embedded capture server keeps the mail, links working.
	if out := ok(t, db, "mail", "deliver"); out != "sent 1, deferred 0, failed 0, cancelled 0\n" {
		t.Fatalf("mail deliver: %q", out)
	}
	out = ok(t, db, "mail", "show", "1")
	if !strings.Contains(out, "as the capture server kept it (#1)") || strings.Contains(out, "REDACTED") ||
		!strings.Contains(out, "https://roster.acme.test/invite/") {
		t.Fatalf("mail show after capture:\n%s", out)
	}
	if out := ok(t, db, "mail", "captured"); !strings.Contains(out, "jean@acme.test") || !strings.Contains(out, "Big Boss vous invite sur Acme") {
		t.Fatalf("mail captured:\n%s", out)
	}
	if out := ok(t, db, "mail", "captured", "1"); !strings.Contains(out, "Bonjour Jean,") {
		t.Fatalf("mail captured 1:\n%s", out)
	}
	fails(t, db, "cannot be retried: it was sent", "mail", "retry", "1")

	// A relay refuses a recipient; once it is fixed, the operator retries.
	r := newRelay(t)
	r.set(func(r *relay) { r.refuse["marie@acme.test"] = true })
	ok(t, db, "invite", "marie@acme.test")
	if out := ok(t, db, "--smtp", r.url(), "mail", "deliver"); out != "sent 0, deferred 0, failed 1, cancelled 0\n" {
		t.Fatalf("mail deliver: %q", out)
	}
	if out := ok(t, db, "mail", "--state", "failed"); !strings.Contains(out, "marie@acme.test") || !strings.Contains(out, "550 5.1.1 No such user") {
		t.Fatalf("mail --state failed:\n%s", out)
	}
	r.set(func(r *relay) { delete(r.refuse, "marie@acme.test") })
	if out := ok(t, db, "mail", "retry", "--failed"); out != "requeued 1 failed message\n" {
		t.Fatalf("mail retry --failed: %q", out)
	}
	// The invitation, and the notice telling Big Boss it was stuck
	// (invitation.stuck), queued when it failed.
	if out := ok(t, db, "mail", "--smtp", r.url(), "flush"); out != "sent 2, deferred 0, failed 0, cancelled 0\n" {
		t.Fatalf("mail flush: %q", out)
	}
	var got int
	r.set(func(r *relay) { got = r.got })
	if got != 2 {
		t.Fatalf("the relay got %d messages", got)
	}

	out = ok(t, db, "--smtp", r.url(), "mail", "test", "--to", "boss@acme.test")
	for _, want := range []string{"relay: smtp://127.0.0.1:", "C: MAIL FROM:<roster@", "S: 250 2.0.0 OK: queued", "C: QUIT"} {
		if !strings.Contains(out, want) {
			t.Fatalf("mail test lacks %q:\n%s", want, out)
		}
	}

	fails(t, db, "the scheme must be smtp or smtps", "--smtp", "ftp://relay.test", "mail", "deliver")
	fails(t, db, "mail test needs --to EMAIL", "mail", "test")
	fails(t, db, "not a message ID", "mail", "show", "one")
	fails(t, db, "mail 99 not found", "mail", "show", "99")
	fails(t, db, `"lost" is not a mail state`, "mail", "--state", "lost")
	// The relay's password is never printed: not in errors, not in help.
	_, errs, _ := roster(t, db, "--smtp", "smtp://u:hunter2@relay.test:bad", "mail", "deliver")
	t.Setenv("ROSTER_SMTP", "smtp://u:hunter2@relay.test:587")
	help := ok(t, db, "mail", "--help")
	if strings.Contains(errs+help, "hunter2") || !strings.Contains(errs, "port") {
		t.Fatalf("password printed, or error unclear: %q\n%s", errs, help)
	}
}

// mail show, captured and retry go through admin: captured mail, which holds
// working links, needs settings.integrations, and a retry is audited.
func TestMailCommandsAreCheckedAndAudited(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_BASE_URL", "https://roster.acme.test")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "mgr@acme.test", "--role", "manager")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1 WHERE email = 'mgr@acme.test'")
	ok(t, db, "invite", "jean@acme.test", "--first", "Jean")
	ok(t, db, "mail", "deliver") // to the capture server: links working

	mgr := []string{"--as", "mgr@acme.test"}
	fails(t, db, "permission denied: reading the captured mail needs the settings.integrations permission", append(mgr, "mail", "captured")...)
	fails(t, db, "settings.integrations", append(mgr, "mail", "captured", "1")...)
	// The outbox message shows, but written again with its link redacted.
	out := ok(t, db, append(mgr, "mail", "show", "2")...)
	if !strings.Contains(out, "https://roster.acme.test/invite/REDACTED") || strings.Contains(out, "as the capture server kept it") {
		t.Fatalf("mail show as a manager shows the working link:\n%s", out)
	}
	if out := ok(t, db, "mail", "show", "2"); !strings.Contains(out, "as the capture server kept it") || strings.Contains(out, "REDACTED") {
		t.Fatalf("mail show as the owner:\n%s", out)
	}

	r := newRelay(t)
	r.set(func(r *relay) { r.refuse["nina@acme.test"] = true })
	ok(t, db, "invite", "nina@acme.test")
	ok(t, db, "--smtp", r.url(), "mail", "deliver")
	fails(t, db, "permission denied: retrying mail needs the settings.integrations permission", append(mgr, "mail", "retry", "3")...)
	fails(t, db, "settings.integrations", append(mgr, "mail", "retry", "--failed")...)
	if n := count(t, db, "SELECT count(*) FROM audit WHERE action = 'mail.retry'"); n != 0 {
		t.Fatalf("%d retries audited after refusals", n)
	}
	if got := count(t, db, "SELECT count(*) FROM outbox WHERE id = 3 AND state = 'failed'"); got != 1 {
		t.Fatal("a refused retry requeued the mail")
	}
	ok(t, db, "mail", "retry", "3")
	if n := count(t, db, `SELECT count(*) FROM audit WHERE action = 'mail.retry' AND actor_email = 'boss@acme.test'
		AND target_email = 'nina@acme.test' AND channel = 'cli'`); n != 1 {
		t.Fatalf("%d audit rows for the retry, want 1", n)
	}
}
