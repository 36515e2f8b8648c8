package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// deletion is the Delete screen, in seed 004's steps: close the open
// conversations that need no follow-up (listed a page at a time; space
// ticks one, A all), switch off the automated replies nobody should take
// on, choose the heir of the rest (skipped when nothing is left), then check
// the preview and "Transfer and delete", which acts on the previewed plan
// only (its digest). Deactivating, which can be undone, is offered beside it.
type deletion struct {
	s      *session
	keys   deleteKeys
	width  int
	height int
	oneUser

	heir    *picker // choosing the heir
	form    form
	busy    bool
	confirm *confirmation
	perms   map[string]bool

	convs     []store.Conversation // the page of open conversations shown
	after     []int64              // the keyset of each page read before this one
	convCur   int
	inReplies bool // the cursor is on the automated replies
	replyCur  int
	close     store.Selection // the conversations to close
	off       store.Selection // the automated replies to switch off
	plan      *admin.DeletePlan
	planFor   string // the request the plan answers (requestKey)
	planSeq   int
	shownPlan int // the seq of the plan shown, so that an older one never replaces it
	// actSeq numbers the acts, apart from oneUser's readings: an act
	// begun while the user was read again must not drop that reading
	// (the screen would stay "Reading…", holding keys), nor be dropped by it.
	actSeq  int
	planErr string
}

type deleteKeys struct {
	form                                  formKeys
	Edit, Deactivate, Other, Back, Delete key.Binding
	Up, Down, Tick, All, Next, Prev       key.Binding
}

const (
	dHeir = iota
	dConfirm
)

const (
	deletePicker = 4
	heirPicker   = 5
)

type (
	deleteDoneMsg struct {
		seq     int
		note    string
		deleted bool
		err     error
	}
	convPageMsg struct {
		email string
		after []int64
		convs []store.Conversation
		err   error
	}
	planMsg struct {
		seq  int
		key  string
		plan *admin.DeletePlan
		err  error
	}
)

func newDelete(s *session) *deletion {
	p := s.p
	m := &deletion{s: s, oneUser: oneUser{screen: deleteScreen}, keys: newDeleteKeys(p)}
	m.form = form{keys: m.keys.form}
	m.form.fields = []*field{
		dHeir:    s.newField(p.T("Heir"), p.T("enter to choose who inherits"), 254),
		dConfirm: s.newField(p.T("Confirm"), p.T("type the user's email"), 254),
	}
	m.form.fields[dHeir].hint = p.T("enter: find an active user")
	return m
}

func newDeleteKeys(p *i18n.Printer) deleteKeys {
	nav := navKeysIn(p)
	return deleteKeys{
		form:       formKeysIn(p, p.T("transfer and delete")),
		Edit:       key.NewBinding(key.WithKeys("enter", "e", "i"), key.WithHelp("enter", p.T("heir and confirmation"))),
		Delete:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", p.T("transfer and delete"))),
		Deactivate: key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", p.T("deactivate instead"))),
		Other:      otherUserKey(p),
		Back:       backKey(p),
		Up:         nav.Up,
		Down:       nav.Down,
		Tick:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", p.T("close / switch off"))),
		All:        key.NewBinding(key.WithKeys("A"), key.WithHelp("A", p.T("close all"))),
		Next:       key.NewBinding(key.WithKeys("pgdown", "J"), key.WithHelp("pgdn", p.T("next page"))),
		Prev:       key.NewBinding(key.WithKeys("pgup", "K"), key.WithHelp("pgup", p.T("previous page"))),
	}
}

func (m *deletion) Init() tea.Cmd {
	if m.email == "" {
		return m.choose()
	}
	return m.load()
}

// OpenUser prepares the deletion of email.
func (m *deletion) OpenUser(email string) tea.Cmd {
	if email != m.email {
		for _, f := range m.form.fields {
			f.set("")
		}
		m.close, m.off, m.after, m.convs, m.convCur, m.replyCur, m.inReplies = store.Selection{}, store.Selection{}, nil, nil, 0, 0, false
		m.plan, m.planFor, m.planErr = nil, "", ""
	}
	m.email, m.picker, m.heir, m.user, m.note, m.err = email, nil, nil, nil, "", ""
	m.form.deactivate()
	m.form.focusOn(dHeir) // enter, i or a letter edits it
	return m.load()
}

func (m *deletion) choose() tea.Cmd {
	return m.oneUser.choose(m.s, deletePicker, m.s.p.T("whom to delete? type a name or an email"))
}

