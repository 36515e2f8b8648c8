package server

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"roster/admin"
)

// newSCIMFixture serves SCIM beside the API, as roster serve does.
func newSCIMFixture(t *testing.T) *apiFixture {
	f := newAPIFixture(t, APIOptions{})
	api := NewAPI(f.svc, APIOptions{})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api)
	mux.Handle("/scim/v2/", NewSCIM(f.svc, api))
	f.srv.Close()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

type scimResource struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	ExternalID  string `json:"externalId"`
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`
	Title       string `json:"title"`
	Name        struct {
		GivenName, FamilyName string
	} `json:"name"`
	Enterprise struct {
		EmployeeNumber string `json:"employeeNumber"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	Members []struct {
		Value, Display string
	} `json:"members"`
}

type scimListAnswer struct {
	TotalResults int            `json:"totalResults"`
	StartIndex   int            `json:"startIndex"`
	ItemsPerPage int            `json:"itemsPerPage"`
	Resources    []scimResource `json:"Resources"`
}

func (a *apiAnswer) scimError(status int, scimType, want string) {
	a.t.Helper()
	var e struct {
		Schemas  []string
		Status   string
		ScimType string
		Detail   string
	}
	a.want(status, &e)
	if len(e.Schemas) != 1 || e.Schemas[0] != scimErrorSchema || e.Status != strconv.Itoa(status) ||
		e.ScimType != scimType || !strings.Contains(e.Detail, want) {
		a.t.Errorf("SCIM error %+v, want status %d, scimType %q and a detail holding %q", e, status, scimType, want)
	}
}

func filter(f string) string { return "/scim/v2/Users?filter=" + url.QueryEscape(f) }

// The details the identity providers' sequences (replayed against a real
// roster serve by the root package's TestE2ESCIMOkta and TestE2ESCIMEntra)
// do not look at: the Location and ETag of a creation, the SCIM errors
// with their scimType, a group listed without its members.
func TestSCIMDetailsAndErrors(t *testing.T) {
	f := newSCIMFixture(t)
	var u scimResource
	a := f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test", "externalId": "x1", "name": map[string]string{"givenName": "Dade"}})
	a.want(http.StatusCreated, &u)
	if a.header.Get("Location") != f.srv.URL+"/scim/v2/Users/"+u.ID || !strings.HasPrefix(a.header.Get("ETag"), `W/"v`) {
		t.Errorf("Location %q, ETag %q", a.header.Get("Location"), a.header.Get("ETag"))
	}
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "DADE@acme.test"}).scimError(http.StatusConflict, "uniqueness", "already a user")
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "other@acme.test", "externalId": "x1"}).scimError(http.StatusConflict, "uniqueness", "another user's")
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"name": map[string]string{"givenName": "Nobody"}}).scimError(http.StatusBadRequest, "invalidValue", "userName")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "other@acme.test"}}}).
		scimError(http.StatusBadRequest, "mutability", "address cannot change")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": "nickNam", "value": "x"}}}).
		scimError(http.StatusBadRequest, "invalidPath", "nickNam")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": "active", "value": "maybe"}}}).
		scimError(http.StatusBadRequest, "invalidValue", "active")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "move", "path": "title", "value": "x"}}}).
		scimError(http.StatusBadRequest, "invalidSyntax", "move")
	f.call(f.key, "GET", "/scim/v2/Users/999", nil).scimError(http.StatusNotFound, "", "not found")
	// A replace sent with the ETag of an older version is refused.
	stale := a.header.Get("ETag")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Lead"}}}).
		want(http.StatusOK, nil)
	f.call(f.key, "PUT", "/scim/v2/Users/"+u.ID, map[string]any{"userName": "dade@acme.test", "title": "Chief"}, "If-Match", stale).
		scimError(http.StatusPreconditionFailed, "", "since you read it")
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil).scimError(http.StatusBadRequest, "mutability", "roster account --scim-heir")
	heir := webOwner
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil).want(http.StatusNoContent, nil)

	var g scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &g)
	var list scimListAnswer
	f.call(f.key, "GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "support"`)+"&excludedAttributes=members", nil).want(http.StatusOK, &list)
	if list.TotalResults != 1 || list.Resources[0].ID != g.ID || list.Resources[0].Members != nil {
		t.Errorf("the group by displayName, without members: %+v", list)
	}
	f.call(f.key, "GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members pr`), nil).scimError(http.StatusBadRequest, "invalidFilter", "displayName eq")
}

// Filters and pagination: co, sw, ew, pr, and, or, not and parentheses;
// startIndex and count over totalResults.
func TestSCIMFiltersAndPages(t *testing.T) {
	f := newSCIMFixture(t)
	for _, e := range []string{"ann.martin@acme.test", "anna.marx@acme.test", "bob.martin@acme.test", "carl@other.test"} {
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": e, "externalId": "x-" + e}).want(http.StatusCreated, nil)
	}
	count := func(q string) int {
		t.Helper()
		var l scimListAnswer
		f.call(f.key, "GET", filter(q), nil).want(http.StatusOK, &l)
		return l.TotalResults
	}
	for q, want := range map[string]int{
		`userName sw "ann"`:                                           2,
		`userName co "martin"`:                                        2,
		`userName ew "other.test"`:                                    1,
		`externalId pr`:                                               4,
		`userName sw "ann" and userName co "marx"`:                    1,
		`userName sw "bob" or userName sw "carl"`:                     2,
		`not (userName co "acme")`:                                    1,
		`(userName sw "ann" or userName sw "bob") and active eq true`: 3,
		`emails[type eq "work"].value eq "carl@other.test"`:           1,
		`userName eq "nobody@acme.test"`:                              0,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d users, want %d", q, got, want)
		}
	}
	f.call(f.key, "GET", filter(`userName zz "a"`), nil).scimError(http.StatusBadRequest, "invalidFilter", "zz")
	f.call(f.key, "GET", filter(`(userName eq "a"`), nil).scimError(http.StatusBadRequest, "invalidFilter", "parenthesis")
	f.call(f.key, "GET", filter(`password eq "a"`), nil).scimError(http.StatusBadRequest, "invalidFilter", "password")

	var page scimListAnswer
	f.call(f.key, "GET", "/scim/v2/Users?startIndex=2&count=2", nil).want(http.StatusOK, &page)
	if page.TotalResults != 5 || page.StartIndex != 2 || page.ItemsPerPage != 2 || len(page.Resources) != 2 {
		t.Errorf("page 2 of 2: %+v", page)
	}
	f.call(f.key, "GET", "/scim/v2/Users?startIndex=5&count=10", nil).want(http.StatusOK, &page)
	if len(page.Resources) != 1 {
		t.Errorf("the last page: %+v", page)
	}
	f.call("", "GET", "/scim/v2/Users", nil).scimError(http.StatusUnauthorized, "", "API key")
	f.call(f.key, "GET", "/scim/v2/ServiceProviderConfig", nil).want(http.StatusOK, nil)
	f.call(f.key, "GET", "/scim/v2/ResourceTypes", nil).want(http.StatusOK, nil)
	f.call(f.key, "GET", "/scim/v2/Schemas", nil).want(http.StatusOK, nil)
}

