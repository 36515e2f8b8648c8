package admin

import (
	"fmt"
	"strings"
	"testing"

	"roster/store"
)

// A bulk invitation invites every valid row and reports each invalid one
// with its reason, in one transaction.
func TestBulkInvite(t *testing.T) {
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Ventes Paris"))
	f.addUser("ada.active@example.com", "member", store.Active)
	rows := []NewUser{
		{Email: "camille.martin@example.com", FirstName: "Camille", LastName: "Martin", Role: "manager", Teams: []string{"ventes paris"}, Phone: "06 12 34 56 78", Locale: "fr"},
		{Email: "not-an-address"},
		{Email: "maintenance@example.com"},
		{Email: "ADA.ACTIVE@example.com"},
		{Email: "Camille.Martin@EXAMPLE.com"},
		{Email: "leo.roux@example.com", Role: "boss"},
		{Email: "lea.petit@example.com", Teams: []string{"Marketing"}},
		{Email: "hugo.blanc@example.com", FirstName: "Hugo\x1b[2J"},
		{Email: "emma.moreau@example.com", Phone: "06 12"},
		{Email: "  noah.fournier@example.com ", Position: "Comptable", ReferenceID: "E-0042"},
		{Email: "chloe.girard@example.com", Locale: "de"},
		{Email: "josé@example.com"},
		{Email: "jose@example.com"}, // another address: accents are not case
	}
	want := []struct {
		ok           bool
		field, about string
	}{
		{true, "", ""},
		{false, "email", "no @"},
		{false, "email", "role or department mailbox"},
		{false, "email", "already a user"},
		{false, "email", "also on row 1"},
		{false, "role", "not a role"},
		{false, "team", "does not exist"},
		{false, "first name", "control"},
		{false, "phone", ""},
		{true, "", ""},
		{false, "locale", ""},
		{true, "", ""},
		{true, "", ""},
	}
	res, err := f.svc.Invite(f.ctx, f.owner, rows, InviteOptions{})
	must(t, err)
	if len(res) != len(rows) {
		t.Fatalf("%d results for %d rows", len(res), len(rows))
	}
	for i, r := range res {
		if r.Row != i+1 {
			t.Errorf("result %d says row %d", i, r.Row)
		}
		if want[i].ok {
			if r.Err != nil || r.UserID == 0 {
				t.Errorf("row %d (%s): %v", r.Row, rows[i].Email, r.Err)
			}
			continue
		}
		if r.Err == nil {
			t.Errorf("row %d (%s) accepted", r.Row, rows[i].Email)
			continue
		}
		wantInput(t, r.Err, want[i].field, want[i].about)
	}
	u := f.user("camille.martin@example.com")
	if u.Role != "manager" || u.Teams[0] != "Ventes Paris" || u.Phone != "+33612345678" || u.Locale != "fr" || u.Status != store.Invited {
		t.Fatalf("camille: %+v", u)
	}
	if u := f.user("noah.fournier@example.com"); u.Position != "Comptable" || u.ReferenceID != "E-0042" {
		t.Fatalf("noah: %+v", u)
	}
	// Four invited, no more: four users (and the owner and ada), four links,
	// four mails, four audit rows.
	for table, n := range map[string]int{"users": 6, "tokens": 4, "outbox": 4} {
		if got := f.count(fmt.Sprintf("SELECT count(*) FROM %s", table)); got != n {
			t.Errorf("%d rows in %s, want %d", got, table, n)
		}
	}
	if got := f.audits("user.invite"); len(got) != 4 {
		t.Errorf("%d audit rows", len(got))
	}
}

// A failure in the middle of a batch leaves nothing of it written.
func TestBulkInviteIsOneTransaction(t *testing.T) {
	f := newFixture(t)
	var rows []NewUser
	for i := range 50 {
		rows = append(rows, NewUser{Email: fmt.Sprintf("person%02d@example.com", i)})
	}
	// The 40th row's audit row cannot be written.
	restore := f.refuseAuditWhere("NEW.target_email = 'person39@example.com'", "refused by the test")
	before := f.snapshot()
	_, err := f.svc.Invite(f.ctx, f.owner, rows, InviteOptions{})
	if err == nil || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("error %v", err)
	}
	f.unchanged(before)
	restore()
	res, err := f.svc.Invite(f.ctx, f.owner, rows, InviteOptions{})
	must(t, err)
	for _, r := range res {
		must(t, r.Err)
	}
	if n := f.count(`SELECT count(*) FROM users WHERE status = 'invited'`); n != 50 {
		t.Fatalf("%d invited", n)
	}
}

// A bulk invitation the operator may not make is refused whole.
func TestBulkInviteNeedsPermission(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.manager@example.com", "manager", store.Active, minus(Presets["manager"], "users.invite")...)
	before := f.snapshot()
	res, err := f.svc.Invite(f.ctx, as("mia.manager@example.com"), []NewUser{{Email: "a@example.com"}, {Email: "b@example.com"}}, InviteOptions{})
	wantDenied(t, err, "users.invite")
	if res != nil {
		t.Fatalf("results %+v", res)
	}
	f.unchanged(before)
}
