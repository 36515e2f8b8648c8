package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// webStart is the fixtures' clock at creation: a Monday morning.
var webStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const webOwner = "olive.owner@acme.test"

// webFixture is an initialised account in a fresh SQLite file, the real
// rules over it, and the pages served on loopback, with one clock for the
// rules and the rate limits that the test moves. Every link token handed out
// is remembered, and the test fails if one shows in the server's log.
type webFixture struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	svc    *admin.Service
	raw    *sql.DB
	srv    *httptest.Server
	logs   *webLogBuffer
	clock  atomic.Int64
	owner  admin.Actor
	tokens []string
}

type webLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *webLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *webLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newWebFixture(t *testing.T, opts WebOptions) *webFixture {
	t.Helper()
	f := &webFixture{t: t, ctx: context.Background(), logs: &webLogBuffer{},
		owner: admin.Actor{Email: webOwner, Channel: admin.ChannelCLI}}
	f.clock.Store(webStart.Unix())
	path := filepath.Join(t.TempDir(), "roster.db")
	st, err := store.Open(f.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.svc = st, admin.New(st)
	f.svc.Now = f.now
	if err := f.svc.Init(f.ctx, "Acme & Fils", webOwner, "Olive", "Owner", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	if f.raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.raw.Close() })
	opts.Log = slog.New(slog.NewTextHandler(f.logs, nil))
	opts.Now = f.now
	web := NewWeb(f.svc, opts)
	// Each answer waits for the work done after it (/forgot's reset mail), so
	// that a test reads the outcome right after the request.
	f.srv = httptest.NewServer(Observe(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		web.ServeHTTP(rw, r)
		web.Wait()
	}), opts.Log, nil, opts.ClientIP))
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.checkLogs)
	return f
}

func (f *webFixture) now() time.Time { return time.Unix(f.clock.Load(), 0).UTC() }

func (f *webFixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

// checkLogs fails the test if a token handed out shows in the server's log.
func (f *webFixture) checkLogs() {
	f.srv.Close() // every request logged
	logs := f.logs.String()
	for _, tok := range f.tokens {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(tok)) {
			f.t.Errorf("token %s… written to the log:\n%s", tok[:6], logs)
		}
	}
}

// invite invites email as the owner and returns the link's path from the
// mail queued in the outbox.
func (f *webFixture) invite(email, first, last, locale string) string {
	f.t.Helper()
	res, err := f.svc.Invite(f.ctx, f.owner, []admin.NewUser{{Email: email, FirstName: first, LastName: last, Locale: locale}}, admin.InviteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	if res[0].Err != nil {
		f.t.Fatal(res[0].Err)
	}
	return f.linkPath(email, store.MailInvitation, store.MailInviteResent)
}

// linkPath reads the link of the newest mail of those kinds to email, as the
// outbox holds it until the mail is sent.
func (f *webFixture) linkPath(email string, kinds ...string) string {
	f.t.Helper()
	var data string
	err := f.raw.QueryRow(`SELECT data FROM outbox WHERE recipient = ? AND kind IN ('`+strings.Join(kinds, "','")+`')
		AND state = 'queued' ORDER BY id DESC LIMIT 1`, email).Scan(&data)
	if err != nil {
		f.t.Fatalf("no queued %v mail to %s: %v", kinds, email, err)
	}
	var d store.MailData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		f.t.Fatal(err)
	}
	i := strings.LastIndexByte(d.Path, '/')
	if i < 0 || len(d.Path) < i+20 {
		f.t.Fatalf("mail to %s has no link: %q", email, d.Path)
	}
	f.tokens = append(f.tokens, d.Path[i+1:])
	return d.Path
}

func (f *webFixture) user(email string) *store.User {
	f.t.Helper()
	u, err := f.st.Read().UserByEmail(f.ctx, email, f.now())
	if err != nil {
		f.t.Fatalf("user %s: %v", email, err)
	}
	return u
}

