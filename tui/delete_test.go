package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// Delete in seed 004's steps: space ticks a conversation to close, the
// preview says what the act will do, the heir is chosen, the user's email
// confirms, and the act closes and hands on what the preview said.
func TestDeleteClosesThenTransfers(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {130, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t)
			f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
			f.addUser("hal.heir@example.com", "Hal", "Heir", "member", store.Active)
			for _, s := range []string{"Broken phone", "Invoice"} {
				if _, err := f.svc.AddConversation(f.ctx, f.op, s, "ann.active@example.com"); err != nil {
					t.Fatal(err)
				}
			}
			f.exec(`INSERT INTO auto_replies (name, owner_id) SELECT 'Out of office', id FROM users WHERE email = 'ann.active@example.com'`)
			tt := f.runAt(owner, size[0], size[1])
			tt.wait("Ann Active")
			tt.typ("d")
			tt.wait("Delete Ann Active", "Open conversations: 2, 0 to close", "Broken phone", "move 2 open conversations to the heir")
			tt.press("space") // Broken phone
			tt.wait("[x] #1", "close 1 of 2 open conversations", "move 1 open conversation to the heir")
			tt.press("down", "down", "space") // the automated reply: switched off
			tt.wait("switch off", "“Out of office”: switched off")
			tt.press("ctrl+s") // no heir yet
			tt.wait("is required")
			tt.press("enter")
			tt.typ("hal")
			tt.wait("› hal")
			tt.press("enter")
			tt.wait("move 1 open conversation to hal.heir@example.com")
			tt.typ("someone@else")
			tt.press("enter")
			tt.wait("type ann.active@example.com to confirm")
			must(t, f.count(`SELECT count(*) FROM users WHERE email = 'ann.active@example.com'`) == 1, "no deletion without the confirmation")
			tt.press("ctrl+u")
			tt.typ("ann.active@example.com")
			tt.press("enter")
			tt.wait("Deleted ann.active@example.com")
			must(t, f.count(`SELECT count(*) FROM users WHERE email = 'ann.active@example.com'`) == 0, "ann deleted")
			hal := f.user("hal.heir@example.com").ID
			must(t, f.count(`SELECT count(*) FROM conversations WHERE subject = 'Broken phone' AND status = 'closed' AND assignee_id = ?`, hal) == 1 &&
				f.count(`SELECT count(*) FROM conversations WHERE subject = 'Invoice' AND status = 'open' AND assignee_id = ?`, hal) == 1,
				"Broken phone closed, Invoice open, both hal's")
			must(t, f.count(`SELECT count(*) FROM auto_replies WHERE enabled = 0`) == 1, "the reply is switched off")
		})
	}
}

// A selects every open conversation, however many, without listing them;
// with nothing left the heir is not needed; a conversation opened after
// the preview refuses the act, which then shows the new plan.
func TestDeleteAllAndChangedPlan(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	for i := range 30 {
		if _, err := f.svc.AddConversation(f.ctx, f.op, fmt.Sprintf("Ticket %d", i), "ann.active@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	tt := f.runAt(owner, 80, 24)
	tt.wait("Ann Active")
	tt.typ("d")
	tt.wait("Open conversations: 30, 0 to close", "Ticket 0")
	tt.press("pgdown")
	tt.wait("page 2", "Ticket")
	tt.typ("A")
	tt.wait("close 30 of 30 open conversations", "no heir needed")
	tt.press("enter") // no heir needed: enter goes to Confirm
	tt.typ("ann.active@example.com")
	tt.wait("▸ Confirm  ann.active@example.com")
	if _, err := f.svc.AddConversation(f.ctx, f.op, "Late one", "ann.active@example.com"); err != nil {
		t.Fatal(err)
	}
	tt.press("ctrl+s")
	tt.wait("changed since the preview", "close 31 of 31 open conversations")
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'ann.active@example.com'`) == 1, "the changed plan refused the act")
	tt.press("ctrl+s")
	tt.wait("Deleted ann.active@example.com")
	must(t, f.count(`SELECT count(*) FROM conversations WHERE status = 'open' OR assignee_id IS NOT NULL`) == 0, "all closed, nobody's")
}

// The Delete screen says the plan in the session's language: in French
// none of its lines is left in English.
func TestDeletePlanLinesInBothLanguages(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	plans := []*admin.DeletePlan{
		{Heir: "hal@example.com", NeedsHeir: true, Open: 4, Closed: 2, Moved: 2, Done: 3,
			Replies: []admin.ReplyPlan{{Name: "Absence", Fate: admin.ReplyToHeir}, {Name: "Accusé", Fate: admin.ReplySwitchedOff},
				{Name: "Old", Fate: admin.ReplyOff}},
			StandIns: []admin.StandInDuty{{Away: "bea@example.com", Start: at, End: at.Add(48 * time.Hour)}, {Away: "cy@example.com", Start: at}},
			SSHKeys:  1, APIKeys: 2, SeatPaidUntil: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{NeedsHeir: true, Open: 1, Moved: 1, Done: 2, Replies: []admin.ReplyPlan{{Name: "Absence", Fate: admin.ReplyToHeir}, {Name: "Accusé", Fate: admin.ReplySwitchedOff}},
			StandIns: []admin.StandInDuty{{Away: "bea@example.com", Start: at}}},
		{Open: 30, Closed: 30, Done: 30, APIKeys: 1},
	}
	fr := i18n.For(i18n.French)
	for _, p := range plans {
		for _, l := range planLines(fr, p, false) {
			for _, w := range []string{"conversation go", "stays", "automated", "kept by", "stand-in", "revoke", "seat", "heir", " of "} {
				must(t, !strings.Contains(l, w), "%q is left in English in the French %q", w, l)
			}
		}
	}
	must(t, slices.Contains(planLines(fr, plans[0], false), "révoquer 1 clé SSH et 2 clés d'API"), "French keys: %q", planLines(fr, plans[0], false))
}

// q on a removal under way (a conversation ticked, an heir or the
// confirmation typed) asks before quitting, as over a form: it quit at
// once, the choices lost; with nothing chosen it quits.
func TestDeleteQuitAsksOverChoicesMade(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	if _, err := f.svc.AddConversation(f.ctx, f.op, "Broken phone", "ann.active@example.com"); err != nil {
		t.Fatal(err)
	}
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = drive(m, r.open(openRequest{deleteScreen, "ann.active@example.com"}))
	_, cmd := m.Update(keyMsg("q"))
	must(t, cmd != nil && !r.confirmQuit, "q with nothing chosen did not quit")
	m = press(m, "space")
	must(t, !r.screens[deleteScreen].(*deletion).close.Empty(), "space ticked no conversation:\n%s", ansi.Strip(r.frame()))
	_, cmd = m.Update(keyMsg("q"))
	must(t, cmd == nil && r.confirmQuit, "q over a ticked conversation quit without asking")
}
