package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// auditView is the Audit screen: every change, newest first, read a page at
// a time by key; f opens a form that filters by user (as actor or target),
// by a part of a name or address, by action and by date.
type auditView struct {
	s      *session
	keys   auditKeys
	width  int
	height int

	form      form // the filter's fields, in the order of the auditField constants
	filtering bool // the filter form has the keyboard
	user      string
	filter    store.AuditFilter // applied, with user
	list      pager[store.AuditEntry]
	open      *store.AuditEntry
}

// The fields of the filter form.
const (
	afUser = iota
	afSearch
	afAction
	afSince
	afUntil
)

type auditKeys struct {
	nav                                      navKeys
	Filter, Apply, Clear, Open, Back, Reload key.Binding
}

const auditPage = 200

func newAudit(s *session) *auditView {
	p := s.p
	m := &auditView{s: s, list: pager[store.AuditEntry]{size: auditPage, id: func(e store.AuditEntry) int64 { return e.ID }}, keys: newAuditKeys(p)}
	m.form = form{keys: formKeysIn(p, p.T("apply")), fields: []*field{
		afUser:   s.newField(p.T("user"), p.T("the email of the actor or the target"), 254),
		afSearch: s.newField(p.T("search"), p.T("a part of a name or an address"), 100),
		afAction: s.newField(p.T("action"), p.T("user.delete, or an area: user"), 60),
		afSince:  s.newField(p.T("since"), p.T("2026-12-24, today, 2026-12-24 14:30"), 30),
		afUntil:  s.newField(p.T("until"), p.T("before this date"), 30),
	}}
	return m
}

func newAuditKeys(p *i18n.Printer) auditKeys {
	return auditKeys{
		nav:    navKeysIn(p),
		Filter: key.NewBinding(key.WithKeys("f", "/"), key.WithHelp("f", p.T("filter"))),
		Apply:  key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", p.T("apply"))),
		Clear:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.T("clear filter"))),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("show change"))),
		Back:   backKey(p),
		Reload: reloadKey(p),
	}
}

// actionLabel is an audit action as the screen shows it. The action is a
// machine word (the filter, roster audit --json and the API use it), and
// its own key: English shows it as it is, French its label where the
// catalogue has one (i18n/fr_tui_rest.go), else the action too.
func actionLabel(p *i18n.Printer, action string) string { return p.T(action) }

func (m *auditView) Init() tea.Cmd { return m.load(false) }

// OpenUser shows the entries of one user.
func (m *auditView) OpenUser(email string) tea.Cmd {
	m.form.fields[afUser].set(email)
	m.user, m.open = email, nil
	m.list.reset()
	return m.load(false)
}

func (m *auditView) load(more bool) tea.Cmd {
	user, filter := m.user, m.filter
	svc, a := m.s.svc, m.s.actor
	return m.list.load(m.s, more, func(ctx context.Context, before int64, limit int) ([]store.AuditEntry, error) {
		return svc.Audit(ctx, a, store.AuditQuery{Target: user, Before: before, Limit: limit, AuditFilter: filter})
	})
}

func (m *auditView) SetSize(w, h int) {
	m.width, m.height = w, h
	m.list.nav.resize(max(1, h-3))
}

func (m *auditView) Capturing() bool { return m.filtering }

func (m *auditView) Dirty() bool { return false }

// Reading reports that the entries keys act on are on their way.
func (m *auditView) Reading() bool { return m.open == nil && m.list.reading() }

func (m *auditView) ShortHelp() []key.Binding {
	switch {
	case m.filtering:
		return []key.Binding{m.keys.Apply, m.form.keys.NextField, m.keys.Back}
	case m.open != nil:
		return []key.Binding{m.keys.Back}
	}
	return []key.Binding{m.keys.nav.Up, m.keys.nav.Down, m.keys.Open, m.keys.Filter, m.keys.Reload}
}

func (m *auditView) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.keys.nav.list(), {m.keys.Open, m.keys.Back, m.keys.Filter, m.keys.Clear, m.keys.Reload}}
}

