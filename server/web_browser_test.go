package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"roster/internal/browser"
	"roster/store"
)

// A person opens the invitation link in headless chromium at a phone's size,
// types a password twice, then signs in: the account is active with one
// login; the link to their notifications leads to a form that fits and saves.
func TestWebBrowserInvitationToLogin(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	link := f.invite("ann@acme.test", "Ann", "Martin", "en")

	bctx := browser.New(t, 2*time.Minute, chromedp.WindowSize(390, 844)) // a phone

	// submit clicks the form's button and waits for the page it leads to.
	submit := func() error {
		_, err := chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.Click(chromedp.CSS(`button[type=submit]`))))
		return err
	}
	text := func(sel string) string {
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v\nserver log:\n%s", sel, err, f.logs.String())
		}
		return s
	}
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, f.logs.String())
		}
	}

	check("open the invitation", chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+link),
		chromedp.WaitVisible(chromedp.ID("password"))))
	heading := text("h1")
	email, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("email")))
	check("read the address", err)
	// The inline stylesheet applies (the CSP allows it by its hash), and the
	// form fits a phone's width.
	button, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('button')).backgroundColor`))
	check("read the style", err)
	fits, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	check("read the width", err)

	check("type the password twice", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("password"), webPassword),
		chromedp.SendKeys(chromedp.ID("password2"), webPassword)))
	check("set the password", submit())
	done := text("h1")

	check("open the sign-in page", chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "ann@acme.test"),
		chromedp.SendKeys(chromedp.ID("password"), webPassword)))
	check("sign in", submit())
	signedIn := text("main")

	// Their notifications, from the link after signing in: the page fits a
	// phone, and a box unticked and saved is saved.
	_, err = chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`a[href^="/settings"]`))))
	check("open the settings", err)
	settingsFit, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	check("read the settings' width", err)
	check("untick a box", chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`input[name="invitation.accepted:email"]`))))
	check("save", submit())
	saved := text("main")

	if heading != "Welcome to Acme & Fils" || email != "ann@acme.test" {
		t.Errorf("invitation page: heading %q, email %q", heading, email)
	}
	if button != "rgb(31, 95, 209)" {
		t.Errorf("the stylesheet did not apply: button background %q", button)
	}
	if !fits {
		t.Error("the page is wider than a phone's screen")
	}
	if done != "Your account is ready" {
		t.Errorf("after setting the password: %q", done)
	}
	if !strings.Contains(signedIn, "You are signed in") || !strings.Contains(signedIn, "Welcome, Ann Martin") {
		t.Errorf("after signing in: %q", signedIn)
	}
	if !settingsFit {
		t.Error("the settings page is wider than a phone's screen")
	}
	if !strings.Contains(saved, "Your choices are saved.") {
		t.Errorf("after saving the settings: %q", saved)
	}
	if p := f.prefs("ann@acme.test"); p["invitation.accepted"] != "" || p["invitation.stuck"] != "email" {
		t.Errorf("prefs after the browser saved: %v", p)
	}
	u := f.user("ann@acme.test")
	if u.Status != store.Active || u.LoginCount != 1 || u.LastLoginAt.IsZero() {
		t.Fatalf("ann is %s with %d logins (last %v), want active with 1", u.Status, u.LoginCount, u.LastLoginAt)
	}
}

// An address with an accent before its @ (zoé@…), which roster invites,
// passes the sign-in and forgotten-password forms in chromium: an input of
// type email refused it in the browser ("A part followed by '@' should not
// contain the symbol 'é'"), so that Zoé could neither sign in nor rescue her
// expired invitation. Her French pages go from the request for a link to
// signing in.
func TestWebBrowserAccentedAddress(t *testing.T) {
	f := newWebFixture(t, WebOptions{})
	f.invite("zoé@acme.test", "Zoé", "Martin", "fr")
	f.advance(49 * time.Hour) // her invitation has expired

	bctx := browser.New(t, 2*time.Minute)
	// fill types into the page's fields and sends its form, and says the
	// heading of the page it leads to; a form the browser refuses to send
	// leads nowhere.
	fill := func(path string, fields ...string) string {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.ID(fields[0]))); err != nil {
			t.Fatalf("open %s: %v", RedactPath(path), err)
		}
		for i := 0; i+1 < len(fields); i += 2 {
			if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.ID(fields[i]), fields[i+1])); err != nil {
				t.Fatalf("type into %s: %v", fields[i], err)
			}
		}
		ctx, cancel := context.WithTimeout(bctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.Click(chromedp.CSS(`button[type=submit]`)))); err != nil {
			msg, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('input:invalid')?.validationMessage ?? ''`))
			t.Fatalf("send the form of %s: %v; the browser says %q", RedactPath(path), err, msg)
		}
		h, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	if h := fill("/forgot?lang=fr", "email", "zoé@acme.test"); h != "Consultez votre messagerie" {
		t.Fatalf("after asking for a link: %q", h)
	}
	reset := f.linkPath("zoé@acme.test", store.MailPasswordReset)
	if h := fill(reset, "password", webPassword, "password2", webPassword); h != "Votre compte est prêt" {
		t.Fatalf("after setting her password: %q", h)
	}
	if h := fill("/login?lang=fr", "email", "zoé@acme.test", "password", webPassword); h != "Connexion réussie" {
		t.Fatalf("after signing in: %q", h)
	}
	if u := f.user("zoé@acme.test"); u.Status != store.Active || u.LoginCount != 1 {
		t.Fatalf("zoé is %s with %d logins, want active with 1", u.Status, u.LoginCount)
	}
}
