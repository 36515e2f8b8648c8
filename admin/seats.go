package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"roster/i18n"
	"roster/store"
)

// The seat ledger: every act that starts or ends a seat writes its row in
// its own transaction, after writing the renewals due until then, so that
// whichever process first acts after a cycle starts renews the seats, once.

// plans are the account's plans in the order they take effect.
type plans []store.BillingPlan

func (s *Service) plans(ctx context.Context, q *store.Q) (plans, error) {
	ps, err := q.BillingPlans(ctx)
	return plans(ps), err
}

// at is the plan in effect at t, and the instant the one after it starts
// (zero when none is planned).
func (ps plans) at(t time.Time) (Plan, time.Time) {
	var p Plan
	var next time.Time
	for _, r := range ps {
		if r.StartsAt.After(t) {
			next = r.StartsAt
			break
		}
		p = planOf(r)
	}
	return p, next
}

// billedAt is the plan the account bills in at t: the plan in effect, or,
// once billing stopped, the last plan that billed before it (the zero Plan
// when none has yet). Its zone is where the ledger's times are said.
func (ps plans) billedAt(t time.Time) Plan {
	var p Plan
	for _, r := range ps {
		if r.StartsAt.After(t) {
			break
		}
		if rp := planOf(r); rp.Billed() {
			p = rp
		}
	}
	return p
}

// cycleAt is the plan in effect at t and its cycle containing t as the
// ledger keys it (rows' cycle_start). A plan that takes effect inside one of
// its own cycles after time another plan billed (a change of anchor, period
// or zone, at the old cycle's end) starts that cycle where it takes effect:
// the time before was billed under the other plan, in cycles of its own, so
// that a charge of one never makes a seat paid in the other or counts in its
// statement. Prorated still reads the plan's whole cycle (Plan.CycleAt).
func (ps plans) cycleAt(t time.Time) (Plan, Cycle) {
	var p Plan
	i := -1
	for j, r := range ps {
		if r.StartsAt.After(t) {
			break
		}
		p, i = planOf(r), j
	}
	if !p.Billed() {
		return p, Cycle{}
	}
	c := p.CycleAt(t)
	// ps[j] was in effect until ps[j+1] started.
	for j := i - 1; j >= 0 && ps[j+1].StartsAt.After(c.Start); j-- {
		if planOf(ps[j]).Billed() {
			c.Start = ps[i].StartsAt.In(c.Start.Location())
			break
		}
	}
	return p, c
}

func planOf(r store.BillingPlan) Plan {
	p := Plan{Period: Period(r.Period), SeatPrice: r.SeatPrice, Currency: r.Currency, TimeZone: r.TimeZone}
	p.Anchor, _ = ParseDay(r.Anchor)
	return p
}

// catchUp writes the renewals due up to now: at each cycle start (or at a
// planned change of plan) since the last one written, every seat open then
// is charged for the cycle that starts, under the plan in effect from then.
func (s *Service) catchUp(ctx context.Context, q *store.Q, ps plans, channel string) error {
	through, err := q.RenewedThrough(ctx)
	if err != nil || through.IsZero() { // no plan was ever set
		return err
	}
	now := s.Now()
	for {
		p, change := ps.at(through)
		next := change
		if p.Billed() {
			if end := p.CycleAt(through).End; next.IsZero() || end.Before(next) {
				next = end
			}
		}
		if next.IsZero() || next.After(now) {
			break
		}
		if err := s.renew(ctx, q, ps, next, next.Equal(change), channel); err != nil {
			return err
		}
		through = next
	}
	return q.SetRenewedThrough(ctx, through)
}

