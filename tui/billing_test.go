package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

func (f *fixture) plan(price int64) {
	f.t.Helper()
	p := admin.Plan{Period: admin.PeriodMonthly, SeatPrice: price, Currency: "EUR", Anchor: admin.Date{Year: 2026, Month: 3, Day: 1}, TimeZone: "Europe/Paris"}
	if _, err := f.svc.SetPlan(f.ctx, f.op, p); err != nil {
		f.t.Fatal(err)
	}
}

// The Billing screen shows the plan, the cycle, the seats and the ledger;
// e edits the plan, a price the currency cannot hold is shown on its field
// and changes nothing, and a new price takes effect at the next cycle.
func TestBillingScreen(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Olive")
	tt.write("9")
	tt.wait("monthly, €15.00 a seat, cycles from 2026-03-01 in Europe/Paris", "Cycle          2026-03-01 – 2026-04-01",
		"Seats in use   1", "Next renewal   €15.00 on 2026-04-01", "seat started", owner, "€14.31")
	tt.write("e\x15" + "12.345" + "\x13")
	tt.wait("EUR has 2 decimals")
	tt.write("\x15" + "20\x13")
	tt.wait("Plan from 2026-04-01: monthly, €20.00 a seat", "Next plan      from 2026-04-01: monthly, €20.00 a seat")
	stop()
	b, err := f.svc.BillingInfo(f.ctx, f.op)
	if err != nil {
		t.Fatal(err)
	}
	must(t, b.Plan.SeatPrice == 1500 && b.Next != nil && b.Next.SeatPrice == 2000,
		"after saving: the plan %+v, next %+v", b.Plan, b.Next)
	n := f.count("SELECT count(*) FROM audit WHERE action = 'billing.plan'")
	must(t, n == 2, "the plan was set %d times, want 2 (the fixture's and the screen's)", n)
}

// A session in French says the plan and the amounts as French writes
// them; L back to English writes them the English way.
func TestBillingScreenInFrench(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	opts := f.options(owner)
	opts.Lang = i18n.French
	tt, stop := f.runTerminal(New(f.ctx, opts).(*Model))
	defer stop()
	tt.wait("Olive")
	tt.write("9")
	tt.wait("mensuelle, 15,00\u00a0€ par siège", "14,31\u00a0€", "Registre", "siège ouvert")
	tt.write("e\x15" + "20\x13") // the period's choice is read back by its place, not its word
	tt.wait("Formule à partir du 2026-04-01 : mensuelle, 20,00\u00a0€ par siège")
	b, err := f.svc.BillingInfo(f.ctx, f.op)
	must(t, err == nil && b.Next != nil && b.Next.Period == admin.PeriodMonthly && b.Next.SeatPrice == 2000, "the plan saved in French: %+v %v", b.Next, err)
	tt.write("L")
	tt.wait("monthly, €15.00 a seat", "€14.31", "seat started")
}

// A manager, who does not hold settings.billing, is told so and sees no
// amount.
func TestBillingScreenNeedsItsPermission(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	f.addUser("max.manager@example.com", "Max", "Manager", "manager", store.Active)
	tt := f.run("max.manager@example.com")
	tt.wait("Max")
	tt.typ("9e")
	tt.wait("You cannot see the billing: it needs the settings.billing permission")
}

// Under the rows, the Invite screen says what they will cost if all are
// accepted today, on a paid plan, and nothing on an account billed nothing;
// amounts are written as the session's language writes them.
func TestInviteShowsWhatTheBatchCosts(t *testing.T) {
	f := newFixture(t)
	inv := newInvite(f.session())
	inv = driveScreen(inv, inv.Init()).(*invite)
	inv.rows[0].cells[cFirst].SetValue("Ann")
	must(t, inv.seat != nil && !inv.seat.Billed && inv.cost() == "", "without a plan: the cost %+v, %q", inv.seat, inv.cost())

	f.plan(1500)
	tt := f.run(owner) // through teatest
	tt.wait("Olive")
	tt.typ("2Ann")
	tt.press("tab", "tab")
	tt.typ("ann@example.com") // a row counts once it has an address: without, it is refused
	tt.wait("if they accept today: €14.31 for this cycle, then €15.00 a month")
	tt.press("ctrl+n")
	tt.typ("Bob")
	tt.press("tab", "tab")
	tt.typ("bob@example.com")
	tt.wait("if all 2 accept today: €28.62 for this cycle, then €30.00 a month")

	s := f.session()
	s.p = i18n.For(i18n.French)
	inv = newInvite(s)
	inv.SetSize(130, 30)
	inv = driveScreen(inv, inv.Init()).(*invite)
	inv.rows[0].cells[cEmail].SetValue("ann@example.com")
	want := "si la personne accepte aujourd'hui : 14,31\u00a0€ pour ce cycle, puis 15,00\u00a0€ par mois (HT)"
	must(t, inv.cost() == want, "in French: %q", inv.cost())
	must(t, strings.Contains(ansi.Strip(inv.View()), want), "in French, not drawn:\n%s", inv.View())
}

