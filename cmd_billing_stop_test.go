package main

import (
	"strings"
	"testing"
	"time"
)

// Billing's stop planned (billing plan --none) is said on the day it takes
// effect where the account bills, the plan in effect's zone: the next
// plan, none, has no zone, so that roster billing said UTC's day ("From
// 2026-03-31" for a Tokyo account whose billing stops at midnight on 1
// April there) and billing plan --none the machine's time with no zone.
func TestBillingStopSaysTheDayWhereTheAccountBills(t *testing.T) {
	_, _, _, cmd := billingAccount(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "1500", "--currency", "JPY", "--anchor", "2026-03-01", "--timezone", "Asia/Tokyo")
	if out, want := cmd("billing", "plan", "--none"), "plan from 2026-04-01 00:00 Asia/Tokyo: no plan: nothing is billed"; !strings.Contains(out, want) {
		t.Errorf("billing plan --none says %q, want %q", out, want)
	}
	out := cmd("billing")
	if !strings.Contains(out, "From 2026-04-01:") || !strings.Contains(out, "none: billing stops") {
		t.Errorf("billing says the stop planned:\n%s\nwant it from 2026-04-01", out)
	}
	if out := cmd("billing", "--lang", "fr"); !strings.Contains(out, "2026-04-01") || strings.Contains(out, "2026-03-31") {
		t.Errorf("in French, billing says the stop planned:\n%s\nwant it from 2026-04-01", out)
	}
}

// With billing's stop planned at the cycle's end, roster billing says no
// renewal comes: it said "Next renewal: ¥0 on 2026-04-01", a renewal that
// is never written.
func TestBillingStopSaysNoRenewal(t *testing.T) {
	_, _, _, cmd := billingAccount(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cmd("billing", "plan", "--period", "monthly", "--seat-price", "1500", "--currency", "JPY", "--anchor", "2026-03-01", "--timezone", "Asia/Tokyo")
	cmd("billing", "plan", "--none")
	for _, tc := range []struct{ lang, want string }{{"en", "none: billing stops"}, {"fr", "aucune : la facturation s'arrête"}} {
		out := cmd("billing", "--lang", tc.lang)
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "Next renewal") || strings.HasPrefix(l, "Renouvellement") {
				line = l
			}
		}
		if !strings.Contains(line, tc.want) || strings.Contains(line, "¥") {
			t.Errorf("%s: the next renewal %q, want %q:\n%s", tc.lang, line, tc.want, out)
		}
	}
}
