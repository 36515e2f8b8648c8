package admin

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"roster/store"
)

// NormalizeEmail trims and checks an address and lower-cases its domain. The
// local part keeps its case; uniqueness is checked case-insensitively.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", inputErr("email", "is empty")
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unsafeRune(r) || unicode.IsSpace(r) }) {
		return "", inputErr("email", fmt.Sprintf("%q holds spaces or control characters", s))
	}
	if len(s) > 254 {
		return "", inputErr("email", fmt.Sprintf("is %d characters long, at most 254", len(s)))
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", inputErr("email", fmt.Sprintf("%q is not an email address (no @)", s))
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if err := checkLocal(local); err != nil {
		return "", inputErr("email", fmt.Sprintf("%q: %v", s, err))
	}
	if err := checkDomain(domain); err != nil {
		return "", inputErr("email", fmt.Sprintf("%q: %v", s, err))
	}
	return local + "@" + domain, nil
}

func checkLocal(local string) error {
	switch {
	case local == "":
		return fmt.Errorf("nothing before the @")
	case len(local) > 64:
		return fmt.Errorf("the part before the @ is %d characters long, at most 64", len(local))
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return fmt.Errorf("misplaced dot before the @")
	}
	for _, r := range local {
		if r > 0x7f && unicode.IsLetter(r) || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			continue
		}
		if !strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r) {
			return fmt.Errorf("%q is not allowed before the @", r)
		}
	}
	return nil
}

func checkDomain(domain string) error {
	labels := strings.Split(domain, ".")
	if len(domain) == 0 || len(labels) < 2 {
		return fmt.Errorf("the domain %q has no dot", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("the domain %q is not valid", domain)
		}
		for _, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x7f && unicode.IsLetter(r)) {
				return fmt.Errorf("the domain %q is not valid", domain)
			}
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return fmt.Errorf("the domain %q is not valid", domain)
	}
	return nil
}

// roleMailboxes are local parts of shared department or role addresses, in
// English and French, which are refused as user accounts (seed 002). Matched
// on the whole local part, folded, so that dean@ or paris@ are never refused.
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
		roleMailboxes[s] = true
	}
}

// IsRoleAddress reports whether email is a role or department mailbox such as
// maintenance@ or comptabilité@.
func IsRoleAddress(email string) bool {
	local, _, _ := strings.Cut(email, "@")
	return roleMailboxes[store.Fold(local)]
}

// countries are the default countries a phone number can be written for
// nationally: calling code and the lengths of a national significant number.
var countries = map[string]struct {
	code     string
	min, max int
}{
	"FR": {"33", 9, 9}, "BE": {"32", 8, 9}, "CH": {"41", 9, 9}, "LU": {"352", 6, 11},
	"MC": {"377", 8, 9}, "DE": {"49", 6, 13}, "GB": {"44", 9, 10}, "IE": {"353", 7, 9},
	"ES": {"34", 9, 9}, "IT": {"39", 6, 11}, "NL": {"31", 9, 9}, "PT": {"351", 9, 9},
	"US": {"1", 10, 10}, "CA": {"1", 10, 10}, "MA": {"212", 9, 9}, "TN": {"216", 8, 8},
	"DZ": {"213", 8, 9}, "SN": {"221", 9, 9}, "CI": {"225", 10, 10}, "AT": {"43", 4, 13},
	"SE": {"46", 7, 13}, "DK": {"45", 8, 8}, "NO": {"47", 8, 8}, "FI": {"358", 5, 12},
	"PL": {"48", 9, 9}, "AU": {"61", 9, 9}, "JP": {"81", 9, 10}, "IN": {"91", 10, 10},
}

// KnownCountry reports whether roster can read national numbers of country.
func KnownCountry(c string) bool { _, ok := countries[c]; return ok }

// NormalizePhone writes a phone number in E.164 (+33612345678). A national
// number (0612345678) is read for the account's country; an impossible number
// is refused.
func NormalizePhone(s, country string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "00") {
		s = strings.Replace(s, "(0)", "", 1) // +44 (0)20…: the trunk 0 some write in brackets
	}
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case strings.ContainsRune(" .-()/", r):
		default:
			return "", inputErr("phone", fmt.Sprintf("%q holds %q", s, r))
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(s, "+"):
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		c, ok := countries[country]
		if !ok {
			return "", inputErr("phone", fmt.Sprintf("%q: write it with its country code (+…)", s))
		}
		d = c.code + d[1:]
	default:
		return "", inputErr("phone", fmt.Sprintf("%q: write it with its country code (+…) or as a national number", s))
	}
	if len(d) < 7 || len(d) > 15 {
		return "", inputErr("phone", fmt.Sprintf("%q has %d digits, which no phone number has", s, len(d)))
	}
	// Check the length of the national number where the calling code is known.
	for _, c := range countries {
		if strings.HasPrefix(d, c.code) {
			n := len(d) - len(c.code)
			if n >= c.min && n <= c.max && d[len(c.code)] != '0' {
				return "+" + d, nil
			}
			// Another country may share the prefix (1 and 1xx): keep looking.
			continue
		}
	}
	for _, c := range countries {
		if strings.HasPrefix(d, c.code) {
			return "", inputErr("phone", fmt.Sprintf("%q is not a possible number for calling code +%s", s, c.code))
		}
	}
	return "+" + d, nil
}

func checkLocale(l string) (string, error) {
	l = strings.ToLower(strings.TrimSpace(l))
	switch l {
	case "":
		return "en", nil
	case "en", "fr":
		return l, nil
	}
	return "", inputErr("locale", fmt.Sprintf("%q: want fr or en", l))
}

// checkPassword enforces what NIST SP 800-63B asks: a length, not a recipe.
func checkPassword(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < 10:
		return inputErr("password", "must be at least 10 characters long")
	case n > 256:
		return inputErr("password", "must be at most 256 characters long")
	}
	return nil
}