// A filter is bounded in length and depth, and a key that may not
// administer users is refused before its filter is read: a megabyte of "("
// took two seconds and a gigabyte, from any key.
func TestSCIMFilterBounds(t *testing.T) {
	f := newSCIMFixture(t)
	nest := func(n int, open, close string) string {
		return strings.Repeat(open, n) + `userName eq "a@acme.test"` + strings.Repeat(close, n)
	}
	f.call(f.key, "GET", filter(nest(scimMaxDepth, "(", ")")), nil).want(http.StatusOK, nil)
	f.call(f.key, "GET", filter(nest(scimMaxDepth+1, "(", ")")), nil).scimError(http.StatusBadRequest, "invalidFilter", "over 32 deep")
	f.call(f.key, "GET", filter(nest(scimMaxDepth+1, "not ", "")), nil).scimError(http.StatusBadRequest, "invalidFilter", "over 32 deep")
	f.call(f.key, "GET", filter(`userName eq "`+strings.Repeat("a", scimMaxFilter)+`"`), nil).
		scimError(http.StatusBadRequest, "invalidFilter", "up to 4096")
	// What the reviewer sent, unescaped as it was: the request line alone
	// is just under the server's limit on headers.
	huge := "/scim/v2/Users?filter=" + strings.Repeat("(", 1_040_000)
	f.call(f.key, "GET", huge, nil).scimError(http.StatusBadRequest, "invalidFilter", "up to 4096")
	mia := f.active("mia@acme.test", "member")
	f.call(mia, "GET", huge, nil).scimError(http.StatusForbidden, "", "no users.* permission")
	f.call(mia, "GET", "/scim/v2/Groups?filter=((", nil).scimError(http.StatusForbidden, "", "no users.* permission")
}

// A patch's path naming a group's member is the client's to get wrong: cut
// short, empty or going on after its brackets, it is refused as
// invalidPath ("members[" panicked the handler: slice bounds out of range).
func TestSCIMMalformedMemberPaths(t *testing.T) {
	f := newSCIMFixture(t)
	var g scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &g)
	remove := func(path string) *apiAnswer {
		return f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": []map[string]any{{"op": "remove", "path": path}}})
	}
	for _, path := range []string{"members[", "MEMBERS[", "members[]", "members[ ]", `members[value eq "1"`, `members[value eq "1"].display`} {
		remove(path).scimError(http.StatusBadRequest, "invalidPath", "members[value eq")
	}
	remove(`members[value zz "1"]`).scimError(http.StatusBadRequest, "invalidFilter", "zz")
	remove(`members[display eq "x"]`).scimError(http.StatusBadRequest, "invalidFilter", "display")
	remove("members[]]").scimError(http.StatusBadRequest, "invalidFilter", "operator")
	remove(`members[value eq "1"]`).want(http.StatusOK, nil)
}

