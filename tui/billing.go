package tui

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// billingView is the Billing screen: the plan, the current cycle with what
// it has cost so far and what the next renewal will, and the seat ledger,
// newest first, read a page at a time; e edits the plan.
type billingView struct {
	s      *session
	keys   billingKeys
	width  int
	height int

	perms   map[string]bool
	country string // the account's: a new plan's currency and zone
	info    *admin.Billing
	infoErr string
	list    pager[store.LedgerEntry]

	form    form // the plan's fields, in the order of the pf constants
	editing bool
	saving  bool
	note    string
	err     string
	// confirm asks before a first plan starts billing every active user
	// at once; first is that plan.
	confirm *confirmation
	first   admin.Plan
}

// The fields of the plan form.
const (
	pfPeriod = iota
	pfPrice
	pfCurrency
	pfAnchor
	pfZone
)

type billingKeys struct {
	nav                      navKeys
	Edit, Save, Back, Reload key.Binding
}

const ledgerPage = 200

func newBilling(s *session) *billingView {
	p := s.p
	m := &billingView{s: s, list: pager[store.LedgerEntry]{size: ledgerPage, id: func(e store.LedgerEntry) int64 { return e.ID }},
		keys: newBillingKeys(p)}
	var periods []string
	for _, pd := range planPeriods {
		periods = append(periods, periodLabel(p, pd))
	}
	m.form = form{keys: formKeysIn(p, p.T("next field")), fields: []*field{
		pfPeriod:   newChoice(p.T("period"), periods...),
		pfPrice:    s.newField(p.T("seat price"), p.T("15.00, before tax"), 20),
		pfCurrency: s.newField(p.T("currency"), "EUR", 3),
		pfAnchor:   s.newField(p.T("cycles from"), "2026-12-01", 10),
		pfZone:     s.newField(p.T("time zone"), "Europe/Paris", 64),
	}}
	return m
}

func newBillingKeys(p *i18n.Printer) billingKeys {
	return billingKeys{
		nav:    navKeysIn(p),
		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", p.T("edit the plan"))),
		Save:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", p.T("save the plan"))),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("cancel"))),
		Reload: reloadKey(p),
	}
}

// planPeriods are the period field's choices, shown in words (periodLabel)
// and read back by their place: "" is no plan.
var planPeriods = []admin.Period{admin.PeriodMonthly, admin.PeriodYearly, ""}

// periodLabel is a plan's period in words; the period itself is a machine
// word (the JSON's, the command line's --period).
func periodLabel(p *i18n.Printer, pd admin.Period) string {
	switch pd {
	case admin.PeriodMonthly:
		return p.T("monthly")
	case admin.PeriodYearly:
		return p.T("yearly")
	case "":
		return p.T("no plan")
	}
	return string(pd)
}

// ledgerKind is a ledger row's kind in words; the kind is the store's.
func ledgerKind(p *i18n.Printer, kind string) string {
	switch kind {
	case store.SeatStarted:
		return p.T("seat started")
	case store.SeatResumed: // whoever takes it, its user of before or not
		return p.T("seat reused, already paid this cycle")
	case store.SeatEnded:
		return p.T("seat ended")
	case store.SeatRenewed:
		return p.T("renewal")
	case store.PlanChanged:
		return p.T("plan changed")
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// billingMsg is what the screen read of the billing.
type billingMsg struct {
	info    *admin.Billing
	country string
	err     error
}

// firstPlanMsg says what saving plan would start: on an account billed
// nothing, the seats of its active users, charged at once, each for the
// rest of the cycle.
type firstPlanMsg struct {
	plan  admin.Plan
	first bool
	users int
	each  int64
	err   error
}

// planSavedMsg is SetPlan's answer.
type planSavedMsg struct {
	plan admin.Plan
	from time.Time
	err  error
}

func (m *billingView) Init() tea.Cmd { return m.load() }

func (m *billingView) load() tea.Cmd {
	svc, a := m.s.svc, m.s.actor
	return tea.Batch(m.s.do(func(ctx context.Context) tea.Msg {
		info, err := svc.BillingInfo(ctx, a)
		if err != nil {
			return billingMsg{err: err}
		}
		acct, err := svc.Account(ctx)
		if err != nil {
			return billingMsg{err: err}
		}
		return billingMsg{info: info, country: acct.Country}
	}), m.loadLedger(false))
}

func (m *billingView) loadLedger(more bool) tea.Cmd {
	svc, a := m.s.svc, m.s.actor
	return m.list.load(m.s, more, func(ctx context.Context, before int64, limit int) ([]store.LedgerEntry, error) {
		return svc.Ledger(ctx, a, "", before, limit)
	})
}

func (m *billingView) SetSize(w, h int) {
	m.width, m.height = w, h
	// The title, the summary, a blank line, the ledger's title and its
	// heading above the rows; the status line below.
	m.list.nav.resize(max(1, h-m.summaryHeight()-5))
}

// summaryHeight is the lines the plan and the cycle take, padded to it so
// that the ledger stays in place.
func (m *billingView) summaryHeight() int { return 7 }

func (m *billingView) Capturing() bool { return m.editing }

// Saving reports that a plan or the billing settings are being saved.
func (m *billingView) Saving() bool { return m.saving }

func (m *billingView) Dirty() bool { return m.editing && m.form.dirty() }

// Reading reports that the ledger rows keys act on are on their way.
func (m *billingView) Reading() bool { return !m.editing && m.list.reading() }

func (m *billingView) ShortHelp() []key.Binding {
	if m.confirm != nil {
		return nil // the question says its keys
	}
	if m.editing {
		return []key.Binding{m.keys.Save, m.form.keys.NextField, m.keys.Back}
	}
	return []key.Binding{m.keys.nav.Up, m.keys.nav.Down, m.keys.Edit, m.keys.Reload}
}

func (m *billingView) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.keys.nav.list(), {m.keys.Edit, m.keys.Save, m.keys.Back, m.keys.Reload}}
}

