package tui

import (
	"fmt"
	"testing"
	"time"

	"roster/i18n"
	"roster/store"
)

// BenchmarkUsersLine measures drawing one row of the Users list (done as a
// page lands, for each of its rows) in each language: French looks its
// words up in the catalogues, English does not. Compare the two in one run.
func BenchmarkUsersLine(b *testing.B) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var rows []*store.User
	for i := range 100 {
		u := &store.User{ID: int64(i + 1), Email: fmt.Sprintf("user%04d@example.com", i), FirstName: "User", LastName: "Test",
			Role: []string{"owner", "admin", "manager", "member"}[i%4], Status: store.Active, Teams: []string{"Support"}}
		switch i % 5 {
		case 1:
			u.Away, u.AwayUntil = true, now.AddDate(0, 0, 14)
		case 2:
			u.Status = store.Invited
		case 3:
			u.Status = store.Deactivated
		case 4:
			u.LastLoginAt = now
		}
		rows = append(rows, u)
	}
	for _, lang := range i18n.Langs {
		b.Run(string(lang), func(b *testing.B) {
			m := newUsers(&session{styles: DefaultStyles(true), p: i18n.For(lang)})
			m.SetSize(160, 40)
			b.ResetTimer()
			for i := range b.N {
				_ = m.line(rows[i%len(rows)])
			}
		})
	}
}
