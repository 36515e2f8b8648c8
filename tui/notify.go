package tui

import (
	"cmp"
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/store"
)

// notifyView is one user's notifications, opened with N from their detail
// view and shown by My settings: the catalogue's events by the channels,
// ticked as each reaches them, with the Permissions screen's keys (space
// ticks, enter reviews then saves, esc discards) and ←/→ from channel to
// channel. Security notices are shown locked, as admin keeps them on. Who
// may see and change whose is admin's rule: a refusal is shown as it comes.
type notifyView struct {
	s     *session
	email string
	keys  notifyKeys
	checks

	user    *store.User
	prefs   []admin.NotifyPref
	version int64 // the user's, as read: a save at another is a conflict
	nav     nav
	col     int // the channel the cursor is on, in admin.NotifyChannels
	seq     int
	loading bool
	// reviewing shows the changes before saving: enter saves, esc goes back.
	reviewing bool
	// saving lasts until the user's notifications are read again after the
	// save, as on the Permissions screen: saved is said with the new boxes.
	saving bool
	saved  string
	stale  bool // a save met a newer version: ctrl+r reloads
	closed bool // esc with nothing ticked: back to the detail view
	note   string
	err    string
}

type notifyKeys struct {
	checkKeys
	Channel, ChannelBack key.Binding
}

type (
	notifyMsg struct {
		seq   int
		force bool // replaces the boxes the operator ticked meanwhile
		set   *admin.NotifySettings
		err   error
	}
	notifySavedMsg struct {
		seq int
		err error
	}
)

// notifyLocked is why a security notice's boxes cannot be changed (a
// message key).
const notifyLocked = "security notices cannot be turned off"

func newNotifyView(s *session, email string) *notifyView {
	p := s.p
	v := &notifyView{s: s, email: email, keys: notifyKeys{
		checkKeys:   newCheckKeys(p),
		Channel:     key.NewBinding(key.WithKeys("right", "l", "]"), key.WithHelp("→", p.T("next channel"))),
		ChannelBack: key.NewBinding(key.WithKeys("left", "h", "["), key.WithHelp("←", p.T("previous channel"))),
	}}
	v.nav.resize(len(admin.Events))
	return v
}

// notifyCell names the box of one event and one channel.
func notifyCell(event, channel string) string { return event + " " + channel }

func (v *notifyView) load(force bool) tea.Cmd {
	v.seq++
	v.loading = true
	seq, email := v.seq, v.email
	svc, a := v.s.svc, v.s.actor
	return v.s.do(func(ctx context.Context) tea.Msg {
		set, err := svc.NotifySettings(ctx, a, email)
		return notifyMsg{seq: seq, force: force, set: set, err: err}
	})
}

// busy reports that the grid is being read or saved: keys wait for it.
func (v *notifyView) busy() bool { return v.loading || v.saving }

func (v *notifyView) dirty() bool { return v.user != nil && v.ticked() }

func (v *notifyView) shortHelp() []key.Binding {
	k := v.keys
	if v.reviewing {
		return k.reviewKeys(v.s.p)
	}
	// What saves comes first: at 80 columns the footer cuts the keys at its end.
	return []key.Binding{k.Review, k.Toggle, k.ChannelBack, k.Channel, k.Discard, k.nav.Up, k.nav.Down}
}

func (v *notifyView) fullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{k.nav.list(), {k.Toggle, k.ChannelBack, k.Channel}, {k.Review, k.Discard, k.Reload}}
}