// renew charges the seats open at the instant at, a cycle start or the
// start of a planned change of plan.
func (s *Service) renew(ctx context.Context, q *store.Q, ps plans, at time.Time, planChange bool, channel string) error {
	p, _ := ps.at(at)
	if planChange {
		_, c := ps.cycleAt(at)
		if _, err := q.AddLedger(ctx, planEntry(p, c, at)); err != nil {
			return err
		}
		if err := s.audit(ctx, q, nil, channel, "billing.plan_effective", nil, nil, planJSON(p)); err != nil {
			return err
		}
	}
	if !p.Billed() {
		return nil
	}
	amount := p.SeatCharge(at)
	rule := "renewal: the full price"
	if amount != p.SeatPrice { // a new plan whose cycles start elsewhere: its first cycle starts at
		rule = prorationRule(p.SeatPrice, p.CycleAt(at), at)
	}
	_, c := ps.cycleAt(at)
	n, err := q.RenewSeats(ctx, at, c.End, amount, p.Currency, rule)
	if err != nil {
		return err
	}
	return s.audit(ctx, q, nil, channel, "billing.renew", nil, nil, map[string]any{
		"cycle_start": c.Start, "cycle_end": c.End, "seats": n, "amount_each": amount, "currency": p.Currency})
}

func prorationRule(price int64, c Cycle, t time.Time) string {
	return fmt.Sprintf("prorated: %d × %d s left / %d s in the cycle, rounded half up",
		price, max(0, c.End.Unix()-t.Unix()), c.End.Unix()-c.Start.Unix())
}

// planEntry is the ledger row of p taking effect at at, in its cycle c.
func planEntry(p Plan, c Cycle, at time.Time) *store.LedgerEntry {
	e := &store.LedgerEntry{Kind: store.PlanChanged, At: at, Currency: p.Currency, Amount: p.SeatPrice, Rule: "no plan: nothing is billed"}
	if p.Billed() {
		e.CycleStart, e.CycleEnd = c.Start, c.End
		e.Rule = fmt.Sprintf("%s, %s %s a seat, cycles from %s in %s", p.Period, PlainAmount(p.SeatPrice, p.Currency), p.Currency, p.Anchor, p.TimeZone)
	}
	return e
}

func planJSON(p Plan) map[string]any {
	return map[string]any{"period": p.Period, "seat_price": p.SeatPrice, "currency": p.Currency,
		"anchor": p.Anchor.String(), "time_zone": p.TimeZone}
}

// seatStarts records that u's seat starts now (an invitation accepted, a
// user reactivated by by; nil: by u): charged prorated to the end of the
// cycle, or nothing when a seat paid for this cycle is free (its user
// deactivated or deleted in it, u or another): a seat paid stays paid to the
// cycle's end and is taken by the next seat started in it, so that the
// seats charged in a cycle are never fewer than those open.
func (s *Service) seatStarts(ctx context.Context, q *store.Q, by *store.User, channel string, u *store.User) error {
	ps, err := s.plans(ctx, q)
	if err != nil || len(ps) == 0 {
		return err
	}
	if err := s.catchUp(ctx, q, ps, channel); err != nil {
		return err
	}
	now := s.Now()
	p, c := ps.cycleAt(now)
	if !p.Billed() {
		return nil
	}
	e := &store.LedgerEntry{Kind: store.SeatStarted, UserID: u.ID, Email: u.Email, At: now, CycleStart: c.Start, CycleEnd: c.End,
		Amount: p.SeatCharge(now), Currency: p.Currency, Rule: prorationRule(p.SeatPrice, p.CycleAt(now), now)}
	free, err := freeSeats(ctx, q, c, now)
	if err != nil {
		return err
	}
	if free > 0 {
		e.Kind, e.Amount, e.Rule = store.SeatResumed, 0, "a seat paid for this cycle and free: no charge"
	}
	if _, err := q.AddLedger(ctx, e); err != nil {
		return err
	}
	return s.audit(ctx, q, by, channel, "billing."+e.Kind, u, nil, ledgerJSON(e))
}

// freeSeats is how many seats paid for cycle c are free at now, their
// users deactivated or deleted in it: the seats started next take them, at
// no charge, as long as the seats open are fewer than those paid.
func freeSeats(ctx context.Context, q *store.Q, c Cycle, now time.Time) (int64, error) {
	paid, err := q.PaidSeats(ctx, c.Start)
	if err != nil {
		return 0, err
	}
	open, err := q.OpenSeats(ctx, now)
	return max(0, paid-open), err
}

