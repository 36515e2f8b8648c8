package admin

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/i18n"
	"roster/store"
)

// paris is the plan's zone; March 2026 there loses an hour to summer time.
const paris = "Europe/Paris"

func monthly(t testing.TB, price int64, anchor string) Plan {
	t.Helper()
	d, err := ParseDay(anchor)
	if err != nil {
		t.Fatal(err)
	}
	return Plan{Period: PeriodMonthly, SeatPrice: price, Currency: "EUR", Anchor: d, TimeZone: paris}
}

// half is the charge the formula gives, computed here apart from Prorated:
// price × left / whole, rounded half up.
func half(price, left, whole int64) int64 { return (2*price*left + whole) / (2 * whole) }

// ledger is the whole ledger, oldest first.
func (f *fixture) ledger() []store.LedgerEntry {
	f.t.Helper()
	rows, err := f.svc.Ledger(f.ctx, f.owner, "", 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

func (f *fixture) accept(email string) {
	f.t.Helper()
	tok := f.invite(email, "member")
	f.advance(time.Hour)
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, "a long enough password"); err != nil {
		f.t.Fatalf("accept %s: %v", email, err)
	}
}

func wantLedger(t *testing.T, got []store.LedgerEntry, want ...string) {
	t.Helper()
	var lines []string
	for _, e := range got {
		lines = append(lines, fmt.Sprintf("%s %s %d", e.Kind, e.Email, e.Amount))
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("ledger:\n%q\nwant:\n%q", lines, want)
	}
}

// TestSeatLedger follows an account through two months and a half: billing
// set up mid-cycle, an acceptance, a deactivation and reactivation in the
// same cycle, a renewal, a deletion, a change of price and the end of the
// plan; each ledger row is the formula's, and the statements add up.
func TestSeatLedger(t *testing.T) {
	f := newFixture(t)
	march := Cycle{time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)}
	whole := int64(31*86400 - 3600)

	// The clock is 2 March 09:00 UTC: billing starts now, the owner's seat
	// prorated from now.
	from, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	if !from.Equal(f.now()) {
		t.Fatalf("a first plan takes effect at %s, want now", from)
	}
	ownerCharge := half(1500, march.End.Unix()-f.now().Unix(), whole)
	wantLedger(t, f.ledger(), "plan_changed  1500", "seat_started "+ownerEmail+fmt.Sprintf(" %d", ownerCharge))

	// Bob accepts a day later.
	f.advance(24 * time.Hour)
	f.accept("bob@example.com")
	bobCharge := half(1500, march.End.Unix()-f.now().Unix(), whole)
	// Deactivated and reactivated in the same cycle: still paid, no new charge.
	f.advance(time.Hour)
	must(t, f.svc.Deactivate(f.ctx, f.owner, "bob@example.com"))
	if until, err := f.svc.SeatPaidUntil(f.ctx, f.owner, "bob@example.com"); err != nil || !until.Equal(march.End) {
		t.Errorf("bob deactivated: his seat is paid until %s (%v), want the end of March", until, err)
	}
	f.advance(time.Hour)
	must(t, f.svc.Reactivate(f.ctx, f.owner, "bob@example.com"))
	rows := f.ledger()
	wantLedger(t, rows[2:], "seat_started bob@example.com "+fmt.Sprint(bobCharge), "seat_ended bob@example.com 0", "seat_resumed bob@example.com 0")
	if !rows[2].CycleStart.Equal(march.Start) || !rows[2].CycleEnd.Equal(march.End) {
		t.Errorf("bob's seat is charged for %s – %s, want March in Paris", rows[2].CycleStart, rows[2].CycleEnd)
	}

	b, err := f.svc.BillingInfo(f.ctx, f.owner)
	must(t, err)
	if b.Seats != 2 || b.SoFar != ownerCharge+bobCharge || b.NextRenewal != 3000 || !b.Cycle.Start.Equal(march.Start) {
		t.Errorf("billing in March: %+v", b)
	}

	// April: whoever reads first writes the renewals, once.
	f.advance(30 * 24 * time.Hour)
	for range 2 {
		_, err := f.svc.BillingInfo(f.ctx, f.owner)
		must(t, err)
	}
	april, err := f.svc.CycleStatement(f.ctx, f.owner, f.now())
	must(t, err)
	if april.Total != 3000 || len(april.Lines) != 2 || april.Lines[0].Kind != store.SeatRenewed || !april.Lines[0].At.Equal(march.End) {
		t.Fatalf("April's statement: %+v", april)
	}
	marchSt, err := f.svc.CycleStatement(f.ctx, f.owner, march.Start.Add(time.Hour))
	must(t, err)
	if marchSt.Total != ownerCharge+bobCharge || len(marchSt.Lines) != 2 {
		t.Fatalf("March's statement: %+v", marchSt)
	}

	// Bob deleted in April: paid to the end of April, not renewed in May.
	d, err := f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	if aprilEnd := time.Date(2026, 4, 30, 22, 0, 0, 0, time.UTC); !d.SeatPaidUntil.Equal(aprilEnd) {
		t.Errorf("bob deleted: his seat is paid until %s, want the end of April", d.SeatPaidUntil)
	}
	// A new price, set in April, takes effect in May.
	from, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 2000, "2026-03-01"))
	must(t, err)
	may := time.Date(2026, 4, 30, 22, 0, 0, 0, time.UTC)
	if !from.Equal(may) {
		t.Fatalf("a new price takes effect at %s, want the next cycle start %s", from, may)
	}
	b, err = f.svc.BillingInfo(f.ctx, f.owner)
	must(t, err)
	if b.Plan.SeatPrice != 1500 || b.Next == nil || b.Next.SeatPrice != 2000 || !b.NextFrom.Equal(may) || b.Seats != 1 || b.NextRenewal != 2000 {
		t.Errorf("billing after the change: %+v (next %+v)", b, b.Next)
	}
	// No plan from June.
	f.advance(50 * 24 * time.Hour) // 22 May
	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{})
	must(t, err)
	f.advance(20 * 24 * time.Hour) // 11 June
	f.accept("carla@example.com")  // costs nothing now
	rows = f.ledger()
	wantLedger(t, rows[5:], "renewal "+ownerEmail+" 1500", "renewal bob@example.com 1500", "seat_ended bob@example.com 0", "plan_changed  2000",
		"renewal "+ownerEmail+" 2000", "plan_changed  0")
	if _, err := f.svc.CycleStatement(f.ctx, f.owner, f.now()); err == nil {
		t.Error("a statement for a time without a plan")
	}

	// Every row was audited with the act that caused it.
	for action, n := range map[string]int{"billing.plan": 3, "billing.start": 1, "billing.seat_started": 1,
		"billing.seat_ended": 2, "billing.seat_resumed": 1, "billing.renew": 2, "billing.plan_effective": 2} {
		if got := len(f.audits(action)); got != n {
			t.Errorf("%d audit rows %s, want %d", got, action, n)
		}
	}
}

