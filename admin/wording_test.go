package admin

import (
	"strings"
	"testing"
	"time"

	"roster/store"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now.Add(-40 * time.Second), "40 s ago"},
		{now.Add(-12 * time.Minute), "12 min ago"},
		{now.Add(47*time.Hour + 59*time.Minute), "in 47 h"},
		{now.Add(48 * time.Hour), "in 2 days"},
		{now.Add(-9 * 24 * time.Hour), "9 days ago"},
	} {
		if got := Ago(now, c.t); got != c.want {
			t.Errorf("Ago(now, now%+v) = %q, want %q", c.t.Sub(now), got, c.want)
		}
	}
}

// A length of time reads as people write it, whole: a lifetime of 50 h is
// not said to be 2 days.
func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:              "30 s",
		30 * time.Minute:              "30 min",
		time.Hour:                     "1 h",
		90 * time.Minute:              "1 h 30 min",
		36 * time.Hour:                "36 h",
		48 * time.Hour:                "2 days",
		50*time.Hour + 10*time.Second: "2 days 2 h 10 s",
		30 * 24 * time.Hour:           "30 days",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
}

// A refusal names roles with the right article: "an admin", "a manager".
func TestRefusalsArticles(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.manager@example.com", "manager", store.Active)
	f.addUser("ada.admin@example.com", "admin", store.Active)
	for _, c := range []struct {
		name string
		op   string
		do   func(op Actor) error
		want string
	}{
		{"manager edits an admin", "mia.manager@example.com", func(op Actor) error {
			_, err := f.svc.Edit(f.ctx, op, "ada.admin@example.com", 0, Profile{Position: ptr("Intern")})
			return err
		}, "a manager cannot edit an admin"},
		{"admin makes an owner", "ada.admin@example.com", func(op Actor) error {
			_, err := f.svc.SetPermissions(f.ctx, op, "mia.manager@example.com", 0, PermChange{Role: "owner"})
			return err
		}, "only an owner can make an owner"},
		{"manager makes an admin", "mia.manager@example.com", func(op Actor) error {
			res, err := f.svc.Invite(f.ctx, op, []NewUser{{Email: "new.admin@example.com", Role: "admin"}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, "a manager cannot give the admin role"},
	} {
		err := c.do(as(c.op))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "a admin") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
