package admin

import (
	"strconv"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// Ago says how long ago t was, or how long until it comes, in English:
// "40 s ago", "in 47 h" (i18n's Printer.Ago says it in any language).
func Ago(now, t time.Time) string { return i18n.For(i18n.English).Ago(now, t) }

// Span says a length of time in English: "30 min", "2 days 2 h".
func Span(d time.Duration) string { return i18n.For(i18n.English).Span(d) }

// ParseDate reads a date as operators type it: 2026-12-24, 2026-12-24 14:30,
// 24/12/2026, now, today, yesterday, tomorrow, +7d, +2w, +3h, and the same
// words in French (maintenant, aujourd'hui, hier, demain, +7j, +2s), in
// now's location. A bare day means the
// start of that day: "until 2026-12-24" is the return date.
func ParseDate(s string, now time.Time) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	switch s {
	case "":
		return time.Time{}, inputErr("date", "is empty")
	case "now", "maintenant":
		return now, nil
	case "today", "aujourd'hui", "aujourd’hui":
		return midnight(now), nil
	case "yesterday", "hier":
		return midnight(now).AddDate(0, 0, -1), nil
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
			case 'w', 's':
				return midnight(now).AddDate(0, 0, 7*n), nil
			}
		}
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, inputErr("date", "%q: write 2026-12-24, 2026-12-24 14:30, today, tomorrow or +7d", s)
}

// Status is a user's status in words, derived states included: Active,
// Staged, Invited, Invitation expired, Away until …, Deactivated; said in
// the operator's language by whoever shows it (the command line, the
// screens), the return date as that language writes a day.
func Status(u *store.User) i18n.Text {
	switch {
	case u.Status == store.Invited && u.Expired:
		return i18n.Msg("Invitation expired")
	case u.Away && u.Status == store.Active:
		// Not "Away": the dashboard's tab has that key, in another sense.
		if u.AwayUntil.IsZero() {
			return i18n.Msg("Away until further notice")
		}
		return i18n.Msg("Away until %s", i18n.Day(u.AwayUntil.Local()))
	case u.Status == store.Staged:
		return i18n.Msg("Staged")
	case u.Status == store.Invited:
		return i18n.Msg("Invited")
	case u.Status == store.Deactivated:
		return i18n.Msg("Deactivated")
	}
	return i18n.Msg("Active")
}
