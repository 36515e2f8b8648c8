package server

import (
	"net/http"
	"strings"
	"testing"

	"roster/admin"
)

// A group has a version, as /ServiceProviderConfig says resources do
// (etag supported): meta.version and the ETag of each answer, which
// changes when its name or its members change, however they changed (a
// member deleted, a member added on the dashboard), and not otherwise.
// If-Match guards a replace, a patch and a deletion of it, as a user's: a
// stale version is 412 and the group stays as it was. Groups had none,
// and a provider's change made over another's.
func TestSCIMGroupVersions(t *testing.T) {
	f := newSCIMFixture(t)
	var ann, bob, g scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "ann@acme.test"}).want(http.StatusCreated, &ann)
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "bob@acme.test"}).want(http.StatusCreated, &bob)
	var meta struct {
		Meta struct{ Version string }
	}
	tag := func(a *apiAnswer) string {
		t.Helper()
		a.want(a.status, &meta)
		if e := a.header.Get("ETag"); e == "" || e != meta.Meta.Version || !strings.HasPrefix(e, `W/"`) {
			t.Fatalf("ETag %q, meta.version %q", e, meta.Meta.Version)
		}
		return meta.Meta.Version
	}
	get := func() string {
		t.Helper()
		return tag(f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusOK, nil))
	}
	patch := func(ifMatch string, ops ...map[string]any) *apiAnswer {
		return f.call(f.key, "PATCH", "/scim/v2/Groups/"+g.ID, map[string]any{"Operations": ops}, "If-Match", ifMatch)
	}
	add := func(id string) map[string]any {
		return map[string]any{"op": "add", "path": "members", "value": []map[string]string{{"value": id}}}
	}
	v1 := tag(f.call(f.key, "POST", "/scim/v2/Groups", map[string]any{"displayName": "Support"}).want(http.StatusCreated, &g))
	if get() != v1 {
		t.Fatal("the version changed with nothing changed")
	}
	v2 := tag(patch(v1, add(ann.ID)).want(http.StatusOK, nil))
	if v2 == v1 {
		t.Fatal("the version stayed as a member was added")
	}
	// Stale: refused, whatever the act; the group stays.
	patch(v1, add(bob.ID)).scimError(http.StatusPreconditionFailed, "", "changed since you read it")
	f.call(f.key, "PUT", "/scim/v2/Groups/"+g.ID, map[string]any{"displayName": "Desk"}, "If-Match", v1).
		scimError(http.StatusPreconditionFailed, "", "changed since you read it")
	f.call(f.key, "DELETE", "/scim/v2/Groups/"+g.ID, nil, "If-Match", v1).scimError(http.StatusPreconditionFailed, "", "changed since you read it")
	f.call(f.key, "DELETE", "/scim/v2/Groups/"+g.ID, nil, "If-Match", `"elsewhere"`).scimError(http.StatusPreconditionFailed, "", "changed since you read it")
	var got scimResource
	f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).want(http.StatusOK, &got)
	if got.DisplayName != "Support" || len(got.Members) != 1 || get() != v2 {
		t.Fatalf("after the stale changes: %+v", got)
	}
	// A rename changes it; the strong form of a tag, and *, match.
	v3 := tag(f.call(f.key, "PUT", "/scim/v2/Groups/"+g.ID, map[string]any{"displayName": "Help desk", "members": []map[string]string{{"value": ann.ID}}},
		"If-Match", strings.TrimPrefix(v2, "W/")).want(http.StatusOK, nil))
	if v3 == v2 {
		t.Fatal("the version stayed as the group was renamed")
	}
	v4 := tag(patch("*", add(bob.ID)).want(http.StatusOK, nil))
	// Changes made elsewhere than SCIM change it too: a member leaving on
	// the dashboard, a member deleted.
	if _, err := f.svc.Edit(f.ctx, f.owner, "bob@acme.test", 0, admin.Profile{RemoveTeams: []string{"Help desk"}}); err != nil {
		t.Fatal(err)
	}
	v5 := get()
	if v5 == v4 {
		t.Fatal("the version stayed as bob left on the dashboard")
	}
	heir := webOwner
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMHeir: &heir}); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "cy@acme.test"}).want(http.StatusCreated, &got)
	v5 = tag(patch(v5, add(got.ID)).want(http.StatusOK, nil))
	f.call(f.key, "DELETE", "/scim/v2/Users/"+got.ID, nil).want(http.StatusNoContent, nil)
	if v := get(); v == v5 {
		t.Fatal("the version stayed as a member was deleted")
	} else {
		v5 = v
	}
	var list struct {
		Resources []struct{ Meta struct{ Version string } }
	}
	f.call(f.key, "GET", "/scim/v2/Groups?excludedAttributes=members", nil).want(http.StatusOK, &list)
	if len(list.Resources) != 1 || list.Resources[0].Meta.Version != v5 {
		t.Errorf("the listing's versions: %+v, want %s", list.Resources, v5)
	}
	f.call(f.key, "DELETE", "/scim/v2/Groups/"+g.ID, nil, "If-Match", v5).want(http.StatusNoContent, nil)
	f.call(f.key, "GET", "/scim/v2/Groups/"+g.ID, nil).scimError(http.StatusNotFound, "", "not found")
}
