package tui

import (
	"strings"
	"testing"

	"roster/admin"
	"roster/i18n"
)

// Billing's stop planned is said on the day it takes effect where the
// account bills, in the plan in effect's zone, in the note after saving it
// and on the Billing screen: no plan has a zone, so that a Tokyo account
// whose billing stops at midnight on 1 April there read 2026-03-31, UTC's
// day.
func TestBillingStopSaysTheDayWhereTheAccountBills(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.op, admin.Plan{Period: admin.PeriodMonthly, SeatPrice: 1500, Currency: "JPY",
		Anchor: admin.Date{Year: 2026, Month: 3, Day: 1}, TimeZone: "Asia/Tokyo"})
	must(t, err == nil, "set the plan: %v", err)
	// The period, then from monthly back to its last choice, no plan.
	m := press(started(f, i18n.English, 120, 30), "9", "e", "shift+tab", "left", "ctrl+s")
	fr := drawn(m)
	b, err := f.svc.BillingInfo(f.ctx, f.op)
	must(t, err == nil && b.Next != nil && !b.Next.Billed(), "the form planned no stop: %+v (%v)\n%s", b.Next, err, fr)
	must(t, strings.Contains(fr, "Plan from 2026-04-01: none: nothing is billed") && strings.Contains(fr, "from 2026-04-01: none") &&
		!strings.Contains(fr, "2026-03-31"), "the stop planned:\n%s", fr)
}

// With billing's stop planned at the cycle's end, the Billing screen says
// no renewal comes, where it said ¥0 on 2026-04-01.
func TestBillingStopSaysNoRenewal(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.op, admin.Plan{Period: admin.PeriodMonthly, SeatPrice: 1500, Currency: "JPY",
		Anchor: admin.Date{Year: 2026, Month: 3, Day: 1}, TimeZone: "Asia/Tokyo"})
	must(t, err == nil, "set the plan: %v", err)
	_, err = f.svc.SetPlan(f.ctx, f.op, admin.Plan{})
	must(t, err == nil, "stop billing: %v", err)
	fr := drawn(press(started(f, i18n.English, 120, 30), "9"))
	must(t, strings.Contains(fr, "Next renewal   none: billing stops"), "the next renewal with billing's stop planned:\n%s", fr)
}