func (f *webFixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.raw.QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// webClient is one browser: a cookie jar, redirects not followed.
type webClient struct {
	f      *webFixture
	hc     *http.Client
	header http.Header // sent with every request
}

type webResp struct {
	status int
	header http.Header
	body   string
}

func (f *webFixture) client() *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{f: f, header: http.Header{}, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// clientFrom is a browser on another machine: its connections come from ip
// (any 127.0.0.0/8 address works on loopback).
func (f *webFixture) clientFrom(ip string) *webClient {
	c := f.client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.hc.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

func (c *webClient) do(method, path string, form url.Values, header http.Header) webResp {
	c.f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.f.srv.URL+path, body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return webResp{res.StatusCode, res.Header, string(b)}
}

func (c *webClient) get(path string) webResp { c.f.t.Helper(); return c.do("GET", path, nil, nil) }

func (c *webClient) post(path string, form url.Values) webResp {
	c.f.t.Helper()
	return c.do("POST", path, form, nil)
}

var webCSRFField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token the page at path gives this browser.
func (c *webClient) csrf(path string) string {
	c.f.t.Helper()
	r := c.get(path)
	m := webCSRFField.FindStringSubmatch(r.body)
	if m == nil {
		c.f.t.Fatalf("GET %s: %d, no form token:\n%s", RedactPath(path), r.status, r.body)
	}
	return m[1]
}

// submit opens the form at path and posts it with fields, as a person would.
func (c *webClient) submit(path string, fields ...string) webResp {
	c.f.t.Helper()
	form := url.Values{"csrf": {c.csrf(path)}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return c.post(path, form)
}

func (r webResp) want(t *testing.T, what string, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s: page lacks %q:\n%s", what, s, r.body)
		}
	}
}

const webPassword = "correct horse battery staple"

func TestWebInvitationSetsPasswordOnce(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()

	// Opening the link, as a mail scanner and then the person do, consumes nothing.
	for range 2 {
		c.get(link).want(t, "open invitation", http.StatusOK,
			"Welcome to Acme &amp; Fils", "Ann Martin, you have been invited", `value="ann@acme.test"`,
			`name="password"`, `name="password2"`)
	}
	if n := f.count("SELECT count(*) FROM tokens WHERE kind = 'invite' AND used_at != 0"); n != 0 {
		t.Fatalf("opening the link consumed %d tokens", n)
	}
	unchanged := func(what string) {
		t.Helper()
		u := f.user("ann@acme.test")
		if u.Status != store.Invited || u.PasswordHash != "" || f.count("SELECT count(*) FROM tokens WHERE used_at != 0") != 0 {
			t.Fatalf("%s changed the user: status %s, password set %v", what, u.Status, u.PasswordHash != "")
		}
	}
	unchanged("GET")

	c.submit(link, "password", webPassword, "password2", webPassword+"!").
		want(t, "mismatched passwords", http.StatusUnprocessableEntity, "The two passwords are not the same", `name="password"`)
	unchanged("mismatched passwords")
	c.submit(link, "password", "short", "password2", "short").
		want(t, "short password", http.StatusUnprocessableEntity, "Your password must be at least 10 characters long.")
	unchanged("a short password")

	c.submit(link, "password", webPassword, "password2", webPassword).
		want(t, "set password", http.StatusOK, "Your account is ready", "Acme &amp; Fils account is active", `href="/login?lang=en"`)
	u := f.user("ann@acme.test")
	if u.Status != store.Active || u.PasswordHash == "" || !u.ActivatedAt.Equal(f.now()) || u.LoginCount != 0 {
		t.Fatalf("after accepting: status %s, activated %v, password set %v, logins %d", u.Status, u.ActivatedAt, u.PasswordHash != "", u.LoginCount)
	}
	if n := f.count("SELECT count(*) FROM audit WHERE action = 'invite.accept' AND channel = 'web' AND target_email = 'ann@acme.test'"); n != 1 {
		t.Fatalf("%d audit rows for the acceptance, want 1", n)
	}

	// The link works once: it now says so, and a second POST changes nothing.
	c.get(link).want(t, "used link", http.StatusGone, "This link has already been used", `href="/login?lang=en"`, `href="/forgot?lang=en"`)
	c.post(link, url.Values{"csrf": {c.csrf("/login")}, "password": {"another password 2"}, "password2": {"another password 2"}}).
		want(t, "reuse link", http.StatusGone, "already been used")
	if f.user("ann@acme.test").PasswordHash != u.PasswordHash {
		t.Fatal("a used link changed the password")
	}
}

func TestWebLinkProblemsSayWhich(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	c := f.client()

	expired := f.invite("bob@acme.test", "Bob", "", "en")
	replaced := f.invite("carl@acme.test", "Carl", "", "en")
	revoked := f.invite("dora@acme.test", "Dora", "", "en")

	f.advance(2 * time.Minute)
	if out := f.svc.Resend(f.ctx, f.owner, []string{"carl@acme.test"}); out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	newer := f.linkPath("carl@acme.test", store.MailInvitation, store.MailInviteResent)
	c.get(replaced).want(t, "replaced link", http.StatusGone, "This link has been replaced", "newer link", `href="/forgot?lang=en"`)
	c.get(newer).want(t, "newer link", http.StatusOK, "Welcome to Acme")

	if out := f.svc.Revoke(f.ctx, f.owner, []string{"dora@acme.test"}); out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	c.get(revoked).want(t, "revoked invitation", http.StatusNotFound, "This link does not work", "withdrawn", `href="/forgot?lang=en"`)
	c.get("/invite/NOTATOKENATALLNOTATOKEN").want(t, "unknown token", http.StatusNotFound, "This link does not work")
	c.get(strings.Replace(newer, "/invite/", "/reset/", 1)).want(t, "invitation token on /reset", http.StatusNotFound, "does not work")

	f.advance(49 * time.Hour) // past the 48-hour lifetime
	c.get(expired).want(t, "expired link", http.StatusGone, "This link has expired", `href="/forgot?lang=en"`)
	c.post(expired, url.Values{"csrf": {c.csrf("/login")}, "password": {webPassword}, "password2": {webPassword}}).
		want(t, "post on expired link", http.StatusGone, "This link has expired")
	if u := f.user("bob@acme.test"); u.Status != store.Invited || u.PasswordHash != "" {
		t.Fatalf("an expired link changed the user: %s", u.Status)
	}

	// The way out an expired invitation offers: /forgot sends a reset link,
	// which sets the password and activates the invited person.
	c.submit("/forgot", "email", "bob@acme.test").want(t, "forgot", http.StatusOK, "Check your mail")
	reset := f.linkPath("bob@acme.test", store.MailPasswordReset)
	if !strings.HasPrefix(reset, "/reset/") {
		t.Fatalf("reset link %q", RedactPath(reset))
	}
	c.get(reset).want(t, "open reset", http.StatusOK, "Choose a new password", "Bob, choose a new password for your Acme &amp; Fils account")
	c.get(reset)
	c.submit(reset, "password", webPassword, "password2", webPassword).want(t, "reset", http.StatusOK, "Your account is ready")
	if u := f.user("bob@acme.test"); u.Status != store.Active || u.PasswordHash == "" {
		t.Fatalf("reset of an invited user: %s", u.Status)
	}
	// The invitation, opened again, says the account is set up: not
	// expired, nor replaced.
	c.get(expired).want(t, "the invitation once set up", http.StatusGone, "Your account is already set up", `href="/login?lang=en"`)

	// A reset for someone already active changes only the password.
	f.advance(2 * time.Minute)
	c.submit("/forgot", "email", "bob@acme.test")
	reset2 := f.linkPath("bob@acme.test", store.MailPasswordReset)
	c.submit(reset2, "password", "a brand new password", "password2", "a brand new password").
		want(t, "second reset", http.StatusOK, "Your password has been changed")
	if _, err := f.svc.Login(f.ctx, "bob@acme.test", "a brand new password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

func TestWebForgotAnswersAlike(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	f.invite("ann@acme.test", "Ann", "Martin", "en")
	known, unknown := "ann@acme.test", "zed@acme.test" // same length: same page size
	resetsBefore := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset'")

	c := f.client()
	c.get("/forgot").want(t, "forgot page", http.StatusOK, "Forgotten password", `name="email"`)
	a := c.submit("/forgot", "email", known)
	b := c.submit("/forgot", "email", unknown)
	a.want(t, "known address", http.StatusOK, "Check your mail", known)
	b.want(t, "unknown address", http.StatusOK, "Check your mail", unknown)
	if strings.ReplaceAll(a.body, known, "X") != strings.ReplaceAll(b.body, unknown, "X") {
		t.Fatalf("answers differ:\n%s\n----\n%s", a.body, b.body)
	}
	for _, h := range []string{"Content-Type", "Content-Length", "Set-Cookie", "Cache-Control"} {
		if a.header.Get(h) != b.header.Get(h) {
			t.Fatalf("header %s differs: %q and %q", h, a.header.Get(h), b.header.Get(h))
		}
	}
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND recipient = ?", known); n != 1 {
		t.Fatalf("%d resets queued for the known address, want 1", n)
	}
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset'"); n != resetsBefore+1 {
		t.Fatalf("%d resets queued in all, want %d", n, resetsBefore+1)
	}
	c.submit("/forgot", "email", "").want(t, "empty address", http.StatusUnprocessableEntity, "Type your email address")
}

func TestWebLoginCounts(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()

	// An invited person has no password yet.
	c.submit("/login", "email", "ann@acme.test", "password", webPassword).want(t, "invited", http.StatusOK, "Wrong email address or password")
	c.submit(link, "password", webPassword, "password2", webPassword).want(t, "accept", http.StatusOK, "ready")

	c.submit("/login", "email", "ann@acme.test", "password", "not the password").
		want(t, "wrong password", http.StatusOK, "Wrong email address or password", `value="ann@acme.test"`)
	c.submit("/login", "email", "nobody@acme.test", "password", webPassword).want(t, "unknown address", http.StatusOK, "Wrong email address or password")
	if u := f.user("ann@acme.test"); u.LoginCount != 0 || u.FailedLoginCount != 2 {
		t.Fatalf("after failures: %d logins, %d failed", u.LoginCount, u.FailedLoginCount)
	}

	f.advance(time.Hour)
	c.submit("/login", "email", "ann@acme.test", "password", webPassword).
		want(t, "login", http.StatusOK, "You are signed in", "Welcome, Ann Martin", "Acme &amp; Fils account is ready")
	u := f.user("ann@acme.test")
	if u.LoginCount != 1 || !u.LastLoginAt.Equal(f.now()) {
		t.Fatalf("after login: %d logins, last %v, want 1 at %v", u.LoginCount, u.LastLoginAt, f.now())
	}
	c.submit("/login", "email", " ANN@acme.test ", "password", webPassword).want(t, "login in capitals", http.StatusOK, "You are signed in")
	if n := f.user("ann@acme.test").LoginCount; n != 2 {
		t.Fatalf("%d logins, want 2", n)
	}
	if r := c.get("/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("GET /: %d to %q", r.status, r.header.Get("Location"))
	}
}

func TestWebRefusesForgedForms(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c, other := f.client(), f.client()
	token := c.csrf(link)
	otherToken := other.csrf(link)
	good := url.Values{"password": {webPassword}, "password2": {webPassword}}
	// Altered in its first character, to another one: "AA" put at its end
	// left the token as it was when it ended so (1 run in 4,096).
	altered := "A" + token[1:]
	if altered == token {
		altered = "B" + token[1:]
	}
	with := func(tok string) url.Values {
		v := url.Values{"csrf": {tok}}
		for k, x := range good {
			v[k] = x
		}
		return v
	}
	cases := []struct {
		name   string
		c      *webClient
		form   url.Values
		header http.Header
	}{
		{"no token", c, good, nil},
		{"another browser's token", c, with(otherToken), nil},
		{"token without its cookie", f.client(), with(token), nil},
		{"cross-site post", c, with(token), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"another origin", c, with(token), http.Header{"Origin": {"https://evil.example"}}},
		{"token altered", c, with(altered), nil},
	}
	for _, tc := range cases {
		tc.c.do("POST", link, tc.form, tc.header).want(t, tc.name, http.StatusForbidden, "This form has expired")
		if u := f.user("ann@acme.test"); u.Status != store.Invited || u.PasswordHash != "" {
			t.Fatalf("%s: the user changed to %s", tc.name, u.Status)
		}
	}

	resets := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset'")
	c.post("/forgot", url.Values{"email": {"ann@acme.test"}}).want(t, "forgot without token", http.StatusForbidden)
	c.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {"x"}}).want(t, "login without token", http.StatusForbidden)
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset'"); n != resets {
		t.Fatal("a forged /forgot queued a reset")
	}
	if u := f.user("ann@acme.test"); u.FailedLoginCount != 0 {
		t.Fatal("a forged /login reached the password check")
	}

	// The same form, with its token and cookie, from the same origin, passes.
	c.do("POST", link, with(token), http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {f.srv.URL}}).
		want(t, "genuine form", http.StatusOK, "Your account is ready")
}