// A first plan bills every active user at once: ctrl+s asks first, with
// how many and what it costs, and n saves nothing. At 80 columns the
// form's warning is whole, wrapped, and so is the question.
func TestFirstPlanAsksFirst(t *testing.T) {
	f := newFixture(t)
	f.addUser("ann@example.com", "Ann", "A", "member", store.Active)
	f.addUser("bob@example.com", "Bob", "B", "member", store.Active)
	f.addUser("cy@example.com", "Cy", "C", "member", store.Invited)
	m := started(f, i18n.English, 80, 24)
	m = press(m, "9", "e", "1", "2", ".", "4", "0")
	fr := drawn(m)
	must(t, strings.Contains(fr, "charging every active user from now."), "the warning is cut at 80 columns:\n%s", fr)
	ledger := func() int { return f.count(`SELECT count(*) FROM seat_ledger WHERE kind = 'seat_started'`) }
	m = press(m, "ctrl+s")
	fr = drawn(m)
	must(t, ledger() == 0, "ctrl+s started %d seats before asking", ledger())
	must(t, strings.Contains(fr, "Start billing 3 active users now?") && strings.Contains(fr, "y/n"),
		"ctrl+s on a first plan does not ask with the count:\n%s", fr)
	must(t, strings.Contains(fr, "€36.69") && strings.Contains(fr, "(€12.23 a seat)"), "the question does not say the cost:\n%s", fr)
	m = press(m, "n")
	fr = drawn(m)
	must(t, ledger() == 0 && f.count(`SELECT count(*) FROM billing_plans`) == 0, "n saved the plan")
	must(t, strings.Contains(fr, "Nothing saved") && strings.Contains(fr, "12.40"), "after n, the form is not kept with a note:\n%s", fr)
	m = press(m, "ctrl+s", "y")
	must(t, ledger() == 3, "y started %d seats, want 3", ledger())
	fr = drawn(m)
	must(t, strings.Contains(fr, "Plan from"), "after y, the plan is not said saved:\n%s", fr)
}

// The next renewal is said in the currency of the plan it is made on: a
// change to yen planned from the next cycle showed ¥1,500 as €15.00.
func TestBillingScreenRenewalInItsCurrency(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	yen := admin.Plan{Period: admin.PeriodMonthly, SeatPrice: 1500, Currency: "JPY", Anchor: admin.Date{Year: 2026, Month: 3, Day: 1}, TimeZone: "Europe/Paris"}
	if _, err := f.svc.SetPlan(f.ctx, f.op, yen); err != nil {
		t.Fatal(err)
	}
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	defer stop()
	tt.wait("Olive")
	tt.write("9")
	tt.wait("Next renewal   ¥1,500 on 2026-04-01", "Next plan      from 2026-04-01: monthly, ¥1,500 a seat")
}

// The plan form starts from the plan the operator is editing, as roster
// billing plan does: the one planned when a change is planned. It started
// from the plan in effect, so that saving it, a field changed or none,
// undid the change planned unsaid. A stop of billing planned shows as no
// plan, the fields of the plan in effect kept for a period chosen again.
func TestBillingFormStartsFromThePlanPlanned(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	planned := admin.Plan{Period: admin.PeriodYearly, SeatPrice: 15000, Currency: "USD", Anchor: admin.Date{Year: 2026, Month: 3, Day: 15}, TimeZone: "America/Toronto"}
	if _, err := f.svc.SetPlan(f.ctx, f.op, planned); err != nil {
		t.Fatal(err)
	}
	m := started(f, i18n.English, 100, 30)
	m = press(m, "9", "e")
	fr := drawn(m)
	for _, want := range []string{"[yearly]", "150.00", "USD", "2026-03-15", "America/Toronto"} {
		must(t, strings.Contains(fr, want), "the form does not start from the plan planned (%s):\n%s", want, fr)
	}
	m = press(m, "ctrl+s")
	b, err := f.svc.BillingInfo(f.ctx, f.op)
	must(t, err == nil && b.Next != nil && *b.Next == planned, "the form saved as it opened changed the plan planned to %+v (%v)", b.Next, err)

	if _, err := f.svc.SetPlan(f.ctx, f.op, admin.Plan{}); err != nil {
		t.Fatal(err)
	}
	m = press(m, "ctrl+r", "e")
	fr = drawn(m)
	for _, want := range []string{"[no plan]", "15.00", "EUR", "2026-03-01", "Europe/Paris"} {
		must(t, strings.Contains(fr, want), "with billing's stop planned, the form lacks %s:\n%s", want, fr)
	}
	press(m, "ctrl+s")
	b, err = f.svc.BillingInfo(f.ctx, f.op)
	must(t, err == nil && b.Next != nil && !b.Next.Billed(), "the form saved as it opened undid billing's stop planned: %+v (%v)", b.Next, err)
}

// The Invite screen's estimate says a change of plan planned, in admin's
// words as roster invite says it: what the seats cost for the rest of this
// cycle, then the next plan's price from the change. It said the plan in
// effect's price for good. At 80 columns the line is wrapped, not cut.
func TestInviteCostSaysAPlannedChange(t *testing.T) {
	f := newFixture(t)
	f.plan(1500)
	f.plan(2000) // from 1 April
	inv := newInvite(f.session())
	inv.SetSize(80, 24)
	inv = driveScreen(inv, inv.Init()).(*invite)
	inv.rows[0].cells[cEmail].SetValue("ann@example.com")
	want := "if they accept today: €14.31 for this cycle, then €20.00 a month from 2026-04-01 (before tax)"
	must(t, inv.cost() == want, "the estimate with a change planned: %q, want %q", inv.cost(), want)
	fr := ansi.Strip(inv.View())
	must(t, strings.Contains(fr, "then €20.00 a month from") && strings.Contains(fr, "2026-04-01 (before tax)"), "not drawn whole at 80 columns:\n%s", fr)
}
