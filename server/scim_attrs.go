package server

import (
	"encoding/json"
	"net/http"
	"strings"
)

// scimUse is what roster does with an attribute of a User: one notion for
// a creation, a replace and a patch, so that what one takes the others
// take, and what one drops they drop. An attribute of neither schema roster
// serves, nor another schema's (a typo: "activ", name.givenNam), has none:
// it is refused, whatever the request, as nothing it says is kept.
type scimUse int

const (
	// scimKept: written to the person.
	scimKept scimUse = iota + 1
	// scimIgnored: of the core User or enterprise schema, not kept by
	// roster (department, manager, addresses, a mobile), or of another
	// schema's extension, named by its URN (the custom attributes of Entra
	// ID's and Okta's mappings): accepted and dropped, as an identity
	// provider sends what its mapping holds.
	scimIgnored
	// scimReadOnly: the server's (id, meta, groups): dropped from a body
	// (RFC 7644 3.5.1), refused in a patch as a change of it (mutability).
	scimReadOnly
)

// scimAttr is an attribute of the User schemas: its use, and its
// sub-attributes' (nil: it has none). A sub-attribute of an attribute not
// kept is not kept either, whatever its own use says.
type scimAttr struct {
	use scimUse
	sub map[string]scimUse
}

// Sub-attributes shared by the multi-valued attributes (RFC 7643 2.4).
var (
	scimMultiSub = map[string]scimUse{"value": scimIgnored, "display": scimIgnored, "type": scimIgnored, "primary": scimIgnored, "$ref": scimIgnored}
	// emails and phoneNumbers: roster keeps one address and one number,
	// the value of the primary or work one (scimUserBody.profile).
	scimKeptMultiSub = map[string]scimUse{"value": scimKept, "display": scimIgnored, "type": scimIgnored, "primary": scimIgnored}
)

// scimUserAttrs are the attributes of the core User schema (RFC 7643 4.1),
// by their name folded to lower case.
var scimUserAttrs = map[string]scimAttr{
	"id":         {use: scimReadOnly},
	"externalid": {use: scimKept},
	"meta": {use: scimReadOnly, sub: map[string]scimUse{"resourcetype": scimReadOnly, "created": scimReadOnly,
		"lastmodified": scimReadOnly, "location": scimReadOnly, "version": scimReadOnly}},
	"schemas":  {use: scimIgnored},
	"username": {use: scimKept},
	"name": {use: scimKept, sub: map[string]scimUse{"givenname": scimKept, "familyname": scimKept,
		// Made from the name, as roster answers it: Entra ID sends
		// name.formatted with every change of a name.
		"formatted":  scimIgnored,
		"middlename": scimIgnored, "honorificprefix": scimIgnored, "honorificsuffix": scimIgnored}},
	"displayname":       {use: scimIgnored}, // made from the name, too
	"nickname":          {use: scimIgnored},
	"profileurl":        {use: scimIgnored},
	"title":             {use: scimKept},
	"usertype":          {use: scimIgnored},
	"preferredlanguage": {use: scimKept},
	"locale":            {use: scimIgnored},
	"timezone":          {use: scimIgnored},
	"active":            {use: scimKept},
	"password":          {use: scimIgnored}, // the person sets theirs, by their invitation
	"emails":            {use: scimKept, sub: scimKeptMultiSub},
	"phonenumbers":      {use: scimKept, sub: scimKeptMultiSub},
	"ims":               {use: scimIgnored, sub: scimMultiSub},
	"photos":            {use: scimIgnored, sub: scimMultiSub},
	"addresses": {use: scimIgnored, sub: map[string]scimUse{"formatted": scimIgnored, "streetaddress": scimIgnored, "locality": scimIgnored,
		"region": scimIgnored, "postalcode": scimIgnored, "country": scimIgnored, "type": scimIgnored, "primary": scimIgnored}},
	"groups":           {use: scimReadOnly, sub: scimMultiSub}, // a team's members, changed through /Groups
	"entitlements":     {use: scimIgnored, sub: scimMultiSub},
	"roles":            {use: scimIgnored, sub: scimMultiSub},
	"x509certificates": {use: scimIgnored, sub: scimMultiSub},
}

// scimEnterpriseAttrs are the enterprise extension's (RFC 7643 4.3).
var scimEnterpriseAttrs = map[string]scimAttr{
	"employeenumber": {use: scimKept},
	"costcenter":     {use: scimIgnored},
	"organization":   {use: scimIgnored},
	"division":       {use: scimIgnored},
	"department":     {use: scimIgnored},
	"manager":        {use: scimIgnored, sub: map[string]scimUse{"value": scimIgnored, "$ref": scimIgnored, "displayname": scimIgnored}},
}

// scimTarget is what a patch's path names: the attribute and sub-attribute
// as patch switches on them ("name.givenname", "emails", "employeenumber"),
// and what roster does with it.
type scimTarget struct {
	key string
	use scimUse
	// subs are the sub-attributes a value of the path may hold: the
	// attribute's, when the path names no sub-attribute.
	subs map[string]scimUse
}

