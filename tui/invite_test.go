package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// start runs the dashboard's model without a program, at a fixed size.
func (f *fixture) start() (*Model, tea.Model) {
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 130, Height: 40})
	m = drive(m, m.Init())
	return m.(*Model), m
}

// press drives the model with keys by name, each to its end.
func press(m tea.Model, keys ...string) tea.Model {
	for _, k := range keys {
		m = drive(m, func() tea.Msg { return keyMsg(k) })
	}
	return m
}

// Once the rows are sent, the form lets go of the keyboard: the number keys
// and tab switch screens again, and enter goes back to editing.
func TestInviteSubmitReleasesKeyboard(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	m = press(m, "2", "Ann", "tab", "Archer", "tab", "ann@example.com")
	inv := r.screens[inviteScreen].(*invite)
	must(t, inv.Capturing(), "the form has the keyboard while the rows are typed")
	m = press(m, "ctrl+s")
	must(t, f.user("ann@example.com").Status == store.Invited, "ann is invited")
	must(t, !inv.Capturing(), "after ctrl+s the form still has the keyboard")
	m = press(m, "3")
	must(t, r.active == pendingScreen, "3 after the submission opens Pending, not screen %d", r.active)
	m = press(m, "2", "enter")
	must(t, r.active == inviteScreen && inv.Capturing(), "enter edits the rows again")
	press(m, "Bea")
	must(t, inv.rows[0].value(cFirst) == "Bea", "the first name of the new row: %q", inv.rows[0].value(cFirst))
}

// An unknown team is explained with the teams there are, not with the
// command line's way of adding one; admin's error, which the command line
// shows, keeps its hint.
func TestInviteUnknownTeamOffersTheTeams(t *testing.T) {
	f := newFixture(t)
	for _, team := range []string{"Night shift", "Support"} {
		if err := f.svc.AddTeam(f.ctx, f.op, team); err != nil {
			t.Fatal(err)
		}
	}
	m := newInvite(f.session())
	m.SetSize(130, 30)
	driveScreen(m, m.Init())
	var scr Screen = m
	for _, k := range []string{"i", "tab", "tab", "sam@example.com", "tab", "tab", "tab", "Suport"} {
		scr = driveScreen(scr, func() tea.Msg { return keyMsg(k) })
	}
	r := m.rows[0]
	must(t, r.errs[cTeam] == `"Suport" is not a team (teams: Support, Night shift)`, "team error: %q", r.errs[cTeam])
	driveScreen(scr, func() tea.Msg { return keyMsg("ctrl+s") })
	must(t, len(m.results) == 1 && strings.Contains(m.results[0], `team "Suport" is not a team (teams: Support, Night shift)`),
		"outcome: %q", m.results)
	must(t, !strings.Contains(m.View(), "roster teams add"), "the command line's hint is drawn:\n%s", m.View())
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'sam@example.com'`) == 0, "sam was not invited")
	err := f.svc.CheckNewUser(f.ctx, f.op, admin.NewUser{Email: "sam@example.com", Teams: []string{"Suport"}}, admin.InviteOptions{})
	must(t, err != nil && strings.Contains(err.Error(), `roster teams add "Suport"`), "admin's error: %v", err)
	must(t, notAmong(i18n.For(i18n.English), cTeam, "Sales", nil) == `"Sales" is not a team, and there is no team yet: leave it empty`, "without teams")
}

// A row shows every one of its problems, each beside its field and on a line
// of its own, as it is typed and again after a refused submission.
func TestInviteRowShowsEveryProblem(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
		t.Fatal(err)
	}
	m := newInvite(f.session())
	m.SetSize(130, 30)
	driveScreen(m, m.Init())
	var scr Screen = m
	for _, k := range []string{"i", "tab", "tab", "maintenance@example.com", "tab", "+12", "tab", "tab", "Sales"} {
		scr = driveScreen(scr, func() tea.Msg { return keyMsg(k) })
	}
	want := []string{
		"✗ email maintenance@example.com is a role or department mailbox",
		`✗ phone "+12" has 2 digits`,
		`✗ team "Sales" is not a team (teams: Support)`,
	}
	check := func(when string) {
		t.Helper()
		r := m.rows[0]
		must(t, r.errs[cEmail] != "" && r.errs[cPhone] != "" && r.errs[cTeam] != "", "%s: %q", when, r.errs)
		v := m.View()
		for _, w := range want {
			must(t, strings.Contains(v, w), "%s: %q is not drawn:\n%s", when, w, v)
		}
	}
	check("as typed")
	driveScreen(scr, func() tea.Msg { return keyMsg("ctrl+s") })
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'maintenance@example.com'`) == 0, "the refused row was not invited")
	must(t, len(m.results) == 1 && strings.HasPrefix(m.results[0], "✗ maintenance@example.com: email "), "outcome: %q", m.results)
	check("after the submission")
}

