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