// load reads the user, the page of conversations shown and the plan.
func (m *deletion) load() tea.Cmd {
	var after int64
	if n := len(m.after); n > 0 {
		after = m.after[n-1]
	}
	return tea.Batch(m.read(m.s), m.page(after, m.after), m.preview())
}

// pageRows is how many conversations a page shows.
// Half of what the screen's other lines leave, the rest for the preview.
func (m *deletion) pageRows() int { return max(3, min(15, (m.height-10)/2)) }

// page reads the open conversations after the one with ID from; before is
// the keyset of the pages before it, kept for pgup.
func (m *deletion) page(from int64, before []int64) tea.Cmd {
	email, svc, a, n := m.email, m.s.svc, m.s.actor, m.pageRows()
	before = slices.Clone(before)
	return m.s.do(func(ctx context.Context) tea.Msg {
		c, err := svc.OpenConversations(ctx, a, email, from, n)
		return convPageMsg{email, before, c, err}
	})
}

// request is what the operator chose so far.
func (m *deletion) request() admin.DeleteRequest {
	return admin.DeleteRequest{Heir: m.form.fields[dHeir].value(), Close: m.close, SwitchOff: m.off}
}

func requestKey(r admin.DeleteRequest) string {
	return fmt.Sprintf("%s|%v|%v", store.EmailKey(r.Heir), r.Close, r.SwitchOff)
}

// preview reads the plan of what the request chosen would do.
func (m *deletion) preview() tea.Cmd {
	m.planSeq++
	seq, email, r := m.planSeq, m.email, m.request()
	r.Close.IDs, r.SwitchOff.IDs = slices.Clone(r.Close.IDs), slices.Clone(r.SwitchOff.IDs)
	svc, a := m.s.svc, m.s.actor
	return m.s.do(func(ctx context.Context) tea.Msg {
		p, err := svc.PlanDelete(ctx, a, email, r)
		return planMsg{seq, requestKey(r), p, err}
	})
}

func (m *deletion) SetSize(w, h int) { m.width, m.height = w, h }

func (m *deletion) Capturing() bool {
	return m.choosing() || m.heir != nil || m.form.active || m.confirm != nil
}

// Dirty reports a removal under way: conversations ticked, replies
// switched off, or an heir or the confirmation typed. Quitting asks first.
func (m *deletion) Dirty() bool {
	return m.user != nil && (m.form.dirty() || !m.close.Empty() || !m.off.Empty())
}

// Saving reports that a removal is under way.
func (m *deletion) Saving() bool { return m.busy }

func (m *deletion) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.picker != nil, m.heir != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", m.s.p.T("choose"))),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", m.s.p.T("cancel")))}
	case m.form.active:
		return []key.Binding{k.form.NextField, k.Delete, k.Deactivate, k.form.Leave}
	case m.user == nil: // deleted (or being read): nothing of theirs to act on
		return []key.Binding{k.Other, k.Back}
	}
	return []key.Binding{k.Tick, k.All, k.Next, k.Edit, k.Delete, k.Deactivate, k.Back}
}

func (m *deletion) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Next, k.Prev}, {k.Tick, k.All, k.Edit, k.form.NextField, k.form.Leave},
		{k.Delete, k.Deactivate, k.Other, k.Back}}
}