// Each SCIM request is one transaction (RFC 7644 3.5.2): a request that
// fails, on any of its operations, leaves the users and teams as they were
// and writes no audit row, so that the provider may send it again. Each
// request here failed half done: the group lost its members, the group was
// created without its members and then "already exists", the owner's title
// changed by the request refused for deactivating them.
func TestSCIMChangesAreAtomic(t *testing.T) {
	f := newSCIMFixture(t)
	user := func(email string) scimResource {
		t.Helper()
		var u scimResource
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": email, "title": "Clerk"}).want(http.StatusCreated, &u)
		return u
	}
	ann, bob, cy := user("ann@acme.test"), user("bob@acme.test"), user("cy@acme.test")
	audits := func() int {
		t.Helper()
		var n int
		if err := f.raw.QueryRow("SELECT count(*) FROM audit").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	members := func(id string) []string {
		t.Helper()
		var g scimResource
		f.call(f.key, "GET", "/scim/v2/Groups/"+id, nil).want(http.StatusOK, &g)
		var out []string
		for _, m := range g.Members {
			out = append(out, m.Value)
		}
		return out
	}
	ops := func(ops ...map[string]any) map[string]any { return map[string]any{"Operations": ops} }
	values := func(ids ...string) []map[string]string {
		var out []map[string]string
		for _, id := range ids {
			out = append(out, map[string]string{"value": id})
		}
		return out
	}

	var g scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support", "members": values(ann.ID, bob.ID)}).want(http.StatusCreated, &g)
	before := audits()
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(map[string]any{"op": "replace", "path": "members", "value": values("88888")})).
		scimError(http.StatusNotFound, "", "user 88888")
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(
		map[string]any{"op": "add", "path": "members", "value": values(cy.ID)},
		map[string]any{"op": "add", "path": "members", "value": values("88888")})).scimError(http.StatusNotFound, "", "user 88888")
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(
		map[string]any{"op": "replace", "path": "displayName", "value": "Help desk"},
		map[string]any{"op": "remove", "path": "members", "value": values(ann.ID)},
		map[string]any{"op": "add", "path": "members", "value": values("notanid")})).scimError(http.StatusBadRequest, "invalidValue", "notanid")
	if got := members(g.ID); len(got) != 2 || got[0] != ann.ID || got[1] != bob.ID || audits() != before {
		t.Errorf("after failed patches: members %v (want %s, %s), %d audit rows written", got, ann.ID, bob.ID, audits()-before)
	}
	// The same operations, all good, are all made.
	var after scimResource
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(
		map[string]any{"op": "replace", "path": "displayName", "value": "Help desk"},
		map[string]any{"op": "remove", "path": "members", "value": values(ann.ID)},
		map[string]any{"op": "add", "path": "members", "value": values(cy.ID, cy.ID)})).want(http.StatusOK, &after)
	if after.DisplayName != "Help desk" || len(after.Members) != 2 || after.Members[0].Value != bob.ID || after.Members[1].Value != cy.ID {
		t.Errorf("after the good patch: %+v", after)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(map[string]any{"op": "replace", "path": "members", "value": values(ann.ID)})).want(http.StatusOK, &after)
	if got := members(g.ID); len(got) != 1 || got[0] != ann.ID {
		t.Errorf("members replaced by %s: %v", ann.ID, got)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, ops(map[string]any{"op": "remove", "path": "members"})).want(http.StatusOK, &after)
	if len(after.Members) != 0 {
		t.Errorf("members removed without a value: %+v", after)
	}

	// A group created with a member refused is not created: the provider's
	// retry, without it, creates it.
	before = audits()
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Okta Group B", "members": []map[string]string{{"value": ann.ID}, {"value": "notanid"}}}).
		scimError(http.StatusBadRequest, "invalidValue", "notanid")
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Okta Group B", "members": values(ann.ID, "88888")}).
		scimError(http.StatusNotFound, "", "user 88888")
	if audits() != before {
		t.Errorf("the groups refused wrote %d audit rows", audits()-before)
	}
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Okta Group B", "members": values(ann.ID)}).want(http.StatusCreated, &g)
	if got := members(g.ID); len(got) != 1 || got[0] != ann.ID {
		t.Errorf("Okta Group B's members: %v", got)
	}

	// The owner deactivating themselves is refused, and the title sent
	// with it is not kept.
	var list scimListAnswer
	f.call(f.key, "GET", filter(`userName eq "`+webOwner+`"`), nil).want(http.StatusOK, &list)
	owner := list.Resources[0]
	before = audits()
	f.call(f.key, "PATCH", "/scim/v2/Users/"+owner.ID, ops(
		map[string]any{"op": "replace", "path": "title", "value": "Gone"},
		map[string]any{"op": "replace", "path": "active", "value": false})).scimError(http.StatusForbidden, "", "yourself")
	f.call(f.key, "PUT", "/scim/v2/Users/"+owner.ID, map[string]any{"userName": webOwner, "title": "Gone", "active": false}).
		scimError(http.StatusForbidden, "", "yourself")
	var o scimResource
	f.call(f.key, "GET", "/scim/v2/Users/"+owner.ID, nil).want(http.StatusOK, &o)
	if o.Title != owner.Title || !o.Active || audits() != before {
		t.Errorf("after the refused deactivation: title %q (was %q), active %v, %d audit rows", o.Title, owner.Title, o.Active, audits()-before)
	}
	// Both made for another, in one request.
	f.call(f.key, "PATCH", "/scim/v2/Users/"+bob.ID, ops(
		map[string]any{"op": "replace", "path": "title", "value": "Gone"},
		map[string]any{"op": "replace", "path": "active", "value": false})).want(http.StatusOK, &o)
	if o.Title != "Gone" || o.Active {
		t.Errorf("bob after title and active false: %+v", o)
	}

	// A user created inactive by one who may not deactivate is not created.
	max := f.active("max@acme.test", "manager")
	f.call(max, "POST", "/scim/v2/Users", map[string]any{"userName": "dora@acme.test", "active": false}).scimError(http.StatusForbidden, "", "users.delete")
	f.call(f.key, "GET", filter(`userName eq "dora@acme.test"`), nil).want(http.StatusOK, &list)
	if list.TotalResults != 0 {
		t.Errorf("dora was created: %+v", list)
	}
	f.call(max, "POST", "/scim/v2/Users", map[string]any{"userName": "dora@acme.test"}).want(http.StatusCreated, nil)
}

// A group's name another group has, in any case, is a conflict (RFC 7644
// 3.3: 409 uniqueness), on creation and on renaming; it was 400
// invalidValue, which a provider takes for a request to correct.
func TestSCIMGroupNamesAreUnique(t *testing.T) {
	f := newSCIMFixture(t)
	var support, desk scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &support)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Desk"}).want(http.StatusCreated, &desk)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "support"}).scimError(http.StatusConflict, "uniqueness", "already exists")
	rename := func(id, to string) *apiAnswer {
		return f.call(f.key, "PATCH", "/scim/v2/Groups/"+id, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "displayName", "value": to}}})
	}
	rename(desk.ID, "SUPPORT").scimError(http.StatusConflict, "uniqueness", "already exists")
	rename(support.ID, "SUPPORT").want(http.StatusOK, nil) // its own name, in another case
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "a,b"}).scimError(http.StatusBadRequest, "invalidValue", "comma")
}

