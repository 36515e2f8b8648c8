// Package mail delivers roster's outbox: it renders each queued message from
// the bilingual templates, sends it through an SMTP relay with
// github.com/emersion/go-smtp's client (one connection for many messages,
// retries with backoff, a lease so that two processes never send one message
// at once), and, when no relay is configured, runs an SMTP server of its own
// on a loopback port that keeps every message it receives in the database.
// The outbox's SMS go through the same claims, retries and records, handed
// to the provider of package sms, or kept beside the captured mail when
// there is none.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"roster/internal/baseurl"
	"roster/sms"
	"roster/store"
)

// Defaults for the fields of Config left zero.
const (
	DefaultBaseURL  = "http://localhost:8080"
	DefaultLifetime = 5 * 24 * time.Hour // as Postfix's maximal_queue_lifetime
	DefaultTimeout  = 30 * time.Second
	DefaultLease    = 5 * time.Minute
	DefaultPoll     = 2 * time.Second
	DefaultBatch    = 100
	// DefaultConnections bounds the connections a backlog opens (a pass
	// opens one more per connectionShare messages waiting, from one): on
	// loopback, 10,000 messages go at 0.37 of raw go-smtp's rate on one
	// connection with 4, 0.51-0.52 with 16, 0.54-0.55 with 24 and 0.57-0.58
	// with 32 (BenchmarkDeliver, in turns), and a relay answering in
	// milliseconds takes mail about as many times faster as there are
	// connections. Relays limit the connections of one client (Postfix's
	// smtpd_client_connection_count_limit is 50, Microsoft 365's submission
	// 3): one refused is handed off (pipeline.handOff). Each adds two to what
	// a crash may send twice (Config.Connections).
	DefaultConnections = 24
	maxConnections     = 100
)

// Config says where and how mail goes. The command line binds its global
// flags --smtp, --smtp-password-file, --from and --base-url onto the first
// four fields, with ConfigFromEnv's values as their defaults; the others are
// for tests and for programs embedding the worker.
type Config struct {
	// SMTP is the relay: smtp://[user:pass@]host[:port] (port 25 unless
	// given; STARTTLS when the server offers it, ?starttls=required to refuse
	// a relay that does not, ?starttls=off never to ask) or
	// smtps://[user:pass@]host[:port] (TLS from the first byte, port 465).
	// Credentials are sent only over TLS. Empty: the embedded capture server.
	SMTP string
	// PasswordFile names a file holding the password of SMTP's user (its
	// final newline dropped): unlike a password written in a flag, it shows
	// in no process list.
	PasswordFile string
	// From is the sender, "roster@example.com" or "Name <roster@example.com>";
	// empty: roster@ this machine's host name.
	From string
	// BaseURL starts every link in the mail, e.g. https://roster.example.com;
	// empty: DefaultBaseURL.
	BaseURL string
	// SMS is the SMS provider (sms.Parse): twilio://SID:TOKEN@+33100000000
	// or an https:// gateway. Empty: SMS are captured, as mail is with no
	// relay.
	SMS string
	// SMSSecret signs the messages posted to an https:// gateway
	// (whsec_ and base64, as a webhook's secret).
	SMSSecret string
	// HTTPClient, when set, posts the SMS (a test's, trusting its server);
	// nil is a client with Timeout that follows no redirect.
	HTTPClient *http.Client

	// Lifetime is how long after being queued a message is still tried;
	// an invitation or reset is never tried past its link's expiry.
	Lifetime time.Duration
	// Timeout bounds the dial and each SMTP command; the reply to the end of
	// a message's data may take four times as long.
	Timeout time.Duration
	// Lease is how long a claimed message belongs to its worker; after a
	// crash, another worker sends it once the lease has run out.
	Lease time.Duration
	// Poll is how often a running worker looks for due mail.
	Poll time.Duration
	// Batch is how many messages a worker claims at once.
	Batch int
	// Failed, when set, is told of the messages that failed for good, in
	// the transaction that records it: the rules make an invitation whose
	// mail failed a stuck invitation, with its audit row and its webhooks'
	// event (admin.Service.MailFailed).
	Failed func(ctx context.Context, q *store.Q, failed []store.OutboxMessage) error
	// Replied, when set, is told of each attempt to hand a message to the
	// relay: the class of the relay's reply (2xx, 4xx, 5xx, or network when
	// none came or the relay could not be reached) and how long the attempt
	// took; roster serve counts them for its metrics.
	Replied func(class string, took time.Duration)
	// Connections is how many connections to the relay a worker sends on at
	// once, opened as mail waits once the relay has taken a message in the
	// pass. After a crash, at most 2 × Connections messages the relay had
	// accepted are sent again (see pipeline).
	Connections int
	// Location is the time zone of the dates written in mail; nil is the
	// machine's (TZ).
	Location *time.Location
	// TLS, when set, is used for the relay's TLS (a private CA's roots, for
	// example); its ServerName defaults to the relay's host.
	TLS *tls.Config
	// Logger receives one line per delivery outcome; nil discards them.
	Logger *slog.Logger
	// Now is the clock for the outbox's times; nil is the wall clock.
	Now func() time.Time

	envErr error // what ConfigFromEnv could not read, for Check
}

