package server

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// A stranger failing to sign in as someone, or asking for their reset
// links, spent the person's own attempts: ten wrong passwords from anywhere
// kept them out of their account. An address's attempts are counted by
// client network; from every network together past a larger bound, which
// a browser the person signed in on passes with a limit of its own.
func TestWebStrangerCannotLockOutAPerson(t *testing.T) {
	f := newWebFixture(t, WebOptions{LoginPerAddress: RateLimit{3, time.Hour}, LoginPerClient: RateLimit{100, time.Hour},
		LoginPerAddressAll: RateLimit{5, time.Hour}, ForgotPerAddress: RateLimit{2, time.Hour}})
	ann := f.client() // 127.0.0.1: the network 127.0.0.0/24
	ann.submit(f.invite("ann@acme.test", "Ann", "Martin", "en"), "password", webPassword, "password2", webPassword).
		want(t, "accept", http.StatusOK, "ready")
	login := func(c *webClient, password string) webResp {
		return c.submit("/login", "email", "ann@acme.test", "password", password)
	}

	// A stranger on another network spends their own attempts on ann's
	// address, not hers.
	mallory := f.clientFrom("127.0.1.1")
	for i := range 3 {
		login(mallory, fmt.Sprint("guess ", i)).want(t, "the stranger's guess", http.StatusOK, "Wrong email")
	}
	login(mallory, "guess 3").want(t, "the stranger's fourth guess", http.StatusTooManyRequests, "Too many attempts")
	login(ann, webPassword).want(t, "ann, after the stranger's guesses", http.StatusOK, "You are signed in")

	// Guessing from many networks is bounded all the same: five attempts
	// on ann's address from everywhere together (the stranger's three and
	// ann's sign-in above, from a browser not yet known).
	login(f.clientFrom("127.0.2.1"), "guess 4").want(t, "a guess from a third network", http.StatusOK, "Wrong email")
	login(f.clientFrom("127.0.3.1"), "guess 5").want(t, "a guess from a fourth network", http.StatusTooManyRequests, "Too many attempts")
	forged := f.clientFrom("127.0.4.1")
	forged.header.Set("Cookie", "roster_known=ABCDEFGHIJKLMNOPQRSTUVWXYZ.bm90IGEgbWFj")
	login(forged, "guess 6").want(t, "a guess with a forged cookie", http.StatusTooManyRequests, "Too many attempts")
	f.clientFrom("127.0.5.1").submit("/login", "email", "bob@acme.test", "password", "x").
		want(t, "another address", http.StatusOK, "Wrong email")
	// ann's browser, which signed in as her, still gets in.
	login(ann, "a typo").want(t, "ann's browser, a typo", http.StatusOK, "Wrong email")
	login(ann, webPassword).want(t, "ann's browser", http.StatusOK, "You are signed in")

	// /forgot: the stranger's asking leaves ann hers, and each is mailed
	// (admin allows one a minute).
	forgot := func(c *webClient) webResp {
		f.advance(2 * time.Minute)
		return c.submit("/forgot", "email", "ann@acme.test")
	}
	forgot(mallory).want(t, "the stranger's first reset", http.StatusOK, "Check your mail")
	forgot(mallory).want(t, "the stranger's second reset", http.StatusOK, "Check your mail")
	forgot(mallory).want(t, "the stranger's third reset", http.StatusTooManyRequests, "Too many attempts")
	forgot(ann).want(t, "ann's reset", http.StatusOK, "Check your mail")
	if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND recipient = 'ann@acme.test'"); n != 3 {
		t.Fatalf("%d resets queued, want 3", n)
	}
}
