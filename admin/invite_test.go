package admin

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/store"
)

const (
	invitee  = "ines.invitee@example.com"
	password = "correct horse battery staple"
)

// An invitation creates an invited user, a link of at least 128 random bits
// of which only the SHA-256 is stored, and its mail in the same transaction.
func TestInvitationToken(t *testing.T) {
	f := newFixture(t)
	tokens := map[string]bool{}
	for i := range 20 {
		email := fmt.Sprintf("person%d@example.com", i)
		tok := f.invite(email, "")
		if tokens[tok] {
			t.Fatalf("token %s given twice", tok)
		}
		tokens[tok] = true

		// crypto/rand.Text: base32, 5 bits a character.
		if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(tok); err != nil {
			t.Fatalf("token %q is not base32: %v", tok, err)
		}
		if bits := 5 * len(tok); bits < 128 {
			t.Fatalf("token %q carries %d bits", tok, bits)
		}
		u := f.user(email)
		if u.Status != store.Invited {
			t.Fatalf("status %s", u.Status)
		}
		var hash []byte
		var expires int64
		if err := f.raw.QueryRow(`SELECT hash, expires_at FROM tokens WHERE user_id = ? AND kind = 'invite'`, u.ID).Scan(&hash, &expires); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256([]byte(tok)); !bytes.Equal(hash, sum[:]) {
			t.Fatalf("stored hash %x is not the SHA-256 of the token", hash)
		}
		if want := f.now().Add(48 * time.Hour).Unix(); expires != want {
			t.Fatalf("expires %d, want %d (48 hours)", expires, want)
		}
		kind, state, _ := f.mail(email)
		if kind != store.MailInvitation || state != "queued" {
			t.Fatalf("mail %s %s", kind, state)
		}
	}
	// Outside the outbox (where the mail waits with its link until sent), the
	// token appears nowhere, in text, hex or base64.
	f.exec(`DELETE FROM outbox`)
	dump := f.snapshot()
	for tok := range tokens {
		for _, form := range []string{tok, strings.ToLower(tok), hex.EncodeToString([]byte(tok))} {
			if strings.Contains(dump, form) {
				t.Fatalf("the database holds the token %s", form)
			}
		}
	}
}

// A link is used once: of two simultaneous accepts, exactly one succeeds.
func TestLinkSingleUse(t *testing.T) {
	f := newFixture(t)
	for round := range 3 {
		email := fmt.Sprintf("racer%d@example.com", round)
		tok := f.invite(email, "")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		startGun := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-startGun
				_, errs[i] = f.svc.UseLink(f.ctx, "invite", tok, password+fmt.Sprint(i))
			}()
		}
		close(startGun)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrLinkUsed):
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d accepts succeeded: %v", ok, errs)
		}
		if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); !errors.Is(err, ErrLinkUsed) {
			t.Fatalf("third use: %v", err)
		}
		u := f.user(email)
		if u.Status != store.Active || u.ActivatedAt.IsZero() {
			t.Fatalf("after accepting: %s, activated %v", u.Status, u.ActivatedAt)
		}
		if f.count(`SELECT count(*) FROM audit WHERE action = 'invite.accept' AND target_email = ?`, email) != 1 {
			t.Fatal("want one invite.accept audit row")
		}
	}
	// The store's conditional update is what decides: a second consume fails.
	tok := f.invite("last.racer@example.com", "")
	sum := sha256.Sum256([]byte(tok))
	must(t, f.st.Write(f.ctx, func(q *store.Q) error {
		tk, err := q.TokenByHash(f.ctx, sum[:])
		if err != nil {
			return err
		}
		for i, want := range []bool{true, false} {
			got, err := q.ConsumeToken(f.ctx, tk.ID, sum[:], f.now())
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("consume %d: %v, want %v", i+1, got, want)
			}
		}
		return nil
	}))
}

