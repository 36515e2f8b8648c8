package server

import (
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

// TestSCIMOkta replays what Okta's provisioning sends, from its SCIM 2.0
// documentation: look the user up by userName, create them, read them,
// replace them, deactivate and reactivate them with a PATCH without a path;
// then a group: create, rename, add and remove members, delete.
func TestSCIMOkta(t *testing.T) {
	f := newSCIMFixture(t)
	var list scimListAnswer
	f.call(f.key, "GET", filter(`userName eq "dade.murphy@acme.test"`)+"&startIndex=1&count=100", nil).want(http.StatusOK, &list)
	if list.TotalResults != 0 || len(list.Resources) != 0 {
		t.Fatalf("before creating: %+v", list)
	}
	var u scimResource
	a := f.call(f.key, "POST", "/scim/v2/Users", map[string]any{
		"schemas":     []string{scimUserSchema},
		"userName":    "dade.murphy@acme.test",
		"name":        map[string]string{"givenName": "Dade", "familyName": "Murphy"},
		"emails":      []map[string]any{{"primary": true, "value": "dade.murphy@acme.test", "type": "work"}},
		"displayName": "Dade Murphy", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7", "groups": []string{},
		"password": "1mP@ssw0rd", "active": true,
	})
	a.want(http.StatusCreated, &u)
	if u.ID == "" || u.UserName != "dade.murphy@acme.test" || u.ExternalID != "00ujl29u0le5T6Aj10h7" || !u.Active || a.header.Get("Location") == "" {
		t.Fatalf("created %+v (Location %q)", u, a.header.Get("Location"))
	}
	// Created by SCIM: invited, the invitation mail queued.
	d, err := f.svc.User(f.ctx, f.owner, "dade.murphy@acme.test")
	if err != nil || d.Status != "invited" {
		t.Fatalf("dade is %+v, %v", d, err)
	}
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "Dade.Murphy@acme.test"}).scimError(http.StatusConflict, "uniqueness", "already a user")
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, &u)
	f.call(f.key, "GET", filter(`userName eq "DADE.MURPHY@acme.test"`), nil).want(http.StatusOK, &list)
	if list.TotalResults != 1 || list.Resources[0].ID != u.ID {
		t.Fatalf("by userName, whatever its case: %+v", list)
	}
	f.call(f.key, "PUT", "/scim/v2/Users/"+u.ID, map[string]any{
		"schemas": []string{scimUserSchema}, "id": u.ID, "userName": "dade.murphy@acme.test",
		"name":   map[string]string{"givenName": "Dade", "familyName": "Murphy-Crash"},
		"emails": []map[string]any{{"primary": true, "value": "dade.murphy@acme.test", "type": "work"}},
		"active": true, "externalId": "00ujl29u0le5T6Aj10h7", "title": "Override",
	}).want(http.StatusOK, &u)
	if u.Name.FamilyName != "Murphy-Crash" || u.Title != "Override" {
		t.Errorf("after PUT: %+v", u)
	}
	patch := func(ops ...map[string]any) map[string]any {
		return map[string]any{"schemas": []string{scimPatchSchema}, "Operations": ops}
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, patch(map[string]any{"op": "replace", "value": map[string]any{"active": false}})).want(http.StatusOK, &u)
	if d, _ := f.svc.User(f.ctx, f.owner, "dade.murphy@acme.test"); u.Active || d.Status != "deactivated" {
		t.Errorf("after active false: %+v, status %s", u, d.Status)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, patch(map[string]any{"op": "replace", "value": map[string]any{"active": true}})).want(http.StatusOK, &u)
	if d, _ := f.svc.User(f.ctx, f.owner, "dade.murphy@acme.test"); !u.Active || d.Status != "invited" {
		t.Errorf("after active true: %+v, status %s", u, d.Status)
	}

	var g scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"schemas": []string{scimGroupSchema}, "displayName": "Test SCIMv2", "members": []any{}}).
		want(http.StatusCreated, &g)
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, patch(map[string]any{"op": "replace", "value": map[string]any{"id": g.ID, "displayName": "Support"}})).
		want(http.StatusOK, &g)
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, patch(map[string]any{"op": "add", "path": "members",
		"value": []map[string]string{{"value": u.ID, "display": "dade.murphy@acme.test"}}})).want(http.StatusOK, &g)
	if g.DisplayName != "Support" || len(g.Members) != 1 || g.Members[0].Value != u.ID {
		t.Fatalf("the group after renaming and adding: %+v", g)
	}
	if d, _ := f.svc.User(f.ctx, f.owner, "dade.murphy@acme.test"); len(d.Teams) != 1 || d.Teams[0] != "Support" {
		t.Errorf("dade's teams: %v", d.Teams)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, patch(map[string]any{"op": "remove", "path": `members[value eq "` + u.ID + `"]`})).want(http.StatusOK, &g)
	if len(g.Members) != 0 {
		t.Errorf("after removing the member: %+v", g)
	}
	f.call(f.key, "DELETE", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusNoContent, nil)
	f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).scimError(http.StatusNotFound, "", "not found")
}