func (m *deletion) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if m.picker != nil {
		if cmd, ok := m.pickUser(msg, m.OpenUser); ok {
			return m, cmd
		}
	}
	if m.heir != nil {
		if cmd, ok := pickInto(&m.heir, &m.form, dHeir, msg, m.replay); ok {
			if m.heir == nil { // chosen or cancelled: the plan follows the heir
				return m, tea.Batch(cmd, m.preview())
			}
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case operatorMsg:
		m.perms = msg.perms
	case userMsg:
		if !m.current(msg) {
			return m, nil
		}
		if msg.err != nil {
			var nf *admin.NotFoundError
			if errors.As(msg.err, &nf) && m.note != "" {
				return m, nil // just deleted
			}
			m.err = m.s.explain(msg.err)
		} else {
			m.user = msg.user
		}
		return m, m.replayHeld(m.replay)
	case convPageMsg:
		if msg.email != m.email {
			return m, nil
		}
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
			return m, nil
		}
		if len(msg.convs) == 0 && len(msg.after) > 0 && len(msg.after) > len(m.after) {
			return m, nil // past the last page: stay
		}
		m.convs, m.after = msg.convs, msg.after
		m.convCur = min(m.convCur, max(0, len(m.convs)-1))
	case planMsg:
		// An older answer for the request chosen now still shows: reads
		// again every refresh must not starve the preview on a slow database.
		if msg.seq != m.planSeq && (msg.err != nil || msg.key != requestKey(m.request()) || msg.seq < m.shownPlan) {
			return m, nil
		}
		m.shownPlan = msg.seq
		m.planErr = ""
		if msg.err != nil {
			m.planErr = m.s.explain(msg.err)
			var in *admin.InputError
			if errors.As(msg.err, &in) && in.Field == "heir" {
				m.form.fields[dHeir].err = in.Says(m.s.p)
			}
			return m, nil
		}
		m.plan, m.planFor = msg.plan, msg.key
		if !m.form.active && m.form.fields[dHeir].value() == "" {
			// No heir needed: the heir step is skipped, and enter confirms.
			if m.plan.NeedsHeir {
				m.form.focusOn(dHeir)
			} else {
				m.form.focusOn(dConfirm)
			}
		}
	case deleteDoneMsg:
		if msg.seq != m.actSeq {
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
			var in *admin.InputError
			if errors.As(msg.err, &in) && in.Field == "heir" {
				m.form.fields[dHeir].err = in.Says(m.s.p)
			}
			return m, m.load() // the preview shows what is true now
		}
		m.note = msg.note
		if msg.deleted {
			m.user, m.email, m.plan, m.convs = nil, "", nil, nil
			for _, f := range m.form.fields {
				f.set("")
			}
			m.form.deactivate()
			return m, nil
		}
		return m, m.load()
	case refreshMsg:
		if m.email != "" && !m.busy {
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// replay handles a key typed while the heir picker waited for results, or
// while the user picked was read.
func (m *deletion) replay(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func (m *deletion) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.confirm != nil {
		cmd := m.confirm.answer(msg)
		m.confirm = nil
		return cmd
	}
	if m.busy {
		return nil
	}
	if m.user != nil {
		switch {
		case key.Matches(msg, k.Delete):
			return m.delete()
		case key.Matches(msg, k.Deactivate):
			return m.deactivate()
		}
	}
	if m.form.active {
		switch {
		case key.Matches(msg, k.form.Leave):
			m.form.deactivate()
			return m.preview()
		case m.form.focus == dHeir && msg.String() == "enter":
			m.heir = newPicker(m.s, heirPicker, m.s.p.T("heir: a name or an email"), false, "active")
			m.heir.exclude = m.email
			return m.heir.start()
		case m.form.focus == dConfirm && msg.String() == "enter":
			return m.delete()
		}
		changed, cmd := m.form.update(msg)
		if changed {
			m.form.fields[m.form.focus].err = ""
		}
		return cmd
	}
	m.note = ""
	if m.user != nil {
		if cmd, ok := m.listKey(msg); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.Other):
		return m.choose()
	case key.Matches(msg, k.Back):
		return m.s.open(usersScreen, "")
	case key.Matches(msg, k.Edit):
		if m.user != nil {
			m.form.activate(m.form.focus)
			if m.form.focus == dHeir && msg.String() == "enter" {
				return m.key(msg) // the heir is found with the picker
			}
		}
	case m.email != "" && startsEditing(msg):
		m.form.activate(m.form.focus)
		return m.key(msg)
	}
	return nil
}

// listKey moves over and ticks the conversations and the automated
// replies; ok is false for a key it does not take.
func (m *deletion) listKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	k := m.keys
	replies := m.user.AutoReplies
	switch {
	case key.Matches(msg, k.Up): // from the first reply up to the conversations
		switch {
		case m.inReplies && m.replyCur == 0:
			m.inReplies = false
		case m.inReplies:
			m.replyCur--
		default:
			m.convCur = max(0, m.convCur-1)
		}
	case key.Matches(msg, k.Down): // past the page's last conversation down to the replies
		switch {
		case m.inReplies:
			m.replyCur = min(len(replies)-1, m.replyCur+1)
		case m.convCur >= len(m.convs)-1 && len(replies) > 0:
			m.inReplies, m.replyCur = true, 0
		default:
			m.convCur = min(len(m.convs)-1, m.convCur+1)
		}
	case key.Matches(msg, k.Next):
		if len(m.convs) == m.pageRows() {
			return m.page(m.convs[len(m.convs)-1].ID, append(slices.Clone(m.after), m.convs[len(m.convs)-1].ID)), true
		}
	case key.Matches(msg, k.Prev):
		if n := len(m.after); n > 0 {
			var from int64
			if n > 1 {
				from = m.after[n-2]
			}
			return m.page(from, m.after[:n-1]), true
		}
	case key.Matches(msg, k.All):
		m.close = store.Selection{All: !m.close.All}
		return m.preview(), true
	case key.Matches(msg, k.Tick):
		switch {
		case m.inReplies && m.replyCur < len(replies):
			m.off = toggle(m.off, replies[m.replyCur].ID)
		case !m.inReplies && m.convCur < len(m.convs):
			m.close = toggle(m.close, m.convs[m.convCur].ID)
		default:
			return nil, true
		}
		return m.preview(), true
	default:
		return nil, false
	}
	return nil, true
}