func (m *billingView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case operatorMsg:
		m.perms = msg.perms
		m.keys.Edit.SetEnabled(mayIn(m.s.p, m.perms, "settings.billing", m.s.p.T("change the plan")) == "")
	case billingMsg:
		m.infoErr = ""
		if msg.err != nil {
			m.infoErr = m.s.explain(msg.err)
			break
		}
		m.info, m.country = msg.info, msg.country
	case pageMsg[store.LedgerEntry]:
		m.list.got(msg)
	case firstPlanMsg:
		m.saving = false
		switch {
		case msg.err != nil:
			m.err = m.s.explain(msg.err)
		case !msg.first:
			return m, m.commit(msg.plan)
		default:
			p := m.s.p
			total, each := m.amount(int64(msg.users)*msg.each, msg.plan.Currency), m.amount(msg.each, msg.plan.Currency)
			m.first = msg.plan
			m.confirm = &confirmation{prompt: p.N(msg.users,
				"Start billing %s active user now? It charges %s for the rest of this cycle (%s a seat). y/n",
				"Start billing %s active users now? It charges %s for the rest of this cycle (%s a seat). y/n",
				p.Num(msg.users), total, each)}
		}
		return m, nil
	case planSavedMsg:
		m.saving = false
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
			return m, nil
		}
		m.editing = false
		m.form.deactivate()
		zone := msg.plan // billing's stop: the plan in effect's day, as no plan has a zone
		if !zone.Billed() && m.info != nil {
			zone = m.info.Plan
		}
		m.note = m.s.p.T("Plan from %s: %s", m.day(msg.from, zone), m.planLine(msg.plan))
		return m, m.load()
	case refreshMsg:
		return m, m.load()
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *billingView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.editing {
		switch {
		case m.saving:
			return nil
		case m.confirm != nil:
			m.confirm = nil
			if saysYes(msg) {
				return m.commit(m.first)
			}
			m.note = m.s.p.T("Nothing saved: nothing is billed yet.")
			return nil
		case key.Matches(msg, k.Save):
			return m.save()
		case key.Matches(msg, k.Back):
			m.editing, m.err = false, ""
			m.form.deactivate()
			return nil
		}
		_, cmd := m.form.update(msg)
		return cmd
	}
	if cmd, ok := m.list.move(k.nav, msg, m.loadLedger); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Edit):
		m.edit()
	case msg.String() == "e": // disabled: say why
		m.err = mayIn(m.s.p, m.perms, "settings.billing", m.s.p.T("change the plan"))
	case key.Matches(msg, k.Reload):
		return m.load()
	}
	return nil
}

