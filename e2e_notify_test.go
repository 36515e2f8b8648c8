package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2ENotificationPreferenceInTmux is issue 14's "done when" for
// preferences: in the dashboard (tmux, 80x24), the owner, who has a mobile
// number, opens their own page, N, and for "Someone I invited accepted"
// turns email off and sms on; then the person they invite accepts through
// the web page that roster serve serves, and the owner gets an SMS of it
// (captured, with no SMS provider set) and no mail, while another event of
// theirs (an API key made in their name, a security notice) still mails
// them.
func TestE2ENotificationPreferenceInTmux(t *testing.T) {
	need(t, "tmux")
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	const phone = "+33612345678"
	e.cli("edit", "boss@acme.test", "--phone", phone)
	web := freePort(t)
	base := "http://" + web
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base)
	srv.waitLog("serving")

	x := newTmux(e)
	p := x.start("dashboard", 80, 24, e.bin, "--db", e.db)
	p.waitFor("acting as boss@acme.test", "Big Boss")
	p.keys("Enter")
	p.waitFor("logins", "Notices      which events reach them, by which channel  (N)")
	p.keys("N")
	p.waitFor("Notifications of Big Boss <boss@acme.test>", "[x]   [ ]  Someone I invited accepted")
	p.keys("j", "Space")
	p.waitFor("[ ]*  [ ]  Someone I invited accepted", "(unsaved)")
	p.keys("l", "Space")
	p.waitFor("[ ]* ▸[x]* Someone I invited accepted")
	p.keys("Enter")
	p.waitFor("Before saving:", "invitation.accepted  email → sms")
	p.keys("Enter")
	p.waitFor("Saved: invitation.accepted=sms.")
	if out := e.cli("notify", "boss@acme.test"); !regexp.MustCompile(`invitation\.accepted\s+inviter\s+sms\s+chosen`).MatchString(out) {
		t.Fatalf("roster notify after the dashboard saved:\n%s", out)
	}

	// Ann is invited, and accepts through the link in her mail.
	e.cli("invite", "ann@acme.test", "--first", "Ann", "--last", "Archer")
	link := e.capturedLink(srv, "ann@acme.test", base+"/invite/")
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: time.Minute}
	res, err := hc.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the invitation page:\n%s", page)
	}
	const password = "correct horse battery staple"
	res, err = hc.PostForm(link, url.Values{"csrf": {string(m[1])}, "password": {password}, "password2": {password}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "Your account is ready") {
		t.Fatalf("accepting the invitation: %d\n%s", res.StatusCode, page)
	}
	if out := e.cli("users", "--search", "ann"); !strings.Contains(out, "Active") {
		t.Fatalf("ann after accepting:\n%s", out)
	}

	// The acceptance's notice, queued in the same transaction as the
	// acceptance itself, goes by SMS to the owner's number, and is captured.
	const accepted = "Acme: Ann Archer accepted your invitation and joined."
	deadline := time.Now().Add(e2eWait)
	for count(t, e.db, `SELECT count(*) FROM outbox WHERE channel = 'sms' AND recipient = '`+phone+`' AND state = 'sent' AND data LIKE '%`+accepted+`%'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the acceptance's SMS was not delivered to boss in %v; outbox:\n%s\nserver log:\n%s", e2eWait, e.cli("mail"), srv.Logs())
		}
		time.Sleep(e2ePoll)
	}
	if out := e.cli("mail", "captured"); !strings.Contains(out, phone) || !strings.Contains(out, "Ann Archer accepted") {
		t.Fatalf("roster mail captured has no SMS of ann joining to %s:\n%s", phone, out)
	}

	// Another event of the owner's still mails them: once that notice is
	// delivered, the acceptance has no mail to them.
	e.cli("apikeys", "create", "--name", "zapier")
	deadline = time.Now().Add(e2eWait)
	for count(t, e.db, `SELECT count(*) FROM outbox WHERE recipient = 'boss@acme.test' AND kind = 'notice' AND state = 'sent' AND data LIKE '%A key was added%'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the API key's notice was not delivered to boss in %v; outbox:\n%s\nserver log:\n%s", e2eWait, e.cli("mail"), srv.Logs())
		}
		time.Sleep(e2ePoll)
	}
	if n := count(t, e.db, `SELECT count(*) FROM outbox WHERE channel = 'email' AND recipient = 'boss@acme.test' AND data LIKE '%Ann Archer%'`); n != 0 {
		t.Fatalf("%d mails of ann joining, to boss who chose sms alone; outbox:\n%s", n, e.cli("mail"))
	}
	if n := count(t, e.db, `SELECT count(*) FROM outbox WHERE channel = 'sms'`); n != 1 {
		t.Fatalf("%d SMS, want the acceptance's alone; outbox:\n%s", n, e.cli("mail"))
	}
	if n := count(t, e.db, `SELECT count(*) FROM audit WHERE action = 'invite.accept' AND target_email = 'ann@acme.test'`); n != 1 {
		t.Fatalf("%d acceptances audited", n)
	}
	p.keys("Escape", "Escape", "q")
	if code := p.waitExit(); code != 0 {
		t.Fatalf("the dashboard exited %d; %s", code, p.report())
	}
}