// The form marks a row whose address is on an earlier row by the rule admin
// tells users apart by: Unicode case is the same address, an accent another.
func TestInviteRowsSameAddress(t *testing.T) {
	f := newFixture(t)
	m := newInvite(f.session())
	m.SetSize(130, 30)
	driveScreen(m, m.Init())
	var scr Screen = m
	for _, k := range []string{"i", "tab", "tab", "zoé@example.com", "ctrl+n", "tab", "tab", "ZOÉ@example.com", "ctrl+n", "tab", "tab", "zoe@example.com"} {
		scr = driveScreen(scr, func() tea.Msg { return keyMsg(k) })
	}
	must(t, len(m.rows) == 3, "%d rows", len(m.rows))
	must(t, m.rows[1].errs[cEmail] == "is also on row 1", "row 2: %q", m.rows[1].errs[cEmail])
	must(t, m.rows[2].errs[cEmail] == "", "row 3, another address: %q", m.rows[2].errs[cEmail])
}

// Arriving on Invite leaves the keyboard to the dashboard: the number keys
// switch screens until the operator starts editing, with enter, i or a
// letter, and then they are typed.
func TestInviteTakesTheKeyboardOnlyWhenEditing(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	inv := r.screens[inviteScreen].(*invite)
	m = press(m, "2", "3")
	must(t, r.active == pendingScreen, "2 then 3 stays on screen %d, want Pending", r.active)
	must(t, inv.rows[0].value(cFirst) == "", "2 then 3 typed %q into First name", inv.rows[0].value(cFirst))
	m = press(m, "2", "i", "3")
	must(t, r.active == inviteScreen, "2 i 3 left Invite for screen %d", r.active)
	must(t, inv.rows[0].value(cFirst) == "3", "2 i 3: First name holds %q", inv.rows[0].value(cFirst))
	m = press(m, "ctrl+d", "esc", "4")
	must(t, r.active == permsScreen, "after esc, 4 stays on screen %d", r.active)
	press(m, "2", "Z", "o", "é", "3")
	must(t, r.active == inviteScreen && inv.rows[0].value(cFirst) == "Zoé3", "a letter starts editing: screen %d, First name %q",
		r.active, inv.rows[0].value(cFirst))
}

// The same on every form that opened with the keyboard: Permissions, Away
// and Delete open on an empty user picker, and Away and Delete opened for a
// user show their form; the number keys switch screens from all of them
// until the operator types.
func TestFormsTakeTheKeyboardOnlyWhenEditing(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	r, m := f.start()
	for _, s := range []string{"4", "5", "6"} {
		m = press(m, s, "3")
		must(t, r.active == pendingScreen, "%s then 3 stays on screen %d, want Pending", s, r.active)
	}
	m = press(m, "6", "a", "n", "n", "3")
	d := r.screens[deleteScreen].(*deletion)
	must(t, r.active == deleteScreen && d.picker.input.Value() == "ann3", "typed into the picker: screen %d, %q",
		r.active, d.picker.input.Value())
	for _, s := range []string{"a", "d"} { // from Ann's row on Users
		m = press(m, "esc", "1", "/", "ann", "enter", s, "3")
		must(t, r.active == pendingScreen, "%s on Ann's row then 3 stays on screen %d, want Pending", s, r.active)
	}
	aw := r.screens[awayScreen].(*away)
	m = press(m, "5", "t", "o", "m", "o", "r", "r", "o", "w")
	must(t, aw.email == "ann.active@example.com" && aw.form.fields[aUntil].value() == "tomorrow",
		"a letter edits Ann's return date: %q", aw.form.fields[aUntil].value())
	press(m, "esc", "esc", "5", "i", "3")
	must(t, r.active == awayScreen, "i then 3 left Away for screen %d", r.active)
}

