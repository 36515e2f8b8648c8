package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// "Saved" is said only once the boxes shown are the saved ones: before, the
// forced reading after the save replaced what the operator did meanwhile,
// and a save made on the old boxes went out with the old version
// (TestPermissionsTickAndSave's "after 10s: mia is a manager" under load).
func TestPermissionsSavedOnlyWithTheNewBoxes(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	m := newPerms(f.session())
	m.SetSize(120, 40)
	driveScreen(m, m.OpenUser("mia.member@example.com"))
	m.Update(keyMsg("space")) // users.invite
	m.Update(keyMsg("enter")) // review
	_, save := m.Update(keyMsg("enter"))
	_, reload := m.Update(save()) // saved; the user is read again
	must(t, slices.Contains(f.detail("mia.member@example.com").Perms, "users.invite"), "the tick is saved")

	// Until the reading after the save is back, the screen says it is saving
	// and takes no key.
	must(t, !strings.Contains(m.View(), "Saved:") && strings.Contains(m.View(), "Saving…"), "before the reading:\n%s", m.View())
	for _, k := range []string{"left", "enter"} {
		_, cmd := m.Update(keyMsg(k))
		must(t, cmd == nil && !m.reviewing, "%s acted on the boxes read before the save", k)
	}
	m.Update(reload())
	must(t, strings.Contains(ansi.Strip(m.View()), "Saved: mia.member@example.com is member; added users.invite."), "after the reading:\n%s", m.View())
	must(t, m.orig["users.invite"] && !m.Dirty(), "the boxes are the saved ones")

	// What the operator does now is kept and saved, at the new version.
	m.Update(keyMsg("left")) // member → manager
	m.Update(keyMsg("enter"))
	must(t, m.reviewing && strings.Contains(ansi.Strip(m.View()), "role member → manager"), "review:\n%s", m.View())
	_, save = m.Update(keyMsg("enter"))
	driveScreen(m, func() tea.Msg { return save() })
	d := f.detail("mia.member@example.com")
	must(t, d.Role == "manager" && slices.Equal(d.Perms, slices.Sorted(slices.Values(admin.Presets["manager"]))), "mia: %s %v (%s)", d.Role, d.Perms, m.err)
}

// ← and → offer only the roles the operator may give, and a role's preset
// leaves the boxes the operator may not change as they are.
func TestPermissionsOfferOnlyGrantableRoles(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.manager@example.com", "Mia", "Manager", "manager", store.Active)
	f.addUser("max.member@example.com", "Max", "Member", "member", store.Active)
	owner := admin.Actor{Email: owner, Channel: admin.ChannelCLI}
	_, err := f.svc.SetPermissions(f.ctx, owner, "mia.manager@example.com", 0,
		admin.PermChange{Grant: []string{"users.permissions"}, Revoke: []string{"coaching.manage"}})
	must(t, err == nil, "%v", err)
	s := f.session()
	s.actor.Email = "mia.manager@example.com"
	m := newPerms(s)
	m.SetSize(120, 40)
	driveScreen(m, m.OpenUser("max.member@example.com"))
	var seen []string
	for range 4 {
		m.Update(keyMsg("left"))
		role := admin.Roles[m.role]
		seen = append(seen, role)
		must(t, role == "manager" || role == "member", "← reached %s (seen %v)", role, seen)
		must(t, !m.draft["coaching.manage"], "the %s preset ticked coaching.manage, which mia does not hold", role)
	}
	must(t, slices.Equal(seen, []string{"manager", "member", "manager", "member"}), "roles %v", seen)
	m.Update(keyMsg("right"))
	must(t, admin.Roles[m.role] == "manager" && m.draft["users.invite"], "→ from member: %s %v", admin.Roles[m.role], m.draft)
}

