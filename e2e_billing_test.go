package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"roster/admin"
	"roster/server"
	"roster/store"
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
		Cycle    cycle  `json:"cycle"`
		Seats    int    `json:"seats"`
		SoFar    int64  `json:"so_far"`
		Currency string `json:"currency"`
	}](e, "billing")
	if billing.Currency != "EUR" {
		t.Errorf("roster billing --json gives its amounts in %q, want EUR beside them", billing.Currency)
	}
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

// TestBillingThroughTheCycles runs the command line and the invitation pages
// in process, over one admin.Service whose clock the test moves (never a
// sleep): two people accept through the page, one is deactivated and
// reactivated in the same cycle, the other deleted; at the next cycle the
// seats still open are renewed once, and both statements add up.
func TestBillingThroughTheCycles(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "roster.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC).Unix())
	advance := func(d time.Duration) { clock.Add(int64(d / time.Second)) }
	svc := admin.New(st)
	svc.Now = func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	cmd := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := run(ctx, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, actor: &boss, svc: svc}, args); code != 0 {
			t.Fatalf("roster %s: exit %d: %s", strings.Join(args, " "), code, errs.String())
		}
		return out.String()
	}
	pages := httptest.NewServer(server.NewWeb(svc, server.WebOptions{}))
	defer pages.Close()
	raw := rawDB(t, db)
	defer raw.Close()
	accept := func(email string) {
		t.Helper()
		var data string
		if err := raw.QueryRow(`SELECT data FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1`, email).Scan(&data); err != nil {
			t.Fatal(err)
		}
		var m store.MailData
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(pages.URL + m.Path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		if csrf == nil {
			t.Fatalf("no form at %s:\n%s", m.Path, page)
		}
		const pw = "four words make a password"
		resp, err = client.PostForm(pages.URL+m.Path, url.Values{"csrf": {string(csrf[1])}, "password": {pw}, "password2": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s accepting: %d", email, resp.StatusCode)
		}
	}
	type line struct {
		Kind   string `json:"kind"`
		Email  string `json:"email"`
		Amount int64  `json:"amount"`
	}
	type statement struct {
		Lines []line `json:"lines"`
		Total int64  `json:"total"`
	}
	read := func(v any, args ...string) {
		t.Helper()
		if err := json.Unmarshal([]byte(cmd(append(args, "--json")...)), v); err != nil {
			t.Fatal(err)
		}
	}

	// March in Paris: 1 March 00:00 to 1 April 00:00, an hour short.
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "30", "--currency", "EUR", "--anchor", "2026-03-01", "--timezone", "Europe/Paris")
	end, whole := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC).Unix(), int64(31*86400-3600)
	charge := func() int64 { return (2*3000*(end-svc.Now().Unix()) + whole) / (2 * whole) }
	want := map[string]int64{"boss@acme.test": charge()}
	cmd("invite", "zoe@acme.test", "yann@acme.test")
	advance(24 * time.Hour)
	accept("zoe@acme.test")
	want["zoe@acme.test"] = charge()
	advance(5 * time.Hour)
	accept("yann@acme.test")
	want["yann@acme.test"] = charge()
	advance(3 * 24 * time.Hour)
	cmd("deactivate", "yann@acme.test")
	advance(time.Hour)
	cmd("reactivate", "yann@acme.test")
	if out := cmd("delete", "zoe@acme.test", "--heir", "boss@acme.test"); !strings.Contains(out, "their seat stays paid until 2026-04-01, with no credit") {
		t.Errorf("delete does not say until when the seat is paid:\n%s", out)
	}

	var march statement
	read(&march, "billing", "statement")
	var sum int64
	for _, l := range march.Lines {
		if l.Kind != "seat_started" || l.Amount != want[l.Email] {
			t.Errorf("March: %+v, want a started seat of %d", l, want[l.Email])
		}
		sum += l.Amount
	}
	if len(march.Lines) != 3 || march.Total != sum {
		t.Fatalf("March's statement: %+v", march)
	}

	// April: boss and yann renewed at the full price, once; zoe not.
	advance(25 * 24 * time.Hour)
	cmd("billing")
	cmd("billing")
	var april statement
	read(&april, "billing", "statement")
	if len(april.Lines) != 2 || april.Total != 6000 || april.Lines[0].Kind != "renewal" {
		t.Fatalf("April's statement: %+v", april)
	}
	var previous statement
	read(&previous, "billing", "statement", "--cycle", "previous")
	if previous.Total != march.Total {
		t.Errorf("the previous cycle's statement says %d, March's said %d", previous.Total, march.Total)
	}
}