// TestSCIMEntra replays Microsoft Entra ID's provisioning, with its known
// deviations: operations in any case, "active": "False" as a string, paths
// with a filter and the enterprise extension's URN; lookups by externalId;
// deletion refused until an heir is set; groups with members added and
// removed by a list of values.
func TestSCIMEntra(t *testing.T) {
	f := newSCIMFixture(t)
	var list scimListAnswer
	f.call(f.key, "GET", filter(`userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"`), nil).want(http.StatusOK, &list)
	var u scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{
		"schemas":    []string{scimUserSchema, scimEnterpriseSchema},
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": "Test_User_ab6490ee@acme.test", "active": true,
		"emails": []map[string]any{{"primary": true, "type": "work", "value": "Test_User_ab6490ee@acme.test"}},
		"meta":   map[string]string{"resourceType": "User"},
		"name":   map[string]string{"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"roles":  []any{}, "title": "Engineer", "preferredLanguage": "fr-FR",
		scimEnterpriseSchema: map[string]string{"employeeNumber": "E1"},
	}).want(http.StatusCreated, &u)
	f.call(f.key, "GET", filter(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), nil).want(http.StatusOK, &list)
	if list.TotalResults != 1 || list.Resources[0].ID != u.ID || list.Resources[0].Enterprise.EmployeeNumber != "E1" {
		t.Fatalf("by externalId: %+v", list)
	}
	if d, _ := f.svc.User(f.ctx, f.owner, u.UserName); d.Locale != "fr" || d.Position != "Engineer" {
		t.Errorf("created from Entra: locale %q, position %q", d.Locale, d.Position)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"schemas": []string{scimPatchSchema}, "Operations": []map[string]any{
		{"op": "Add", "path": "title", "value": "Lead"},
		{"op": "Replace", "path": "name.givenName", "value": "Grace"},
		{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "E42"},
		{"op": "Replace", "path": `phoneNumbers[type eq "work"].value`, "value": "+33612345678"},
		{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "Test_User_ab6490ee@acme.test"},
	}}).want(http.StatusOK, &u)
	if u.Title != "Lead" || u.Name.GivenName != "Grace" || u.Enterprise.EmployeeNumber != "E42" {
		t.Errorf("after Entra's patch: %+v", u)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": "active", "value": "False"}}}).
		want(http.StatusOK, &u)
	if u.Active {
		t.Error(`"active": "False" did not deactivate`)
	}
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "other@acme.test"}}}).
		scimError(http.StatusBadRequest, "mutability", "userName cannot change")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": "nickName", "value": "x"}}}).
		scimError(http.StatusBadRequest, "invalidPath", "nickName")

	var g scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"externalId": "8aa1a0c0", "displayName": "Group1DisplayName", "schemas": []string{scimGroupSchema}}).
		want(http.StatusCreated, &g)
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": []map[string]any{{"op": "Add", "path": "members", "value": []map[string]string{{"value": u.ID}}}}}).
		want(http.StatusOK, &g)
	f.call(f.key, "GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "Group1DisplayName"`)+"&excludedAttributes=members", nil).want(http.StatusOK, &list)
	if list.TotalResults != 1 || list.Resources[0].Members != nil {
		t.Errorf("the group by displayName, without members: %+v", list)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": []map[string]any{{"op": "Remove", "path": "members", "value": []map[string]string{{"value": u.ID}}}}}).
		want(http.StatusOK, &g)
	if len(g.Members) != 0 {
		t.Errorf("after removing: %+v", g)
	}

	// Deleting needs an heir for what the user owns.
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil).scimError(http.StatusBadRequest, "mutability", "roster account --scim-heir")
	heir := webOwner
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "DELETE", "/scim/v2/Users/"+u.ID, nil).want(http.StatusNoContent, nil)
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).scimError(http.StatusNotFound, "", "not found")
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
