package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// The golden frames of the forms and lists of people (Invite, Pending,
// Permissions, the notification grid, Away), in both languages at 80x24
// and 160x45: go test ./tui -run TestGolden -update writes them.

func TestGoldenInviteEmpty(t *testing.T) {
	goldenScreen(t, nil, map[i18n.Lang]string{i18n.English: "Invite people", i18n.French: "Inviter des personnes"}, "2")
}

// Two rows, the second refused as it is typed: a role mailbox.
func TestGoldenInviteRows(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		if err := f.svc.AddTeam(f.ctx, f.op, "Support"); err != nil {
			t.Fatal(err)
		}
	}, map[i18n.Lang]string{i18n.English: "✗ email maintenance@example.com", i18n.French: "✗ e-mail maintenance@example.com"},
		"2", "i", "Ann", "tab", "Archer", "tab", "ann@example.com", "tab", "tab", "right",
		"ctrl+n", "tab", "tab", "maintenance@example.com", "tab", "tab", "tab", "Suport", "esc")
}

// A few pending invitations, one of them stuck (expired a day ago).
func TestGoldenPending(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.stuckMany(1, 0)
		f.advance(time.Hour)
		f.invite("ann.archer@example.com", "bob.baker@example.com")
		f.advance(2 * time.Hour)
		f.invite("cara.cook@example.com")
	}, map[i18n.Lang]string{i18n.English: "Pending invitations", i18n.French: "Invitations en attente"}, "3")
}

// The permissions of a member, picked on the Permissions screen.
func TestGoldenPermissions(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	}, map[i18n.Lang]string{i18n.English: "Permissions of Mia Member", i18n.French: "Permissions de Mia Member"},
		"4", "mia", "enter", "down", "space")
}

// A user's notifications, opened with N from their page, two boxes ticked.
func TestGoldenNotificationGrid(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.addUser("mia.member@example.com", "Mia", "Member", "member", store.Active)
	}, map[i18n.Lang]string{i18n.English: "Notifications of Mia Member", i18n.French: "Notifications de Mia Member"},
		"/", "mia", "enter", "enter", "N", "down", "space", "right", "space")
}

// A user's away status: the form, and a period planned with a stand-in.
func TestGoldenAway(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
		f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
		day := 24 * time.Hour
		r := admin.AwayRequest{From: f.svc.Now().Add(3 * day), Until: f.svc.Now().Add(10 * day),
			StandIn: "bob.backup@example.com", Note: "Client calls to Bob"}
		if _, err := f.svc.SetAway(f.ctx, f.op, "ann.active@example.com", r); err != nil {
			t.Fatal(err)
		}
	}, map[i18n.Lang]string{i18n.English: "Current and planned periods", i18n.French: "Périodes en cours et prévues"},
		"5", "ann", "enter")
}

// Who is away now and in the next 14 days.
func TestGoldenAwayOverview(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		day := 24 * time.Hour
		f.addUser("bob.backup@example.com", "Bob", "Backup", "member", store.Active)
		for i, e := range []string{"ann.active@example.com", "carl.cook@example.com", "dee.dale@example.com"} {
			f.addUser(e, "User", e, "member", store.Active)
			r := admin.AwayRequest{Until: f.svc.Now().Add(time.Duration(i+2) * day)}
			switch i {
			case 0:
				r.StandIn = "bob.backup@example.com"
			case 2:
				r.From, r.Until = f.svc.Now().Add(4*day), f.svc.Now().Add(9*day)
			}
			if _, err := f.svc.SetAway(f.ctx, f.op, e, r); err != nil {
				t.Fatal(err)
			}
		}
	}, map[i18n.Lang]string{i18n.English: "Who is away, now and in the next 14 days", i18n.French: "Qui est absent"}, "5")
}

// frenchSession is the owner's session, in French.
func (f *fixture) frenchSession() *session {
	s := f.session()
	s.p = i18n.For(i18n.French)
	return s
}

