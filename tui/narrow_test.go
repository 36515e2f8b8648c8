package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/store"
)

// At 80x24 every screen shows what matters whole: the date on Users, the
// emails on Pending, the action on Audit, the Saved line and "enter review
// and save" on Permissions, the form and its keys on Away and Delete, and
// Away's Saved sentence and a period's stand-in and note, the plan and the
// ledger's amounts on Billing, and every tab.
func TestScreensAtEightyByTwentyFour(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	f.addUser("bartholomew.longname@example.com", "Bartholomew", "Longname-Smythe", "member", store.Active)
	f.exec(`UPDATE users SET last_login_at = ? WHERE email = ?`, f.svc.Now().Add(-90*60e9).Unix(), "mia.member@example.com")
	f.invite("genevieve.delacroix@example.com")
	f.plan(1500)
	must(t, f.svc.SendReset(f.ctx, f.op, "mia.member@example.com") == nil, "reset") // the longest action

	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = drive(m, m.Init())
	r := m.(*Model)
	frame := func() string { return ansi.Strip(r.frame()) }
	show := func(what string, wants ...string) {
		t.Helper()
		fr := frame()
		for _, w := range wants {
			must(t, strings.Contains(fr, w), "%s at 80x24: %q is not shown whole:\n%s", what, w, fr)
		}
		for i, l := range strings.Split(fr, "\n") {
			must(t, ansi.StringWidth(l) <= 80, "%s: line %d is %d wide:\n%s", what, i, ansi.StringWidth(l), fr)
		}
		must(t, strings.Count(fr, "\n") < 24, "%s: %d lines", what, strings.Count(fr, "\n")+1)
	}
	to := func(id screenID, email string) { m = drive(m, r.open(openRequest{id, email})) }

	show("Users", r.s.when(f.svc.Now().Add(-90*60e9)), "mia.member@example.com", "8 Audit 9 Billing")

	to(pendingScreen, "")
	show("Pending", "genevieve.delacroix@example.com")

	to(auditScreen, "")
	var action string
	must(t, f.raw.QueryRow(`SELECT action FROM audit ORDER BY id DESC LIMIT 1`).Scan(&action) == nil, "no audit entry")
	show("Audit", " "+action+" ")

	to(permsScreen, "mia.member@example.com")
	show("Permissions", "enter review and save")
	for _, k := range []string{"space", "enter", "enter"} {
		m = drive(m, func() tea.Msg { return keyMsg(k) })
	}
	show("Permissions after saving", "Saved: mia.member@example.com is member; added ")

	to(awayScreen, "mia.member@example.com")
	show("Away", "Stand-in", "Note", "enter fill in the form", "ctrl+s save")
	// Saved: the whole sentence, wrapped, and the period with its stand-in.
	aw := r.screens[awayScreen].(*away)
	aw.form.fields[aUntil].set("+14d")
	aw.form.fields[aStandIn].set("bartholomew.longname@example.com")
	aw.form.fields[aNote].set("ask Bartholomew for the Lyon file")
	m = drive(m, func() tea.Msg { return keyMsg("ctrl+s") })
	until, _ := parseWhen("+14d", f.svc.Now())
	show("Away after saving", "    stand-in bartholomew.longname@example.com: ask Bartholomew for the Lyon file")
	saved := "Saved: mia.member@example.com is away from " + r.s.when(f.svc.Now()) + " until " + r.s.when(until) +
		", stand-in bartholomew.longname@example.com: ask Bartholomew for the Lyon file."
	must(t, strings.Contains(strings.Join(strings.Fields(frame()), " "), saved), "Away: %q is not shown whole:\n%s", saved, frame())

	to(deleteScreen, "mia.member@example.com")
	show("Delete", "Heir", "[ Transfer and delete ] ctrl+s", "the audit trail stays.", "their seat stays paid until 2026-04-01, with no credit",
		"no heir needed")

	// Billing: the plan, the seats, what the cycle costs, and a ledger row
	// with its amount.
	to(billingScreen, "")
	show("Billing", "€15.00 a seat", "Seats in use   3", "Next renewal   €45.00 on 2026-04-01", "seat started", "€14.31")

	// Mail: the recipient, the channel and the state whole, and when it was
	// queued.
	to(mailScreen, "")
	show("Mail", "genevieve.delacroix@example.com", " email ", " queued ", " "+r.s.when(f.svc.Now())+" ")
	// Captured mail: the recipient whole, when it came, and the subject as fits.
	f.capture("bartholomew.longname@example.com", "Your invitation to join Acme & Fils", "Hello")
	m = drive(m, func() tea.Msg { return keyMsg("c") })
	show("Captured mail", "bartholomew.longname@example.com", " "+r.s.when(f.svc.Now())+" ", " Your invitation")
}
