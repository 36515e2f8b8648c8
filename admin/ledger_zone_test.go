package admin

import (
	"testing"
	"time"

	"roster/store"
)

// The ledger's times are where the account bills, its rows after billing
// stopped included: the stop itself and a seat ended with no plan are in
// the zone of the plan that billed last. They were in UTC, so that a Tokyo
// account's stop at midnight on 1 April read 2026-03-31 15:00 under rows of
// Tokyo times.
func TestLedgerAfterBillingStopsIsWhereTheAccountBilled(t *testing.T) {
	f := newFixture(t)
	f.addUser("bob@example.com", "member", store.Active)
	_, err := f.svc.SetPlan(f.ctx, f.owner, Plan{Period: PeriodMonthly, SeatPrice: 1500, Currency: "JPY", Anchor: Date{2026, 3, 1}, TimeZone: "Asia/Tokyo"})
	must(t, err)
	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{})
	must(t, err)
	f.advance(time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC).Sub(f.now())) // 10:00 in Tokyo
	must(t, f.svc.Deactivate(f.ctx, f.owner, "bob@example.com"))
	rows := f.ledger()
	var got []string
	for _, r := range rows {
		got = append(got, r.Kind+" "+r.At.Format("2006-01-02 15:04 MST"))
	}
	want := []string{"plan_changed 2026-03-02 18:00 JST", "seat_started 2026-03-02 18:00 JST", "seat_started 2026-03-02 18:00 JST",
		"plan_changed 2026-04-01 00:00 JST", "seat_ended 2026-04-02 10:00 JST"}
	if len(got) != len(want) {
		t.Fatalf("ledger %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ledger %q, want %q", got, want)
			break
		}
	}
}
