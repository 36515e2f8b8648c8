package tui

import (
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/store"
)

// webhooksView is the Mail screen's third list (w): the webhooks, each
// with its deliveries and the receiver's answers, for holders of
// settings.integrations. n adds one, its secret shown once; x removes one.
type webhooksView struct {
	s *session

	hooks   []store.Webhook
	nav     nav
	loading bool
	open    *store.Webhook   // its deliveries shown
	sent    []store.Delivery // the open webhook's, newest first
	adding  bool             // the form has the keyboard
	form    form             // url, events
	secret  string           // shown once, until any key
	confirm *confirmation
	note    string
	err     string
	// lost is the webhook the cursor was on, which the list read again no
	// longer has (removed by someone else), until the next key or reading
	// (gone); mine: the reading follows this view's own removal.
	lost string
	mine bool
}

type (
	webhooksMsg struct {
		hooks []store.Webhook
		err   error
	}
	deliveriesMsg struct {
		id  int64
		ds  []store.Delivery
		err error
	}
	webhookAddedMsg struct {
		secret string
		hook   *store.Webhook
		err    error
	}
	webhookRemovedMsg struct {
		id  int64
		err error
	}
)

// The fields of the form that adds a webhook.
const (
	whURL = iota
	whEvents
)

func newWebhooksView(s *session) *webhooksView {
	v := &webhooksView{s: s}
	v.form = form{keys: formKeysIn(s.p, s.p.T("add")), fields: []*field{
		whURL:    s.newField(s.p.T("URL"), "https://hooks.example.com/roster", 500),
		whEvents: s.newField(s.p.T("Events"), s.p.T("all, or some of: %s", strings.Join(admin.WebhookEvents(), ", ")), 500),
	}}
	v.nav.resize(8)
	return v
}

func (v *webhooksView) load() tea.Cmd {
	v.loading, v.lost = true, ""
	svc, a := v.s.svc, v.s.actor
	return v.s.do(func(ctx context.Context) tea.Msg {
		hooks, err := svc.Webhooks(ctx, a)
		return webhooksMsg{hooks, err}
	})
}

func (v *webhooksView) loadSent(id int64) tea.Cmd {
	svc, a := v.s.svc, v.s.actor
	return v.s.do(func(ctx context.Context) tea.Msg {
		ds, err := svc.WebhookDeliveries(ctx, a, id, 100)
		return deliveriesMsg{id, ds, err}
	})
}

func (v *webhooksView) capturing() bool { return v.adding || v.confirm != nil || v.secret != "" }

func (v *webhooksView) reading() bool { return v.loading }

func (v *webhooksView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case webhooksMsg:
		v.loading = false
		v.err = v.s.explain(msg.err)
		if msg.err == nil {
			// The cursor stays on its webhook: one removed since above it
			// moved it up, and x typed while the list was read again asked
			// to remove the one below.
			v.lost = ""
			if h, ok := follow(&v.nav, v.hooks, msg.hooks, func(h store.Webhook) int64 { return h.ID }); !ok && !v.mine {
				v.lost = clean(h.URL)
			}
			v.mine = false
			v.hooks = msg.hooks
			v.nav.set(len(v.hooks))
		}
	case deliveriesMsg:
		if v.open != nil && v.open.ID == msg.id {
			v.sent, v.err = msg.ds, v.s.explain(msg.err)
		}
	case webhookAddedMsg:
		if msg.err != nil {
			v.err, v.adding = v.s.explain(msg.err), true
			return nil
		}
		v.secret, v.err = msg.secret, ""
		v.note = v.s.p.T("Webhook %d added: %s", msg.hook.ID, clean(msg.hook.URL))
		return tea.Batch(tea.SetClipboard(msg.secret), v.load())
	case webhookRemovedMsg:
		v.err, v.note = v.s.explain(msg.err), ""
		if msg.err == nil {
			v.note = v.s.p.T("Webhook %d removed, with what it had not delivered.", msg.id)
		}
		cmd := v.load()
		v.mine = true
		return cmd
	}
	return nil
}

