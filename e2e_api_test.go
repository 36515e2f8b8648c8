package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestE2EAPI drives the HTTP API of a real roster serve with a key made by
// the command line: the users list, an edit refused for a stale ETag and
// accepted with the fresh one, and the OpenAPI description beside it.
func TestE2EAPI(t *testing.T) {
	n := newAPINode(t)
	e, call := n.e, n.do
	status, _, body := call("GET", "/api/v1/users", "")
	var page struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Users) != 1 || page.Users[0].Email != "boss@acme.test" {
		t.Fatalf("GET /api/v1/users: %d %s", status, body)
	}
	_, h, _ := call("GET", "/api/v1/users/boss@acme.test", "")
	etag := h.Get("ETag")
	e.cli("edit", "boss@acme.test", "--position", "CEO") // another door changes it meanwhile
	if status, _, body := call("PATCH", "/api/v1/users/boss@acme.test", `{"first_name":"Bertha"}`, "If-Match", etag); status != http.StatusPreconditionFailed ||
		!strings.Contains(body, "since you read it") {
		t.Errorf("a stale edit: %d %s", status, body)
	}
	_, h, _ = call("GET", "/api/v1/users/boss@acme.test", "")
	if status, _, body := call("PATCH", "/api/v1/users/boss@acme.test", `{"first_name":"Bertha"}`, "If-Match", h.Get("ETag")); status != 200 {
		t.Errorf("an edit with the fresh ETag: %d %s", status, body)
	}
	if status, _, body := call("GET", "/api/v1/openapi.json", ""); status != 200 || !strings.Contains(body, `"/api/v1/users/{email}"`) {
		t.Errorf("openapi.json: %d", status)
	}
	// SCIM beside it: Okta's first two calls, a lookup by userName then the
	// creation, and the person is invited.
	if status, _, body := call("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "dade@acme.test"`), ""); status != 200 ||
		!strings.Contains(body, `"totalResults":0`) {
		t.Errorf("SCIM lookup before creating: %d %s", status, body)
	}
	if status, _, body := call("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dade@acme.test",`+
		`"name":{"givenName":"Dade","familyName":"Murphy"},"externalId":"00u1","active":true}`); status != http.StatusCreated {
		t.Errorf("SCIM create: %d %s", status, body)
	}
	if u := cliJSON[e2eUser](e, "user", "dade@acme.test"); u.Status != "invited" {
		t.Errorf("the user SCIM created is %s, want invited", u.Status)
	}
	// The pages are still served beside the API.
	if status, _, _ := call("GET", "/forgot", ""); status != 200 {
		t.Errorf("/forgot beside the API: %d", status)
	}
}
