package server

import (
	"net/http"
	"testing"
)

// An attribute of the core User or enterprise schema that roster does not
// keep (department, manager, addresses, a mobile or fax number, nickName)
// is accepted and dropped by a patch, as a creation and a replace drop
// it: one such operation made the whole patch fail (400 invalidPath),
// every cycle, so that the change beside it (a name, active false) never
// landed; so is one of another schema's extension (a custom attribute of
// Entra ID's or Okta's mapping), which no request may fail for. An
// attribute of neither (a typo) is refused by all three, changing nothing;
// a read-only one (id, meta, groups) is dropped from a body and refused in
// a patch (mutability).
func TestSCIMPatchIgnoresWhatRosterDoesNotKeep(t *testing.T) {
	f := newSCIMFixture(t)
	const ent = scimEnterpriseSchema
	var u scimResource
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{
		"schemas":  []string{scimUserSchema, ent},
		"userName": "grace@acme.test", "name": map[string]string{"givenName": "Grace", "familyName": "Hopper", "middleName": "B"},
		"nickName": "Amazing", "userType": "Employee", "active": true, "meta": map[string]string{"resourceType": "User"},
		"addresses":    []map[string]any{{"type": "work", "streetAddress": "1 rue de la Paix", "locality": "Paris", "primary": true}},
		"phoneNumbers": []map[string]any{{"type": "work", "value": "+33 1 23 45 67 89"}, {"type": "mobile", "value": "+33 6 12 34 56 78"}},
		ent:            map[string]any{"employeeNumber": "E1", "department": "Navy", "manager": map[string]string{"value": "1"}},
	}).want(http.StatusCreated, &u)
	type phoned struct {
		PhoneNumbers []struct{ Value string } `json:"phoneNumbers"`
	}
	var ph phoned
	patch := func(ops ...map[string]any) *apiAnswer {
		t.Helper()
		return f.call(f.key, "PATCH", "/scim/v2/Users/"+u.ID, map[string]any{"schemas": []string{scimPatchSchema}, "Operations": ops})
	}

	// Entra ID's default mapping, with a change of name and a deactivation.
	var after scimResource
	patch(
		map[string]any{"op": "Replace", "path": ent + ":department", "value": "Research"},
		map[string]any{"op": "Add", "path": ent + ":manager", "value": "7d0e1c9a"},
		map[string]any{"op": "Replace", "path": ent + ":costCenter", "value": "CC1"},
		map[string]any{"op": "Add", "path": `addresses[type eq "work"].streetAddress`, "value": "2 rue de Rivoli"},
		map[string]any{"op": "Add", "path": `addresses[type eq "work"].postalCode`, "value": "75001"},
		map[string]any{"op": "Replace", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+33 6 99 99 99 99"},
		map[string]any{"op": "Replace", "path": `phoneNumbers[type eq "fax"].value`, "value": "+33 1 99 99 99 99"},
		map[string]any{"op": "Replace", "path": "nickName", "value": "Grandma COBOL"},
		map[string]any{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", "value": "1"},
		map[string]any{"op": "Replace", "path": "name.familyName", "value": "Murray Hopper"},
		map[string]any{"op": "Replace", "path": "active", "value": "False"},
	).want(http.StatusOK, &after).want(http.StatusOK, &ph)
	if after.Name.FamilyName != "Murray Hopper" || after.Active || len(ph.PhoneNumbers) != 1 || ph.PhoneNumbers[0].Value != "+33123456789" {
		t.Errorf("after Entra's patch: %+v, phones %+v, want Murray Hopper, inactive, the work phone kept", after, ph)
	}
	// The work number, by its filter, is kept; so is the enterprise
	// extension's employeeNumber beside its department without a path.
	patch(
		map[string]any{"op": "Replace", "path": `phoneNumbers[type eq "work"].value`, "value": "+33 1 00 00 00 01"},
		map[string]any{"op": "Replace", "value": map[string]any{"title": "Rear Admiral", "nickName": "x", ent: map[string]any{"employeeNumber": "E2", "division": "D"}}},
		map[string]any{"op": "Remove", "path": ent + ":manager"},
		map[string]any{"op": "Remove", "path": "addresses"},
	).want(http.StatusOK, &after).want(http.StatusOK, &ph)
	if after.Title != "Rear Admiral" || after.Enterprise.EmployeeNumber != "E2" || len(ph.PhoneNumbers) != 1 || ph.PhoneNumbers[0].Value != "+33100000001" {
		t.Errorf("after the work phone, title and employeeNumber: %+v, phones %+v", after, ph)
	}

	// Refused, each with a change of title beside it that is not made.
	retitle := map[string]any{"op": "Replace", "path": "title", "value": "Gone"}
	for _, c := range []struct {
		op             map[string]any
		scimType, want string
	}{
		{map[string]any{"op": "Replace", "path": "activ", "value": false}, "invalidPath", "activ"},
		{map[string]any{"op": "Replace", "path": "name.givenNam", "value": "G"}, "invalidPath", "name.givenNam"},
		{map[string]any{"op": "Replace", "path": ent + ":departement", "value": "X"}, "invalidPath", "departement"},
		{map[string]any{"op": "Replace", "value": map[string]any{"activ": false}}, "invalidPath", "activ"},
		{map[string]any{"op": "Replace", "path": "name", "value": map[string]string{"givenNam": "G"}}, "invalidPath", "givenNam"},
		{map[string]any{"op": "Replace", "path": "id", "value": "9"}, "mutability", "id"},
		{map[string]any{"op": "Replace", "path": "meta.lastModified", "value": "2026-01-01T00:00:00Z"}, "mutability", "meta.lastModified"},
		{map[string]any{"op": "Add", "path": "groups", "value": []map[string]string{{"value": "1"}}}, "mutability", "groups"},
		{map[string]any{"op": "Replace", "value": map[string]any{"id": "9"}}, "mutability", "id"},
	} {
		patch(retitle, c.op).scimError(http.StatusBadRequest, c.scimType, c.want)
	}
	f.call(f.key, "GET", "/scim/v2/Users/"+u.ID, nil).want(http.StatusOK, &after)
	if after.Title != "Rear Admiral" {
		t.Errorf("a refused patch changed the title to %q", after.Title)
	}

	// A creation and a replace refuse what a patch refuses, and drop what
	// it drops: a typo in a creation made a pre-hire active.
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "pia@acme.test", "activ": false}).scimError(http.StatusBadRequest, "invalidSyntax", "activ")
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "pia@acme.test", "name": map[string]string{"givenNam": "Pia"}}).
		scimError(http.StatusBadRequest, "invalidSyntax", "givenNam")
	var list scimListAnswer
	f.call(f.key, "GET", filter(`userName eq "pia@acme.test"`), nil).want(http.StatusOK, &list)
	if list.TotalResults != 0 {
		t.Errorf("a refused creation created pia: %+v", list)
	}
	f.call(f.key, "PUT", "/scim/v2/Users/"+u.ID, map[string]any{"userName": "grace@acme.test", "title": "Gone", "activ": true}).
		scimError(http.StatusBadRequest, "invalidSyntax", "activ")
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "pia@acme.test",
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]string{"badge": "1"}}).want(http.StatusCreated, nil)
	f.call(f.key, "PUT", "/scim/v2/Users/"+u.ID, map[string]any{"id": "9", "meta": map[string]string{"version": `W/"v1"`}, "groups": []any{},
		"userName": "grace@acme.test", "title": "Commodore", "name": map[string]string{"givenName": "Grace", "familyName": "Hopper"},
		"addresses": []map[string]any{{"type": "work", "country": "US"}}, ent: map[string]any{"department": "Navy", "employeeNumber": "E3"}}).
		want(http.StatusOK, &after)
	if after.ID != u.ID || after.Title != "Commodore" || after.Enterprise.EmployeeNumber != "E3" || after.Active {
		t.Errorf("after a replace with read-only and unkept attributes: %+v", after)
	}
}