func (v *notifyView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case notifyMsg:
		if msg.seq != v.seq {
			return nil
		}
		v.loading = false
		if v.saving { // the reading after a save
			v.saving, v.note, v.saved = false, v.saved, ""
		}
		if msg.err != nil {
			v.err = v.s.explain(msg.err)
			return nil
		}
		if !msg.force && v.dirty() {
			return nil
		}
		v.user, v.prefs, v.version, v.stale = msg.set.User, msg.set.Prefs, msg.set.User.Version, false
		on, locked := map[string]bool{}, map[string]string{}
		for _, p := range v.prefs {
			for _, ch := range p.Channels {
				on[notifyCell(p.Event, ch)] = true
			}
			if p.Mandatory {
				for _, ch := range admin.NotifyChannels {
					locked[notifyCell(p.Event, ch)] = notifyLocked
				}
			}
		}
		v.reset(on, locked)
		v.nav.set(len(v.prefs))
	case notifySavedMsg:
		if msg.seq != v.seq {
			return nil
		}
		v.reviewing = false
		if msg.err != nil {
			v.saving, v.saved = false, ""
			v.err = v.s.explain(msg.err)
			var conflict *admin.ConflictError
			v.stale = errors.As(msg.err, &conflict)
			return nil
		}
		return v.load(true)
	case refreshMsg:
		if v.user != nil && !v.dirty() && !v.saving {
			return v.load(false)
		}
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *notifyView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	if v.saving {
		return nil
	}
	if key.Matches(msg, k.Reload) {
		v.reviewing, v.note, v.err = false, "", ""
		return v.load(true)
	}
	if v.user == nil {
		v.closed = key.Matches(msg, k.Discard)
		return nil
	}
	if v.reviewing {
		switch {
		case key.Matches(msg, k.Save):
			return v.save()
		case msg.String() == "esc", msg.String() == "n":
			v.reviewing = false
		}
		return nil
	}
	v.note = ""
	if k.nav.apply(msg, &v.nav) {
		return nil
	}
	n := len(admin.NotifyChannels)
	switch {
	case key.Matches(msg, k.Toggle):
		v.err = v.toggle(v.s.p, notifyCell(v.prefs[v.nav.cur].Event, admin.NotifyChannels[v.col]))
	case key.Matches(msg, k.Channel):
		v.col = (v.col + 1) % n
	case key.Matches(msg, k.ChannelBack):
		v.col = (v.col + n - 1) % n
	case key.Matches(msg, k.Review):
		switch {
		case !v.dirty():
			v.note = v.s.p.T("Nothing changed.")
		case v.stale:
			v.err = v.s.p.T("This user changed since you opened it: press ctrl+r to reload.")
		default:
			v.err, v.reviewing = "", true
		}
	case key.Matches(msg, k.Discard):
		if !v.dirty() {
			v.closed = true
			return nil
		}
		v.discard()
		v.err, v.note = "", v.s.p.T("Changes discarded.")
	}
	return nil
}

// channels is the channels ticked for event, as admin reads them: "email,sms",
// or "off".
func (v *notifyView) channels(marks map[string]bool, event string) string {
	var chs []string
	for _, ch := range admin.NotifyChannels {
		if marks[notifyCell(event, ch)] {
			chs = append(chs, ch)
		}
	}
	return cmp.Or(strings.Join(chs, ","), "off")
}

// settings are the changed events as admin.Service.SetNotifyPrefs takes
// them: EVENT=CHANNELS.
func (v *notifyView) settings() []string {
	var out []string
	for _, p := range v.prefs {
		if now := v.channels(v.draft, p.Event); now != v.channels(v.orig, p.Event) {
			out = append(out, p.Event+"="+now)
		}
	}
	return out
}

func (v *notifyView) save() tea.Cmd {
	sets := v.settings()
	v.saving, v.err = true, ""
	v.saved = v.s.p.T("Saved: %s.", strings.Join(sets, "; "))
	v.seq++
	seq, email, version := v.seq, v.email, v.version
	svc, a := v.s.svc, v.s.actor
	return v.s.do(func(ctx context.Context) tea.Msg {
		_, err := svc.SetNotifyPrefs(ctx, a, email, version, sets)
		return notifySavedMsg{seq, err}
	})
}

// notifyCol is the width of a channel's column: the cursor's mark, a box
// and its change mark, and a space.
const notifyCol = 6

