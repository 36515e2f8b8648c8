package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// adaAwayForBen is three members, Ada away for three days with Ben as her
// stand-in, and Cat.
func adaAwayForBen(t *testing.T) *fixture {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Away", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Standin", "member", store.Active)
	f.addUser("cat@example.com", "Cat", "Other", "member", store.Active)
	_, err := f.svc.SetAway(f.ctx, f.op, "ada@example.com", admin.AwayRequest{Until: f.svc.Now().Add(72 * time.Hour), StandIn: "ben@example.com"})
	must(t, err == nil, "%v", err)
	return f
}

// The Delete screen lists the away periods the user stands in for, which go
// to the heir; the Away screen warns when the chosen stand-in is away too.
func TestStandInsOnDeleteAndAway(t *testing.T) {
	f := adaAwayForBen(t)

	d := newDelete(f.session())
	d.SetSize(120, 40)
	driveScreen(d, d.OpenUser("ben@example.com"))
	must(t, strings.Contains(d.View(), "stand-in for ada@example.com from "), "delete:\n%s", d.View())

	a := newAway(f.session())
	a.SetSize(120, 40)
	driveScreen(a, a.OpenUser("cat@example.com"))
	a.form.fields[aStandIn].input.SetValue("ada@example.com")
	driveScreen(a, a.checkStandIn())
	must(t, strings.Contains(a.View(), "ada@example.com is away until") && strings.Contains(a.View(), "new work would go to ben@example.com"), "away:\n%s", a.View())
}

// The stand-in picker starts from what the operator typed in the field, and
// enter on the note, the last field, keeps the cursor there.
func TestAwayStandInPickerKeepsTyping(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Able", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Standin", "member", store.Active)
	f.addUser("cat@example.com", "Cat", "Other", "member", store.Active)
	a := newAway(f.session())
	a.SetSize(80, 20)
	driveScreen(a, a.OpenUser("cat@example.com"))
	pressOn(a, "+", "3", "d", "enter", "b", "e", "enter")
	must(t, a.standIn != nil && a.standIn.input.Value() == "be", "the picker holds %q, want what was typed", a.standIn.input.Value())
	pressOn(a, "enter", "h", "i", "enter", "!")
	must(t, a.form.fields[aStandIn].value() == "ben@example.com", "stand-in %q, want ben, whom \"be\" finds", a.form.fields[aStandIn].value())
	must(t, a.form.focus == aNote && a.form.fields[aNote].value() == "hi!", "after enter on the note: field %d, note %q", a.form.focus, a.form.fields[aNote].value())
}

// A stand-in typed into the field rather than picked warns too, as it
// changes: a user who is away, and a team none of whose active members can
// take the work.
func TestAwayWarnsOfATypedStandIn(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Away", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Standin", "member", store.Active)
	f.addUser("cat@example.com", "Cat", "Other", "member", store.Active)
	must(t, f.svc.AddTeam(f.ctx, f.op, "Support") == nil, "add team")
	_, err := f.svc.Edit(f.ctx, f.op, "ada@example.com", 0, admin.Profile{AddTeams: []string{"Support"}})
	must(t, err == nil, "%v", err)
	_, err = f.svc.SetAway(f.ctx, f.op, "ada@example.com", admin.AwayRequest{Until: f.svc.Now().Add(72 * time.Hour), StandIn: "ben@example.com"})
	must(t, err == nil, "%v", err)

	a := newAway(f.session())
	a.SetSize(160, 40)
	driveScreen(a, a.OpenUser("cat@example.com"))
	pressOn(a, "+", "3", "d", "tab")
	pressOn(a, strings.Split("ada@example.com", "")...)
	must(t, strings.Contains(a.View(), "ada@example.com is away until") && strings.Contains(a.View(), "new work would go to ben@example.com"), "typed ada:\n%s", a.View())
	for range len("ada@example.com") {
		pressOn(a, "backspace")
	}
	must(t, !strings.Contains(a.View(), "warning"), "the field emptied, a warning stays:\n%s", a.View())
	pressOn(a, strings.Split("team:Support", "")...)
	must(t, strings.Contains(a.View(), "team:Support has nobody to take it (ada@example.com is away)") &&
		strings.Contains(a.View(), "new work would stay with cat@example.com, who is away"), "typed the team:\n%s", a.View())
}

