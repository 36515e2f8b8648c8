package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"roster/store"
)

// The templates of every message, in one place: templates/LOCALE.txt holds
// each kind's subject and plain-text part, templates/LOCALE.html its HTML
// part, and layout.html the HTML frame around it.
//
//go:embed templates
var templateFS embed.FS

// Locales are the languages mail is written in; others get English.
var Locales = []string{"en", "fr"}

type localeTemplates struct {
	text *texttemplate.Template
	// html holds each kind's whole HTML part, the layout around its body,
	// from which its skeletons are made.
	html map[string]*htmltemplate.Template
}

// templates are parsed when the first message is written, not at start-up:
// every roster process, roster help included, paid for them.
var templates = sync.OnceValue(func() map[string]localeTemplates {
	out := map[string]localeTemplates{}
	for _, l := range Locales {
		lt := localeTemplates{text: texttemplate.Must(texttemplate.New(l).ParseFS(templateFS, "templates/"+l+".txt")),
			html: map[string]*htmltemplate.Template{}}
		html := htmltemplate.Must(htmltemplate.New(l).ParseFS(templateFS, "templates/"+l+".html", "templates/layout.html"))
		for _, kind := range lt.text.Templates() {
			if html.Lookup(kind.Name()) == nil {
				continue // a subject, or a part of another
			}
			page := htmltemplate.Must(html.Clone())
			htmltemplate.Must(page.New("body").Parse(`{{template "` + kind.Name() + `" .}}`))
			lt.html[kind.Name()] = page.Lookup("layout")
		}
		out[l] = lt
	}
	return out
})

// renderBuffers keeps the buffers templates are executed into, grown to a
// message's size, for the next message.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// view is what the templates see: the message's data and the words made
// from it in the reader's language. The data's fields are its own, not
// promoted from an embedded MailData: text/template finds a promoted field
// by a search that allocates, 56 times a message.
type view struct {
	Account, Name, Inviter, InviterEmail string // as in store.MailData
	AwayName, AwayEmail, Note            string
	Email                                string // the recipient's address
	Link                                 string // BaseURL followed by the link's path
	ForgotURL                            string // where to ask for a new link once this one has expired
	Validity                             string // "48 hours", "48 heures"
	Deadline                             string // when the link expires (for a test message: when it was made)
	From                                 string // start of a stand-in's period
	Until                                string // its end; "" for further notice
	Lang                                 string // for the HTML part's frame
	Subject                              string
	Body                                 string // a notice's text, from admin's catalogue
}

// content is a message's text before it is put in MIME form.
type content struct {
	Lang    string
	Subject string
	Text    string
	HTML    string
}

func localeOf(s string) string {
	for _, l := range Locales {
		if s == l {
			return l
		}
	}
	return "en"
}

// zones holds the time zones mail was written in, by name: loading one
// reads the system's database.
var zones sync.Map

