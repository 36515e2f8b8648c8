package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"roster/store"
)

// Keys written together arrive in one read: each still acts, in order, as
// if typed one at a time.
func TestKeysReadTogetherEachAct(t *testing.T) {
	f := newFixture(t)
	f.addMany(20)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("User0019")
	tt.write("jjjj3s2ann@acme.test")
	tt.wait("ann@acme.test")
	stop()
	u := r.screens[usersScreen].(*users)
	must(t, u.nav.cur == 4, "jjjj moved the cursor to row %d, want 4", u.nav.cur)
	must(t, r.screens[pendingScreen].(*pending).stuck, "3s: the s after 3 did not show the stuck invitations only")
	// Text fields still get every letter, in order.
	inv := r.screens[inviteScreen].(*invite)
	must(t, r.active == inviteScreen, "the screen is %d, want Invite", r.active)
	must(t, inv.rows[0].cells[cFirst].Value() == "ann@acme.test", "the first name field holds %q", inv.rows[0].cells[cFirst].Value())
}

// A lone esc, alt and esc esc are told apart: two escapes written together
// (read as alt+esc) back out twice, from editing a user's field to the list.
func TestTwoEscapesInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.addMany(3)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("User0002")
	tt.write("\r")
	tt.wait("enter/e edit field", "logins")
	tt.write("e")
	tt.wait("esc stop editing")
	tt.write("\x1b\x1b")
	tt.wait("/ to search")
	tt.write("\x1b3") // esc then 3, read as alt+3: Pending
	tt.wait("3 Pending", "Invited by")
	stop()
	must(t, r.active == pendingScreen, "the screen is %d, want Pending", r.active)
	u := r.screens[usersScreen].(*users)
	must(t, u.detail == nil, "the user's page is still open")
}

// Text pasted in the operator's terminal goes into the field being edited,
// whole; pasted where no field has the keyboard, its letters do not act.
func TestPasteGoesIntoTheField(t *testing.T) {
	f := newFixture(t)
	f.addMany(3)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = drive(m, func() tea.Msg { return tea.PasteMsg{Content: "3q"} })
	must(t, r.active == usersScreen, "pasted on the list, 3 switched to screen %d", r.active)
	m = drive(m, func() tea.Msg { return keyMsg("2") })
	m = drive(m, func() tea.Msg { return keyMsg("i") })
	drive(m, func() tea.Msg { return tea.PasteMsg{Content: "Anne-Marie"} })
	inv := r.screens[inviteScreen].(*invite)
	must(t, inv.rows[0].cells[cFirst].Value() == "Anne-Marie", "the first name field holds %q", inv.rows[0].cells[cFirst].Value())
}

// A key that acts on a row acts on the row the screen shows once every
// earlier key has taken effect: with the cursor on Amélie, /hugo enter x
// written at once asks about Hugo, and /hugo enter enter opens Hugo, though
// the search is read after the keys arrive.
func TestKeysActOnTheRowSearchShows(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{"/hugo\rx", "Deactivate hugo.zimmer@example.com?"},
		{"/hugo\r\r", "enter/e edit field"},
	} {
		t.Run(tc.keys, func(t *testing.T) {
			f := newFixture(t)
			f.addUser("amelie@example.com", "Amélie", "Aubert", "member", store.Active)
			f.addUser("hugo.zimmer@example.com", "Hugo", "Zimmer", "member", store.Active)
			f.addMany(1000)
			r := New(f.ctx, f.options(owner)).(*Model)
			tt, stop := f.runTerminal(r)
			tt.wait("▸ Amélie Aubert")
			tt.write(tc.keys)
			tt.wait(tc.want)
			stop()
			u := r.screens[usersScreen].(*users)
			if strings.HasSuffix(tc.keys, "x") {
				must(t, u.confirm != nil && strings.Contains(u.confirm.prompt, "hugo.zimmer"), "x asks about %+v", u.confirm)
			} else {
				must(t, u.detail != nil && u.detail.email == "hugo.zimmer@example.com", "enter opened %+v", u.detail)
			}
		})
	}
}