// The stand-in picker offers each team in each branch ("Support, Lyon"):
// picked, the period's stand-in is the team's people in that branch.
func TestAwayStandInATeamInABranch(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Away", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Lyon", "member", store.Active)
	must(t, f.svc.AddTeam(f.ctx, f.op, "Support") == nil, "add team")
	for _, b := range []string{"Lyon", "Paris"} {
		must(t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: b}) == nil, "add branch")
	}
	_, err := f.svc.Edit(f.ctx, f.op, "ben@example.com", 0, admin.Profile{AddTeams: []string{"Support"}, AddBranches: []string{"Lyon"}})
	must(t, err == nil, "%v", err)
	a := newAway(f.session())
	a.SetSize(80, 24)
	driveScreen(a, a.OpenUser("ada@example.com"))
	pressOn(a, "+", "3", "d", "enter", "s", "u", "p", "space", "l", "y", "enter")
	must(t, a.standIn != nil && strings.Contains(a.View(), "team Support, Lyon") && !strings.Contains(a.View(), "team Support, Paris"),
		"the picker:\n%s", a.View())
	pressOn(a, "enter")
	must(t, a.form.fields[aStandIn].value() == "team:Support@Lyon", "stand-in %q", a.form.fields[aStandIn].value())
	driveScreen(a, a.save())
	ps, err := f.st.Read().AwayPeriods(f.ctx, f.user("ada@example.com").ID, f.svc.Now())
	must(t, err == nil && len(ps) == 1 && ps[0].StandIn == "team:Support@Lyon", "periods %+v, %v", ps, err)
	u, err := f.svc.Route(f.ctx, f.op, "ada@example.com")
	must(t, err == nil && u.Email == "ben@example.com", "routed to %v, %v", u, err)
}

// In a French session the warning about a stand-in who cannot take the
// work is French, its reasons too: it was said in English.
func TestAwayWarnsInFrench(t *testing.T) {
	f := adaAwayForBen(t)
	s := f.session()
	s.p = i18n.For(i18n.French)
	a := newAway(s)
	a.SetSize(160, 40)
	driveScreen(a, a.OpenUser("cat@example.com"))
	pressOn(a, append([]string{"+", "3", "d", "tab"}, strings.Split("ada@example.com", "")...)...)
	v := ansi.Strip(a.View())
	must(t, strings.Contains(v, "attention : ") && strings.Contains(v, "le nouveau travail irait à ben@example.com"), "no French warning:\n%s", v)
	must(t, !strings.Contains(v, "warning") && !strings.Contains(v, "is away until"), "the warning is in English:\n%s", v)
}

// The warning is for when the period is, and asks again as its dates
// change: Ben, Ada's stand-in, leaves in ten days, which a return in five
// does not meet, and one in eleven does.
func TestAwayWarnsForThePeriodsDates(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Away", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Standin", "member", store.Active)
	now := f.svc.Now()
	_, err := f.svc.SetAway(f.ctx, f.op, "ben@example.com", admin.AwayRequest{From: now.Add(10 * 24 * time.Hour), Until: now.Add(12 * 24 * time.Hour)})
	must(t, err == nil, "%v", err)
	a := newAway(f.session())
	a.SetSize(120, 40)
	driveScreen(a, a.OpenUser("ada@example.com"))
	pressOn(a, "+", "5", "d", "tab")
	for _, r := range "ben@example.com" {
		pressOn(a, string(r))
	}
	must(t, !strings.Contains(a.View(), "warning"), "Ben is here until Ada is back:\n%s", a.View())
	pressOn(a, "shift+tab", "backspace", "backspace", "1", "1", "d")
	v := strings.Join(strings.Fields(ansi.Strip(a.View())), " ") // the warning is wrapped
	must(t, strings.Contains(v, "warning: from ") && strings.Contains(v, "ben@example.com is away until") &&
		strings.Contains(v, "would stay with ada@example.com"), "back in eleven days:\n%s", v)
}