// zone is the time zone named, nil for "" or a name the system does not
// know (the worker's own is used then).
func zone(name string) *time.Location {
	if name == "" {
		return nil
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	zones.Store(name, l)
	return l
}

// render fills the templates of m's kind in m's locale; now dates a test
// message. loc is the time zone dates are written in unless d names the
// recipient's.
func render(m *store.OutboxMessage, d store.MailData, baseURL string, now time.Time, loc *time.Location) (*content, error) {
	lang := localeOf(m.Locale)
	if z := zone(d.TimeZone); z != nil {
		loc = z
	}
	t := templates()[lang]
	page := t.html[m.Kind]
	if t.text.Lookup(m.Kind) == nil || t.text.Lookup(m.Kind+".subject") == nil || page == nil {
		return nil, fmt.Errorf("no template for mail of kind %q", m.Kind)
	}
	v := view{Account: d.Account, Name: d.Name, Inviter: d.Inviter, InviterEmail: d.InviterEmail,
		AwayName: d.AwayName, AwayEmail: d.AwayEmail, Note: d.Note, Email: m.Recipient, ForgotURL: baseURL + "/forgot",
		Validity: validity(lang, time.Duration(d.Lifetime)*time.Second), Subject: d.Subject, Body: d.Body}
	if d.Path != "" {
		v.Link = baseURL + d.Path
	}
	if !d.ExpiresAt.IsZero() {
		v.Deadline = longDate(lang, d.ExpiresAt.In(loc))
	}
	if m.Kind == store.MailTest {
		v.Deadline = longDate(lang, now.In(loc))
	}
	if !d.AwayFrom.IsZero() {
		v.From = longDate(lang, d.AwayFrom.In(loc))
	}
	if !d.AwayUntil.IsZero() {
		v.Until = longDate(lang, d.AwayUntil.In(loc))
	}
	c := &content{Lang: lang}
	subject, err := fillSkeleton(t.text.Lookup(m.Kind+".subject"), lang, m.Kind+".subject", false, &v)
	if err != nil {
		return nil, fmt.Errorf("render subject: %w", err)
	}
	c.Subject = strings.Join(strings.Fields(subject), " ")
	text, err := fillSkeleton(t.text.Lookup(m.Kind), lang, m.Kind, false, &v)
	if err != nil {
		return nil, fmt.Errorf("render text: %w", err)
	}
	c.Text = strings.TrimSpace(text) + "\n"
	v.Lang, v.Subject = lang, c.Subject
	if c.HTML, err = fillSkeleton(page, lang, m.Kind, true, &v); err != nil {
		return nil, fmt.Errorf("render html: %w", err)
	}
	return c, nil
}

// viewFields is how many strings a view holds; viewLink is the link's
// number among them.
const (
	viewFields = 17
	viewLink   = 8
)

// fields are the view's strings, by number, for skeletons.
func (v *view) fields() [viewFields]*string {
	// &v.Link is viewLink's.
	return [viewFields]*string{&v.Account, &v.Name, &v.Inviter, &v.InviterEmail, &v.AwayName, &v.AwayEmail, &v.Note,
		&v.Email, &v.Link, &v.ForgotURL, &v.Validity, &v.Deadline, &v.From, &v.Until, &v.Lang, &v.Subject, &v.Body}
}

// A skeleton is a part of a kind's message in one language (its subject,
// its text, its HTML), executed once with a marker in place of each value
// and cut at the markers: a message's part is then the skeleton's text
// with its values spliced in, each in the HTML part escaped by
// html/template for its own place in the page. Executing the whole page
// for each message cost about 30 µs, most of it calling the escapers
// through reflection; a value met again (the account, the inviter, the
// language) is not escaped again.
//
// The templates branch only on whether a value is empty ({{if .Inviter}}),
// and html/template decides each value's context from the template alone,
// so one skeleton serves every message whose values are empty in the same
// places (its shape). TestSkeletonWritesAsTheTemplate compares both ways
// on hostile values.
type skeleton struct {
	static []string // the text around the slots: one more than slots
	slots  []*slot
}

// executor is a text or HTML template.
type executor interface {
	Execute(w io.Writer, data any) error
}

// slot is a place in the page where a value goes.
type slot struct {
	field int // in view.fields
	// escape is the skeleton's page with this slot as the only action:
	// html/template escapes a value there as it does in the kind's
	// template. Its output is head bytes of the page, the value, then
	// tail bytes. In a text part it is nil: the value goes as it is.
	escape     *htmltemplate.Template
	head, tail int
	// kept are the ASCII bytes that the slot's escapers all leave as
	// they are, when each of them works byte by byte (keptBy): a value
	// made of them alone is written as it is, without executing escape.
	kept [128]bool
	url  bool // the escapers include urlfilter: a value must also be a safe URL

	mu            sync.Mutex
	lastIn, lastO string // the value escaped last, and how
}

type skeletonKey struct {
	lang, name string // the template's
	html       bool
	shape      uint32 // bit i: field i is not empty
}

// skeletons holds the skeletons made so far (a few shapes per kind).
var skeletons sync.Map // skeletonKey → *skeleton

// marker stands for field i in a skeleton: letters and digits, which every
// escaper leaves as they are.
func marker(i int) string { return fmt.Sprintf("%s%02dz", markerPrefix, i) }

const markerPrefix = "zqxroster"

// fillSkeleton writes v through the skeleton of template t (named name, in
// lang; html says whether it is an html/template) for v's shape, making
// the skeleton the first time.
func fillSkeleton(t executor, lang, name string, html bool, v *view) (string, error) {
	key := skeletonKey{lang: lang, name: name, html: html}
	for i, f := range v.fields() {
		if *f != "" {
			key.shape |= 1 << i
		}
	}
	sk, ok := skeletons.Load(key)
	if !ok {
		made, err := newSkeleton(t, html, key.shape)
		if err != nil {
			return "", err
		}
		sk, _ = skeletons.LoadOrStore(key, made)
	}
	return sk.(*skeleton).fill(v)
}

func newSkeleton(t executor, html bool, shape uint32) (*skeleton, error) {
	var mv view
	for i, f := range mv.fields() {
		if shape&(1<<i) != 0 {
			*f = marker(i)
		}
	}
	var b strings.Builder
	if err := t.Execute(&b, &mv); err != nil {
		return nil, err
	}
	out := b.String()
	sk := &skeleton{}
	var at []int // where each slot's marker starts in out
	rest, pos := out, 0
	for {
		i := strings.Index(rest, markerPrefix)
		if i < 0 {
			break
		}
		var field int
		if _, err := fmt.Sscanf(rest[i+len(markerPrefix):], "%02dz", &field); err != nil || field >= viewFields {
			return nil, fmt.Errorf("skeleton: a marker at %d is not a field's", pos+i)
		}
		sk.static = append(sk.static, rest[:i])
		sk.slots = append(sk.slots, &slot{field: field})
		at = append(at, pos+i)
		n := i + len(marker(field))
		rest, pos = rest[n:], pos+n
	}
	sk.static = append(sk.static, rest)
	if !html {
		return sk, nil
	}
	for k, s := range sk.slots {
		m := marker(s.field)
		src := out[:at[k]] + "{{.}}" + out[at[k]+len(m):]
		t, err := htmltemplate.New("slot").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("skeleton: %w", err)
		}
		b.Reset()
		if err := t.Execute(&b, m); err != nil || b.String() != out {
			return nil, fmt.Errorf("skeleton: the page with one slot does not give the page back (%v)", err)
		}
		s.escape, s.head, s.tail = t, at[k], len(out)-at[k]-len(m)
		if err := s.findKept(); err != nil {
			return nil, fmt.Errorf("skeleton: %w", err)
		}
	}
	return sk, nil
}

