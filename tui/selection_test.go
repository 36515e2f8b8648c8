package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// Users picked with space stay picked across pages and a search; m then
// changes their role after asking with the count.
func TestUsersSelectionAcrossPagesAndSearch(t *testing.T) {
	f := newFixture(t)
	f.addMany(250)
	tt := f.run(owner)
	tt.wait("User0000 Test")
	tt.press("down", "space") // User0000, below the owner (Olive Owner)
	tt.wait("1 user selected")
	tt.press("space") // User0001
	tt.wait("2 users selected")
	tt.typ("G") // the last page
	tt.wait("User0249 Test")
	tt.press("space") // User0249, the last
	tt.wait("3 users selected")
	tt.typ("/user0123")
	tt.press("enter")
	tt.wait("User0123 Test", "3 users selected")
	tt.press("space")
	tt.wait("4 users selected")
	tt.press("esc") // the search goes, the selection stays
	tt.wait("User0000 Test", "4 users selected")
	tt.typ("m")
	tt.wait("Act on 4 users: ← change role → (1 of 9)")
	tt.typ("1")
	tt.wait("Change role: 1 [owner] · 2 admin · 3 manager · 4 member")
	tt.typ("3")
	tt.wait("Change the role of 4 users to manager? y/n")
	tt.typ("y")
	tt.wait("4 of 4 made manager.")
	var managers []string
	for _, e := range []string{"user0000", "user0001", "user0249", "user0123", "user0002"} {
		if f.user(e+"@example.com").Role == "manager" {
			managers = append(managers, e)
		}
	}
	must(t, slices.Equal(managers, []string{"user0000", "user0001", "user0249", "user0123"}), "managers: %v", managers)
	n := f.count(`SELECT count(*) FROM audit WHERE action = 'user.perms' AND channel = 'tui'`)
	must(t, n == 4, "%d user.perms audit rows, want 4", n)
}

// A selects every user the filter keeps, counted by the store, less those
// space then leaves out; the outcome lists the refused first.
func TestUsersSelectAllAddsToTeam(t *testing.T) {
	f := newFixture(t)
	f.addMany(120)
	must(t, f.svc.AddTeam(f.ctx, f.op, "Support") == nil, "add team")
	_, err := f.svc.Edit(f.ctx, f.op, "user0005@example.com", 0, admin.Profile{AddTeams: []string{"Support"}})
	must(t, err == nil, "edit: %v", err)
	f.addUser("ada.admin@example.com", "Ada", "Admin", "admin", store.Active)
	// An admin acts; the owner is above them.
	tt := f.run("ada.admin@example.com")
	tt.wait("User0000 Test")
	tt.typ("f") // staged
	tt.typ("f") // invited
	tt.typ("f") // active
	tt.wait("status active")
	tt.typ("A")
	tt.wait("122 users selected: every one matching status active")
	tt.press("down", "down", "space") // leaves User0000 out, below Ada and Olive
	tt.wait("121 users selected: every one matching status active but 1")
	tt.typ("m")
	tt.typ("2")
	tt.wait("Add to team: 1 [Support]")
	tt.press("enter")
	tt.wait("Add 121 users to Support? y/n")
	tt.typ("y")
	// user0005 is in Support already: unchanged, which is no failure.
	tt.wait("1 failed, 119 of 121 added to Support, 1 unchanged.", "olive.owner@example.com: failed: permission denied: only an owner can edit an owner")
	last := tt.last()
	must(t, strings.Contains(last, "olive.owner@example.com: failed") && !strings.Contains(last, "user0005@example.com: failed"),
		"the failure is not listed, or user0005 is:\n%s", last)
	n := f.count(`SELECT count(*) FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE t.name = 'Support'`)
	must(t, n == 120, "%d in Support, want 120 (119 added and user0005)", n)
	must(t, !slices.Contains(f.user("user0000@example.com").Teams, "Support"), "user0000 was left out, yet added")
}

