package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestE2EServeLogsHoldNoSecrets runs roster serve logging JSON while an
// invitation is accepted through its page and the new user signs in, once
// with a wrong password and once with the right one: every line is a JSON
// object, each request has one line with its ID (the proxy's, when it sent
// one, is kept and answered), the logins are counted, and neither the
// link's token nor either password is anywhere in the log.
func TestE2EServeLogsHoldNoSecrets(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	web, metrics := freePort(t), freePort(t)
	base := "http://" + web
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base,
		"--log-format", "json", "--metrics", metrics)
	srv.waitLog(`"msg":"serving"`)
	e.cli("invite", "zoe@acme.test", "--first", "Zoe", "--locale", "en")
	link := e.capturedLink(srv, "zoe@acme.test", base+"/invite/")
	token := strings.TrimPrefix(link, base+"/invite/")
	const password, wrong = "four words make a password", "three words are wrong"

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	// form reads the page at path and posts its form with values.
	form := func(path string, values url.Values) {
		t.Helper()
		req, _ := http.NewRequest("GET", path, nil)
		req.Header.Set("X-Request-ID", "proxy-given.1")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := res.Header.Get("X-Request-ID"); got != "proxy-given.1" {
			t.Errorf("X-Request-ID answered %q, want the proxy's", got)
		}
		m := csrf.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no form on %s:\n%s", path, page)
		}
		values.Set("csrf", string(m[1]))
		res, err = client.PostForm(path, values)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("X-Request-ID") == "" {
			t.Fatalf("POST %s: %d, X-Request-ID %q\n%s", path, res.StatusCode, res.Header.Get("X-Request-ID"), srv.Logs())
		}
	}
	form(link, url.Values{"password": {password}, "password2": {password}})
	form(base+"/login", url.Values{"email": {"zoe@acme.test"}, "password": {wrong}})
	form(base+"/login", url.Values{"email": {"zoe@acme.test"}, "password": {password}})

	m := scrape(t, "http://"+metrics+"/metrics", "")
	for outcome, want := range map[string]float64{"ok": 1, "refused": 1} {
		if got := metricValue(m, "roster_logins_total", "channel", "web", "outcome", outcome); got != want {
			t.Errorf("web logins %s: %v, want %v", outcome, got, want)
		}
	}
	if got := metricValue(m, "roster_http_requests_total", "route", "POST /login", "code", "200"); got != 2 {
		t.Errorf("POST /login counted %v times, want 2", got)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("roster serve did not stop cleanly: %v", err)
	}

	logs := srv.Logs()
	requests, given := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("not a JSON line: %q", line)
			continue
		}
		if l["msg"] == "http" {
			requests++
			if l["request_id"] == nil {
				t.Errorf("a request's line has no request_id: %s", line)
			}
			if l["request_id"] == "proxy-given.1" {
				given++
			}
		}
	}
	if requests < 6 || given != 3 {
		t.Errorf("%d request lines, %d with the proxy's ID; want at least 6 and 3:\n%s", requests, given, logs)
	}
	for what, secret := range map[string]string{"the link's token": token, "the password": password, "the wrong password": wrong} {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(secret)) {
			t.Errorf("%s is in the log:\n%s", what, logs)
		}
	}
	if !strings.Contains(logs, `"path":"/invite/REDACTED"`) {
		t.Errorf("the invitation's requests are not logged with their token redacted:\n%s", logs)
	}
}
