package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"roster/admin"
	"roster/store"
)

// SCIM 2.0 (RFC 7643, 7644) under /scim/v2, for identity providers (Okta,
// Microsoft Entra ID) that create, update and deactivate roster's users and
// teams. It authenticates as the API does, with a user's API key, and every
// act goes through the same rules.

const (
	scimUserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimEnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	scimGroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scimListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimPatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// SCIM is the handler of /scim/v2.
type SCIM struct {
	svc *admin.Service
	log *slog.Logger
	api *API // its authentication and rate limit
	mux *http.ServeMux
}

// NewSCIM returns the SCIM handler; mount it at /scim/v2/. It shares the
// API's keys and limits.
func NewSCIM(svc *admin.Service, api *API) *SCIM {
	x := &SCIM{svc: svc, log: api.log, api: api, mux: http.NewServeMux()}
	for _, r := range []struct {
		pattern string
		h       func(*scimCall) (int, any, error)
		// resource routes read or change users and teams: only one who
		// administers users may call them (admin.MayProvision).
		resource bool
	}{
		{"GET /scim/v2/ServiceProviderConfig", scimConfig, false},
		{"GET /scim/v2/ResourceTypes", scimResourceTypes, false},
		{"GET /scim/v2/ResourceTypes/{id}", scimResourceType, false},
		{"GET /scim/v2/Schemas", scimSchemas, false},
		{"GET /scim/v2/Schemas/{id}", scimSchema, false},
		{"GET /scim/v2/Users", scimListUsers, true},
		{"POST /scim/v2/Users", scimCreateUser, true},
		{"GET /scim/v2/Users/{id}", scimGetUser, true},
		{"PUT /scim/v2/Users/{id}", scimReplaceUser, true},
		{"PATCH /scim/v2/Users/{id}", scimPatchUser, true},
		{"DELETE /scim/v2/Users/{id}", scimDeleteUser, true},
		{"GET /scim/v2/Groups", scimListGroups, true},
		{"POST /scim/v2/Groups", scimCreateGroup, true},
		{"GET /scim/v2/Groups/{id}", scimGetGroup, true},
		{"PUT /scim/v2/Groups/{id}", scimReplaceGroup, true},
		{"PATCH /scim/v2/Groups/{id}", scimPatchGroup, true},
		{"DELETE /scim/v2/Groups/{id}", scimDeleteGroup, true},
	} {
		x.mux.HandleFunc(r.pattern, x.serve(r.h, r.resource))
	}
	// /Me and /Bulk are SCIM's, which roster does not implement: 501,
	// as RFC 7644 3.11 and 3.12 have it, rather than 404, which a client
	// reads as a resource that is not there.
	for _, p := range []string{"/scim/v2/Me", "/scim/v2/Me/", "/scim/v2/Bulk"} {
		x.mux.HandleFunc(p, x.serve(func(c *scimCall) (int, any, error) {
			return 0, nil, &scimError{http.StatusNotImplemented, "", strings.TrimSuffix(strings.TrimPrefix(p, "/scim/v2"), "/") + " is not implemented: roster serves /Users and /Groups"}
		}, false))
	}
	x.mux.HandleFunc("/scim/v2/", func(rw http.ResponseWriter, r *http.Request) {
		scimProblem(rw, http.StatusNotFound, "", "no such SCIM resource")
	})
	return x
}

func (x *SCIM) ServeHTTP(rw http.ResponseWriter, r *http.Request) { x.mux.ServeHTTP(rw, r) }

// scimCall is one authenticated SCIM request.
type scimCall struct {
	r       *http.Request
	rw      http.ResponseWriter
	actor   admin.Actor
	x       *SCIM
	baseURL string // base's, once read
}

func (x *SCIM) serve(h func(*scimCall) (int, any, error), resource bool) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		actor, status, why := x.api.authenticate(rw, r)
		if status != 0 {
			scimProblem(rw, status, "", why)
			return
		}
		// A key that may not administer users is refused before its filter
		// or body is read: parsing what it sends would cost the server and
		// could change nothing.
		if resource {
			if err := x.svc.MayProvision(r.Context(), actor); err != nil {
				x.fail(rw, err)
				return
			}
		}
		r.Body = http.MaxBytesReader(rw, r.Body, apiMaxBody)
		status, v, err := h(&scimCall{r: r, rw: rw, actor: actor, x: x})
		if err != nil {
			x.fail(rw, err)
			return
		}
		rw.Header().Set("Content-Type", "application/scim+json")
		rw.WriteHeader(status)
		if v != nil {
			json.NewEncoder(rw).Encode(v)
		}
	}
}