// Users are listed in ID order, the order they were created in, a page at
// a time by startIndex and count, with or without a filter; groups too
// (they were listed whole, whatever startIndex and count said).
func TestSCIMPages(t *testing.T) {
	f := newSCIMFixture(t)
	ids := []string{"1"} // the owner
	for _, e := range []string{"zed@acme.test", "amy@acme.test", "mo@other.test", "bea@acme.test", "cal@acme.test"} {
		var u scimResource
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": e}).want(http.StatusCreated, &u)
		ids = append(ids, u.ID)
	}
	page := func(path string, total, start int, want ...string) {
		t.Helper()
		var l scimListAnswer
		f.call(f.key, "GET", path, nil).want(http.StatusOK, &l)
		var got []string
		for _, r := range l.Resources {
			got = append(got, r.ID)
		}
		if l.TotalResults != total || l.StartIndex != start || l.ItemsPerPage != len(want) || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: total %d, start %d, %d per page, %v; want %d, %d, %v", path, l.TotalResults, l.StartIndex, l.ItemsPerPage, got, total, start, want)
		}
	}
	page("/scim/v2/Users?startIndex=2&count=2", 6, 2, ids[1], ids[2])
	page("/scim/v2/Users?startIndex=6&count=10", 6, 6, ids[5])
	page("/scim/v2/Users?startIndex=7", 6, 7)
	page("/scim/v2/Users?count=0", 6, 1)
	page("/scim/v2/Users?startIndex=-3&count=1", 6, 1, ids[0])
	page(filter(`userName ew "acme.test"`)+"&startIndex=3&count=2", 5, 3, ids[2], ids[4]) // the owner is of acme.test
	page(filter(`userName eq "Amy@acme.test"`)+"&startIndex=1", 1, 1, ids[2])
	page(filter(`userName eq "amy@acme.test"`)+"&startIndex=2", 1, 2)
	page(filter(`userName eq "amy@acme.test" and title pr`), 0, 1)

	var groups []string
	for _, n := range []string{"Sales", "Desk", "Ops"} {
		var g scimResource
		f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": n}).want(http.StatusCreated, &g)
		groups = append(groups, g.ID)
	}
	page("/scim/v2/Groups?startIndex=2&count=1", 3, 2, groups[2]) // by name: Desk, Ops, Sales
	page("/scim/v2/Groups?count=0", 3, 1)
	page("/scim/v2/Groups?startIndex=3&count=5&excludedAttributes=members", 3, 3, groups[0])
	page("/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "ops"`)+"&startIndex=2", 1, 2)
	const far = "9223372036854775807" // the largest int: startIndex-1+count overflowed
	page("/scim/v2/Groups?startIndex="+far+"&count=100", 3, math.MaxInt64)
	page("/scim/v2/Users?startIndex="+far+"&count=100", 6, math.MaxInt64)
}

// With a base URL configured (roster serve --base-url, the account's),
// meta.location and Location start with it, whatever Host and
// X-Forwarded-Proto the request says: "Host: evil.example" made them
// https://evil.example/scim/v2/…, which the provider keeps.
func TestSCIMLocationsFromTheBaseURL(t *testing.T) {
	f := newSCIMFixture(t)
	send := func(method, path, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("Authorization", "Bearer "+f.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return resp, v
	}
	location := func(v map[string]any) string {
		m, _ := v["meta"].(map[string]any)
		s, _ := m["location"].(string)
		return s
	}
	// Without one, the request's say is all there is.
	resp, u := send("POST", "/scim/v2/Users", `{"userName":"ann@acme.test"}`)
	if want := "https://evil.example/scim/v2/Users/" + u["id"].(string); resp.Header.Get("Location") != want || location(u) != want {
		t.Errorf("without a base URL: Location %q, meta.location %q, want %q", resp.Header.Get("Location"), location(u), want)
	}

	base := "https://roster.example.com/people/"
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{BaseURL: &base}); err != nil {
		t.Fatal(err)
	}
	const want = "https://roster.example.com/people/scim/v2/"
	resp, u = send("POST", "/scim/v2/Users", `{"userName":"bob@acme.test"}`)
	if resp.Header.Get("Location") != want+"Users/"+u["id"].(string) || location(u) != want+"Users/"+u["id"].(string) {
		t.Errorf("a user: Location %q, meta.location %q", resp.Header.Get("Location"), location(u))
	}
	resp, g := send("POST", "/scim/v2/Groups", `{"displayName":"Support"}`)
	if resp.Header.Get("Location") != want+"Groups/"+g["id"].(string) || location(g) != want+"Groups/"+g["id"].(string) {
		t.Errorf("a group: Location %q, meta.location %q", resp.Header.Get("Location"), location(g))
	}
	_, list := send("GET", "/scim/v2/Users?count=1", "")
	if r := list["Resources"].([]any); len(r) != 1 || !strings.HasPrefix(location(r[0].(map[string]any)), want+"Users/") {
		t.Errorf("a listing: %v", list["Resources"])
	}
}

