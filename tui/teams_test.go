package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// From Users, T lists the teams with their members; n adds one, r renames
// the one under the cursor, x removes it after asking, saying that its
// members stay. A bad name is refused, said, and changes nothing.
func TestTeamsFromTheDashboard(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
		t.Fatal(err)
	}
	u := f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.exec(`INSERT INTO user_teams (user_id, team_id) SELECT ?, id FROM teams WHERE name = 'Support'`, u.ID)
	r, m := f.start()
	view := func() string { return ansi.Strip(r.View().Content) }
	m = press(m, "T")
	must(t, strings.Contains(view(), "Support") && strings.Contains(view(), "1 member"), "the teams:\n%s", view())

	m = press(m, "n", "N", "i", "g", "h", "t", "space", "s", "h", "i", "f", "t", "2", "enter")
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Night shift2'`) == 1, "n did not add the team:\n%s", view())
	must(t, strings.Contains(view(), "Team Night shift2 added."), "the outcome:\n%s", view())

	m = press(m, "r", "backspace", "space", "L", "y", "o", "n", "enter") // the cursor stayed on the team added
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Night shift Lyon'`) == 1, "r did not rename it:\n%s", view())
	must(t, f.count(`SELECT count(*) FROM audit WHERE action = 'team.rename'`) == 1, "the rename is not audited")

	m = press(m, "n", "a", ",", "b", "enter")
	must(t, strings.Contains(view(), "no comma or colon") && f.count(`SELECT count(*) FROM teams`) == 2,
		"a bad name:\n%s", view())
	m = press(m, "esc", "G", "x") // Support, last by name
	must(t, strings.Contains(view(), "Remove team Support? Its 1 member stays, without it. y/n"), "x asks:\n%s", view())
	m = press(m, "n")
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Support'`) == 1, "n removed the team")
	m = press(m, "g", "x")
	must(t, strings.Contains(view(), "Remove team Night shift Lyon? It has no members. y/n"), "x asks:\n%s", view())
	m = press(m, "y")
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Night shift Lyon'`) == 0, "y did not remove the team:\n%s", view())
	must(t, f.user("ann.active@example.com").Teams[0] == "Support", "ann's teams: %q", f.user("ann.active@example.com").Teams)

	press(m, "esc", "3")
	must(t, r.active == pendingScreen, "after esc, 3 stays on screen %d", r.active)
}

// Without users.edit, the keys that change teams say why they cannot.
func TestTeamsNeedUsersEdit(t *testing.T) {
	f := newFixture(t)
	u := f.addUser("max.manager@example.com", "Max", "Manager", "manager", store.Active)
	f.exec(`DELETE FROM user_perms WHERE user_id = ? AND perm = 'users.edit'`, u.ID)
	m := New(f.ctx, f.options("max.manager@example.com"))
	r := m.(*Model)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 130, Height: 40})
	m = drive(m, m.Init())
	press(m, "T", "n")
	v := ansi.Strip(r.View().Content)
	must(t, strings.Contains(v, "You cannot manage teams: it needs the users.edit permission"), "n without users.edit:\n%s", v)
	must(t, !r.screens[usersScreen].(*users).teams.Capturing(), "the name field opened")
}

// Keys typed with T act on the teams it lists once they are read: T G x
// written at once asks about the last team; those typed with the esc that
// closes them act on the list.
func TestTeamsKeysWaitForTheTeams(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"Alpha", "Beta", "Gamma"} {
		must(t, f.svc.AddTeam(f.ctx, f.op, n) == nil, "add team %s", n)
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Ann Active")
	tt.write("TGx")
	tt.wait("Remove team Gamma?")
	tt.write("n")
	tt.wait("esc back to users")
	tt.write("\x1bj") // esc closes the teams: j moves the list's cursor
	tt.wait("/ to search")
	stop()
	u := r.screens[usersScreen].(*users)
	must(t, u.teams == nil && u.nav.cur == 1, "teams open %v, cursor on row %d", u.teams != nil, u.nav.cur)
}

