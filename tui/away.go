package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// away is the Away screen: set a user away now or for a planned period, with
// a stand-in (a user or a team) who takes their new work, and see, end or
// cancel their periods.
type away struct {
	s      *session
	keys   awayKeys
	width  int
	height int
	oneUser

	standIn *picker // choosing the stand-in
	form    form
	periods nav
	saving  bool
	confirm *confirmation
	// fromList: the person was opened from the Away list (or its search),
	// to which esc goes back; opened from elsewhere, esc goes to Users.
	fromList bool
	// asked is what y to confirm runs: nothing is saving until then, so
	// that n leaves the screen as it was.
	asked func(context.Context, *admin.Service, admin.Actor) (string, error)
	// warning is where the chosen stand-in would send the work, when not
	// to them: said in the session's language as it is drawn. warnSeq
	// numbers the checks, the stand-in or the dates changed: only the
	// last one's answer is shown.
	warning *admin.StandInRoute
	warnSeq int
	// overview is shown while the user picker is empty.
	overview awayOverview
	// lost is the period the cursor was on, which the page read again no
	// longer lists, until the next key or reading (gone); mine: the
	// reading follows this screen's own act.
	lost string
	mine bool
}

type awayKeys struct {
	form                                     formKeys
	Edit, Up, Down, Cancel, End, Other, Back key.Binding
}

// The fields of the away form.
const (
	aMode = iota
	aFrom
	aUntil
	aStandIn
	aNote
)

const (
	awayPicker    = 2
	standInPicker = 3
)

type awayDoneMsg struct {
	seq  int
	note string
	err  error
}

// standInWarnMsg is StandInWarning's answer for the stand-in and the
// dates chosen.
type standInWarnMsg struct {
	email string
	seq   int
	route *admin.StandInRoute
}

func newAway(s *session) *away {
	p := s.p
	m := &away{s: s, oneUser: oneUser{screen: awayScreen}, overview: awayOverview{s: s}, keys: newAwayKeys(p)}
	m.form = form{keys: m.keys.form}
	// The choices of When are words of the session's language: the form
	// tells them apart by position (aNow, aPlanned), never by text.
	m.form.fields = []*field{
		aMode:    newChoice(p.T("When"), p.T("away now"), p.T("planned")),
		aFrom:    s.newField(p.T("From"), p.T("2026-12-24, tomorrow, +7d"), 40),
		aUntil:   s.newField(p.T("Until"), p.T("2026-12-24, tomorrow, +7d; empty: until further notice"), 40),
		aStandIn: s.newField(p.T("Stand-in"), p.T("enter to choose a user or a team"), 200),
		aNote:    s.newField(p.T("Note"), p.T("shown to the stand-in"), 500),
	}
	m.form.fields[aStandIn].hint = p.T("enter: find a user or a team")
	m.form.fields[aFrom].hint = p.T("only for a planned period")
	return m
}

// The choices of the When field.
const (
	aNow = iota
	aPlanned
)

func newAwayKeys(p *i18n.Printer) awayKeys {
	return awayKeys{
		form:   formKeysIn(p, p.T("save")),
		Edit:   key.NewBinding(key.WithKeys("enter", "e", "i"), key.WithHelp("enter", p.T("fill in the form"))),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", p.T("previous period"))),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", p.T("next period"))),
		Cancel: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", p.T("cancel period"))),
		End:    key.NewBinding(key.WithKeys("E"), key.WithHelp("E", p.T("back now"))),
		Other:  otherUserKey(p),
		Back:   backKey(p),
	}
}

// clear empties the form, When back at away now.
func (m *away) clear() {
	for _, f := range m.form.fields {
		f.set("")
	}
	mode := m.form.fields[aMode]
	mode.set(mode.choices[aNow])
}

func (m *away) Init() tea.Cmd {
	if m.email == "" {
		return m.choose()
	}
	return m.load()
}

// OpenUser shows the away status of email, with the form ready.
func (m *away) OpenUser(email string) tea.Cmd {
	if m.email != email {
		m.clear()
	}
	m.email, m.picker, m.standIn, m.user, m.note, m.err = email, nil, nil, nil, "", ""
	m.form.deactivate()
	m.form.focusOn(aUntil) // enter, i or a letter edits it
	m.fromList = false
	return m.load()
}

