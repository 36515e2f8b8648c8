package tui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// addMany adds n active users named User0001 Test… straight through the store.
func (f *fixture) addMany(n int) {
	f.t.Helper()
	now := f.svc.Now().Unix()
	tx, err := f.raw.Begin()
	if err != nil {
		f.t.Fatal(err)
	}
	for i := range n {
		first, last := fmt.Sprintf("User%04d", i), "Test"
		email := fmt.Sprintf("user%04d@example.com", i)
		res, err := tx.Exec(`INSERT INTO users (email, first_name, last_name, sort_name, role, status, created_at, activated_at, updated_at)
			VALUES (?, ?, ?, ?, 'member', 'active', ?, ?, ?)`, email, first, last, store.Fold(first+" "+last), now, now, now)
		if err != nil {
			f.t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		for _, k := range []string{email, first + " " + last, last + " " + first} {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO search_keys (key, user_id) VALUES (?, ?)`, store.Fold(k), id); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) usersScreen(h int) *users {
	m := newUsers(f.session())
	m.SetSize(120, h)
	return m
}

func hit(m *users, k string) {
	var s Screen = m
	s, cmd := s.Update(keyMsg(k))
	driveScreen(s, cmd)
}

// The window reads pages by key as the cursor moves, keeps at most maxWindow
// rows, and comes back to the same rows going up.
func TestUsersWindowPagesByKey(t *testing.T) {
	f := newFixture(t)
	f.addMany(1200)
	m := f.usersScreen(24)
	driveScreen(m, m.Init())
	must(t, len(m.rows) == pageSize, "first read: %d rows, want %d", len(m.rows), pageSize)
	must(t, m.moreAfter && !m.moreBefore, "first page: more after %v, before %v", m.moreAfter, m.moreBefore)
	for range 60 {
		hit(m, "pgdown")
	}
	must(t, len(m.rows) <= maxWindow, "window holds %d rows, at most %d", len(m.rows), maxWindow)
	must(t, m.moreBefore, "after paging down, rows before the window are left out")
	u := m.selected()
	// Olive Owner sorts first, before User0000.
	must(t, u != nil && u.FirstName == fmt.Sprintf("User%04d", 60*19-1), "cursor on %v, want User%04d", u.FirstName, 60*19-1)
	// The last page, and back to the top.
	hit(m, "G")
	must(t, m.selected().Email == "user1199@example.com", "G: cursor on %s", m.selected().Email)
	must(t, !m.moreAfter, "G: nothing after the last row")
	hit(m, "g")
	must(t, m.selected().Email == owner || strings.HasPrefix(m.selected().Email, "olive"), "g: cursor on %s", m.selected().Email)
	// Paging up from the end reads pages before the window.
	hit(m, "G")
	for range 30 {
		hit(m, "pgup")
	}
	want := fmt.Sprintf("user%04d@example.com", 1199-30*19)
	must(t, m.selected().Email == want, "after paging up: %s, want %s", m.selected().Email, want)
	view := m.View()
	must(t, strings.Contains(view, want), "the selected row is drawn")
	lines := strings.Count(view, "\n")
	must(t, lines <= 24, "the view draws only the visible rows: %d lines", lines)
}

// A search is debounced, runs in the store, and the results of an older
// query are dropped when a newer one is on its way.
func TestUsersSearchDropsOlderResults(t *testing.T) {
	f := newFixture(t)
	f.addMany(300)
	m := f.usersScreen(20)
	driveScreen(m, m.Init())
	var s Screen = m
	s, _ = s.Update(keyMsg("/"))
	s, _ = s.Update(keyMsg("u"))
	seqU := m.seq
	s, _ = s.Update(usersFilterMsg{seq: m.filterSeq})
	must(t, m.seq == seqU+1, "the pause after typing starts a query")
	olderCmd := m.fetch(m.query(), 0, 0) // the query for "u", still on its way
	for _, r := range "ser0029" {
		s, _ = s.Update(keyMsg(string(r)))
	}
	s, cmd := s.Update(usersFilterMsg{seq: m.filterSeq})
	newer := cmd().(usersPageMsg)
	older := olderCmd().(usersPageMsg)
	older.seq = seqU // it was asked before the newer query
	s, _ = s.Update(newer)
	s.Update(older)
	must(t, len(m.rows) == 1 && m.rows[0].Email == "user0029@example.com", "rows after the newer query: %d (%v)", len(m.rows), m.rows)
	// A tick of an older keystroke does nothing.
	before := m.seq
	s.Update(usersFilterMsg{seq: m.filterSeq - 1})
	must(t, m.seq == before, "an older keystroke's tick started a query")
}

// Status filter and sort keys change the query in the store.
func TestUsersStatusAndSort(t *testing.T) {
	f := newFixture(t)
	f.addMany(20)
	f.addUser("dan.gone@example.com", "Dan", "Gone", "member", store.Deactivated)
	f.addUser("sam.staged@example.com", "Sam", "Staged", "member", store.Staged)
	m := f.usersScreen(30)
	driveScreen(m, m.Init())
	for statuses[m.statusIdx] != "deactivated" {
		hit(m, "f")
	}
	must(t, len(m.rows) == 1 && m.rows[0].Email == "dan.gone@example.com", "deactivated filter: %v", m.rows)
	must(t, strings.Contains(m.View(), "Deactivated"), "status column")
	hit(m, "f") // back to all
	must(t, statuses[m.statusIdx] == "", "f cycles back to all")
	hit(m, "s")
	must(t, store.Sorts()[m.sortIdx] == "last-login", "s sorts by last login")
	must(t, len(m.rows) == 23, "all users: %d", len(m.rows))
}

// Row keys act on the user under the cursor, after a confirmation, and the
// store holds the result: deactivate, reactivate, reset, send staged.
func TestUsersRowActions(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("sam.staged@example.com", "Sam", "Staged", "member", store.Staged)
	tt := f.run(owner)
	tt.wait("Ann Active", "Sam Staged")
	// Ann is first by name.
	tt.typ("x")
	tt.wait("Deactivate ann.active@example.com?")
	tt.typ("y")
	eventually(t, "ann deactivated", func() bool { return f.user("ann.active@example.com").Status == store.Deactivated })
	tt.wait("is deactivated")
	tt.typ("x")
	tt.wait("Reactivate ann.active@example.com?")
	tt.typ("y")
	eventually(t, "ann active again", func() bool { return f.user("ann.active@example.com").Status == store.Active })
	tt.typ("R")
	tt.wait("Send a password reset link to ann.active@example.com?")
	tt.typ("y")
	eventually(t, "reset mail queued", func() bool {
		return f.count(`SELECT count(*) FROM outbox WHERE recipient = 'ann.active@example.com' AND kind = 'password_reset'`) == 1
	})
	tt.wait("A password reset link is on its way")
	// A refused confirmation changes nothing.
	tt.typ("x")
	tt.wait("Deactivate ann")
	tt.typ("n")
	tt.wait("Cancelled.")
	must(t, f.user("ann.active@example.com").Status == store.Active, "n cancelled the deactivation")
	// Sam is staged: S sends the invitation; on Ann, S explains why not.
	tt.typ("S")
	tt.wait("only a staged user")
	tt.typ("jj") // Olive Owner, then Sam Staged
	tt.typ("S")
	tt.wait("Send the invitation to sam.staged@example.com now?")
	tt.typ("y")
	eventually(t, "sam invited", func() bool { return f.user("sam.staged@example.com").Status == store.Invited })
	tt.wait("Invited")
}

// Enter opens a user; a field edited in place is saved through admin.Edit;
// a stale edit says who changed the user and offers to reload.
func TestUserDetailEditAndConflict(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
		t.Fatal(err)
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	tt := f.run(owner)
	tt.wait("Ann Active")
	tt.press("enter")
	tt.wait("Ann Active <ann.active@example.com>", "0 conversations")
	tt.typ("jjj") // Position
	tt.press("enter")
	tt.typ("Night nurse")
	tt.press("tab", "tab", "tab") // Reference ID, Locale, Teams
	tt.typ("Support")
	tt.press("ctrl+s")
	eventually(t, "profile saved", func() bool {
		u := f.user("ann.active@example.com")
		return u.Position == "Night nurse" && len(u.Teams) == 1 && u.Teams[0] == "Support"
	})
	tt.wait("Saved.")
	// Someone else changes Ann while the operator edits her.
	tt.typ("kkkk") // from Teams up to Phone
	tt.press("enter")
	tt.typ("0612345678")
	tt.wait("0612345678") // being edited: the change below lands mid-edit
	pos := "Head nurse"
	if _, err := f.svc.Edit(f.ctx, admin.Actor{Email: owner, Channel: admin.ChannelCLI}, "ann.active@example.com", 0,
		admin.Profile{Position: &pos}); err != nil {
		t.Fatal(err)
	}
	tt.press("ctrl+s")
	tt.wait("was changed by olive.owner@example.com", "ctrl+r to reload")
	must(t, f.user("ann.active@example.com").Phone == "", "the stale edit wrote nothing")
	tt.press("ctrl+r") // over the phone typed: it asks first
	tt.wait("discard your changes? y/n")
	tt.typ("y")
	tt.wait("Head nurse")
	tt.press("enter")
	tt.typ("0612345678")
	tt.press("ctrl+s")
	eventually(t, "phone saved after reload", func() bool {
		u := f.user("ann.active@example.com")
		return u.Phone == "+33612345678" && u.Position == "Head nurse"
	})
	// A bad value is explained beside its field and saves nothing.
	tt.press("enter")
	tt.press("ctrl+u")
	tt.typ("+12")
	tt.press("ctrl+s")
	tt.wait("no phone number has")
	must(t, f.user("ann.active@example.com").Phone == "+33612345678", "a refused phone was not saved")
}

// Text stored by other tools is drawn without its control sequences.
func TestUsersStripControlSequences(t *testing.T) {
	f := newFixture(t)
	f.addUser("eve@example.com", "Eve", "X", "member", store.Active)
	f.exec(`UPDATE users SET first_name = ? WHERE email = 'eve@example.com'`, "Eve\x1b]2;pwned\x07\x1b[31mRed")
	m := f.usersScreen(20)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, !strings.Contains(v, "pwned") && !strings.Contains(v, "\x1b]2") && !strings.Contains(v, "\x07"), "control sequences drawn: %q", v)
	must(t, strings.Contains(v, "EveRed X"), "the printable text stays: %q", v)
}

// When another process changes the database, the screen shows it within a
// second.
func TestUsersRefreshOnExternalChange(t *testing.T) {
	f := newFixture(t)
	tt := f.run(owner)
	tt.wait("Olive Owner")
	f.addUser("new.comer@example.com", "New", "Comer", "member", store.Active)
	tt.wait("new.comer@example.com")
}

// Someone without a name shows the part of their address before the @,
// dimmed, in the Name column; titles name them by address once, not as
// "x@y <x@y>".
func TestUsersBlankName(t *testing.T) {
	f := newFixture(t)
	f.addUser("nobody@example.com", "", "", "member", store.Active)
	m := f.usersScreen(20)
	driveScreen(m, m.Init())
	var row string
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if strings.Contains(l, "nobody@example.com") {
			row = strings.TrimLeft(l, "▸ ")
		}
	}
	must(t, strings.HasPrefix(row, "nobody "), "the Name column is blank: %q", row)

	s := f.session()
	c := newUsers(s)
	c.SetSize(120, 20)
	driveScreen(c, c.Init())
	i := slices.IndexFunc(c.rows, func(u *store.User) bool { return u.Email == "nobody@example.com" })
	faint := s.styles.Faint.Render("x")
	faint = faint[:strings.Index(faint, "x")] // the sequence that starts dim text
	must(t, strings.HasPrefix(c.lines[i], faint+"nobody "), "the stand-in name is dimmed: %q", c.lines[i])
	c.nav.cur = i
	for _, l := range strings.Split(c.View(), "\n") {
		if strings.Contains(l, "nobody@example.com") {
			must(t, strings.Count(l, "\x1b[") == 2, "the selected row is one run of the selection's colours: %q", l)
		}
	}

	a := newAway(f.session())
	a.SetSize(120, 30)
	driveScreen(a, a.OpenUser("nobody@example.com"))
	must(t, strings.HasPrefix(ansi.Strip(a.View()), "Away: nobody@example.com  Active"), "away title: %q", strings.SplitN(a.View(), "\n", 2)[0])
}

// An unknown team typed on a user's page is explained with the teams there
// are, not with the command line's roster teams add.
func TestUserDetailUnknownTeam(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
		t.Fatal(err)
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	d := newUserDetail(f.session(), "ann.active@example.com", true, nil)
	d.SetSize(120, 30)
	d.Update(d.Init()())
	d.form.focusOn(fTeams)
	d.form.fields[fTeams].input.SetValue("Support, Sales")
	d.Update(d.save()())
	want := `"Sales" is not a team (teams: Support)`
	must(t, d.err == want && d.form.fields[fTeams].err == want, "error %q, beside the field %q", d.err, d.form.fields[fTeams].err)
	must(t, !strings.Contains(d.View(), "roster teams add"), "the command line's hint is drawn:\n%s", d.View())
	must(t, len(f.user("ann.active@example.com").Teams) == 0, "nothing was saved")
}

// A user's branches are edited on their page as their teams are: saved, then
// shown; an unknown one is explained with the branches there are.
func TestUserDetailBranches(t *testing.T) {
	f := newFixture(t)
	for _, b := range []string{"Lyon", "Paris"} {
		must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: b}) == nil, "branch not added")
	}
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	d := newUserDetail(f.session(), "ann.active@example.com", true, nil)
	d.SetSize(80, 24)
	d.Update(d.Init()())
	d.form.focusOn(fBranches)
	d.form.fields[fBranches].input.SetValue("Lyon, Lille")
	d.Update(d.save()())
	want := `"Lille" is not a branch (branches: Lyon, Paris)`
	must(t, d.err == want && d.form.fields[fBranches].err == want, "error %q, beside the field %q", d.err, d.form.fields[fBranches].err)
	must(t, len(f.user("ann.active@example.com").Branches) == 0, "nothing was saved")
	d.form.fields[fBranches].input.SetValue("paris, Lyon")
	d.Update(d.save()())
	must(t, slices.Equal(f.user("ann.active@example.com").Branches, []string{"Lyon", "Paris"}), "saved %q", f.user("ann.active@example.com").Branches)
	d.Update(d.load(true)())
	must(t, strings.Contains(ansi.Strip(d.View()), "Lyon, Paris"), "the page:\n%s", d.View())
}

// t filters Users by team or branch: all, then each team in turn, then each
// branch, then all again; the filter is shown, and keys typed with t act on
// the team's rows.
func TestUsersTeamFilter(t *testing.T) {
	f := newFixture(t)
	for _, team := range []string{"Sales", "Support"} {
		if err := f.svc.AddTeam(f.ctx, f.op, team); err != nil {
			t.Fatal(err)
		}
	}
	f.addUser("ann@example.com", "Ann", "Able", "member", store.Active)
	f.addUser("bob@example.com", "Bob", "Baker", "member", store.Active)
	f.addUser("cat@example.com", "Cat", "Cole", "member", store.Active)
	f.addUser("dan@example.com", "Dan", "Dorr", "member", store.Active)
	for _, ut := range [][2]string{{"bob@example.com", "Sales"}, {"cat@example.com", "Support"}} {
		f.exec(`INSERT INTO user_teams (user_id, team_id) SELECT u.id, t.id FROM users u, teams t WHERE u.email = ? AND t.name = ?`, ut[0], ut[1])
	}
	must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: "Lyon"}) == nil, "branch not added")
	for _, e := range []string{"ann@example.com", "dan@example.com"} {
		_, err := f.svc.Edit(f.ctx, f.op, e, 0, admin.Profile{AddBranches: []string{"Lyon"}})
		must(t, err == nil, "edit: %v", err)
	}
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Cat Cole")
	var u *users
	emails := func() (out []string) {
		for _, row := range u.rows {
			out = append(out, row.Email)
		}
		return out
	}
	tt.write("tx")
	tt.wait("team Sales", "Deactivate bob@example.com?")
	tt.write("n")
	tt.wait("Cancelled.")
	stop()
	u = r.screens[usersScreen].(*users)
	must(t, slices.Equal(emails(), []string{"bob@example.com"}), "team Sales lists %v", emails())

	r = New(f.ctx, f.options(owner)).(*Model)
	tt, stop = f.runTerminal(r)
	tt.wait("Cat Cole")
	tt.write("tt")
	tt.wait("team Support", "Cat Cole")
	stop()
	u = r.screens[usersScreen].(*users)
	must(t, slices.Equal(emails(), []string{"cat@example.com"}), "team Support lists %v", emails())

	r = New(f.ctx, f.options(owner)).(*Model)
	tt, stop = f.runTerminal(r)
	tt.wait("Cat Cole")
	tt.write("ttt")
	tt.wait("branch Lyon", "Dan Dorr", "Branches", "Lyon")
	stop()
	u = r.screens[usersScreen].(*users)
	must(t, slices.Equal(emails(), []string{"ann@example.com", "dan@example.com"}), "branch Lyon lists %v", emails())

	r = New(f.ctx, f.options(owner)).(*Model)
	tt, stop = f.runTerminal(r)
	tt.wait("Cat Cole")
	tt.write("ttttx")
	tt.wait("Deactivate ann@example.com?")
	stop()
	u = r.screens[usersScreen].(*users)
	must(t, u.group == (groupFilter{}) && len(u.rows) == 5, "after every team and branch, all users again: %v, %v", u.group, emails())
}

// The lines above the rows, drawn again only when what they show changes,
// take the colours of a light background once the terminal says it is one.
func TestUsersHeadingFollowsTheBackground(t *testing.T) {
	f := newFixture(t)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drive(m, m.Init())
	open := func(dark bool) string {
		o, _, _ := strings.Cut(DefaultStyles(dark).ColHead.Render("x"), "x")
		return o
	}
	heads := func() string {
		for _, l := range strings.Split(m.View().Content, "\n") {
			if strings.Contains(l, "Last login") {
				return l
			}
		}
		return ""
	}
	must(t, open(true) != open(false) && strings.HasPrefix(heads(), open(true)), "dark column heads: %q", heads())
	m = drive(m, func() tea.Msg { return tea.BackgroundColorMsg{Color: color.White} })
	must(t, strings.HasPrefix(heads(), open(false)), "on a white background, the column heads: %q, want them to open with %q",
		heads(), open(false))
}

// At 80 columns a save that meets another operator's change says whole
// what to do (ctrl+r), and the editing footer offers it; ctrl+r over what
// was typed asks before discarding it, and n keeps it.
func TestUserDetailConflictAt80(t *testing.T) {
	f := newFixture(t)
	const ann = "annabelle.longname@example.com"
	f.addUser(ann, "Annabelle", "Longname", "member", store.Active)
	other := "bartholomew.operator@example.com"
	f.addUser(other, "Bart", "Operator", "admin", store.Active)
	m := started(f, i18n.English, 80, 24)
	m = press(m, "enter", "j", "j", "enter", "0", "6", "1", "2", "3", "4", "5", "6", "7", "8")
	pos := "Head nurse"
	if _, err := f.svc.Edit(f.ctx, admin.Actor{Email: other, Channel: admin.ChannelCLI}, ann, 0, admin.Profile{Position: &pos}); err != nil {
		t.Fatal(err)
	}
	m = press(m, "ctrl+s")
	fr := drawn(m)
	flat := strings.Join(strings.Fields(fr), " ")
	must(t, strings.Contains(flat, "was changed by "+other) && strings.Contains(flat, "Press ctrl+r to reload it."),
		"the conflict is not said whole at 80 columns:\n%s", fr)
	for i, l := range strings.Split(fr, "\n") {
		must(t, ansi.StringWidth(l) <= 80, "line %d is %d wide:\n%s", i, ansi.StringWidth(l), fr)
	}
	lines := strings.Split(fr, "\n")
	must(t, len(lines) <= 24 && strings.Contains(lines[len(lines)-1], "ctrl+r reload"), "the footer does not offer ctrl+r:\n%s", fr)
	m = press(m, "ctrl+r")
	fr = drawn(m)
	must(t, strings.Contains(fr, "Reload "+ann+" and discard your changes? y/n"), "ctrl+r over typing does not ask:\n%s", fr)
	m = press(m, "n")
	fr = drawn(m)
	must(t, strings.Contains(fr, "0612") && !strings.Contains(fr, "Head nurse"), "n did not keep what was typed:\n%s", fr)
	m = press(m, "ctrl+r", "y")
	fr = drawn(m)
	must(t, strings.Contains(fr, "Head nurse") && !strings.Contains(fr, "0612"), "y did not reload:\n%s", fr)
}

// A question about a row outlives it no longer: when another operator
// revokes the invitation the question is about, the refreshed list
// dismisses it, says so, and y then does nothing.
func TestUsersQuestionGoesWithItsRow(t *testing.T) {
	f := newFixture(t)
	f.invite("aaa1@example.com", "aaa2@example.com", "aaa3@example.com")
	m := started(f, i18n.English, 130, 30)
	for i := 0; i < 6 && !strings.Contains(drawn(m), "▸ aaa2 "); i++ {
		m = press(m, "j")
	}
	must(t, strings.Contains(drawn(m), "▸ aaa2 "), "the cursor is not on aaa2:\n%s", drawn(m))
	m = press(m, "x")
	must(t, strings.Contains(drawn(m), "Deactivate aaa2@example.com?"), "x does not ask:\n%s", drawn(m))
	for _, o := range f.svc.Revoke(f.ctx, f.op, []string{"aaa2@example.com"}) {
		must(t, o.Err == nil, "revoke: %v", o.Err)
	}
	m = drive(m, func() tea.Msg { return refreshMsg{} })
	fr := drawn(m)
	must(t, !strings.Contains(fr, "Deactivate aaa2@example.com?"), "the question outlives its row:\n%s", fr)
	must(t, strings.Contains(fr, "aaa2@example.com is no longer listed: nothing done."), "the dismissal is not said:\n%s", fr)
	m = press(m, "y")
	must(t, f.count(`SELECT count(*) FROM users WHERE status = 'deactivated'`) == 0, "y deactivated someone:\n%s", drawn(m))
}
