package server

import (
	"strconv"
	"strings"

	"roster/admin"
	"roster/store"
)

// scimFilter is a parsed SCIM filter (RFC 7644 3.4.2.2), the part identity
// providers send: attribute comparisons (eq, ne, co, sw, ew, pr) joined by
// and, or, not and parentheses, on userName, emails, externalId,
// displayName, name.givenName, name.familyName, title, active and id.
type scimFilter struct {
	op          string // "and", "or", "not", or a comparison
	left, right *scimFilter
	attr        string // folded as scimPath folds it
	value       string
	// key is value as it is compared (keyOf): an address's EmailKey,
	// text case-folded, an externalId as it is.
	key string
}

// scimMaxFilter bounds a filter's length and scimMaxDepth its nesting (its
// parentheses and nots, each a call deeper in the parser). The filters
// identity providers send are a line long and a level or two deep; without
// a bound, a megabyte of "(" took two seconds and a gigabyte of stack from
// anyone with a key.
const (
	scimMaxFilter = 4096
	scimMaxDepth  = 32
)

// parseSCIMFilter parses s; nil for an empty filter.
func parseSCIMFilter(s string) (*scimFilter, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if len(s) > scimMaxFilter {
		return nil, scimBad("invalidFilter", "the filter is %d bytes long: roster reads filters of up to %d", len(s), scimMaxFilter)
	}
	p := &filterParser{toks: tokenizeFilter(s)}
	f, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = scimBad("invalidFilter", "filter %q: unexpected %q", s, p.toks[p.i])
	}
	if err != nil {
		if _, ok := err.(*scimError); !ok {
			err = scimBad("invalidFilter", "filter %q: %v", s, err)
		}
		return nil, err
	}
	return f, nil
}

// tokenizeFilter splits a filter into words, parentheses and quoted
// strings (kept with their quotes).
func tokenizeFilter(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, s[i:min(j+1, len(s))])
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != ')' {
				if s[j] == '[' { // emails[type eq "work"]: one word
					for j < len(s) && s[j] != ']' {
						j++
					}
				}
				j++
			}
			toks = append(toks, s[i:min(j, len(s))])
			i = j
		}
	}
	return toks
}

type filterParser struct {
	toks  []string
	i     int
	depth int // the parentheses and nots open at i
}

func (p *filterParser) peek() string {
	if p.i < len(p.toks) {
		return strings.ToLower(p.toks[p.i])
	}
	return ""
}

func (p *filterParser) or() (*scimFilter, error) {
	f, err := p.and()
	for err == nil && p.peek() == "or" {
		p.i++
		var r *scimFilter
		if r, err = p.and(); err == nil {
			f = &scimFilter{op: "or", left: f, right: r}
		}
	}
	return f, err
}

func (p *filterParser) and() (*scimFilter, error) {
	f, err := p.term()
	for err == nil && p.peek() == "and" {
		p.i++
		var r *scimFilter
		if r, err = p.term(); err == nil {
			f = &scimFilter{op: "and", left: f, right: r}
		}
	}
	return f, err
}

