package server

import (
	"net/http"
	"net/url"
	"testing"
)

// A schema is read by its URI and a resource type by its name (RFC 7644
// 4): they were not routed, and answered 404 "no such SCIM resource". The
// User schema says userName is required and unique whatever its case, as
// roster keeps it (409 uniqueness), and displayName is neither.
func TestSCIMDiscoveryByID(t *testing.T) {
	f := newSCIMFixture(t)
	var schema struct {
		ID         string
		Attributes []struct {
			Name       string
			Required   bool
			Uniqueness string
			CaseExact  *bool
		}
	}
	f.call(f.key, "GET", "/scim/v2/Schemas/"+url.PathEscape(scimUserSchema), nil).want(http.StatusOK, &schema)
	if schema.ID != scimUserSchema {
		t.Fatalf("the User schema: %+v", schema)
	}
	for _, a := range schema.Attributes {
		switch a.Name {
		case "userName":
			if !a.Required || a.Uniqueness != "server" || a.CaseExact == nil || *a.CaseExact {
				t.Errorf("userName: %+v, want required, unique, not caseExact", a)
			}
		case "displayName":
			if a.Required || a.Uniqueness != "none" {
				t.Errorf("a user's displayName: %+v, want neither required nor unique", a)
			}
		}
	}
	var group struct{ ID string }
	f.call(f.key, "GET", "/scim/v2/Schemas/"+scimGroupSchema, nil).want(http.StatusOK, &group)
	if group.ID != scimGroupSchema {
		t.Errorf("the Group schema: %+v", group)
	}
	var rt struct{ ID, Endpoint, Schema string }
	f.call(f.key, "GET", "/scim/v2/ResourceTypes/User", nil).want(http.StatusOK, &rt)
	if rt.ID != "User" || rt.Endpoint != "/Users" || rt.Schema != scimUserSchema {
		t.Errorf("the User resource type: %+v", rt)
	}
	f.call(f.key, "GET", "/scim/v2/ResourceTypes/Group", nil).want(http.StatusOK, &rt)
	if rt.ID != "Group" || rt.Endpoint != "/Groups" {
		t.Errorf("the Group resource type: %+v", rt)
	}
	f.call(f.key, "GET", "/scim/v2/Schemas/urn:example:nothing", nil).scimError(http.StatusNotFound, "", "schema")
	f.call(f.key, "GET", "/scim/v2/ResourceTypes/Device", nil).scimError(http.StatusNotFound, "", "resource type")
	f.call("", "GET", "/scim/v2/Schemas/"+scimUserSchema, nil).scimError(http.StatusUnauthorized, "", "API key")
}

// /Me and /Bulk, SCIM endpoints roster does not implement, are 501 (RFC
// 7644 3.11, 3.12), which a client reads as not supported; they were 404,
// as if the resource were not there.
func TestSCIMUnimplementedEndpoints(t *testing.T) {
	f := newSCIMFixture(t)
	f.call(f.key, "GET", "/scim/v2/Me", nil).scimError(http.StatusNotImplemented, "", "/Me is not implemented")
	f.call(f.key, "PATCH", "/scim/v2/Me/x", map[string]any{}).scimError(http.StatusNotImplemented, "", "/Me is not implemented")
	f.call(f.key, "POST", "/scim/v2/Bulk", map[string]any{"Operations": []any{}}).scimError(http.StatusNotImplemented, "", "/Bulk is not implemented")
	f.call("", "GET", "/scim/v2/Me", nil).scimError(http.StatusUnauthorized, "", "API key")
	f.call(f.key, "GET", "/scim/v2/Nothing", nil).scimError(http.StatusNotFound, "", "no such SCIM resource")
}