// scimError is a SCIM error with its scimType (RFC 7644 3.12).
type scimError struct {
	status   int
	scimType string
	msg      string
}

func (e *scimError) Error() string { return e.msg }

func scimBad(scimType, format string, args ...any) error {
	return &scimError{http.StatusBadRequest, scimType, fmt.Sprintf(format, args...)}
}

func scimProblem(rw http.ResponseWriter, status int, scimType, detail string) {
	rw.Header().Set("Content-Type", "application/scim+json")
	rw.WriteHeader(status)
	v := map[string]any{"schemas": []string{scimErrorSchema}, "status": strconv.Itoa(status), "detail": admin.Printable(detail)}
	if scimType != "" {
		v["scimType"] = scimType
	}
	json.NewEncoder(rw).Encode(v)
}

func (x *SCIM) fail(rw http.ResponseWriter, err error) {
	var (
		se       *scimError
		input    *admin.InputError
		deny     *admin.DeniedError
		missing  *admin.NotFoundError
		conflict *admin.ConflictError
		state    *admin.StateError
		tooBig   *http.MaxBytesError
	)
	status, scimType := http.StatusInternalServerError, ""
	switch {
	case errors.As(err, &se):
		status, scimType = se.status, se.scimType
	case errors.As(err, &tooBig):
		status, err = http.StatusRequestEntityTooLarge, fmt.Errorf("the body is over %d bytes", apiMaxBody)
	case errors.As(err, &input) && input.Taken, errors.Is(err, store.ErrDuplicate):
		status, scimType = http.StatusConflict, "uniqueness"
	case errors.As(err, &input):
		status, scimType = http.StatusBadRequest, "invalidValue"
	case errors.As(err, &deny):
		status = http.StatusForbidden
	case errors.As(err, &missing), errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.As(err, &conflict):
		status = http.StatusPreconditionFailed
	case errors.As(err, &state):
		status = http.StatusConflict
	}
	detail := err.Error()
	if status == http.StatusInternalServerError {
		x.log.Error("scim", "err", err)
		detail = "the request could not be completed: try again in a moment"
	}
	scimProblem(rw, status, scimType, detail)
}

func (c *scimCall) decode(v any) error {
	if err := json.NewDecoder(c.r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return scimBad("invalidSyntax", "the body is not the JSON expected: %v", err)
	}
	return nil
}

// base is where the resources are, for meta.location and Location: under
// the account's base URL when it has one (roster serve --base-url makes it
// the account's), which a request cannot change; only without one, as the
// request says it reached the server. Host and X-Forwarded-Proto are the
// client's to write, and "Host: evil.example" had the provider store
// https://evil.example/scim/v2/Users/… as the user's address.
func (c *scimCall) base() string {
	if c.baseURL != "" {
		return c.baseURL
	}
	if acct, err := c.x.svc.Account(c.r.Context()); err == nil && acct.BaseURL != "" {
		c.baseURL = acct.BaseURL + "/scim/v2"
		return c.baseURL
	} else if err != nil {
		c.x.log.Error("scim: the account's base URL", "err", err)
	}
	scheme := "http"
	if c.r.TLS != nil || c.r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	c.baseURL = scheme + "://" + c.r.Host + "/scim/v2"
	return c.baseURL
}

func scimConfig(c *scimCall) (int, any, error) {
	return http.StatusOK, map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://github.com/roster#scim",
		"patch":            map[string]bool{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": scimMaxCount},
		"changePassword":   map[string]bool{"supported": false},
		"sort":             map[string]bool{"supported": false},
		"etag":             map[string]bool{"supported": true},
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "API key",
			"description": "A roster API key (roster apikeys create) of a user who may invite, edit and remove users", "primary": true}},
	}, nil
}

func scimResourceTypes(c *scimCall) (int, any, error) {
	types := scimTypes()
	return http.StatusOK, scimList(types, len(types), 1), nil
}