// A filter on an address finds whom roster knows by it, however the
// provider spells it: in another case, Unicode's included (ZOÉ, STRASSE
// for straße), with its accent combined (NFD) or its domain in ASCII
// (xn--). The user was looked up by the address, then dropped by the
// filter's own comparison, a lowercase alone: the provider, finding
// nobody, created them again, which failed as taken, for good.
func TestSCIMFilterFindsAnAddressAsRosterKnowsIt(t *testing.T) {
	f := newSCIMFixture(t)
	ids := map[string]string{}
	for _, e := range []string{"zoé@acme.test", "straße@acme.test", "jan@münchen.example"} {
		var u scimResource
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": e, "name": map[string]string{"familyName": "Große"}}).want(http.StatusCreated, &u)
		ids[e] = u.ID
	}
	for q, want := range map[string][]string{
		`userName eq "zoe` + "\u0301" + `@acme.test"`:                                   {ids["zoé@acme.test"]},
		`userName eq "ZOÉ@ACME.TEST"`:                                                   {ids["zoé@acme.test"]},
		`emails.value eq "STRASSE@acme.test"`:                                           {ids["straße@acme.test"]},
		`userName eq "jan@xn--mnchen-3ya.example"`:                                      {ids["jan@münchen.example"]},
		`userName eq "JAN@MÜNCHEN.EXAMPLE" and active eq true`:                          {ids["jan@münchen.example"]},
		`userName eq "zoe` + "\u0301" + `@acme.test" or userName eq "nobody@acme.test"`: {ids["zoé@acme.test"]},
		`userName sw "ZOE` + "\u0301" + `"`:                                             {ids["zoé@acme.test"]},
		`userName co "MÜNCHEN"`:                                                         {ids["jan@münchen.example"]},
		`name.familyName eq "GROSSE" and userName ne "STRASSE@acme.test" and userName ne "jan@xn--mnchen-3ya.example"`: {ids["zoé@acme.test"]},
	} {
		var l scimListAnswer
		f.call(f.key, "GET", filter(q), nil).want(http.StatusOK, &l)
		var got []string
		for _, r := range l.Resources {
			got = append(got, r.ID)
		}
		if l.TotalResults != len(want) || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %d users %v, want %v", q, l.TotalResults, got, want)
		}
	}
}

// A group's patch without a path is an object of the attributes it
// changes (RFC 7644 3.5.2.1, 3.5.2.3): its members are added, or replaced,
// with its name; the group's id beside them (Okta) changes nothing, and an
// attribute roster does not keep is refused. Members sent so were ignored:
// 200, and the group as it was. A remove without a path is noTarget.
func TestSCIMGroupPatchWithoutAPath(t *testing.T) {
	f := newSCIMFixture(t)
	var ann, bob, g scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "ann@acme.test"}).want(http.StatusCreated, &ann)
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "bob@acme.test"}).want(http.StatusCreated, &bob)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &g)
	patch := func(op string, value any) *apiAnswer {
		return f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": []map[string]any{{"op": op, "value": value}}})
	}
	members := func(r scimResource) string {
		var ids []string
		for _, m := range r.Members {
			ids = append(ids, m.Value)
		}
		return strings.Join(ids, " ")
	}
	var after scimResource
	patch("add", map[string]any{"members": []map[string]string{{"value": ann.ID}}}).want(http.StatusOK, &after)
	if members(after) != ann.ID {
		t.Errorf("members added without a path: %q, want %s", members(after), ann.ID)
	}
	patch("Replace", map[string]any{"id": g.ID, "displayName": "Help desk", "members": []map[string]string{{"value": bob.ID}}}).want(http.StatusOK, &after)
	if after.DisplayName != "Help desk" || members(after) != bob.ID {
		t.Errorf("name and members replaced without a path: %q, %q; want Help desk, %s", after.DisplayName, members(after), bob.ID)
	}
	patch("replace", map[string]any{"id": g.ID, "displayName": "Help desk"}).want(http.StatusOK, &after)
	if members(after) != bob.ID {
		t.Errorf("the name alone replaced: members %q", members(after))
	}
	patch("add", map[string]any{"owners": []string{ann.ID}}).scimError(http.StatusBadRequest, "invalidPath", "owners")
	patch("add", map[string]any{"members": []map[string]string{{"value": "88888"}}}).scimError(http.StatusNotFound, "", "user 88888")
	patch("add", []string{"members"}).scimError(http.StatusBadRequest, "invalidValue", "object")
	patch("remove", nil).scimError(http.StatusBadRequest, "noTarget", "path")
	f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusOK, &after)
	if after.DisplayName != "Help desk" || members(after) != bob.ID {
		t.Errorf("after the refused patches: %q, %q", after.DisplayName, members(after))
	}
}

// A user's name added or replaced whole keeps the part not sent (RFC 7644
// 3.5.2.1, 3.5.2.3: a complex attribute's sub-attributes not specified are
// left unchanged): a given name alone wiped the family name. A patch
// without a path takes the enterprise extension's attributes as an object
// under its URN, as a creation sends them; it refused the URN as no
// attribute.
func TestSCIMUserPatchKeepsWhatItDoesNotName(t *testing.T) {
	f := newSCIMFixture(t)
	var u scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test", "name": map[string]string{"givenName": "Dade", "familyName": "Murphy"},
		scimEnterpriseSchema: map[string]string{"employeeNumber": "E1"}}).want(http.StatusCreated, &u)
	patch := func(op map[string]any) scimResource {
		t.Helper()
		var after scimResource
		f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{op}}).want(http.StatusOK, &after)
		return after
	}
	if a := patch(map[string]any{"op": "replace", "value": map[string]any{"name": map[string]string{"givenName": "Zero"}}}); a.Name.GivenName != "Zero" || a.Name.FamilyName != "Murphy" {
		t.Errorf("given name replaced without a path: %+v, want Zero Murphy", a.Name)
	}
	if a := patch(map[string]any{"op": "add", "path": "name", "value": map[string]string{"familyName": "Cool"}}); a.Name.GivenName != "Zero" || a.Name.FamilyName != "Cool" {
		t.Errorf("family name added by path name: %+v, want Zero Cool", a.Name)
	}
	if a := patch(map[string]any{"op": "Replace", "value": map[string]any{scimEnterpriseSchema: map[string]string{"employeeNumber": "E2"}, "title": "Lead"}}); a.Enterprise.EmployeeNumber != "E2" || a.Title != "Lead" {
		t.Errorf("the enterprise extension without a path: %+v, title %q", a.Enterprise, a.Title)
	}
	if a := patch(map[string]any{"op": "remove", "path": "name"}); a.Name.GivenName != "" || a.Name.FamilyName != "" || a.Enterprise.EmployeeNumber != "E2" {
		t.Errorf("name removed: %+v, %+v", a.Name, a.Enterprise)
	}
}