// toggle ticks id in sel, or unticks it: with All, IDs are the unticked.
func toggle(sel store.Selection, id int64) store.Selection {
	if i := slices.Index(sel.IDs, id); i >= 0 {
		sel.IDs = slices.Delete(slices.Clone(sel.IDs), i, i+1)
	} else {
		sel.IDs = append(slices.Clone(sel.IDs), id)
	}
	return sel
}

// delete acts on the plan shown, if it is the plan of what is chosen now;
// otherwise it reads that plan first, to be checked before a second ctrl+s.
func (m *deletion) delete() tea.Cmd {
	p := m.s.p
	if why := mayIn(p, m.perms, "users.delete", p.T("delete users")); why != "" {
		m.err = why
		return nil
	}
	r := m.request()
	if m.plan == nil || m.planFor != requestKey(r) {
		m.err = p.T("The preview is being brought up to date: check it, then press ctrl+s again.")
		return m.preview()
	}
	if m.plan.NeedsHeir && m.plan.Heir == "" {
		m.form.fields[dHeir].err = p.T("is required: who inherits what is left?")
		m.form.activate(dHeir)
		return nil
	}
	if store.EmailKey(m.form.fields[dConfirm].value()) != store.EmailKey(m.user.Email) {
		m.form.fields[dConfirm].err = p.T("type %s to confirm", clean(m.user.Email))
		m.form.activate(dConfirm)
		return nil
	}
	m.busy, m.err = true, ""
	m.actSeq++
	seq, email := m.actSeq, m.email
	r.Digest = m.plan.Digest
	r.Close.IDs, r.SwitchOff.IDs = slices.Clone(r.Close.IDs), slices.Clone(r.SwitchOff.IDs)
	svc, a, pr := m.s.svc, m.s.actor, m.s.p
	return m.s.do(func(ctx context.Context) tea.Msg {
		done, err := svc.Delete(ctx, a, email, r)
		if err != nil {
			return deleteDoneMsg{seq: seq, err: err}
		}
		return deleteDoneMsg{seq: seq, deleted: true, note: pr.T("Deleted %s: %s.", done.Email, strings.Join(planLines(pr, done, true), "; "))}
	})
}

func (m *deletion) deactivate() tea.Cmd {
	p := m.s.p
	if why := mayIn(p, m.perms, "users.delete", p.T("deactivate users")); why != "" {
		m.err = why
		return nil
	}
	if m.user.Status == store.Deactivated {
		m.err = p.T("%s is already deactivated.", clean(m.user.Email))
		return nil
	}
	email := m.email
	svc, a := m.s.svc, m.s.actor
	m.confirm = &confirmation{prompt: p.T("Deactivate %s instead? They cannot log in; x on the Users screen undoes it. y/n", clean(email)),
		yes: func() tea.Msg { return nil }}
	m.actSeq++
	seq := m.actSeq
	m.confirm.yes = m.s.do(func(ctx context.Context) tea.Msg {
		err := svc.Deactivate(ctx, a, email)
		return deleteDoneMsg{seq: seq, note: p.T("%s is deactivated; nothing was deleted.", email), err: err}
	})
	return nil
}