// annAwayInFrench is the Away screen in French, on Ann's page.
func annAwayInFrench(t *testing.T) (*fixture, Screen) {
	f := newFixture(t)
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	var m Screen = newAway(f.frenchSession())
	m.SetSize(100, 40)
	return f, driveScreen(m, m.(*away).OpenUser("ann.active@example.com"))
}

// In French, a planned period is planned: the form tells When's choices
// apart by position, not by their English words; the outcome is French.
func TestAwayPlannedInFrench(t *testing.T) {
	f, m := annAwayInFrench(t)
	for _, k := range []string{"enter", "up", "up", "right", "tab", "2026-12-24", "tab", "2026-12-31", "ctrl+s"} {
		m = driveScreen(m, func() tea.Msg { return keyMsg(k) })
	}
	d := f.detail("ann.active@example.com")
	must(t, len(d.AwayPeriods) == 1 && d.AwayPeriods[0].Start.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.Local)),
		"periods: %+v\n%s", d.AwayPeriods, ansi.Strip(m.View()))
	v := ansi.Strip(m.View())
	must(t, strings.Contains(v, "Enregistré : ann.active@example.com est absent") && strings.Contains(v, "[absent] prévu"),
		"after saving:\n%s", v)
}

// In French, a date the Away form cannot read is said in French beside
// the field, as the operator types it.
func TestAwayDateErrorInFrench(t *testing.T) {
	_, m := annAwayInFrench(t)
	for _, k := range []string{"enter", "la semaine prochaine"} {
		m = driveScreen(m, func() tea.Msg { return keyMsg(k) })
	}
	v := ansi.Strip(m.View())
	must(t, strings.Contains(v, "écrivez 2026-12-24") && !strings.Contains(v, "write 2026-12-24"), "a bad date:\n%s", v)
}

// Pending asks in French with the French count: a plural from 2, a space
// in thousands; one stuck invitation is singular.
func TestPendingAsksInFrench(t *testing.T) {
	p := i18n.For(i18n.French)
	stuck := pendingBatch{act: admin.ResendInvitations, stuck: true}
	for _, tc := range []struct {
		b    pendingBatch
		n    int
		want string
	}{
		{stuck, 2100, "Renvoyer les 2\u00a0100 invitations bloquées ? y/n"},
		{stuck, 1, "Renvoyer 1 invitation bloquée ? y/n"},
		{pendingBatch{act: admin.RevokeInvitations, emails: []string{"a@example.com"}}, 1,
			"Révoquer l'invitation d'a@example.com ? Les comptes invités sont supprimés. y/n"},
	} {
		got := tc.b.question(p, tc.n, false)
		must(t, got == tc.want, "got %q, want %q", got, tc.want)
	}
	must(t, stuck.question(i18n.For(i18n.English), 2100, false) == "Resend all 2,100 stuck invitations? y/n", "English: %q",
		stuck.question(i18n.For(i18n.English), 2100, false))
}

// Every permission of the catalogue, its group and its description, and
// every notification event, are in French on the screens.
func TestCataloguesInFrench(t *testing.T) {
	p := i18n.For(i18n.French)
	for _, c := range admin.Catalogue {
		for _, s := range []string{c.Group, c.Label, c.Description} {
			must(t, p.T(s) != s || s == "Coaching", "%s: %q has no French text", c.ID, s)
		}
	}
	for _, r := range admin.Roles {
		must(t, p.T(r) != r, "role %q has no French text", r)
	}
	for _, e := range admin.Events {
		must(t, admin.NotifyPref{Event: e.ID}.LabelIn(p) == e.Texts["fr"].Label, "%s: %q", e.ID, admin.NotifyPref{Event: e.ID}.LabelIn(p))
	}
	for _, s := range []string{store.OutboxQueued, store.OutboxSending, store.OutboxSent, store.OutboxDeferred, store.OutboxFailed, store.OutboxCancelled} {
		must(t, p.T(s) != s, "mail state %q has no French text", s)
	}
}