// TestSeatChargedOnceAtOnce: two acceptances and a renewal at the same time
// write each ledger row once.
func TestSeatChargedOnceAtOnce(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	f.advance(29 * 24 * time.Hour)
	toks := []string{f.invite("ann@example.com", "member"), f.invite("ben@example.com", "member")}
	f.advance(24 * time.Hour) // past the cycle's end: a renewal is due
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() {
			switch i {
			case 0, 1:
				_, errs[i] = f.svc.UseLink(f.ctx, "invite", toks[i], "a long enough password")
			default:
				_, errs[i] = f.svc.BillingInfo(f.ctx, f.owner)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	count := map[string]int{}
	for _, e := range f.ledger() {
		count[e.Kind+" "+e.Email]++
	}
	for _, k := range []string{"renewal " + ownerEmail, "seat_started ann@example.com", "seat_started ben@example.com"} {
		if count[k] != 1 {
			t.Errorf("%d rows %q, want 1: %v", count[k], k, count)
		}
	}
	if len(f.audits("billing.renew")) != 1 {
		t.Error("the renewal was audited more than once")
	}
}

func TestBillingNeedsItsPermission(t *testing.T) {
	f := newFixture(t)
	f.addUser("max.manager@example.com", "manager", store.Active)
	mgr := as("max.manager@example.com")
	_, err := f.svc.SetPlan(f.ctx, mgr, monthly(t, 1500, "2026-03-01"))
	wantDenied(t, err, "settings.billing")
	_, err = f.svc.BillingInfo(f.ctx, mgr)
	wantDenied(t, err, "settings.billing")
	_, err = f.svc.Ledger(f.ctx, mgr, "", 0, 10)
	wantDenied(t, err, "settings.billing")
	_, err = f.svc.CycleStatement(f.ctx, mgr, f.now())
	wantDenied(t, err, "settings.billing")

	_, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	// A manager may invite, so sees what an invitation costs.
	e, err := f.svc.InvitationCost(f.ctx, mgr, 12)
	must(t, err)
	whole := int64(31*86400 - 3600)
	left := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC).Unix() - f.now().Unix()
	if !e.Billed || e.Each != 12*1500 || e.Now != 12*half(1500, left, whole) {
		t.Errorf("the cost of 12 invitations: %+v", e)
	}
	before := f.snapshot()
	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{Period: "weekly"})
	wantInput(t, err, "period", "monthly or yearly")
	f.unchanged(before)
}

