package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 9, a newcomer's first run: with the embedded capture server and
// links on this machine, the dashboard serves the invitation pages while it
// runs. The link in the captured invitation, written with the account's
// base URL though the dashboard was given none, opens, takes a password, and
// the person is active. A second dashboard finds the port taken and says so.
func TestDashboardServesTheInvitationPages(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_BASE_URL", "")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	base := "http://" + freePort(t) // not localhost:8080, which another test may hold
	ok(t, db, "account", "--base-url", base)

	dashboard := func() (links string, stop func()) {
		t.Helper()
		c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, db: db, channel: "cli"}
		opts, stopDashboard, err := c.startDashboard(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		links, err = opts.Ready() // as the dashboard does once it has its first rows
		if err != nil {
			t.Fatal(err)
		}
		return links, func() { stopDashboard(); c.close() }
	}
	links, stop := dashboard()
	defer stop()
	if want := "Links lead to " + base + ", served by this dashboard"; !strings.HasPrefix(links, want) {
		t.Fatalf("the Mail screen's line about links: %q, want %q", links, want)
	}
	second, stop2 := dashboard()
	stop2()
	if !strings.Contains(second, "not served by this dashboard") {
		t.Fatalf("a second dashboard on a taken port says %q", second)
	}

	ok(t, db, "invite", "zoe@acme.test", "--first", "Zoe", "--last", "Zed", "--locale", "en")
	type captured struct {
		ID int64    `json:"id"`
		To []string `json:"to"`
	}
	var id int64
	for deadline := time.Now().Add(15 * time.Second); id == 0; time.Sleep(50 * time.Millisecond) {
		for _, m := range jsonOf[[]captured](t, db, "mail", "captured") {
			if slices.Contains(m.To, "zoe@acme.test") {
				id = m.ID
			}
		}
		if id == 0 && time.Now().After(deadline) {
			t.Fatalf("no invitation to zoe captured; outbox:\n%s", ok(t, db, "mail"))
		}
	}
	text := jsonOf[struct {
		Text string `json:"text"`
	}](t, db, "mail", "captured", fmt.Sprint(id)).Text
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/invite/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" {
		t.Fatalf("no link to %s/invite/ in the captured mail:\n%s", base, text)
	}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := hc.Get(link)
	if err != nil {
		t.Fatalf("the dashboard does not serve the link: %v", err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
	if res.StatusCode != http.StatusOK || csrf == nil {
		t.Fatalf("GET the link: %d, no form:\n%s", res.StatusCode, page)
	}
	const password = "four words make a password"
	res, err = hc.PostForm(link, url.Values{"csrf": {csrf[1]}, "password": {password}, "password2": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST a password: %d", res.StatusCode)
	}
	if u := jsonOf[struct {
		Status string `json:"status"`
	}](t, db, "user", "zoe@acme.test"); u.Status != "active" {
		t.Fatalf("zoe is %q after choosing a password, want active", u.Status)
	}
}

// roster serve --base-url makes it the account's, audited; any other process
// given a different one is refused, since its links would lead elsewhere
// than the account's.
func TestServeBaseURLBecomesTheAccounts(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_BASE_URL", "")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "--base-url", "https://draft.acme.test", "mail") // not set yet: a process's own is used

	c := &cli{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, db: db, channel: "cli",
		baseURL: "https://roster.acme.test/"}
	defer c.close()
	if err := c.open(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second start finds it set: no second audit row
		if err := c.adoptBaseURL(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	acct := jsonOf[map[string]any](t, db, "account")
	if acct["base_url"] != "https://roster.acme.test" {
		t.Fatalf("account after serve --base-url: %v", acct)
	}
	if n := count(t, db, "SELECT count(*) FROM audit WHERE action = 'account.update' AND after LIKE '%roster.acme.test%'"); n != 1 {
		t.Fatalf("%d audit rows for the base URL, want 1", n)
	}
	ok(t, db, "--base-url", "https://roster.acme.test", "mail")
	fails(t, db, "base URL http://localhost:8080 differs from the account's, https://roster.acme.test", "--base-url", "http://localhost:8080", "mail")
	t.Setenv("ROSTER_BASE_URL", "https://draft.acme.test")
	fails(t, db, "differs from the account's", "mail", "deliver")
}