// seatEnds records that u's seat ends now (deactivated, deleted): it stays
// paid to the end of its cycle, with no credit, and is not renewed.
// It returns the end of the cycle the seat is paid to; zero when there is
// no plan or the seat was not charged in this cycle.
func (s *Service) seatEnds(ctx context.Context, q *store.Q, by *store.User, channel string, u *store.User) (time.Time, error) {
	ps, err := s.plans(ctx, q)
	if err != nil || len(ps) == 0 {
		return time.Time{}, err
	}
	if err := s.catchUp(ctx, q, ps, channel); err != nil {
		return time.Time{}, err
	}
	now := s.Now()
	paid, err := s.paidUntil(ctx, q, ps, u)
	if err != nil {
		return time.Time{}, err
	}
	if open, err := q.SeatOpen(ctx, u.ID, now); err != nil || !open {
		return paid, err
	}
	e := &store.LedgerEntry{Kind: store.SeatEnded, UserID: u.ID, Email: u.Email, At: now, Rule: "ended: no credit"}
	if p, c := ps.cycleAt(now); p.Billed() {
		e.CycleStart, e.CycleEnd, e.Currency = c.Start, c.End, p.Currency
		e.Rule = fmt.Sprintf("ended: paid until %s, no credit", c.End.Format(time.DateOnly))
	}
	if _, err := q.AddLedger(ctx, e); err != nil {
		return time.Time{}, err
	}
	return paid, s.audit(ctx, q, by, channel, "billing."+e.Kind, u, nil, ledgerJSON(e))
}

// paidUntil is the end of the current cycle when u held a paid seat in it
// (charged, or taking a seat paid for it), or will by the renewal due at its
// start that nobody has written yet (a read, such as a deletion's preview,
// writes none), else zero.
func (s *Service) paidUntil(ctx context.Context, q *store.Q, ps plans, u *store.User) (time.Time, error) {
	p, c := ps.cycleAt(s.Now())
	if !p.Billed() {
		return time.Time{}, nil
	}
	charged, err := q.SeatPaid(ctx, u.ID, c.Start)
	if err != nil {
		return time.Time{}, err
	}
	if !charged {
		through, err := q.RenewedThrough(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if through.Before(c.Start) { // nothing written since the cycle started
			if charged, err = q.SeatOpen(ctx, u.ID, c.Start); err != nil {
				return time.Time{}, err
			}
		}
	}
	if !charged {
		return time.Time{}, nil
	}
	return c.End, nil
}

// SeatPaidUntil is the end of the cycle a user's seat is paid to, when it
// was charged for the current cycle (zero otherwise): what a deactivation or
// deletion leaves paid, with no credit. It needs users.delete, as they do.
func (s *Service) SeatPaidUntil(ctx context.Context, a Actor, email string) (time.Time, error) {
	var until time.Time
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.delete", "removing users"); err != nil {
			return err
		}
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		ps, err := s.plans(ctx, q)
		if err != nil {
			return err
		}
		until, err = s.paidUntil(ctx, q, ps, u)
		return err
	})
	return until, err
}

func ledgerJSON(e *store.LedgerEntry) map[string]any {
	return map[string]any{"kind": e.Kind, "amount": e.Amount, "currency": e.Currency,
		"cycle_start": e.CycleStart, "cycle_end": e.CycleEnd, "rule": e.Rule}
}

// RenewDue writes the renewals due, as roster serve does every minute, so
// that the ledger is current at each cycle start even when nobody acts.
func (s *Service) RenewDue(ctx context.Context) error {
	return s.st.Write(ctx, func(q *store.Q) error {
		ps, err := s.plans(ctx, q)
		if err != nil || len(ps) == 0 {
			return err
		}
		return s.catchUp(ctx, q, ps, ChannelSystem)
	})
}