// Accepting sets a password the person then logs in with; nobody else sees it.
func TestAcceptSetsPassword(t *testing.T) {
	f := newFixture(t)
	tok := f.invite(invitee, "")
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, "short"); err == nil {
		t.Fatal("a 5-character password accepted")
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); err != nil {
		t.Fatal(err)
	}
	u := f.user(invitee)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || strings.Contains(f.snapshot(), password) {
		t.Fatalf("password stored as %q", u.PasswordHash)
	}
	if _, err := f.svc.Login(f.ctx, invitee, password); err != nil {
		t.Fatalf("login: %v", err)
	}
	if _, err := f.svc.Login(f.ctx, invitee, "wrong password!"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("wrong password: %v", err)
	}
	u = f.user(invitee)
	if u.LoginCount != 1 || u.FailedLoginCount != 1 || !u.LastLoginAt.Equal(f.now()) {
		t.Fatalf("logins %d, failed %d, last %v", u.LoginCount, u.FailedLoginCount, u.LastLoginAt)
	}
}

// An invitation lives the account's invitation lifetime.
func TestInvitationExpires(t *testing.T) {
	for _, lifetime := range []time.Duration{48 * time.Hour, 2 * time.Hour} {
		t.Run(lifetime.String(), func(t *testing.T) {
			f := newFixture(t)
			if lifetime != 48*time.Hour {
				_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{InviteLifetime: &lifetime, RemindBefore: ptr(time.Hour)})
				must(t, err)
			}
			tok := f.invite(invitee, "")
			f.advance(lifetime - time.Second)
			if _, err := f.svc.LinkInfo(f.ctx, "invite", tok); err != nil {
				t.Fatalf("a second before expiry: %v", err)
			}
			if u := f.user(invitee); u.Expired {
				t.Fatal("expired a second early")
			}
			f.advance(time.Second)
			if _, err := f.svc.LinkInfo(f.ctx, "invite", tok); !errors.Is(err, ErrLinkExpired) {
				t.Fatalf("at expiry, LinkInfo: %v", err)
			}
			before := f.snapshot()
			if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); !errors.Is(err, ErrLinkExpired) {
				t.Fatalf("at expiry, UseLink: %v", err)
			}
			f.unchanged(before)
			if u := f.user(invitee); !u.Expired || u.Status != store.Invited {
				t.Fatalf("expired %v, status %s", u.Expired, u.Status)
			}
		})
	}
}

// Reading a link's page never consumes it: mail scanners open links first.
func TestLinkInfoNeverConsumes(t *testing.T) {
	f := newFixture(t)
	tok := f.invite(invitee, "")
	before := f.snapshot()
	for range 3 {
		l, err := f.svc.LinkInfo(f.ctx, "invite", tok)
		must(t, err)
		if l.User.Email != invitee || l.Account != "Acme & Fils" {
			t.Fatalf("link info %+v", l)
		}
	}
	f.unchanged(before)
	if _, err := f.svc.LinkInfo(f.ctx, "reset", tok); !errors.Is(err, ErrLinkInvalid) {
		t.Fatalf("an invitation read as a reset link: %v", err)
	}
	if _, err := f.svc.LinkInfo(f.ctx, "invite", "AAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, ErrLinkInvalid) {
		t.Fatalf("a made-up token: %v", err)
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); err != nil {
		t.Fatal(err)
	}
}