// On Mail, enter typed with the state filter's key opens a message of the
// list that filter shows, not the row under the cursor before it.
func TestMailKeysActOnTheFilteredList(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com")
	f.invite("bob@example.com")
	f.exec(`UPDATE outbox SET state = 'sent' WHERE recipient = 'bob@example.com'`)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Olive")
	tt.write("7f\r")
	tt.wait("Message ", "<ann@example.com>")
	stop()
	m := r.screens[mailScreen].(*mailbox)
	must(t, m.open != nil && m.open.Recipient == "ann@example.com", "enter opened %+v", m.open)
}

// On a user's page, a key typed before the user is read acts once the user
// is shown (enter then e edits the first field); the keys written with the
// esc that closes the page act on the list (esc j moves its cursor), though
// the list is read again meanwhile.
func TestUserPageKeysInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	r, m := f.start()
	m, read := m.Update(keyMsg("enter")) // opens Ann's page; read is its reading
	m, _ = m.Update(keyMsg("e"))         // typed before the reading lands
	drive(m, read)
	d := r.screens[usersScreen].(*users).detail
	must(t, d != nil && d.user != nil && d.form.active && d.form.focus == fFirst, "e before Ann was read: the form is not being edited")

	r = New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("▸ Ann Active")
	tt.write("\r")
	tt.wait("logins")
	tt.write("\x1bj")
	tt.wait("▸ Bob Backup")
	stop()
	u := r.screens[usersScreen].(*users)
	must(t, u.detail == nil && u.rows[u.nav.cur].Email == "bob.backup@example.com", "the cursor is on %s", u.rows[u.nav.cur].Email)
}

// y to discard a changed form closes the user's page as it is read, so the
// keys typed with it move the cursor on the list.
func TestDiscardAndCloseKeysInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("▸ Ann Active")
	tt.write("\r")
	tt.wait("logins")
	tt.write("eZ")
	tt.wait("AnnZ")
	tt.write("\x1b")
	tt.wait("e edit")
	tt.write("\x1b")
	tt.wait("Discard your changes")
	tt.write("yj")
	tt.wait("▸ Bob Backup")
	stop()
	u := r.screens[usersScreen].(*users)
	must(t, u.detail == nil && u.rows[u.nav.cur].Email == "bob.backup@example.com", "the cursor is on %s", u.rows[u.nav.cur].Email)
}

// ctrl+c typed behind keys that wait for a read waits with them: "2 x
// ctrl+c" while the list reloads opens the form, types into it, and then
// asks before losing it. A second ctrl+c does not wait: a read that hangs
// never keeps the operator in.
func TestCtrlCWaitsBehindHeldKeys(t *testing.T) {
	f := newFixture(t)
	f.addMany(3)
	for _, twice := range []bool{false, true} {
		var m tea.Model = New(f.ctx, f.options(owner))
		m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
		m = drive(m, m.Init())
		r := m.(*Model)
		var reload tea.Cmd
		m, reload = m.Update(keyMsg("s")) // sorted again: its page not read yet
		keys := []string{"2", "x", "ctrl+c"}
		if twice {
			keys = append(keys, "ctrl+c")
		}
		var last tea.Cmd
		for _, k := range keys {
			m, last = m.Update(keyMsg(k))
		}
		if twice {
			must(t, last != nil, "a second ctrl+c while keys wait did nothing")
			_, quit := last().(tea.QuitMsg)
			must(t, quit, "a second ctrl+c while keys wait did not quit")
			continue
		}
		must(t, last == nil && r.active == usersScreen, "keys acted before the list they wait for was read")
		drive(m, reload)
		must(t, r.active == inviteScreen, "the screen is %d, want Invite", r.active)
		must(t, r.confirmQuit, "ctrl+c after typing into the form quit without asking")
	}
}