func (m *auditView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg[store.AuditEntry]:
		m.list.got(msg)
	case refreshMsg:
		return m, m.load(false)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *auditView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.filtering {
		switch {
		case key.Matches(msg, k.Apply):
			return m.apply()
		case key.Matches(msg, k.Back):
			m.filtering = false
			m.form.deactivate()
			m.fill()
			return nil
		}
		_, cmd := m.form.update(msg)
		return cmd
	}
	if m.open != nil {
		if key.Matches(msg, k.Back) {
			m.open = nil
		}
		return nil
	}
	if cmd, ok := m.list.move(k.nav, msg, m.load); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.form.activate(afUser)
		return nil
	case key.Matches(msg, k.Clear):
		if m.user != "" || m.filter != (store.AuditFilter{}) {
			m.user, m.filter = "", store.AuditFilter{}
			m.fill()
			m.list.reset()
			return m.load(false)
		}
	case key.Matches(msg, k.Open):
		if e, ok := m.list.current(); ok {
			m.open = &e
		}
	case key.Matches(msg, k.Reload):
		return m.load(false)
	}
	return nil
}

// apply reads the list again with the form's filter; a date that cannot
// be read, or an action that is none, is shown on its field, and nothing
// changes.
func (m *auditView) apply() tea.Cmd {
	f := m.form.fields
	af := store.AuditFilter{Search: f[afSearch].value(), Action: f[afAction].value()}
	now := m.s.svc.Now()
	dates := []struct {
		i  int
		to *time.Time
	}{{afSince, &af.Since}, {afUntil, &af.Until}}
	bad := false
	for _, d := range dates {
		f[d.i].err = ""
		if v := f[d.i].value(); v != "" {
			t, err := admin.ParseDate(v, now)
			if err != nil {
				f[d.i].err = m.s.explain(err)
				bad = true
			}
			*d.to = t
		}
	}
	// An action that is none listed nothing, as if nothing had happened.
	f[afAction].err = ""
	if err := admin.CheckAuditAction(af.Action); err != nil {
		f[afAction].err = m.s.explain(err)
		bad = true
	}
	if !bad && !af.Since.IsZero() && !af.Until.IsZero() && !af.Until.After(af.Since) {
		f[afUntil].err = m.s.p.T("is not after since")
		bad = true
	}
	if bad {
		return nil
	}
	m.filtering = false
	m.form.deactivate()
	m.user, m.filter = f[afUser].value(), af
	m.list.reset()
	return m.load(false)
}

// fill puts the filter applied back into the form.
func (m *auditView) fill() {
	f := m.form.fields
	f[afUser].set(m.user)
	f[afSearch].set(m.filter.Search)
	f[afAction].set(m.filter.Action)
	f[afSince].set(dateField(m.filter.Since))
	f[afUntil].set(dateField(m.filter.Until))
}

// dateField writes t as the form reads it back; "" for none.
func dateField(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

// filterLine says what the list is narrowed to.
func (m *auditView) filterLine() string {
	p := m.s.p
	var parts []string
	for _, kv := range [][2]string{{p.T("user"), m.user}, {p.T("search"), m.filter.Search}, {p.T("action"), m.filter.Action},
		{p.T("since"), m.form.fields[afSince].value()}, {p.T("until"), m.form.fields[afUntil].value()}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+clean(kv[1]))
		}
	}
	return strings.Join(parts, " · ")
}