// An invitation from the form is written in the account's country's
// language unless the operator picks another, and carries the job title and
// reference ID asked for at invitation.
func TestInviteLanguageJobTitleAndReference(t *testing.T) {
	f := newFixture(t) // an account in FR
	r, m := f.start()
	m = press(m, "2", "Ann", "tab", "Archer", "tab", "ann@example.com", "tab", "tab", "tab", "tab",
		"Comptable", "tab", "E-0042", "ctrl+s")
	ann := f.user("ann@example.com")
	must(t, ann.Locale == "fr", "an invitation from an account in France is in %q", ann.Locale)
	must(t, ann.Position == "Comptable" && ann.ReferenceID == "E-0042", "job title %q, reference %q", ann.Position, ann.ReferenceID)
	// Another language for one row, with ←/→ in its column.
	press(m, "i", "tab", "tab", "bea@example.com", "tab", "tab", "tab", "tab", "tab", "tab", "right", "ctrl+s")
	must(t, f.user("bea@example.com").Locale == "en", "bea's language: %q", f.user("bea@example.com").Locale)
	f.exec(`UPDATE account SET country = 'GB'`)
	inv := r.screens[inviteScreen].(*invite)
	drive(m, func() tea.Msg { return refreshMsg{} })
	must(t, inv.rows[0].value(cLang) == "en", "a new row in a British account: %q", inv.rows[0].value(cLang))
}

