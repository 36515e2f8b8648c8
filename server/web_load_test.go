package server

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// 300 sign-ins posted at once from 10 machines, as many as the default
// limits let through (30 per client, 10 per address), all reach the password
// check: each is answered 200 or, beyond the queue of checks, 503 with
// Retry-After, never 500. An edit made meanwhile from another process's
// store (as `roster edit` would) is not held behind them.
func TestWebLoginUnderLoad(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	// 30 addresses, 10 sign-ins each: 5 active (the right password half of the
	// time), 5 deactivated, 5 invited, 15 unknown.
	var addrs, active []string
	for i := range 5 {
		a, d := fmt.Sprintf("active%d@acme.test", i), fmt.Sprintf("gone%d@acme.test", i)
		for _, e := range []string{a, d} {
			path := f.invite(e, "Ann", "Martin", "en")
			f.client().submit(path, "password", webPassword, "password2", webPassword).want(t, "accept", http.StatusOK)
		}
		if err := f.svc.Deactivate(f.ctx, f.owner, d); err != nil {
			t.Fatal(err)
		}
		f.invite(fmt.Sprintf("invited%d@acme.test", i), "Ivy", "Martin", "en")
		active = append(active, a)
		addrs = append(addrs, a, d, fmt.Sprintf("invited%d@acme.test", i))
	}
	for i := range 15 {
		addrs = append(addrs, fmt.Sprintf("nobody%d@acme.test", i))
	}

	type answer struct {
		client int
		email  string
		status int
		retry  string
		at     time.Time
	}
	answers := make(chan answer, 300)
	first := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	var clients []*webClient
	for c := range 10 {
		cl := f.clientFrom(fmt.Sprintf("127.0.0.%d", 11+c))
		clients = append(clients, cl)
		token := cl.csrf("/login")
		for i := range 30 {
			email := addrs[(c*30+i)%len(addrs)]
			pw := webPassword
			if (c+i)%2 == 0 {
				pw = "not the password"
			}
			wg.Go(func() {
				defer once.Do(func() { close(first) })
				form := url.Values{"csrf": {token}, "email": {email}, "password": {pw}}
				req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := cl.hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				answers <- answer{c, email, res.StatusCode, res.Header.Get("Retry-After"), time.Now()}
			})
		}
	}

	// The edit, from its own store on the same file, once sign-ins are being answered.
	// Not held behind them: sign-ins are answered after it (below), which
	// says more than its time on a machine of unknown pace.
	<-first
	if err := webEdit(f, active[0]); err != nil {
		t.Errorf("edit during the sign-ins: %v", err)
	}
	edited := time.Now()
	wg.Wait()
	close(answers)

	checked, busy, after := 0, 0, 0
	perAddr := map[string]int{}
	turnedAway := -1 // a client answered busy at least once
	for a := range answers {
		switch {
		case a.status == http.StatusOK:
			checked++
			perAddr[a.email]++
		case a.status == http.StatusServiceUnavailable && a.retry != "":
			busy++
			turnedAway = a.client
		default:
			t.Errorf("%s: status %d, Retry-After %q", a.email, a.status, a.retry)
		}
		if a.at.After(edited) {
			after++
		}
	}
	t.Logf("%d passwords checked, %d answered busy, %d answered after the edit", checked, busy, after)
	// The first 17 per CPU admitted are checked, whenever they arrive (16 wait
	// while one runs): fewer means the sign-ins were stopped before the checks
	// this test is about.
	if checked < 17*runtime.GOMAXPROCS(0) {
		t.Errorf("only %d passwords checked", checked)
	}
	if after == 0 {
		t.Error("every sign-in was answered before the edit ended: the edit was not made under load")
	}
	// Every check of a known address was counted, none twice.
	for _, e := range addrs[:15] {
		u := f.user(e)
		if got := u.LoginCount + u.FailedLoginCount; got != perAddr[e] {
			t.Errorf("%s: %d logins counted, %d checked", e, got, perAddr[e])
		}
	}
	// Each had spent its 30 attempts; those answered busy were given back.
	if turnedAway < 0 {
		t.Fatal("no sign-in was answered busy")
	}
	clients[turnedAway].submit("/login", "email", "late@acme.test", "password", webPassword).
		want(t, "a client's attempt after being answered busy", http.StatusOK, "Wrong email")
}

// webEdit changes email's position as `roster edit` does from another
// process: its own store on the database file, the owner as operator.
func webEdit(f *webFixture, email string) error {
	st, err := store.Open(f.ctx, f.st.Path())
	if err != nil {
		return err
	}
	defer st.Close()
	position := "Buyer"
	_, err = admin.New(st).Edit(f.ctx, f.owner, email, 0, admin.Profile{Position: &position})
	return err
}
