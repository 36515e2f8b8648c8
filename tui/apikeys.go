package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"roster/i18n"
	"roster/store"
)

// apiKeysView is a user's API keys, opened with K from their detail view:
// each key's prefix, name and last use; n creates one and g regenerates one
// (of the operator's own: nobody makes a key for someone else), x revokes
// one. A new secret is shown once and copied to the operator's clipboard
// where the terminal allows it (OSC 52).
type apiKeysView struct {
	s     *session
	email string
	own   bool // the operator's own keys
	keys  apiKeysKeys

	list    []store.APIKey
	nav     nav
	loading bool
	naming  *textinput.Model // the name of the key n creates
	secret  string           // shown once, until any key
	confirm *confirmation
	closed  bool
	note    string
	err     string
}

type apiKeysKeys struct {
	nav                                  navKeys
	New, Regenerate, Revoke, Back, Enter key.Binding
}

type (
	apiKeysMsg struct {
		keys []store.APIKey
		err  error
	}
	apiKeyMadeMsg struct {
		secret      string
		key         *store.APIKey
		regenerated bool // else created
		err         error
	}
	apiKeyRevokedMsg struct {
		id  int64
		err error
	}
)

func newAPIKeysView(s *session, email string) *apiKeysView {
	v := &apiKeysView{s: s, email: email, own: strings.EqualFold(email, s.actor.Email), keys: newAPIKeysKeys(s.p)}
	v.keys.New.SetEnabled(v.own)
	v.keys.Regenerate.SetEnabled(v.own)
	v.nav.resize(8)
	return v
}

func newAPIKeysKeys(p *i18n.Printer) apiKeysKeys {
	k := apiKeysKeys{
		nav:        navKeysIn(p),
		New:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", p.T("new key"))),
		Regenerate: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", p.T("regenerate"))),
		Revoke:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", p.T("revoke"))),
		Back:       backKey(p),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.T("create"))),
	}
	k.nav.Home.SetKeys("home") // g regenerates here
	return k
}

func (v *apiKeysView) load() tea.Cmd {
	v.loading = true
	svc, a, email := v.s.svc, v.s.actor, v.email
	return v.s.do(func(ctx context.Context) tea.Msg {
		keys, err := svc.APIKeys(ctx, a, email)
		return apiKeysMsg{keys, err}
	})
}

// Reading reports that the keys that g and x act on are on their way.
func (v *apiKeysView) Reading() bool { return v.loading }

func (v *apiKeysView) capturing() bool { return v.naming != nil || v.confirm != nil || v.secret != "" }

func (v *apiKeysView) shortHelp() []key.Binding {
	if v.naming != nil {
		return []key.Binding{v.keys.Enter, v.keys.Back}
	}
	return []key.Binding{v.keys.nav.Up, v.keys.nav.Down, v.keys.New, v.keys.Regenerate, v.keys.Revoke, v.keys.Back}
}

func (v *apiKeysView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case apiKeysMsg:
		v.loading = false
		if msg.err != nil {
			v.err = v.s.explain(msg.err)
			return nil
		}
		v.list = msg.keys
		v.nav.set(len(v.list))
	case apiKeyMadeMsg:
		if msg.err != nil {
			v.err = v.s.explain(msg.err)
			return nil
		}
		v.secret, v.err = msg.secret, ""
		v.note = v.s.p.T("API key %s created.", clean(msg.key.Name))
		if msg.regenerated {
			v.note = v.s.p.T("API key %s regenerated: the old secret no longer works.", clean(msg.key.Name))
		}
		return tea.Batch(tea.SetClipboard(msg.secret), v.load())
	case apiKeyRevokedMsg:
		v.err, v.note = v.s.explain(msg.err), ""
		if msg.err == nil {
			v.note = v.s.p.T("API key %d revoked: it no longer works.", msg.id)
		}
		return v.load()
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *apiKeysView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	switch {
	case v.secret != "":
		v.secret = "" // shown once: any key puts it away
		return nil
	case v.confirm != nil:
		c := v.confirm
		v.confirm = nil
		return c.answer(msg)
	case v.naming != nil:
		switch {
		case key.Matches(msg, k.Back):
			v.naming = nil
		case key.Matches(msg, k.Enter):
			name := v.naming.Value()
			v.naming = nil
			svc, a := v.s.svc, v.s.actor
			return v.s.do(func(ctx context.Context) tea.Msg {
				secret, made, err := svc.CreateAPIKey(ctx, a, name, time.Time{})
				return apiKeyMadeMsg{secret, made, false, err}
			})
		default:
			var cmd tea.Cmd
			*v.naming, cmd = v.naming.Update(msg)
			return cmd
		}
		return nil
	}
	if k.nav.apply(msg, &v.nav) {
		return nil
	}
	v.note = ""
	cur, ok := v.current()
	switch {
	case key.Matches(msg, k.Back):
		v.closed = true
	case key.Matches(msg, k.New):
		in := v.s.newInput(v.s.p.T("what it is for: zapier, okta…"), 100)
		in.Focus()
		v.naming, v.err = &in, ""
	case !v.own && (msg.String() == "n" || msg.String() == "g"):
		v.err = v.s.p.T("Only %s makes keys of their own: you may revoke theirs (x).", clean(v.email))
	case key.Matches(msg, k.Regenerate) && ok:
		id := cur.ID
		svc, a := v.s.svc, v.s.actor
		v.confirm = &confirmation{prompt: v.s.p.T("Regenerate %s? Its secret stops working now. y/n", clean(cur.Name)), yes: v.s.do(func(ctx context.Context) tea.Msg {
			secret, made, err := svc.RegenerateAPIKey(ctx, a, id)
			return apiKeyMadeMsg{secret, made, true, err}
		})}
	case key.Matches(msg, k.Revoke) && ok:
		id := cur.ID
		svc, a := v.s.svc, v.s.actor
		v.confirm = &confirmation{prompt: v.s.p.T("Revoke %s (%s…)? y/n", clean(cur.Name), cur.Prefix), yes: v.s.do(func(ctx context.Context) tea.Msg {
			return apiKeyRevokedMsg{id, svc.RevokeAPIKey(ctx, a, id)}
		})}
	}
	return nil
}