// scimOne answers the one of all whose id is the path's (RFC 7644 4: a
// schema by its URI, /Schemas/urn:…:User; a resource type by its name,
// /ResourceTypes/User), or 404. They were not routed, and a client reading
// one schema was told there was no such resource.
func (c *scimCall) scimOne(what string, all []map[string]any) (int, any, error) {
	id := c.r.PathValue("id")
	for _, v := range all {
		if v["id"] == id {
			return http.StatusOK, v, nil
		}
	}
	return 0, nil, &admin.NotFoundError{What: fmt.Sprintf("%s %q", what, id)}
}

func scimResourceType(c *scimCall) (int, any, error) { return c.scimOne("resource type", scimTypes()) }

func scimSchema(c *scimCall) (int, any, error) { return c.scimOne("schema", scimSchemaList()) }

func scimTypes() []map[string]any {
	return []map[string]any{
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User", "endpoint": "/Users",
			"schema": scimUserSchema, "schemaExtensions": []map[string]any{{"schema": scimEnterpriseSchema, "required": false}}},
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"schema": scimGroupSchema},
	}
}

func scimSchemas(c *scimCall) (int, any, error) {
	schemas := scimSchemaList()
	return http.StatusOK, scimList(schemas, len(schemas), 1), nil
}

func scimSchemaList() []map[string]any {
	attr := func(name, typ string, multi bool) map[string]any {
		a := map[string]any{"name": name, "type": typ, "multiValued": multi, "required": false,
			"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
		if typ == "string" {
			a["caseExact"] = name == "externalId"
		}
		return a
	}
	// A user's userName and a group's name are required, and another's
	// nowhere, whatever their case (409 uniqueness).
	unique := func(a map[string]any) map[string]any {
		a["required"], a["uniqueness"] = true, "server"
		return a
	}
	return []map[string]any{
		{"id": scimUserSchema, "name": "User", "attributes": []map[string]any{unique(attr("userName", "string", false)), attr("name", "complex", false),
			attr("displayName", "string", false), attr("emails", "complex", true), attr("phoneNumbers", "complex", true),
			attr("title", "string", false), attr("preferredLanguage", "string", false), attr("active", "boolean", false), attr("externalId", "string", false)}},
		{"id": scimEnterpriseSchema, "name": "EnterpriseUser", "attributes": []map[string]any{attr("employeeNumber", "string", false)}},
		{"id": scimGroupSchema, "name": "Group", "attributes": []map[string]any{unique(attr("displayName", "string", false)), attr("members", "complex", true)}},
	}
}

func scimList[T any](items []T, total, start int) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{"schemas": []string{scimListSchema}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(items), "Resources": items}
}

// scimUser is a user as SCIM writes them: their userName is the one the
// provider gave them, else their address (admin.UserNameOf); emails holds
// their address, the one roster writes to.
func (c *scimCall) scimUser(u *store.User, ids store.SCIMIDs) map[string]any {
	id := strconv.FormatInt(u.ID, 10)
	v := map[string]any{
		"schemas":            []string{scimUserSchema, scimEnterpriseSchema},
		"id":                 id,
		"userName":           admin.UserNameOf(u, ids),
		"name":               map[string]string{"givenName": u.FirstName, "familyName": u.LastName, "formatted": u.Name()},
		"displayName":        u.Name(),
		"emails":             []map[string]any{{"value": u.Email, "type": "work", "primary": true}},
		"title":              u.Position,
		"preferredLanguage":  u.Locale,
		"active":             u.Status != store.Deactivated,
		scimEnterpriseSchema: map[string]string{"employeeNumber": u.ReferenceID},
		"meta": map[string]any{"resourceType": "User", "created": u.CreatedAt.Format(time.RFC3339), "lastModified": u.UpdatedAt.Format(time.RFC3339),
			"version": scimVersion(u.Version), "location": c.base() + "/Users/" + id},
	}
	if ids.ExternalID != "" {
		v["externalId"] = ids.ExternalID
	}
	if u.Phone != "" {
		v["phoneNumbers"] = []map[string]any{{"value": u.Phone, "type": "work", "primary": true}}
	}
	return v
}

func scimVersion(v int64) string { return fmt.Sprintf(`W/"v%d"`, v) }

func (c *scimCall) userID() (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, &admin.NotFoundError{What: fmt.Sprintf("user %q", c.r.PathValue("id"))}
	}
	return id, nil
}