// After working on one user with the cursor down the grid, u and another
// user start that user's grid at the top; the cursor's row is marked by
// more than its colour.
func TestPermissionsAnotherUserStartsAtTheTop(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	f.addUser("max.member@example.com", "Max", "Member", "member", store.Active)
	var m Screen = newPerms(f.session())
	m.SetSize(120, 40)
	m = driveScreen(m, m.(*permissions).OpenUser("mia.member@example.com"))
	for _, k := range []string{"j", "j", "j", "j", "j", "j", "j", "u", "max.member", "enter"} {
		m = driveScreen(m, func() tea.Msg { return keyMsg(k) })
	}
	pm := m.(*permissions)
	must(t, pm.email == "max.member@example.com", "u did not pick max: %q\n%s", pm.email, ansi.Strip(pm.View()))
	must(t, pm.nav.cur == 0, "max's grid starts on row %d, not the top", pm.nav.cur)
	first := admin.Catalogue[0]
	v := ansi.Strip(pm.View())
	must(t, strings.Contains(v, "▸ [") && strings.Contains(v[strings.Index(v, "▸ ["):], i18n.For(i18n.English).T(first.Label)),
		"the cursor's row is not marked:\n%s", v)
}

// A save that meets another's change says so whole at 80 columns, what to
// do included (ctrl+r), on Permissions and on the notification grid: the
// status was cut at the screen's width, before "ctrl+r". The frame keeps
// its height.
func TestStaleSaveSaysWhatToDoAt80Columns(t *testing.T) {
	f := newFixture(t)
	const mia = "mia.member@example.com"
	f.addUser(mia, "Mia", "Member", "member", store.Active)
	changeMia := func() {
		t.Helper()
		pos := "Buyer " + time.Now().String()
		_, err := f.svc.Edit(f.ctx, admin.Actor{Email: owner, Channel: admin.ChannelCLI}, mia, 0, admin.Profile{Position: &pos})
		must(t, err == nil, "%v", err)
	}
	saysAll := func(what, view string) {
		t.Helper()
		flat := strings.Join(strings.Fields(ansi.Strip(view)), " ")
		must(t, strings.Contains(flat, "was changed by "+owner) && strings.Contains(flat, "ctrl+r to reload it."), "%s:\n%s", what, ansi.Strip(view))
		for _, l := range strings.Split(ansi.Strip(view), "\n") {
			must(t, ansi.StringWidth(l) <= 80, "%s: a line of %d cells:\n%s", what, ansi.StringWidth(l), ansi.Strip(view))
		}
	}

	m := newPerms(f.session())
	m.SetSize(80, 24)
	driveScreen(m, m.OpenUser(mia))
	changeMia()
	m.Update(keyMsg("space"))
	m.Update(keyMsg("enter"))
	_, save := m.Update(keyMsg("enter"))
	m.Update(save())
	saysAll("Permissions", m.View())

	r, tm := f.openNotify(mia, 80, 24)
	changeMia()
	press(tm, "down", "space", "enter", "enter")
	saysAll("the notification grid", r.frame())
	must(t, strings.Count(r.frame(), "\n") < 24, "the grid's frame is %d lines high:\n%s", strings.Count(r.frame(), "\n")+1, ansi.Strip(r.frame()))
}

// Keys typed on the dashboard while Permissions saves wait for the save
// and the reading after it, then act on the boxes it shows: down and space
// tick the next box and enter reviews it. They were dropped, and a space
// typed after a dropped down ticked the box just saved.
func TestPermissionsKeysTypedDuringTheSave(t *testing.T) {
	f := newFixture(t)
	const mia = "mia.member@example.com"
	f.addUser(mia, "Mia", "Member", "member", store.Active)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = drive(m, r.open(openRequest{permsScreen, mia}))
	m = press(m, "space", "enter")
	_, save := m.Update(keyMsg("enter"))
	for _, k := range []string{"down", "space", "enter"} {
		_, cmd := m.Update(keyMsg(k))
		must(t, cmd == nil, "%s acted before the save was done", k)
	}
	drive(m, save)
	p := r.screens[permsScreen].(*permissions)
	saved := f.detail(mia).Perms
	must(t, slices.Contains(saved, "users.invite"), "the first save: %v", saved)
	second := admin.Catalogue[1].ID
	must(t, p.reviewing && p.orig["users.invite"] && p.changed(second) && !p.changed("users.invite"),
		"the keys typed during the save did not act on the saved boxes (%s changed: %v):\n%s", second, p.changed(second), ansi.Strip(r.frame()))
}