// RenewDue, which roster serve runs every minute, writes the renewals due
// with nobody acting, as the system, once.
func TestRenewDue(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	must(t, f.svc.RenewDue(f.ctx))
	f.advance(31 * 24 * time.Hour)
	must(t, f.svc.RenewDue(f.ctx))
	must(t, f.svc.RenewDue(f.ctx))
	renewals := f.audits("billing.renew")
	if len(renewals) != 1 || renewals[0].Channel != ChannelSystem {
		t.Fatalf("renewal audits: %+v, want one by the system", renewals)
	}
	if n := f.count("SELECT count(*) FROM seat_ledger WHERE kind = 'renewal'"); n != 1 {
		t.Errorf("%d renewals written, want 1", n)
	}
}

// A seat started exactly at a cycle start is charged once, at the full
// price: the renewal written at that instant does not charge it again.
func TestSeatStartedAtACycleStart(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	april := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	f.clock.Store(april.Add(-24 * time.Hour).Unix())
	tok := f.invite("ann@example.com", "member")
	f.clock.Store(april.Unix())
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	var ann []string
	for _, e := range f.ledger() {
		if e.Email == "ann@example.com" {
			ann = append(ann, fmt.Sprintf("%s %d %s", e.Kind, e.Amount, e.CycleStart.UTC().Format(time.RFC3339)))
		}
	}
	if fmt.Sprint(ann) != "[seat_started 1500 2026-03-31T22:00:00Z]" {
		t.Errorf("ann's rows: %q", ann)
	}
}

// A plan set as it already is, or as it will be once a planned change
// comes, writes nothing: no plan row (whose start would write a change of
// plan in the ledger), no audit entry. A billing form saved unchanged, or a
// script setting the plan each run, changed nothing.
func TestSamePlanWritesNothing(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	_, err := f.svc.SetPlan(f.ctx, f.owner, Plan{})
	must(t, err)
	f.unchanged(before) // none, on an account never billed

	_, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	before = f.snapshot()
	from, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	f.unchanged(before)
	april := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	if !from.Equal(april) {
		t.Errorf("the same plan from %v, want %v", from, april)
	}

	_, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 2000, "2026-03-01"))
	must(t, err)
	before = f.snapshot()
	_, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 2000, "2026-03-01"))
	must(t, err)
	f.unchanged(before)
	if n := len(f.audits("billing.plan")); n != 2 {
		t.Errorf("%d billing.plan entries, want 2", n)
	}
}

