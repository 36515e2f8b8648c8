package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestE2ELoginFlood is issue 8's load test of the web pages: roster serve
// takes 300 sign-ins posted at once from 10 client addresses (as many as its
// default limits let through: 30 a client, 10 an address) with no answer
// but 200, or 503 with Retry-After past its queue of password checks; a
// `roster edit` run meanwhile completes within a second of what it takes alone.
func TestE2ELoginFlood(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	web := freePort(t)
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web)
	srv.waitLog("serving")
	// What the edit costs with nothing else going on: a race-detector build
	// on a shared machine can take a good part of a second just to start.
	start := time.Now()
	e.cli("edit", "boss@acme.test", "--position", "Alone")
	alone := time.Since(start)

	// The owner, who has no password, and 29 unknown addresses: each costs
	// one password check like any other.
	addrs := []string{"boss@acme.test"}
	for i := range 29 {
		addrs = append(addrs, fmt.Sprintf("nobody%d@acme.test", i))
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	type answer struct {
		status int
		retry  string
	}
	answers := make(chan answer, 300)
	first := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for c := range 10 {
		jar, _ := cookiejar.New(nil)
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(11+c))}}
		hc := &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext}, Timeout: time.Minute}
		res, err := hc.Get("http://" + web + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrf.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no form token on /login:\n%s", page)
		}
		for i := range 30 {
			form := url.Values{"csrf": {string(m[1])}, "email": {addrs[i]}, "password": {"not the password"}}
			wg.Go(func() {
				defer once.Do(func() { close(first) })
				res, err := hc.PostForm("http://"+web+"/login", form)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				answers <- answer{res.StatusCode, res.Header.Get("Retry-After")}
			})
		}
	}

	<-first
	start = time.Now()
	if _, stderr, code := e.run("edit", "boss@acme.test", "--position", "Buyer"); code != 0 {
		t.Errorf("roster edit during the sign-ins: exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > alone+time.Second {
		t.Errorf("roster edit took %v during the sign-ins, %v alone; want at most 1s more", d.Round(time.Millisecond), alone.Round(time.Millisecond))
	}
	wg.Wait()
	close(answers)
	counts := map[string]int{}
	for a := range answers {
		switch {
		case a.status == http.StatusOK, a.status == http.StatusServiceUnavailable && a.retry != "":
			counts[http.StatusText(a.status)]++
		default:
			t.Errorf("status %d, Retry-After %q", a.status, a.retry)
		}
	}
	t.Logf("answers: %v", counts)
	if strings.Contains(srv.Logs(), "level=ERROR") {
		t.Errorf("the server logged errors:\n%s", srv.Logs())
	}
}