// key handles a key; back reports esc on the list, which leaves the view.
func (v *webhooksView) key(msg tea.KeyPressMsg, k mailKeys) (cmd tea.Cmd, back bool) {
	v.lost = ""
	switch {
	case v.secret != "":
		v.secret = ""
		return nil, false
	case v.confirm != nil:
		c := v.confirm
		v.confirm = nil
		return c.answer(msg), false
	case v.adding:
		switch msg.String() {
		case "esc":
			v.adding = false
			v.form.deactivate()
		case "ctrl+s":
			v.adding = false
			v.form.deactivate()
			url, events := v.form.fields[whURL].value(), v.form.fields[whEvents].value()
			svc, a := v.s.svc, v.s.actor
			return v.s.do(func(ctx context.Context) tea.Msg {
				secret, hook, err := svc.AddWebhook(ctx, a, url, []string{events})
				return webhookAddedMsg{secret, hook, err}
			}), false
		default:
			_, cmd := v.form.update(msg)
			return cmd, false
		}
		return nil, false
	case v.open != nil:
		if key.Matches(msg, k.Back) {
			v.open, v.sent = nil, nil
		}
		return nil, false
	}
	if k.nav.apply(msg, &v.nav) {
		return nil, false
	}
	v.note = ""
	cur := v.nav.cur < len(v.hooks)
	switch {
	case key.Matches(msg, k.Back):
		return nil, true
	case msg.String() == "n":
		for _, f := range v.form.fields {
			f.set("")
		}
		v.adding, v.err = true, ""
		v.form.activate(whURL)
	case key.Matches(msg, k.Open) && cur:
		h := v.hooks[v.nav.cur]
		v.open, v.sent = &h, nil
		return v.loadSent(h.ID), false
	case msg.String() == "x" && cur:
		id := v.hooks[v.nav.cur].ID
		svc, a := v.s.svc, v.s.actor
		v.confirm = &confirmation{prompt: v.s.p.T("Remove webhook %d and what it has not delivered? y/n", id),
			yes: v.s.do(func(ctx context.Context) tea.Msg { return webhookRemovedMsg{id, svc.RemoveWebhook(ctx, a, id)} })}
	case key.Matches(msg, k.Reload):
		return v.load(), false
	}
	return nil, false
}

func (v *webhooksView) view(st Styles, width int) string {
	p := v.s.p
	var b strings.Builder
	if v.secret != "" {
		b.WriteString(st.Title.Render(p.T("Webhooks")) + "\n\n")
		b.WriteString(st.OK.Render(cut(v.note, width)) + "\n\n")
		b.WriteString(cut(p.T("Its signing secret, shown this once (Standard Webhooks); copied to your clipboard where the terminal allows it:"), width) + "\n\n")
		b.WriteString(st.Bold.Render("  "+v.secret) + "\n\n")
		b.WriteString(st.Faint.Render(p.T("Any key puts it away.")) + "\n")
		return b.String()
	}
	if v.open != nil {
		b.WriteString(st.Title.Render(cut(p.T("Deliveries to %s", clean(v.open.URL)), width)) + "\n")
		b.WriteString(st.Subtle.Render(cut(p.T("newest first · %s", strings.Join(v.open.Events, ", ")), width)) + "\n")
		w := columnWidths(width-2, []column{{min: 16, natural: 16}, {min: 12, natural: widest(v.sent, func(d store.Delivery) string { return d.EventType })},
			{min: 9, natural: 9}, {min: 3, natural: 8}, {min: 10, natural: 60}})
		b.WriteString(paint(st.ColHead, "  "+fit(p.T("Queued"), w[0])+" "+fit(p.T("Event"), w[1])+" "+fit(p.T("State"), w[2])+" "+fit(p.T("Tries"), w[3])+" "+fit(p.T("Answer"), w[4])) + "\n")
		for _, d := range v.sent {
			answer := d.LastError
			if d.LastStatus != 0 {
				answer = strconv.Itoa(d.LastStatus) + " " + d.Response
			}
			b.WriteString("  " + fit(v.s.when(d.CreatedAt), w[0]) + " " + fit(d.EventType, w[1]) + " " + fit(stateLabel(p, d.State), w[2]) + " " +
				fit(strconv.Itoa(d.Attempts), w[3]) + " " + fit(clean(answer), w[4]) + "\n")
		}
		if len(v.sent) == 0 {
			b.WriteString(st.Subtle.Render("  "+p.T("Nothing sent yet.")) + "\n")
		}
		b.WriteString("\n" + st.status(width, nil, false, "", v.err, ""))
		return b.String()
	}
	b.WriteString(cut(st.Title.Render(p.T("Webhooks"))+
		st.Subtle.Render("  "+p.T("signed events for other systems · n add · x remove · enter deliveries · w outbox")), width))
	b.WriteString("\n")
	if v.adding {
		b.WriteString(v.form.view(st, 8, width))
		b.WriteString(st.Faint.Render(p.T("ctrl+s adds it · esc cancels")) + "\n")
	}
	w := columnWidths(width-2, []column{{min: 3, natural: 4}, {min: 16, natural: widest(v.hooks, func(h store.Webhook) string { return h.URL }), max: 60},
		{min: 10, natural: widest(v.hooks, func(h store.Webhook) string { return strings.Join(h.Events, ",") })}})
	b.WriteString(paint(st.ColHead, "  "+fit(p.T("ID"), w[0])+" "+fit(p.T("URL"), w[1])+" "+fit(p.T("Events"), w[2])) + "\n")
	if len(v.hooks) == 0 && !v.loading {
		b.WriteString(st.Subtle.Render("  "+p.T("No webhook. n adds one.")) + "\n")
	}
	from, to := v.nav.visible()
	for i := from; i < to && i < len(v.hooks); i++ {
		h := v.hooks[i]
		line := fit(strconv.FormatInt(h.ID, 10), w[0]) + " " + fit(clean(h.URL), w[1]) + " " + fit(strings.Join(h.Events, ","), w[2])
		if i == v.nav.cur {
			b.WriteString(paint(st.Selected, "▸ "+line))
		} else {
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + st.status(width, v.confirm, false, "", v.err, v.note))
	return b.String()
}