func (v *notifyView) view(st Styles, width, height int) string {
	p := v.s.p
	var b strings.Builder
	title := p.T("Notifications of %s", clean(v.email))
	if v.user != nil {
		title = p.T("Notifications of %s", who(v.user))
	}
	b.WriteString(st.Title.Render(cut(title, width)))
	if v.dirty() {
		b.WriteString(st.Warn.Render("  " + p.T("(unsaved)")))
	}
	b.WriteString("\n")
	if v.user == nil {
		if v.loading {
			b.WriteString(st.Subtle.Render(p.T("Reading…")))
		}
		if v.err != "" {
			b.WriteString(st.Error.Render(cut(v.err, width)) + "\n" + st.Faint.Render(p.T("esc goes back")))
		}
		return b.String()
	}
	intro := p.T("Which events reach them, and by which channel.")
	if strings.EqualFold(v.email, v.s.actor.Email) {
		intro = p.T("Which events reach you, and by which channel.")
	}
	if v.user.Phone == "" {
		intro += p.T(" No mobile number: no SMS yet.")
	}
	b.WriteString(st.Subtle.Render(cut(intro, width)) + "\n\n")
	if v.reviewing {
		b.WriteString(v.review(st, width))
		return b.String()
	}
	head := ""
	for _, ch := range admin.NotifyChannels {
		head += fit(" "+ch, notifyCol)
	}
	b.WriteString(paint(st.ColHead, cut(head+p.T("Event"), width-1)) + "\n")
	label := widest(v.prefs, func(e admin.NotifyPref) string { return e.LabelIn(p) })
	var lines []string
	for i, e := range v.prefs {
		line := ""
		changed := false
		for c, ch := range admin.NotifyChannels {
			id := notifyCell(e.Event, ch)
			mark := " "
			if i == v.nav.cur && c == v.col {
				mark = "▸"
			}
			line += fit(mark+v.box(id), notifyCol)
			changed = changed || v.changed(id)
		}
		line += fit(e.LabelIn(p), label)
		if e.Mandatory {
			// The reason whole where it fits, else what it is about.
			note := "  " + p.T("locked: %s", p.T(notifyLocked))
			if cells(line+note) > width-1 {
				note = "  " + p.T("locked: security")
			}
			line += note
		}
		line = cut(line, width-1)
		switch {
		case i == v.nav.cur:
			line = st.Selected.Render(line)
		case e.Mandatory:
			line = st.Locked.Render(line)
		case changed:
			line = st.Marked.Render(line)
		}
		lines = append(lines, line)
	}
	status := st.wrappedStatus(width, nil, v.saving, p.T("Saving…"), v.err, v.note)
	b.WriteString(strings.Join(inSight(lines, v.nav.cur, height-6-strings.Count(status, "\n")), "\n"))
	b.WriteString("\n\n")
	b.WriteString(status)
	return b.String()
}

// review is the summary shown before saving.
func (v *notifyView) review(st Styles, width int) string {
	p := v.s.p
	var b strings.Builder
	b.WriteString(st.Bold.Render(p.T("Before saving:")) + "\n")
	for _, e := range v.prefs {
		was, now := v.channels(v.orig, e.Event), v.channels(v.draft, e.Event)
		if was != now {
			// "off" is admin's word for no channel (EVENT=off): said here in
			// the operator's language; email and sms are names.
			b.WriteString(cut("  "+e.Event+"  "+p.T(was)+" → "+st.Bold.Render(p.T(now))+st.Subtle.Render("  "+e.LabelIn(p)), width) + "\n")
		}
	}
	b.WriteString("\n")
	if s := st.wrappedStatus(width, nil, v.saving, p.T("Saving…"), v.err, ""); s != "" {
		b.WriteString(s)
	} else {
		b.WriteString(st.Warn.Render(p.T("enter saves · esc goes back to the checkboxes")))
	}
	return b.String()
}
