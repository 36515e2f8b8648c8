package mail

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"roster/store"
)

// showsPart reports whether s holds three characters in a row of secret (a
// password, or its telling part): a malformed URL is misread, and a piece
// of the password may be taken for a port, a path or a parameter.
func showsPart(s, secret string) bool {
	for i := 0; i+3 <= len(secret); i++ {
		if strings.Contains(s, secret[i:i+3]) {
			return true
		}
	}
	return false
}

func TestRelayErrorsNeverShowThePassword(t *testing.T) {
	for _, tc := range []struct {
		url, secret string
	}{
		{"smtp://mailer:Xq7vKw@relay.test:bad", "Xq7vKw"},      // bad port
		{"smtp://mailer:Xq7vKw@relay.test:99999", "Xq7vKw"},    // port out of range
		{"smtp://mailer:%Xq7vKw@relay.test:587", "%Xq7vKw"},    // bad escape
		{"mailer:Xq7vKw@relay.test:587", "Xq7vKw"},             // no scheme
		{"//mailer:Xq7vKw@relay.test:587", "Xq7vKw"},           // no scheme, but an authority
		{"smtp://mailer:Xq7/vKw@relay.test:587", "Xq7/vKw"},    // unescaped slash: "Xq7" taken for a port
		{"smtp://mailer:2525/Xq7vKw@relay.test:587", "Xq7vKw"}, // ... or a port and a path
		{"smtp://mailer:Xq7#vKw@relay.test:587", "Xq7#vKw"},    // unescaped #
		{"smtp://mailer:25?Xq7vKw=1@relay.test", "Xq7vKw"},     // ... or ?, taken for a parameter
		{"smtp://mailer:25?starttls=Xq7vKw@relay.test", "Xq7vKw"},
		{"smtp://mailer:Xq7vKw@relay.test?starttls=off", "Xq7vKw"}, // credentials without TLS
		{"ftp://mailer:Xq7vKw@relay.test", "Xq7vKw"},               // wrong scheme
		{"smtp://mailer:Xq7vKw@", "Xq7vKw"},                        // no host
		{"smtp://mailer:Xq7vKw@relay test:587", "Xq7vKw"},          // space in the host
		{"smtp://mailer:Xq7\nvKw@relay.test:587", "Xq7\nvKw"},      // control character
	} {
		cfg := Config{SMTP: tc.url}
		err := cfg.Check()
		if err == nil {
			t.Errorf("%q: no error", tc.url)
			continue
		}
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("start", "config", cfg)
		for _, s := range []string{err.Error(), cfg.String(), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), logged.String()} {
			if showsPart(s, tc.secret) {
				t.Errorf("%q: the password shows in %q", tc.url, s)
			}
		}
		if !strings.HasPrefix(err.Error(), "--smtp: ") {
			t.Errorf("%q: error %q does not say it is about --smtp", tc.url, err)
		}
	}
}

func TestPasswordFile(t *testing.T) {
	serverTLS, clientTLS := testCerts(t)
	srv := newTestServer(t, "", withTLS(serverTLS), withUsers(map[string]string{"mailer": "s3cret pass"}))
	dir := t.TempDir()
	file := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(file, []byte("s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	f := newFixture(t)
	f.invite(jean)
	t.Setenv(EnvSMTP, "smtp://mailer@"+srv.addr)
	t.Setenv(EnvSMTPPasswordFile, file)
	cfg := ConfigFromEnv()
	if cfg.PasswordFile != file {
		t.Fatalf("PasswordFile %q, want %s from %s", cfg.PasswordFile, file, EnvSMTPPasswordFile)
	}
	cfg.Now, cfg.TLS, cfg.BaseURL = f.clock.Now, clientTLS, "https://roster.acme.test"
	if rep := f.deliver(cfg); rep.Sent != 1 {
		t.Fatalf("%+v, %q", rep, f.only().LastError)
	}
	got := srv.received()
	if len(got) != 1 || got[0].user != "mailer" || !got[0].tls {
		t.Fatalf("received %+v, want one message from user mailer over TLS", got)
	}
	if s := cfg.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "mailer@"+srv.addr) {
		t.Fatalf("String: %s", s)
	}

	for _, tc := range []struct {
		url, file, want string
	}{
		{"smtp://mailer:other@" + srv.addr, file, "not both"},
		{"smtp://" + srv.addr, file, "no user name"},
		{"smtp://mailer@" + srv.addr + "?starttls=off", file, "only sent over TLS"},
		{"smtp://mailer@" + srv.addr, filepath.Join(dir, "missing"), "no such file"},
		{"", file, "no relay"},
	} {
		err := Config{SMTP: tc.url, PasswordFile: tc.file}.Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s with %s: %v, want an error about %q", tc.url, tc.file, err, tc.want)
		}
	}
	for _, content := range []string{"", "\n", "\r\n"} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := (Config{SMTP: "smtp://mailer@" + srv.addr, PasswordFile: file}).Check(); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("password file %q: %v, want an error saying it is empty", content, err)
		}
	}
	if ms, _ := f.st.Read().Outbox(f.ctx, store.OutboxSent, 0, 0); len(ms) != 1 {
		t.Fatalf("%d sent, want 1", len(ms))
	}
}

// Credentials have no place in --base-url, and its error does not repeat them.
func TestBaseURLErrorsNeverShowCredentials(t *testing.T) {
	for _, s := range []string{"https://admin:Xq7vKw@roster.acme.test", "https://admin:25/Xq7vKw@roster.acme.test", "https://admin:Xq7/vKw@roster.acme.test"} {
		err := Config{BaseURL: s}.Check()
		if err == nil || showsPart(err.Error(), "Xq7vKw") || !strings.Contains(err.Error(), "--base-url") {
			t.Errorf("%s: %v, want an error about --base-url without the password", s, err)
		}
	}
	if err := (Config{BaseURL: "ftp://roster.acme.test"}).Check(); err == nil || !strings.Contains(err.Error(), `"ftp://roster.acme.test"`) {
		t.Errorf("a base URL without credentials is not shown in its error: %v", err)
	}
}
