package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"roster/admin"
	"roster/store"
)

func cmdBilling(c *cli, ctx context.Context, args []string) error {
	verb, args := billingVerb(args)
	switch verb {
	case "":
		return billingSummary(c, ctx, args)
	case "plan":
		return billingPlan(c, ctx, args)
	case "statement":
		return billingStatement(c, ctx, args)
	case "ledger":
		return billingLedger(c, ctx, args)
	}
	return usagef("billing takes plan, statement or ledger, or nothing")
}

// billingVerb finds billing's verb, which may follow the flags every
// command takes (billing --json ledger, billing --lang fr plan …), and
// returns the arguments without it: taken as the first argument alone,
// billing --json ledger printed the summary.
func billingVerb(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", args
		case !strings.HasPrefix(a, "-"):
			if !slices.Contains([]string{"plan", "statement", "ledger"}, a) {
				return "", args // an argument billing takes not (billingSummary)
			}
			return a, append(args[:i:i], args[i+1:]...)
		case !strings.Contains(a, "=") && slices.Contains([]string{"db", "as", "lang"}, strings.TrimLeft(a, "-")):
			i++ // the value of --db, --as or --lang
		}
	}
	return "", args
}

func billingSummary(c *cli, ctx context.Context, args []string) error {
	rest, err := c.parse(c.flags("billing"), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("billing takes plan, statement or ledger, or nothing")
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	b, err := c.svc.BillingInfo(ctx, a)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(b)
	}
	// Labels in the operator's language; a tab after each aligns the values.
	tw := tabwriter.NewWriter(c.stdout, 15, 0, 1, ' ', 0)
	field := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", c.printer().T("%s:", k), v) }
	if !b.Plan.Billed() {
		field(c.printer().T("Plan"), c.printer().T("none: nothing is billed"))
	} else {
		field(c.printer().T("Plan"), c.planLine(b.Plan))
		field(c.printer().T("Cycle"), cycleLine(b.Cycle))
		field(c.printer().T("Seats"), c.printer().Num(int(b.Seats)))
		field(c.printer().T("So far"), c.printer().T("%s this cycle, before tax", c.amount(b.SoFar, b.Plan.Currency)))
		renewal := c.printer().T("none: billing stops")
		if b.Renews() {
			renewal = c.printer().T("%s on %s", c.amount(b.NextRenewal, cmp.Or(b.RenewalCurrency, b.Plan.Currency)), day(b.Cycle.End, b.Plan))
		}
		field(c.printer().T("Next renewal"), renewal)
	}
	if b.Next != nil {
		next := c.printer().T("none: billing stops")
		if b.Next.Billed() {
			next = c.planLine(*b.Next)
		}
		field(c.printer().T("From %s", day(b.NextFrom, admin.Plan{TimeZone: b.NextZone()})), next)
	}
	tw.Flush()
	if b.Plan.Billed() {
		fmt.Fprintln(c.stdout, "\n"+c.printer().T("A seat is charged when its invitation is accepted, prorated to the end of the cycle. A user deactivated or deleted stays paid until the cycle ends, with no credit, and the next seat started in the cycle takes theirs, at no charge."))
	}
	return nil
}

// amount writes an amount of money as the operator's language does.
func (c *cli) amount(amount int64, currency string) string {
	return admin.FormatAmount(amount, currency, string(c.printer().Lang()))
}

func (c *cli) planLine(p admin.Plan) string {
	return c.printer().T("%s, %s a seat, cycles from %s in %s", c.printer().T(string(p.Period)), c.amount(p.SeatPrice, p.Currency), p.Anchor, p.TimeZone)
}

// day is the day t starts in the plan's zone: cycles start at midnight.
func day(t time.Time, p admin.Plan) string {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}

func cycleLine(c admin.Cycle) string {
	return c.Start.Format(time.DateOnly) + " – " + c.End.Format(time.DateOnly)
}