func (p *filterParser) term() (*scimFilter, error) {
	switch p.peek() {
	case "(", "not":
		if p.depth == scimMaxDepth {
			return nil, scimBad("invalidFilter", "the filter nests parentheses and nots over %d deep", scimMaxDepth)
		}
		p.depth++
		defer func() { p.depth-- }()
	}
	switch p.peek() {
	case "(":
		p.i++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, scimBad("invalidFilter", "a parenthesis is not closed")
		}
		p.i++
		return f, nil
	case "not":
		p.i++
		f, err := p.term()
		return &scimFilter{op: "not", left: f}, err
	case "":
		return nil, scimBad("invalidFilter", "the filter ends too soon")
	}
	attr := scimPath(p.toks[p.i])
	p.i++
	op := p.peek()
	p.i++
	switch op {
	case "pr":
		return &scimFilter{op: op, attr: attr}, nil
	case "eq", "ne", "co", "sw", "ew":
	default:
		return nil, scimBad("invalidFilter", "%q is not an operator roster filters with (eq, ne, co, sw, ew, pr)", op)
	}
	if p.i >= len(p.toks) {
		return nil, scimBad("invalidFilter", "%s %s needs a value", attr, op)
	}
	raw := p.toks[p.i]
	p.i++
	value := raw
	if strings.HasPrefix(raw, `"`) {
		v, err := strconv.Unquote(raw)
		if err != nil {
			return nil, scimBad("invalidFilter", "%s is not a string", raw)
		}
		value = v
	}
	switch attr {
	case "username", "emails", "emails.value", "externalid", "displayname", "name.givenname", "name.familyname", "title", "active", "id",
		"value": // a group's member, in a patch's path
	default:
		return nil, scimBad("invalidFilter", "roster does not filter on %q", attr)
	}
	f := &scimFilter{op: op, attr: attr, value: value}
	f.key = f.keyOf(value)
	return f, nil
}

// keyOf is what f compares of an attribute's value s. Text ignores case,
// as the attributes compared are case-insensitive (RFC 7643 caseExact
// false), Unicode's too (STRASSE is straße, as roster compares names); an
// address compared whole (eq, ne) is its store.EmailKey, the form under
// which roster knows a person, so that a filter finds whom the store finds
// by that address: zoé in NFD, ZOÉ, STRASSE@ or a domain in its xn-- form.
// Compared by a lowercase alone, the user looked up by their address was
// then dropped by the filter, and the provider, finding nobody, created
// them again, which failed as taken, for good. externalId is compared
// exactly (caseExact true).
func (f *scimFilter) keyOf(s string) string {
	switch f.attr {
	case "externalid", "id":
		return s
	case "username", "emails", "emails.value":
		if f.op == "eq" || f.op == "ne" {
			return store.EmailKey(s)
		}
	}
	return store.FoldText(s)
}

// lookup reports the value an eq on one of attrs asks for, when the filter
// is that comparison or an and holding it: the user it names is looked up
// by key rather than found among all.
func (f *scimFilter) lookup(attrs ...string) (string, bool) {
	switch {
	case f == nil:
		return "", false
	case f.op == "and":
		if v, ok := f.left.lookup(attrs...); ok {
			return v, true
		}
		return f.right.lookup(attrs...)
	case f.op == "eq":
		for _, a := range attrs {
			if f.attr == a {
				return f.value, true
			}
		}
	}
	return "", false
}

// match reports whether u, whom their identity provider knows by ids,
// passes.
func (f *scimFilter) match(u *store.User, ids store.SCIMIDs) bool {
	switch f.op {
	case "and":
		return f.left.match(u, ids) && f.right.match(u, ids)
	case "or":
		return f.left.match(u, ids) || f.right.match(u, ids)
	case "not":
		return !f.left.match(u, ids)
	}
	var got string
	switch f.attr {
	case "username":
		got = admin.UserNameOf(u, ids)
	case "emails", "emails.value":
		got = u.Email
	case "externalid":
		got = ids.ExternalID
	case "displayname":
		got = u.Name()
	case "name.givenname":
		got = u.FirstName
	case "name.familyname":
		got = u.LastName
	case "title":
		got = u.Position
	case "active":
		got = strconv.FormatBool(u.Status != store.Deactivated)
	case "id":
		got = strconv.FormatInt(u.ID, 10)
	}
	g, v := f.keyOf(got), f.key
	switch f.op {
	case "pr":
		return got != ""
	case "eq":
		return g == v
	case "ne":
		return g != v
	case "co":
		return strings.Contains(g, v)
	case "sw":
		return strings.HasPrefix(g, v)
	case "ew":
		return strings.HasSuffix(g, v)
	}
	return false
}