// billing runs fn in one transaction as an operator holding
// settings.billing (what says for what), with the plans, once the
// renewals due are written.
func (s *Service) billing(ctx context.Context, a Actor, what string, fn func(q *store.Q, op *operator, ps plans) error) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.billing", what); err != nil {
			return err
		}
		ps, err := s.plans(ctx, q)
		if err != nil {
			return err
		}
		if err := s.catchUp(ctx, q, ps, op.channel); err != nil {
			return err
		}
		return fn(q, op, ps)
	})
}

// Billing is what the Billing screen and `roster billing` show.
type Billing struct {
	Plan      Plan      `json:"plan"`
	PlanSince time.Time `json:"plan_since,omitzero"`
	// Next is the plan taking effect at NextFrom, when a change is planned.
	Next     *Plan     `json:"next_plan,omitempty"`
	NextFrom time.Time `json:"next_from,omitzero"`
	Cycle    Cycle     `json:"cycle,omitzero"`
	Seats    int64     `json:"seats"`  // open now
	SoFar    int64     `json:"so_far"` // charged for the current cycle
	// NextRenewal is what the seats open now will cost at the next cycle
	// start, on the plan in effect then.
	NextRenewal int64 `json:"next_renewal"`
	// Currency is SoFar's (amounts in its minor unit).
	Currency string `json:"currency,omitempty"`
	// RenewalCurrency is NextRenewal's, the next plan's: a planned change
	// may change the currency.
	RenewalCurrency string `json:"next_renewal_currency,omitempty"`
}

// Editing is the plan a change of plan starts from, the one the operator
// would be editing: the plan planned when a change is planned, else the
// plan in effect. A stop of billing planned keeps the fields of the plan in
// effect with no period, so that choosing a period again finds them. The
// zero Plan when the account is billed nothing and nothing is planned (a
// form then starts from DefaultPlan). The Billing screen's form and roster
// billing plan both start from it.
func (b *Billing) Editing() Plan {
	switch {
	case b.Next != nil && b.Next.Billed():
		return *b.Next
	case b.Next != nil:
		p := b.Plan
		p.Period = PeriodNone
		return p
	}
	return b.Plan
}

// Renews reports whether the seats open are renewed at the cycle's end:
// not when billing stops then (NextRenewal is 0 for no renewal at all).
func (b *Billing) Renews() bool { return b.Plan.Billed() && (b.Next == nil || b.Next.Billed()) }

// NextZone is the time zone the change planned is said in, where its day
// starts: the next plan's, or the plan in effect's when billing stops (no
// plan has a zone, and time.LoadLocation reads none as UTC).
func (b *Billing) NextZone() string {
	if b.Next != nil && b.Next.Billed() {
		return b.Next.TimeZone
	}
	return b.Plan.TimeZone
}

// BillingInfo reads the plan, the current cycle and what it has cost so far,
// writing the renewals due first. It needs settings.billing.
func (s *Service) BillingInfo(ctx context.Context, a Actor) (*Billing, error) {
	var b *Billing
	err := s.billing(ctx, a, "reading the billing", func(q *store.Q, op *operator, ps plans) (err error) {
		now := s.Now()
		b = &Billing{}
		var next time.Time
		b.Plan, next = ps.at(now)
		for _, r := range ps {
			if !r.StartsAt.After(now) {
				b.PlanSince = r.StartsAt
			}
		}
		if !next.IsZero() {
			np, _ := ps.at(next)
			b.Next, b.NextFrom = &np, next
		}
		if b.Seats, err = q.OpenSeats(ctx, now); err != nil || !b.Plan.Billed() {
			return err
		}
		_, b.Cycle = ps.cycleAt(now)
		b.Currency = b.Plan.Currency
		rows, err := q.CycleLedger(ctx, b.Cycle.Start)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Kind == store.SeatStarted || r.Kind == store.SeatRenewed {
				b.SoFar += r.Amount
			}
		}
		if p, _ := ps.at(b.Cycle.End); p.Billed() {
			b.NextRenewal = b.Seats * p.SeatCharge(b.Cycle.End)
			b.RenewalCurrency = p.Currency
		}
		return nil
	})
	return b, err
}