// A plan whose cycles start elsewhere (another anchor, period or zone)
// takes effect at the old cycle's end, inside one of its own cycles: that
// first cycle starts where the plan does. Its prorated renewals are in its
// statement and in what it has cost so far, a seat deactivated and
// reactivated in it is charged once, and the old plan's charges, billed for
// time before it, neither count in it nor make a seat in it paid.
func TestPlanChangeToOtherCycles(t *testing.T) {
	aprilFirst := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC) // midnight in Paris
	for _, c := range []struct {
		name      string
		plan      Plan
		end       time.Time // of the new plan's first cycle
		whole     int64     // seconds in the new plan's cycle containing 1 April (summer time takes an hour on 29 March)
		deactJune bool      // bob is deactivated in March and reactivated in June
	}{
		{"another anchor", monthly(t, 1500, "2026-03-15"), time.Date(2026, 4, 14, 22, 0, 0, 0, time.UTC), 31*86400 - 3600, false},
		{"yearly from the same date", Plan{Period: PeriodYearly, SeatPrice: 15000, Currency: "EUR", Anchor: Date{2026, 3, 1}, TimeZone: paris},
			time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC), 365 * 86400, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
			must(t, err)
			f.accept("bob@example.com")
			if c.deactJune {
				must(t, f.svc.Deactivate(f.ctx, f.owner, "bob@example.com"))
			}
			from, err := f.svc.SetPlan(f.ctx, f.owner, c.plan)
			must(t, err)
			if !from.Equal(aprilFirst) {
				t.Fatalf("the new plan from %s, want %s", from, aprilFirst)
			}
			f.clock.Store(aprilFirst.Add(4 * 24 * time.Hour).Unix())
			renewal := half(c.plan.SeatPrice, c.end.Unix()-aprilFirst.Unix(), c.whole)
			seats := int64(2)
			if c.deactJune {
				seats = 1
			}
			b, err := f.svc.BillingInfo(f.ctx, f.owner)
			must(t, err)
			if !b.Cycle.Start.Equal(aprilFirst) || !b.Cycle.End.Equal(c.end) || b.SoFar != seats*renewal {
				t.Errorf("billing on 5 April: cycle %s – %s, so far %d; want %s – %s, %d × %d", b.Cycle.Start, b.Cycle.End, b.SoFar, aprilFirst, c.end, seats, renewal)
			}
			st, err := f.svc.CycleStatement(f.ctx, f.owner, f.now())
			must(t, err)
			if int64(len(st.Lines)) != seats || st.Total != seats*renewal {
				t.Errorf("the statement of 5 April: %d lines, total %d; want %d renewals of %d", len(st.Lines), st.Total, seats, renewal)
			}

			if !c.deactJune {
				// Bob deactivated and reactivated in the new plan's first cycle:
				// paid until its end, not charged again.
				must(t, f.svc.Deactivate(f.ctx, f.owner, "bob@example.com"))
				if until, err := f.svc.SeatPaidUntil(f.ctx, f.owner, "bob@example.com"); err != nil || !until.Equal(c.end) {
					t.Errorf("bob deactivated on 5 April: paid until %s (%v), want %s", until, err, c.end)
				}
				f.advance(time.Hour)
				must(t, f.svc.Reactivate(f.ctx, f.owner, "bob@example.com"))
				rows := f.ledger()
				wantLedger(t, rows[len(rows)-2:], "seat_ended bob@example.com 0", "seat_resumed bob@example.com 0")
				return
			}
			// Bob, whose March was paid on the monthly plan, reactivated in
			// June starts a seat of the year, prorated.
			f.clock.Store(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC).Unix())
			must(t, f.svc.Reactivate(f.ctx, f.owner, "bob@example.com"))
			rows := f.ledger()
			want := half(c.plan.SeatPrice, c.end.Unix()-f.now().Unix(), c.whole)
			wantLedger(t, rows[len(rows)-1:], fmt.Sprintf("seat_started bob@example.com %d", want))
			st, err = f.svc.CycleStatement(f.ctx, f.owner, f.now())
			must(t, err)
			if len(st.Lines) != 2 || st.Total != renewal+want {
				t.Errorf("the year's statement: %+v, want the owner's renewal %d and bob's seat %d", st, renewal, want)
			}
		})
	}
}