func TestWebRateLimits(t *testing.T) {
	m := NewMetrics(MetricsOptions{})
	f := newWebFixture(t, WebOptions{
		LoginPerAddress: RateLimit{3, time.Hour}, LoginPerClient: RateLimit{5, time.Hour},
		ForgotPerAddress: RateLimit{2, time.Hour}, ForgotPerClient: RateLimit{3, time.Hour},
		LinkPerClient: RateLimit{2, time.Hour}, Metrics: m,
	})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()

	// Passwords posted to links, each of which costs an argon2 hash.
	for range 2 {
		c.submit(link, "password", "too short", "password2", "too short").want(t, "link post", http.StatusUnprocessableEntity)
	}
	c.submit(link, "password", webPassword, "password2", webPassword).want(t, "link by client", http.StatusTooManyRequests, "Too many attempts")
	if f.user("ann@acme.test").Status != store.Invited {
		t.Fatal("a refused post used the link")
	}
	login := func(email string) webResp { return c.submit("/login", "email", email, "password", "wrong password") }

	// By address: three tries for ann, then a plain 429 that says when.
	for i := range 3 {
		login("ann@acme.test").want(t, fmt.Sprintf("login %d", i+1), http.StatusOK, "Wrong email")
	}
	r := login("ANN@acme.test")
	r.want(t, "fourth login", http.StatusTooManyRequests, "Too many attempts", "wait 20 min")
	if s, _ := strconv.Atoi(r.header.Get("Retry-After")); s < 1 || s > 1200 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if n := f.user("ann@acme.test").FailedLoginCount; n != 3 {
		t.Fatalf("%d failed logins recorded, want 3: the refused one must not reach the check", n)
	}
	// By client: the same browser trying other addresses runs out too (the
	// refused attempt above cost the client nothing).
	login("bob@acme.test").want(t, "other address", http.StatusOK, "Wrong email")
	login("carl@acme.test").want(t, "other address", http.StatusOK, "Wrong email")
	login("dan@acme.test").want(t, "client limit", http.StatusTooManyRequests, "Too many attempts")
	// Another client is not held back by this one.
	f.clientFrom("127.0.0.2").submit("/login", "email", "dora@acme.test", "password", "x").want(t, "other client", http.StatusOK, "Wrong email")

	// Attempts come back with time.
	f.advance(time.Hour)
	login("ann@acme.test").want(t, "an hour later", http.StatusOK, "Wrong email")

	forgot := func(email string) webResp { return c.submit("/forgot", "email", email) }
	forgot("ann@acme.test").want(t, "forgot 1", http.StatusOK, "Check your mail")
	forgot("ann@acme.test").want(t, "forgot 2", http.StatusOK, "Check your mail")
	forgot("ann@acme.test").want(t, "forgot by address", http.StatusTooManyRequests, "Too many attempts")
	forgot("zed@acme.test").want(t, "forgot other address", http.StatusOK, "Check your mail")
	forgot("yan@acme.test").want(t, "forgot by client", http.StatusTooManyRequests, "Too many attempts")

	// Each 429 and each wrong password is counted.
	for what, got := range map[string]float64{"refusals by a limit": m.rateLimited.value("web"),
		"logins refused": m.logins.value("web", "refused"), "logins": m.logins.value("web", "ok")} {
		if want := map[string]float64{"refusals by a limit": 5, "logins refused": 7}[what]; got != want {
			t.Errorf("%s counted %v, want %v", what, got, want)
		}
	}
}

