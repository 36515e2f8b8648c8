package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"roster/admin"
	"roster/mail"
	"roster/store"
)

// mailFlags adds the mail flags to fs: global (before the command) and on
// the commands that send mail. Not over SSH: a remote operator must not
// point the server's mail, and its links, at a relay of their own.
func (c *cli) mailFlags(fs *flag.FlagSet) {
	if c.actor != nil {
		return
	}
	fs.StringVar(&c.smtp, "smtp", c.smtp, "mail relay: smtp://user@host:587 (STARTTLS) or smtps://user@host:465 (env ROSTER_SMTP, the place for a URL with a password; default: the embedded capture server)")
	fs.StringVar(&c.smtpPasswordFile, "smtp-password-file", c.smtpPasswordFile, "file holding the relay user's password (env ROSTER_SMTP_PASSWORD_FILE)")
	fs.StringVar(&c.from, "from", c.from, "sender of the mail (env ROSTER_FROM; default: roster@ this host)")
	fs.StringVar(&c.baseURL, "base-url", c.baseURL, "start of the links in mail, e.g. https://roster.example.com (env ROSTER_BASE_URL); serve makes it the account's, which other processes then refuse to differ from")
	fs.StringVar(&c.sms, "sms", c.sms, "SMS provider: twilio://ACCOUNT_SID:AUTH_TOKEN@+33100000000 or https://gateway/path signed with ROSTER_SMS_SECRET (env ROSTER_SMS, the place for a URL with a token; default: SMS are captured)")
}

// mailConfig is the mail configuration: --smtp, --smtp-password-file,
// --from, --base-url and --sms over ROSTER_SMTP, ROSTER_SMTP_PASSWORD_FILE,
// ROSTER_FROM, ROSTER_BASE_URL and ROSTER_SMS (ROSTER_SMS_SECRET has no
// flag: a secret in a flag shows in the process list). The flags have no defaults of their own,
// so that --help never prints a relay's password. Once the account has a
// base URL, links start with it, and a --base-url that differs is refused
// (admin.BaseURLError). The store must be open.
func (c *cli) mailConfig(ctx context.Context) (mail.Config, error) {
	cfg := mail.ConfigFromEnv()
	if c.smtp != "" {
		cfg.SMTP = c.smtp
		// Anyone on the machine can read a command line (ps); the
		// environment and a file are the owner's alone.
		if u, err := url.Parse(c.smtp); err == nil {
			if _, ok := u.User.Password(); ok {
				c.warn(errorf("the password in --smtp shows in the process list: give it in ROSTER_SMTP or with --smtp-password-file"))
			}
		}
	}
	if c.sms != "" {
		cfg.SMS = c.sms
		if u, err := url.Parse(c.sms); err == nil {
			if _, ok := u.User.Password(); ok {
				c.warn(errorf("the token in --sms shows in the process list: give it in ROSTER_SMS"))
			}
		}
	}
	if c.smtpPasswordFile != "" {
		cfg.PasswordFile = c.smtpPasswordFile
	}
	if c.from != "" {
		cfg.From = c.from
	}
	if c.baseURL != "" {
		cfg.BaseURL = c.baseURL
	}
	if err := cfg.Check(); err != nil {
		return cfg, err
	}
	cfg.Failed = c.svc.MailFailed
	var err error
	cfg.BaseURL, err = c.svc.MailBaseURL(ctx, cfg.BaseURL)
	return cfg, err
}

func cmdMail(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("mail")
	c.mailFlags(fs)
	state := fs.String("state", "", "only messages in this state: "+strings.Join(store.OutboxStates(), "|"))
	limit := fs.Int("limit", 100, "at most this many messages, newest first (0: all)")
	failed := fs.Bool("failed", false, "with retry: every failed message whose deadline has not passed")
	to := fs.String("to", "", "with test: the address to send the test message to")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	cfg, err := c.mailConfig(ctx)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return c.mailList(ctx, *state, *limit)
	}
	verb, rest := rest[0], rest[1:]
	switch verb {
	case "show":
		id, err := mailID("mail show", rest)
		if err != nil {
			return err
		}
		a, err := c.operator(ctx)
		if err != nil {
			return err
		}
		m, kept, err := c.svc.OutboxMessage(ctx, a, id)
		if err != nil {
			return err
		}
		shown, err := mail.Show(m, kept, cfg)
		if err != nil {
			return err
		}
		return c.printMessage(shown)
	case "captured":
		if len(rest) == 0 {
			return c.capturedList(ctx, *limit)
		}
		id, err := mailID("mail captured", rest)
		if err != nil {
			return err
		}
		a, err := c.operator(ctx)
		if err != nil {
			return err
		}
		kept, err := c.svc.CapturedMessage(ctx, a, id)
		if err != nil {
			return err
		}
		shown, err := mail.ReadCaptured(kept)
		if err != nil {
			return err
		}
		return c.printMessage(shown)
	case "retry":
		return c.mailRetry(ctx, cfg, rest, *failed)
	case "test":
		if *to == "" || len(rest) > 0 {
			return usagef("mail test needs --to EMAIL")
		}
		tr, err := mail.SendTest(ctx, c.st, cfg, *to)
		if tr != nil {
			if c.json {
				if jerr := c.printJSON(tr); jerr != nil {
					return jerr
				}
			} else {
				fmt.Fprintln(c.stdout, c.printer().T("relay: %s", admin.Printable(tr.Relay)))
				for _, l := range tr.Lines {
					fmt.Fprintln(c.stdout, admin.Printable(l))
				}
			}
		}
		if err != nil {
			return errorf("the test message was not accepted: %v", err)
		}
		return nil
	case "deliver", "flush":
		if len(rest) > 0 {
			return usagef("mail %s takes no arguments", verb)
		}
		run := mail.DeliverDue
		if verb == "flush" {
			run = mail.Flush
		}
		rep, err := run(ctx, c.st, cfg)
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(rep)
		}
		fmt.Fprintln(c.stdout, c.printer().T("sent %d, deferred %d, failed %d, cancelled %d", rep.Sent, rep.Deferred, rep.Failed, rep.Cancelled))
		return nil
	}
	return unknownVerb("mail", verb, "show, captured, retry, test, deliver or flush", "show", "captured", "retry", "test", "deliver", "flush")
}

