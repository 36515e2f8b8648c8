package tui

import (
	"testing"
	"time"
)

// f on Audit opens a form that filters by a part of a name or address, by
// action and by date; keys typed with it act on the filtered entries, and a
// date that cannot be read is shown on its field and changes nothing.
func TestAuditFilterForm(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com", "bob@example.com")
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Olive")
	tt.write("8f\tann\tuser.invite\r\r")
	tt.wait("Change ", "user.invite", "To whom   ann@example.com")
	tt.write("\x1bf\t\t\tlast tuesday\r")
	tt.wait("✗ Date \"last tuesday\"")
	tt.write("\x1b")
	tt.wait("search ann · action user.invite")
	tt.write("f\t\t\ttomorrow\r")
	tt.wait("since tomorrow", "Nothing recorded.")
	stop()
	a := r.screens[auditScreen].(*auditView)
	day := time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, time.UTC)
	must(t, a.filter.Search == "ann" && a.filter.Action == "user.invite" && a.filter.Since.Equal(day),
		"the filter applied: %+v", a.filter)
	must(t, len(a.list.rows) == 0, "since tomorrow lists %d entries", len(a.list.rows))
}
