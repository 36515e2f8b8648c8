package main

// End-to-end tests: the built binary in tmux, typed at with send-keys and read
// with capture-pane; roster serve through OpenSSH's client; the invitation
// pages in headless chromium. Each action is checked afterwards with the
// command line, as an operator would.

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestE2EDashboardInTmux is issue 4's "done when": on a fresh database, the
// first-run setup, then by keys only: invite two people of whom one is a role
// mailbox that is refused, resend a stuck invitation, tick two permissions,
// set an away period with a stand-in and delete a user with an heir.
func TestE2EDashboardInTmux(t *testing.T) {
	need(t, "tmux")
	e := newE2E(t)
	x := newTmux(e)
	p := x.start("dashboard", 120, 40, e.bin, "--db", e.db)

	// First run: the organisation and its owner; enter on the last field creates them.
	p.waitFor("Welcome to roster", "Organisation")
	p.typ("Acme")
	p.keys("Enter")
	p.typ("boss@acme.test")
	p.keys("Enter")
	p.typ("Big")
	p.keys("Enter")
	p.typ("Boss")
	p.keys("Enter")
	p.waitFor("acting as boss@acme.test (tui)", "1 Users", "Acme")

	// Meanwhile, with the command line: hugo and dora have accepted their
	// invitations, dora owns a conversation, and sam's invitation is stuck:
	// expired, and sent over a minute ago, so that it may be resent now.
	e.cli("invite", "hugo@acme.test", "--first", "Hugo", "--last", "Heir")
	e.cli("invite", "dora@acme.test", "--first", "Dora", "--last", "Leaving")
	e.cli("invite", "sam@acme.test", "--first", "Sam", "--last", "Stuck")
	now := time.Now().Unix()
	sqlExec(t, e.db, "UPDATE users SET status = 'active', activated_at = ? WHERE email IN ('hugo@acme.test', 'dora@acme.test')", now)
	sqlExec(t, e.db, "UPDATE tokens SET expires_at = ?, created_at = created_at - 120 WHERE user_id = (SELECT id FROM users WHERE email = 'sam@acme.test')", now-3600)
	e.cli("conversations", "add", "--subject", "Order 42", "--to", "dora@acme.test")
	// The Users screen sees the other process's changes by itself.
	p.waitFor("sam@acme.test", "dora@acme.test", "hugo@acme.test")

	// Invite: Ann on the first row, the maintenance mailbox on a second one,
	// refused as it is typed and again when the invitations are sent.
	p.keys("2")
	p.waitFor("Invite people", "First name")
	p.typ("Ann")
	p.keys("Tab")
	p.typ("Archer")
	p.keys("Tab")
	p.typ("ann@acme.test")
	p.keys("C-n")
	p.typ("Mae")
	p.keys("Tab")
	p.typ("Tenance")
	p.keys("Tab")
	p.typ("maintenance@acme.test")
	p.waitFor("maintenance@acme.test is a role or department mailbox")
	p.keys("C-s")
	p.waitFor("✓ ann@acme.test invited", "✗ maintenance@acme.test: email maintenance@acme.test is a role or department mailbox")
	p.keys("Escape")
	p.waitFor("enter fill in the form")

	// Pending: only the stuck ones, then r resends the one under the cursor.
	p.keys("3")
	p.waitFor("Pending invitations", "ann@acme.test", "sam@acme.test")
	p.keys("s")
	screen := p.waitFor("Stuck invitations", "sam@acme.test", "expired")
	if strings.Contains(screen, "ann@acme.test") {
		t.Fatalf("ann's fresh invitation is listed as stuck:\n%s", screen)
	}
	p.keys("r")
	p.waitFor("1 of 1 sent.", "sam@acme.test: sent", "Nothing is stuck.")

	// Permissions: choose Ann, tick "Invite people" (the first box) and
	// "Everyone's conversations" (five below), review, save.
	p.keys("4")
	p.waitFor("Permissions: choose a user", "whose permissions?")
	p.typ("ann")
	p.waitFor("Ann Archer <ann@acme.test>")
	p.keys("Enter")
	p.waitFor("Permissions of Ann Archer <ann@acme.test>", "[ ]  Invite people", "[ ]  Everyone's conversations")
	p.keys("Space", "j", "j", "j", "j", "j", "Space")
	p.waitFor("[x]* Invite people", "[x]* Everyone's conversations", "(unsaved)")
	p.keys("Enter")
	p.waitFor("Before saving:", "+ users.invite", "+ data.all")
	p.keys("Enter")
	p.waitFor("Saved: ann@acme.test is member; added ", "users.invite", "data.all")

	// Away: Ann for a week, Hugo standing in, with a note.
	p.keys("5")
	p.waitFor("Away: choose a user", "who is away?")
	p.typ("ann")
	p.waitFor("Ann Archer <ann@acme.test>")
	p.keys("Enter")
	p.waitFor("Away: Ann Archer <ann@acme.test>", "Until")
	p.typ("+7d")
	p.keys("Tab")
	p.waitFor("enter: find a user or a team")
	p.keys("Enter")
	p.waitFor("stand-in: a name, an email or a team")
	p.typ("hugo")
	p.waitFor("Hugo Heir <hugo@acme.test>")
	p.keys("Enter")
	p.waitFor("Stand-in   hugo@acme.test")
	p.typ("holidays")
	p.keys("C-s")
	p.waitFor("Saved: ann@acme.test is away from", "stand-in hugo@acme.test: holidays  (now)")

	// Delete: Dora, whose conversation goes to Hugo.
	p.keys("6")
	p.waitFor("Delete: choose a user", "whom to delete?")
	p.typ("dora")
	p.waitFor("Dora Leaving <dora@acme.test>")
	p.keys("Enter")
	p.waitFor("Delete Dora Leaving <dora@acme.test>", "Owns 1 conversations (1 open)", "conversation: Order 42")
	p.keys("Enter")
	p.waitFor("heir: a name or an email")
	p.typ("hugo")
	p.waitFor("Hugo Heir <hugo@acme.test>")
	p.keys("Enter")
	p.waitFor("Heir     hugo@acme.test")
	p.typ("dora@acme.test")
	p.keys("Enter")
	p.waitFor("Deleted dora@acme.test: 1 conversations and 0 automated replies went to hugo@acme.test.")

	// The refused row is still on the Invite screen: quitting asks first.
	p.keys("q")
	p.waitFor("There are unsaved changes. Quit anyway?")
	p.keys("y")
	if status := p.waitExit(); status != 0 {
		t.Fatalf("roster exited with %d; %s", status, p.report())
	}
	p.checkStderr()

	// Now the command line checks each result.
	e.cliFails("not found", "user", "maintenance@acme.test")
	ann := cliJSON[e2eUser](e, "user", "ann@acme.test")
	if ann.Status != "invited" || ann.Role != "member" {
		t.Errorf("ann is %s %s, want an invited member", ann.Status, ann.Role)
	}
	perms := slices.Sorted(slices.Values(ann.Perms))
	if want := []string{"analytics.own", "data.all", "data.team", "users.invite"}; !slices.Equal(perms, want) {
		t.Errorf("ann's permissions %v, want the member's preset and the two ticked: %v", perms, want)
	}
	if !ann.Away || len(ann.AwayPeriods) != 1 {
		t.Fatalf("ann: away %v, periods %+v; want one current period", ann.Away, ann.AwayPeriods)
	}
	period := ann.AwayPeriods[0]
	if period.StandIn != "hugo@acme.test" || period.Note != "holidays" {
		t.Errorf("ann's period: stand-in %q, note %q", period.StandIn, period.Note)
	}
	if d := time.Until(period.End); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("ann's period ends %v, want in about a week", period.End)
	}

	invites := cliJSON[[]e2eInvitation](e, "invites")
	var sam *e2eInvitation
	for i := range invites {
		if invites[i].Email == "sam@acme.test" {
			sam = &invites[i]
		}
	}
	if sam == nil || sam.TimesSent != 2 || sam.Expired || sam.Stuck || time.Until(sam.ExpiresAt) < time.Hour {
		t.Errorf("sam's invitation after the resend: %+v; want sent twice, with a new, unexpired link", sam)
	}

	e.cliFails("not found", "user", "dora@acme.test")
	hugo := cliJSON[e2eUser](e, "user", "hugo@acme.test")
	if len(hugo.Conversations) != 1 || hugo.Conversations[0].Subject != "Order 42" {
		t.Errorf("hugo's conversations %+v, want dora's Order 42", hugo.Conversations)
	}

	// Each action of the dashboard is audited as the owner through the
	// channel tui; what the command line did, through cli.
	want := map[string]bool{
		"account.init boss@acme.test": false, "user.invite ann@acme.test": false, "invite.resend sam@acme.test": false,
		"user.perms ann@acme.test": false, "away.set ann@acme.test": false, "user.delete dora@acme.test": false,
	}
	for _, a := range cliJSON[[]e2eAudit](e, "audit", "--limit", "100") {
		key := a.Action + " " + a.Target
		if strings.Contains(a.Target, "maintenance") {
			t.Errorf("the refused role mailbox was audited: %+v", a)
		}
		if a.Channel != "tui" {
			if _, ok := want[key]; ok || a.Channel != "cli" {
				t.Errorf("audit %s through %q", key, a.Channel)
			}
			continue
		}
		if _, ok := want[key]; !ok || a.Actor != "boss@acme.test" {
			t.Errorf("unexpected audit row from the dashboard: %+v", a)
		}
		want[key] = true
	}
	for key, seen := range want {
		if !seen {
			t.Errorf("no audit row %s through the channel tui", key)
		}
	}
}
