package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"roster/sms"
)

// errNoStartTLS is the text go-smtp's NewClientStartTLS fails with when the
// server does not offer STARTTLS (it has no sentinel error for it).
const errNoStartTLS = "smtp: server doesn't support STARTTLS"

// errNoSMTPUTF8 stops a message whose addresses need SMTPUTF8 before it
// reaches a relay that does not offer it; the session goes on. It fails the
// message for good, as Postfix bounces it: trying again meets the same relay.
var errNoSMTPUTF8 = errors.New("the relay does not offer SMTPUTF8, which this message's addresses need")

// session is one connection to a relay, used for one message after another.
type session struct {
	r    *relay
	c    *smtp.Client
	raw  net.Conn // the TCP connection, closed to abort whatever is in flight
	tls  bool
	tr   *Transcript
	helo string
}

// dialer holds what opening a session needs besides the relay.
type dialer struct {
	timeout time.Duration
	tls     *tls.Config // nil: the system's roots
	helo    string
}

// open connects to the relay, protects the connection as configured and
// logs in. Its errors are session errors: no message can go through this
// relay for now.
func (d dialer) open(ctx context.Context, r *relay, tr *Transcript) (*session, error) {
	// The greeting, EHLO and STARTTLS exchange run with go-smtp's own long
	// timeouts: closing the connection when ctx ends bounds them.
	ctx, cancel := context.WithTimeout(ctx, 4*d.timeout)
	defer cancel()
	s, err := d.connect(ctx, r, tr, r.tls)
	var se *sessionError
	if r.tls == tlsOpportunistic && errors.As(err, &se) && se.noStartTLS {
		if r.user != "" {
			return nil, &sessionError{step: "STARTTLS", err: errors.New("the relay does not offer STARTTLS, and credentials are only sent over TLS")}
		}
		tr.note("the relay does not offer STARTTLS: going on without TLS")
		s, err = d.connect(ctx, r, tr, tlsOff)
	}
	if err != nil {
		return nil, err
	}
	if err := s.login(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (d dialer) connect(ctx context.Context, r *relay, tr *Transcript, mode tlsMode) (*session, error) {
	nd := net.Dialer{Timeout: d.timeout}
	raw, err := nd.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return nil, &sessionError{step: "connect", err: err}
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	tr.note("connected to %s", raw.RemoteAddr())
	s := &session{r: r, raw: raw, tr: tr, helo: d.helo}
	var conn net.Conn = raw
	if tr != nil {
		conn = &tapConn{Conn: raw, tr: tr}
	}
	cfg := d.tlsConfig(r)
	fail := func(step string, err error) *sessionError {
		raw.Close()
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return &sessionError{step: step, err: err}
	}
	switch mode {
	case tlsImplicit:
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fail("connect", err)
		}
		s.tls = true
		tr.noteTLS(tc.ConnectionState())
		conn = tc
		if tr != nil {
			conn = &tapConn{Conn: tc, tr: tr}
		}
		s.c = smtp.NewClient(conn)
	case tlsOff:
		s.c = smtp.NewClient(conn)
	default:
		c, err := smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			noStartTLS := err.Error() == errNoStartTLS
			if noStartTLS && mode == tlsStartTLS {
				err = errors.New("the relay does not offer STARTTLS, which starttls=required demands")
			}
			step := "connect"
			if noStartTLS {
				step = "STARTTLS"
			}
			se := fail(step, err)
			se.noStartTLS = noStartTLS
			return nil, se
		}
		s.c, s.tls = c, true
		if tr != nil {
			// From here the tap sees ciphertext; the client logs the clear text.
			c.DebugWriter = tr
		}
	}
	s.c.CommandTimeout = d.timeout
	s.c.SubmissionTimeout = 4 * d.timeout
	if err := s.c.Hello(d.helo); err != nil {
		return nil, fail("connect", err)
	}
	if mode != tlsImplicit {
		// After STARTTLS, the handshake happened with the EHLO above.
		if st, ok := s.c.TLSConnectionState(); ok {
			tr.noteTLS(st)
		}
	}
	return s, nil
}