// Billing started again, after a time with no plan, on a plan whose cycle
// reaches back into time the old plan billed (yearly from the date monthly
// cycles started): every active seat is charged, in a cycle starting now,
// where the old month's charges made them count as paid.
func TestBillingRestartedOverAnOldCycle(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{}) // none from 1 April
	must(t, err)
	f.clock.Store(time.Date(2026, 4, 10, 8, 0, 0, 0, time.UTC).Unix())
	yearly := Plan{Period: PeriodYearly, SeatPrice: 15000, Currency: "EUR", Anchor: Date{2026, 3, 1}, TimeZone: paris}
	_, err = f.svc.SetPlan(f.ctx, f.owner, yearly)
	must(t, err)
	end := time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC)
	want := half(15000, end.Unix()-f.now().Unix(), 365*86400)
	rows := f.ledger()
	wantLedger(t, rows[len(rows)-1:], fmt.Sprintf("seat_started %s %d", ownerEmail, want))
	st, err := f.svc.CycleStatement(f.ctx, f.owner, f.now())
	must(t, err)
	if !st.Cycle.Start.Equal(f.now()) || !st.Cycle.End.Equal(end) || len(st.Lines) != 1 || st.Total != want {
		t.Errorf("the year's statement: %+v, want the owner's seat %d from now", st, want)
	}
}

// A planned change undone by setting the plan in effect again is gone: no
// change shown as planned, none written in the ledger or the audit trail
// when the cycle ends. It planned a change to the plan already in effect.
func TestPlannedChangeUndone(t *testing.T) {
	f := newFixture(t)
	plan := monthly(t, 1500, "2026-03-01")
	_, err := f.svc.SetPlan(f.ctx, f.owner, plan)
	must(t, err)
	for _, next := range []Plan{{}, monthly(t, 2000, "2026-03-01")} {
		_, err = f.svc.SetPlan(f.ctx, f.owner, next) // from April
		must(t, err)
		_, err = f.svc.SetPlan(f.ctx, f.owner, plan)
		must(t, err)
		b, err := f.svc.BillingInfo(f.ctx, f.owner)
		must(t, err)
		if b.Next != nil || !b.NextFrom.IsZero() || b.NextRenewal != 1500 {
			t.Errorf("after planning %+v and setting the plan again: next %+v from %s, next renewal %d", next, b.Next, b.NextFrom, b.NextRenewal)
		}
	}
	if n := len(f.audits("billing.plan")); n != 5 {
		t.Errorf("%d billing.plan entries, want 5: the plan, two changes planned and two undone", n)
	}
	f.advance(31 * 24 * time.Hour)
	wantLedger(t, f.ledger(), "plan_changed  1500", "seat_started "+ownerEmail+fmt.Sprintf(" %d", half(1500, time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC).Unix()-start.Unix(), 31*86400-3600)),
		"renewal "+ownerEmail+" 1500")
	if n := len(f.audits("billing.plan_effective")); n != 0 {
		t.Errorf("%d billing.plan_effective entries, want none", n)
	}
}

// The preview of a deletion says until when the seat stays paid as the
// deletion will, in a cycle whose renewals nobody has written yet (no act
// since it started, roster serve not running): the deletion writes them
// first, charging the seat open at the cycle start, and the preview, which
// writes nothing, said nothing of the seat.
func TestDeletePreviewSeesTheRenewalDue(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	f.accept("bob@example.com")
	f.clock.Store(time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC).Unix())
	aprilEnd := time.Date(2026, 4, 30, 22, 0, 0, 0, time.UTC)
	p, err := f.svc.PlanDelete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	if !p.SeatPaidUntil.Equal(aprilEnd) {
		t.Errorf("the preview says bob's seat is paid until %v, want %v", p.SeatPaidUntil, aprilEnd)
	}
	d, err := f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail, Digest: p.Digest})
	must(t, err)
	if !d.SeatPaidUntil.Equal(aprilEnd) {
		t.Errorf("the deletion says bob's seat is paid until %v, want %v", d.SeatPaidUntil, aprilEnd)
	}
	rows := f.ledger()
	wantLedger(t, rows[len(rows)-2:], "renewal bob@example.com 1500", "seat_ended bob@example.com 0")
}

