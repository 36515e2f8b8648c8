package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
)

// What an action did is effect as the operator reads it: a rate limit only
// until it passes, and an error that starts with an address keeps the
// address as stored.
func TestWordsOnScreens(t *testing.T) {
	now := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	en := i18n.For(i18n.English)
	rl := outcome(en, &admin.RateLimitError{Email: "bruno@acme.test", Next: now.Add(32 * time.Minute)}, "resent")
	for _, c := range []struct {
		o    effect
		at   time.Time
		want string
	}{
		{outcome(en, nil, "resent"), now.Add(time.Hour), "resent"},
		{rl, now, "rate-limited until " + en.DateTime(now.Add(32*time.Minute).Local())},
		{rl, now.Add(32 * time.Minute), ""},
		{outcome(en, errors.New("boom"), "resent"), now.Add(time.Hour), "failed: boom"},
	} {
		if got := c.o.at(c.at); got != c.want {
			t.Errorf("%+v at %s: %q, want %q", c.o, c.at, got, c.want)
		}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{&admin.StateError{Msg: "bruno@acme.test is already deactivated"}, "bruno@acme.test is already deactivated"},
		{&admin.StateError{Msg: "élise is away"}, "Élise is away"},
		{&admin.InputError{Field: "phone", Msg: "is empty"}, "Phone is empty"},
	} {
		if got := newFixture(t).session().explain(c.err); got != c.want {
			t.Errorf("explain(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// On Pending, "rate-limited until …" goes from the row once that time has
// passed.
func TestPendingRateLimitPasses(t *testing.T) {
	f := newFixture(t)
	f.invite("ivy@example.com")
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	driveScreen(m, m.act(pendingBatch{act: admin.ResendInvitations}, "resend invitations"))
	must(t, strings.Contains(ansi.Strip(m.View()), "→ rate-limited until "), "a resend at once is not rate-limited:\n%s", m.View())
	f.advance(24 * time.Hour)
	must(t, !strings.Contains(ansi.Strip(m.View()), "→ rate-limited until "), "a day later the row still says:\n%s", m.View())
}

// The session's own sentences (a conflict, a timeout, a rate limit, a
// failure) are said in its language; an error with words of its own says
// them through i18n.Error.
func TestWordsInFrench(t *testing.T) {
	s := newFixture(t).session()
	s.p = i18n.For(i18n.French)
	at := time.Date(2026, 3, 2, 14, 5, 9, 0, time.Local)
	for _, c := range []struct {
		got, want string
	}{
		{s.explain(&admin.ConflictError{Email: "bruno@acme.test", By: "olive@acme.test", At: at}),
			"bruno@acme.test a été modifié par olive@acme.test à 14:05:09 depuis que vous l'avez ouvert. Appuyez sur ctrl+r pour le recharger."},
		{s.explain(&admin.ConflictError{Email: "bruno@acme.test", Plan: true}),
			"Ce que ferait la suppression de bruno@acme.test a changé depuis l'aperçu : vérifiez-le de nouveau."},
		{s.explain(context.DeadlineExceeded), "La base de données n'a pas répondu à temps : elle est peut-être occupée. Réessayez."},
		{s.explain(context.Canceled), "Annulé."},
		{s.explain(&i18n.UnknownError{Asked: "de"}), `Langue "de" : fr ou en attendu`},
		{outcome(s.p, &admin.RateLimitError{Next: at}, "renvoyée").text, "limité jusqu'au 2 mars 2026 14:05"},
		{outcome(s.p, errors.New("boom"), "renvoyée").text, "échec : boom"},
		{s.when(time.Time{}), "jamais"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