// An If-Match naming no version of the user (another server's tag, v0, a
// list) matches none: 412, and the user as they were. It was read as
// absent, and the replace it was to guard made over whatever had changed.
func TestSCIMIfMatchNamingNoVersion(t *testing.T) {
	f := newSCIMFixture(t)
	var u scimResource
	a := f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test", "title": "Clerk"}).want(http.StatusCreated, &u)
	tag := a.header.Get("ETag")
	put := func(ifMatch, title string) *apiAnswer {
		return f.call(f.key, "PUT", "/scim/v2/Users/"+u.ID, map[string]any{"userName": "dade@acme.test", "title": title}, "If-Match", ifMatch)
	}
	for _, h := range []string{`"garbage"`, `W/"v0"`, `W/"x12"`, tag + `, W/"v999"`} {
		put(h, "Lead").scimError(http.StatusPreconditionFailed, "", "If-Match")
	}
	var got scimResource
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, &got)
	if got.Title != "Clerk" {
		t.Errorf("after the refused replaces: title %q", got.Title)
	}
	a = put(tag, "Lead").want(http.StatusOK, nil)
	put(strings.TrimPrefix(a.header.Get("ETag"), "W/"), "Chief").want(http.StatusOK, nil) // the strong form of the same
	put("*", "Boss").want(http.StatusOK, &got)
	if got.Title != "Boss" {
		t.Errorf("after If-Match *: title %q", got.Title)
	}
}

// A replace or a patch may send the user's address in any spelling roster
// knows them by, as a filter finds them by it (ZOÉ, an accent combined,
// a domain in its xn-- form): the address stays as it is. It was refused
// as a change of address (mutability), so that a provider holding it so
// found the user and could never update them. The userName is kept as
// sent; another address in emails is refused.
func TestSCIMReplaceTakesTheAddressInAnySpelling(t *testing.T) {
	f := newSCIMFixture(t)
	var zoe, jan scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "zoé@acme.test"}).want(http.StatusCreated, &zoe)
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "jan@münchen.example"}).want(http.StatusCreated, &jan)
	var got struct {
		scimResource
		Emails []struct{ Value string }
	}
	f.call(f.key, "PUT", "/scim/v2/Users/"+zoe.ID, map[string]any{"userName": "ZOE\u0301@acme.test", "title": "Lead",
		"emails": []map[string]any{{"value": "ZOE\u0301@acme.test", "primary": true}}}).want(http.StatusOK, &got)
	if got.UserName != "ZOE\u0301@acme.test" || got.Emails[0].Value != "zoé@acme.test" || got.Title != "Lead" {
		t.Errorf("replaced with ZOE and a combining accent: %q at %q, title %q", got.UserName, got.Emails[0].Value, got.Title)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+jan.ID, map[string]any{"Operations": []map[string]any{
		{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "jan@xn--mnchen-3ya.example"},
		{"op": "replace", "path": "title", "value": "Chief"}}}).want(http.StatusOK, &got)
	if got.Emails[0].Value != "jan@münchen.example" || got.Title != "Chief" {
		t.Errorf("patched with the domain in ASCII: %q, title %q", got.Emails[0].Value, got.Title)
	}
	f.call(f.key, "PUT", "/scim/v2/Users/"+zoe.ID, map[string]any{"userName": "zoe@acme.test", "emails": []map[string]any{{"value": "zoe@acme.test"}}}).
		scimError(http.StatusBadRequest, "mutability", "address cannot change")
}

// A group is replaced by PUT (RFC 7644 3.5.1: service providers must take
// it): its name and members become the body's, all of it or none. It was
// not routed, and a provider replacing a group was told 404, as if the
// group were gone.
func TestSCIMGroupReplace(t *testing.T) {
	f := newSCIMFixture(t)
	ids := map[string]string{}
	for _, e := range []string{"ann", "bob", "cy"} {
		var u scimResource
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": e + "@acme.test"}).want(http.StatusCreated, &u)
		ids[e] = u.ID
	}
	values := func(names ...string) []map[string]string {
		out := []map[string]string{}
		for _, n := range names {
			out = append(out, map[string]string{"value": ids[n]})
		}
		return out
	}
	var g, other scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support", "members": values("ann", "bob")}).want(http.StatusCreated, &g)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Sales"}).want(http.StatusCreated, &other)
	check := func(r scimResource, name string, members ...string) {
		t.Helper()
		var got []string
		for _, m := range r.Members {
			got = append(got, m.Value)
		}
		var want []string
		for _, m := range members {
			want = append(want, ids[m])
		}
		if r.DisplayName != name || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("the group: %q with %v, want %q with %v", r.DisplayName, got, name, want)
		}
	}
	put := func(body map[string]any) *apiAnswer {
		body["schemas"] = []string{scimGroupSchema}
		return f.call(f.key, "PUT", "/scim/v2/Groups/"+g.ID, body)
	}
	var after scimResource
	put(map[string]any{"id": g.ID, "displayName": "Help desk", "members": values("bob", "cy")}).want(http.StatusOK, &after)
	check(after, "Help desk", "bob", "cy")
	put(map[string]any{"displayName": "Desk", "members": []map[string]string{{"value": ids["ann"]}, {"value": "88888"}}}).scimError(http.StatusNotFound, "", "user 88888")
	put(map[string]any{"displayName": "sales", "members": values("ann")}).scimError(http.StatusConflict, "uniqueness", "already exists")
	put(map[string]any{"members": values("ann")}).scimError(http.StatusBadRequest, "invalidValue", "team")
	f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusOK, &after)
	check(after, "Help desk", "bob", "cy")
	put(map[string]any{"displayName": "Help desk"}).want(http.StatusOK, &after)
	check(after, "Help desk")
	f.call(f.key, "PUT", "/scim/v2/Groups/99999", map[string]any{"displayName": "X"}).scimError(http.StatusNotFound, "", "group 99999")
}