// A seat paid for a cycle stays paid to its end and is taken by the next
// seat started in it: someone deleted and invited again, or another invited
// in their place, in the same cycle costs nothing more. Only once no paid
// seat is free is a seat charged, a person coming back included (their seat
// taken meanwhile: a second charge in the cycle). The next cycle renews the
// seats open, and a seat taken free is paid until the cycle's end as well.
func TestSeatFreedIsTakenInTheSameCycle(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	marchEnd := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	whole := int64(31*86400 - 3600)
	charge := func() string { return fmt.Sprint(half(1500, marchEnd.Unix()-f.now().Unix(), whole)) }

	f.accept("bob@example.com")
	bob := charge()
	f.advance(time.Hour)
	_, err = f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	f.accept("bob@example.com") // invited again: bob's seat, paid
	f.advance(time.Hour)
	_, err = f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	f.accept("carla@example.com") // in bob's place: his seat, paid
	if until, err := f.svc.SeatPaidUntil(f.ctx, f.owner, "carla@example.com"); err != nil || !until.Equal(marchEnd) {
		t.Errorf("carla, on bob's paid seat, is paid until %s (%v), want the end of March", until, err)
	}
	f.accept("dan@example.com") // no paid seat free
	dan := charge()
	rows := f.ledger()
	wantLedger(t, rows[2:], "seat_started bob@example.com "+bob, "seat_ended bob@example.com 0", "seat_resumed bob@example.com 0",
		"seat_ended bob@example.com 0", "seat_resumed carla@example.com 0", "seat_started dan@example.com "+dan)

	// Dan away, erin takes his seat; dan back finds none free and is
	// charged again, the seat erin took being his no more.
	f.advance(time.Hour)
	must(t, f.svc.Deactivate(f.ctx, f.owner, "dan@example.com"))
	f.accept("erin@example.com")
	f.advance(time.Hour)
	must(t, f.svc.Reactivate(f.ctx, f.owner, "dan@example.com"))
	danAgain := charge()
	rows = f.ledger()
	wantLedger(t, rows[8:], "seat_ended dan@example.com 0", "seat_resumed erin@example.com 0", "seat_started dan@example.com "+danAgain)

	b, err := f.svc.BillingInfo(f.ctx, f.owner)
	must(t, err)
	ownerCharge := rows[1].Amount
	if b.Seats != 4 || b.NextRenewal != 4*1500 {
		t.Errorf("in March: %d seats open, next renewal %d; want 4 (olive, carla, dan, erin), %d", b.Seats, b.NextRenewal, 4*1500)
	}
	st, err := f.svc.CycleStatement(f.ctx, f.owner, f.now())
	must(t, err)
	if want := ownerCharge + rows[2].Amount + rows[7].Amount + rows[10].Amount; st.Total != want || b.SoFar != want || len(st.Lines) != 4 {
		t.Errorf("March: statement %d in %d lines, so far %d; want %d in 4 (olive, bob, dan twice)", st.Total, len(st.Lines), b.SoFar, want)
	}

	// April renews the four seats open, full price, and a seat freed in
	// April is taken free again.
	f.clock.Store(marchEnd.Add(24 * time.Hour).Unix())
	must(t, f.svc.Deactivate(f.ctx, f.owner, "erin@example.com"))
	f.accept("fay@example.com")
	rows = f.ledger()
	renewals := rows[11:15] // written together, in no order
	slices.SortFunc(renewals, func(a, b store.LedgerEntry) int { return strings.Compare(a.Email, b.Email) })
	wantLedger(t, rows[11:], "renewal carla@example.com 1500", "renewal dan@example.com 1500", "renewal erin@example.com 1500",
		"renewal "+ownerEmail+" 1500", "seat_ended erin@example.com 0", "seat_resumed fay@example.com 0")
}