func billingPlan(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("billing")
	period := fs.String("period", "", "monthly or yearly")
	price := fs.String("seat-price", "", "the price of a seat for a cycle, before tax (15.00)")
	cur := fs.String("currency", "", "ISO 4217 code (default: the plan's, or the account's country's)")
	anchor := fs.String("anchor", "", "the date cycles start from (default: the plan's, or today)")
	tz := fs.String("timezone", "", "IANA time zone cycles start at midnight in (default: the plan's, or the account's country's)")
	none := fs.Bool("none", false, "bill nothing, from the next cycle")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	var p admin.Plan
	if !*none {
		if *period == "" || *price == "" {
			return usagef("billing plan takes --period monthly|yearly --seat-price AMOUNT, or --none")
		}
		acct, err := c.svc.Account(ctx)
		if err != nil {
			return err
		}
		p = admin.DefaultPlan(acct.Country, c.svc.Now())
		// On an account with a plan, what the flags do not give is the
		// plan's (the one planned, else the one in effect: admin's
		// Billing.Editing), as on the Billing screen's form: a new price
		// alone moved the cycles to start today, in the country's zone and
		// currency. A refusal is SetPlan's to say.
		kept := false
		if b, err := c.svc.BillingInfo(ctx, a); err == nil {
			if e := b.Editing(); e != (admin.Plan{}) {
				p, kept = e, true
			}
		}
		p.Period = admin.Period(*period)
		if *cur != "" {
			p.Currency = strings.ToUpper(*cur)
		}
		if *tz != "" {
			p.TimeZone = *tz
			loc, err := time.LoadLocation(p.TimeZone)
			if err != nil {
				return p.Validate() // says what is wrong with the zone
			}
			if !kept { // a first plan: cycles from today there
				p.Anchor = admin.DateOf(c.svc.Now().In(loc))
			}
		}
		if p.SeatPrice, err = admin.ParseAmount(*price, p.Currency); err != nil {
			return err
		}
		if *anchor != "" {
			if p.Anchor, err = admin.ParseDay(*anchor); err != nil {
				return err
			}
		}
	} else if *period != "" || *price != "" {
		return usagef("billing plan --none takes no other plan flag")
	}
	// Billing's stop is said where the account bills, in the plan in
	// effect's zone: no plan has one.
	zone := p.TimeZone
	if !p.Billed() {
		if b, err := c.svc.BillingInfo(ctx, a); err == nil {
			zone = b.Plan.TimeZone
		}
	}
	from, err := c.svc.SetPlan(ctx, a, p)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(map[string]any{"plan": p, "from": from})
	}
	what := c.printer().T("no plan: nothing is billed")
	if p.Billed() {
		what = c.planLine(p)
	}
	when := from.Local().Format("2006-01-02 15:04")
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		when = from.In(loc).Format("2006-01-02 15:04 ") + zone
	}
	fmt.Fprintln(c.stdout, c.printer().T("plan from %s: %s", when, what))
	return nil
}

func billingStatement(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("billing")
	cycle := fs.String("cycle", "current", "current, previous, or a date in the cycle (2026-12-01)")
	asCSV := fs.Bool("csv", false, "write CSV")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	if *asCSV && c.json { // JSON was written, --csv unheard
		return usagef("give --csv or --json, not both")
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	at := c.svc.Now()
	var st *admin.Statement
	switch *cycle {
	case "current":
	case "previous":
		b, err := c.svc.BillingInfo(ctx, a)
		if err != nil {
			return err
		}
		if !b.Plan.Billed() {
			return errorf("the account has no plan: say which cycle with --cycle DATE")
		}
		at = b.Cycle.Start.Add(-time.Second)
	default:
		d, err := admin.ParseDay(*cycle)
		if err != nil {
			return err
		}
		if st, err = c.svc.DayStatement(ctx, a, d); err != nil { // the day where the account bills
			return err
		}
	}
	if st == nil {
		if st, err = c.svc.CycleStatement(ctx, a, at); err != nil {
			return err
		}
	}
	switch {
	case c.json:
		return c.printJSON(st)
	case *asCSV:
		w := csv.NewWriter(c.stdout)
		w.Write([]string{"line", "email", "at", "cycle_start", "cycle_end", "amount", "currency", "rule"})
		for _, l := range st.Lines {
			w.Write([]string{l.Kind, l.Email, l.At.Format(time.RFC3339), l.CycleStart.Format(time.RFC3339), l.CycleEnd.Format(time.RFC3339),
				admin.PlainAmount(l.Amount, st.Currency), st.Currency, l.Rule})
		}
		w.Write([]string{"total", "", "", st.Cycle.Start.Format(time.RFC3339), st.Cycle.End.Format(time.RFC3339), admin.PlainAmount(st.Total, st.Currency), st.Currency, "before tax"})
		w.Flush()
		return w.Error()
	}
	fmt.Fprintf(c.stdout, "%s\n\n", c.printer().T("Statement for %s (amounts before tax)", cycleLine(st.Cycle)))
	rows := [][]string{}
	for _, l := range st.Lines {
		what := c.printer().T("renewal")
		if l.Kind == store.SeatStarted {
			what = c.printer().T("joined %s", l.At.Format("2006-01-02 15:04"))
		}
		rows = append(rows, []string{l.Email, what, c.amount(l.Amount, l.Currency)})
	}
	rows = append(rows, []string{c.printer().T("total"), "", c.amount(st.Total, st.Currency)})
	return c.table([]string{"SEAT", "LINE", "AMOUNT"}, rows)
}

func billingLedger(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("billing")
	user := fs.String("user", "", "only this user's rows")
	limit := fs.Int("limit", 100, "at most N rows, newest first")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	rows, err := c.svc.Ledger(ctx, a, *user, 0, *limit)
	if err != nil {
		return err
	}
	return printList(c, rows, []string{"AT", "KIND", "SEAT", "AMOUNT", "CYCLE", "RULE"}, func(e store.LedgerEntry) []string {
		amount := ""
		if e.Currency != "" {
			amount = c.amount(e.Amount, e.Currency)
		}
		cycle := ""
		if !e.CycleStart.IsZero() {
			cycle = cycleLine(admin.Cycle{Start: e.CycleStart, End: e.CycleEnd})
		}
		return []string{e.At.Format("2006-01-02 15:04"), e.Kind, e.Email, amount, cycle, e.Rule}
	})
}
