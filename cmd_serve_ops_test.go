package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"roster/admin"
	"roster/mail"
	"roster/server"
	"roster/store"
)

// syncBuffer is a log a running server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveInProcess runs roster serve on db with args, its listeners on
// loopback ports of its choosing, logging JSON; it returns the addresses
// the "serving" line names (ssh, http, metrics) and the log. The server
// stops when the test ends.
func serveInProcess(t *testing.T, db string, args ...string) (map[string]string, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs}
	args = append([]string{"--db", db, "serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0",
		"--host-key", filepath.Join(t.TempDir(), "host_key"), "--log-format", "json"}, args...)
	go func() { done <- run(ctx, c, args) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("roster serve ended with %d:\n%s", code, logs.String())
		}
	})
	deadline := time.Now().Add(e2eWait)
	for {
		for _, line := range strings.Split(logs.String(), "\n") {
			var l map[string]any
			if json.Unmarshal([]byte(line), &l) == nil && l["msg"] == "serving" {
				addrs := map[string]string{}
				for _, k := range []string{"ssh", "http", "metrics"} {
					addrs[k], _ = l[k].(string)
				}
				return addrs, logs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("roster serve did not start:\n%s", logs.String())
		}
		time.Sleep(e2ePoll)
	}
}

// scrape reads the metrics at url, with the bearer token if not "".
func scrape(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("the metrics are not Prometheus' text format: %v", err)
	}
	return families
}

// metricValue is the value of the metric of family name whose labels are
// those given (name=value pairs), 0 if there is none; a histogram's count.
func metricValue(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// TestServeMetricsFollowTheMail scrapes roster serve before and after its
// worker hands two invitations to a relay that takes one and refuses the
// other for good: the replies by class, the send latency, the failed mail
// and the stuck invitation all move. /metrics asks for the token on the
// HTTP listener and not on the loopback --metrics listener.
func TestServeMetricsFollowTheMail(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_METRICS_TOKEN", "")
	r := newRelay(t)
	r.refuse["gone@acme.test"] = true
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	addrs, logs := serveInProcess(t, db, "--smtp", r.url(), "--metrics", "127.0.0.1:0", "--metrics-token", "s3cret")
	local := "http://" + addrs["metrics"] + "/metrics"

	before := scrape(t, local, "")
	for _, name := range []string{"roster_outbox_messages", "roster_invitations_stuck", "roster_mail_send_seconds",
		"roster_mail_relay_replies_total", "roster_http_requests_total", "go_goroutines"} {
		if before[name] == nil && name != "roster_http_requests_total" {
			t.Errorf("no %s in the metrics", name)
		}
	}
	if v := metricValue(before, "roster_mail_relay_replies_total", "class", "2xx"); v != 0 {
		t.Fatalf("2xx replies before any mail: %v", v)
	}

	ok(t, db, "invite", "ann@acme.test", "gone@acme.test")
	var after map[string]*dto.MetricFamily
	deadline := time.Now().Add(e2eWait)
	for {
		after = scrape(t, local, "")
		if metricValue(after, "roster_mail_relay_replies_total", "class", "5xx") >= 1 &&
			metricValue(after, "roster_mail_relay_replies_total", "class", "2xx") >= 1 &&
			metricValue(after, "roster_outbox_messages", "state", "failed", "kind", "invitation") == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the metrics did not follow the mail:\n%s", logs.String())
		}
		time.Sleep(e2ePoll)
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"roster_mail_relay_replies_total", []string{"class", "2xx"}, 1},
		{"roster_mail_relay_replies_total", []string{"class", "5xx"}, 1},
		{"roster_mail_relay_replies_total", []string{"class", "network"}, 0},
		{"roster_mail_send_seconds", nil, 2},
		{"roster_outbox_messages", []string{"state", "queued", "kind", "invitation"}, 0},
		{"roster_outbox_messages", []string{"state", "failed", "kind", "invitation"}, 1},
		{"roster_invitations_stuck", nil, 1},
	} {
		if got := metricValue(after, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v after the mail, want %v", c.name, c.labels, got, c.want)
		}
	}

	// The HTTP listener serves /metrics to the token only, and counts the refusal.
	main := "http://" + addrs["http"] + "/metrics"
	for _, token := range []string{"", "wrong"} {
		req, _ := http.NewRequest("GET", main, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics on the HTTP listener with token %q: %d, want 401", token, res.StatusCode)
		}
		if res.Header.Get("X-Request-ID") == "" {
			t.Errorf("no X-Request-ID on the answer")
		}
	}
	withToken := scrape(t, main, "s3cret")
	if got := metricValue(withToken, "roster_http_requests_total", "route", "GET /metrics", "code", "401"); got != 2 {
		t.Errorf("401s on /metrics counted %v, want 2", got)
	}
}