// openFromList opens email chosen on the Away list, to which esc goes back.
func (m *away) openFromList(email string) tea.Cmd {
	cmd := m.OpenUser(email)
	m.fromList = true
	return cmd
}

func (m *away) choose() tea.Cmd {
	return tea.Batch(m.oneUser.choose(m.s, awayPicker, m.s.p.T("who is away? type a name or an email")),
		m.overview.load(store.AwayAfter{}, nil, m.overviewRows()))
}

// overviewRows is how many rows a page of the overview shows.
func (m *away) overviewRows() int { return max(3, m.height-8) }

// overviewShown reports that the overview is on screen: the picker is open,
// empty, and has no keys waiting for its results.
func (m *away) overviewShown() bool {
	return m.picker != nil && m.picker.input.Value() == "" && len(m.picker.queued) == 0
}

// overviewKey moves over and pages the overview, and opens the person on
// the row with enter; ok is false for the keys it leaves to the picker.
func (m *away) overviewKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	n := m.overviewRows()
	m.overview.nav.resize(n)
	switch msg.String() {
	case "up", "down", "pgdown", "pgup", "enter":
		if m.overview.loading {
			m.overview.held = append(m.overview.held, msg)
			return nil, true
		}
	}
	switch msg.String() {
	case "up":
		m.overview.nav.move(-1)
	case "down":
		m.overview.nav.move(1)
	case "pgdown":
		return m.overview.next(n), true
	case "pgup":
		return m.overview.prev(n), true
	case "enter":
		if e := m.overview.chosen(); e != "" {
			return m.openFromList(e), true
		}
	default:
		return nil, false
	}
	return nil, true
}

func (m *away) load() tea.Cmd {
	m.lost = ""
	return m.read(m.s)
}

// gone names the period the cursor was on, which the page read again no
// longer lists (cancelled by someone else): the keys typed meanwhile do
// nothing (Model.replay).
func (m *away) gone() string { return m.lost }

func (m *away) SetSize(w, h int) {
	m.width, m.height = w, h
	m.periods.resize(max(1, (h-16)/2)) // two lines a period
}

func (m *away) Capturing() bool {
	return m.choosing() || m.standIn != nil || m.form.active || m.confirm != nil
}

// Saving reports that a leave is being saved or ended.
func (m *away) Saving() bool { return m.saving }

func (m *away) Dirty() bool { return m.email != "" && m.form.dirty() }

func (m *away) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.picker != nil, m.standIn != nil:
		return pickerKeys(m.s.p)
	case m.form.active:
		// Saving and leaving first: at 80 columns the footer cuts its end.
		return []key.Binding{k.form.Save, k.form.Leave, k.form.NextField, k.form.PrevField}
	}
	return []key.Binding{k.Edit, k.form.Save, k.Up, k.Down, k.Cancel, k.End, k.Other}
}

func (m *away) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Edit, k.form.NextField, k.form.PrevField, k.form.Save, k.form.Leave},
		{k.Up, k.Down, k.Cancel, k.End}, {k.Other, k.Back}}
}