func mailID(what string, args []string) (int64, error) {
	if len(args) != 1 {
		return 0, usagef("%s needs one message ID", what)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a message ID", what, args[0])
	}
	return id, nil
}

func (c *cli) mailList(ctx context.Context, state string, limit int) error {
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	ms, err := c.svc.Outbox(ctx, a, state, 0, limit)
	if err != nil {
		return err
	}
	return printList(c, ms, []string{"ID", "CHANNEL", "KIND", "TO", "STATE", "TRIES", "WHEN", "LAST ERROR"}, func(m store.OutboxMessage) []string {
		return []string{strconv.FormatInt(m.ID, 10), m.Channel, m.Kind, m.Recipient, c.printer().T(m.State), strconv.Itoa(m.Attempts),
			c.when(m), m.LastError}
	})
}

// when is the time that matters for a message in its state.
func (c *cli) when(m store.OutboxMessage) string {
	day := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
	switch m.State {
	case store.OutboxSent:
		return c.printer().T("sent %s", day(m.SentAt))
	case store.OutboxQueued, store.OutboxDeferred:
		return c.printer().T("next %s", day(m.NextAttemptAt))
	}
	return c.printer().T("queued %s", day(m.CreatedAt))
}

func (c *cli) capturedList(ctx context.Context, limit int) error {
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	ms, err := c.svc.CapturedMail(ctx, a, 0, limit)
	if err != nil {
		return err
	}
	return printList(c, ms, []string{"ID", "RECEIVED", "TO", "SUBJECT"}, func(m store.CapturedMail) []string {
		return []string{strconv.FormatInt(m.ID, 10), m.ReceivedAt.Local().Format("2006-01-02 15:04"),
			strings.Join(m.To, ", "), m.Subject}
	})
}

// mailRetry puts failed mail back in the queue, through admin: it is
// checked and audited as the operator's act.
func (c *cli) mailRetry(ctx context.Context, cfg mail.Config, args []string, failed bool) error {
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	lifetime := cmp.Or(cfg.Lifetime, mail.DefaultLifetime)
	if failed {
		if len(args) > 0 {
			return usagef("mail retry takes ID or --failed, not both")
		}
		n, late, err := c.svc.RetryFailedMail(ctx, a, lifetime)
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(map[string]int{"requeued": n, "too_late": late})
		}
		fmt.Fprint(c.stdout, c.printer().N(n, "requeued %s failed message", "requeued %s failed messages"))
		if late > 0 {
			fmt.Fprint(c.stdout, c.printer().T("; %d others are past their deadline: resend those invitations or resets", late))
		}
		fmt.Fprintln(c.stdout)
		return nil
	}
	id, err := mailID("mail retry", args)
	if err != nil {
		return err
	}
	if err := c.svc.RetryMail(ctx, a, id, lifetime); err != nil {
		return err
	}
	if c.json { // as retry --failed says it: it printed nothing
		return c.printJSON(map[string]int{"requeued": 1, "too_late": 0})
	}
	fmt.Fprintln(c.stdout, c.printer().T("mail %d queued again", id))
	return nil
}

// printMessage prints a message's header fields and plain-text part, made
// printable: captured mail comes from any local SMTP client.
func (c *cli) printMessage(m *mail.Message) error {
	if c.json {
		return c.printJSON(m)
	}
	if o := m.Outbox; o != nil {
		tries := c.printer().T("not tried yet")
		if o.Attempts > 0 {
			tries = c.printer().N(o.Attempts, "%s attempt", "%s attempts")
		}
		what := c.printer().T("mail")
		if o.Channel == store.ChannelSMS {
			what = "SMS"
		}
		fmt.Fprint(c.stdout, c.printer().T("# %s %d, %s to %s: %s, %s", what, o.ID, o.Kind, admin.Printable(o.Recipient), c.printer().T(o.State), tries))
		if o.Reply != "" {
			fmt.Fprint(c.stdout, c.printer().T("; reply %q", admin.Printable(o.Reply)))
		}
		if o.LastError != "" && o.State != store.OutboxSent {
			fmt.Fprint(c.stdout, c.printer().T("; last error %q", admin.Printable(o.LastError)))
		}
		fmt.Fprintln(c.stdout)
	}
	if m.Captured != nil {
		fmt.Fprintln(c.stdout, c.printer().T("# as the capture server kept it (#%d), links working", m.Captured.ID))
	}
	if len(m.Header) == 0 {
		fmt.Fprintln(c.stdout, c.printer().T("(no text: the message was cancelled before it was sent)"))
		return nil
	}
	for _, h := range m.Header {
		fmt.Fprintf(c.stdout, "%s: %s\n", admin.Printable(h.Name), admin.Printable(h.Value))
	}
	fmt.Fprintln(c.stdout)
	for _, l := range strings.Split(strings.TrimRight(m.Text, "\n"), "\n") {
		fmt.Fprintln(c.stdout, admin.Printable(l))
	}
	return nil
}