// TestBillingStatementOfADay: roster billing statement --cycle DATE is the
// statement of the cycle that day falls in where the account bills, on the
// first and the last day of a cycle, whatever the zone of the machine that
// runs the command: it took noon on that day in the machine's zone, so that
// on a machine in UTC the last day of March of an account in Kiribati (+14)
// gave April's statement, and on one east of UTC the first day of March of
// an account in American Samoa (−11) gave February's.
func TestBillingStatementOfADay(t *testing.T) {
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		t.Run(zone, func(t *testing.T) {
			_, _, clock, cmd := billingAccount(t, time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC))
			cmd("billing", "plan", "--period", "monthly", "--seat-price", "30", "--currency", "USD", "--anchor", "2026-01-01", "--timezone", zone)
			clock.Store(time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC).Unix()) // March and April renewed
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			for day, month := range map[string]string{"2026-02-01": "2026-02", "2026-02-28": "2026-02", "2026-03-01": "2026-03",
				"2026-03-31": "2026-03", "2026-04-01": "2026-04", "2026-04-30": "2026-04"} {
				var s struct {
					Cycle struct{ Start, End time.Time } `json:"cycle"`
				}
				if err := json.Unmarshal([]byte(cmd("billing", "statement", "--cycle", day, "--json")), &s); err != nil {
					t.Fatal(err)
				}
				if got := s.Cycle.Start.In(loc).Format("2006-01-02 15:04"); got != month+"-01 00:00" {
					t.Errorf("the statement of %s is of the cycle from %s in %s, want %s-01", day, got, zone, month)
				}
			}
		})
	}
}