// keptBy are html/template's escapers that write a value byte by byte, so
// that a value made of bytes each kept alone is kept whole; urlfilter
// keeps a value unless its scheme is unsafe (safeURL). The others
// (JavaScript values, CSS, srcset, attribute names) look at the value as a
// whole: a slot they serve always executes its template.
var keptBy = map[string]bool{"_html_template_htmlescaper": true, "_html_template_attrescaper": true,
	"_html_template_nospaceescaper": true, "_html_template_rcdataescaper": true, "_html_template_urlescaper": true,
	"_html_template_urlnormalizer": true, "_html_template_urlfilter": true}

// findKept fills s.kept, once s.escape has run (html/template adds the
// escapers to the slot's action when it first executes it): each printable
// ASCII byte alone that the escapers give back as it is. Executing the slot
// for each value was a third of composing a message (BenchmarkCompose) and
// half its allocations, while most values (names, addresses,
// links) need no escaping at all.
func (s *slot) findKept() error {
	var action *parse.ActionNode
	for _, n := range s.escape.Tree.Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok {
			if action != nil {
				return nil // not the one action newSkeleton made
			}
			action = a
		}
	}
	if action == nil {
		return nil
	}
	prefix := "" // before each byte tried: a safe scheme where urlfilter looks for one
	for _, cmd := range action.Pipe.Cmds[1:] {
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if !ok || len(cmd.Args) != 1 || !keptBy[id.Ident] {
			return nil
		}
		if id.Ident == "_html_template_urlfilter" {
			s.url, prefix = true, "http:"
		}
	}
	var b strings.Builder
	for c := byte(' '); c <= '~'; c++ {
		b.Reset()
		in := prefix + string(c)
		if err := s.escape.Execute(&b, in); err != nil {
			return err
		}
		s.kept[c] = b.String()[s.head:b.Len()-s.tail] == in
	}
	return nil
}