// A client that fills /forgot's table of addresses holds back no one else:
// a person on another machine still gets their link, for their own address
// or a fresh one, and an address's own limit still holds.
func TestWebForgotFloodHurtsOnlyItsClient(t *testing.T) {
	const keys = 100
	f := newWebFixture(t, WebOptions{ForgotPerClient: RateLimit{10 * keys, time.Hour}, limiterKeys: keys})
	f.invite("ann@acme.test", "Ann", "Martin", "en")

	flood := f.clientFrom("127.0.0.2")
	form := url.Values{"csrf": {flood.csrf("/forgot")}}
	for i := range 2 * keys {
		form.Set("email", fmt.Sprintf("flood%d@acme.test", i))
		if r := flood.post("/forgot", form); r.status != http.StatusOK && r.status != http.StatusTooManyRequests {
			t.Fatalf("flood %d: status %d", i, r.status)
		}
	}

	person := f.clientFrom("127.0.0.3")
	person.submit("/forgot", "email", "ann@acme.test").want(t, "a person after the flood", http.StatusOK, "Check your mail")
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND recipient = 'ann@acme.test'"); n != 1 {
		t.Fatalf("%d resets queued for the person, want 1", n)
	}
	person.submit("/forgot", "email", "zoe@acme.test").want(t, "a fresh address", http.StatusOK, "Check your mail")
	for i := range 2 {
		person.submit("/forgot", "email", "ann@acme.test").want(t, fmt.Sprint("again ", i+1), http.StatusOK, "Check your mail")
	}
	person.submit("/forgot", "email", "ann@acme.test").want(t, "past the address's limit", http.StatusTooManyRequests, "Too many attempts")
}

