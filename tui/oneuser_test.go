package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"roster/store"
)

// The pickers of the one-user screens hand over the same way: esc before
// anyone was chosen goes back to the Users screen; a stand-in (or heir)
// chosen with enter before its results came fills the field, and the keys
// typed meanwhile go on into the next field.
func TestPickerHandOff(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	s := f.session()

	for _, scr := range []Screen{newAway(s), newDelete(s), newPerms(s)} {
		scr = driveScreen(scr, scr.Init())
		must(t, !scr.Capturing(), "%T: the empty user picker has the keyboard: the number keys cannot switch screens", scr)
		scr, _ = scr.Update(keyMsg("z"))
		must(t, scr.Capturing(), "%T: once typed into, the user picker has the keyboard", scr)
		scr.Update(keyMsg("esc"))
		o := s.opening
		must(t, o != nil && o.to == usersScreen, "%T: esc with no user chosen goes back to Users, got %#v", scr, o)
		s.opening = nil
		must(t, !scr.Capturing(), "%T: the picker is closed", scr)
	}

	a := newAway(s)
	driveScreen(a, a.OpenUser("ann.active@example.com"))
	a.form.activate(aStandIn)
	driveScreen(a, func() tea.Msg { return keyMsg("enter") }) // opens the stand-in picker, reads its first results
	must(t, a.standIn != nil, "enter on Stand-in opens the picker")
	var tick tea.Cmd
	for _, k := range []string{"b", "o", "b"} {
		_, tick = a.Update(keyMsg(k))
	}
	a.Update(keyMsg("enter")) // before the results for "bob"
	a.Update(keyMsg("H"))
	a.Update(keyMsg("i"))
	must(t, a.standIn != nil && len(a.standIn.queued) == 3, "enter and the keys after it wait for the results")
	driveScreen(a, tick)
	must(t, a.standIn == nil, "the choice closed the picker")
	must(t, a.form.fields[aStandIn].value() == "bob.backup@example.com", "stand-in %q", a.form.fields[aStandIn].value())
	must(t, a.form.focus == aNote && a.form.fields[aNote].value() == "Hi", "the queued keys went into the note: %q", a.form.fields[aNote].value())
}

// Keys that act on a picker's results wait for the results of the search
// typed before them: "bob" down enter, typed before bob's results came,
// picks the second bob, not the first result of whatever was shown.
func TestPickerKeysWaitForTheirResults(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	f.addUser("bob.second@example.com", "Bob", "Second", "member", store.Active)
	p := newPicker(f.session(), 1, "", false, "")
	var chosen *pick
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		for _, msg := range collect(cmd) {
			if c, next := p.update(msg); c != nil {
				chosen = c
			} else {
				run(next)
			}
		}
	}
	run(p.start())
	must(t, len(p.results) == 4 && p.results[0].value == "ann.active@example.com", "before typing: %v", p.results)
	var ticks []tea.Cmd
	for _, k := range []string{"b", "o", "b", "down", "enter"} {
		c, cmd := p.update(keyMsg(k))
		must(t, c == nil, "%s picked %v before bob's results came", k, c)
		ticks = append(ticks, cmd)
	}
	run(tea.Batch(ticks...))
	must(t, chosen != nil && chosen.value == "bob.second@example.com", "picked %+v, want the second bob", chosen)
}

// collect runs cmd and returns the messages it gives, batches opened.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// Keys typed right after picking the user on Permissions, Away and Delete
// act on that user's page once it is read, in order, whether they came
// before the picker's results (the picker held them) or after the pick.
func TestKeysAfterThePickWaitForTheUser(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
	// Ann owns a conversation: deleting her needs an heir, the field a
	// letter starts editing (with nothing to inherit it would be Confirm).
	if _, err := f.svc.AddConversation(f.ctx, f.op, "Broken phone", "ann.active@example.com"); err != nil {
		t.Fatal(err)
	}
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Ann Active")

	tt.write("4bob\r ") // the enter and the space wait in the picker for bob's results
	tt.wait("Permissions of Bob Backup", "(unsaved)")
	tt.write("\x1b") // discard
	tt.wait("Changes discarded.")
	tt.write("/ann")
	tt.wait("Ann Active")
	tt.write("\r ") // the results are shown: the space comes while ann is read
	tt.wait("Permissions of Ann Active", "(unsaved)")
	tt.write("\x1b")
	tt.wait("Changes discarded.")

	tt.write("5bob\r+3d") // + starts editing Until
	tt.wait("Away: Bob Backup", "reads as")
	tt.write("\x1b") // leaves the form
	tt.wait("enter fill in the form")
	tt.write("6ann\rbob") // a letter starts editing the heir
	tt.wait("Delete Ann Active")
	stop()

	p := r.screens[permsScreen].(*permissions)
	must(t, p.email == "ann.active@example.com" && !p.Dirty(), "perms: %s, dirty %v", p.email, p.Dirty())
	a := r.screens[awayScreen].(*away)
	must(t, a.email == "bob.backup@example.com" && a.form.fields[aUntil].value() == "+3d", "away: %s, until %q", a.email, a.form.fields[aUntil].value())
	d := r.screens[deleteScreen].(*deletion)
	must(t, d.email == "ann.active@example.com" && d.form.fields[dHeir].value() == "bob", "delete: %s, heir %q", d.email, d.form.fields[dHeir].value())
}

// A key typed right after the one that opens a user's screen from Users
// acts on that screen once the user is read: "p space" ticks a box on
// Permissions, "a" then "+3d" fills Until on Away.
func TestKeysAfterOpeningAUserActThere(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Ann Active")
	tt.write("p ")
	tt.wait("Permissions of Ann Active", "(unsaved)")
	tt.write("\x1b") // discards the change
	tt.wait("Changes discarded.")
	tt.write("\x1b") // back to Users
	tt.wait("/ to search")
	tt.write("a+3d")
	tt.wait("Away: Ann Active", "reads as")
	stop()
	a := r.screens[awayScreen].(*away)
	must(t, a.form.fields[aUntil].value() == "+3d", "until %q", a.form.fields[aUntil].value())
}
