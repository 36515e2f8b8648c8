package tui

import (
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
