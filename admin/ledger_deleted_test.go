package admin

import (
	"testing"

	"roster/store"
)

// The ledger of one user (roster billing ledger --user) is read for
// someone deleted too, by the address their seat had: what they were
// charged is asked about after they are gone, and the ledger keeps it. It
// said there was no such user. An address in no row and of nobody is still
// refused.
func TestLedgerOfADeletedUser(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	f.accept("bob@example.com")
	f.accept("carla@example.com")
	_, err = f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	rows, err := f.svc.Ledger(f.ctx, f.owner, "Bob@Example.com", 0, 100)
	must(t, err)
	var kinds []string
	for _, r := range rows {
		if r.Email != "bob@example.com" {
			t.Fatalf("bob's ledger holds %s's row %+v", r.Email, r)
		}
		kinds = append(kinds, r.Kind)
	}
	if len(kinds) != 2 || kinds[0] != store.SeatEnded || kinds[1] != store.SeatStarted {
		t.Errorf("the deleted bob's ledger: %q, want seat_ended then seat_started", kinds)
	}
	if _, err := f.svc.Ledger(f.ctx, f.owner, "nobody@example.com", 0, 100); err == nil {
		t.Errorf("the ledger of an address nobody had: no error")
	}
}