// Resending voids the old link and restarts the lifetime; the old link's mail,
// if not sent yet, is cancelled and loses its token.
func TestResendVoidsOldLinkAndRestartsLifetime(t *testing.T) {
	f := newFixture(t)
	old := f.invite(invitee, "")
	f.advance(30 * time.Hour)
	out := f.svc.Resend(f.ctx, f.owner, []string{invitee})
	must(t, out[0].Err)
	tok := f.token(invitee)
	if tok == old {
		t.Fatal("resend kept the token")
	}
	if kind, _, _ := f.mail(invitee); kind != store.MailInviteResent {
		t.Fatalf("mail kind %s", kind)
	}
	if _, err := f.svc.LinkInfo(f.ctx, "invite", old); !errors.Is(err, ErrLinkReplaced) {
		t.Fatalf("old link: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE data LIKE ?`, "%"+old+"%"); n != 0 {
		t.Fatalf("%d outbox rows still hold the old token", n)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation' AND state = 'cancelled'`); n != 1 {
		t.Fatalf("%d cancelled invitation mails, want 1", n)
	}
	// Past the first link's expiry, the new one still works: its lifetime restarted.
	f.advance(47 * time.Hour)
	if u := f.user(invitee); u.Expired || !u.InviteExpiresAt.Equal(start.Add(78*time.Hour)) {
		t.Fatalf("expired %v, expires %v", u.Expired, u.InviteExpiresAt)
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", old, password); !errors.Is(err, ErrLinkReplaced) {
		t.Fatalf("old link: %v", err)
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); err != nil {
		t.Fatalf("new link: %v", err)
	}
	if got := f.audits("invite.resend"); len(got) != 1 || got[0].Target != invitee {
		t.Fatalf("audit %+v", got)
	}
}

// Resends are limited to one a minute and ten a day, and the refusal says
// when the next one is allowed.
func TestResendRateLimit(t *testing.T) {
	f := newFixture(t)
	f.invite(invitee, "") // the first of the day, at start
	resend := func() error { return f.svc.Resend(f.ctx, f.owner, []string{invitee})[0].Err }
	wantLimit := func(err error, next time.Time) {
		t.Helper()
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("error %v, want a *RateLimitError", err)
		}
		if !rl.Next.Equal(next) {
			t.Fatalf("next allowed at %v, want %v", rl.Next, next)
		}
		if !strings.Contains(err.Error(), next.Local().Format("2006-01-02 15:04:05")) {
			t.Fatalf("%q does not say when", err)
		}
	}

	f.advance(10 * time.Second)
	before := f.snapshot()
	wantLimit(resend(), start.Add(time.Minute))
	f.unchanged(before)

	f.advance(50 * time.Second) // a minute after the invitation
	must(t, resend())
	for i := 3; i <= 10; i++ { // every two minutes: ten links in 18 minutes
		f.advance(2 * time.Minute)
		must(t, resend())
	}
	f.advance(2 * time.Minute)
	before = f.snapshot()
	wantLimit(resend(), start.Add(24*time.Hour))
	f.unchanged(before)

	f.clock.Store(start.Add(24 * time.Hour).Unix())
	must(t, resend())
	if n := f.count(`SELECT count(*) FROM tokens WHERE kind = 'invite'`); n != 11 {
		t.Fatalf("%d links, want 11", n)
	}
}

// Revoking a pending invitation deletes the never-activated user.
func TestRevoke(t *testing.T) {
	f := newFixture(t)
	tok := f.invite(invitee, "")
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "sam.staged@example.com"}}, InviteOptions{Staged: true})
	must(t, err)
	must(t, res[0].Err)
	f.addUser("ada.active@example.com", "member", store.Active)
	f.addUser("dan.deactivated@example.com", "member", store.Deactivated)
	// A change the invitee is told of by mail, not sent yet when the
	// invitation is revoked: they are told nothing more.
	_, err = f.svc.SetPermissions(f.ctx, f.owner, invitee, 0, PermChange{Role: "manager"})
	must(t, err)
	if n := f.count(`SELECT count(*) FROM outbox WHERE kind = 'notice' AND state = 'queued'`); n != 1 {
		t.Fatalf("%d notices queued for the permission change, want 1", n)
	}

	out := f.svc.Revoke(f.ctx, f.owner, []string{invitee, "sam.staged@example.com", "ada.active@example.com", "dan.deactivated@example.com"})
	must(t, out[0].Err)
	must(t, out[1].Err)
	for _, o := range out[2:] {
		var se *StateError
		if !errors.As(o.Err, &se) {
			t.Fatalf("revoke %s: %v, want a *StateError", o.Email, o.Err)
		}
	}
	for _, e := range []string{invitee, "sam.staged@example.com"} {
		if f.exists(e) {
			t.Fatalf("%s still exists", e)
		}
	}
	for _, e := range []string{"ada.active@example.com", "dan.deactivated@example.com"} {
		if !f.exists(e) {
			t.Fatalf("%s was deleted", e)
		}
	}
	if n := f.count(`SELECT count(*) FROM tokens`); n != 0 {
		t.Fatalf("%d tokens left", n)
	}
	if n := f.count(`SELECT count(*) FROM outbox WHERE state != 'cancelled'`); n != 0 {
		t.Fatalf("%d mails still to send", n)
	}
	if _, err := f.svc.LinkInfo(f.ctx, "invite", tok); !errors.Is(err, ErrLinkInvalid) {
		t.Fatalf("revoked link: %v", err)
	}
	if got := f.audits("invite.revoke"); len(got) != 2 || got[0].Target != invitee || !strings.Contains(got[0].Before, invitee) {
		t.Fatalf("audit %+v", got)
	}
	// A person who once accepted, then was deactivated and reactivated, is not revocable.
	tok = f.invite("back.again@example.com", "")
	_, err = f.svc.UseLink(f.ctx, "invite", tok, password)
	must(t, err)
	must(t, f.svc.Deactivate(f.ctx, f.owner, "back.again@example.com"))
	must(t, f.svc.Reactivate(f.ctx, f.owner, "back.again@example.com"))
	if out := f.svc.Revoke(f.ctx, f.owner, []string{"back.again@example.com"}); out[0].Err == nil {
		t.Fatal("revoked an activated user")
	}
}