// edit fills the form with the plan the operator is editing, as roster
// billing plan starts from it (admin's Billing.Editing: the plan planned,
// else the one in effect), or the plan a first one starts from, and gives
// it the keyboard.
func (m *billingView) edit() {
	p := admin.DefaultPlan(m.country, m.s.svc.Now())
	if m.info != nil && m.info.Editing() != (admin.Plan{}) {
		p = m.info.Editing()
	}
	f := m.form.fields
	f[pfPeriod].set(periodLabel(m.s.p, p.Period))
	f[pfPrice].set("")
	if p.SeatPrice > 0 {
		f[pfPrice].set(admin.PlainAmount(p.SeatPrice, p.Currency))
	}
	f[pfCurrency].set(p.Currency)
	f[pfAnchor].set(p.Anchor.String())
	f[pfZone].set(p.TimeZone)
	m.editing, m.note, m.err = true, "", ""
	m.form.activate(pfPrice)
}

// save checks the form with the rules' own readers and sets the plan; a
// value that cannot be read is shown on its field, and nothing changes.
func (m *billingView) save() tea.Cmd {
	f := m.form.fields
	for _, fl := range f {
		fl.err = ""
	}
	var p admin.Plan
	if period := planPeriods[f[pfPeriod].choice]; period != "" {
		p = admin.Plan{Period: period, Currency: strings.ToUpper(f[pfCurrency].value()), TimeZone: f[pfZone].value()}
		var err error
		if p.SeatPrice, err = admin.ParseAmount(f[pfPrice].value(), p.Currency); err != nil {
			field := pfPrice
			if _, cerr := admin.CurrencyDigits(p.Currency); cerr != nil {
				field = pfCurrency
			}
			f[field].err = m.s.explain(err)
			return nil
		}
		if p.Anchor, err = admin.ParseDay(f[pfAnchor].value()); err != nil {
			f[pfAnchor].err = m.s.explain(err)
			return nil
		}
		if err := p.Validate(); err != nil {
			f[pfZone].err = m.s.explain(err)
			return nil
		}
	}
	if !p.Billed() {
		return m.commit(p)
	}
	// A first plan bills every active user at once: read how many, and
	// whether it is still a first plan, to ask before.
	m.saving, m.err, m.note = true, "", ""
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		info, err := svc.BillingInfo(ctx, a)
		if err != nil || info.Plan.Billed() {
			return firstPlanMsg{plan: p, err: err}
		}
		sum, err := svc.Summary(ctx, a)
		if err != nil {
			return firstPlanMsg{plan: p, err: err}
		}
		now := svc.Now()
		return firstPlanMsg{plan: p, first: true, users: sum.Active, each: p.SeatCharge(now)}
	})
}

// commit sets the plan.
func (m *billingView) commit(p admin.Plan) tea.Cmd {
	m.saving, m.err, m.note = true, "", ""
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		from, err := svc.SetPlan(ctx, a, p)
		return planSavedMsg{p, from, err}
	})
}

// amount writes an amount as admin does in the session's language: 12,40 €
// or €12.40.
func (m *billingView) amount(n int64, cur string) string {
	return admin.FormatAmount(n, cur, string(m.s.p.Lang()))
}

func (m *billingView) planLine(p admin.Plan) string {
	if !p.Billed() {
		return m.s.p.T("none: nothing is billed")
	}
	return m.s.p.T("%s, %s a seat, cycles from %s in %s", periodLabel(m.s.p, p.Period), m.amount(p.SeatPrice, p.Currency), p.Anchor, p.TimeZone)
}

// day is the day t starts in the plan's zone, where cycles start at midnight.
func (m *billingView) day(t time.Time, p admin.Plan) string {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}