// The selection joins a branch, and leaves it, as it does a team; the
// users' teams stay.
func TestUsersSelectionBranch(t *testing.T) {
	f := newFixture(t)
	f.addMany(5)
	for _, b := range []string{"Lyon", "Paris"} {
		must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: b}) == nil, "add branch %s", b)
	}
	tt := f.run(owner)
	tt.wait("User0000 Test")
	tt.press("down", "space", "space") // User0000 and User0001
	tt.wait("2 users selected")
	tt.typ("m")
	tt.typ("4")
	tt.wait("Add to branch: 1 [Lyon] · 2 Paris")
	tt.typ("2")
	tt.wait("Add 2 users to the branch Paris? y/n")
	tt.typ("y")
	tt.wait("2 of 2 added to the branch Paris.")
	for _, e := range []string{"user0000", "user0001"} {
		must(t, slices.Equal(f.user(e+"@example.com").Branches, []string{"Paris"}), "%s is at %v", e, f.user(e+"@example.com").Branches)
	}
	must(t, len(f.user("user0002@example.com").Branches) == 0, "user0002, not selected, joined")
	tt.press("space") // the cursor is on User0002 after the two
	tt.typ("m")
	tt.typ("5")
	tt.wait("Remove from branch: 1 [Lyon] · 2 Paris")
	tt.typ("2")
	tt.wait("Remove 1 user from the branch Paris? y/n")
	tt.typ("y")
	tt.wait("0 of 1 removed from the branch Paris, 1 unchanged.")
}

// A bulk act's failures say each address once; its summary stays said
// while they are listed, esc or not; the next act puts them away.
func TestUsersActFailuresAndSummary(t *testing.T) {
	f := newFixture(t)
	f.addUser("raphael@example.com", "Raphael", "R", "member", store.Active)
	f.invite("ivy@example.com")
	f.advance(time.Hour) // past the rate limit of a resend
	m := started(f, i18n.English, 130, 30)
	m = press(m, "A", "m", "8")
	if !strings.Contains(drawn(m), "y/n") {
		m = press(m, "enter")
	}
	must(t, strings.Contains(drawn(m), "y/n"), "the act does not ask:\n%s", drawn(m))
	m = press(m, "y")
	fr := drawn(m)
	must(t, strings.Contains(fr, "raphael@example.com: failed: is active, not invited"), "the failure is not listed once:\n%s", fr)
	must(t, !strings.Contains(fr, "raphael@example.com: failed: raphael@example.com"), "the failure repeats the address:\n%s", fr)
	summary := "2 failed, 1 of 3"
	must(t, strings.Contains(fr, summary), "no summary:\n%s", fr)
	m = press(m, "esc")
	fr = drawn(m)
	must(t, strings.Contains(fr, "raphael@example.com: failed") && strings.Contains(fr, summary), "after esc, the failures without their summary:\n%s", fr)
	m = press(m, "m")
	fr = drawn(m)
	must(t, !strings.Contains(fr, "raphael@example.com: failed") && !strings.Contains(fr, summary), "the next act shows the last one's failures:\n%s", fr)
}

// m 6 y j m 6 y written at once deactivates the user under the cursor,
// then the next one, as typed one at a time: the second m waits for the
// first act (one row, over at once) rather than be refused as an act under
// way, which left its 6 to open the Delete screen.
func TestUsersActOnOneRowTwiceInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("▸ Ann Active")
	tt.write("m6yjm6y")
	eventually(t, "ann and bob deactivated", func() bool {
		return f.user("bob.backup@example.com").Status == store.Deactivated
	})
	tt.wait("1 of 1 deactivated.")
	stop()
	must(t, r.active == usersScreen, "the screen is %d, want Users", r.active)
	must(t, f.user("ann.active@example.com").Status == store.Deactivated, "ann is %s", f.user("ann.active@example.com").Status)
}
