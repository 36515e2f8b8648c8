package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-smtp"

	"roster/store"
)

// captureServer is the embedded SMTP server that stands in for a relay when
// none is configured: it listens on a loopback port and keeps every message
// it receives, whole, in the database (captured_mail), as the recipients'
// mailboxes would. The worker delivers to it through the same client code
// as to a real relay.
type captureServer struct {
	srv  *smtp.Server
	ln   net.Listener
	addr string
	done chan struct{}
}

// maxCaptured bounds the size of one captured message.
const maxCaptured = 25 << 20

// startCapture starts the capture server, which keeps what it receives with
// write: the deliverer's, so that its writes take turns with the worker's.
func startCapture(write func(context.Context, func(*store.Q) error) error, cfg Config) (*captureServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the mail capture server: %w", err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &captureSession{write: write, now: cfg.now}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxCaptured
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogPrinter{cfg.logger().With("component", "mail capture")}
	c := &captureServer{srv: srv, ln: ln, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			cfg.logger().Error("mail capture server stopped", "err", err)
		}
	}()
	return c, nil
}

// relay is how the worker reaches the capture server: plain SMTP on loopback.
func (c *captureServer) relay() *relay {
	host, _, _ := net.SplitHostPort(c.addr)
	return &relay{addr: c.addr, host: host, tls: tlsOff, display: "embedded capture server on " + c.addr}
}

func (c *captureServer) close() {
	c.srv.Close()
	c.ln.Close() // Close misses it when Serve has not started yet
	<-c.done
}

type captureSession struct {
	write func(context.Context, func(*store.Q) error) error
	now   func() time.Time
	from  string
	to    []string
}

func (s *captureSession) Reset()        { s.from, s.to = "", nil }
func (s *captureSession) Logout() error { return nil }

func (s *captureSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *captureSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data keeps the message and answers with the number it is kept under.
func (s *captureSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := &store.CapturedMail{ReceivedAt: s.now(), From: s.from, To: s.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.MessageID = msg.Header.Get("Message-ID")
		m.Subject = msg.Header.Get("Subject")
		if dec, err := new(mime.WordDecoder).DecodeHeader(m.Subject); err == nil {
			m.Subject = dec
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.write(ctx, func(q *store.Q) error { return q.InsertCapturedMail(ctx, m) }); err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot keep the message now: " + err.Error()}
	}
	// A 250 "error" is how a go-smtp backend words its own success reply.
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: fmt.Sprintf("captured as #%d", m.ID)}
}

// slogPrinter gives go-smtp's server log lines to slog.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) { p.l.Warn(fmt.Sprintf(format, v...)) }
func (p slogPrinter) Println(v ...any)               { p.l.Warn(fmt.Sprintln(v...)) }
