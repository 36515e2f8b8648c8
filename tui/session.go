package tui

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// session is everything a screen needs, built once per session (one local
// program, or one SSH connection of roster serve). Its fields do not change
// once the screens are built, so commands may capture them; but styles, made
// again in Update when the terminal tells its background, for drawing only.
type session struct {
	ctx    context.Context
	svc    *admin.Service
	actor  admin.Actor
	styles Styles
	// p makes every word the screens show, in the session's language; L
	// switches it (the screens are built again with the new one).
	p *i18n.Printer
	// timeout bounds each store call made by a command.
	timeout time.Duration
	links   string // where the links in mail lead: what Options.Ready returned
	// opening is the screen a screen asked to switch to while handling a
	// message; the router switches as soon as that message is handled.
	opening *openRequest
}

// call runs fn in a command with a context bounded by the session's and a
// timeout, and returns its message. Commands end with the session (an SSH
// client that disconnects cancels ctx) instead of leaking.
func call(ctx context.Context, timeout time.Duration, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return fn(c)
	}
}

// do is call with the session's context and timeout, captured by value.
func (s *session) do(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return call(s.ctx, s.timeout, fn)
}

// refreshMsg asks the screen shown to read its data again, keeping its
// place: the database changed, or the screen came back into view.
type refreshMsg struct{}

// openRequest is a switch to a screen, for one user when email is set.
type openRequest struct {
	to    screenID
	email string
}

// open asks the router to switch to a screen, for one user when email is
// set. The switch is made as soon as the screen has handled the message at
// hand, not by a command, whose message would come after keys already typed:
// "p space" on Users ticks a box on the Permissions screen.
func (s *session) open(to screenID, email string) tea.Cmd {
	s.opening = &openRequest{to: to, email: email}
	return nil
}

// userOpener is a screen that works on one user at a time.
type userOpener interface {
	OpenUser(email string) tea.Cmd
}

// explain says what went wrong in plain words for the status line.
func (s *session) explain(err error) string {
	if err == nil {
		return ""
	}
	var conflict *admin.ConflictError
	switch {
	case errors.As(err, &conflict) && conflict.Plan:
		return s.p.T("What deleting %s would do changed since the preview: check it again.", clean(conflict.Email))
	case errors.As(err, &conflict):
		return s.p.T("%s was changed by %s at %s since you opened it. Press ctrl+r to reload it.",
			clean(conflict.Email), clean(conflict.By), conflict.At.Local().Format("15:04:05"))
	case errors.Is(err, context.DeadlineExceeded):
		return s.p.T("The database did not answer in time: it may be busy. Try again.")
	case errors.Is(err, context.Canceled):
		return s.p.T("Cancelled.")
	}
	msg := clean(i18n.Error(s.p, err))
	// admin's words start in lower case and are capitalised here; an
	// address that starts the message is shown as stored ("bruno@…", not
	// "Bruno@…"), as the titles show it.
	if first, _, _ := strings.Cut(msg, " "); msg != "" && !strings.Contains(first, "@") {
		r, n := utf8.DecodeRuneInString(msg)
		msg = string(unicode.ToUpper(r)) + msg[n:]
	}
	return msg
}

// effect is what an action did to one person, as the batch screens show it
// beside their row; a rate limit is said only until it passes.
type effect struct {
	text  string
	until time.Time // when the rate limit ends; zero: no end
}

// at is what to show at now: nothing once the rate limit has passed.
func (o effect) at(now time.Time) string {
	if !o.until.IsZero() && !now.Before(o.until) {
		return ""
	}
	return o.text
}

// outcome describes the result of one action on one person, in p's
// language: sent, rate-limited until …, failed: reason.
func outcome(p *i18n.Printer, err error, done string) effect {
	var rl *admin.RateLimitError
	switch {
	case err == nil:
		return effect{text: done}
	case errors.As(err, &rl):
		return effect{p.T("rate-limited until %s", p.DateTime(rl.Next.Local())), rl.Next}
	}
	return effect{text: p.T("failed: %s", clean(i18n.Error(p, err)))}
}

// clean makes text from users or servers safe to draw.
func clean(s string) string { return admin.Printable(s) }

// cells is ansi.StringWidth, the cells s takes on screen, made cheap for
// what the screens draw: ansi.StringWidth segments every letter into
// grapheme clusters, and every frame of every session measures its lines
// (12% of roster serve's time under load). Printable ASCII is one cell and
// the styles' CSI sequences none; only the clusters past ASCII are
// segmented, from the letter before them (e and a combining accent are one
// cluster). Anything else (another control or escape sequence) is left to
// ansi.StringWidth.
func cells(s string) int {
	n := 0
	ascii := -1 // the index of the printable ASCII letter counted last
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			ascii = i
			i++
		case c >= 0x80:
			if r, _ := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError {
				return ansi.StringWidth(s) // not UTF-8: a C1 control, or bytes
			}
			from := i
			if ascii == i-1 && ascii >= 0 {
				from, n = ascii, n-1 // the cluster starts at that letter
			}
			cluster, w := ansi.FirstGraphemeCluster(s[from:], ansi.GraphemeWidth)
			n += w
			i = from + len(cluster)
			ascii = -1 // the letter alone was a cluster: go on from i
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			// CSI: parameter and intermediate bytes, then a final byte.
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x40 {
				j++
			}
			if j == len(s) || s[j] >= 0x7f || s[j] < 0x40 {
				return ansi.StringWidth(s)
			}
			i = j + 1
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// fit cuts s to width cells (with an ellipsis) and pads it to width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := cells(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = cells(s)
	}
	if w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// cut cuts s to width cells without padding.
