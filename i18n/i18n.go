// Package i18n holds the words of roster's dashboard, command line and
// errors in English and French, and the rules that follow the language:
// which one an operator gets, plurals, numbers, dates and lengths of time.
//
// A message's key is its English text, a fmt format ("%s is not away"); the
// French text of each key is in the catalogues of this package (fr_*.go).
// Numbers are formatted by Num, never by a verb of the format, so that
// "%d" stays a plain number (an ID, a year, a port) in both languages.
package i18n

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Lang is a language roster speaks.
type Lang string

const (
	English Lang = "en"
	French  Lang = "fr"
)

// Langs are the languages, the default first.
var Langs = []Lang{English, French}

// Parse reads a language as flags, stored locales and the environment
// write it: "fr", "FR", "fr_FR.UTF-8", "fr-CA", "en_GB", "C".
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	base, _, _ := strings.Cut(s, ".")
	base, _, _ = strings.Cut(base, "@")
	for _, sep := range []string{"_", "-"} {
		base, _, _ = strings.Cut(base, sep)
	}
	switch base {
	case "fr", "french", "français", "francais":
		return French, true
	case "en", "english", "c", "posix":
		return English, true
	}
	return "", false
}

// Choose picks the language: the one asked for (--lang or ROSTER_LANG, a
// known one), else the operator's stored locale, else the environment's
// (LC_ALL, LC_MESSAGES, LANG, the first set decides), else English.
func Choose(asked, stored string, getenv func(string) string) Lang {
	if l, ok := Parse(asked); ok {
		return l
	}
	if l, ok := Parse(stored); ok {
		return l
	}
	if getenv != nil {
		for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if s := getenv(v); s != "" {
				if l, ok := Parse(s); ok {
					return l
				}
				return English
			}
		}
	}
	return English
}

// UnknownError is a language roster does not speak.
type UnknownError struct{ Asked string }

func (e *UnknownError) Error() string { return e.Localize(For(English)) }

func (e *UnknownError) Localize(p *Printer) string {
	return p.T("language %q: want fr or en", e.Asked)
}

// Check returns the language asked for, or an *UnknownError; empty asks
// for none.
func Check(asked string) (Lang, error) {
	if strings.TrimSpace(asked) == "" {
		return "", nil
	}
	l, ok := Parse(asked)
	if !ok {
		return "", &UnknownError{asked}
	}
	return l, nil
}

// Printer makes the text of messages in one language.
type Printer struct {
	lang Lang
	tag  language.Tag
	num  *message.Printer
}

var printers = map[Lang]*Printer{
	English: {lang: English, tag: language.English},
	French:  {lang: French, tag: language.French},
}

