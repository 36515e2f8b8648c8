package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"
)

// TestE2EBillingChargesTheAcceptance is issue 12's end to end: a plan set
// with the command line, an invitation accepted through the web page that
// roster serve offers, then one charge in `roster billing ledger --json`
// whose amount is the formula's for the acceptance instant and the cycle
// that `roster billing --json` shows, and a statement that adds up.
func TestE2EBillingChargesTheAcceptance(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	e.cli("billing", "plan", "--period", "monthly", "--seat-price", "15.00", "--currency", "EUR", "--anchor", "2026-01-31", "--timezone", "Europe/Paris")
	web := freePort(t)
	base := "http://" + web
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base)
	srv.waitLog("serving")
	e.cli("invite", "zoe@acme.test", "--first", "Zoe", "--last", "Zed", "--locale", "en")
	link := e.capturedLink(srv, "zoe@acme.test", base+"/invite/")

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the invitation page:\n%s", page)
	}
	before := time.Now().Unix()
	resp, err = client.PostForm(link, url.Values{"csrf": {string(m[1])}, "password": {"four words make a password"}, "password2": {"four words make a password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := time.Now().Unix()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("accepting the invitation: %d\n%s", resp.StatusCode, srv.Logs())
	}

	type cycle struct{ Start, End time.Time }
	billing := cliJSON[struct {
		Cycle cycle `json:"cycle"`
		Seats int   `json:"seats"`
		SoFar int64 `json:"so_far"`
	}](e, "billing")
	type line struct {
		Kind       string    `json:"kind"`
		Email      string    `json:"email"`
		At         time.Time `json:"at"`
		CycleStart time.Time `json:"cycle_start"`
		CycleEnd   time.Time `json:"cycle_end"`
		Amount     int64     `json:"amount"`
		Currency   string    `json:"currency"`
	}
	var zoe []line
	for _, l := range cliJSON[[]line](e, "billing", "ledger", "--json", "--user", "zoe@acme.test") {
		if l.Kind == "seat_started" {
			zoe = append(zoe, l)
		}
	}
	if len(zoe) != 1 {
		t.Fatalf("zoe's charges: %+v, want one", zoe)
	}
	z := zoe[0]
	if at := z.At.Unix(); at < before || at > after {
		t.Errorf("zoe's seat started at %s, not when she accepted", z.At)
	}
	if !z.CycleStart.Equal(billing.Cycle.Start) || !z.CycleEnd.Equal(billing.Cycle.End) || !billing.Cycle.Start.Before(z.At) {
		t.Errorf("zoe is charged for %s – %s; roster billing shows the cycle %s – %s", z.CycleStart, z.CycleEnd, billing.Cycle.Start, billing.Cycle.End)
	}
	left, whole := z.CycleEnd.Unix()-z.At.Unix(), z.CycleEnd.Unix()-z.CycleStart.Unix()
	if want := (2*1500*left + whole) / (2 * whole); z.Amount != want || z.Currency != "EUR" {
		t.Errorf("zoe's charge is %d %s, want 1500 × %d / %d = %d EUR", z.Amount, z.Currency, left, whole, want)
	}

	statement := cliJSON[struct {
		Lines []line `json:"lines"`
		Total int64  `json:"total"`
	}](e, "billing", "statement", "--json")
	var sum int64
	for _, l := range statement.Lines {
		sum += l.Amount
	}
	if len(statement.Lines) != 2 || sum != statement.Total || statement.Total != billing.SoFar || billing.Seats != 2 {
		t.Errorf("the statement: %+v; billing: %+v", statement, billing)
	}
}
