package admin

import (
	"strings"
	"testing"
	"time"

	"roster/i18n"
	"roster/store"
)

// The Away overview lists who is away now and who will be within the
// window, by start, with where their new work goes today: the stand-in, the
// team member routing picks, nobody (the work waits), or themselves while
// they are not away yet. Past periods stay on the person's own history.
func TestAwayOverview(t *testing.T) {
	f := newFixture(t)
	day := 24 * time.Hour
	for _, e := range []string{"ann@example.com", "bob@example.com", "cat@example.com", "dan@example.com", "eve@example.com",
		"fay@example.com", "gus@example.com", "hal@example.com"} {
		f.addUser(e, "member", store.Active)
	}
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	_, err := f.svc.Edit(f.ctx, f.owner, "dan@example.com", 0, Profile{AddTeams: []string{"Support"}})
	must(t, err)
	away := func(email string, from, until time.Duration, standIn string) {
		t.Helper()
		r := AwayRequest{StandIn: standIn}
		if from > 0 {
			r.From = f.now().Add(from)
		}
		if until > 0 {
			r.Until = f.now().Add(until)
		}
		_, err := f.svc.SetAway(f.ctx, f.owner, email, r)
		must(t, err)
	}
	away("hal@example.com", 0, 2*day, "") // over before the overview is read
	f.advance(3 * day)
	away("ann@example.com", 0, 5*day, "bob@example.com") // now, a stand-in
	f.advance(time.Minute)
	away("cat@example.com", 0, 0, "team:Support") // now, until further notice: dan takes it
	f.advance(time.Minute)
	away("eve@example.com", 0, 3*day, "") // now, nobody: work waits
	away("fay@example.com", 6*day, 9*day, "bob@example.com")
	away("gus@example.com", 20*day, 25*day, "") // past the 14 days

	rows := func(es []AwayEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Email+" "+map[bool]string{true: "now", false: "later"}[e.AwayNow]+" "+e.StandIn+" → "+e.WorkText(i18n.For(i18n.English)))
		}
		return strings.Join(out, "\n")
	}
	want := strings.Join([]string{
		"ann@example.com now bob@example.com → bob@example.com",
		"cat@example.com now team:Support → dan@example.com",
		"eve@example.com now  → nobody: work waits",
		"fay@example.com later bob@example.com → themselves, until they leave",
	}, "\n")
	all, err := f.svc.AwayOverview(f.ctx, f.owner, time.Time{}, time.Time{}, store.AwayAfter{}, 100)
	must(t, err)
	if got := rows(all); got != want {
		t.Fatalf("overview:\n%s\nwant:\n%s", got, want)
	}
	// A page at a time, the same rows.
	var paged []AwayEntry
	var after store.AwayAfter
	for {
		page, err := f.svc.AwayOverview(f.ctx, f.owner, time.Time{}, time.Time{}, after, 3)
		must(t, err)
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = store.AwayAfter{Start: page[len(page)-1].Start, ID: page[len(page)-1].ID}
	}
	if got := rows(paged); got != want {
		t.Fatalf("paged overview:\n%s", got)
	}
	// A window of the past and beyond: hal's period and gus's.
	es, err := f.svc.AwayOverview(f.ctx, f.owner, f.now().Add(-4*day), f.now().Add(30*day), store.AwayAfter{}, 100)
	must(t, err)
	if len(es) != 6 || es[0].Email != "hal@example.com" || es[5].Email != "gus@example.com" {
		t.Fatalf("wide window:\n%s", rows(es))
	}
	_, err = f.svc.AwayOverview(f.ctx, f.owner, f.now(), f.now().Add(-day), store.AwayAfter{}, 100)
	wantInput(t, err, "until", "is not after")

	// hal's history: the period over, newest first.
	away("hal@example.com", 0, day, "")
	f.advance(2 * day)
	past, err := f.svc.PastAway(f.ctx, f.owner, "hal@example.com", 5)
	must(t, err)
	if len(past) != 2 || !past[0].Start.After(past[1].Start) {
		t.Fatalf("hal's past periods: %+v", past)
	}
}
