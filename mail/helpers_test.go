package mail

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"roster/admin"
	"roster/internal/testdb"
	"roster/store"
)

// start is the tests' clock at creation: a Monday morning.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const bossEmail = "boss@acme.test"

var boss = admin.Actor{Email: bossEmail, Channel: admin.ChannelCLI}

// clock is a test clock shared by admin and the mail worker.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is an account in a fresh database (a SQLite file, or PostgreSQL's:
// see internal/testdb), its rules and a clock.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	dsn   string // what store.Open took
	st    *store.Store
	svc   *admin.Service
	clock *clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, ctx: ctx, dsn: dsn, st: st, clock: &clock{now: start}}
	f.svc = admin.New(st)
	f.svc.Now = f.clock.Now
	if err := f.svc.Init(ctx, "Acme", bossEmail, "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	return f
}

// invite invites people through admin, as the command line does.
func (f *fixture) invite(users ...admin.NewUser) {
	f.t.Helper()
	res, err := f.svc.Invite(f.ctx, boss, users, admin.InviteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			f.t.Fatalf("invite %s: %v", r.Email, r.Err)
		}
	}
}

// show reads outbox message id through admin, as the owner, and shows it
// as the command line does.
func (f *fixture) show(cfg Config, id int64) (*Message, error) {
	m, kept, err := f.svc.OutboxMessage(f.ctx, boss, id)
	if err != nil {
		return nil, err
	}
	return Show(m, kept, cfg)
}

// config is a worker configuration for the relay at url on the fixture's clock.
func (f *fixture) config(url string) Config {
	return Config{SMTP: url, From: "roster@acme.test", BaseURL: "https://roster.acme.test", Now: f.clock.Now,
		Timeout: 5 * time.Second}
}

func (f *fixture) deliver(cfg Config) Report {
	f.t.Helper()
	rep, err := DeliverDue(f.ctx, f.st, cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// outbox reads every outbox message, oldest first.
func (f *fixture) outbox() []store.OutboxMessage {
	f.t.Helper()
	ms, err := f.st.Read().Outbox(f.ctx, "", 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

// only is the one outbox message of the test.
func (f *fixture) only() store.OutboxMessage {
	f.t.Helper()
	ms := f.outbox()
	if len(ms) != 1 {
		f.t.Fatalf("%d messages in the outbox, want 1: %+v", len(ms), ms)
	}
	return ms[0]
}

// received is one message a test server accepted.
type received struct {
	from string
	to   []string
	raw  []byte
	user string // who authenticated, "" if nobody
	tls  bool
}

func (r received) msg(t testing.TB) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// text is the plain-text part of the message, decoded.
func (r received) text(t testing.TB) string {
	t.Helper()
	_, text, err := parseMessage(r.raw)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// testServer is a go-smtp server on a loopback port with switches for the
// ways a relay fails.
type testServer struct {
	t        testing.TB
	addr     string
	srv      *smtp.Server
	tls      *tls.Config // offered with STARTTLS when set
	implicit bool        // TLS from the first byte (smtps)
	noUTF8   bool        // SMTPUTF8 not offered

	mu          sync.Mutex
	got         []received
	connections int
	authTries   int
	mailCmds    int
	users       map[string]string // AUTH required when not nil
	loginOnly   bool              // offer AUTH LOGIN rather than PLAIN
	tempFails   int               // answer 451 to the next N messages' data
	dropInData  int               // close the connection after the next N messages' data, before answering
	rejectRcpt  map[string]*smtp.SMTPError
	discard     bool          // count messages without keeping them (benchmarks)
	holding     chan struct{} // Data signals here, then waits for release to close
	release     chan struct{}
	onData      func()        // called for each message's data taken
	latency     time.Duration // each message's data is answered this late, connections at once (a relay across a network)
	count       int
}

type serverOption func(*testServer)

func withTLS(c *tls.Config) serverOption { return func(s *testServer) { s.tls = c } }
func withImplicitTLS(c *tls.Config) serverOption {
	return func(s *testServer) { s.tls, s.implicit = c, true }
}
func withoutSMTPUTF8() serverOption { return func(s *testServer) { s.noUTF8 = true } }
func withUsers(u map[string]string) serverOption {
	return func(s *testServer) { s.users = u }
}

// newTestServer starts a server on addr ("" for any free loopback port).
func newTestServer(t testing.TB, addr string, opts ...serverOption) *testServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, addr: ln.Addr().String(), rejectRcpt: map[string]*smtp.SMTPError{}}
	for _, o := range opts {
		o(s)
	}
	if s.implicit {
		ln = tls.NewListener(ln, s.tls)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.connections++
		s.mu.Unlock()
		return &testSession{s: s, c: c}, nil
	}))
	s.srv.Domain = "relay.test"
	s.srv.TLSConfig = s.tls
	// Without TLS the server would take AUTH in clear text: roster must not offer it.
	s.srv.AllowInsecureAuth = s.tls == nil
	s.srv.ErrorLog = nopLogger{}
	s.srv.EnableSMTPUTF8 = !s.noUTF8
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		ln.Close() // in case Serve had not registered it yet
		<-done
	})
	return s
}