// Reset links live an hour, work for invited users too (rescuing an expired
// invitation) and leave the password to the person.
func TestResetLinks(t *testing.T) {
	t.Run("an active user's reset lives one hour", func(t *testing.T) {
		f := newFixture(t)
		const ada = "ada.active@example.com"
		f.addUser(ada, "member", store.Active)
		must(t, f.svc.SendReset(f.ctx, f.owner, ada))
		kind, _, data := f.mail(ada)
		if kind != store.MailPasswordReset || !strings.HasPrefix(data.Path, "/reset/") {
			t.Fatalf("mail %s %s", kind, data.Path)
		}
		tok := f.token(ada)
		f.advance(time.Hour - time.Second)
		if _, err := f.svc.LinkInfo(f.ctx, "reset", tok); err != nil {
			t.Fatalf("59:59 after: %v", err)
		}
		f.advance(time.Second)
		if _, err := f.svc.UseLink(f.ctx, "reset", tok, password); !errors.Is(err, ErrLinkExpired) {
			t.Fatalf("an hour after: %v", err)
		}
		must(t, f.svc.SendReset(f.ctx, f.owner, ada))
		if _, err := f.svc.UseLink(f.ctx, "reset", f.token(ada), password); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Login(f.ctx, ada, password); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a reset rescues an expired invitation", func(t *testing.T) {
		f := newFixture(t)
		inviteTok := f.invite(invitee, "")
		f.advance(72 * time.Hour)
		if u := f.user(invitee); !u.Expired {
			t.Fatal("not expired")
		}
		// As the person would: "forgot password" on the login page.
		must(t, f.svc.ForgotPassword(f.ctx, invitee))
		tok := f.token(invitee)
		u, err := f.svc.UseLink(f.ctx, "reset", tok, password)
		must(t, err)
		if u.Status != store.Active || !u.ActivatedAt.Equal(f.now()) {
			t.Fatalf("status %s, activated %v", u.Status, u.ActivatedAt)
		}
		if _, err := f.svc.LinkInfo(f.ctx, "invite", inviteTok); err == nil {
			t.Fatal("the old invitation still works")
		}
		if got := f.audits("invite.accept"); len(got) != 1 || got[0].Channel != ChannelWeb {
			t.Fatalf("audit %+v", got)
		}
	})
	t.Run("an operator's reset for an invited user", func(t *testing.T) {
		f := newFixture(t)
		f.invite(invitee, "")
		f.advance(49 * time.Hour)
		must(t, f.svc.SendReset(f.ctx, f.owner, invitee))
		if _, err := f.svc.UseLink(f.ctx, "reset", f.token(invitee), password); err != nil {
			t.Fatal(err)
		}
		if got := f.user(invitee).Status; got != store.Active {
			t.Fatalf("status %s", got)
		}
	})
	t.Run("no reset for deactivated or staged users", func(t *testing.T) {
		f := newFixture(t)
		f.addUser("dan.deactivated@example.com", "member", store.Deactivated)
		f.addUser("sam.staged@example.com", "member", store.Staged)
		before := f.snapshot()
		for _, e := range []string{"dan.deactivated@example.com", "sam.staged@example.com"} {
			var se *StateError
			if err := f.svc.SendReset(f.ctx, f.owner, e); !errors.As(err, &se) {
				t.Fatalf("%s: %v", e, err)
			}
			must(t, f.svc.ForgotPassword(f.ctx, e)) // says nothing, sends nothing
		}
		must(t, f.svc.ForgotPassword(f.ctx, "nobody@example.com"))
		f.unchanged(before)
	})
	t.Run("a deactivated user's links die", func(t *testing.T) {
		f := newFixture(t)
		const ada = "ada.active@example.com"
		f.addUser(ada, "member", store.Active)
		must(t, f.svc.SendReset(f.ctx, f.owner, ada))
		tok := f.token(ada)
		must(t, f.svc.Deactivate(f.ctx, f.owner, ada))
		if _, err := f.svc.UseLink(f.ctx, "reset", tok, password); err == nil {
			t.Fatal("a deactivated user reset their password")
		}
	})
}