func cut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if cells(s) > width {
		return ansi.Truncate(s, width, "…")
	}
	return s
}

// newInput makes a text input styled for the session, without blinking.
func (s *session) newInput(placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	ti.SetStyles(s.styles.Input)
	// ctrl+v reads the clipboard of the machine roster runs on, not the
	// operator's: a paste from the operator's terminal still arrives.
	ti.KeyMap.Paste.SetEnabled(false)
	return ti
}

// when writes a time the way the screens' tables show it: the compact ISO
// form, which both languages read and which keeps the columns narrow.
func (s *session) when(t time.Time) string {
	if t.IsZero() {
		return s.p.T("never")
	}
	return t.Local().Format("2006-01-02 15:04")
}

// ago is admin.Ago, the one way a time from now is effect, under the short
// name the screens use.
func (s *session) ago(now, t time.Time) string { return s.p.Ago(now, t) }

// plural counts n of a thing in English: "1 conversation", "2
// conversations", "1,000 users". s.p.N replaces it, in the session's
// language; it goes once the Pending screen, its last caller, moves there.
func (s *session) plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return s.count(n) + " " + many
}

// who names a user as the titles and the pickers do: "Ann Active
// <ann@example.com>", or the address alone for someone without a name.
func who(u *store.User) string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return clean(n) + " <" + clean(u.Email) + ">"
	}
	return clean(u.Email)
}

// status is a user's status in the session's language, as the screens
// show it.
func (s *session) status(u *store.User) string { return admin.Status(u).In(s.p) }

// nav is a cursor over n rows of which height are visible from top.
type nav struct {
	cur, top, n, height int
}

func (v *nav) clamp() {
	if v.n <= 0 {
		v.cur, v.top = 0, 0
		return
	}
	v.cur = max(0, min(v.cur, v.n-1))
	h := max(1, v.height)
	if v.cur < v.top {
		v.top = v.cur
	}
	if v.cur >= v.top+h {
		v.top = v.cur - h + 1
	}
	v.top = max(0, min(v.top, max(0, v.n-h)))
}

func (v *nav) move(d int)   { v.cur += d; v.clamp() }
func (v *nav) page(d int)   { v.move(d * max(1, v.height-1)) }
func (v *nav) home()        { v.cur = 0; v.clamp() }
func (v *nav) end()         { v.cur = v.n - 1; v.clamp() }
func (v *nav) set(n int)    { v.n = n; v.clamp() }
func (v *nav) resize(h int) { v.height = h; v.clamp() }

// follow puts the cursor v, over old, on the row of rows, the same list
// read again, that has the same key: rows written or gone since moved the
// rest under it, and a key typed while the list was read again (held
// until it is shown) acted on the row moved there. A row no longer listed
// leaves the cursor where it is, and is returned (gone) with ok false.
func follow[T any, K comparable](v *nav, old, rows []T, key func(T) K) (gone T, ok bool) {
	if v.cur < 0 || v.cur >= len(old) {
		return gone, true
	}
	k := key(old[v.cur])
	for i, r := range rows {
		if key(r) == k {
			v.cur = i
			return gone, true
		}
	}
	return old[v.cur], false
}

// visible is the range of rows to draw.
func (v *nav) visible() (from, to int) {
	return v.top, min(v.n, v.top+max(1, v.height))
}

// operatorMsg tells every screen what the operator may do, so that a key
// they may not use explains why instead of failing in admin (which checks
// again anyway).
type operatorMsg struct {
	perms map[string]bool
	role  string
	lang  string // the operator's own locale: fr or en
	err   error
}

// loadOperator reads the operator's own permissions.
func (s *session) loadOperator() tea.Cmd {
	svc, a := s.svc, s.actor
	return s.do(func(ctx context.Context) tea.Msg {
		d, err := svc.User(ctx, a, a.Email)
		if err != nil {
			return operatorMsg{err: err}
		}
		perms := map[string]bool{}
		for _, p := range d.Perms {
			perms[p] = true
		}
		return operatorMsg{perms: perms, role: d.Role, lang: d.Locale}
	})
}

// mayIn says, in p's language, why the operator cannot do what needs
// perm ("" when they can, or while their permissions are not known yet:
// admin checks again); what is already in p's language.
func mayIn(p *i18n.Printer, perms map[string]bool, perm, what string) string {
	if perms == nil || perms[perm] {
		return ""
	}
	return p.T("You cannot %s: it needs the %s permission, which you do not hold.", what, perm)
}

// confirmation is a question a screen asks before it acts: y does it.
type confirmation struct {
	prompt string
	yes    tea.Cmd
	// closes: y closes the screen at once, as the screen handles the key,
	// not by a command whose message would come after keys already typed.
	closes bool
	// act, when set, is what y does instead of yes, run as the key is
	// handled: for an answer that changes the screen as well as reading.
	act func() tea.Cmd
	// about is the row the question acts on, if any: a list that no
	// longer shows it dismisses the question.
	about *store.User
}

// answer resolves a confirmation with a key: the command for y, and whether
// the question is settled.
func (c *confirmation) answer(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case !saysYes(msg):
		return nil
	case c.act != nil:
		return c.act()
	}
	return c.yes
}

// saysYes is whether a key answers a confirmation with yes. The keys are
// y and n in French too, as every key name stays (enter, esc, ctrl+r): the
// prompts say "y/n" in both languages, and a French operator's o is a no.
func saysYes(msg tea.KeyPressMsg) bool { return msg.String() == "y" || msg.String() == "Y" }
