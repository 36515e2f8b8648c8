package admin

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"roster/store"
)

// Ago says how long ago t was, or how long until it comes, as people say
// it: "40 s ago", "12 min ago", "in 47 h", "in 3 days". It rounds down, so
// a link that lasts 47h59m more is not said to last 2 days; every screen
// and command says a time from now with it.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	s, _ := spanPart(d)
	if future {
		return "in " + s
	}
	return s + " ago"
}

// Span says a length of time as people write it: "30 min", "36 h",
// "2 days", "1 h 30 min". Unlike Ago it says the rest after the largest
// unit, so a link that lives 50 h is not said to live 2 days.
func Span(d time.Duration) string {
	s, rest := spanPart(d)
	for rest >= time.Second {
		var next string
		next, rest = spanPart(rest)
		s += " " + next
	}
	return s
}

// spanPart says d in its largest unit, rounded down, and returns what that
// leaves out. Days start at 48 h: "47 h" says more than "1 days".
func spanPart(d time.Duration) (string, time.Duration) {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", d/time.Second), d % time.Second
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute), d % time.Minute
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", d/time.Hour), d % time.Hour
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour)), d % (24 * time.Hour)
}

// ParseDate reads a date as operators type it: 2026-12-24, 2026-12-24 14:30,
// today, tomorrow, +7d, +2w, +3h, in now's location. A bare day means the
// start of that day: "until 2026-12-24" is the return date.
func ParseDate(s string, now time.Time) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	switch s {
	case "":
		return time.Time{}, inputErr("date", "is empty")
	case "now":
		return now, nil
	case "today", "aujourd'hui":
		return midnight(now), nil
	case "tomorrow", "demain":
		return midnight(now).AddDate(0, 0, 1), nil
	}
	if strings.HasPrefix(s, "+") && len(s) > 2 {
		n, err := strconv.Atoi(s[1 : len(s)-1])
		if err == nil && n > 0 && n <= 3650 {
			switch s[len(s)-1] {
			case 'h':
				return now.Add(time.Duration(n) * time.Hour), nil
			case 'd', 'j':
				return midnight(now).AddDate(0, 0, n), nil
			case 'w':
				return midnight(now).AddDate(0, 0, 7*n), nil
			}
		}
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, inputErr("date", fmt.Sprintf("%q: write 2026-12-24, 2026-12-24 14:30, today, tomorrow or +7d", s))
}

// StatusLabel is a user's status in words, derived states included:
// Active, Staged, Invited, Invitation expired, Away until …, Deactivated.
func StatusLabel(u *store.User) string {
	switch {
	case u.Status == store.Invited && u.Expired:
		return "Invitation expired"
	case u.Away && u.Status == store.Active:
		if u.AwayUntil.IsZero() {
			return "Away"
		}
		return "Away until " + u.AwayUntil.Local().Format("Jan 2")
	case u.Status == store.Staged:
		return "Staged"
	case u.Status == store.Invited:
		return "Invited"
	case u.Status == store.Deactivated:
		return "Deactivated"
	}
	return "Active"
}