// Stuck invitations are a query: expired, or whose mail failed or is deferred.
func TestStuckInvitations(t *testing.T) {
	f := newFixture(t)
	f.invite("expired@example.com", "")
	f.advance(30 * time.Hour)
	for _, e := range []string{"failed@example.com", "deferred@example.com", "sent@example.com", "queued@example.com", "accepted@example.com"} {
		f.invite(e, "")
	}
	f.exec(`UPDATE outbox SET state = 'failed', last_error = '550 5.1.1 no such user' WHERE recipient = 'failed@example.com'`)
	f.exec(`UPDATE outbox SET state = 'deferred', last_error = '451 4.7.1 try later' WHERE recipient = 'deferred@example.com'`)
	f.exec(`UPDATE outbox SET state = 'sent' WHERE recipient = 'sent@example.com'`)
	_, err := f.svc.UseLink(f.ctx, "invite", f.token("accepted@example.com"), password)
	must(t, err)
	f.advance(20 * time.Hour) // the first invitation is now 50 hours old

	stuck, err := f.svc.Stuck(f.ctx, f.owner)
	must(t, err)
	var got []string
	for _, in := range stuck {
		got = append(got, in.Email)
		if !in.Stuck {
			t.Errorf("%s listed as stuck without the flag", in.Email)
		}
	}
	// Most urgent first: mail failed, expired, mail deferred.
	if want := "failed@example.com expired@example.com deferred@example.com"; strings.Join(got, " ") != want {
		t.Fatalf("stuck %v, want %s", got, want)
	}
	if stuck[0].MailError != "550 5.1.1 no such user" || !stuck[1].Expired {
		t.Fatalf("stuck %+v", stuck)
	}
	all, err := f.svc.Invitations(f.ctx, f.owner, false)
	must(t, err)
	if len(all) != 5 {
		t.Fatalf("%d pending invitations, want 5: %+v", len(all), all)
	}

	// Resending them unsticks them.
	outs, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: ResendInvitations, Stuck: true})
	must(t, err)
	if len(outs) != 3 {
		t.Fatalf("%d resent, want 3", len(outs))
	}
	for _, o := range outs {
		must(t, o.Err)
	}
	stuck, err = f.svc.Stuck(f.ctx, f.owner)
	must(t, err)
	if len(stuck) != 0 {
		t.Fatalf("still stuck after resending: %+v", stuck)
	}
}

// Staged users are created without mail; sending invites them.
func TestStagedThenSent(t *testing.T) {
	f := newFixture(t)
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "sam.staged@example.com"}}, InviteOptions{Staged: true})
	must(t, err)
	must(t, res[0].Err)
	if u := f.user("sam.staged@example.com"); u.Status != store.Staged {
		t.Fatalf("status %s", u.Status)
	}
	if n := f.count(`SELECT count(*) FROM outbox`) + f.count(`SELECT count(*) FROM tokens`); n != 0 {
		t.Fatal("a staged user got a link")
	}
	out := f.svc.SendStaged(f.ctx, f.owner, []string{"sam.staged@example.com", ownerEmail})
	must(t, out[0].Err)
	if out[1].Err == nil {
		t.Fatal("sent an invitation to an active user")
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", f.token("sam.staged@example.com"), password); err != nil {
		t.Fatal(err)
	}
}

