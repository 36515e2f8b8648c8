package admin

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"roster/i18n"
	"roster/store"
)

// NormalizeEmail trims and checks an address, writes it in NFC (an accent
// typed as a combining mark is composed) and lower-cases its domain. The local
// part keeps its case; users are told apart by store.EmailKey. A local part
// that mixes scripts, as look-alike addresses do, is refused.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", inputErr("email", "is empty")
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unsafeRune(r) || unicode.IsSpace(r) }) {
		return "", inputErr("email", "%q holds spaces or control characters", s)
	}
	s = norm.NFC.String(s)
	if len(s) > 254 {
		return "", inputErr("email", "is %d characters long, at most 254", len(s))
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", inputErr("email", "%q is not an email address (no @)", s)
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if err := checkLocal(local); err != nil {
		return "", inputErr("email", "%q: %v", s, err)
	}
	if a, b := mixedScripts(local); a != "" {
		// The scripts' names are words to say in the reader's language.
		return "", inputErr("email", "%q mixes %s and %s letters before the @, as look-alike addresses do", s, i18n.Msg(a), i18n.Msg(b))
	}
	if err := checkDomain(domain); err != nil {
		return "", inputErr("email", "%q: %v", s, err)
	}
	return local + "@" + domain, nil
}

func checkLocal(local string) error {
	switch {
	case local == "":
		return sentence("nothing before the @")
	case len(local) > 64:
		return sentence("the part before the @ is %d characters long, at most 64", len(local))
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return sentence("misplaced dot before the @")
	}
	for i, r := range local {
		if r > 0x7f && (unicode.IsLetter(r) || i > 0 && unicode.IsMark(r)) || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			continue
		}
		if !strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r) {
			return sentence("%q is not allowed before the @", r)
		}
	}
	return nil
}

func checkDomain(domain string) error {
	labels := strings.Split(domain, ".")
	if len(domain) == 0 || len(labels) < 2 {
		return sentence("the domain %q has no dot", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return sentence("the domain %q is not valid", domain)
		}
		for i, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x7f && (unicode.IsLetter(r) || i > 0 && unicode.IsMark(r))) {
				return sentence("the domain %q is not valid", domain)
			}
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return sentence("the domain %q is not valid", domain)
	}
	return nil
}

// writingSystems are, after UTS #39's augmented script sets, the writing
// systems a script is part of besides its own: Japanese writes Han with kana,
// Korean Han with Hangul, Chinese Han with Bopomofo.
var writingSystems = map[string][]string{
	"Han":      {"Han", "Japanese", "Korean", "Chinese"},
	"Hiragana": {"Hiragana", "Japanese"},
	"Katakana": {"Katakana", "Japanese"},
	"Hangul":   {"Hangul", "Korean"},
	"Bopomofo": {"Bopomofo", "Chinese"},
}

// mixedScripts names two scripts that s mixes and that no single writing
// system uses together, as in a look-alike p\u0430ypal with a Cyrillic a; "", ""
// when s is written in one. Digits, punctuation and combining marks (Common
// and Inherited) go with any script: a UTS #39 single-script check.
func mixedScripts(s string) (string, string) {
	var first string
	var common []string // the writing systems every letter so far belongs to
	for _, r := range s {
		sc := scriptOf(r)
		if sc == "" {
			continue
		}
		systems, ok := writingSystems[sc]
		if !ok {
			systems = []string{sc}
		}
		if first == "" {
			first, common = sc, slices.Clone(systems)
			continue
		}
		common = slices.DeleteFunc(common, func(w string) bool { return !slices.Contains(systems, w) })
		if len(common) == 0 {
			return first, sc
		}
	}
	return "", ""
}