func (v *apiKeysView) current() (store.APIKey, bool) {
	if v.nav.cur < len(v.list) {
		return v.list[v.nav.cur], true
	}
	return store.APIKey{}, false
}

func (v *apiKeysView) view(st Styles, width int) string {
	p := v.s.p
	var b strings.Builder
	b.WriteString(st.Title.Render(cut(p.T("API keys of %s", clean(v.email)), width)) + "\n")
	b.WriteString(st.Subtle.Render(cut(p.T("A key acts as its user, with their permissions; only its hash is kept."), width)) + "\n\n")
	if v.secret != "" {
		b.WriteString(st.OK.Render(cut(v.note, width)) + "\n\n")
		b.WriteString(st.Bold.Render("  "+v.secret) + "\n\n")
		b.WriteString(cut(p.T("Shown this once: keep it now. It was copied to your clipboard where the terminal allows it."), width) + "\n")
		b.WriteString(st.Faint.Render(p.T("Any key puts it away.")) + "\n")
		return b.String()
	}
	if v.naming != nil {
		b.WriteString(st.Label.Render(p.T("Name")+" ") + st.input(*v.naming) + "\n\n")
	}
	w := columnWidths(width-2, []column{{min: 4, natural: 6}, {min: 8, natural: widest(v.list, func(k store.APIKey) string { return clean(k.Name) }), max: 30},
		{min: 13, natural: 13}, {min: 16, natural: 16}, {min: 10, natural: 10}})
	b.WriteString(paint(st.ColHead, "  "+fit(p.T("ID"), w[0])+" "+fit(p.T("Name"), w[1])+" "+fit(p.T("Prefix"), w[2])+" "+fit(p.T("Last used"), w[3])+" "+fit(p.T("Expires"), w[4])) + "\n")
	if len(v.list) == 0 && !v.loading {
		hint := p.T("No API key.")
		if v.own {
			hint = p.T("No API key. n creates one.")
		}
		b.WriteString(st.Subtle.Render("  "+hint) + "\n")
	}
	from, to := v.nav.visible()
	for i := from; i < to && i < len(v.list); i++ {
		k := v.list[i]
		expires := p.T("never")
		if !k.ExpiresAt.IsZero() {
			expires = k.ExpiresAt.Local().Format("2006-01-02")
		}
		used := p.T("never")
		if !k.LastUsedAt.IsZero() {
			used = v.s.when(k.LastUsedAt)
		}
		line := fit(strconv.FormatInt(k.ID, 10), w[0]) + " " + fit(clean(k.Name), w[1]) + " " + fit(k.Prefix+"…", w[2]) + " " + fit(used, w[3]) + " " + fit(expires, w[4])
		if i == v.nav.cur {
			b.WriteString(paint(st.Selected, "▸ "+line))
		} else {
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(st.status(width, v.confirm, false, "", v.err, v.note))
	return b.String()
}

// keysLine sums up a user's API keys on their detail view.
func keysLine(s *session, keys []store.APIKey) string {
	if len(keys) == 0 {
		return s.p.T("no keys") // "aucune": "none" is "aucun", of a masculine word
	}
	var parts []string
	for _, k := range keys {
		used := s.p.T("never used")
		if !k.LastUsedAt.IsZero() {
			used = s.p.T("used %s", s.p.DateTime(k.LastUsedAt.Local()))
		}
		parts = append(parts, k.Prefix+"… "+clean(k.Name)+" ("+used+")")
	}
	return strings.Join(parts, ", ")
}