func (d dialer) tlsConfig(r *relay) *tls.Config {
	var cfg *tls.Config
	if d.tls != nil {
		cfg = d.tls.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// login authenticates when the relay URL carries credentials: with PLAIN
// or LOGIN, and only over TLS, whatever the server offers.
func (s *session) login(ctx context.Context) error {
	if s.r.user == "" {
		return nil
	}
	if !s.tls {
		return &sessionError{step: "AUTH", err: errors.New("credentials are only sent over TLS, and this connection has none")}
	}
	stop := context.AfterFunc(ctx, func() { s.raw.Close() })
	defer stop()
	var mech sasl.Client
	switch {
	case s.c.SupportsAuth("PLAIN"):
		mech = sasl.NewPlainClient("", s.r.user, s.r.password)
	case s.c.SupportsAuth("LOGIN"):
		mech = sasl.NewLoginClient(s.r.user, s.r.password)
	default:
		_, offered := s.c.Extension("AUTH")
		if offered == "" {
			offered = "none"
		}
		return &sessionError{step: "AUTH", err: fmt.Errorf("the relay offers neither AUTH PLAIN nor LOGIN (it offers: %s)", offered)}
	}
	if err := s.c.Auth(mech); err != nil {
		return &sessionError{step: "AUTH", err: err}
	}
	s.tr.note("authenticated as %s", s.r.user)
	return nil
}

// send hands one message to the relay and returns its reply; its errors
// are *sendError. When ctx ends first, the connection is closed and the
// session cannot be used again.
func (s *session) send(ctx context.Context, m *composed) (string, error) {
	stop := context.AfterFunc(ctx, func() { s.raw.Close() })
	defer stop()
	fail := func(step string, err error) (string, error) {
		var se *smtp.SMTPError
		broken := !errors.As(err, &se)
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return "", &sendError{step: step, err: err, broken: broken}
	}
	opts := &smtp.MailOptions{Size: int64(len(m.raw)), UTF8: m.utf8}
	if ok, _ := s.c.Extension("SMTPUTF8"); opts.UTF8 && !ok {
		return "", &sendError{step: "MAIL FROM", err: errNoSMTPUTF8}
	}
	if err := s.c.Mail(m.from, opts); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := s.c.Rcpt(m.to, nil); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := s.c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	// go-smtp bounds the replies but not the writing of the data: a relay
	// that stops reading gets as long as it has to answer the end of it.
	s.raw.SetWriteDeadline(time.Now().Add(s.c.SubmissionTimeout))
	if _, err := w.Write(m.raw); err != nil {
		return fail("DATA", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return fail("end of DATA", err)
	}
	return oneLine("250 " + resp.StatusText), nil
}

// reset ends the transaction that a refused recipient or DATA command left
// open. go-smtp's client says EHLO again after RSET, which RFC 5321 allows
// but strict relays (CPython's smtpd) refuse with 503; saying it here, not
// in the next message's MAIL, keeps that refusal off the next message. It
// reports false when the session cannot go on.
func (s *session) reset() bool {
	return s.c.Reset() == nil && s.c.Hello(s.helo) == nil
}

// quit ends the session politely.
func (s *session) quit() {
	if err := s.c.Quit(); err != nil {
		s.close()
	}
}

func (s *session) close() { s.raw.Close() }

// sessionError is a failure to reach or log in to the relay: it concerns
// every message, which all wait for the relay to come back.
type sessionError struct {
	step       string
	err        error
	noStartTLS bool
}

func (e *sessionError) Error() string { return e.step + ": " + describe(e.err) }
func (e *sessionError) Unwrap() error { return e.err }

// sendError is a failure while handing over one message.
type sendError struct {
	step   string
	err    error
	broken bool // no reply came: the connection timed out or broke
}

func (e *sendError) Error() string { return e.step + ": " + describe(e.err) }
func (e *sendError) Unwrap() error { return e.err }

// code is the relay's reply code, 0 when it did not reply.
func (e *sendError) code() int {
	var se *smtp.SMTPError
	if !errors.As(e.err, &se) {
		return 0
	}
	return se.Code
}

// permanent says whether the message cannot go through this relay: a 5xx
// reply to MAIL, RCPT or DATA about the message itself (see notTheMessage),
// or an address that needs SMTPUTF8, which the relay does not offer.
// Replies about authentication (530, 534, 535, 538) are the relay's
// configuration, not the message's, and are retried, as Postfix does by
// default (smtp_sasl_auth_soft_bounce).
func (e *sendError) permanent() bool {
	switch c := e.code(); {
	case c == 530 || c == 534 || c == 535 || c == 538:
		return false
	case c == 552 && e.step == "RCPT TO":
		// A full mailbox (5.2.2) or too many recipients: RFC 5321
		// (4.5.3.1.10) has clients take 552 to RCPT as temporary, and a
		// mailbox emptied within the link's life takes the invitation.
		return false
	case c == 0:
		return errors.Is(e.err, errNoSMTPUTF8)
	default:
		return c >= 500 && !e.notTheMessage()
	}
}

// notTheMessage says whether a failure is about the session rather than
// this message's recipient or content: a 503 reply (bad sequence of
// commands: the relay and roster disagree on where the session is), or a
// refusal of MAIL FROM, whose sender is roster's own for every message (a
// sender not allowed, a sending quota), unless it is 552, the message's
// size; or MAIL FROM met by the end of the session, 421 or no reply at all,
// as from a relay that takes so many messages on a connection, or closes
// one left idle. A new connection starts afresh; the relay answering the
// same there refuses every message for now.
func (e *sendError) notTheMessage() bool {
	c := e.code()
	return c == 503 || e.step == "MAIL FROM" && (c >= 500 && c != 552 || c == 421 || e.broken)
}

// relayWide says whether the failure is about the relay rather than the
// message: the connection timed out or broke, or the relay is closing
// (421) or wants other credentials (530, 534, 535, 538). The messages after
// this one would meet the same fate, each paying the same timeout.
func (e *sendError) relayWide() bool {
	switch e.code() {
	case 421, 530, 534, 535, 538:
		return true
	}
	return e.broken
}

// inTransaction says whether the refusal left the mail transaction open, to
// be ended with RSET: MAIL was accepted, then RCPT or DATA refused. A reply
// to MAIL opened none, and a reply to the end of the data ends it.
func (e *sendError) inTransaction() bool {
	return (e.step == "RCPT TO" || e.step == "DATA") && !e.relayWide() && !e.notTheMessage()
}

// replyCode is the reply code of an attempt's outcome: 250 when the relay
// took the message, the code it refused the session or the message with, 0
// when no reply came.
func replyCode(err error) int {
	var se *smtp.SMTPError
	if err == nil {
		return 250
	} else if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// replyOf is the server's reply carried by err, "" if it carries none.
func replyOf(err error) string {
	var pe *sms.Error
	if errors.As(err, &pe) {
		return pe.Answer
	}
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return ""
	}
	return formatReply(se)
}

func formatReply(se *smtp.SMTPError) string {
	code := fmt.Sprintf("%03d", se.Code)
	if e := se.EnhancedCode; e != (smtp.EnhancedCode{}) && e != smtp.NoEnhancedCode {
		code += fmt.Sprintf(" %d.%d.%d", e[0], e[1], e[2])
	}
	return oneLine(code + " " + se.Message)
}

// describe writes err for the outbox and the logs: an SMTP reply as the
// server gave it, other errors as they are.
func describe(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return formatReply(se)
	}
	return oneLine(err.Error())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