// esc esc on a filled-in Away form (leave the form, then the screen)
// asks before losing the period typed, as a user's page does: it was
// cleared at once, though esc says "back". n keeps it; y discards it and
// goes back.
func TestAwayEscAsksBeforeLosingTheForm(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Able", "member", store.Active)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("▸ Ada Able")
	tt.write("a+3d\tben\x1b\x1b")
	tt.wait("Discard your changes to ada@example.com? y/n")
	tt.write("n\x1b") // n keeps the form: esc asks again
	tt.wait("Discard your changes to ada@example.com? y/n", "Until      +3d")
	tt.write("y")
	tt.wait("▸ Ada Able")
	stop()
	a := r.screens[awayScreen].(*away)
	must(t, r.active == usersScreen, "y: the screen is %d, want Users", r.active)
	must(t, a.form.fields[aUntil].value() == "" && !a.Dirty(), "y: the form still holds until %q", a.form.fields[aUntil].value())
}

// threePeriods is a fixture where ada@example.com has three planned leaves,
// a day each, a day apart; ids are theirs, in order.
func threePeriods(t *testing.T) (*fixture, []int64) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Able", "member", store.Active)
	day := 24 * time.Hour
	var ids []int64
	for i := range 3 {
		from := f.svc.Now().Add(time.Duration(2*i+1) * day)
		p, err := f.svc.SetAway(f.ctx, f.op, "ada@example.com", admin.AwayRequest{From: from, Until: from.Add(day)})
		must(t, err == nil, "%v", err)
		ids = append(ids, p.ID)
	}
	return f, ids
}

// On a person's Away page, a period cancelled by someone else above the one
// under the cursor moves it up: the cursor goes with it, and x typed while
// the page is read again asks about that period, not the one moved under
// the cursor.
func TestAwayCursorStaysOnItsPeriod(t *testing.T) {
	f, ids := threePeriods(t)
	r, m := f.start()
	m = press(m, "a", "down")
	a := r.screens[awayScreen].(*away)
	second := a.user.AwayPeriods[1]
	must(t, a.periods.cur == 1 && second.ID == ids[1], "the cursor is on period %d", a.periods.cur)

	must(t, f.svc.CancelAway(f.ctx, f.op, "ada@example.com", ids[0]) == nil, "cancel the first period")
	m, reread := m.Update(refreshMsg{})
	m, _ = m.Update(keyMsg("x")) // typed while the page is read again
	drive(m, reread)
	want := "Cancel the period " + awayLine(a.s, second) + "?"
	must(t, a.confirm != nil && strings.HasPrefix(a.confirm.prompt, want), "x asks %+v, want %q", a.confirm, want)
}

// Keys typed while a person's Away page is read again were meant for the
// period under the cursor: when someone else cancelled it meanwhile, they
// do nothing, and the screen says so; x y cancelled the period below.
func TestAwayKeysForAPeriodGoneDoNothing(t *testing.T) {
	f, ids := threePeriods(t)
	r, m := f.start()
	m = press(m, "a", "down")
	a := r.screens[awayScreen].(*away)
	second := a.user.AwayPeriods[1]

	must(t, f.svc.CancelAway(f.ctx, f.op, "ada@example.com", ids[1]) == nil, "cancel the second period")
	m, reread := m.Update(refreshMsg{})
	for _, k := range []string{"x", "y"} { // typed while the page is read again
		m, _ = m.Update(keyMsg(k))
	}
	drive(m, reread)
	must(t, len(f.detail("ada@example.com").AwayPeriods) == 2, "the keys meant for the second period cancelled another")
	fr := strings.Join(strings.Fields(ansi.Strip(r.frame())), " ")
	want := "The period " + awayDates(a.s, second) + " is no longer listed: the keys typed meanwhile did nothing."
	must(t, strings.Contains(fr, want), "nothing said, want %q:\n%s", want, ansi.Strip(r.frame()))
}