func (m *billingView) View() string {
	st, pr := m.s.styles, m.s.p
	var b strings.Builder
	b.WriteString(st.Title.Render(pr.T("Billing")))
	b.WriteString(st.Subtle.Render("  " + pr.T("amounts before tax")))
	b.WriteString("\n")
	if why := mayIn(pr, m.perms, "settings.billing", pr.T("see the billing")); why != "" {
		b.WriteString(st.Subtle.Render(cut(why, m.width)))
		b.WriteString("\n")
		return b.String()
	}
	if m.editing {
		b.WriteString(m.form.view(st, labelWidth(m.form.fields, 12), m.width))
		warning := pr.T("A change to a plan takes effect at the next cycle start; a first plan starts now, charging every active user from now.")
		for _, l := range strings.Split(ansi.Wordwrap(warning, max(10, m.width), ""), "\n") {
			b.WriteString(paint(st.Faint, l) + "\n")
		}
		// The question whole: its count and its cost matter more than a line.
		b.WriteString(st.wrappedStatus(m.width, m.confirm, m.saving, pr.T("Saving…"), m.err, m.note))
		return b.String()
	}
	// The labels take the width of the widest in the session's language.
	labels := []string{pr.T("Plan"), pr.T("Cycle"), pr.T("Seats in use"), pr.T("This cycle"), pr.T("Next renewal"), pr.T("Next plan")}
	lw := max(14, widest(labels, func(s string) string { return s }))
	field := func(k, v string) {
		b.WriteString(st.Label.Render(fit(k, lw)) + " " + cut(v, max(10, m.width-lw-1)) + "\n")
	}
	lines := 0
	switch i := m.info; {
	case m.infoErr != "":
		b.WriteString(st.Error.Render(cut(m.infoErr, m.width)) + "\n")
		lines++
	case i == nil:
		b.WriteString(st.Subtle.Render(pr.T("Reading…")) + "\n")
		lines++
	case !i.Plan.Billed():
		field(labels[0], pr.T("none: nothing is billed (e sets one)"))
		lines++
	default:
		p := i.Plan
		field(labels[0], m.planLine(p))
		field(labels[1], fmt.Sprintf("%s – %s · %s", m.day(i.Cycle.Start, p), m.day(i.Cycle.End, p), m.s.ago(m.s.svc.Now(), i.Cycle.End)))
		field(labels[2], pr.Num(int(i.Seats)))
		field(labels[3], pr.T("%s so far", m.amount(i.SoFar, p.Currency)))
		renewal := pr.T("none: billing stops")
		if i.Renews() {
			renewal = pr.T("%s on %s", m.amount(i.NextRenewal, cmp.Or(i.RenewalCurrency, p.Currency)), m.day(i.Cycle.End, p))
		}
		field(labels[4], renewal)
		b.WriteString(st.Faint.Render(cut(pr.T("Deactivated or deleted, a seat stays paid to the cycle's end, no credit."), m.width)) + "\n")
		lines += 6
	}
	if i := m.info; i != nil && i.Next != nil {
		field(labels[5], pr.T("from %s: %s", m.day(i.NextFrom, admin.Plan{TimeZone: i.NextZone()}), m.planLine(*i.Next)))
		lines++
	}
	for ; lines < m.summaryHeight(); lines++ {
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(st.Title.Render(pr.T("Ledger")))
	b.WriteString(st.Subtle.Render("  " + pr.Agree(len(m.list.rows), "newest first · %s shown", pr.Num(len(m.list.rows)))))
	b.WriteString("\n")
	m.ledger(&b)
	b.WriteString(st.status(m.width, nil, false, "", cmp.Or(m.err, m.list.err), m.note))
	return b.String()
}

// ledger draws the visible rows of the ledger.
func (m *billingView) ledger(b *strings.Builder) {
	st, p := m.s.styles, m.s.p
	from, to := m.list.nav.visible()
	shown := m.list.rows[min(from, len(m.list.rows)):min(to, len(m.list.rows))]
	amount := func(e store.LedgerEntry) string {
		if e.Currency == "" {
			return ""
		}
		return m.amount(e.Amount, e.Currency)
	}
	kind := func(e store.LedgerEntry) string { return ledgerKind(p, e.Kind) }
	w := columnWidths(m.width-2, []column{
		{min: 16, natural: 16},
		{min: 12, natural: widest(shown, kind)},
		{min: 16, natural: widest(shown, func(e store.LedgerEntry) string { return clean(e.Email) }), max: 32},
		{min: 6, natural: max(cells(p.T("Amount")), widest(shown, amount))}, // "Montant" whole
		{min: 8, natural: widest(shown, func(e store.LedgerEntry) string { return e.Rule })},
	})
	b.WriteString(paint(st.ColHead, "  "+fit(p.T("When"), w[0])+" "+fit(p.T("What"), w[1])+" "+fit(p.T("Seat"), w[2])+" "+fit(p.T("Amount"), w[3])+" "+fit(p.T("Rule"), w[4])))
	b.WriteString("\n")
	if len(m.list.rows) == 0 && !m.list.loading {
		b.WriteString(st.Subtle.Render(cut("  "+p.T("Nothing yet: a seat is charged when an invitation is accepted on a plan."), m.width)) + "\n")
	}
	for i, e := range shown {
		line := fit(e.At.Format("2006-01-02 15:04"), w[0]) + " " + fit(kind(e), w[1]) + " " + fit(clean(e.Email), w[2]) + " " +
			strings.Repeat(" ", max(0, w[3]-cells(amount(e)))) + amount(e) + " " + fit(clean(e.Rule), w[4])
		if from+i == m.list.nav.cur {
			b.WriteString(paint(st.Selected, "▸ "+line))
		} else {
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
	}
}