// name.formatted, which roster answers made from the name, is taken as
// displayName is, made from the name again: Entra ID sends it beside each
// change of a name (its default mapping joins the given and family names
// into it), and refused as no attribute, no name could change.
func TestSCIMPatchNameFormatted(t *testing.T) {
	f := newSCIMFixture(t)
	var u scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "grace@acme.test", "name": map[string]string{"givenName": "G", "familyName": "Hopper"}}).
		want(http.StatusCreated, &u)
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{
		{"op": "Replace", "path": "name.givenName", "value": "Grace"},
		{"op": "Replace", "path": "name.formatted", "value": "Grace Hopper"},
		{"op": "Add", "path": "displayName", "value": "Grace Hopper"}}}).want(http.StatusOK, &u)
	if u.Name.GivenName != "Grace" || u.DisplayName != "Grace Hopper" {
		t.Errorf("after Entra's change of a name: %+v, displayName %q", u.Name, u.DisplayName)
	}
}

// A deletion sent with If-Match is made only if the user is still at the
// version it names (RFC 7644 3.14 has it guard DELETE as PUT and PATCH): a
// stale or unknown one is 412, and the user stays. It was ignored, and a
// user changed since (reactivated, retitled) was deleted all the same.
func TestSCIMDeleteWithIfMatch(t *testing.T) {
	f := newSCIMFixture(t)
	heir := webOwner
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	var u scimResource
	read := f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test"}).want(http.StatusCreated, &u).header.Get("ETag")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Lead"}}}).
		want(http.StatusOK, nil)
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil, "If-Match", read).scimError(http.StatusPreconditionFailed, "", "since you read it")
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil, "If-Match", `"elsewhere"`).scimError(http.StatusPreconditionFailed, "", "If-Match")
	now := f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, nil).header.Get("ETag")
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil, "If-Match", now).want(http.StatusNoContent, nil)
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).scimError(http.StatusNotFound, "", "not found")
}

// A member deleted is out of the group: the provider that deleted them,
// then taking them out of its groups (Okta's path, Entra ID's list), is
// answered 200 with the others taken out. It was 404, the whole patch with
// it, which the provider sent again at each cycle. Adding them is still
// refused.
func TestSCIMGroupRemovesADeletedMember(t *testing.T) {
	f := newSCIMFixture(t)
	heir := webOwner
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	var ann, bob, cy, g scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "ann@acme.test"}).want(http.StatusCreated, &ann)
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "bob@acme.test"}).want(http.StatusCreated, &bob)
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "cy@acme.test"}).want(http.StatusCreated, &cy)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support",
		"members": []map[string]string{{"value": ann.ID}, {"value": bob.ID}, {"value": cy.ID}}}).want(http.StatusCreated, &g)
	f.call(f.key, "DELETE", "/scim/v2/Users/"+ann.ID, nil).want(http.StatusNoContent, nil)
	f.call(f.key, "DELETE", "/scim/v2/Users/"+bob.ID, nil).want(http.StatusNoContent, nil)
	patch := func(ops ...map[string]any) *apiAnswer {
		return f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": ops})
	}
	var after scimResource
	patch(map[string]any{"op": "remove", "path": `members[value eq "` + ann.ID + `"]`}).want(http.StatusOK, &after)
	patch(map[string]any{"op": "Remove", "path": "members", "value": []map[string]string{{"value": bob.ID}, {"value": cy.ID}}}).want(http.StatusOK, &after)
	if len(after.Members) != 0 {
		t.Errorf("after taking out the deleted and cy: %+v", after.Members)
	}
	patch(map[string]any{"op": "add", "path": "members", "value": []map[string]string{{"value": ann.ID}}}).scimError(http.StatusNotFound, "", "user "+ann.ID)
}

// A member that says it is a group (its type, or its $ref), as a provider
// nesting groups sends it, is refused: a group's ID read as a user's added
// whichever user had the same number.
func TestSCIMGroupMembersAreUsers(t *testing.T) {
	f := newSCIMFixture(t)
	var ann, sales, support scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "ann@acme.test"}).want(http.StatusCreated, &ann)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Sales"}).want(http.StatusCreated, &sales)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &support)
	if support.ID != ann.ID {
		t.Fatalf("the test wants a group with ann's ID, %s: Support is %s", ann.ID, support.ID)
	}
	nested := []map[string]string{{"value": support.ID, "type": "Group"}}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+sales.ID, map[string]any{"Operations": []map[string]any{{"op": "add", "path": "members", "value": nested}}}).
		scimError(http.StatusBadRequest, "invalidValue", "is a group")
	f.call(f.key, "PUT", "/scim/v2/Groups/"+sales.ID, map[string]any{"displayName": "Sales", "members": []map[string]string{{"value": support.ID, "$ref": "https://roster.example/scim/v2/Groups/" + support.ID}}}).
		scimError(http.StatusBadRequest, "invalidValue", "is a group")
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Desk", "members": nested}).scimError(http.StatusBadRequest, "invalidValue", "is a group")
	var g scimResource
	f.call(f.key, "GET", "/scim/v2/Groups/"+sales.ID, nil).want(http.StatusOK, &g)
	if len(g.Members) != 0 {
		t.Errorf("Sales after the groups refused: %+v", g.Members)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+sales.ID, map[string]any{"Operations": []map[string]any{{"op": "add", "path": "members",
		"value": []map[string]string{{"value": ann.ID, "type": "User"}}}}}).want(http.StatusOK, &g)
	if len(g.Members) != 1 || g.Members[0].Value != ann.ID {
		t.Errorf("Sales with ann: %+v", g.Members)
	}
}

