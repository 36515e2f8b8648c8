package admin

import (
	"fmt"
	"testing"
	"time"

	"roster/i18n"
)

// What invitations cost is what their seats are charged: for the rest of
// this cycle when accepted, then at a change planned to a plan whose cycles
// start elsewhere its first renewal, prorated to that plan's next cycle
// start, then its full price. The estimate quoted the next plan's full
// price from the change (€40.00 for two seats charged €18.06 on 1 April).
func TestInvitationCostIsWhatIsCharged(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.SetPlan(f.ctx, f.owner, monthly(t, 1500, "2026-03-01"))
	must(t, err)
	// From 1 April (31 March 22:00 UTC), cycles from the 15th: the first
	// one runs to 15 April, in a cycle of 31 days less the hour summer time
	// takes on 29 March.
	_, err = f.svc.SetPlan(f.ctx, f.owner, monthly(t, 2000, "2026-03-15"))
	must(t, err)
	change := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	first := half(2000, 14*86400, 31*86400-3600)

	toks := []string{f.invite("ann@example.com", "member"), f.invite("ben@example.com", "member")}
	f.advance(time.Hour)
	e, err := f.svc.InvitationCost(f.ctx, f.owner, 2)
	must(t, err)
	if e.Next == nil || !e.NextFrom.Equal(change) || e.NextFirst != 2*first || e.NextEach != 4000 {
		t.Fatalf("the estimate of two seats: %+v, want %d at the change, then 4000", e, 2*first)
	}
	now := FormatAmount(e.Now, "EUR", "en")
	want := fmt.Sprintf("if all 2 accept today: %s for this cycle, then %s from 2026-04-01 to 2026-04-15, then €40.00 a month (before tax)", now, FormatAmount(2*first, "EUR", "en"))
	if got := e.Text(i18n.For(i18n.English)); got != want {
		t.Errorf("in English: %q\nwant %q", got, want)
	}
	wantFR := fmt.Sprintf("si les 2 acceptent aujourd'hui : %s pour ce cycle, puis %s du 2026-04-01 au 2026-04-15, puis 40,00\u00a0€ par mois (HT)",
		FormatAmount(e.Now, "EUR", "fr"), FormatAmount(2*first, "EUR", "fr"))
	if got := e.Text(i18n.For(i18n.French)); got != wantFR {
		t.Errorf("in French: %q\nwant %q", got, wantFR)
	}
	if e1 := e.For(1); e1.Text(i18n.For(i18n.English)) != fmt.Sprintf("if they accept today: %s for this cycle, then %s from 2026-04-01 to 2026-04-15, then €20.00 a month (before tax)",
		FormatAmount(e1.Now, "EUR", "en"), FormatAmount(first, "EUR", "en")) {
		t.Errorf("one seat: %q", e1.Text(i18n.For(i18n.English)))
	}

	// Both accept now, and the ledger charges what the estimate said.
	for _, tok := range toks {
		_, err := f.svc.UseLink(f.ctx, "invite", tok, "a long enough password")
		must(t, err)
	}
	charged := func(kind string) (sum int64) {
		for _, r := range f.ledger() {
			if r.Kind == kind && (r.Email == "ann@example.com" || r.Email == "ben@example.com") {
				sum += r.Amount
			}
		}
		return sum
	}
	if got := charged("seat_started"); got != e.Now {
		t.Errorf("charged %d on acceptance, the estimate said %d", got, e.Now)
	}
	f.advance(change.Sub(f.now()) + time.Minute)
	must(t, f.svc.RenewDue(f.ctx))
	if got := charged("renewal"); got != e.NextFirst {
		t.Errorf("charged %d at the change, the estimate said %d", got, e.NextFirst)
	}
	f.advance(15 * 24 * time.Hour)
	must(t, f.svc.RenewDue(f.ctx))
	if got := charged("renewal") - e.NextFirst; got != e.NextEach {
		t.Errorf("charged %d on 15 April, the estimate said %d", got, e.NextEach)
	}
}
