package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"roster/store"
)

// Counts of one say so in the singular: the Delete screen and its outcome,
// the user's page, the Users summary, the resend note.
func TestCountsOfOne(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("hal.heir@example.com", "Hal", "Heir", "member", store.Active)
	if _, err := f.svc.AddConversation(f.ctx, f.op, "Broken phone", "ann.active@example.com"); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO auto_replies (name, owner_id) SELECT 'Out of office', id FROM users WHERE email = 'ann.active@example.com'`)
	f.exec(`UPDATE users SET login_count = 1 WHERE email = 'ann.active@example.com'`)
	s := f.session()

	d := newDelete(s)
	d.SetSize(120, 30)
	driveScreen(d, d.OpenUser("ann.active@example.com"))
	v := ansi.Strip(d.View())
	must(t, strings.Contains(v, "Open conversations: 1, 0 to close") && strings.Contains(v, "move 1 open conversation to the heir\n"),
		"the Delete screen:\n%s", v)
	d.form.fields[dHeir].input.SetValue("hal.heir@example.com")
	d.form.fields[dConfirm].input.SetValue("ann.active@example.com")
	driveScreen(d, d.preview())
	driveScreen(d, d.delete())
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'ann.active@example.com'`) == 0, "ann is deleted")
	// Deleted, nothing of hers is left to act on: the footer offers another
	// user, or back (it still offered space and A on her conversations).
	var keys []string
	for _, b := range d.ShortHelp() {
		keys = append(keys, b.Help().Key)
	}
	must(t, slices.Equal(keys, []string{"u", "esc"}), "the keys after deleting: %q", keys)
	must(t, d.note == "Deleted ann.active@example.com: moved 1 open conversation to hal.heir@example.com; automated reply “Out of office”: to hal.heir@example.com.", "note: %q", d.note)

	detail := newUserDetail(s, "hal.heir@example.com", false, nil)
	detail.SetSize(120, 30)
	detail.Update(detail.Init()())
	v = ansi.Strip(detail.View())
	must(t, strings.Contains(v, "1 conversation, 1 automated reply") && strings.Contains(v, "0 logins"), "Hal's page:\n%s", v)

	u := newFixture(t).usersScreen(20) // the owner alone
	driveScreen(u, u.Init())
	must(t, strings.HasPrefix(u.summaryLine(), "1 user · 1 active"), "summary: %q", u.summaryLine())
	must(t, u.s.plural(1000, "user", "users") == "1,000 users", "thousands: %q", u.s.plural(1000, "user", "users"))
}
