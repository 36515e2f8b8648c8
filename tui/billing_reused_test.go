package tui

import (
	"strings"
	"testing"

	"roster/i18n"
	"roster/store"
)

// A seat paid for this cycle and freed is taken free by the next seat
// started in it, whoever's: the ledger says it is reused, already paid, in
// both languages. It said "seat resumed" of Carla taking Bob's seat, a seat
// she had never had.
func TestLedgerSaysASeatReused(t *testing.T) {
	f := newFixture(t)
	f.addUser("bob@example.com", "Bob", "B", "member", store.Active)
	f.addUser("carla@example.com", "Carla", "C", "member", store.Deactivated)
	f.plan(1500) // the owner's seat and Bob's, charged
	must(t, f.svc.Deactivate(f.ctx, f.op, "bob@example.com") == nil, "deactivate Bob")
	must(t, f.svc.Reactivate(f.ctx, f.op, "carla@example.com") == nil, "reactivate Carla")
	must(t, f.count(`SELECT count(*) FROM seat_ledger WHERE kind = ? AND email = 'carla@example.com' AND amount = 0`, store.SeatResumed) == 1,
		"Carla took Bob's seat at no charge")
	for lang, want := range map[i18n.Lang]string{i18n.English: "seat reused, already paid", i18n.French: "siège réutilisé, déjà payé"} {
		fr := drawn(press(started(f, lang, 160, 30), "9"))
		var row string
		for _, l := range strings.Split(fr, "\n") {
			if strings.Contains(l, "carla@example.com") {
				row = l
			}
		}
		must(t, strings.Contains(row, want) && !strings.Contains(row, "resumed") && !strings.Contains(row, "repris"),
			"%s: Carla's row %q, want %q:\n%s", lang, row, want, fr)
	}
}