func TestWebLimiterForgetsAndStaysBounded(t *testing.T) {
	l := newWebLimiter(RateLimit{2, time.Minute}, webLimiterKeys)
	now := webStart
	for i := range 1000 {
		l.take(fmt.Sprint("client", i), now)
	}
	if ok, _ := l.take("client0", now); !ok {
		t.Fatal("second attempt refused")
	}
	if ok, wait := l.take("client0", now); ok || wait != 30*time.Second {
		t.Fatalf("third attempt: ok %v, wait %v; want refused for 30s", ok, wait)
	}
	if ok, _ := l.take("client0", now.Add(30*time.Second)); !ok {
		t.Fatal("an attempt did not come back after 30s")
	}
	l.take("late", now.Add(2*time.Minute))
	if n := l.size(); n != 1 {
		t.Fatalf("%d keys remembered after a quiet minute, want 1", n)
	}

	// Full, it forgets the least recently used keys: a new key still gets
	// its own bucket, and the keys in use keep theirs.
	now = now.Add(2 * time.Minute)
	for i := range webLimiterKeys + 10 {
		l.take(fmt.Sprint("flood", i), now)
	}
	if n := l.size(); n != webLimiterKeys {
		t.Fatalf("%d keys remembered, want %d", n, webLimiterKeys)
	}
	for i := range 2 {
		if ok, _ := l.take("one more", now); !ok {
			t.Fatalf("a new key past the bound: attempt %d refused", i+1)
		}
	}
	last := fmt.Sprint("flood", webLimiterKeys+9)
	if ok, _ := l.take(last, now); !ok {
		t.Fatal("the latest key lost its second attempt")
	}
	if ok, _ := l.take(last, now); ok {
		t.Fatal("the latest key was forgotten: a third attempt allowed")
	}
}

func TestWebSecurityHeaders(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()
	pages := map[string]webResp{
		"invitation":   c.get(link),
		"login":        c.get("/login"),
		"forgot":       c.get("/forgot"),
		"unknown link": c.get("/reset/NOTATOKENATALLNOTATOKEN"),
		"not found":    c.get("/nope"),
		"forged post":  c.post("/login", url.Values{}),
	}
	for name, r := range pages {
		h := r.header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", name, csp, want)
			}
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
			"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", name, k, got, want)
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain http", name)
		}
		if strings.Contains(strings.ToLower(r.body), "<script") {
			t.Errorf("%s: the page holds a script", name)
		}
		if !strings.Contains(r.body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
			t.Errorf("%s: no viewport", name)
		}
		// The inline stylesheet is allowed by its hash, and by nothing wider.
		m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("%s: no stylesheet", name)
		}
		sum := sha256.Sum256([]byte(m[1]))
		if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q does not allow the page's style (%s)", name, csp, want)
		}
	}
	cookie := pages["invitation"].header.Get("Set-Cookie") // the first page this browser opened
	for _, want := range []string{"roster_csrf=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("form cookie %q lacks %s", cookie, want)
		}
	}

	// Served at https://…/people, cookies are Secure and __Host-, HSTS is
	// on, and the pages link under /people.
	g := newWebFixture(t, WebOptions{BaseURL: "https://roster.example.com/people/"})
	r := g.client().get("/login")
	if ck := r.header.Get("Set-Cookie"); !strings.HasPrefix(ck, "__Host-roster_csrf=") || !strings.Contains(ck, "Secure") {
		t.Errorf("https form cookie %q", ck)
	}
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS under an https base URL")
	}
	r.want(t, "login under a path", http.StatusOK, `href="/people/forgot?lang=en"`)
}

