package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/store"
)

// The Away screen opens on who is away, now and in the next 14 days, with
// where their work goes today, a page at a time; enter opens the person on
// the row; their page lists their periods over.
func TestAwayOverview(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {130, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t)
			day := 24 * time.Hour
			f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
			for i := range 25 {
				e := fmt.Sprintf("user%02d@example.com", i)
				f.addUser(e, "User", fmt.Sprint(i), "member", store.Active)
				r := admin.AwayRequest{Until: f.svc.Now().Add(time.Duration(i+1) * day)}
				if i == 0 {
					r.StandIn = "bob.backup@example.com"
				}
				if i >= 20 { // planned, later on
					r.From = f.svc.Now().Add(time.Duration(i-18) * day)
				}
				if _, err := f.svc.SetAway(f.ctx, f.op, e, r); err != nil {
					t.Fatal(err)
				}
				f.advance(time.Second)
			}
			tt := f.runAt(owner, size[0], size[1])
			tt.wait("Bob Backup")
			tt.typ("5")
			tt.wait("Who is away, now and in the next 14 days", "user00@example.com", "now–", "bob.backup@example.com",
				"no stand-in → nobody: work waits")
			for range 10 {
				tt.press("pgdown")
			}
			tt.wait("user24@example.com", "themselves, until they leave")
			tt.press("enter") // the row under the cursor, on the last page
			tt.wait("Away: User ")
		})
	}
}

// A user's page lists their periods over, newest first.
func TestUserPageShowsPastAway(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	for range 2 {
		if _, err := f.svc.SetAway(f.ctx, f.op, "ann.active@example.com", admin.AwayRequest{Until: f.svc.Now().Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		f.advance(48 * time.Hour)
	}
	s := f.session()
	d := newUserDetail(s, "ann.active@example.com", false, nil)
	d.SetSize(80, 24)
	d.Update(d.Init()())
	v := d.View()
	must(t, len(d.past) == 2 && d.past[0].Start.After(d.past[1].Start), "past periods %+v", d.past)
	must(t, containsAll(v, "Was away     from "+s.when(d.past[0].Start), "Was away     from "+s.when(d.past[1].Start)), "the page:\n%s", v)
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(ansi.Strip(s), p) {
			return false
		}
	}
	return true
}

// A period added by someone else that starts sooner goes above the one
// under the cursor: the cursor stays on its period, and enter typed while
// the overview is read again opens that person, not the one moved under it.
func TestAwayOverviewCursorStaysOnItsPeriod(t *testing.T) {
	f := newFixture(t)
	day := 24 * time.Hour
	for i, e := range []string{"ada@example.com", "ben@example.com"} {
		f.addUser(e, "User", fmt.Sprint(i), "member", store.Active)
		from := f.svc.Now().Add(time.Duration(i+1) * day)
		if _, err := f.svc.SetAway(f.ctx, f.op, e, admin.AwayRequest{From: from, Until: from.Add(day)}); err != nil {
			t.Fatal(err)
		}
	}
	f.addUser("eve@example.com", "Eve", "Early", "member", store.Active)
	r, m := f.start()
	m = press(m, "5", "down")
	a := r.screens[awayScreen].(*away)
	must(t, a.overview.chosen() == "ben@example.com", "the cursor is on %q", a.overview.chosen())

	// Eve is away from now: her period comes first.
	if _, err := f.svc.SetAway(f.ctx, f.op, "eve@example.com", admin.AwayRequest{Until: f.svc.Now().Add(day)}); err != nil {
		t.Fatal(err)
	}
	m, reread := m.Update(refreshMsg{})
	m, _ = m.Update(keyMsg("enter")) // typed while the overview is read again
	drive(m, reread)
	must(t, a.email == "ben@example.com", "enter opened %q, want ben, under the cursor", a.email)
}