func (m *away) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case awayOverviewMsg:
		m.overview.update(msg)
		var cmds []tea.Cmd
		for len(m.overview.held) > 0 && !m.overview.loading && m.overviewShown() {
			k := m.overview.held[0]
			m.overview.held = m.overview.held[1:]
			cmd, _ := m.overviewKey(k)
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case refreshMsg:
		if m.picker != nil {
			return m, m.overview.reload(m.overviewRows())
		}
	case tea.KeyPressMsg:
		if m.overviewShown() {
			if cmd, ok := m.overviewKey(msg); ok {
				return m, cmd
			}
		}
	}
	if m.picker != nil {
		if cmd, ok := m.pickUser(msg, m.openFromList); ok {
			return m, cmd
		}
	}
	if m.standIn != nil {
		before := m.form.fields[aStandIn].value()
		if cmd, ok := pickInto(&m.standIn, &m.form, aStandIn, msg, m.replay); ok {
			if chosen := m.form.fields[aStandIn].value(); m.standIn == nil && chosen != before {
				cmd = tea.Batch(cmd, m.checkStandIn())
			}
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case standInWarnMsg:
		if msg.email == m.email && msg.seq == m.warnSeq {
			m.warning = msg.route
		}
	case userMsg:
		if !m.current(msg) {
			return m, nil
		}
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
		} else {
			// Read again, the cursor stays on its period: one cancelled or
			// added since moved it, and x typed meanwhile asked about another.
			if m.user != nil {
				gone, ok := follow(&m.periods, m.user.AwayPeriods, msg.user.AwayPeriods, func(p store.AwayPeriod) int64 { return p.ID })
				if !ok && !m.mine {
					m.lost = m.s.p.T("The period %s", awayDates(m.s, gone))
				}
			}
			m.mine = false
			m.user = msg.user
			m.periods.set(len(msg.user.AwayPeriods))
		}
		return m, m.replayHeld(m.replay)
	case awayDoneMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.saving = false
		if msg.err != nil {
			m.showErr(msg.err)
			return m, nil
		}
		m.note = msg.note
		m.clear()
		m.form.deactivate()
		m.form.focus = aMode
		cmd := m.load()
		m.mine = true // the period ended or cancelled leaves the list as meant
		return m, cmd
	case refreshMsg:
		if m.email != "" && !m.saving {
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// checkStandIn asks where the work would go with the stand-in and the
// dates in the form, to warn at once.
func (m *away) checkStandIn() tea.Cmd {
	m.warning = nil
	m.warnSeq++
	email, seq, r, svc, a := m.email, m.warnSeq, m.request(), m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		route, _ := svc.StandInWarning(ctx, a, email, r) // a refusal is said on saving
		return standInWarnMsg{email, seq, route}
	})
}