// A password may hold spaces (a few words make a good one), but not be
// spaces alone, one character repeated, or hold characters its owner can
// neither see nor type again; each refusal says why and uses nothing. An
// accented password is the same password however the accent was typed:
// "é" as one character or as "e" and a combining accent.
func TestPasswordRules(t *testing.T) {
	f := newFixture(t)
	tok := f.invite(invitee, "")
	for _, c := range []struct{ password, why string }{
		{"          ", "is only spaces"},
		{"\u3000\u3000\u3000\u3000\u3000 \u3000\u3000\u3000\u3000", "is only spaces"},
		{"aaaaaaaaaaaa", "is one character repeated"},
		{"éééééééééééé", "is one character repeated"},
		{strings.Repeat("\u200b", 10), "holds a control, bidirectional or invisible character (U+200B)"},
		{"correct horse\u200b battery", "holds a control, bidirectional or invisible character (U+200B)"},
		{"line one\nline two", "holds a control, bidirectional or invisible character (U+000A)"},
		{"cafe\u0301 cour", "must be at least 10 characters long"}, // 10 as typed, 9 once é is one
	} {
		_, err := f.svc.UseLink(f.ctx, "invite", tok, c.password)
		var in *InputError
		if !errors.As(err, &in) || in.Field != "password" || in.Msg != c.why {
			t.Errorf("password %q: %v, want %q", c.password, err, c.why)
		}
	}
	if u := f.user(invitee); u.Status != store.Invited || u.PasswordHash != "" {
		t.Fatalf("a refused password changed the user: %s, %q", u.Status, u.PasswordHash)
	}
	const nfc, nfd = "Café crème brûlée", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e"
	for _, ok := range []string{"a few words with spaces", nfc} {
		if err := checkPassword(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, nfd); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{nfc, nfd} {
		if _, err := f.svc.Login(f.ctx, invitee, typed); err != nil {
			t.Errorf("login with %+q: %v", typed, err)
		}
	}
}

// A link another link made useless, once the person set a password with
// it, says the account is set up (sign in), not that a newer link was sent:
// the invitation after a reset asked for while invited, the reset after
// the invitation.
func TestLinkOfAnAccountSetUp(t *testing.T) {
	f := newFixture(t)
	for i, useInvite := range []bool{true, false} {
		email := fmt.Sprintf("p%d@example.com", i)
		invite := f.invite(email, "")
		must(t, f.svc.ForgotPassword(f.ctx, email))
		reset := f.token(email)
		used, other, otherKind := "reset", invite, "invite"
		if useInvite {
			used, other, otherKind = "invite", reset, "reset"
		}
		token := map[string]string{"invite": invite, "reset": reset}[used]
		if _, err := f.svc.UseLink(f.ctx, used, token, password); err != nil {
			t.Fatalf("%s: %v", used, err)
		}
		if _, err := f.svc.LinkInfo(f.ctx, otherKind, other); !errors.Is(err, ErrAccountReady) {
			t.Errorf("the %s link once the %s link set the password: %v, want %v", otherKind, used, err, ErrAccountReady)
		}
		if _, err := f.svc.UseLink(f.ctx, used, token, password); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("the %s link used again: %v, want %v", used, err, ErrLinkUsed)
		}
	}
}

// An invitation whose user holds work (a conversation, an automated reply,
// given before roster refused to give an invited person work) is not
// revoked: the refusal says what they hold and what to do, where the store's
// "FOREIGN KEY constraint failed" was said, and nothing changes.
func TestRevokeRefusedWhileTheUserHoldsWork(t *testing.T) {
	f := newFixture(t)
	f.invite(invitee, "")
	id := f.user(invitee).ID
	f.exec(`INSERT INTO conversations (subject, assignee_id, created_at) VALUES ('Invoice 12', ?, 0)`, id)
	f.exec(`INSERT INTO auto_replies (name, owner_id) VALUES ('Holidays', ?)`, id)
	before := f.snapshot()
	out := f.svc.Revoke(f.ctx, f.owner, []string{invitee})
	var se *StateError
	if !errors.As(out[0].Err, &se) || se.Error() != invitee+" holds 1 conversation, 1 automated reply: delete the user, naming who inherits them, rather than revoke the invitation" {
		t.Fatalf("revoke: %v, want the StateError saying what they hold", out[0].Err)
	}
	f.unchanged(before)
}
