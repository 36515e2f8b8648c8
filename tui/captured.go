package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/mail"
	"roster/store"
)

// capturedMail is the Mail screen's other list: the messages the embedded
// capture server kept, which it does when no relay is configured. A captured
// copy stands for the recipient's mailbox, so its links are shown whole.
type capturedMail struct {
	s    *session
	list pager[store.CapturedMail]

	openID  int64    // the message shown, or being read
	lines   []string // the message shown, drawn when it arrived
	reading bool
	seq     int // of the message asked for last
	scroll  int
	height  int
	err     string // why the message could not be read
}

type capturedShowMsg struct {
	seq int
	msg *mail.Message
	err error
}

func newCapturedMail(s *session) *capturedMail {
	return &capturedMail{s: s, list: pager[store.CapturedMail]{size: mailPage, id: func(c store.CapturedMail) int64 { return c.ID }}}
}

// load reads the newest captured messages, or with more the page after the
// last row.
func (c *capturedMail) load(more bool) tea.Cmd {
	svc, a := c.s.svc, c.s.actor
	return c.list.load(c.s, more, func(ctx context.Context, before int64, limit int) ([]store.CapturedMail, error) {
		return svc.CapturedMail(ctx, a, before, limit)
	})
}

// show reads one captured message whole.
func (c *capturedMail) show(id int64) tea.Cmd {
	c.seq++
	c.openID, c.reading, c.lines, c.scroll, c.err = id, true, nil, 0, ""
	seq, svc, a := c.seq, c.s.svc, c.s.actor
	return c.s.do(func(ctx context.Context) tea.Msg {
		kept, err := svc.CapturedMessage(ctx, a, id)
		if err != nil {
			return capturedShowMsg{seq, nil, err}
		}
		m, err := mail.ReadCaptured(kept)
		return capturedShowMsg{seq, m, err}
	})
}

func (c *capturedMail) resize(h int) {
	c.height = h
	c.list.nav.resize(max(1, h-3))
}

// showing reports that a message is shown (or being read) instead of the list.
func (c *capturedMail) showing() bool { return c.openID != 0 }

func (c *capturedMail) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageMsg[store.CapturedMail]:
		c.list.got(msg)
	case capturedShowMsg:
		if msg.seq != c.seq || !c.showing() {
			return nil
		}
		c.reading, c.err = false, c.s.explain(msg.err)
		if msg.err == nil {
			c.lines = c.draw(msg.msg)
		}
	}
	return nil
}

// draw lays out a captured message as its recipient would read it: its
// header fields, then its text, links whole.
func (c *capturedMail) draw(m *mail.Message) []string {
	st := c.s.styles
	var lines []string
	for _, h := range m.Header {
		lines = append(lines, st.Label.Render(fit(clean(h.Name), 13))+" "+clean(h.Value))
	}
	lines = append(lines, "")
	for _, l := range strings.Split(strings.TrimRight(m.Text, "\n"), "\n") {
		lines = append(lines, clean(strings.ReplaceAll(l, "\t", "    ")))
	}
	return lines
}

func (c *capturedMail) key(msg tea.KeyPressMsg, k mailKeys) tea.Cmd {
	if c.showing() {
		page := max(1, c.height-3)
		switch {
		case key.Matches(msg, k.Back):
			c.openID, c.lines, c.reading, c.err = 0, nil, false, ""
		case key.Matches(msg, k.nav.Down):
			c.scroll++
		case key.Matches(msg, k.nav.Up):
			c.scroll--
		case key.Matches(msg, k.nav.PageDown):
			c.scroll += page
		case key.Matches(msg, k.nav.PageUp):
			c.scroll -= page
		case key.Matches(msg, k.nav.Home):
			c.scroll = 0
		case key.Matches(msg, k.nav.End):
			c.scroll = len(c.lines) - page
		}
		c.scroll = max(0, min(c.scroll, len(c.lines)-page))
		return nil
	}
	if cmd, ok := c.list.move(k.nav, msg, c.load); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Open):
		if r, ok := c.list.current(); ok {
			return c.show(r.ID)
		}
	case key.Matches(msg, k.Reload):
		return c.load(false)
	}
	return nil
}

func (c *capturedMail) view(st Styles, width int) string {
	if c.showing() {
		return c.message(st, width)
	}
	p := c.s.p
	var b strings.Builder
	title := st.Title.Render(p.T("Captured mail")) +
		st.Subtle.Render("  "+p.Agree(len(c.list.rows), "what the embedded capture server received · %s shown", p.Num(len(c.list.rows))))
	if c.list.loading {
		title += st.Faint.Render(" · " + p.T("reading…"))
	}
	b.WriteString(cut(title, width))
	b.WriteString("\n")
	from, to := c.list.nav.visible()
	shown := c.list.rows[min(from, len(c.list.rows)):min(to, len(c.list.rows))]
	recipients := func(r store.CapturedMail) string { return clean(strings.Join(r.To, ", ")) }
	// The recipients drawn keep their whole width, up to 32 cells; the
	// sender and the subject share the rest by what they hold.
	tw := widest(shown, recipients)
	w := columnWidths(width-2, []column{{min: 16, natural: 16}, {min: min(max(tw, 2), 32), natural: tw},
		{min: 6, natural: widest(shown, func(r store.CapturedMail) string { return clean(r.From) })},
		{min: 12, natural: widest(shown, func(r store.CapturedMail) string { return clean(r.Subject) })}})
	b.WriteString(st.ColHead.Render(cut("  "+fit(p.T("Received"), w[0])+" "+fit(p.T("To"), w[1])+" "+fit(p.T("From"), w[2])+" "+fit(p.T("Subject"), w[3]), width)))
	b.WriteString("\n")
	if c.list.err != "" {
		b.WriteString(st.Error.Render(cut(c.list.err, width)) + "\n")
	}
	if len(c.list.rows) == 0 && !c.list.loading {
		b.WriteString(st.Subtle.Render(cut("  "+p.T("No captured mail: the capture server keeps what it receives when no relay is configured."), width)) + "\n")
	}
	for i := from; i < to && i < len(c.list.rows); i++ {
		r := c.list.rows[i]
		line := fit(c.s.when(r.ReceivedAt), w[0]) + " " + fit(recipients(r), w[1]) + " " + fit(clean(r.From), w[2]) + " " +
			fit(clean(r.Subject), w[3])
		if i == c.list.nav.cur {
			b.WriteString(st.Selected.Render("▸ "+cut(line, width-2)) + "\n")
		} else {
			b.WriteString("  " + cut(line, width-2) + "\n")
		}
	}
	return b.String()
}

// message shows the captured message opened, from where it is scrolled to.
func (c *capturedMail) message(st Styles, width int) string {
	p := c.s.p
	var b strings.Builder
	b.WriteString(cut(st.Title.Render(p.T("Captured mail %d", c.openID))+
		st.Subtle.Render("  "+p.T("as the recipient reads it, links working")), width))
	b.WriteString("\n" + c.s.linksLine(st, width))
	switch {
	case c.reading:
		b.WriteString(st.Subtle.Render(p.T("Reading…")) + "\n")
		return b.String()
	case c.err != "":
		b.WriteString(st.Error.Render(cut(c.err, width)) + "\n")
		return b.String()
	}
	// Long lines wrap on words rather than being cut, and a link longer
	// than the width is broken, so it is shown whole.
	for _, l := range c.lines[min(c.scroll, len(c.lines)):] {
		b.WriteString(ansi.Wrap(l, max(1, width), "") + "\n")
	}
	return b.String()
}
