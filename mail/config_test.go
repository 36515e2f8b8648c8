package mail

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"roster/store"
)

func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv(EnvSMTP, "smtp://mailer:hunter2@relay.example.com:587")
	t.Setenv(EnvFrom, "Acme IT <it@acme.test>")
	t.Setenv(EnvBaseURL, "https://roster.acme.test/")
	t.Setenv(EnvLifetime, "72h")
	t.Setenv(EnvSMTPConnections, "7")
	c := ConfigFromEnv()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.baseURL() != "https://roster.acme.test" || c.from().Name != "Acme IT" || c.from().Address != "it@acme.test" || c.lifetime() != 72*time.Hour ||
		c.connections() != 7 {
		t.Fatalf("%+v", c)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("start", "config", c)
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logged.String()} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "relay.example.com:587") {
			t.Errorf("password shown, or relay hidden: %s", s)
		}
	}
	t.Setenv(EnvLifetime, "three days")
	if err := ConfigFromEnv().Check(); err == nil {
		t.Fatal("no error for a lifetime that is not a duration")
	}
	t.Setenv(EnvLifetime, "")
	for _, v := range []string{"0", "-1", "four", "101"} {
		t.Setenv(EnvSMTPConnections, v)
		err := ConfigFromEnv().Check()
		if err == nil || err.Error() != fmt.Sprintf("%s=%q: not a number from 1 to 100", EnvSMTPConnections, v) {
			t.Errorf("%s=%s: %v", EnvSMTPConnections, v, err)
		}
	}
}

func TestRelayURLs(t *testing.T) {
	for _, tc := range []struct {
		url     string
		addr    string
		mode    tlsMode
		user    string
		wantErr string
	}{
		{"smtp://relay.test", "relay.test:25", tlsOpportunistic, "", ""},
		{"smtp://u:p%40ss@relay.test:587", "relay.test:587", tlsOpportunistic, "u", ""},
		{"smtp://relay.test:587?starttls=required", "relay.test:587", tlsStartTLS, "", ""},
		{"smtp://relay.test?starttls=off", "relay.test:25", tlsOff, "", ""},
		{"smtps://u:p@relay.test", "relay.test:465", tlsImplicit, "u", ""},
		{"smtps://[::1]:2465", "[::1]:2465", tlsImplicit, "", ""},
		{"http://relay.test", "", 0, "", "scheme"},
		{"smtp://u:secret@relay.test:port", "", 0, "", "port"},
		{"smtp://u:secret@relay.test:99999", "", 0, "", "port"},
		{"smtp://relay.test?tls=yes", "", 0, "", "unknown parameter"},
		{"smtps://relay.test?starttls=required", "", 0, "", "unknown parameter"},
		{"smtp://u:secret@relay.test?starttls=off", "", 0, "", "only sent over TLS"},
		{"smtp://relay.test/path", "", 0, "", "no path"},
		{"smtp://", "", 0, "", "no host"},
	} {
		r, err := parseRelay(tc.url)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: %v, want an error about %q without the password", tc.url, err, tc.wantErr)
			}
			continue
		}
		if err != nil || r.addr != tc.addr || r.tls != tc.mode || r.user != tc.user {
			t.Errorf("%s: %+v, %v", tc.url, r, err)
		}
	}
}

func TestFromAndBaseURL(t *testing.T) {
	c := Config{}
	if got := c.from().Address; got != "roster@"+hostname() {
		t.Fatalf("default sender %q", got)
	}
	if c.baseURL() != DefaultBaseURL {
		t.Fatalf("default base URL %q", c.baseURL())
	}
	for _, bad := range []Config{{From: "not an address"}, {From: "a@b.test\r\nBcc: c@d.test"}, {BaseURL: "roster.acme.test"},
		{BaseURL: "ftp://roster.acme.test"}, {BaseURL: "https://roster.acme.test/?x=1"}} {
		if err := bad.Check(); err == nil {
			t.Errorf("%#v: no error", bad)
		}
	}
}

func TestSendTestTranscript(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	f := newFixture(t)
	srv := newTestServer(t, "", withTLS(serverTLS), withUsers(map[string]string{"mailer": "hunter2"}))
	cfg := f.config("smtp://mailer:hunter2@" + srv.addr)
	cfg.TLS = clientTLS

	tr, err := SendTest(f.ctx, f.st, cfg, bossEmail)
	if err != nil {
		t.Fatalf("%v\n%s", err, tr)
	}
	out := tr.String()
	for _, want := range []string{"* connected to 127.0.0.1", "S: 220 relay.test", "C: EHLO ", "S: 250-STARTTLS", "C: STARTTLS",
		"* TLS 1.3", "issued by roster test CA, verified", "C: AUTH PLAIN [credentials hidden]", "S: 235 ",
		"C: MAIL FROM:<roster@acme.test>", "C: RCPT TO:<boss@acme.test>", "S: 354 ", "C: [the message: ", "C: .",
		"S: 250 2.0.0 OK: queued", "C: QUIT", "S: 221 "} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, out)
		}
	}
	// Neither the password nor its base64 form in AUTH PLAIN.
	for _, secret := range []string{"hunter2", "bWFpbGVy"} {
		if strings.Contains(out, secret) {
			t.Fatalf("the transcript shows the credentials:\n%s", out)
		}
	}
	if !strings.HasPrefix(tr.Reply, "250 ") {
		t.Fatalf("reply %q", tr.Reply)
	}
	got := srv.received()
	if len(got) != 1 || got[0].msg(t).Header.Get("Subject") != "roster test message" {
		t.Fatalf("received %d", len(got))
	}
	if list, _ := f.st.Read().Outbox(f.ctx, "", 0, 0); len(list) != 0 {
		t.Fatalf("the test message went through the outbox: %+v", list)
	}

	cfg.SMTP = "smtp://mailer:wrong@" + srv.addr
	tr, err = SendTest(f.ctx, f.st, cfg, bossEmail)
	if err == nil || !strings.Contains(err.Error(), "535") || !strings.Contains(tr.String(), "S: 535 5.7.8") {
		t.Fatalf("refused credentials: %v\n%s", err, tr)
	}
	if _, err := SendTest(f.ctx, f.st, cfg, "Someone <x@acme.test>"); err == nil {
		t.Fatal("no error for a recipient that is not a bare address")
	}
}

func TestSendTestToTheCaptureServer(t *testing.T) {
	f := newFixture(t)
	f.svc.Now = func() time.Time { return start }
	f.invite(jean)
	tr, err := SendTest(f.ctx, f.st, f.config(""), "jean@acme.test")
	if err != nil {
		t.Fatalf("%v\n%s", err, tr)
	}
	if !strings.Contains(tr.Relay, "embedded capture server on 127.0.0.1:") || !strings.Contains(tr.Reply, "captured as #1") {
		t.Fatalf("relay %q, reply %q", tr.Relay, tr.Reply)
	}
	list, err := f.svc.CapturedMail(f.ctx, boss, 0, 0)
	if err != nil || len(list) != 1 || list[0].Subject != "Message de test de roster" {
		t.Fatalf("captured %+v, %v; want one test message in French, jean's language", list, err)
	}
	if ms, _ := f.st.Read().Outbox(f.ctx, store.OutboxSent, 0, 0); len(ms) != 0 {
		t.Fatal("the test message went through the outbox")
	}
}