// What invitations cost says a change planned: the seats accepted today
// cost the plan in effect for the rest of the cycle, then the next plan's
// price, in its currency and period, from the change (nothing when billing
// stops). A seat paid for this cycle and free is taken at no charge, as
// seatStarts takes it. The estimate ignored the change, so that the Invite
// screen said €15.00 a month for seats charged €20.00 from the next cycle.
func TestInvitationCostSaysAPlannedChange(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	en := i18n.For(i18n.English)
	marchEnd := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	seat := func() int64 { return half(1500, marchEnd.Unix()-f.now().Unix(), 31*86400-3600) }
	e, err := f.svc.InvitationCost(f.ctx, f.owner, 2)
	must(t, err)
	if got, want := e.Text(en), fmt.Sprintf("if all 2 accept today: %s for this cycle, then €30.00 a month (before tax)", FormatAmount(2*seat(), "EUR", "en")); got != want {
		t.Errorf("no change planned: %q, want %q", got, want)
	}

	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{Period: PeriodYearly, SeatPrice: 15000, Currency: "USD", Anchor: Date{2026, 4, 1}, TimeZone: "America/Toronto"})
	must(t, err)
	e, err = f.svc.InvitationCost(f.ctx, f.owner, 2)
	must(t, err)
	// The yearly plan's cycles start on 1 April in Toronto, six hours after
	// the change: its first renewal is prorated to then.
	first := half(15000, 6*3600, 365*86400)
	if e.Now != 2*seat() || e.Each != 3000 || e.Next == nil || e.NextFirst != 2*first || e.NextEach != 30000 || !e.NextFrom.Equal(marchEnd) {
		t.Errorf("with a change planned: %+v", e)
	}
	if got, want := e.Text(en), fmt.Sprintf("if all 2 accept today: %s for this cycle, then %s from 2026-03-31 to 2026-04-01, then $300.00 a year (before tax)",
		FormatAmount(2*seat(), "EUR", "en"), FormatAmount(2*first, "USD", "en")); got != want {
		t.Errorf("with a change planned: %q, want %q", got, want)
	}
	_, err = f.svc.SetPlan(f.ctx, f.owner, Plan{})
	must(t, err)
	e, err = f.svc.InvitationCost(f.ctx, f.owner, 1)
	must(t, err)
	if got, want := e.Text(en), fmt.Sprintf("if they accept today: %s for this cycle, then nothing from 2026-04-01 (before tax)", FormatAmount(seat(), "EUR", "en")); got != want {
		t.Errorf("with billing's stop planned: %q, want %q", got, want)
	}

	// Bob's seat, paid and freed, is the first one's.
	f.accept("bob@example.com")
	_, err = f.svc.Delete(f.ctx, f.owner, "bob@example.com", DeleteRequest{Heir: ownerEmail})
	must(t, err)
	for n, want := range map[int]int64{1: 0, 3: 2 * seat()} {
		e, err = f.svc.InvitationCost(f.ctx, f.owner, n)
		must(t, err)
		if e.Free != 1 || e.Now != want {
			t.Errorf("%d invitations with a paid seat free: %d free, %d now; want 1, %d", n, e.Free, e.Now, want)
		}
	}
}

// Two acceptances at once for the one paid seat free: one takes it, the
// other is charged; never both free, nor both charged.
func TestTwoAcceptancesRaceForTheFreeSeat(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	f.accept("bob@example.com")
	must(t, f.svc.Deactivate(f.ctx, f.owner, "bob@example.com"))
	toks := []string{f.invite("ann@example.com", "member"), f.invite("ben@example.com", "member")}
	f.advance(time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = f.svc.UseLink(f.ctx, "invite", toks[i], "a long enough password") })
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	count := map[string]int{}
	for _, e := range f.ledger()[4:] {
		count[e.Kind]++
	}
	if count[store.SeatResumed] != 1 || count[store.SeatStarted] != 1 {
		t.Errorf("ann and ben at once, one paid seat free: %v, want one seat resumed and one started", count)
	}
}