// A team added or renamed takes the cursor once: a later reading, such as
// another operator's change coming in, leaves the cursor on the team the
// keys put it on, wherever that team's row now is.
func TestTeamsCursorStaysOnItsTeam(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"Alpha", "Beta", "Gamma"} {
		must(t, f.svc.AddTeam(f.ctx, f.op, n) == nil, "add team %s", n)
	}
	r, m := f.start()
	m = press(m, "T", "n", "D", "e", "l", "t", "a", "enter")
	u := r.screens[usersScreen].(*users)
	must(t, u.teams.selected() != nil && u.teams.selected().name == "Delta", "after the add, the cursor is on %+v", u.teams.selected())
	m = press(m, "g", "j") // Beta
	must(t, f.svc.AddTeam(f.ctx, f.op, "Aardvark") == nil, "add team Aardvark")
	drive(m, func() tea.Msg { return refreshMsg{} })
	got := u.teams.selected()
	must(t, len(u.teams.teams) == 5 && got != nil && got.name == "Beta", "after another's change, %d teams and the cursor on %+v, want Beta", len(u.teams.teams), got)
}

// From Users, B lists the branches in the teams' list, with their members,
// time zone and address: n adds one, r renames it; x on a branch that
// still has people asks where they go with a picker (another branch, or
// none), and removes it only then. At 80x24 and a wide terminal.
func TestBranchesFromTheDashboard(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t)
			must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: "Lyon", TimeZone: "Europe/Paris", Address: "5 place Béraudier"}) == nil, "add Lyon")
			must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: "Paris"}) == nil, "add Paris")
			f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
			_, err := f.svc.Edit(f.ctx, f.op, "ann.active@example.com", 0, admin.Profile{AddBranches: []string{"Lyon"}})
			must(t, err == nil, "edit: %v", err)
			branches := func() []string { return f.user("ann.active@example.com").Branches }

			tt := f.runAt(owner, size[0], size[1])
			tt.wait("Ann Active")
			tt.press("B")
			tt.wait("Branches (2)", "Lyon", "1 member", "Europe/Paris · 5 place")
			tt.press("n")
			tt.typ("Lille")
			tt.press("enter")
			tt.wait("Branch Lille added.")
			tt.press("r", "space")
			tt.typ("Flandres")
			tt.press("enter")
			tt.wait("Branch Lille renamed to Lille Flandres.")
			must(t, f.count(`SELECT count(*) FROM branches WHERE name = 'Lille Flandres'`) == 1, "not renamed")

			tt.press("g", "j", "x") // Lille Flandres, Lyon, Paris
			tt.wait("Remove branch Lyon? Its people go to ◂ branch Lille Flandres ▸")
			tt.press("right")
			tt.wait("Its people go to ◂ branch Paris ▸")
			tt.press("enter")
			tt.wait("Branch Lyon removed; its people moved to Paris.")
			must(t, slices.Equal(branches(), []string{"Paris"}), "ann's branches %q", branches())

			tt.press("G", "x", "left")
			tt.wait("Remove branch Paris? Its people go to ◂ no branch ▸")
			tt.press("esc")
			tt.wait("Branches (2)")
			must(t, f.count(`SELECT count(*) FROM branches WHERE name = 'Paris'`) == 1, "esc removed the branch")
			tt.press("x", "left", "enter")
			tt.wait("Branch Paris removed.")
			must(t, len(branches()) == 0, "ann's branches %q", branches())
			must(t, f.count(`SELECT count(*) FROM audit WHERE action LIKE 'branch.%'`) == 6, "audit rows") // 3 added, 1 renamed, 2 removed
		})
	}
}

// enter on a team lists its people: the list's team filter is set to it.
func TestTeamsEnterListsItsPeople(t *testing.T) {
	f := newFixture(t)
	people(f) // Ann is in Support; Bruno and the others are not
	m := press(started(f, i18n.English, 160, 40), "T")
	must(t, strings.Contains(drawn(m), "enter its people"), "the teams' keys:\n%s", drawn(m))
	m = press(m, "G", "enter") // Support, last by name
	frame := drawn(m)
	must(t, strings.Contains(frame, "▸ Ann Active") && !strings.Contains(frame, "Bruno Away") && strings.Contains(frame, "Support"),
		"enter on Support:\n%s", frame)
}

// At 80 columns, removing a team with a long name asks with its y/n
// whole: the question was cut at the width, its answer with it.
func TestTeamsQuestionKeepsItsAnswerAtEighty(t *testing.T) {
	f := newFixture(t)
	long := "Customer Success and Onboarding - Night Shift"
	if err := f.svc.AddTeam(f.ctx, f.op, long); err != nil {
		t.Fatal(err)
	}
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = drive(m, m.Init())
	m = press(m, "T", "x")
	v := ansi.Strip(m.View().Content)
	must(t, strings.Contains(v, "Remove team Customer Success") && strings.Contains(v, "… y/n"), "x asks, cut:\n%s", v)
	press(m, "y")
	must(t, f.count(`SELECT count(*) FROM teams`) == 0, "y did not remove the team")
}