func (m *deletion) View() string {
	st, p := m.s.styles, m.s.p
	if v, ok := m.chooserView(st, p.T("Delete"), p.T("Press u to choose whom to delete, or d on the Users screen."), m.width); ok {
		return v
	}
	var b strings.Builder
	u := m.user
	title := st.Title.Render(p.T("Delete %s", who(u.User))) + st.Subtle.Render("  "+p.T(u.Role)+" · "+m.s.status(u.User))
	b.WriteString(cut(title, m.width))
	b.WriteString("\n")
	b.WriteString(m.listView(st))
	b.WriteString(st.Bold.Render(p.T("Preview")))
	if m.plan != nil && m.planFor != requestKey(m.request()) {
		b.WriteString(st.Faint.Render("  " + p.T("(updating…)")))
	}
	b.WriteString("\n")
	if m.plan != nil {
		lines := planLines(p, m.plan, false)
		room := max(2, m.height-10-max(len(m.convs), 1)-len(u.AutoReplies)-min(len(u.AutoReplies), 1))
		if len(lines) > room {
			lines = append(lines[:room-1], p.T("… and %s more: see roster delete --dry-run", p.Num(len(lines)-room+1)))
		}
		for _, l := range lines {
			b.WriteString(cut("  "+clean(l), m.width) + "\n")
		}
	}
	if m.planErr != "" {
		b.WriteString(st.Error.Render(cut("  "+m.planErr, m.width)) + "\n")
	}
	b.WriteString(st.Subtle.Render(cut(p.T("All of it is one step with the deletion; the audit trail stays."), m.width)) + "\n")
	if m.plan != nil && !m.plan.NeedsHeir && m.form.fields[dHeir].value() == "" {
		m.form.fields[dHeir].hint = p.T("not needed: %s owns nothing else", clean(u.Email))
	} else {
		m.form.fields[dHeir].hint = p.T("enter: find an active user")
	}
	b.WriteString(m.form.view(st, labelWidth(m.form.fields, 8), min(m.width, 90)))
	if m.heir != nil {
		b.WriteString("\n")
		b.WriteString(m.heir.view(st, m.width))
	}
	b.WriteString("\n")
	ready := m.plan != nil && (!m.plan.NeedsHeir || m.plan.Heir != "") &&
		store.EmailKey(m.form.fields[dConfirm].value()) == store.EmailKey(u.Email)
	button := "[ " + p.T("Transfer and delete") + " ] ctrl+s"
	if ready {
		b.WriteString(st.Error.Render(button))
	} else {
		b.WriteString(st.Faint.Render(button))
	}
	b.WriteString("    ")
	b.WriteString(st.Subtle.Render("[ " + p.T("Deactivate instead") + " ] ctrl+x"))
	b.WriteString("\n")
	b.WriteString(st.status(m.width, m.confirm, m.busy, p.T("Working…"), m.err, m.note))
	return b.String()
}

// listView draws the page of open conversations and the automated replies,
// each ticked row marked with what will happen to it.
func (m *deletion) listView(st Styles) string {
	p := m.s.p
	var b strings.Builder
	open := int64(len(m.convs))
	var closing int64
	if m.plan != nil {
		open, closing = m.plan.Open, m.plan.Closed
	}
	head := p.T("Open conversations: %s, %s to close", p.Num(int(open)), p.Num(int(closing)))
	if len(m.after) > 0 || len(m.convs) == m.pageRows() {
		head += " · " + p.T("page %d", len(m.after)+1)
	}
	b.WriteString(st.Bold.Render(cut(head, m.width)) + st.Faint.Render(cut("  "+p.T("space close · A all · pgdn"), max(0, m.width-cells(head)))) + "\n")
	now := m.s.svc.Now()
	for i, c := range m.convs {
		mark := "[ ]"
		if m.close.Has(c.ID) {
			mark = "[x]"
		}
		line := fmt.Sprintf("%s %-7s %4s  %s", mark, fmt.Sprintf("#%d", c.ID), age(p, now.Sub(c.CreatedAt)), clean(c.Subject))
		line = cut(line, m.width-2)
		if !m.inReplies && i == m.convCur {
			line = st.Cursor.Render(line)
		}
		b.WriteString("  " + line + "\n")
	}
	if len(m.convs) == 0 {
		b.WriteString(st.Faint.Render("  "+p.T("none open")) + "\n")
	}
	if rs := m.user.AutoReplies; len(rs) > 0 {
		b.WriteString(cut(st.Bold.Render(p.T("Automated replies"))+st.Faint.Render("  "+p.T("space: switch off instead of handing on")), m.width) + "\n")
		fates := []string{p.T("to heir"), p.T("already off"), p.T("switch off")}
		fw := max(12, widest(fates, func(s string) string { return s }))
		for i, r := range rs {
			fate := fates[0]
			switch {
			case !r.Enabled:
				fate = fates[1]
			case m.off.Has(r.ID):
				fate = fates[2]
			}
			line := cut(fit(fate, fw)+" "+clean(r.Name), m.width-2)
			if m.inReplies && i == m.replyCur {
				line = st.Cursor.Render(line)
			}
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

// age is how old a conversation is, in four cells at most: 45m, 13h, 12d
// (12j in French).
func age(p *i18n.Printer, d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return p.T("%dd", int(d.Hours()/24))
}

// planLines says what a deletion does, or did, line by line, in p's
// language, as the rules put it (admin.DeletePlan.Says).
func planLines(p *i18n.Printer, pl *admin.DeletePlan, done bool) []string {
	var out []string
	for _, t := range pl.Says(done) {
		out = append(out, t.In(p))
	}
	return out
}