func (m *auditView) View() string {
	st, p := m.s.styles, m.s.p
	var b strings.Builder
	if m.open != nil {
		e := m.open
		what := e.Action
		if l := actionLabel(p, e.Action); l != e.Action {
			what = l + " (" + e.Action + ")"
		}
		b.WriteString(st.Title.Render(p.T("Change %d", e.ID)))
		b.WriteString("\n")
		for _, kv := range [][2]string{{p.T("When"), p.DateTime(e.At.Local())}, {p.T("Who"), e.Actor}, {p.T("Through"), e.Channel},
			{p.T("What"), what}, {p.T("To whom"), e.Target}} {
			b.WriteString(st.Label.Render(fit(kv[0], 9)) + " " + clean(kv[1]) + "\n")
		}
		// The values' names are the audit's JSON (machine words): kept.
		b.WriteString(jsonBlock(st, p.T("Before"), e.Before, m.width))
		b.WriteString(jsonBlock(st, p.T("After"), e.After, m.width))
		return b.String()
	}
	title := st.Title.Render(p.T("Audit")) + st.Subtle.Render("  "+p.T("newest first")+" · ")
	if f := m.filterLine(); f != "" && !m.filtering {
		title += st.Bold.Render(f)
	} else {
		title += st.Faint.Render(p.T("f filters by user, name, action or date"))
	}
	if m.list.loading {
		title += st.Faint.Render(" · " + p.T("reading…"))
	}
	b.WriteString(cut(title, m.width))
	b.WriteString("\n")
	if m.filtering {
		b.WriteString(m.form.view(st, labelWidth(m.form.fields, 7), m.width))
		b.WriteString(st.Faint.Render(cut("  "+p.T("enter applies · tab next field · esc cancels"), m.width)) + "\n")
	}
	// The action drawn keeps its whole width, up to 24 cells.
	vf, vt := m.list.nav.visible()
	shown := m.list.rows[min(vf, len(m.list.rows)):min(vt, len(m.list.rows))]
	act := widest(shown, func(e store.AuditEntry) string { return actionLabel(p, e.Action) })
	w := columnWidths(m.width-2, []column{{min: 16, natural: 16},
		{min: 8, natural: widest(shown, func(e store.AuditEntry) string { return clean(e.Actor) })}, {min: 3, natural: 5},
		{min: max(4, min(act, 24)), natural: act}, {min: 8, natural: widest(shown, func(e store.AuditEntry) string { return clean(e.Target) })}})
	aw, whoW, cw, actW, tgtW := w[0], w[1], w[2], w[3], w[4]
	b.WriteString(st.ColHead.Render(cut("  "+fit(p.T("When"), aw)+" "+fit(p.T("Who"), whoW)+" "+fit(p.T("Via"), cw)+" "+fit(p.T("What"), actW)+" "+
		fit(p.T("To whom"), tgtW), m.width)))
	b.WriteString("\n")
	if m.list.err != "" {
		b.WriteString(st.Error.Render(cut(m.list.err, m.width)) + "\n")
	}
	if len(m.list.rows) == 0 && !m.list.loading {
		b.WriteString(st.Subtle.Render("  "+p.T("Nothing recorded.")) + "\n")
	}
	from, to := m.list.nav.visible()
	for i := from; i < to && i < len(m.list.rows); i++ {
		e := m.list.rows[i]
		line := fit(m.s.when(e.At), aw) + " " + fit(clean(e.Actor), whoW) + " " + fit(e.Channel, cw) + " " + fit(actionLabel(p, e.Action), actW) + " " +
			fit(clean(e.Target), tgtW)
		if i == m.list.nav.cur {
			b.WriteString(st.Selected.Render("▸ "+cut(line, m.width-2)) + "\n")
		} else {
			b.WriteString("  " + cut(line, m.width-2) + "\n")
		}
	}
	return b.String()
}

// jsonBlock shows a before/after value as key: value lines.
func jsonBlock(st Styles, title, raw string, width int) string {
	if raw == "" {
		return ""
	}
	var v map[string]any
	var b strings.Builder
	b.WriteString("\n" + st.ColHead.Render(title) + "\n")
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		b.WriteString(cut("  "+clean(raw), width) + "\n")
		return b.String()
	}
	for _, k := range sortedKeys(v) {
		b.WriteString(cut("  "+st.Label.Render(k+":")+" "+clean(fmt.Sprint(v[k])), width) + "\n")
	}
	return b.String()
}

// labelWidth is the width of a form's widest label, at least least: the
// labels are in the session's language, longer in French.
func labelWidth(fields []*field, least int) int {
	for _, f := range fields {
		least = max(least, cells(f.label))
	}
	return least
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