// SetPlan changes the account's plan. On an account billed nothing, billing
// starts at once: the current cycle is the one containing this instant, and
// every active user's seat is charged prorated from now, as if accepted
// then. A change to an existing plan (including to none) takes effect at the
// next cycle start. It needs settings.billing.
func (s *Service) SetPlan(ctx context.Context, a Actor, p Plan) (from time.Time, err error) {
	if err := p.Validate(); err != nil {
		return time.Time{}, err
	}
	err = s.billing(ctx, a, "changing the plan", func(q *store.Q, op *operator, ps plans) error {
		now := s.Now()
		cur, _ := ps.at(now)
		from = now
		if cur.Billed() {
			from = cur.CycleAt(now).End
		}
		if then, _ := ps.at(from); then == p {
			return nil // the plan it would be then already: no plan row, ledger row or audit entry
		}
		if cur.Billed() && cur == p { // the plan in effect again: the change planned is undone, not a change to it planned
			if err := q.CancelBillingPlans(ctx, from); err != nil {
				return err
			}
			then, _ := ps.at(from)
			return s.audit(ctx, q, op.User, op.channel, "billing.plan", nil, planJSON(then), map[string]any{"plan": planJSON(p), "from": from})
		}
		if err := q.AddBillingPlan(ctx, &store.BillingPlan{StartsAt: from, Period: string(p.Period), SeatPrice: p.SeatPrice,
			Currency: p.Currency, Anchor: p.Anchor.String(), TimeZone: p.TimeZone, CreatedAt: now, CreatedBy: op.Email}); err != nil {
			return err
		}
		if err := s.audit(ctx, q, op.User, op.channel, "billing.plan", nil, planJSON(cur), map[string]any{
			"plan": planJSON(p), "from": from}); err != nil {
			return err
		}
		if cur.Billed() || !p.Billed() {
			return nil // a change at the next cycle start, written when it comes
		}
		if ps, err = s.plans(ctx, q); err != nil { // with p
			return err
		}
		_, c := ps.cycleAt(now)
		if _, err := q.AddLedger(ctx, planEntry(p, c, now)); err != nil {
			return err
		}
		n, err := q.StartSeats(ctx, now, c.Start, c.End, p.SeatCharge(now), p.Currency, prorationRule(p.SeatPrice, p.CycleAt(now), now))
		if err != nil {
			return err
		}
		if err := q.SetRenewedThrough(ctx, now); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "billing.start", nil, nil, map[string]any{"seats": n, "cycle_start": c.Start, "cycle_end": c.End})
	})
	return from, err
}

// Statement is what a cycle cost: its renewals, then the seats started in
// it, then the total (before tax).
type Statement struct {
	Cycle    Cycle               `json:"cycle"`
	Currency string              `json:"currency"`
	Lines    []store.LedgerEntry `json:"lines"`
	Total    int64               `json:"total"`
}

// CycleStatement is the statement of the cycle containing t. It needs
// settings.billing.
func (s *Service) CycleStatement(ctx context.Context, a Actor, t time.Time) (*Statement, error) {
	return s.statement(ctx, a, func(plans) time.Time { return t })
}

// DayStatement is the statement of the cycle day d falls in where the
// account bills: noon that day in the zone of the plan of that day, as
// cycles start at midnight there (noon in the reader's zone may be another
// day there). It needs settings.billing.
func (s *Service) DayStatement(ctx context.Context, a Actor, d Date) (*Statement, error) {
	return s.statement(ctx, a, func(ps plans) time.Time {
		t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
		p, next := ps.at(t)
		if !p.Billed() && !next.IsZero() {
			p, _ = ps.at(next) // billing started later that cycle, perhaps
		}
		if !p.Billed() {
			return t
		}
		return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, p.location())
	})
}

