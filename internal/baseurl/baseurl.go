// Package baseurl reads the base URL that starts every link roster mails: one
// rule for the --base-url flag (mail) and the account's setting (admin).
package baseurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Parse checks s, an http or https URL with no credentials, query or
// fragment, and returns it without its trailing slash.
func Parse(s string) (string, error) {
	// Refused, and not shown: it may hold credentials, or, misread, a piece of them.
	if strings.Contains(s, "@") {
		return "", errors.New("a base URL has no user name or password (no @)")
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want an http or https URL such as https://roster.example.com", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