func (c *scimCall) user() (*admin.UserDetail, error) {
	id, err := c.userID()
	if err != nil {
		return nil, err
	}
	return c.x.svc.UserByID(c.r.Context(), c.actor, id)
}

// answerUser writes the user whose ID is id as they are now, with their
// version as ETag.
func (c *scimCall) answerUser(status int, id int64) (int, any, error) {
	u, ids, err := c.x.svc.ProvisionedUser(c.r.Context(), c.actor, id)
	if err != nil {
		return 0, nil, err
	}
	c.rw.Header().Set("ETag", scimVersion(u.Version))
	v := c.scimUser(u, ids)
	if status == http.StatusCreated {
		c.rw.Header().Set("Location", v["meta"].(map[string]any)["location"].(string))
	}
	return status, v, nil
}

func scimGetUser(c *scimCall) (int, any, error) {
	id, err := c.userID()
	if err != nil {
		return 0, nil, err
	}
	return c.answerUser(http.StatusOK, id)
}

// scimMaxCount bounds a page of results.
const scimMaxCount = 1000

// page reads a listing's startIndex (from 1) and count (RFC 7644 3.4.2.4).
func (c *scimCall) page() (start, count int, err error) {
	q := c.r.URL.Query()
	start, count = 1, 100
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, scimBad("invalidValue", "startIndex %q is not a number", v)
		}
		start = max(1, n) // below 1 is 1
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, scimBad("invalidValue", "count %q is not a number", v)
		}
		count = min(max(0, n), scimMaxCount)
	}
	return start, count, nil
}

func scimListUsers(c *scimCall) (int, any, error) {
	start, count, err := c.page()
	if err != nil {
		return 0, nil, err
	}
	f, err := parseSCIMFilter(c.r.URL.Query().Get("filter"))
	if err != nil {
		return 0, nil, err
	}
	// A filter naming a user by key finds them by it; the rest of the
	// filter, if any, is then checked on them alone.
	pq := admin.ProvisionedQuery{Skip: start - 1, Count: count}
	if name, ok := f.lookup("username"); ok {
		pq.UserName = name
	} else if email, ok := f.lookup("emails", "emails.value"); ok {
		pq.Email = email
	} else if ext, ok := f.lookup("externalid"); ok {
		pq.ExternalID = ext
	}
	if f != nil {
		pq.Match = f.match
	}
	p, err := c.x.svc.ProvisionedUsers(c.r.Context(), c.actor, pq)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(p.Users))
	for i, u := range p.Users {
		out[i] = c.scimUser(u, p.IDs[u.ID])
	}
	return http.StatusOK, scimList(out, p.Total, start), nil
}

