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
