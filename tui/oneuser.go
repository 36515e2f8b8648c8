package tui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
)

// oneUser is what the screens that work on one user at a time share
// (Permissions, Away, Delete): whom, the picker that chooses them, and the
// reading of their details.
type oneUser struct {
	screen  screenID // whose the readings are
	email   string
	picker  *picker // choosing the user
	user    *admin.UserDetail
	seq     int
	loading bool
	note    string
	err     string
	// p is the session's printer, kept by choose and read for the words
	// chooserView draws.
	p *i18n.Printer
	// held are the keys typed after the pick while the user was read: they
	// act on the user's page once it is shown, as the operator meant.
	held []tea.KeyPressMsg
}

// userMsg is the details of the user a screen works on, read for it.
type userMsg struct {
	to   screenID
	seq  int
	user *admin.UserDetail
	err  error
}

// choosing reports that the operator is typing into the picker: an empty
// one, as the screen opens on, leaves the number keys to switch screens.
func (o *oneUser) choosing() bool { return o.picker != nil && o.picker.input.Value() != "" }

// choose opens the picker that chooses the user.
func (o *oneUser) choose(s *session, pickerID int, placeholder string) tea.Cmd {
	o.p = s.p
	o.picker = newPicker(s, pickerID, placeholder, false, "")
	return o.picker.start()
}

// read reads the details of the user chosen.
func (o *oneUser) read(s *session) tea.Cmd {
	o.p = s.p
	o.seq++
	o.loading = true
	to, seq, email := o.screen, o.seq, o.email
	svc, a := s.svc, s.actor
	return s.do(func(ctx context.Context) tea.Msg {
		u, err := svc.User(ctx, a, email)
		return userMsg{to, seq, u, err}
	})
}

// current reports whether msg is this screen's newest reading, which is
// then over; any other is dropped.
func (o *oneUser) current(msg userMsg) bool {
	if msg.to != o.screen || msg.seq != o.seq {
		return false
	}
	o.loading = false
	return true
}

// pickUser gives msg to the open picker that chooses the user: esc closes it,
// back to the Users screen when no one was chosen before, and a choice is
// opened with openUser. handled is false for a message the picker does not
// take: the screen handles it.
func (o *oneUser) pickUser(msg tea.Msg, openUser func(email string) tea.Cmd) (cmd tea.Cmd, handled bool) {
	closed, chosen, cmd, handled := o.picker.step(msg)
	switch {
	case closed:
		s := o.picker.s
		o.picker = nil
		if o.email == "" {
			return s.open(usersScreen, ""), true
		}
		return nil, true
	case chosen != nil:
		o.held = append(o.held, o.picker.queued...)
		o.picker = nil
		return openUser(chosen.value), true
	}
	return cmd, handled
}

// Reading reports that the user chosen is being read: the keys typed
// meanwhile wait for their page (the root holds them).
func (o *oneUser) Reading() bool { return o.picker == nil && o.loading }

// replayHeld applies, through update and in order, the keys typed after the
// pick, once the user they were meant for is shown; a key that starts
// another reading holds the rest again.
func (o *oneUser) replayHeld(update func(tea.Msg) tea.Cmd) tea.Cmd {
	var cmds []tea.Cmd
	for len(o.held) > 0 && !o.Reading() {
		k := o.held[0]
		o.held = o.held[1:]
		cmds = append(cmds, update(k))
	}
	return tea.Batch(cmds...)
}

// chooserView draws the screen while it has no user to show: the picker, or
// that the user is being read, what went wrong, what was done, or how to
// choose someone (how). ok is false once there is a user to show.
func (o *oneUser) chooserView(st Styles, title, how string, width int) (view string, ok bool) {
	if o.picker == nil && o.user != nil {
		return "", false
	}
	p := o.p
	if p == nil {
		p = i18n.For(i18n.English)
	}
	var b strings.Builder
	if o.picker != nil {
		b.WriteString(st.Title.Render(p.T("%s: choose a user", title)))
		b.WriteString("\n\n")
		b.WriteString(o.picker.view(st, width))
		return b.String(), true
	}
	b.WriteString(st.Title.Render(title))
	b.WriteString("\n\n")
	switch {
	case o.loading:
		b.WriteString(st.Subtle.Render(p.T("Reading…")))
	case o.err != "":
		b.WriteString(st.Error.Render(cut(o.err, width)))
	case o.note != "":
		b.WriteString(st.OK.Render(cut(o.note, width)))
	default:
		b.WriteString(st.Subtle.Render(how))
	}
	return b.String(), true
}

// pickInto gives msg to an open picker that fills field i of a form (a
// stand-in, an heir): esc closes it; a choice fills the field, moves on to
// the next one, and replays through update the keys typed while the choice
// waited for its results.
func pickInto(p **picker, f *form, i int, msg tea.Msg, update func(tea.Msg) tea.Cmd) (cmd tea.Cmd, handled bool) {
	closed, chosen, cmd, handled := (*p).step(msg)
	switch {
	case closed:
		*p = nil
		return nil, true
	case chosen != nil:
		f.fields[i].input.SetValue(chosen.value)
		f.fields[i].err = ""
		queued := (*p).queued
		*p = nil
		f.focusOn(i + 1)
		var cmds []tea.Cmd
		for _, k := range queued {
			cmds = append(cmds, update(k))
		}
		return tea.Batch(cmds...), true
	}
	return cmd, handled
}