func TestWebSpeaksThePersonsLanguage(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("eve@acme.test", "Ève", "Durand", "fr")
	c := f.client()
	c.get(link).want(t, "French invitation", http.StatusOK, `<html lang="fr">`, "Bienvenue chez Acme &amp; Fils",
		"Ève Durand, vous avez reçu une invitation", "Enregistrer mon mot de passe")
	c.submit(link, "password", webPassword, "password2", "autre chose encore").
		want(t, "French mismatch", http.StatusUnprocessableEntity, "ne sont pas identiques")
	c.submit(link, "password", webPassword, "password2", webPassword).want(t, "French done", http.StatusOK, "Votre compte est prêt")
	c.get(link).want(t, "French used link", http.StatusGone, "Ce lien a déjà été utilisé", `href="/forgot?lang=fr"`)

	// Pages that know nobody yet follow the browser, or ?lang=.
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8")
	c.get("/login").want(t, "login in French", http.StatusOK, `<html lang="fr">`, "Connexion", `href="/login?lang=en"`)
	c.get("/forgot").want(t, "forgot in French", http.StatusOK, "Mot de passe oublié")
	c.get("/login?lang=en").want(t, "?lang=en", http.StatusOK, `<html lang="en">`, "Sign in")
	c.header.Set("Accept-Language", "de-DE, en;q=0.5, fr;q=0.2")
	c.get("/login").want(t, "German first", http.StatusOK, `<html lang="en">`)
	c.header.Set("Accept-Language", "de-DE, fr;q=0.5, en;q=0.2")
	c.get("/login").want(t, "French before English", http.StatusOK, `<html lang="fr">`)

	// After sign-in, the person's own language, whatever the browser says.
	c.header.Set("Accept-Language", "en")
	c.submit("/login", "email", "eve@acme.test", "password", webPassword).
		want(t, "signed in", http.StatusOK, `<html lang="fr">`, "Connexion réussie", "Bienvenue, Ève Durand")

	// An expired French link explains itself in French.
	old := f.invite("fred@acme.test", "Fred", "", "fr")
	f.advance(49 * time.Hour)
	c.get(old).want(t, "French expired", http.StatusGone, "Ce lien a expiré", "Demander un nouveau lien")
}