// scimResolve reads a patch's path (RFC 7644 3.5.2): an attribute, with
// its schema's URN or without, a filter on a multi-valued one and a
// sub-attribute (emails[type eq "work"].value). Case is ignored. A filter
// picking a value roster does not keep (a phone number of type mobile or
// fax, an address of type home) makes the path not kept: it is roster's
// one number or address only by the work or primary one, or unfiltered.
// The path of the enterprise extension itself is its attributes' object.
func scimResolve(path string) (scimTarget, error) {
	p := strings.ToLower(strings.TrimSpace(path))
	attrs := scimUserAttrs
	switch {
	case p == strings.ToLower(scimEnterpriseSchema):
		return scimTarget{key: "enterprise", use: scimKept}, nil
	case strings.HasPrefix(p, strings.ToLower(scimEnterpriseSchema)+":"):
		p, attrs = p[len(scimEnterpriseSchema)+1:], scimEnterpriseAttrs
	case strings.HasPrefix(p, strings.ToLower(scimUserSchema)+":"):
		p = p[len(scimUserSchema)+1:]
	case strings.HasPrefix(p, "urn:"):
		// Another schema's extension: refused, it would fail every
		// patch and creation of a provider mapping a custom attribute.
		return scimTarget{key: p, use: scimIgnored}, nil
	}
	bad := func(why string) (scimTarget, error) {
		return scimTarget{}, scimBad("invalidPath", "%q is not an attribute of a User (core or enterprise schema)%s", path, why)
	}
	name, sub, filter := p, "", ""
	if i := strings.IndexAny(p, "[."); i >= 0 {
		name, sub = p[:i], p[i:]
		if sub[0] == '[' {
			j := strings.IndexByte(sub, ']')
			if j < 0 {
				return bad(": a filter is not closed")
			}
			filter, sub = sub[1:j], sub[j+1:]
		}
		if sub != "" && (sub[0] != '.' || len(sub) == 1) {
			return bad("")
		}
		sub = strings.TrimPrefix(sub, ".")
	}
	a, ok := attrs[name]
	if !ok {
		return bad("")
	}
	if filter != "" && a.sub == nil {
		return bad(": a filter picks among the values of a multi-valued attribute")
	}
	t := scimTarget{key: name, use: a.use, subs: a.sub}
	if sub != "" {
		t.subs = nil
		use, ok := a.sub[sub]
		if !ok {
			return bad("")
		}
		t.key += "." + sub
		if t.use == scimKept {
			t.use = use
		}
	}
	if filter != "" && t.use == scimKept && !scimFilterKeeps(filter) {
		t.use = scimIgnored
	}
	return t, nil
}

// scimFilterKeeps reports whether a filter on emails or phoneNumbers picks
// the value roster keeps: type eq "work" or primary eq true. Any other
// type is another address or number, which roster does not keep; a filter
// of another form names the attribute, as it did before.
func scimFilterKeeps(filter string) bool {
	f := strings.Fields(filter)
	if len(f) != 3 || f[1] != "eq" {
		return true
	}
	switch f[0] {
	case "type":
		return strings.Trim(f[2], `"`) == "work"
	case "primary":
		return f[2] == "true"
	}
	return true
}

// scimCheckBody refuses a User sent whole (a creation, a replace) that
// holds an attribute, or a sub-attribute, of no schema roster serves, as a
// patch of it is refused: dropped unread, a typo ("activ": false) left a
// pre-hire active. What roster does not keep is dropped, read-only
// attributes with it (RFC 7644 3.5.1).
func scimCheckBody(raw []byte) error {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return scimBad("invalidSyntax", "the body is not the JSON expected: %v", err)
	}
	return scimCheckAttrs(body, scimUserAttrs, true)
}

func scimCheckAttrs(body map[string]json.RawMessage, attrs map[string]scimAttr, core bool) error {
	for k, v := range body {
		if core && strings.EqualFold(k, scimEnterpriseSchema) {
			var ext map[string]json.RawMessage
			if json.Unmarshal(v, &ext) != nil {
				return scimBad("invalidValue", "%s: an object of the enterprise extension's attributes", k)
			}
			if err := scimCheckAttrs(ext, scimEnterpriseAttrs, false); err != nil {
				return err
			}
			continue
		}
		a, ok := attrs[strings.ToLower(k)]
		if !ok && core && strings.Contains(k, ":") {
			// An attribute named with its schema's URN, as a path names
			// it: of a schema roster serves, it is not read, as before.
			if _, err := scimResolve(k); err == nil {
				continue
			}
		}
		if !ok {
			return scimBad("invalidSyntax", "%q is not an attribute of a User (core or enterprise schema)", k)
		}
		if err := scimCheckSubs(a.sub, k, v, "invalidSyntax"); err != nil {
			return err
		}
	}
	return nil
}

// scimCheckSubs refuses a value of the attribute k, whose sub-attributes
// are subs (nil: none), that names another: a complex value, or a list of
// them. A value of another shape is for what reads it to refuse.
func scimCheckSubs(subs map[string]scimUse, k string, v json.RawMessage, scimType string) error {
	if subs == nil {
		return nil
	}
	var one map[string]json.RawMessage
	var many []map[string]json.RawMessage
	if json.Unmarshal(v, &one) != nil {
		one = nil
		if json.Unmarshal(v, &many) != nil {
			return nil
		}
	}
	for _, o := range append(many, one) {
		for s := range o {
			if _, ok := subs[strings.ToLower(s)]; !ok {
				return scimBad(scimType, "%q is not a sub-attribute of %s", s, k)
			}
		}
	}
	return nil
}

// scimReadOnlyPatch refuses a patch of a read-only attribute.
func scimReadOnlyPatch(path string) error {
	return &scimError{http.StatusBadRequest, "mutability", path + " is read-only: the server's, not the client's to change"}
}