// scriptOf is the Unicode script of r, or "" for Common and Inherited.
func scriptOf(r rune) string {
	switch {
	case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		return "Latin"
	case r < 0x80:
		return ""
	case unicode.Is(unicode.Latin, r): // most addresses: no need to try every script
		return "Latin"
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// roleMailboxes are local parts of shared department or role addresses, in
// English and French, which are refused as user accounts (seed 002). Matched
// on the whole local part (roleKey), so that dean@ or paris@ are never refused.
var roleMailboxes = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`
		abuse accounting accounts achats admin administrateur administration accueil all billing bonjour
		careers commercial communication compta comptabilite contact contactez-nous direction dev devops
		equipe everyone facturation finance hello help helpdesk hostmaster hr info infos information
		informatique it jobs juridique legal mailer-daemon maintenance marketing ne-pas-repondre
		nepasrepondre no-reply no_reply noreply notifications office ops paie postmaster presse press
		purchasing reception recrutement recruitment rh root sales sav secretariat security service
		service-client serviceclient standard support team tous ventes webmaster`) {
		roleMailboxes[roleKey(s)] = true
	}
}

// roleKey is how a local part is looked up among roleMailboxes: folded,
// without the dots, hyphens and underscores that join its words, so that
// no.reply@, ne_pas_repondre@ and help-desk@ are the mailboxes they spell.
func roleKey(local string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, store.Fold(local))
}

// RoleAddressRefused is the refusal's message key (InputError.Why) of a
// role mailbox invited without InviteOptions.AllowRoleAddress; its
// argument is the address.
const RoleAddressRefused = "%s is a role or department mailbox, not a person (pass --allow-role-address to accept it)"

// IsRoleAddress reports whether email is a role or department mailbox such as
// maintenance@ or comptabilité@. A subaddress (maintenance+paris@, RFC 5233)
// is delivered to the mailbox before its +, and full-width letters
// (ｍａｉｎｔｅｎａｎｃｅ@) are read as the letters they stand for.
func IsRoleAddress(email string) bool {
	local, _, _ := strings.Cut(email, "@")
	local = norm.NFKC.String(local)
	if box, _, ok := strings.Cut(local, "+"); ok && box != "" {
		local = box
	}
	return roleMailboxes[roleKey(local)]
}

// Locales are the languages roster writes its mail and pages in.
var Locales = []string{"en", "fr"}

// frenchSpeaking are the countries (and French regions with their own code)
// where a new colleague most likely reads French.
var frenchSpeaking = []string{"BE", "BL", "CH", "FR", "GF", "GP", "LU", "MC", "MF", "MQ", "NC", "PF", "PM", "RE", "WF", "YT"}

// DefaultLocale is the language to offer for a new user of an account in
// country: French where French is spoken, English elsewhere.
func DefaultLocale(country string) string {
	if slices.Contains(frenchSpeaking, strings.ToUpper(strings.TrimSpace(country))) {
		return "fr"
	}
	return "en"
}

func checkLocale(l string) (string, error) {
	l = strings.ToLower(strings.TrimSpace(l))
	switch {
	case l == "":
		return "en", nil
	case slices.Contains(Locales, l):
		return l, nil
	}
	return "", inputErr("locale", "%q: want fr or en", l)
}

// checkPassword enforces what NIST SP 800-63B asks: a length, not a
// recipe; spaces are welcome (a few words make a good password), but not
// a password of spaces alone or of one character repeated, nor characters
// nobody can see or type again (controls, zero-width spaces), which would
// lock their owner out. The length is counted as the password is hashed,
// normalised (passwordBytes).
func checkPassword(p string) error {
	if !utf8.ValidString(p) {
		return inputErr("password", "is not valid UTF-8")
	}
	if i := strings.IndexFunc(p, unsafeRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(p[i:])
		return inputErr("password", "holds a control, bidirectional or invisible character (%U)", r)
	}
	n := utf8.RuneCount(passwordBytes(p))
	first, _ := utf8.DecodeRuneInString(p)
	switch {
	case n < 10:
		return inputErr("password", "must be at least 10 characters long")
	case n > 256:
		return inputErr("password", "must be at most 256 characters long")
	case strings.TrimSpace(p) == "":
		return inputErr("password", "is only spaces")
	case strings.Trim(p, string(first)) == "":
		return inputErr("password", "is one character repeated")
	}
	return nil
}