// Every language says everything, with the same blanks to fill.
func TestWebTextsComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[sd]`)
	en := reflect.ValueOf(*webTexts["en"])
	for lang, text := range webTexts {
		v := reflect.ValueOf(*text)
		if v.FieldByName("Lang").String() != lang {
			t.Errorf("%s: Lang is %q", lang, v.FieldByName("Lang"))
		}
		for i := range v.NumField() {
			name, s := v.Type().Field(i).Name, v.Field(i).String()
			if s == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
			if got, want := strings.Join(verbs.FindAllString(s, -1), ""), strings.Join(verbs.FindAllString(en.Field(i).String(), -1), ""); got != want {
				t.Errorf("%s: %s has blanks %q, English %q", lang, name, got, want)
			}
		}
	}
}

func TestWebLogsHoldNoToken(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	token := strings.TrimPrefix(link, "/invite/")
	c := f.client()
	c.get(link)
	c.get(strings.ToUpper(link))
	c.get(link + "?t=" + token)
	c.submit(link, "password", webPassword, "password2", webPassword)
	c.get(link)
	f.srv.Close()

	logs := f.logs.String()
	if !strings.Contains(logs, "path=/invite/REDACTED") || !strings.Contains(logs, "status=410") {
		t.Fatalf("the log does not show the requests:\n%s", logs)
	}
	if strings.Contains(strings.ToLower(logs), strings.ToLower(token)) {
		t.Fatalf("token in the log:\n%s", logs)
	}

	for in, want := range map[string]string{
		"/invite/ABC":          "/invite/REDACTED",
		"/reset/ABC/more":      "/reset/REDACTED",
		"/INVITE/ABC":          "/INVITE/REDACTED",
		"/people/invite/ABC":   "/people/invite/REDACTED",
		"/invite/":             "/invite/",
		"/login":               "/login",
		"/x/../reset//ABC?q=1": "/x/../reset/REDACTED",
	} {
		if got := RedactPath(in); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// /forgot answers before doing the work, so that how long it takes says
// nothing of whether the address exists: here the database is locked by
// another writer, and the answer still comes, with the reset queued once the
// lock is gone.
func TestWebForgotAnswersBeforeTheWork(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	f.invite("ann@acme.test", "Ann", "Martin", "en")
	web := NewWeb(f.svc, WebOptions{Log: slog.New(slog.NewTextHandler(f.logs, nil)), Now: f.now})
	f.srv.Close()
	f.srv = httptest.NewServer(web)
	t.Cleanup(f.srv.Close)
	c := f.client()
	c.get("/forgot").want(t, "forgot page", http.StatusOK, "Forgotten password")

	lock, err := f.raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("INSERT INTO teams (name) VALUES ('holding the write lock')"); err != nil {
		t.Fatal(err)
	}
	c.submit("/forgot", "email", "ann@acme.test").want(t, "known address, database locked", http.StatusOK, "Check your mail")
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset'"); n != 0 {
		t.Fatalf("%d resets queued while the database was locked", n)
	}
	lock.Rollback()
	web.Wait()
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND recipient = 'ann@acme.test'"); n != 1 {
		t.Fatalf("%d resets queued after the lock, want 1", n)
	}
}

// The per-address limit knows an address by the key users are told apart by:
// other spellings of one address share its bucket.
func TestWebLoginLimitAnySpelling(t *testing.T) {
	f := newWebFixture(t, WebOptions{LoginPerAddress: RateLimit{3, time.Hour}, LoginPerClient: RateLimit{100, time.Hour}})
	f.invite("zoé@acme.test", "Zoé", "Martin", "en")
	c := f.client()
	for _, e := range []string{"zoé@acme.test", "ZOÉ@acme.test", "zoe\u0301@acme.test"} {
		c.submit("/login", "email", e, "password", "wrong password").want(t, "login as "+e, http.StatusOK, "Wrong email")
	}
	c.submit("/login", "email", "ZOE\u0301@ACME.TEST", "password", "wrong password").
		want(t, "a fourth spelling", http.StatusTooManyRequests, "Too many attempts")
}

// Behind a trusted reverse proxy, each client the proxy names has limits of
// its own, and is named in the log; a client cannot name itself another:
// not by writing X-Forwarded-For before the proxy (the proxy's own hop is
// the one believed), nor by writing it reaching the pages directly.
func TestWebLimitsBehindAProxy(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	f := newWebFixture(t, WebOptions{ForgotPerClient: RateLimit{2, time.Hour}, ClientIP: ForwardedClient(proxy)})
	from := func(local, forwarded string) *webClient {
		c := f.clientFrom(local)
		c.header = http.Header{"X-Forwarded-For": {forwarded}}
		return c
	}
	forgot := func(c *webClient, i int) webResp {
		return c.submit("/forgot", "email", fmt.Sprintf("p%d@acme.test", i))
	}
	ann := from("127.0.0.1", "198.51.100.7")
	forgot(ann, 1).want(t, "ann 1", http.StatusOK, "Check your mail")
	forgot(ann, 2).want(t, "ann 2", http.StatusOK, "Check your mail")
	forgot(ann, 3).want(t, "ann's limit", http.StatusTooManyRequests, "Too many attempts")
	forgot(from("127.0.0.1", "198.51.100.8"), 4).want(t, "bob, through the same proxy", http.StatusOK, "Check your mail")
	// Ann writes a header of her own; the proxy adds the address it saw.
	forgot(from("127.0.0.1", "203.0.113.99, 198.51.100.7"), 5).want(t, "ann, naming herself another", http.StatusTooManyRequests)
	// Directly, the header is not believed: the connection is the client.
	mal := f.clientFrom("127.0.0.2")
	for i, fwd := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		mal.header = http.Header{"X-Forwarded-For": {fwd}}
		want := http.StatusOK
		if i == 2 {
			want = http.StatusTooManyRequests
		}
		forgot(mal, 10+i).want(t, "a direct client naming itself "+fwd, want)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "client=198.51.100.8") || strings.Contains(logs, "client=203.0.113") {
		t.Errorf("the log names the clients:\n%s", logs)
	}

	// Through two proxies, an IPv6 client (by its /64), and a hop the
	// proxies could not vouch for.
	for _, c := range []struct{ remote, xff, want string }{
		{"10.0.0.1:80", "2001:db8:1:2:3:4:5:6, 10.0.0.2", "2001:db8:1:2::/64"},
		{"10.0.0.1:80", "unknown, 10.0.0.2", "10.0.0.2"},
		{"10.0.0.1:80", "", "10.0.0.1"},
		{"192.0.2.1:80", "198.51.100.7", "192.0.2.1"},
		{"[::ffff:127.0.0.1]:80", "198.51.100.7", "198.51.100.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ForwardedClient(proxy)(r); got != c.want {
			t.Errorf("from %s with X-Forwarded-For %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

// /forgot says an address that cannot be anyone's is not one, and sends
// nothing; it says nothing more of who has an account.
func TestWebForgotRefusesWhatIsNoAddress(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	c := f.client()
	for _, typed := range []string{"not-an-email", "ann@acme.test\r\nBcc: eve@evil.test", "ann @acme.test"} {
		c.submit("/forgot", "email", typed).want(t, typed, http.StatusUnprocessableEntity, "This is not an email address")
	}
	if n := f.count("SELECT count(*) FROM outbox"); n != 0 {
		t.Fatalf("%d mails queued", n)
	}
	c.submit("/forgot", "email", "nobody@acme.test").want(t, "an unknown address", http.StatusOK, "Check your mail")
}

// A form past the pages' limit is said to be too long, not expired, and
// changes nothing.
func TestWebFormTooLong(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()
	long := strings.Repeat("x", 70<<10)
	c.submit(link, "password", long, "password2", long).want(t, "a 70 KiB password", http.StatusRequestEntityTooLarge, "too long")
	if u := f.user("ann@acme.test"); u.Status != store.Invited {
		t.Fatalf("ann is %s", u.Status)
	}
}

// A link's page says which rule a password breaks, in the person's
// language, and switches to the other language as the other pages do.
func TestWebLinkPageSaysWhichRuleAndSwitches(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("jean@acme.test", "Jean", "Dupont", "fr")
	c := f.client()
	c.get(link).want(t, "the French invitee's page", http.StatusOK, "Choisissez", `href="`+link+`?lang=en"`)
	c.submit(link, "password", "          ", "password2", "          ").
		want(t, "spaces alone", http.StatusUnprocessableEntity, "Votre mot de passe n&#39;est fait que d&#39;espaces.")
	en := link + "?lang=en"
	c.get(en).want(t, "switched to English", http.StatusOK, `href="`+link+`?lang=fr"`)
	c.submit(en, "password", "aaaaaaaaaaaa", "password2", "aaaaaaaaaaaa").
		want(t, "one character repeated, in English", http.StatusUnprocessableEntity, "Your password is one character repeated.")
	c.submit(en, "password", "short", "password2", "short").want(t, "too short", http.StatusUnprocessableEntity, "Your password must be at least 10 characters long.")
}

// A page asked with a method it does not take is 405 with the methods it
// takes, as the API's are, in a page of the pages' own: GET /logout typed
// in was "Page not found". A path that is no page is still 404.
func TestWebMethodNotAllowed(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()
	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/logout", "POST"},
		{"PUT", "/login", "GET, POST"},
		{"DELETE", link, "GET, POST"},
		{"PATCH", "/settings", "GET, POST"},
		{"POST", "/", "GET"},
	} {
		r := c.do(tc.method, tc.path, nil, nil)
		r.want(t, tc.method+" "+RedactPath(tc.path), http.StatusMethodNotAllowed, "This page does not open this way", `href="/login?lang=en"`)
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, RedactPath(tc.path), got, tc.allow)
		}
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no security headers", tc.method, RedactPath(tc.path))
		}
	}
	c.do("GET", "/logout", nil, http.Header{"Accept-Language": {"fr"}}).
		want(t, "GET /logout in French", http.StatusMethodNotAllowed, "Cette page ne s’ouvre pas ainsi")
	if u := f.user("ann@acme.test"); u.Status != store.Invited {
		t.Fatalf("ann is %s", u.Status)
	}
	for _, m := range []string{"GET", "POST"} {
		if r := c.do(m, "/nope", nil, nil); r.status != http.StatusNotFound || r.header.Get("Allow") != "" {
			t.Errorf("%s /nope: %d, Allow %q; want 404", m, r.status, r.header.Get("Allow"))
		}
	}
}

// A team behind one office's address accepts its invitations at once:
// posts to links that work are counted by person, not by client, so that
// the 21st within a quarter of an hour was not "Too many attempts". Links
// that do not work, which is what guessing is, are still counted by
// client, and one person's link by itself.
func TestWebOneOfficeAcceptsAtOnce(t *testing.T) {
	f := newWebFixture(t, WebOptions{}) // the default limits: 20 per 15 minutes
	const team = 25
	links := make([]string, team)
	for i := range links {
		links[i] = f.invite(fmt.Sprintf("p%d@acme.test", i), "P", strconv.Itoa(i), "en")
	}
	c := f.client()
	for i, link := range links {
		c.submit(link, "password", webPassword, "password2", webPassword).want(t, fmt.Sprint("person ", i+1), http.StatusOK, "Your account is ready")
	}
	if n := f.count("SELECT count(*) FROM users WHERE status = 'active'"); n != team+1 {
		t.Fatalf("%d active users, want %d", n, team+1)
	}

	// One person mistyping on their own link runs out of their attempts,
	// and holds back no one else from the office.
	late := f.invite("late@acme.test", "Late", "", "en")
	other := f.invite("other@acme.test", "Other", "", "en")
	form := url.Values{"csrf": {c.csrf("/login")}, "password": {webPassword}, "password2": {"not the same"}}
	for i := range 20 {
		c.post(late, form).want(t, fmt.Sprint("mistyped ", i+1), http.StatusUnprocessableEntity)
	}
	c.post(late, form).want(t, "mistyped past the limit", http.StatusTooManyRequests, "Too many attempts")
	c.submit(other, "password", webPassword, "password2", webPassword).want(t, "another person", http.StatusOK, "Your account is ready")

	// Guessing: links that do not work, by client.
	for i := range 20 {
		c.post(fmt.Sprintf("/invite/NOTATOKENATALL%012d", i), form).want(t, fmt.Sprint("guess ", i+1), http.StatusNotFound)
	}
	c.post("/invite/NOTATOKENATALLONEMORE", form).want(t, "guessing past the limit", http.StatusTooManyRequests)
	f.clientFrom("127.0.0.2").submit(late, "password", webPassword, "password2", "not the same").
		want(t, "late, from another client", http.StatusTooManyRequests)
}

// The link of a person since deactivated says their account is not active,
// and offers no new link: it said "replaced by a newer link, ask for a new
// one", and /forgot sends a deactivated person nothing, so they waited for a
// mail that never came. Posting to it changes nothing.
func TestWebLinkOfADeactivatedPerson(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	c := f.client()
	invitation := f.invite("bob@acme.test", "Bob", "", "fr")
	f.invite("ann@acme.test", "Ann", "", "en")
	c.submit(f.linkPath("ann@acme.test", store.MailInvitation), "password", webPassword, "password2", webPassword).want(t, "accept", http.StatusOK)
	f.advance(time.Hour)
	c.submit("/forgot", "email", "ann@acme.test").want(t, "forgot", http.StatusOK)
	reset := f.linkPath("ann@acme.test", store.MailPasswordReset)
	for _, email := range []string{"bob@acme.test", "ann@acme.test"} {
		if err := f.svc.Deactivate(f.ctx, f.owner, email); err != nil {
			t.Fatal(err)
		}
	}
	before := f.user("ann@acme.test").PasswordHash

	c.get(invitation).want(t, "the invitation", http.StatusGone, "Votre compte n’est pas actif", "aucun nouveau lien ne peut être envoyé")
	post := url.Values{"csrf": {c.csrf("/login")}, "password": {"a brand new password"}, "password2": {"a brand new password"}}
	for _, r := range []webResp{c.get(reset), c.post(reset, post)} {
		r.want(t, "the reset", http.StatusGone, "Your account is not active", "Ask an administrator")
		if strings.Contains(r.body, "/forgot") {
			t.Fatalf("the page offers a new link:\n%s", r.body)
		}
	}
	if u := f.user("ann@acme.test"); u.Status != store.Deactivated || u.PasswordHash != before {
		t.Fatalf("ann is %s, password changed %v", u.Status, u.PasswordHash != before)
	}
}