// Staging and role mailboxes are for one batch: the next one invites, and
// refuses role mailboxes, unless asked again; the footer says what ctrl+s
// will do.
func TestInviteModesLastOneBatch(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	footer := func() string {
		t.Helper()
		v := ansi.Strip(r.View().Content)
		return v[strings.LastIndex(v, "\n")+1:]
	}
	m = press(m, "2", "ctrl+t", "ctrl+o", "i", "tab", "tab", "maintenance@example.com", "ctrl+n", "tab", "tab", "carl@example.com")
	must(t, strings.Contains(footer(), "ctrl+s stage 2"), "staged, the footer: %q", footer())
	m = press(m, "ctrl+s")
	must(t, f.user("maintenance@example.com").Status == store.Staged && f.user("carl@example.com").Status == store.Staged,
		"the batch is staged")
	m = press(m, "i", "tab", "tab", "support@example.com", "ctrl+n", "tab", "tab", "dina@example.com")
	// support@ is a role mailbox again, refused on its row: not counted.
	must(t, strings.Contains(footer(), "ctrl+s invite 1"), "the next batch, the footer: %q", footer())
	press(m, "ctrl+s")
	must(t, f.user("dina@example.com").Status == store.Invited, "the next batch is invited, not staged: %s", f.user("dina@example.com").Status)
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'support@example.com'`) == 0, "a role mailbox in the next batch was accepted")
}

// At 80x24 every column of the form shows, each as wide as what it holds;
// the space left stays on the right instead of widening the last column.
func TestInviteFitsIn80Columns(t *testing.T) {
	f := newFixture(t)
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = press(m, "2", "Ann", "tab", "Archer", "tab", "ann@example.com", "tab", "0612345678", "tab", "tab", "tab", "Comptable", "tab", "E-0042", "esc")
	v := ansi.Strip(r.View().Content)
	for _, want := range []string{"First", "Last", "Email", "Mobile", "Role", "Team", "Job title", "Ref ID", "Lang",
		"ann@example.com", "0612345678", "Comptable", "E-0042", " fr "} {
		must(t, strings.Contains(v, want), "%q is not drawn at 80x24:\n%s", want, v)
	}
	for _, l := range strings.Split(v, "\n") {
		must(t, ansi.StringWidth(l) <= 80, "a line is wider than 80: %q", l)
	}
	inv := r.screens[inviteScreen].(*invite)
	must(t, inv.widths()[cLang] == len("Lang"), "the last column is %d wide", inv.widths()[cLang])
	// Much more than fits: every column keeps a part, the lines stay in 80.
	press(m, "i", strings.Repeat("x", 60), "tab", strings.Repeat("y", 60), "tab", strings.Repeat("z", 60)+"@example.com")
	v = ansi.Strip(r.View().Content)
	must(t, strings.Contains(v, "Lang") && strings.Contains(v, "Job t"), "the columns on the right are gone:\n%s", v)
	for _, l := range strings.Split(v, "\n") {
		must(t, ansi.StringWidth(l) <= 80, "a line is wider than 80: %q", l)
	}
}

// Once the account has branches, the form has a Branch column after Team
// (still within 80 columns): a row names one, an unknown one is explained
// with the branches there are. Without branches the column is not drawn.
func TestInviteBranch(t *testing.T) {
	f := newFixture(t)
	for _, b := range []string{"Lyon", "Paris"} {
		must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: b}) == nil, "add %s", b)
	}
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = drive(m, m.Init())
	r := m.(*Model)
	m = press(m, "2", "Ann", "tab", "tab", "ann@example.com", "tab", "tab", "tab", "tab", "Lyom")
	inv := r.screens[inviteScreen].(*invite)
	drive(m, inv.check(inv.rows[0]))
	must(t, inv.rows[0].errs[cBranch] == `"Lyom" is not a branch (branches: Lyon, Paris)`, "branch error: %q", inv.rows[0].errs[cBranch])
	m = press(m, "backspace", "n", "esc")
	v := ansi.Strip(r.View().Content)
	must(t, strings.Contains(v, "Branch") && strings.Contains(v, "branches: Lyon, Paris"), "the form:\n%s", v)
	for _, l := range strings.Split(v, "\n") {
		must(t, ansi.StringWidth(l) <= 80, "a line is wider than 80: %q", l)
	}
	press(m, "ctrl+s")
	must(t, slices.Equal(f.user("ann@example.com").Branches, []string{"Lyon"}), "ann's branches: %q", f.user("ann@example.com").Branches)
}

// In French, an address mixing scripts names them in French: "des lettres
// latines et cyrilliques" (it said "Latin et Cyrillic", Go's names).
func TestInviteMixedScriptsInFrench(t *testing.T) {
	f := newFixture(t)
	s := f.session()
	s.p = i18n.For(i18n.French)
	m := newInvite(s)
	m.SetSize(130, 30)
	driveScreen(m, m.Init())
	var scr Screen = m
	for _, k := range []string{"i", "tab", "tab", "p\u0430ypal@example.com"} {
		scr = driveScreen(scr, func() tea.Msg { return keyMsg(k) })
	}
	v := ansi.Strip(scr.View())
	must(t, strings.Contains(v, "mêle des lettres latines et cyrilliques avant le @"), "the scripts are not named in French:\n%s", v)
}

// ctrl+s counts the rows it would invite: not a role mailbox with a bad
// phone, nor an address already on a row above; once those two are all
// that is left, it invites none.
func TestInviteCountsOnlyValidRows(t *testing.T) {
	f := newFixture(t)
	m := newInvite(f.session())
	m.SetSize(130, 30)
	driveScreen(m, m.Init())
	var scr Screen = m
	for _, k := range []string{"i", "tab", "tab", "ann@example.com", "ctrl+n", "tab", "tab", "maintenance@example.com", "tab", "+12",
		"ctrl+n", "tab", "tab", "ann@example.com"} {
		scr = driveScreen(scr, func() tea.Msg { return keyMsg(k) })
	}
	must(t, len(m.rows) == 3 && m.rows[2].value(cEmail) == "ann@example.com", "the rows: %d", len(m.rows))
	must(t, m.submitKey().Help().Desc == "invite 1", "with one valid row of 3: %q", m.submitKey().Help().Desc)
	driveScreen(scr, func() tea.Msg { return keyMsg("ctrl+s") })
	must(t, f.user("ann@example.com").Status == store.Invited && len(m.rows) == 2, "ann is invited and the 2 refused rows stay: %d", len(m.rows))
	must(t, m.submitKey().Help().Desc == "invite 0", "with only refused rows left: %q", m.submitKey().Help().Desc)
}

// A key typed while the rows are being sent waits for the outcome: 3 typed
// straight after ctrl+s opens Pending once the form has let go of the
// keyboard. The form dropped it.
func TestInviteKeyTypedDuringTheSubmission(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	m = press(m, "2", "Ann", "tab", "Archer", "tab", "ann@example.com")
	_, submit := m.Update(keyMsg("ctrl+s"))
	_, cmd := m.Update(keyMsg("3"))
	must(t, cmd == nil, "3 acted before the rows were sent")
	drive(m, submit)
	must(t, f.user("ann@example.com").Status == store.Invited, "ann is invited")
	must(t, r.active == pendingScreen, "3 typed during the submission left screen %d, want Pending", r.active)
}

// A To: line pasted in the email cell makes a row of each person in it,
// names filled in and the first row's role taken; one typed is spread as
// the cell is left, or as ctrl+s sends the rows.
func TestInvitePastedToLine(t *testing.T) {
	f := newFixture(t)
	r, m := f.start()
	m = press(m, "2", "i", "tab", "tab", "tab", "tab", "left", "shift+tab", "shift+tab") // row 1: role manager, back to the email cell
	inv := r.screens[inviteScreen].(*invite)
	line := `Marie Curie <marie@example.com>, "Dupont, Jean" <jean@example.com>, ann@example.com` + strings.Repeat(" ", 200)
	m = drive(m, func() tea.Msg { return tea.PasteMsg{Content: line} })
	must(t, len(inv.rows) == 3, "%d rows after the paste, want 3", len(inv.rows))
	for i, want := range [][3]string{{"Marie", "Curie", "marie@example.com"}, {"Jean", "Dupont", "jean@example.com"}, {"", "", "ann@example.com"}} {
		row := inv.rows[i]
		got := [3]string{row.value(cFirst), row.value(cLast), row.value(cEmail)}
		must(t, got == want && row.value(cRole) == "manager", "row %d: %q, %s", i+1, got, row.value(cRole))
	}
	must(t, inv.row == 0 && inv.col == cEmail && inv.Capturing(), "the cursor left the first row's email: row %d, column %d", inv.row, inv.col)

	m = press(m, "ctrl+n", "tab", "tab", "Bob Brown <bob@example.com>", "tab")
	must(t, len(inv.rows) == 4 && inv.rows[3].value(cFirst) == "Bob" && inv.rows[3].value(cLast) == "Brown" &&
		inv.rows[3].value(cEmail) == "bob@example.com", "the typed address left: %q %q %q",
		inv.rows[3].value(cFirst), inv.rows[3].value(cLast), inv.rows[3].value(cEmail))
	must(t, inv.row == 3 && inv.col == cPhone, "tab went on to row %d, column %d, not the phone", inv.row+1, inv.col)

	press(m, "ctrl+n", "tab", "tab", "cid@example.com; dan@example.com", "ctrl+s")
	for _, e := range []string{"marie@example.com", "jean@example.com", "ann@example.com", "bob@example.com", "cid@example.com", "dan@example.com"} {
		u := f.user(e)
		must(t, u != nil && u.Status == store.Invited, "%s is not invited", e)
	}
	must(t, f.user("marie@example.com").FirstName == "Marie" && f.user("marie@example.com").Role == "manager", "marie: %+v", f.user("marie@example.com"))
}