// Environment variables ConfigFromEnv reads.
const (
	EnvSMTP             = "ROSTER_SMTP"
	EnvSMTPPasswordFile = "ROSTER_SMTP_PASSWORD_FILE"
	EnvFrom             = "ROSTER_FROM"
	EnvBaseURL          = "ROSTER_BASE_URL"
	EnvLifetime         = "ROSTER_MAIL_LIFETIME"
	EnvSMTPConnections  = "ROSTER_SMTP_CONNECTIONS"
	EnvSMS              = "ROSTER_SMS"
	EnvSMSSecret        = "ROSTER_SMS_SECRET"
)

// ConfigFromEnv reads ROSTER_SMTP, ROSTER_SMTP_PASSWORD_FILE, ROSTER_FROM,
// ROSTER_BASE_URL, ROSTER_MAIL_LIFETIME (a Go duration such as 72h),
// ROSTER_SMTP_CONNECTIONS, ROSTER_SMS and ROSTER_SMS_SECRET. Check reports
// what is wrong with the values.
func ConfigFromEnv() Config {
	c := Config{SMTP: os.Getenv(EnvSMTP), PasswordFile: os.Getenv(EnvSMTPPasswordFile), From: os.Getenv(EnvFrom),
		BaseURL: os.Getenv(EnvBaseURL), SMS: os.Getenv(EnvSMS), SMSSecret: os.Getenv(EnvSMSSecret)}
	if v := os.Getenv(EnvLifetime); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			c.envErr = fmt.Errorf("%s=%q: not a duration such as 72h", EnvLifetime, v)
		}
		c.Lifetime = d
	}
	if v := os.Getenv(EnvSMTPConnections); v != "" {
		n, err := strconv.Atoi(v)
		if (err != nil || n < 1 || n > maxConnections) && c.envErr == nil {
			c.envErr = fmt.Errorf("%s=%q: not a number from 1 to %d", EnvSMTPConnections, v, maxConnections)
		}
		c.Connections = n
	}
	return c
}

// String describes the configuration with the relay's password hidden, so
// that it may be printed or logged.
func (c Config) String() string {
	relay := "embedded capture server"
	if c.SMTP != "" {
		relay = "(invalid relay URL)"
		if r, err := parseRelay(c.SMTP); err == nil {
			relay = r.display
		}
	}
	provider := "captured"
	if c.SMS != "" {
		provider = "(invalid provider URL)"
		if p, err := c.smsProvider(); err == nil {
			provider = p.String()
		}
	}
	return fmt.Sprintf("relay %s, from %s, links %s, sms %s", relay, c.from().String(), c.baseURL(), provider)
}

// GoString hides the password from %#v as String does from %v.
func (c Config) GoString() string { return "mail.Config{" + c.String() + "}" }

// LogValue hides the password from slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Check reports the first thing wrong with the configuration.
func (c Config) Check() error {
	if c.SMTP != "" || c.PasswordFile != "" {
		if _, err := c.relay(); err != nil {
			return err
		}
	}
	if c.From != "" {
		if _, err := parseFrom(c.From); err != nil {
			return err
		}
	}
	if c.BaseURL != "" {
		if _, err := parseBaseURL(c.BaseURL); err != nil {
			return err
		}
	}
	if c.SMS != "" || c.SMSSecret != "" {
		if _, err := c.smsProvider(); err != nil {
			return err
		}
	}
	return c.envErr
}