// scimUserBody is a User as an identity provider sends it.
type scimUserBody struct {
	UserName   string `json:"userName"`
	ExternalID string `json:"externalId"`
	Name       struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	DisplayName string `json:"displayName"`
	Emails      []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	PhoneNumbers []struct {
		Value string `json:"value"`
		Type  string `json:"type"`
	} `json:"phoneNumbers"`
	Title             string          `json:"title"`
	PreferredLanguage string          `json:"preferredLanguage"`
	Active            json.RawMessage `json:"active"`
	Enterprise        struct {
		EmployeeNumber string `json:"employeeNumber"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
}

// profile is what the body says of the person, as roster keeps it: email
// is emails' primary (else the only or first), "" when it holds none.
type scimProfile struct {
	email, userName, externalID, first, last, phone, title, locale, ref string
	active                                                              *bool
}

func (b *scimUserBody) profile() (scimProfile, error) {
	p := scimProfile{userName: strings.TrimSpace(b.UserName), externalID: b.ExternalID, first: b.Name.GivenName, last: b.Name.FamilyName,
		title: b.Title, locale: scimLocale(b.PreferredLanguage), ref: b.Enterprise.EmployeeNumber}
	for _, e := range b.Emails {
		if p.email == "" || e.Primary {
			p.email = strings.TrimSpace(e.Value)
		}
	}
	for _, ph := range b.PhoneNumbers {
		if p.phone == "" || ph.Type == "work" {
			p.phone = ph.Value
		}
	}
	if len(b.Active) > 0 && string(b.Active) != "null" {
		a, err := scimBool(b.Active)
		if err != nil {
			return p, err
		}
		p.active = &a
	}
	if p.email == "" && p.userName == "" {
		return p, scimBad("invalidValue", "userName: the person's email address is required, as userName or in emails")
	}
	return p, nil
}

// scimBool reads a boolean, also written as a string ("False"), as Entra
// ID sends it. null is neither: read into a bool it left false, so that a
// patch sending "active": null, by a client writing out every attribute
// it holds, deactivated the person.
func scimBool(raw json.RawMessage) (bool, error) {
	var b bool
	if strings.TrimSpace(string(raw)) != "null" && json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, scimBad("invalidValue", "active: %s is not true or false", raw)
}

// scimLocale maps preferredLanguage (fr-FR, en_US, fr) to a language roster
// writes mail in; others are English.
func scimLocale(l string) string {
	if l == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(l), "fr") {
		return "fr"
	}
	return "en"
}

// decodeUser reads a User sent whole, a creation's or a replace's,
// refusing one that holds an attribute of no schema roster serves
// (scimCheckBody), as a patch of it is refused.
func (c *scimCall) decodeUser(b *scimUserBody) error {
	var raw json.RawMessage
	if err := c.decode(&raw); err != nil {
		return err
	}
	if err := scimCheckBody(raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, b); err != nil {
		return scimBad("invalidSyntax", "the body is not the JSON expected: %v", err)
	}
	return nil
}

func scimCreateUser(c *scimCall) (int, any, error) {
	var b scimUserBody
	if err := c.decodeUser(&b); err != nil {
		return 0, nil, err
	}
	p, err := b.profile()
	if err != nil {
		return 0, nil, err
	}
	// The person is written to at emails' primary address; the userName
	// is kept as the provider sent it, which looks them up by it: Entra
	// ID's is the UPN, another address (jdupont@acme.onmicrosoft.com) or
	// none. Without emails, the userName is the address.
	email := p.email
	if email == "" {
		email = p.userName
	}
	u, err := c.x.svc.ProvisionUser(c.r.Context(), c.actor, admin.NewUser{Email: email, FirstName: p.first, LastName: p.last,
		Phone: p.phone, Position: p.title, ReferenceID: p.ref, Locale: p.locale}, store.SCIMIDs{ExternalID: p.externalID, UserName: p.userName},
		p.active == nil || *p.active)
	if err != nil {
		return 0, nil, err
	}
	return c.answerUser(http.StatusCreated, u.ID)
}

// ifMatch reads If-Match, the version the provider read the user at
// (W/"v12", as the ETag says); 0, whatever it is, when absent or "*". One
// that names no version (a list, another server's tag, "v0") matches none
// (RFC 7232 3.1): it is 412, as a stale one is. It was read as absent, so
// that the change it was to guard was made over whatever had changed.
func (c *scimCall) ifMatch() (int64, error) {
	h := strings.TrimSpace(c.r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	tag := strings.TrimPrefix(strings.TrimPrefix(h, "W/"), `"`)
	tag = strings.TrimSuffix(strings.TrimPrefix(tag, "v"), `"`)
	v, err := strconv.ParseInt(tag, 10, 64)
	if err != nil || v <= 0 {
		return 0, &scimError{http.StatusPreconditionFailed, "", fmt.Sprintf("If-Match %s is no version of this user: send the ETag it was read with, such as W/\"v12\"", h)}
	}
	return v, nil
}

// onto makes the user cur what p says: the whole profile, as a replace
// sends it, the userName when p has one, and whether they are active when
// p says. The address is the user's for good, in any spelling roster
// knows them by (store.EmailKey): a provider holding it in another (ZOÉ,
// an accent combined, a domain in its xn-- form), which found them by it,
// could not send it back. A replace without emails leaves it as it is.
func (p scimProfile) onto(cur *admin.ProvisionedProfile) error {
	if p.email != "" && store.EmailKey(p.email) != store.EmailKey(cur.Email) {
		return &scimError{http.StatusBadRequest, "mutability", "emails: the person's address cannot change: roster knows a person by their address; create the new address and delete the old"}
	}
	if p.userName != "" {
		cur.UserName = p.userName
	}
	cur.FirstName, cur.LastName, cur.Phone, cur.Position, cur.ReferenceID, cur.ExternalID = p.first, p.last, p.phone, p.title, p.ref, p.externalID
	if p.locale != "" {
		cur.Locale = p.locale
	}
	if p.active != nil {
		cur.Active = *p.active
	}
	return nil
}

// reprovision changes the user whose ID is id as change says, in one
// transaction (admin.ReprovisionUser), and answers with them.
func (c *scimCall) reprovision(id int64, change func(*admin.ProvisionedProfile) error) (int, any, error) {
	version, err := c.ifMatch()
	if err != nil {
		return 0, nil, err
	}
	u, err := c.x.svc.ReprovisionUser(c.r.Context(), c.actor, id, version, change)
	if err != nil {
		return 0, nil, err
	}
	return c.answerUser(http.StatusOK, u.ID)
}

func scimReplaceUser(c *scimCall) (int, any, error) {
	id, err := c.userID()
	if err != nil {
		return 0, nil, err
	}
	var b scimUserBody
	if err := c.decodeUser(&b); err != nil {
		return 0, nil, err
	}
	p, err := b.profile()
	if err != nil {
		return 0, nil, err
	}
	return c.reprovision(id, p.onto)
}

// scimPatch is a PatchOp request body.
type scimPatch struct {
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// patchOps reads a PatchOp body, which holds one operation or more (RFC
// 7644 3.5.2): a body without any, its operations misnamed ("ops") or
// left out, is refused, where it was answered 200 with nothing changed,
// which the client took for its change made.
func (c *scimCall) patchOps() (scimPatch, error) {
	var body scimPatch
	if err := c.decode(&body); err != nil {
		return body, err
	}
	if len(body.Operations) == 0 {
		return body, scimBad("invalidSyntax", "the body holds no Operations: a PatchOp holds one operation or more")
	}
	return body, nil
}

// scimPatchUser applies every operation to the user as they are inside one
// transaction: all of them or, if one fails, none.
func scimPatchUser(c *scimCall) (int, any, error) {
	id, err := c.userID()
	if err != nil {
		return 0, nil, err
	}
	body, err := c.patchOps()
	if err != nil {
		return 0, nil, err
	}
	return c.reprovision(id, func(cur *admin.ProvisionedProfile) error {
		p := scimProfile{email: cur.Email, userName: cur.UserName, externalID: cur.ExternalID, first: cur.FirstName, last: cur.LastName, phone: cur.Phone,
			title: cur.Position, locale: cur.Locale, ref: cur.ReferenceID}
		for _, op := range body.Operations {
			if err := p.patch(strings.ToLower(op.Op), op.Path, op.Value); err != nil {
				return err
			}
		}
		return p.onto(cur)
	})
}

// patch applies one operation. Without a path, the value is an object of
// attributes (as Okta and Entra ID send "replace" {"active": false}).
func (p *scimProfile) patch(op, path string, value json.RawMessage) error {
	switch op {
	case "add", "replace", "remove":
	default:
		return scimBad("invalidSyntax", "op %q: add, replace or remove", op)
	}
	if path == "" {
		if op == "remove" {
			return scimBad("noTarget", "remove needs a path")
		}
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(value, &attrs); err != nil {
			return scimBad("invalidValue", "a patch without a path takes an object of attributes")
		}
		for k, v := range attrs {
			if err := p.patch(op, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	// What the path names is looked up as a creation's attributes are
	// (scimResolve): what roster does not keep of the core and enterprise
	// schemas is accepted and dropped, as a creation and a replace drop it.
	// It was refused, the whole patch with it, so that Entra ID's default
	// mapping (department, manager, addresses, a mobile) failed every
	// cycle, and the change beside it (a name, active false) never landed.
	t, err := scimResolve(path)
	if err == nil && op != "remove" {
		err = scimCheckSubs(t.subs, path, value, "invalidPath")
	}
	switch {
	case err != nil:
		return err
	case t.use == scimReadOnly:
		return scimReadOnlyPatch(path)
	case t.use == scimIgnored:
		return nil
	case t.key == "enterprise":
		// The enterprise extension's attributes come as an object under
		// its URN, as a creation sends them.
		if op == "remove" {
			return p.patch(op, scimEnterpriseSchema+":employeeNumber", nil)
		}
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(value, &attrs); err != nil {
			return scimBad("invalidValue", "%s takes an object of the enterprise extension's attributes", path)
		}
		for k, v := range attrs {
			if err := p.patch(op, scimEnterpriseSchema+":"+k, v); err != nil {
				return err
			}
		}
		return nil
	}
	str := func() (string, error) {
		if op == "remove" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			// A multi-valued attribute comes as a list (Entra sends some
			// values as a one-element list): the value kept is the one a
			// creation keeps (scimUserBody.profile), the primary address,
			// the work phone, else the first. The first was taken, so that
			// a user's addresses replaced with the primary second were
			// refused as a change of address.
			var list []struct {
				Value, Type string
				Primary     bool
			}
			if json.Unmarshal(value, &list) == nil && len(list) > 0 {
				for _, v := range list {
					if strings.HasPrefix(t.key, "emails") && v.Primary || strings.HasPrefix(t.key, "phonenumbers") && v.Type == "work" {
						return v.Value, nil
					}
				}
				return list[0].Value, nil
			}
			return "", scimBad("invalidValue", "%s: %s is not a string", path, value)
		}
		return s, nil
	}
	switch t.key {
	case "active":
		if op == "remove" {
			return scimBad("mutability", "active cannot be removed")
		}
		a, err := scimBool(value)
		if err != nil {
			return err
		}
		p.active = &a
	case "name.givenname":
		p.first, err = str()
	case "name.familyname":
		p.last, err = str()
	case "name":
		// Added or replaced, a complex attribute's sub-attributes not sent
		// are left as they are (RFC 7644 3.5.2.1, 3.5.2.3): a new given
		// name alone wiped the family name.
		if op == "remove" {
			p.first, p.last = "", ""
			break
		}
		var n struct{ GivenName, FamilyName *string }
		if json.Unmarshal(value, &n) != nil {
			return scimBad("invalidValue", "name: %s", value)
		}
		if n.GivenName != nil {
			p.first = *n.GivenName
		}
		if n.FamilyName != nil {
			p.last = *n.FamilyName
		}
	case "title":
		p.title, err = str()
	case "externalid":
		p.externalID, err = str()
	case "preferredlanguage":
		var l string
		l, err = str()
		p.locale = scimLocale(l)
	case "employeenumber":
		p.ref, err = str()
	case "phonenumbers", "phonenumbers.value":
		p.phone, err = str()
	case "username":
		if op == "remove" {
			return scimBad("mutability", "userName cannot be removed: a User has one (RFC 7643 4.1.1)")
		}
		var name string
		if name, err = str(); err == nil && strings.TrimSpace(name) != "" {
			p.userName = strings.TrimSpace(name)
		}
	case "emails", "emails.value":
		var email string
		if email, err = str(); err == nil && email != "" {
			p.email = email
		}
	default:
		// Kept in scimUserAttrs, and not read here: roster's mistake.
		return fmt.Errorf("scim: patch of %q, which roster keeps, not written", t.key)
	}
	return err
}

// scimPath folds an attribute a filter compares to what it names: case is
// ignored, the enterprise extension's URN prefix and a filter on the type
// of a multi-valued attribute (emails[type eq "work"].value) are dropped.
// A patch's path is read by scimResolve.
func scimPath(path string) string {
	p := strings.ToLower(strings.TrimSpace(path))
	p = strings.TrimPrefix(p, strings.ToLower(scimEnterpriseSchema)+":")
	p = strings.TrimPrefix(p, strings.ToLower(scimUserSchema)+":")
	if i := strings.IndexByte(p, '['); i >= 0 {
		if j := strings.IndexByte(p[i:], ']'); j >= 0 {
			p = p[:i] + p[i+j+1:]
		}
	}
	return p
}

func scimDeleteUser(c *scimCall) (int, any, error) {
	d, err := c.user()
	if err != nil {
		return 0, nil, err
	}
	acct, err := c.x.svc.Account(c.r.Context())
	if err != nil {
		return 0, nil, err
	}
	if acct.SCIMHeir == "" {
		return 0, nil, &scimError{http.StatusBadRequest, "mutability",
			"deleting needs an heir for what the user owns: run roster account --scim-heir EMAIL, or deactivate instead (active: false)"}
	}
	version, err := c.ifMatch()
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.x.svc.Delete(c.r.Context(), c.actor, d.Email, admin.DeleteRequest{Heir: acct.SCIMHeir, Version: version}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
