package tui

import (
	"context"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// awayOverview is what the Away screen shows before a user is picked: who
// is away now and who will be in the next 14 days, a page at a time, with
// their dates, stand-ins and where their new work goes today. While the
// picker is empty, ↑/↓ move over it, pgdn/pgup page it and enter opens the
// person's away status.
type awayOverview struct {
	s      *session
	rows   []admin.AwayEntry
	before []store.AwayAfter // the keyset of each page before this one
	nav    nav
	seq    int
	read   bool // a page was read
	err    string
	// loading is a page being read: the keys typed meanwhile are held and
	// replayed in order once it is shown, so that pgdn pgdn reads two pages.
	loading bool
	held    []tea.KeyPressMsg
}

// awayOverviewMsg is a page of the overview.
type awayOverviewMsg struct {
	seq    int
	before []store.AwayAfter
	rows   []admin.AwayEntry
	err    error
}

// load reads the page after from; before is the keyset of the pages before it.
func (o *awayOverview) load(from store.AwayAfter, before []store.AwayAfter, n int) tea.Cmd {
	o.seq++
	o.loading = true
	seq, svc, a := o.seq, o.s.svc, o.s.actor
	before = slices.Clone(before)
	return o.s.do(func(ctx context.Context) tea.Msg {
		rows, err := svc.AwayOverview(ctx, a, time.Time{}, time.Time{}, from, n)
		return awayOverviewMsg{seq, before, rows, err}
	})
}

// reload reads the page shown again.
func (o *awayOverview) reload(n int) tea.Cmd {
	var from store.AwayAfter
	if k := len(o.before); k > 0 {
		from = o.before[k-1]
	}
	return o.load(from, o.before, n)
}

func (o *awayOverview) update(msg awayOverviewMsg) {
	if msg.seq != o.seq {
		return // superseded
	}
	o.loading = false
	o.err = o.s.explain(msg.err)
	if msg.err != nil {
		return
	}
	if len(msg.rows) == 0 && len(msg.before) > 0 {
		return // past the last page: stay
	}
	// The cursor stays on its period when the page is read again (another
	// operator's change): one that starts sooner, added since, goes above.
	follow(&o.nav, o.rows, msg.rows, func(e admin.AwayEntry) int64 { return e.ID })
	o.rows, o.before, o.read = msg.rows, msg.before, true
	o.nav.set(len(o.rows))
}

// next and prev page the overview, n rows a page.
func (o *awayOverview) next(n int) tea.Cmd {
	if len(o.rows) < n {
		return nil
	}
	last := o.rows[len(o.rows)-1]
	k := store.AwayAfter{Start: last.Start, ID: last.ID}
	return o.load(k, append(slices.Clone(o.before), k), n)
}

func (o *awayOverview) prev(n int) tea.Cmd {
	k := len(o.before)
	if k == 0 {
		return nil
	}
	var from store.AwayAfter
	if k > 1 {
		from = o.before[k-2]
	}
	return o.load(from, o.before[:k-1], n)
}

// chosen is the person on the row under the cursor, "" when none.
func (o *awayOverview) chosen() string {
	if o.nav.cur < len(o.rows) {
		return o.rows[o.nav.cur].Email
	}
	return ""
}

func (o *awayOverview) view(st Styles, width, n int) string {
	p := o.s.p
	var b strings.Builder
	head := p.T("Who is away, now and in the next 14 days")
	if len(o.before) > 0 || len(o.rows) == n {
		head += p.T(" · page %d", len(o.before)+1)
	}
	b.WriteString(st.Bold.Render(cut(head, width)) + "\n")
	switch {
	case o.err != "":
		b.WriteString(st.Error.Render(cut("  "+o.err, width)) + "\n")
		return b.String()
	case !o.read:
		b.WriteString(st.Subtle.Render("  "+p.T("Reading…")) + "\n")
		return b.String()
	case len(o.rows) == 0:
		b.WriteString(st.Faint.Render("  "+p.T("Nobody is away.")) + "\n")
		return b.String()
	}
	// The addresses whole when the screen has room beside 40 cells for
	// where the work goes (at 160 columns they were cut at 30 with 60 to
	// spare), and a quarter of it at least.
	emailW := max(12, min(widest(o.rows, func(e admin.AwayEntry) string { return clean(e.Email) }), max(width/4, width-2-13-2-40)))
	restW := max(10, width-emailW-2-13-2)
	b.WriteString(st.ColHead.Render(cut("  "+fit(p.T("Who"), emailW)+" "+fit(p.T("When"), 13)+" "+p.T("Stand-in → new work today"), width)) + "\n")
	now := o.s.svc.Now()
	for i, e := range o.rows {
		work := e.StandIn + " → " + e.WorkText(p)
		switch {
		case e.StandIn == e.WorkTo: // the stand-in takes it: said once
			work = e.StandIn
		case e.StandIn == "":
			work = p.T("no stand-in → %s", e.WorkText(p))
		}
		line := fit(cut(clean(e.Email), emailW), emailW) + " " + fit(awaySpan(p, e.AwayPeriod, now), 13) + " " + cut(clean(work), restW)
		line = cut(line, width-2)
		if i == o.nav.cur {
			line = st.Selected.Render(line)
		}
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}

// awaySpan is a period's dates in 13 cells: "now–Dec 16", "Dec 9–Dec 12",
// "now–" until further notice; in French "auj.–16/12", "09/12–12/12". The
// day's layout is itself a message: a Go time layout, "Jan 2" or "02/01".
func awaySpan(p *i18n.Printer, period store.AwayPeriod, now time.Time) string {
	day := p.T("Jan 2")
	end := ""
	if !period.End.IsZero() {
		end = period.End.Local().Format(day)
	}
	if period.Covers(now) {
		return p.T("now–%s", end)
	}
	return period.Start.Local().Format(day) + "–" + end
}