// safeURL is html/template's test in urlfilter (isSafeURL): a URL whose
// scheme, if it has one, is http, https or mailto.
func safeURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
	}
	return true
}

// fill writes the part with v's values in the slots.
func (sk *skeleton) fill(v *view) (string, error) {
	fields := v.fields()
	n := 0
	for _, s := range sk.static {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n + 512)
	for k, s := range sk.slots {
		b.WriteString(sk.static[k])
		esc, err := s.escaped(*fields[s.field])
		if err != nil {
			return "", err
		}
		b.WriteString(esc)
	}
	b.WriteString(sk.static[len(sk.slots)])
	return b.String(), nil
}

// escaped is value as html/template writes it in s's place.
func (s *slot) escaped(value string) (string, error) {
	if s.escape == nil || s.keeps(value) {
		return value, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == s.lastIn && s.lastO != "" && s.field != viewLink {
		return s.lastO, nil
	}
	b := renderBuffers.Get().(*bytes.Buffer)
	defer renderBuffers.Put(b)
	b.Reset()
	if err := s.escape.Execute(b, value); err != nil {
		return "", err
	}
	out := string(b.Bytes()[s.head : b.Len()-s.tail])
	// A link is never the same twice, and holds a token: not kept.
	if s.field != viewLink {
		s.lastIn, s.lastO = value, out
	}
	return out, nil
}

// keeps says whether value goes in the slot as it is: every byte kept.
func (s *slot) keeps(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; c >= utf8.RuneSelf || !s.kept[c] {
			return false
		}
	}
	return value != "" && (!s.url || safeURL(value))
}

// validity says how long a link lives, as a reader says it: "48 hours",
// "1 heure", "7 days", "90 minutes".
func validity(lang string, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	n, unit := int64(d/time.Minute), "minute"
	switch {
	case d%(24*time.Hour) == 0 && d > 72*time.Hour:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= 2*time.Hour:
		n, unit = int64((d+30*time.Minute)/time.Hour), "hour"
	}
	words := map[string][2]string{"minute": {"minute", "minute"}, "hour": {"hour", "heure"}, "day": {"day", "jour"}}[unit]
	w := words[0]
	if lang == "fr" {
		w = words[1]
	}
	if n > 1 {
		w += "s"
	}
	return fmt.Sprintf("%d %s", n, w)
}

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// longDate writes a date and time in full, with its time zone:
// "Friday 14 March 2025 at 15:04 CET", "vendredi 14 mars 2025 à 15 h 04 (CET)".
func longDate(lang string, t time.Time) string {
	zone, _ := t.Zone()
	if lang == "fr" {
		return fmt.Sprintf("%s %d %s %d à %d h %02d (%s)", frDays[t.Weekday()], t.Day(), frMonths[t.Month()-1],
			t.Year(), t.Hour(), t.Minute(), zone)
	}
	return t.Format("Monday 2 January 2006 at 15:04 ") + zone
}