// replay handles a key typed while the stand-in picker waited for results,
// or while the user picked was read.
func (m *away) replay(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func (m *away) showErr(err error) {
	m.err = m.s.explain(err)
	var in *admin.InputError
	if errors.As(err, &in) {
		switch in.Field {
		case "until", "period":
			m.form.fields[aUntil].err = in.Says(m.s.p)
		case "stand-in":
			m.form.fields[aStandIn].err = in.Says(m.s.p)
		case "note":
			m.form.fields[aNote].err = in.Says(m.s.p)
		}
	}
}

// fieldErr is what is wrong with a field's value, in the operator's
// language: the rule's words without the field's name, which the form
// shows beside it.
func (m *away) fieldErr(err error) string {
	var in *admin.InputError
	if errors.As(err, &in) {
		return in.Says(m.s.p)
	}
	return m.s.explain(err)
}

func (m *away) key(msg tea.KeyPressMsg) tea.Cmd {
	m.lost = ""
	k := m.keys
	if c := m.confirm; c != nil {
		fn := m.asked
		m.confirm, m.asked = nil, nil
		switch {
		case !saysYes(msg):
			return nil
		case c.act != nil:
			return c.act()
		}
		return m.act(fn)
	}
	if m.saving {
		return nil
	}
	if key.Matches(msg, k.form.Save) {
		return m.save()
	}
	if m.form.active {
		switch {
		case key.Matches(msg, k.form.Leave):
			m.form.deactivate()
			return nil
		case m.form.focus == aStandIn && msg.String() == "enter":
			m.standIn = newPicker(m.s, standInPicker, m.s.p.T("stand-in: a name, an email or a team"), true, "active")
			m.standIn.exclude = m.email
			// The picker searches for what the operator already typed.
			m.standIn.input.SetValue(m.form.fields[aStandIn].value())
			return m.standIn.start()
		case m.form.focus == aNote && msg.String() == "enter":
			// The note is the last field: enter leaves the cursor there
			// rather than wrapping round to When.
			return nil
		}
		changed, cmd := m.form.update(msg)
		if changed {
			m.form.fields[m.form.focus].err = ""
			m.checkDates()
			// Typed, a stand-in warns at once, as when picked; other dates
			// may find them away, or back.
			switch m.form.focus {
			case aMode, aFrom, aUntil:
				if m.form.fields[aStandIn].value() == "" {
					break
				}
				fallthrough
			case aStandIn:
				cmd = tea.Batch(cmd, m.checkStandIn())
			}
		}
		return cmd
	}
	m.note = ""
	switch {
	case key.Matches(msg, k.Other):
		if m.Dirty() {
			m.err = m.s.p.T("Save (ctrl+s) or clear the form first.")
			return nil
		}
		return m.choose()
	case m.email != "" && startsEditing(msg) && !key.Matches(msg, k.Edit, k.Up, k.Down, k.Cancel, k.End):
		m.form.activate(m.form.focus)
		return m.key(msg)
	case m.user == nil:
		if key.Matches(msg, k.Back) {
			return m.s.open(usersScreen, "")
		}
	case key.Matches(msg, k.Edit):
		m.form.activate(m.form.focus)
	case key.Matches(msg, k.Up):
		m.periods.move(-1)
	case key.Matches(msg, k.Down):
		m.periods.move(1)
	case key.Matches(msg, k.Back):
		if m.form.dirty() {
			// Back, as the key says, once the operator agrees to lose what
			// the form holds, as on a user's page: esc cleared it at once,
			// and esc esc, to leave the form and then the screen, lost a
			// period typed whole.
			m.confirm = &confirmation{prompt: m.s.p.T("Discard your changes to %s? y/n", clean(m.email)), act: func() tea.Cmd {
				m.clear()
				return m.back()
			}}
			return nil
		}
		return m.back()
	case key.Matches(msg, k.Cancel):
		ps := m.user.AwayPeriods
		if m.periods.cur >= len(ps) {
			return nil
		}
		p, tr := ps[m.periods.cur], m.s.p
		email := m.email
		m.confirm = &confirmation{prompt: tr.T("Cancel the period %s? y/n", awayLine(m.s, p))}
		m.asked = func(ctx context.Context, svc *admin.Service, a admin.Actor) (string, error) {
			return tr.T("Period cancelled."), svc.CancelAway(ctx, a, email, p.ID)
		}
	case key.Matches(msg, k.End):
		email, tr := m.email, m.s.p
		m.confirm = &confirmation{prompt: tr.T("%s is back now? Their current away period ends. y/n", clean(email))}
		m.asked = func(ctx context.Context, svc *admin.Service, a admin.Actor) (string, error) {
			return tr.T("%s is back.", email), svc.EndAway(ctx, a, email)
		}
	}
	return nil
}

// back leaves the person shown: to the Away list they were opened from,
// else to Users.
func (m *away) back() tea.Cmd {
	if m.fromList {
		return m.choose()
	}
	return m.s.open(usersScreen, "")
}

func (m *away) act(fn func(context.Context, *admin.Service, admin.Actor) (string, error)) tea.Cmd {
	m.seq++
	m.saving = true
	seq := m.seq
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		note, err := fn(ctx, svc, a)
		return awayDoneMsg{seq, note, err}
	})
}

// checkDates says, as the operator types, whether the dates can be read.
func (m *away) checkDates() {
	now := m.s.svc.Now()
	for _, i := range []int{aFrom, aUntil} {
		f := m.form.fields[i]
		f.err = ""
		if _, err := parseWhen(f.value(), now); err != nil {
			f.err = m.fieldErr(err)
		}
	}
}

func (m *away) save() tea.Cmd {
	if m.user == nil {
		return nil
	}
	now := m.s.svc.Now()
	f := m.form.fields
	if f[aMode].choice == aPlanned && f[aFrom].value() == "" {
		f[aFrom].err = m.s.p.T("a planned period needs a start")
		m.form.activate(aFrom)
		return nil
	}
	dates := []int{aUntil}
	if f[aMode].choice == aPlanned {
		dates = []int{aFrom, aUntil}
	}
	for _, i := range dates {
		if _, err := parseWhen(f[i].value(), now); err != nil {
			f[i].err = m.fieldErr(err)
			m.form.activate(i)
			return nil
		}
	}
	r := m.request()
	m.err = ""
	email, s, tr := m.email, m.s, m.s.p
	return m.act(func(ctx context.Context, svc *admin.Service, a admin.Actor) (string, error) {
		p, err := svc.SetAway(ctx, a, email, r)
		if err != nil {
			return "", err
		}
		return tr.T("Saved: %s is away %s.", email, awayLine(s, *p)), nil
	})
}