// A patch holds one operation or more (RFC 7644 3.5.2): one without any,
// its operations misnamed or left out, is refused, user's or group's. It
// was answered 200 with nothing changed, which the client took for its
// change made.
func TestSCIMPatchWithoutOperations(t *testing.T) {
	f := newSCIMFixture(t)
	var u, g scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test"}).want(http.StatusCreated, &u)
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &g)
	for _, body := range []map[string]any{
		{"schemas": []string{scimPatchSchema}, "ops": []map[string]any{{"op": "replace", "path": "active", "value": false}}},
		{"schemas": []string{scimPatchSchema}, "Operations": []map[string]any{}},
		{},
	} {
		f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, body).scimError(http.StatusBadRequest, "invalidSyntax", "no Operations")
		f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, body).scimError(http.StatusBadRequest, "invalidSyntax", "no Operations")
	}
	var got scimResource
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, &got)
	if !got.Active {
		t.Error("the user was deactivated")
	}
}

// "active": null in a patch, by path or without one, is refused (400
// invalidValue) and the person stays as they are: read into a bool, null
// left false, and a client writing out every attribute it holds, nulls
// included, deactivated them. Other attributes replaced by null are
// cleared (RFC 7643 2.5: null is unassigned).
func TestSCIMActiveNullDeactivatesNobody(t *testing.T) {
	f := newSCIMFixture(t)
	var u scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "dade@acme.test", "title": "Lead", "name": map[string]string{"givenName": "Dade"}}).
		want(http.StatusCreated, &u)
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "active", "value": nil}}}).
		scimError(http.StatusBadRequest, "invalidValue", "active")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"title": "Chief", "active": nil}}}}).
		scimError(http.StatusBadRequest, "invalidValue", "active")
	var got scimResource
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, &got)
	if !got.Active || got.Title != "Lead" {
		t.Errorf("after the patches of active null: active %v, title %q", got.Active, got.Title)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "title", "value": nil}}}).want(http.StatusOK, &got)
	if !got.Active || got.Title != "" || got.Name.GivenName != "Dade" {
		t.Errorf("after title null: %+v", got)
	}
}

// A deletion whose heir is no user (the account's SCIM heir deleted since,
// a mistyped ?heir=) is refused as the request's mistake, and the user
// stays: it was 404 "user … not found", which a client deleting takes for
// done, so that the identity provider believed each person it deleted gone
// while they stayed, and could sign in.
func TestDeletionWithAnHeirWhoIsNoUser(t *testing.T) {
	f := newSCIMFixture(t)
	f.active("bob@acme.test", "admin")
	var ann scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "ann@acme.test"}).want(http.StatusCreated, &ann)
	heir := "bob@acme.test"
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "DELETE", "/api/v1/users/bob@acme.test", nil).want(http.StatusOK, nil)
	f.call(f.key, "DELETE", "/scim/v2/Users/"+ann.ID, nil).scimError(http.StatusBadRequest, "invalidValue", "heir bob@acme.test is not a user")
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test?heir=nobody@acme.test", nil).problem(http.StatusUnprocessableEntity, "heir nobody@acme.test is not a user")
	f.call(f.key, "GET", "/scim/v2/Users/"+ann.ID, nil).want(http.StatusOK, nil)
}

// A patch giving a multi-valued attribute a list keeps of it what a
// creation keeps: the primary address, the work phone, else the first. The
// first was taken, so that a user's addresses replaced with the primary
// second were refused as a change of address (400 mutability), and a
// mobile listed before the work phone replaced it.
func TestSCIMPatchListsKeepWhatACreationKeeps(t *testing.T) {
	f := newSCIMFixture(t)
	phones := []map[string]any{{"value": "+33 6 12 34 56 78", "type": "mobile"}, {"value": "+33 1 23 45 67 89", "type": "work"}}
	var created, patched scimResource
	var phone struct {
		PhoneNumbers []struct{ Value string } `json:"phoneNumbers"`
	}
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "u@acme.test", "phoneNumbers": phones}).want(http.StatusCreated, &created).want(http.StatusCreated, &phone)
	want := phone.PhoneNumbers[0].Value
	f.call(f.key, "PATCH", "/scim/v2/Users/"+created.ID, map[string]any{"Operations": []map[string]any{
		{"op": "replace", "path": "phoneNumbers", "value": []map[string]any{phones[1], phones[0]}},
		{"op": "replace", "path": "phoneNumbers", "value": phones},
		{"op": "replace", "path": "emails", "value": []map[string]any{{"value": "u.home@other.test", "type": "home"}, {"value": "u@acme.test", "type": "work", "primary": true}}},
		{"op": "replace", "path": "title", "value": "Lead"}}}).want(http.StatusOK, &patched).want(http.StatusOK, &phone)
	if patched.UserName != "u@acme.test" || patched.Title != "Lead" || phone.PhoneNumbers[0].Value != want {
		t.Errorf("after the lists: %s, title %q, phone %q (the creation kept %q)", patched.UserName, patched.Title, phone.PhoneNumbers[0].Value, want)
	}
}
