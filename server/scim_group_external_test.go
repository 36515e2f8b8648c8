package server

import (
	"net/http"
	"testing"
)

// A group keeps the provider's ID of it (externalId): Entra ID sends the
// group's object ID on creation, and patches it whenever the group read
// back lacks it, which roster refused, 400 each cycle. It is answered,
// changed by a replace or a patch, with or without a path, and removed;
// each change is audited and gives the group a new version.
func TestSCIMGroupExternalID(t *testing.T) {
	f := newSCIMFixture(t)
	var g, got scimResource
	f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support", "externalId": "obj-1"}).want(http.StatusCreated, &g)
	read := func() (scimResource, string) {
		t.Helper()
		var r scimResource
		a := f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusOK, &r)
		return r, a.header.Get("ETag")
	}
	got, v1 := read()
	if g.ExternalID != "obj-1" || got.ExternalID != "obj-1" {
		t.Fatalf("created with externalId obj-1: answered %q, read %q", g.ExternalID, got.ExternalID)
	}
	patch := func(ops ...map[string]any) {
		t.Helper()
		f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}).want(http.StatusOK, nil)
	}
	patch(map[string]any{"op": "Replace", "path": "externalId", "value": "obj-2"}) // Entra's
	got, v2 := read()
	if got.ExternalID != "obj-2" || v2 == v1 {
		t.Fatalf("after a patch of externalId: %q, version %s then %s", got.ExternalID, v1, v2)
	}
	patch(map[string]any{"op": "replace", "value": map[string]any{"externalId": "obj-3", "displayName": "Help desk"}})
	if got, _ = read(); got.ExternalID != "obj-3" || got.DisplayName != "Help desk" {
		t.Fatalf("after a patch without a path: %+v", got)
	}
	patch(map[string]any{"op": "remove", "path": "externalId"})
	if got, _ = read(); got.ExternalID != "" {
		t.Fatalf("after its removal, externalId %q", got.ExternalID)
	}
	f.call(f.key, "PUT", "/scim/v2/Groups/"+g.ID, map[string]any{"displayName": "Help desk", "externalId": "obj-4"}).want(http.StatusOK, nil)
	if got, _ = read(); got.ExternalID != "obj-4" {
		t.Fatalf("after a replace, externalId %q", got.ExternalID)
	}
	f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": []map[string]any{
		{"op": "replace", "path": "externalId", "value": 42}}}).scimError(http.StatusBadRequest, "invalidValue", "externalId: a string")
	var audited int
	if err := f.raw.QueryRow(`SELECT count(*) FROM audit WHERE action = 'team.external_id'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 5 { // obj-1, obj-2, obj-3, removed, obj-4
		t.Fatalf("%d changes of the group's externalId audited, want 5", audited)
	}
}