// request is the period the form holds, its dates as far as they read:
// what save sets, once they all do, and what the stand-in is checked for.
func (m *away) request() admin.AwayRequest {
	now := m.s.svc.Now()
	f := m.form.fields
	var r admin.AwayRequest
	if f[aMode].choice == aPlanned {
		r.From, _ = parseWhen(f[aFrom].value(), now)
	}
	r.Until, _ = parseWhen(f[aUntil].value(), now)
	r.StandIn, r.Note = f[aStandIn].value(), f[aNote].value()
	return r
}

// parseWhen reads a date as admin.ParseDate does (2026-12-24, 2026-12-24
// 14:00, today, tomorrow, +7d), in the local time zone; "" is the zero time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	return admin.ParseDate(s, now.Local())
}

func (m *away) View() string {
	st, p := m.s.styles, m.s.p
	if m.overviewShown() {
		var b strings.Builder
		b.WriteString(st.Title.Render(p.T("Away: choose a user")) + "\n\n")
		b.WriteString(st.input(m.picker.input) + "\n")
		b.WriteString(st.Faint.Render(cut("  "+p.T("type a name or an email; ↑/↓ and enter open someone below, pgdn/pgup page"), m.width)) + "\n\n")
		b.WriteString(m.overview.view(st, m.width, m.overviewRows()))
		return b.String()
	}
	if v, ok := m.chooserView(st, p.T("Away"), p.T("Press u to choose who is away, or a on the Users screen."), m.width); ok {
		return v
	}
	var b strings.Builder
	u := m.user
	b.WriteString(st.Title.Render(cut(p.T("Away: %s", who(u.User)), m.width)))
	b.WriteString(st.Subtle.Render("  " + m.s.status(u.User)))
	b.WriteString("\n\n")
	b.WriteString(m.form.view(st, 10, min(m.width, 90)))
	if m.standIn != nil {
		b.WriteString("\n")
		b.WriteString(m.standIn.view(st, m.width))
	}
	if m.warning != nil && m.form.fields[aStandIn].value() != "" {
		// Wrapped, not cut: its end says where the work would go.
		for _, l := range strings.Split(ansi.Wordwrap(clean(m.warning.Localize(p)), max(10, m.width-2), ""), "\n") {
			b.WriteString(st.Warn.Render("  "+l) + "\n")
		}
	}
	now := m.s.svc.Now()
	var when []string
	for _, i := range []int{aFrom, aUntil} {
		if t, err := parseWhen(m.form.fields[i].value(), now); err == nil && !t.IsZero() {
			when = append(when, m.form.fields[i].label+" "+p.DateTime(t.Local()))
		}
	}
	if len(when) > 0 {
		b.WriteString(st.Subtle.Render("  " + p.T("reads as: %s", strings.Join(when, ", "))))
		b.WriteString("\n")
	}
	// Wrapped, not cut: a saved period ends with its stand-in and note, a
	// question with its y/n.
	b.WriteString(st.wrappedStatus(m.width, m.confirm, m.saving, p.T("Saving…"), m.err, m.note))
	b.WriteString("\n\n")
	b.WriteString(st.ColHead.Render(p.T("Current and planned periods")))
	b.WriteString("\n")
	if len(u.AwayPeriods) == 0 {
		b.WriteString(st.Faint.Render("  " + p.T("no period")))
		b.WriteString("\n")
	}
	from, to := m.periods.visible()
	for i := from; i < to && i < len(u.AwayPeriods); i++ {
		period := u.AwayPeriods[i]
		// Two lines: the dates, then the stand-in and the note, which
		// would not fit beside them at 80 columns.
		lines := []string{"  " + awayDates(m.s, period)}
		if period.Covers(now) {
			lines[0] += "  " + p.T("(now)")
		}
		if w := awayWorkIn(p, period); w != "" {
			lines = append(lines, "    "+w)
		}
		for _, line := range lines {
			line = cut(line, m.width)
			if i == m.periods.cur && !m.form.active {
				line = st.Selected.Render(line)
			}
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	return b.String()
}
