package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/store"
)

// prefs is how each event reaches email, as admin reads them: "email,sms"
// or "off".
func (f *fixture) prefs(email string) map[string]string {
	f.t.Helper()
	ps, err := f.svc.NotifyPrefs(f.ctx, f.op, email)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.Event] = strings.Join(p.Channels, ",")
		if out[p.Event] == "" {
			out[p.Event] = "off"
		}
	}
	return out
}

// openNotify opens email's page on the Users screen, then its
// notifications (N), in a dashboard of the given size.
func (f *fixture) openNotify(email string, w, h int) (*Model, tea.Model) {
	f.t.Helper()
	var m tea.Model = New(f.ctx, f.options(owner))
	m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m = drive(m, m.Init())
	r := m.(*Model)
	u := r.screens[usersScreen].(*users)
	for i := 0; u.selected() != nil && u.selected().Email != email && i < 5; i++ {
		m = press(m, "down")
	}
	must(f.t, u.selected() != nil && u.selected().Email == email, "the cursor is not on %s", email)
	m = press(m, "enter", "N")
	must(f.t, u.detail != nil && u.detail.notify != nil && u.detail.notify.user != nil, "N opened no grid:\n%s", ansi.Strip(r.frame()))
	return r, m
}

// The grid of events by channels, on a user's page: the Permissions
// screen's keys tick boxes (→ to the sms column), enter shows what changes
// and saves it through admin, audited; security notices do not move and
// say why. At 80x24 every line fits and every event shows (the golden
// frames, in both languages, are TestGoldenNotificationGrid's).
func TestNotificationGrid(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t)
			const mia = "mia.member@example.com"
			f.addUser(mia, "Mia", "Member", "member", store.Active)
			r, m := f.openNotify(mia, size[0], size[1])
			// invitation.accepted: email off, sms on
			m = press(m, "down", "space", "right", "space")
			// security.permissions (the eighth event) stays on
			m = press(m, "G", "up", "left", "space")
			fr := ansi.Strip(r.frame())
			must(t, strings.Contains(fr, "Locked: "+notifyLocked+"."), "space on a security notice:\n%s", fr)
			for i, l := range strings.Split(fr, "\n") {
				must(t, ansi.StringWidth(l) <= size[0], "line %d is %d wide:\n%s", i, ansi.StringWidth(l), fr)
			}
			must(t, strings.Count(fr, "\n") < size[1], "%d lines:\n%s", strings.Count(fr, "\n")+1, fr)
			for _, e := range admin.Events {
				must(t, strings.Contains(fr, e.Texts["en"].Label), "%s is not shown:\n%s", e.ID, fr)
			}

			m = press(m, "enter")
			fr = ansi.Strip(r.frame())
			must(t, strings.Contains(fr, "invitation.accepted  email → sms"), "review:\n%s", fr)
			must(t, f.prefs(mia)["invitation.accepted"] == "email", "saved before enter")
			press(m, "enter")
			fr = ansi.Strip(r.frame())
			must(t, strings.Contains(fr, "Saved: invitation.accepted=sms."), "after saving:\n%s", fr)
			p := f.prefs(mia)
			must(t, p["invitation.accepted"] == "sms" && p["security.permissions"] == "email", "prefs %v", p)
			var actor, channel string
			must(t, f.raw.QueryRow(`SELECT actor_email, channel FROM audit WHERE action = 'notify.set'`).Scan(&actor, &channel) == nil, "no audit row")
			must(t, actor == owner && channel == admin.ChannelTUI, "audited as %s via %s", actor, channel)
		})
	}
}

// A grid saved after the user changed elsewhere meets the conflict error,
// changes nothing, and saves once reloaded (ctrl+r).
func TestNotificationGridStaleSave(t *testing.T) {
	f := newFixture(t)
	const mia = "mia.member@example.com"
	f.addUser(mia, "Mia", "Member", "member", store.Active)
	r, m := f.openNotify(mia, 130, 40)
	pos := "Buyer"
	_, err := f.svc.Edit(f.ctx, admin.Actor{Email: owner, Channel: admin.ChannelCLI}, mia, 0, admin.Profile{Position: &pos})
	must(t, err == nil, "%v", err)
	m = press(m, "down", "space", "enter", "enter")
	fr := ansi.Strip(r.frame())
	must(t, strings.Contains(fr, "was changed by "+owner) && strings.Contains(fr, "ctrl+r"), "stale save:\n%s", fr)
	must(t, f.prefs(mia)["invitation.accepted"] == "email", "a stale save changed the prefs")
	press(m, "ctrl+r", "space", "enter", "enter") // the cursor stays on invitation.accepted
	must(t, f.prefs(mia)["invitation.accepted"] == "off", "after ctrl+r: %v\n%s", f.prefs(mia), ansi.Strip(r.frame()))
}

// mel is the member whose My settings newMySettings opens.
const mel = "mel.member@example.com"

// newMySettings opens My settings of mel, a member, at 80x24, read.
func newMySettings(t *testing.T) (*fixture, tea.Model) {
	f := newFixture(t)
	f.addUser(mel, "Mel", "Member", "member", store.Active)
	var m tea.Model = NewMySettings(f.ctx, Options{Service: f.svc, Operator: mel, Channel: admin.ChannelSSH, Width: 80, Height: 24})
	return f, drive(m, m.Init())
}

