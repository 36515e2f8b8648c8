package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"roster/admin"
)

var webVersionField = regexp.MustCompile(`name="version" value="([^"]+)"`)

var webBox = regexp.MustCompile(`<input type="checkbox" name="([^"]+)" aria-label="[^"]*"( checked)?( disabled)?>`)

// settingsForm is what a browser posts from the settings page in body,
// with the boxes changed: ticked (true) or not (false); disabled boxes are
// not sent, as browsers do.
func settingsForm(t *testing.T, body string, change map[string]bool) url.Values {
	t.Helper()
	form := url.Values{}
	for name, re := range map[string]*regexp.Regexp{"csrf": webCSRFField, "version": webVersionField} {
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s on the settings page:\n%s", name, body)
		}
		form.Set(name, m[1])
	}
	boxes := webBox.FindAllStringSubmatch(body, -1)
	if len(boxes) != len(admin.Events)*len(admin.NotifyChannels) {
		t.Fatalf("%d boxes on the settings page:\n%s", len(boxes), body)
	}
	for _, b := range boxes {
		on, ok := change[b[1]]
		if !ok {
			on = b[2] != ""
		}
		if on && b[3] == "" {
			form.Set(b[1], "on")
		}
	}
	return form
}

// prefs is how each event reaches email: "email,sms", or "" for none.
func (f *webFixture) prefs(email string) map[string]string {
	f.t.Helper()
	ps, err := f.svc.NotifyPrefs(f.ctx, f.owner, email)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.Event] = strings.Join(p.Channels, ",")
	}
	return out
}

// After /login, a person sets their own notifications on /settings: the
// catalogue as a form of checkboxes, security notices locked; saved through
// admin at the version the page was drawn from, audited as theirs via the
// web; a page older than a change made elsewhere saves nothing and says so.
// The form needs its token; the page needs a sign-in, which ends with
// signing out, a new password, the session's 12 hours, or deactivation.
func TestWebSettings(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")
	c := f.client()
	if r := c.get("/settings"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("/settings before signing in: %d to %q", r.status, r.header.Get("Location"))
	}
	c.submit(link, "password", webPassword, "password2", webPassword).want(t, "accept", http.StatusOK, "ready")
	c.submit("/login", "email", "ann@acme.test", "password", webPassword).
		want(t, "login", http.StatusOK, "You are signed in", `href="/settings?lang=en"`, "Choose your notifications")

	page := c.get("/settings")
	page.want(t, "settings", http.StatusOK, "Your notifications", "Ann Martin, choose which events reach you",
		"Someone I invited accepted", "Always on: security notices cannot be turned off.", "no mobile number yet")
	if n := strings.Count(page.body, " disabled>"); n != 2*len(admin.NotifyChannels) {
		t.Fatalf("%d locked boxes, want the two security notices' %d", n, 2*len(admin.NotifyChannels))
	}
	// The security notices' boxes are not sent (disabled), and stay on.
	c.post("/settings", settingsForm(t, page.body, map[string]bool{"invitation.accepted:email": false, "invitation.accepted:sms": true})).
		want(t, "save", http.StatusOK, "Your choices are saved.")
	p := f.prefs("ann@acme.test")
	if p["invitation.accepted"] != "sms" || p["security.key"] != "email" || p["security.permissions"] != "email" || p["invitation.stuck"] != "email" {
		t.Fatalf("prefs after saving: %v", p)
	}
	var actor, channel string
	if err := f.raw.QueryRow(`SELECT actor_email, channel FROM audit WHERE action = 'notify.set'`).Scan(&actor, &channel); err != nil ||
		actor != "ann@acme.test" || channel != admin.ChannelWeb {
		t.Fatalf("audited as %q via %q (%v)", actor, channel, err)
	}

	// A page drawn before an operator's change saves nothing.
	page = c.get("/settings")
	pos := "Buyer"
	if _, err := f.svc.Edit(f.ctx, f.owner, "ann@acme.test", 0, admin.Profile{Position: &pos}); err != nil {
		t.Fatal(err)
	}
	c.post("/settings", settingsForm(t, page.body, map[string]bool{"invitation.stuck:email": false})).
		want(t, "stale", http.StatusConflict, "Your settings changed elsewhere since this page was opened")
	if p := f.prefs("ann@acme.test"); p["invitation.stuck"] != "email" {
		t.Fatalf("a stale page changed invitation.stuck: %v", p)
	}
	form := settingsForm(t, c.get("/settings").body, map[string]bool{"invitation.stuck:email": false})
	form.Del("csrf")
	c.post("/settings", form).want(t, "no form token", http.StatusForbidden)
	if p := f.prefs("ann@acme.test"); p["invitation.stuck"] != "email" {
		t.Fatalf("a forged post changed invitation.stuck: %v", p)
	}

	signedOut := func(what string) {
		t.Helper()
		if r := c.get("/settings"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Fatalf("/settings after %s: %d to %q", what, r.status, r.header.Get("Location"))
		}
	}
	login := func() {
		t.Helper()
		c.submit("/login", "email", "ann@acme.test", "password", webPassword).want(t, "login", http.StatusOK, "You are signed in")
		c.get("/settings").want(t, "signed in again", http.StatusOK, "Your notifications")
	}
	c.submit("/settings").want(t, "no version", http.StatusConflict) // a form from no page
	// Signing out ends the sessions of every browser, and a copy of the
	// cookie taken before; signing in again works at once.
	other := f.client()
	other.submit("/login", "email", "ann@acme.test", "password", webPassword).want(t, "login elsewhere", http.StatusOK, "You are signed in")
	copied := c.hc.Jar.Cookies(mustURL(t, f.srv.URL))
	c.post("/logout", url.Values{"csrf": {c.csrf("/login")}}).want(t, "sign out", http.StatusOK, "You are signed out on every browser")
	signedOut("signing out")
	c.hc.Jar.SetCookies(mustURL(t, f.srv.URL), copied)
	signedOut("signing out, with the cookie copied before")
	if r := other.get("/settings"); r.status != http.StatusSeeOther {
		t.Fatalf("/settings on the other browser after signing out: %d", r.status)
	}
	login()
	// A sign-out from a browser signed in as nobody ends no one's session.
	nobody := f.client()
	nobody.post("/logout", url.Values{"csrf": {nobody.csrf("/login")}}).want(t, "sign out of nobody", http.StatusOK)
	c.get("/settings").want(t, "still signed in", http.StatusOK, "Your notifications")
	f.advance(webSessionLife)
	signedOut("12 hours")

	login()
	kept := c.hc.Jar.Cookies(mustURL(t, f.srv.URL))
	if err := f.svc.SendReset(f.ctx, f.owner, "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	c.submit(f.linkPath("ann@acme.test", "password_reset"), "password", "another password 2", "password2", "another password 2").
		want(t, "new password", http.StatusOK)
	c.hc.Jar.SetCookies(mustURL(t, f.srv.URL), kept)
	signedOut("a new password")

	c.submit("/login", "email", "ann@acme.test", "password", "another password 2").want(t, "login", http.StatusOK, "You are signed in")
	c.get("/settings").want(t, "signed in again", http.StatusOK, "Your notifications")
	if err := f.svc.Deactivate(f.ctx, f.owner, "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	signedOut("deactivation")
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
