package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// received is one request a test server got.
type received struct {
	method, path, contentType string
	user, password            string
	auth                      bool
	header                    http.Header
	body                      []byte
}

// server answers every request with status and answer, and hands what it
// received to the test.
func server(t *testing.T, tls bool, status int, answer string, header map[string]string) (*httptest.Server, chan received) {
	got := make(chan received, 10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pw, ok := r.BasicAuth()
		got <- received{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"), user: user,
			password: pw, auth: ok, header: r.Header.Clone(), body: body}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	})
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, got
}

var msg = Message{ID: "msg_1", To: "+33612345678", Body: "Léa a rejoint Acme. €", Created: time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)}

func TestTwilioRequest(t *testing.T) {
	// Twilio's answer to a message created, as its Messages API documents it.
	srv, got := server(t, false, http.StatusCreated, `{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": "+33612345678"}`, nil)
	p, err := Parse("twilio://AC0123456789abcdef0123456789abcdef:s3cr%2Ft@+33100000000", "")
	if err != nil {
		t.Fatal(err)
	}
	if s := p.String(); strings.Contains(s, "s3cr") {
		t.Errorf("the provider shown holds its token: %s", s)
	}
	if want := "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"; p.endpoint != want {
		t.Errorf("endpoint %s, want %s", p.endpoint, want)
	}
	p.endpoint = srv.URL + strings.TrimPrefix(p.endpoint, TwilioAPI)
	reply, err := p.Send(context.Background(), srv.Client(), msg, msg.Created)
	if err != nil || reply != "201 SM0123456789abcdef0123456789abcdef queued" {
		t.Fatalf("reply %q, %v", reply, err)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json" {
		t.Errorf("%s %s", r.method, r.path)
	}
	if !r.auth || r.user != "AC0123456789abcdef0123456789abcdef" || r.password != "s3cr/t" {
		t.Errorf("basic auth %v %q %q", r.auth, r.user, r.password)
	}
	if r.contentType != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", r.contentType)
	}
	form, err := url.ParseQuery(string(r.body))
	if err != nil || form.Get("To") != "+33612345678" || form.Get("From") != "+33100000000" || form.Get("Body") != msg.Body || len(form) != 3 {
		t.Errorf("form %v, %v", form, err)
	}
}

func TestGatewaySignature(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	srv, got := server(t, true, http.StatusAccepted, `{"queued": true}`, nil)
	p, err := Parse(srv.URL+"/send?from=Roster", secret)
	if err != nil {
		t.Fatal(err)
	}
	now := msg.Created.Add(3 * time.Second)
	reply, err := p.Send(context.Background(), srv.Client(), msg, now)
	if err != nil || reply != `202 {"queued": true}` {
		t.Fatalf("reply %q, %v", reply, err)
	}
	r := <-got
	if r.path != "/send" || r.contentType != "application/json" || r.auth {
		t.Errorf("%s %s auth %v", r.path, r.contentType, r.auth)
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "msg_1", "to": "+33612345678", "from": "Roster", "body": msg.Body, "created": "2026-12-02T09:30:00Z"}
	if len(body) != len(want) {
		t.Errorf("body %v, want %v", body, want)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, body[k], v)
		}
	}
	// Verified independently, as a receiver would: HMAC-SHA256 keyed with
	// the secret's bytes over id.timestamp.body.
	if r.header.Get("webhook-id") != "msg_1" || r.header.Get("webhook-timestamp") != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("headers %v", r.header)
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("msg_1." + strconv.FormatInt(now.Unix(), 10) + "."))
	mac.Write(r.body)
	if sig := r.header.Get("webhook-signature"); sig != "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q", sig)
	}
}

func TestAnswers(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		status     int
		header     map[string]string
		temporary  bool
		retryAfter time.Duration
	}{
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "120"}, true, 2 * time.Minute},
		{http.StatusServiceUnavailable, map[string]string{"Retry-After": now.Add(time.Hour).Format(http.TimeFormat)}, true, time.Hour},
		{http.StatusInternalServerError, nil, true, 0},
		{http.StatusBadRequest, nil, false, 0},
		{http.StatusUnauthorized, nil, false, 0},
	} {
		answer := `{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": ` + strconv.Itoa(c.status) + `}`
		srv, _ := server(t, false, c.status, answer+"\n", c.header)
		p, err := Parse("twilio://AC1:s3cr3t@+33100000000", "")
		if err != nil {
			t.Fatal(err)
		}
		p.endpoint = srv.URL
		_, err = p.Send(context.Background(), srv.Client(), msg, now)
		var e *Error
		if !errors.As(err, &e) || e.Status != c.status || e.Temporary() != c.temporary || e.RetryAfter != c.retryAfter || e.Answer != answer {
			t.Errorf("%d: %#v", c.status, err)
		}
	}
	// No answer at all: tried again later.
	srv, _ := server(t, true, http.StatusOK, "", nil)
	p, err := Parse(srv.URL, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	srv.Close()
	_, err = p.Send(context.Background(), client, msg, now)
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 || !e.Temporary() {
		t.Errorf("no answer: %#v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ url, secret, want string }{
		{"twilio://AC1@+33100000000", "", "account SID and auth token"},
		{"twilio://AC1:s3cr3t@33100000000", "", "E.164"},
		{"twilio://AC1:s3cr3t@+33100000000/x", "", "no path"},
		{"twilio://AC1:s3cr3t@+33100000000", "whsec_AAAA", "only for an https://"},
		{"https://sms.example.com/send", "", "needs ROSTER_SMS_SECRET"},
		{"https://sms.example.com/send", "hunter2", "not whsec_"},
		{"https://u:p@sms.example.com/send", "whsec_AAAA", "no user or password"},
		{"http://sms.example.com/send", "whsec_AAAA", "scheme must be"},
		{"smtp://sms.example.com", "", "scheme must be"},
	} {
		_, err := Parse(c.url, c.secret)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %v, want %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Parse(%q)'s error shows the token: %v", c.url, err)
		}
	}
}