// My settings, the whole program of a user who administers nobody: their
// profile in brief and their own grid, which saves as theirs; q does not
// quit over unsaved boxes, and does once they are discarded.
func TestMySettings(t *testing.T) {
	f, m := newMySettings(t)
	frame := func() string { return ansi.Strip(m.(*mySettings).frame()) }
	fr := frame()
	for _, want := range []string{"acting as mel.member@example.com (ssh)", "My settings", "Me  Mel Member <mel.member@example.com> · member · no team",
		"Notifications of Mel Member", "Someone I invited accepted", "q quit"} {
		must(t, strings.Contains(fr, want), "My settings lacks %q:\n%s", want, fr)
	}
	for i, l := range strings.Split(fr, "\n") {
		must(t, ansi.StringWidth(l) <= 80, "line %d is %d wide:\n%s", i, ansi.StringWidth(l), fr)
	}
	must(t, strings.Count(fr, "\n") < 24, "%d lines:\n%s", strings.Count(fr, "\n")+1, fr)
	m = press(m, "j", "space")
	_, cmd := m.Update(keyMsg("q"))
	must(t, cmd == nil && strings.Contains(frame(), "Save (enter) or discard (esc) your changes first."), "q over unsaved boxes:\n%s", frame())
	m = press(m, "enter", "enter")
	must(t, strings.Contains(frame(), "Saved: invitation.accepted=off."), "after saving:\n%s", frame())
	var actor, channel string
	must(t, f.raw.QueryRow(`SELECT actor_email, channel FROM audit WHERE action = 'notify.set'`).Scan(&actor, &channel) == nil, "no audit row")
	must(t, actor == mel && channel == admin.ChannelSSH, "audited as %s via %s", actor, channel)
	m = press(m, "space")
	m.Update(keyMsg("esc"))
	_, cmd = m.Update(keyMsg("q"))
	_, quits := cmd().(tea.QuitMsg)
	must(t, quits, "q with nothing unsaved does not quit")
}

// In My settings at 80x24, ? lists every key, as the dashboard's does: it
// showed the first row of the help and cut the rest.
func TestMySettingsHelpShowsEveryKey(t *testing.T) {
	_, m := newMySettings(t)
	m = press(m, "?")
	s := m.(*mySettings)
	showsEveryKey(t, "My settings", ansi.Strip(s.frame()), 24, (mySettingsKeys{s}).FullHelp())
}

// Keys typed in My settings before the save they follow is done wait for
// it: q straight after the enter that saves quits once the save is written.
// It was dropped while the grid saved, and the SSH session stayed open.
func TestMySettingsQuitTypedDuringTheSave(t *testing.T) {
	f, m := newMySettings(t)
	m = press(m, "j", "space", "enter")
	_, save := m.Update(keyMsg("enter"))
	_, quit := m.Update(keyMsg("q"))
	must(t, quit == nil, "q quit before the save was done")
	quits := false
	for queue := []tea.Cmd{save}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == nil {
			continue
		}
		switch msg := queue[0]().(type) {
		case tea.QuitMsg:
			quits = true
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case nil:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
	must(t, f.prefs(mel)["invitation.accepted"] == "off", "the save was not written: %v", f.prefs(mel))
	must(t, quits, "q typed during the save did not quit once it was done")
}

// On a user's page, keys typed while the grid saves wait for the save and
// then act, in order: the next box ticked and saved in the same burst is
// saved too. They were dropped.
func TestNotificationGridKeysTypedDuringTheSave(t *testing.T) {
	f := newFixture(t)
	const mia = "mia.member@example.com"
	f.addUser(mia, "Mia", "Member", "member", store.Active)
	_, m := f.openNotify(mia, 130, 40)
	next := admin.Events[2].ID
	before := f.prefs(mia)[next]
	m = press(m, "down", "space", "enter")
	_, save := m.Update(keyMsg("enter"))
	for _, k := range []string{"down", "space", "enter", "enter"} {
		_, cmd := m.Update(keyMsg(k))
		must(t, cmd == nil, "%s acted before the save was done", k)
	}
	drive(m, save)
	p := f.prefs(mia)
	must(t, p["invitation.accepted"] == "off", "the first save: %v", p)
	must(t, p[next] != before, "the keys typed during the save were lost: %s is still %s", next, before)
}

// In My settings over SSH, esc q written at once (read as alt+q) discards
// the box ticked, then quits, as on the dashboard: both keys were dropped,
// and the session stayed open.
func TestMySettingsEscThenQuitInOneWrite(t *testing.T) {
	f := newFixture(t)
	const mel = "mel.member@example.com"
	f.addUser(mel, "Mel", "Member", "member", store.Active)
	r, w := io.Pipe()
	fr := &frames{}
	m := NewMySettings(f.ctx, Options{Service: f.svc, Operator: mel, Channel: admin.ChannelSSH})
	p := tea.NewProgram(recorder{m, fr}, tea.WithContext(f.ctx), tea.WithInput(r), tea.WithOutput(io.Discard),
		tea.WithWindowSize(80, 24), tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	done := make(chan struct{})
	go func() { p.Run(); close(done) }()
	t.Cleanup(func() { p.Kill(); w.Close(); <-done })
	tt := &tty{t: t, fr: fr, in: w}
	tt.wait("Someone I invited accepted")
	tt.write("j ")
	tt.wait("(unsaved)")
	tt.write("\x1bq")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("esc q did not quit; the last frame:\n%s", tt.last())
	}
	must(t, !m.(*mySettings).grid.dirty(), "esc did not discard the box ticked")
}