// smsProvider is the provider of SMS, nil when they are captured.
func (c Config) smsProvider() (*sms.Provider, error) {
	if c.SMS == "" {
		if c.SMSSecret != "" {
			return nil, errors.New("ROSTER_SMS_SECRET: there is no SMS gateway (--sms) to sign for")
		}
		return nil, nil
	}
	return sms.Parse(c.SMS, c.SMSSecret)
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: c.timeout(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (c Config) lifetime() time.Duration { return orDefault(c.Lifetime, DefaultLifetime) }
func (c Config) timeout() time.Duration  { return orDefault(c.Timeout, DefaultTimeout) }
func (c Config) lease() time.Duration    { return orDefault(c.Lease, DefaultLease) }
func (c Config) poll() time.Duration     { return orDefault(c.Poll, DefaultPoll) }
func (c Config) batch() int              { return orDefault(c.Batch, DefaultBatch) }
func (c Config) connections() int {
	return min(orDefault(c.Connections, DefaultConnections), maxConnections)
}

func (c Config) location() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.Local
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// from is the sender address; Check has refused an invalid one.
func (c Config) from() *mail.Address {
	if c.From != "" {
		if a, err := parseFrom(c.From); err == nil {
			return a
		}
	}
	return &mail.Address{Address: "roster@" + hostname()}
}

func (c Config) baseURL() string {
	if c.BaseURL != "" {
		if u, err := parseBaseURL(c.BaseURL); err == nil {
			return u
		}
	}
	return DefaultBaseURL
}

// linkBase is the start of the links in mail: the account's base URL, read
// in q as mail is composed so that every process mailing for the account
// builds the same links, even after it changes; before it is set (or the
// account made), BaseURL or the default.
func (c Config) linkBase(ctx context.Context, q *store.Q) (string, error) {
	acct, err := q.Account(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("read the base URL: %w", err)
	}
	if err == nil && acct.BaseURL != "" {
		return acct.BaseURL, nil
	}
	return c.baseURL(), nil
}

// hostname is this machine's name as mail knows it, or localhost when it has
// none usable in an address or in EHLO.
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsFunc(h, func(r rune) bool {
		return !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return "localhost"
	}
	return strings.ToLower(h)
}

func parseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(a.Address, "\r\n") {
		return nil, fmt.Errorf("--from %q: not a mail address", s)
	}
	return a, nil
}

func parseBaseURL(s string) (string, error) {
	u, err := baseurl.Parse(s)
	if err != nil {
		return "", fmt.Errorf("--base-url: %w", err)
	}
	return u, nil
}

// tlsMode says how the connection to the relay is protected.
type tlsMode int

const (
	tlsOpportunistic tlsMode = iota // STARTTLS when offered
	tlsStartTLS                     // STARTTLS, or no delivery
	tlsImplicit                     // smtps: TLS from the first byte
	tlsOff                          // plain text (the loopback capture server, or ?starttls=off)
)

// relay is a parsed relay URL.
type relay struct {
	addr     string // host:port
	host     string
	tls      tlsMode
	user     string
	password string
	display  string // the URL without its password
}

// relay is the relay of SMTP, with the password read from PasswordFile
// when there is one.
func (c Config) relay() (*relay, error) {
	if c.SMTP == "" {
		return nil, errors.New("--smtp-password-file: there is no relay (--smtp) to log in to")
	}
	r, err := parseRelay(c.SMTP)
	if err != nil || c.PasswordFile == "" {
		return r, err
	}
	switch {
	case r.user == "":
		return nil, errors.New("--smtp-password-file: the relay URL has no user name, as in smtp://user@host:587")
	case r.password != "":
		return nil, errors.New("--smtp-password-file: the relay URL holds a password too: give it in one place, not both")
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("--smtp-password-file: %w", err)
	}
	r.password = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if r.password == "" {
		return nil, fmt.Errorf("--smtp-password-file %s: the file is empty", c.PasswordFile)
	}
	return r, nil
}

// parseRelay parses a relay URL. Its errors repeat no part of it: a
// malformed URL is misread, and a piece of its password may be taken for a
// scheme, a port, a path or a parameter.
func parseRelay(s string) (*relay, error) {
	bad := func(why string) error { return errors.New("--smtp: " + why) }
	u, err := url.Parse(s)
	if err != nil {
		return nil, bad("not a URL such as smtp://user@host:587; check the port, and %-escape any @ : / ? # % in the user name or password")
	}
	r := &relay{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "25"
		}
	case "smtps":
		r.tls = tlsImplicit
		if port == "" {
			port = "465"
		}
	default:
		return nil, bad("the scheme must be smtp or smtps, as in smtp://user@host:587")
	}
	if r.host == "" {
		return nil, bad("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, bad("bad port: want a number from 1 to 65535")
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "" {
		return nil, bad("a relay URL has no path (a / in the password is written %2F)")
	}
	for k, v := range u.Query() {
		if k != "starttls" || len(v) != 1 || u.Scheme != "smtp" {
			return nil, bad("unknown parameter (smtp:// takes starttls=required or starttls=off)")
		}
		switch v[0] {
		case "required":
			r.tls = tlsStartTLS
		case "off":
			r.tls = tlsOff
		default:
			return nil, bad("starttls: want required or off")
		}
	}
	if u.User != nil {
		r.user = u.User.Username()
		r.password, _ = u.User.Password()
		if r.tls == tlsOff {
			return nil, bad("credentials are only sent over TLS, and starttls=off turns it off")
		}
	}
	r.addr = net.JoinHostPort(r.host, port)
	r.display = u.Redacted()
	return r, nil
}