// TestServeRefusesOpenMetrics: a --metrics listener beyond loopback with no
// token is refused at start, changing nothing.
func TestServeRefusesOpenMetrics(t *testing.T) {
	t.Setenv("ROSTER_METRICS_TOKEN", "")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	fails(t, db, "--metrics 0.0.0.0:0 is reachable from other machines: give --metrics-token", "serve",
		"--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "k"), "--metrics", "0.0.0.0:0")
	fails(t, db, `--log-format "xml": want text or json`, "serve", "--log-format", "xml")
	fails(t, db, `--trusted-proxies: "proxy.internal" is neither an address nor a CIDR range`, "serve", "--trusted-proxies", "10.0.0.0/8,proxy.internal")
}

// TestReadinessFails: /readyz answers 503 naming the check that failed and
// why, when the mail worker has stopped, when the database is at another
// schema version, and when it does not answer.
func TestReadinessFails(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "roster.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	worker, err := mail.Start(ctx, st, mail.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer worker.Stop()
	readyz := server.Readyz(readiness(svc, worker))
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		readyz.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(); code != http.StatusOK || body != "database: ok\nmail worker: ok\n" {
		t.Fatalf("ready: %d %q", code, body)
	}

	sqlExec(t, db, fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()+1))
	want := fmt.Sprintf("database: database is at schema version %d, this roster writes %d\n", store.SchemaVersion()+1, store.SchemaVersion())
	if code, body := get(); code != http.StatusServiceUnavailable || !strings.Contains(body, want) {
		t.Errorf("a newer schema: %d %q, want 503 with %q", code, body, want)
	}
	sqlExec(t, db, fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()))

	worker.Stop()
	if code, body := get(); code != http.StatusServiceUnavailable || body != "database: ok\nmail worker: mail worker stopped\n" {
		t.Errorf("worker stopped: %d %q", code, body)
	}
	st.Close()
	if code, body := get(); code != http.StatusServiceUnavailable || !strings.Contains(body, "database: database does not answer: ") {
		t.Errorf("database closed: %d %q", code, body)
	}
}

// TestSSHSessionsLoggedAndCounted: an SSH session is one log line with its
// own ID, operator, command and exit; a refused one is one line with the
// reason; both are counted.
func TestSSHSessionsLoggedAndCounted(t *testing.T) {
	logs := &syncBuffer{}
	m := server.NewMetrics(server.MetricsOptions{})
	f := newSSHFixture(t, func(o *server.SSHOptions) {
		o.Log = slog.New(server.LogHandler(slog.NewJSONHandler(logs, nil)))
		o.Metrics = m
	})
	if out, code := f.command(t, f.keys["boss@acme.test"], "users"); code != 0 {
		t.Fatalf("ssh users: %d %s", code, out)
	}
	// A deactivated user's key passes the handshake, to be told why in
	// the session, and is refused there.
	if err := f.svc.Deactivate(context.Background(), admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}, "milo@acme.test"); err != nil {
		t.Fatal(err)
	}
	if _, code := f.command(t, f.keys["milo@acme.test"], "users"); code == 0 {
		t.Fatal("a deactivated user ran a command over SSH")
	}
	srv := httptest.NewServer(m.Handler(""))
	defer srv.Close()
	// The sessions have ended for their clients; the server counts them
	// closed as its handlers return, a moment later.
	families := scrape(t, srv.URL, "")
	for deadline := time.Now().Add(10 * time.Second); metricValue(families, "roster_ssh_sessions_open") != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		families = scrape(t, srv.URL, "")
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"roster_logins_total", []string{"channel", "ssh", "outcome", "ok"}, 1},
		{"roster_logins_total", []string{"channel", "ssh", "outcome", "refused"}, 1},
		{"roster_ssh_sessions_refused_total", []string{"reason", "denied"}, 1},
		{"roster_ssh_sessions_open", nil, 0},
	} {
		if got := metricValue(families, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	sessions := map[string]map[string]any{}
	ids := map[any]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "ssh session") {
			sessions[msg] = l
			ids[l["request_id"]] = true
		}
	}
	done, refused := sessions["ssh session"], sessions["ssh session refused"]
	if done == nil || done["operator"] != "boss@acme.test" || done["command"] != "users" || done["exit"] != 0.0 {
		t.Errorf("the session's line: %v\n%s", done, logs.String())
	}
	if refused == nil || fmt.Sprint(refused["reason"]) == "" || refused["operator"] != nil || refused["remote"] == nil {
		t.Errorf("the refusal's line: %v\n%s", refused, logs.String())
	}
	if len(ids) != 2 || ids[nil] || ids[""] {
		t.Errorf("the sessions' IDs: %v, want two", ids)
	}
}

// TestServeReadinessFollowsTheBackups: with --backup-every, a scheduled
// backup that fails makes /readyz answer 503 naming it, and the backup-age
// gauge says none was taken.
func TestServeReadinessFollowsTheBackups(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	notADir := filepath.Join(dir, "not-a-directory")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	addrs, logs := serveInProcess(t, db, "--metrics", "127.0.0.1:0", "--backup-every", "1h", "--backup-dir", notADir)
	deadline := time.Now().Add(e2eWait)
	for {
		res, err := http.Get("http://" + addrs["metrics"] + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), "last backup: ") &&
			strings.Contains(string(body), "database: ok\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %q\n%s", res.StatusCode, body, logs.String())
		}
		time.Sleep(e2ePoll)
	}
	if got := metricValue(scrape(t, "http://"+addrs["metrics"]+"/metrics", ""), "roster_backup_age_seconds"); got != -1 {
		t.Errorf("backup age %v with no backup taken, want -1", got)
	}
}