// For returns the printer of l; English for a language roster does not speak.
func For(l Lang) *Printer {
	if p, ok := printers[l]; ok {
		return p
	}
	return printers[English]
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// T is the text of key in the printer's language, formatted with args.
// Arguments that are themselves messages (Text, or errors that Localize)
// are put in the same language first.
func (p *Printer) T(key string, args ...any) string {
	f := key
	if p.lang == French {
		if s, ok := french()[key]; ok {
			f = s
		}
	}
	return p.format(f, args)
}

// format is f, in the printer's language already, with args.
func (p *Printer) format(f string, args []any) string {
	if len(args) == 0 {
		return f
	}
	if p.lang == French {
		return elide(fmt.Sprintf(f, p.args(args)...))
	}
	return fmt.Sprintf(f, p.args(args)...)
}

// Agree is T(key, args...) said of n things: one text in English, while
// French agrees its participles and adjectives in number ("3 sur 3 :
// invitations renvoyées", "12 affichés"), from frPlurals.
func (p *Printer) Agree(n int, key string, args ...any) string {
	if p.lang == French && p.plural(n) != plural.One {
		if f, ok := frenchMore()[key]; ok {
			return p.format(f, args)
		}
	}
	return p.T(key, args...)
}

// elide writes French's "de" before a vowel as "d'", where a message put
// a name or an address after it: "Permissions d'Adam Green", not "de
// Adam". The catalogue's own words are written elided already; an h is
// left alone (aspirated or not, "de Hugo" is said too).
func elide(s string) string {
	if !strings.Contains(s, "e ") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+3 < len(s); i++ {
		if (s[i] != 'd' && s[i] != 'D') || s[i+1] != 'e' || s[i+2] != ' ' {
			continue
		}
		if i > 0 && s[i-1] != ' ' && s[i-1] != '(' && s[i-1] != '"' {
			continue // the end of a word: "code ", "aide "
		}
		r, _ := utf8.DecodeRuneInString(s[i+3:])
		if !strings.ContainsRune("aeiouyAEIOUYàâæéèêëîïôœûùüÀÂÆÉÈÊËÎÏÔŒÛÙÜ", r) {
			continue
		}
		b.WriteString(s[last : i+1])
		b.WriteString("'")
		last = i + 3
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func (p *Printer) args(args []any) []any {
	out := args
	for i, a := range args {
		var s string
		switch a := a.(type) {
		case Text:
			s = a.In(p)
		case localizer:
			s = a.Localize(p)
		default:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = s
	}
	return out
}

// N counts: the form for one (one) or for more (other), chosen by the
// language's plural rule for n (French says "0 utilisateur", English "0
// users"), formatted with args; without args, with n as Num writes it, so
// that the formats take it as %s: N(3, "%s user", "%s users").
func (p *Printer) N(n int, one, other string, args ...any) string {
	f := other
	if p.plural(n) == plural.One {
		f = one
	}
	if len(args) == 0 {
		args = []any{p.Num(n)}
	}
	return p.T(f, args...)
}

func (p *Printer) plural(n int) plural.Form {
	i := n
	if i < 0 {
		i = -i
	}
	return plural.Cardinal.MatchPlural(p.tag, i, 0, 0, 0, 0)
}

// Num writes n with the language's digit grouping: 1,234 and 1 234.
func (p *Printer) Num(n int) string {
	if n > -1000 && n < 1000 {
		return fmt.Sprint(n)
	}
	numOnce.Do(func() {
		for _, q := range printers {
			q.num = message.NewPrinter(q.tag)
		}
	})
	return p.num.Sprint(n)
}

var numOnce sync.Once

var months = map[Lang][12]string{
	English: {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	French:  {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
}

// Date writes t's day as people read it: 2 Dec 2026, 2 déc. 2026.
func (p *Printer) Date(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), months[p.lang][t.Month()-1], t.Year())
}

// Day is a date to be written as the printer's language writes a day
// (Printer.Date), when a Text that carries it is put in words.
type Day time.Time

// Localize writes d as p.Date does.
func (d Day) Localize(p *Printer) string { return p.Date(time.Time(d)) }

// DateTime writes t's day and minute: 2 Dec 2026 14:05.
func (p *Printer) DateTime(t time.Time) string {
	return p.Date(t) + " " + t.Format("15:04")
}

// Ago says how far t is from now: "3 h ago", "in 2 days", "never" for the
// zero time.
func (p *Printer) Ago(now, t time.Time) string {
	if t.IsZero() {
		return p.T("never")
	}
	d := now.Sub(t)
	if d < 0 {
		s, _ := p.spanPart(-d)
		return p.T("in %s", s)
	}
	s, _ := p.spanPart(d)
	return p.T("%s ago", s)
}

// Span says a length of time as people write it: "30 min", "36 h",
// "2 days", "1 h 30 min". Unlike Ago it says the rest after the largest
// unit, so a link that lives 50 h is not said to live 2 days.
func (p *Printer) Span(d time.Duration) string {
	s, rest := p.spanPart(d)
	for rest >= time.Second {
		var next string
		next, rest = p.spanPart(rest)
		s += " " + next
	}
	return s
}

// spanPart says d in its largest unit, rounded down, and returns what that
// leaves out. Days start at 48 h: "47 h" says more than "1 days".
func (p *Printer) spanPart(d time.Duration) (string, time.Duration) {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", d/time.Second), d % time.Second
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute), d % time.Minute
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", d/time.Hour), d % time.Hour
	}
	return p.N(int(d/(24*time.Hour)), "%s day", "%s days"), d % (24 * time.Hour)
}

// Text is a message not yet put in words: its key and its data. Typed
// errors carry one, and whoever shows them (a screen, the command line)
// makes the text in the operator's language.
type Text struct {
	Key   string // the English format; for a count, the form for one
	Other string // for a count, the form for more; Key's otherwise unused
	N     int    // the count, when Other is set
	Args  []any
}

// Msg is the message key with args, to be put in words later.
func Msg(key string, args ...any) Text { return Text{Key: key, Args: args} }

// Count is a counting message (see Printer.N), to be put in words later.
func Count(n int, one, other string, args ...any) Text {
	return Text{Key: one, Other: other, N: n, Args: args}
}

// In is the message in p's language.
func (t Text) In(p *Printer) string {
	if t.Other != "" {
		return p.N(t.N, t.Key, t.Other, t.Args...)
	}
	return p.T(t.Key, t.Args...)
}

// String is the message in English.
func (t Text) String() string { return t.In(For(English)) }

type localizer interface{ Localize(p *Printer) string }

// Error is err's text in p's language: the message of the first error in
// its chain that can say itself (has a Localize method), else its English.
func Error(p *Printer, err error) string {
	if err == nil {
		return ""
	}
	var l localizer
	if errors.As(err, &l) {
		return l.Localize(p)
	}
	return err.Error()
}