func (s *testServer) url() string { return "smtp://" + s.addr }

func (s *testServer) set(fn func(s *testServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *testServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func (s *testServer) stats() (connections, authTries int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections, s.authTries
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

type testSession struct {
	s    *testServer
	c    *smtp.Conn
	user string
	from string
	to   []string
}

func (ts *testSession) AuthMechanisms() []string {
	switch {
	case ts.s.users == nil:
		return nil
	case ts.s.loginOnly:
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

func (ts *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		ts.s.mu.Lock()
		defer ts.s.mu.Unlock()
		ts.s.authTries++
		if want, ok := ts.s.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		ts.user = user
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
}

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks: the
// user name as the initial response, then the password.
type loginServer struct {
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	if l.user == "" {
		l.user = string(resp)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(l.user, string(resp))
}

func (ts *testSession) Reset()        { ts.from, ts.to = "", nil }
func (ts *testSession) Logout() error { return nil }

func (ts *testSession) Mail(from string, _ *smtp.MailOptions) error {
	ts.s.set(func(s *testServer) { s.mailCmds++ })
	if ts.s.users != nil && ts.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ts.from = from
	return nil
}

func (ts *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	if e := ts.s.rejectRcpt[to]; e != nil {
		return e
	}
	ts.to = append(ts.to, to)
	return nil
}

func (ts *testSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ts.s.mu.Lock()
	holding, release, latency := ts.s.holding, ts.s.release, ts.s.latency
	ts.s.mu.Unlock()
	time.Sleep(latency)
	if holding != nil {
		holding <- struct{}{}
		<-release
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Too late"}
	}
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	if ts.s.dropInData > 0 {
		ts.s.dropInData--
		ts.c.Conn().Close()
		return errors.New("connection dropped")
	}
	if ts.s.tempFails > 0 {
		ts.s.tempFails--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	ts.s.count++
	if ts.s.discard {
		return nil
	}
	_, isTLS := ts.c.TLSConnectionState()
	ts.s.got = append(ts.s.got, received{from: ts.from, to: ts.to, raw: raw, user: ts.user, tls: isTLS})
	return nil
}

// freeAddr is a loopback address with nothing listening on it.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// testCerts makes a CA and a certificate for 127.0.0.1 signed by it: the
// server's TLS configuration, and the client's, trusting that CA.
func testCerts(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "roster test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "relay.test"},
		DNSNames: []string{"relay.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

// header lists a raw message's header field names, in order.
func headerNames(raw []byte) []string {
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	var names []string
	for _, l := range strings.Split(head, "\r\n") {
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		name, _, _ := strings.Cut(l, ":")
		names = append(names, name)
	}
	return names
}

// strictServer is an SMTP server on a loopback port that holds clients to
// the order of commands as strictly as CPython's smtpd: a second HELO or
// EHLO on a connection, a MAIL inside a transaction, a RCPT before MAIL or a
// DATA before RCPT is answered 503. go-smtp's server takes a second EHLO as
// a reset, which RFC 5321 allows; relays in the field do not all do so.
type strictServer struct {
	addr string

	mu          sync.Mutex
	got         [][]byte
	connections int
	datas       int            // messages whose data arrived, answered or not
	refused     []string       // the commands answered 503
	tempFails   int            // answer 451 to the next N messages' data
	hang        bool           // never answer the end of a message's data
	rejectRcpt  map[string]int // recipients refused with this code
	sticky      bool           // a refused message's transaction stays open until RSET
	quota       int            // messages taken before MAIL is refused (0: no limit)
	perConn     int            // messages taken on a connection before it ends (0: no limit)
	perConnSays string         // what it says then; "": it closes without a word
	maxConns    int            // connections served at once; another is greeted 421 and closed (0: no limit)
	open        int            // connections being served
	turnedAway  int            // connections greeted 421 for being over maxConns
}

// newStrictServer starts a strict server on a free loopback port.
func newStrictServer(t testing.TB) *strictServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &strictServer{addr: ln.Addr().String(), rejectRcpt: map[string]int{}}
	var wg sync.WaitGroup
	conns := map[net.Conn]bool{}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var over bool
			s.set(func(s *strictServer) {
				s.connections++
				conns[c] = true
				if over = s.maxConns > 0 && s.open >= s.maxConns; over {
					s.turnedAway++
				} else {
					s.open++
				}
			})
			wg.Go(func() {
				defer c.Close()
				if over { // as Postfix's smtpd_client_connection_count_limit
					io.WriteString(c, "421 4.7.0 strict.test Error: too many connections from 127.0.0.1\r\n")
					return
				}
				defer s.set(func(s *strictServer) { s.open-- })
				s.serve(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.set(func(*strictServer) {
			for c := range conns {
				c.Close()
			}
		})
		wg.Wait()
	})
	return s
}

// url is the relay URL; the server offers no STARTTLS.
func (s *strictServer) url() string { return "smtp://" + s.addr + "?starttls=off" }

func (s *strictServer) set(fn func(s *strictServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *strictServer) serve(c net.Conn) {
	r := bufio.NewReader(c)
	reply := func(l string) bool {
		_, err := io.WriteString(c, l+"\r\n")
		return err == nil
	}
	refuse := func(cmd, l string) bool {
		s.set(func(s *strictServer) { s.refused = append(s.refused, cmd) })
		return reply(l)
	}
	var greeted, mail, rcpt bool
	taken := 0 // messages on this connection
	ok := reply("220 strict.test ESMTP")
	for ok {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if greeted {
				ok = refuse(line, "503 Duplicate HELO/EHLO")
				continue
			}
			greeted = true
			ok = reply("250-strict.test\r\n250 HELP")
		case "MAIL":
			var over bool
			s.set(func(s *strictServer) { over = s.quota > 0 && len(s.got) >= s.quota })
			switch {
			case over:
				ok = reply("550 5.4.5 Daily sending quota exceeded")
			case !greeted:
				ok = refuse(line, "503 Error: send HELO first")
			case mail:
				ok = refuse(line, "503 Error: nested MAIL command")
			default:
				mail = true
				ok = reply("250 OK")
			}
		case "RCPT":
			_, to, _ := strings.Cut(arg, ":")
			to = strings.Trim(to, "<>")
			var code int
			s.set(func(s *strictServer) { code = s.rejectRcpt[to] })
			switch {
			case !mail:
				ok = refuse(line, "503 Error: need MAIL command")
			case code != 0:
				ok = reply(fmt.Sprintf("%d No such user", code))
			default:
				rcpt = true
				ok = reply("250 OK")
			}
		case "DATA":
			if !rcpt {
				ok = refuse(line, "503 Error: need RCPT command")
				continue
			}
			if !reply("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			var hang, fail, sticky bool
			s.set(func(s *strictServer) {
				s.datas++
				hang, fail, sticky = s.hang, s.tempFails > 0, s.sticky
				if fail {
					s.tempFails--
				} else if !hang {
					s.got = append(s.got, data.Bytes())
				}
			})
			if hang {
				io.Copy(io.Discard, c) // until the client gives up
				return
			}
			if fail {
				mail, rcpt = sticky, sticky
				ok = reply("451 Try again later")
				continue
			}
			mail, rcpt = false, false
			ok = reply("250 OK")
			var limit int
			var says string
			s.set(func(s *strictServer) { limit, says = s.perConn, s.perConnSays })
			if taken++; limit > 0 && taken >= limit {
				if says != "" {
					// The next command is answered so, then the connection ends.
					if _, err := r.ReadString('\n'); err == nil {
						reply(says)
					}
				}
				return
			}
		case "RSET":
			mail, rcpt = false, false
			ok = reply("250 OK")
		case "NOOP":
			ok = reply("250 OK")
		case "QUIT":
			reply("221 Bye")
			return
		default:
			ok = reply("500 Error: command not recognized")
		}
	}
}

func (s *strictServer) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.got...)
}
