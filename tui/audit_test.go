package tui

import (
	"testing"
	"time"

	"roster/admin"
	"roster/i18n"
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
	tt.write("f\t\ts\r") // user.invites
	tt.wait(`✗ Action "user.invites" is not an action (want one of user.deactivate, user.delete`)
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

// Every action admin records has a label in French (actionLabel): those
// of admin.AuditActions, which admin's TestAuditActionsListed keeps whole.
func TestAuditActionsHaveFrenchLabels(t *testing.T) {
	fr := i18n.For(i18n.French)
	for _, a := range admin.AuditActions {
		if actionLabel(fr, a) == a {
			t.Errorf("the audit action %s has no French label", a)
		}
	}
}

// A change written by someone else while the operator reads the Audit
// screen (newest first) puts its entry on top and pushes the others down:
// the cursor stays on the entry it was on, and enter typed while the list
// is read again opens that entry, not the one that slid under the cursor.
// The pager is Mail's, the captured mail's and the ledger's too.
func TestAuditCursorStaysOnItsEntryWhenOneIsAdded(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com", "bob@example.com", "cy@example.com")
	r, m := f.start()
	m = press(m, "8", "j", "j")
	a := r.screens[auditScreen].(*auditView)
	was, ok := a.list.current()
	must(t, ok && a.list.nav.cur == 2, "the cursor is on row %d", a.list.nav.cur)

	f.invite("dee@example.com") // another operator's act: its entry comes first
	m, reread := m.Update(refreshMsg{})
	m, _ = m.Update(keyMsg("enter")) // typed while the entries are read again
	drive(m, reread)
	must(t, a.open != nil, "enter opened nothing")
	must(t, a.open.ID == was.ID, "enter opened entry %d (%s %s), want %d (%s %s), the one under the cursor",
		a.open.ID, a.open.Action, a.open.Target, was.ID, was.Action, was.Target)
}