// TestBillingNextRenewalInItsCurrency: roster billing says what the next
// renewal costs in the currency it will be charged in, that of the plan in
// effect then: a change from euros to yen showed 2 seats at ¥1,500 as
// €30.00.
func TestBillingNextRenewalInItsCurrency(t *testing.T) {
	_, _, _, cmd := billingAccount(t, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	plan := []string{"billing", "plan", "--period", "monthly", "--anchor", "2026-03-01", "--timezone", "Asia/Tokyo"}
	cmd(append(plan, "--seat-price", "15", "--currency", "EUR")...)
	cmd(append(plan, "--seat-price", "1500", "--currency", "JPY")...) // from 1 April
	out := cmd("billing", "--lang", "en")
	if !strings.Contains(out, "¥1,500 on 2026-04-01") {
		t.Errorf("roster billing does not say the next renewal in yen:\n%s", out)
	}
	var b struct {
		NextRenewal     int64  `json:"next_renewal"`
		RenewalCurrency string `json:"next_renewal_currency"`
	}
	if err := json.Unmarshal([]byte(cmd("billing", "--json")), &b); err != nil {
		t.Fatal(err)
	}
	if b.NextRenewal != 1500 || b.RenewalCurrency != "JPY" {
		t.Errorf("roster billing --json: next renewal %d %q, want 1500 JPY", b.NextRenewal, b.RenewalCurrency)
	}
}

// TestBillingPlanChangeKeepsWhatIsNotGiven: roster billing plan on an
// account with a plan changes what its flags give and keeps the rest of the
// plan (the date cycles start from, the time zone, the currency), as the
// Billing screen's form does: it started from a new account's plan, so
// that a new price given alone on 10 March also moved the cycles to start
// on the 10th, in the country's zone (the first cycle under it prorated,
// from 1 April to 10 April).
func TestBillingPlanChangeKeepsWhatIsNotGiven(t *testing.T) {
	_, _, clock, cmd := billingAccount(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	type plan struct {
		Period    string `json:"period"`
		SeatPrice int64  `json:"seat_price"`
		Currency  string `json:"currency"`
		Anchor    string `json:"anchor"`
		TimeZone  string `json:"time_zone"`
	}
	next := func() plan {
		t.Helper()
		var b struct {
			Next *plan `json:"next_plan"`
		}
		if err := json.Unmarshal([]byte(cmd("billing", "--json")), &b); err != nil || b.Next == nil {
			t.Fatalf("no change planned: %v", err)
		}
		return *b.Next
	}
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "15", "--currency", "USD", "--anchor", "2026-03-01", "--timezone", "Asia/Tokyo")
	clock.Store(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC).Unix())
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "20")
	if got, want := next(), (plan{"monthly", 2000, "USD", "2026-03-01", "Asia/Tokyo"}); got != want {
		t.Errorf("a new price alone: the plan from 1 April is %+v, want %+v", got, want)
	}
	cmd("billing", "plan", "--period", "yearly", "--seat-price", "200", "--timezone", "Asia/Seoul")
	if got, want := next(), (plan{"yearly", 20000, "USD", "2026-03-01", "Asia/Seoul"}); got != want {
		t.Errorf("yearly in another zone: the plan from 1 April is %+v, want %+v", got, want)
	}
	// What the flags do not give is the plan planned's, not the one in
	// effect's (Tokyo), as the Billing screen's form starts from it
	// (admin's Billing.Editing, TestBillingFormStartsFromThePlanPlanned);
	// with billing's stop planned, the plan in effect's.
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "25")
	if got, want := next(), (plan{"monthly", 2500, "USD", "2026-03-01", "Asia/Seoul"}); got != want {
		t.Errorf("a new price over a change planned: the plan from 1 April is %+v, want %+v", got, want)
	}
	cmd("billing", "plan", "--none")
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "30")
	if got, want := next(), (plan{"monthly", 3000, "USD", "2026-03-01", "Asia/Tokyo"}); got != want {
		t.Errorf("a new price over billing's stop planned: the plan from 1 April is %+v, want %+v", got, want)
	}
}

// roster invite says what the people it invited cost if all accept today,
// in the Invite screen's words (admin's Estimate.Text,
// TestInviteCostSaysAPlannedChange): with a change planned, the next plan's
// price from then; nothing on an account billed nothing.
func TestInviteSaysWhatItCosts(t *testing.T) {
	ctx := context.Background()
	svc, boss, _, cmd := billingAccount(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if out := cmd("invite", "ann@acme.test"); strings.Contains(out, "accept") {
		t.Errorf("billed nothing, invite says a cost:\n%s", out)
	}
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "15", "--currency", "EUR", "--anchor", "2026-03-01", "--timezone", "Europe/Paris")
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "20")
	e, err := svc.InvitationCost(ctx, boss, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := "if all 2 accept today: " + admin.FormatAmount(e.Now, "EUR", "en") + " for this cycle, then €40.00 a month from 2026-04-01 (before tax)"
	if out := cmd("invite", "bob@acme.test", "cy@acme.test"); !strings.Contains(out, want) {
		t.Errorf("invite does not say %q:\n%s", want, out)
	}
}

// billingAccount sets up Acme, owned by boss@acme.test, on a database of
// its own, its clock at now and moved by storing Unix seconds in clock; cmd
// runs roster's command line on it as boss, fails the test unless it exits
// 0, and returns what it printed.
func billingAccount(t *testing.T, now time.Time) (svc *admin.Service, boss admin.Actor, clock *atomic.Int64, cmd func(args ...string) string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock = new(atomic.Int64)
	clock.Store(now.Unix())
	svc = admin.New(st)
	svc.Now = func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	boss = admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	cmd = func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := run(ctx, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, actor: &boss, svc: svc}, args); code != 0 {
			t.Fatalf("roster %s: exit %d: %s", strings.Join(args, " "), code, errs.String())
		}
		return out.String()
	}
	return svc, boss, clock, cmd
}
