package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestE2EWebhooks: a webhook added with the command line, an invitation
// made with it, and roster serve's worker delivering the event, signed as
// the Standard Webhooks specification says (checked here independently).
func TestE2EWebhooks(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	e.cli("account", "--webhooks-private", "true") // the receiver is on loopback
	var (
		mu     sync.Mutex
		secret string
		got    = make(chan map[string]any, 4)
	)
	recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		mu.Unlock()
		m := hmac.New(sha256.New, key)
		m.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "." + string(body)))
		if r.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		var v map[string]any
		json.Unmarshal(body, &v)
		got <- v
	}))
	defer recv.Close()
	out := e.cli("webhooks", "add", recv.URL+"/roster", "--events", "user.invited,invitation.accepted")
	mu.Lock()
	secret = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(out)
	mu.Unlock()
	if secret == "" {
		t.Fatalf("no secret printed:\n%s", out)
	}
	web := freePort(t)
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", "http://"+web)
	srv.waitLog("serving")
	e.cli("invite", "zoe@acme.test")
	select {
	case v := <-got:
		if v["type"] != "user.invited" || v["data"].(map[string]any)["target"] != "zoe@acme.test" {
			t.Errorf("the event: %v", v)
		}
	case <-time.After(e2eWait):
		t.Fatalf("no event delivered in %v; deliveries:\n%s\nserver log:\n%s", e2eWait, e.cli("webhooks", "deliveries", "1"), srv.Logs())
	}
	if list := e.cli("webhooks", "deliveries", "1"); !strings.Contains(list, "delivered") {
		t.Errorf("the delivery is not recorded as delivered:\n%s", list)
	}
}