// statement is the statement of the cycle containing the instant when
// gives with the plans.
func (s *Service) statement(ctx context.Context, a Actor, when func(plans) time.Time) (*Statement, error) {
	var st *Statement
	err := s.billing(ctx, a, "reading statements", func(q *store.Q, op *operator, ps plans) error {
		t := when(ps)
		p, c := ps.cycleAt(t)
		if _, next := ps.at(t); !p.Billed() && !next.IsZero() {
			if np, nc := ps.cycleAt(next); np.Billed() && nc.Contains(t) {
				p, c = np, nc // the cycle in which billing started
			}
		}
		if !p.Billed() {
			return stateErr("nothing was billed on %s: the account had no plan", t.Format(time.DateOnly))
		}
		st = &Statement{Cycle: c, Currency: p.Currency, Lines: []store.LedgerEntry{}}
		rows, err := q.CycleLedger(ctx, st.Cycle.Start)
		if err != nil {
			return err
		}
		loc := p.location() // times where cycles start at midnight, as the ledger's
		for _, kind := range []string{store.SeatRenewed, store.SeatStarted} {
			for _, r := range rows {
				if r.Kind == kind {
					r.At, r.CycleStart, r.CycleEnd = r.At.In(loc), r.CycleStart.In(loc), r.CycleEnd.In(loc)
					st.Lines = append(st.Lines, r)
					st.Total += r.Amount
				}
			}
		}
		return nil
	})
	return st, err
}

// Ledger lists the seat ledger newest first, of one user when email is not
// empty (of whoever had the address, deleted since, when nobody has it
// now), a page at a time, after writing the renewals due. It needs
// settings.billing.
func (s *Service) Ledger(ctx context.Context, a Actor, email string, beforeID int64, limit int) ([]store.LedgerEntry, error) {
	var out []store.LedgerEntry
	err := s.billing(ctx, a, "reading the ledger", func(q *store.Q, op *operator, ps plans) (err error) {
		id, err := s.userID(ctx, q, email)
		switch nobody := new(*NotFoundError); {
		case errors.As(err, nobody): // nobody has the address now: the rows of whoever had it, deleted since
			if out, err = q.LedgerByEmail(ctx, email, beforeID, limit); err == nil && len(out) == 0 && beforeID == 0 {
				return *nobody // in no row either
			}
		case err == nil:
			out, err = q.Ledger(ctx, id, beforeID, limit)
		}
		if err != nil {
			return err
		}
		// Times in the zone of the plan of their day, where cycles start at
		// midnight; after billing stopped, of the plan that billed last.
		for i := range out {
			e := &out[i]
			if p := ps.billedAt(e.At); p.Billed() {
				loc := p.location()
				e.At, e.CycleStart, e.CycleEnd = e.At.In(loc), e.CycleStart.In(loc), e.CycleEnd.In(loc)
			}
		}
		return nil
	})
	return out, err
}

// Estimate is what invitations will cost if everyone accepts now: Now for
// the rest of the current cycle, then Each period on the plan in effect,
// or, when a change is planned (Next, from NextFrom), NextFirst for its
// first cycle and NextEach each of its periods after (nothing when billing
// stops). Each amount is what the seats would be charged: Plan.SeatCharge,
// as seatStarts and the renewals compute it.
type Estimate struct {
	Billed      bool   `json:"billed"`
	Invitations int    `json:"invitations"`
	Period      Period `json:"period,omitempty"`
	Currency    string `json:"currency,omitempty"`
	Now         int64  `json:"now"`
	Each        int64  `json:"each"`
	// Free is how many seats paid for this cycle are free (their users
	// deactivated or deleted in it): the first seats started take them, at
	// no charge.
	Free     int       `json:"free"`
	Next     *Plan     `json:"next_plan,omitempty"`
	NextFrom time.Time `json:"next_from,omitzero"`
	NextEach int64     `json:"next_each"`
	// NextFirst is what the seats are charged at the change, for the next
	// plan's first cycle, to NextFirstUntil: NextEach when the change falls
	// on one of its cycle starts, less when its cycles start elsewhere (its
	// first renewal prorated).
	NextFirst      int64     `json:"next_first"`
	NextFirstUntil time.Time `json:"next_first_until,omitzero"`
	// One seat's: for the rest of the cycle, each period, the next plan's
	// first cycle, each of its periods.
	seat, price, nextFirst, nextPrice int64
	zone                              string // the plan's in effect
}

