package admin

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"roster/internal/testdb"
	"roster/store"
)

// LinkLocale knows the person's language whatever state the link is in,
// and nothing of a link that matches nobody.
func TestLinkLocale(t *testing.T) {
	ctx := context.Background()
	path := migratedDSN(t)
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := &Service{st: st, Now: func() time.Time { return now }}
	if err := svc.Init(ctx, "Acme", "olive@acme.test", "Olive", "Owner", ChannelCLI); err != nil {
		t.Fatal(err)
	}
	owner := Actor{Email: "olive@acme.test", Channel: ChannelCLI}
	res, err := svc.Invite(ctx, owner, []NewUser{{Email: "eve@acme.test", Locale: "fr"}}, InviteOptions{})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	raw := testdb.OpenRaw(t, path)
	var data string
	if err := raw.QueryRow("SELECT data FROM outbox WHERE recipient = 'eve@acme.test'").Scan(&data); err != nil {
		t.Fatal(err)
	}
	var d store.MailData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(d.Path, "/invite/")

	if got := svc.LinkLocale(ctx, "invite", token); got != "fr" {
		t.Fatalf("valid link: locale %q, want fr", got)
	}
	now = now.Add(49 * time.Hour)
	if _, err := svc.LinkInfo(ctx, "invite", token); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("LinkInfo: %v, want expired", err)
	}
	if got := svc.LinkLocale(ctx, "invite", token); got != "fr" {
		t.Fatalf("expired link: locale %q, want fr", got)
	}
	for _, bad := range [][2]string{{"invite", "NOTATOKEN"}, {"reset", token}} {
		if got := svc.LinkLocale(ctx, bad[0], bad[1]); got != "" {
			t.Fatalf("LinkLocale(%s, %s) = %q, want nothing", bad[0], bad[1], got)
		}
	}
}

// A reset link that a newer one replaced, asked for by a person already
// active, is replaced: it said the account had been set up with another
// link since ("a password was chosen for your account since this link was
// sent"), which no one had done. So is one a deactivation ended, once the
// person is active again; a link the account's activation made useless
// still says it is set up.
func TestOlderResetLinkOfAnActivePersonIsReplaced(t *testing.T) {
	f := newFixture(t)
	const ada = "ada.active@example.com"
	f.addUser(ada, "member", store.Active)
	f.advance(24 * time.Hour)
	must(t, f.svc.ForgotPassword(f.ctx, ada))
	older := f.token(ada)
	f.advance(2 * time.Minute)
	must(t, f.svc.ForgotPassword(f.ctx, ada))
	if _, err := f.svc.LinkInfo(f.ctx, "reset", older); !errors.Is(err, ErrLinkReplaced) {
		t.Fatalf("the older of two resets: %v, want %v", err, ErrLinkReplaced)
	}
	newer := f.token(ada)
	must(t, f.svc.Deactivate(f.ctx, f.owner, ada))
	must(t, f.svc.Reactivate(f.ctx, f.owner, ada))
	if _, err := f.svc.UseLink(f.ctx, "reset", newer, password); !errors.Is(err, ErrLinkReplaced) {
		t.Fatalf("a reset ended by a deactivation, once active again: %v, want %v", err, ErrLinkReplaced)
	}

	f.invite(invitee, "")
	must(t, f.svc.ForgotPassword(f.ctx, invitee))
	reset := f.token(invitee)
	f.advance(time.Minute)
	must(t, f.svc.ForgotPassword(f.ctx, invitee))
	if _, err := f.svc.UseLink(f.ctx, "reset", f.token(invitee), password); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LinkInfo(f.ctx, "reset", reset); !errors.Is(err, ErrAccountReady) {
		t.Fatalf("a reset asked for while invited, once another set the password: %v, want %v", err, ErrAccountReady)
	}
}

// A link's token is known whatever the case it comes back in (base32 of
// capitals, lowercased by a link rewriter or typed from a phone): it was
// "not valid".
func TestLinkTokenAnyCase(t *testing.T) {
	f := newFixture(t)
	tok := strings.ToLower(f.invite(invitee, ""))
	if _, err := f.svc.LinkInfo(f.ctx, "invite", tok); err != nil {
		t.Fatalf("LinkInfo of the lowercased token: %v", err)
	}
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); err != nil {
		t.Fatalf("UseLink of the lowercased token: %v", err)
	}
	if u := f.user(invitee); u.Status != store.Active {
		t.Fatalf("%s is %s", invitee, u.Status)
	}
}
