package tui

import (
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// The Delete screen lists the away periods the user stands in for, which go
// to the heir; the Away screen warns when the chosen stand-in is away too.
func TestStandInsOnDeleteAndAway(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "Ada", "Away", "member", store.Active)
	f.addUser("ben@example.com", "Ben", "Standin", "member", store.Active)
	f.addUser("cat@example.com", "Cat", "Other", "member", store.Active)
	_, err := f.svc.SetAway(f.ctx, f.op, "ada@example.com", admin.AwayRequest{Until: f.svc.Now().Add(72 * time.Hour), StandIn: "ben@example.com"})
	must(t, err == nil, "%v", err)

	d := newDelete(f.session())
	d.SetSize(120, 40)
	driveScreen(d, d.OpenUser("ben@example.com"))
	must(t, strings.Contains(d.View(), "stand-in for ada@example.com from "), "delete:\n%s", d.View())

	a := newAway(f.session())
	a.SetSize(120, 40)
	driveScreen(a, a.OpenUser("cat@example.com"))
	a.form.fields[aStandIn].input.SetValue("ada@example.com")
	driveScreen(a, a.checkStandIn("ada@example.com"))
	must(t, strings.Contains(a.View(), "ada@example.com is away until") && strings.Contains(a.View(), "new work would go to ben@example.com"), "away:\n%s", a.View())
}