// For is the estimate of n invitations, from the one InvitationCost read.
func (e Estimate) For(n int) *Estimate {
	e.Invitations = n
	e.Now = int64(max(0, n-e.Free)) * e.seat
	e.Each, e.NextFirst, e.NextEach = int64(n)*e.price, int64(n)*e.nextFirst, int64(n)*e.nextPrice
	return &e
}

// Text says the estimate in p's language, as the Invite screen and roster
// invite show it: "if they accept today: €14.31 for this cycle, then €15.00
// a month (before tax)", or with a change planned, what the seats cost from
// then; nothing when nothing is billed.
func (e *Estimate) Text(p *i18n.Printer) string {
	n := e.Invitations
	if !e.Billed || n == 0 {
		return ""
	}
	lang := string(p.Lang())
	now, each := FormatAmount(e.Now, e.Currency, lang), FormatAmount(e.Each, e.Currency, lang)
	if e.Next == nil {
		// One person or all of them: "they" is not the plural rule's "one".
		switch {
		case n == 1 && e.Period == PeriodYearly:
			return p.T("if they accept today: %s for this cycle, then %s a year (before tax)", now, each)
		case n == 1:
			return p.T("if they accept today: %s for this cycle, then %s a month (before tax)", now, each)
		case e.Period == PeriodYearly:
			return p.T("if all %s accept today: %s for this cycle, then %s a year (before tax)", p.Num(n), now, each)
		}
		return p.T("if all %s accept today: %s for this cycle, then %s a month (before tax)", p.Num(n), now, each)
	}
	// A change planned takes effect at the cycle's end: the seats cost the
	// next plan's price, in its currency, from then (the day in its zone).
	zone := e.zone
	if e.Next.Billed() {
		zone = e.Next.TimeZone
	}
	loc := Plan{TimeZone: zone}.location()
	from := e.NextFrom.In(loc).Format(time.DateOnly)
	then := p.T("nothing from %s", from)
	switch next := FormatAmount(e.NextEach, e.Next.Currency, lang); {
	case !e.Next.Billed():
	case e.nextFirst != e.nextPrice: // its first cycle ends sooner: prorated
		first, until := FormatAmount(e.NextFirst, e.Next.Currency, lang), e.NextFirstUntil.In(loc).Format(time.DateOnly)
		then = p.T("%s from %s to %s, then %s a month", first, from, until, next)
		if e.Next.Period == PeriodYearly {
			then = p.T("%s from %s to %s, then %s a year", first, from, until, next)
		}
	case e.Next.Period == PeriodYearly:
		then = p.T("%s a year from %s", next, from)
	default:
		then = p.T("%s a month from %s", next, from)
	}
	if n == 1 {
		return p.T("if they accept today: %s for this cycle, then %s (before tax)", now, then)
	}
	return p.T("if all %s accept today: %s for this cycle, then %s (before tax)", p.Num(n), now, then)
}

// InvitationCost is what n invitations will cost if all are accepted now.
// Anyone who may invite may see it.
func (s *Service) InvitationCost(ctx context.Context, a Actor, n int) (*Estimate, error) {
	var e Estimate
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.invite", "inviting"); err != nil {
			return err
		}
		ps, err := s.plans(ctx, q)
		if err != nil {
			return err
		}
		now := s.Now()
		p, c := ps.cycleAt(now)
		if !p.Billed() {
			return nil
		}
		e = Estimate{Billed: true, Period: p.Period, Currency: p.Currency, seat: p.SeatCharge(now), price: p.SeatPrice, zone: p.TimeZone}
		if _, next := ps.at(now); !next.IsZero() {
			np, _ := ps.at(next)
			e.Next, e.NextFrom, e.nextPrice = &np, next, np.SeatPrice
			if np.Billed() { // its first renewal, at the change
				e.nextFirst, e.NextFirstUntil = np.SeatCharge(next), np.CycleAt(next).End
			}
		}
		free, err := freeSeats(ctx, q, c, now)
		e.Free = int(free)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.For(n), nil
}
