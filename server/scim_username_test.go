package server

import (
	"net/http"
	"strings"
	"testing"
)

// Entra ID maps userName to the UPN, which is not the person's address:
// roster keeps the userName as sent, answers it, and finds the user by it,
// whatever its case, so that the provider's lookup before each change
// finds whom it created. userName was the address (emails' primary): the
// lookup by the UPN found nobody, the provider created the person again,
// was refused, and was stuck after its first cycle. A user created outside
// SCIM, or before roster kept userNames, is known by their address. A
// userName another user has, given or as their address, is 409
// uniqueness; a patch or a replace changes it, audited, with a new ETag,
// and the person's address, where roster writes, stays.
func TestSCIMUserNameIsNotTheAddress(t *testing.T) {
	f := newSCIMFixture(t)
	type user struct {
		scimResource
		Emails []struct {
			Value   string
			Primary bool
		}
	}
	var jean user
	created := f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "jdupont@acme.onmicrosoft.com", "externalId": "e-1",
		"emails": []map[string]any{{"value": "jean.dupont@acme.fr", "type": "work", "primary": true}}}).want(http.StatusCreated, &jean)
	if jean.UserName != "jdupont@acme.onmicrosoft.com" || len(jean.Emails) != 1 || jean.Emails[0].Value != "jean.dupont@acme.fr" {
		t.Fatalf("created: userName %q, emails %+v", jean.UserName, jean.Emails)
	}
	if d, err := f.svc.User(f.ctx, f.owner, "jean.dupont@acme.fr"); err != nil || d.Status != "invited" {
		t.Fatalf("jean.dupont@acme.fr is not invited: %v", err)
	}
	find := func(q string, want ...string) {
		t.Helper()
		var l scimListAnswer
		f.call(f.key, "GET", filter(q), nil).want(http.StatusOK, &l)
		var got []string
		for _, r := range l.Resources {
			got = append(got, r.ID+" "+r.UserName)
		}
		if len(got) != len(want) || l.TotalResults != len(want) {
			t.Errorf("%s: %v, want %v", q, got, want)
			return
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", q, got, want)
			}
		}
	}
	upn := jean.ID + " jdupont@acme.onmicrosoft.com"
	find(`userName eq "jdupont@acme.onmicrosoft.com"`, upn)
	find(`userName eq "JDupont@ACME.onmicrosoft.com"`, upn)
	find(`userName eq "jean.dupont@acme.fr"`) // the address is not their userName
	find(`emails eq "jean.dupont@acme.fr"`, upn)
	find(`userName sw "JDUPONT@"`, upn)
	find(`userName eq "jdupont@acme.onmicrosoft.com" and externalId eq "e-1"`, upn)
	find(`userName eq "`+webOwner+`"`, "1 "+webOwner) // created outside SCIM: their address

	// Taken, whatever its case, given or as an address: 409.
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "JDUPONT@acme.onmicrosoft.com",
		"emails": []map[string]any{{"value": "jules.dupont@acme.fr", "primary": true}}}).scimError(http.StatusConflict, "uniqueness", "another user's")
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": webOwner,
		"emails": []map[string]any{{"value": "olive.other@acme.fr", "primary": true}}}).scimError(http.StatusConflict, "uniqueness", "another user's")
	var paul user
	f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": "pmartin@acme.onmicrosoft.com",
		"emails": []map[string]any{{"value": "paul.martin@acme.fr", "primary": true}}}).want(http.StatusCreated, &paul)
	f.call(f.key, "PATCH", "/scim/v2/Users/"+paul.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "userName", "value": "jdupont@acme.onmicrosoft.com"}}}).
		scimError(http.StatusConflict, "uniqueness", "another user's")

	// Changed by a patch, then by a replace: the address stays.
	var after user
	changed := f.call(f.key, "PATCH", "/scim/v2/Users/"+jean.ID, map[string]any{"Operations": []map[string]any{
		{"op": "Replace", "path": "userName", "value": "jean.dupont@acme.onmicrosoft.com"}}}).want(http.StatusOK, &after)
	if after.UserName != "jean.dupont@acme.onmicrosoft.com" || after.Emails[0].Value != "jean.dupont@acme.fr" {
		t.Errorf("after the patch: userName %q, emails %+v", after.UserName, after.Emails)
	}
	if changed.header.Get("ETag") == created.header.Get("ETag") {
		t.Errorf("the ETag stayed %s as the userName changed", changed.header.Get("ETag"))
	}
	f.call(f.key, "PUT", "/scim/v2/Users/"+jean.ID, map[string]any{"userName": "jd@acme.onmicrosoft.com", "title": "Lead"},
		"If-Match", created.header.Get("ETag")).scimError(http.StatusPreconditionFailed, "", "since you read it")
	f.call(f.key, "PUT", "/scim/v2/Users/"+jean.ID, map[string]any{"userName": "jd@acme.onmicrosoft.com", "title": "Lead",
		"emails": []map[string]any{{"value": "Jean.Dupont@acme.fr", "primary": true}}}, "If-Match", changed.header.Get("ETag")).want(http.StatusOK, &after)
	if after.UserName != "jd@acme.onmicrosoft.com" || after.Emails[0].Value != "jean.dupont@acme.fr" || after.Title != "Lead" {
		t.Errorf("after the replace: %+v", after)
	}
	find(`userName eq "jdupont@acme.onmicrosoft.com"`)
	find(`userName eq "jd@acme.onmicrosoft.com"`, jean.ID+" jd@acme.onmicrosoft.com")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+jean.ID, map[string]any{"Operations": []map[string]any{{"op": "remove", "path": "userName"}}}).
		scimError(http.StatusBadRequest, "mutability", "userName")

	var names []string
	for _, a := range mustAudit(t, f, "user.external_id") {
		if strings.Contains(a, "user_name") {
			names = append(names, a)
		}
	}
	want := []string{`{"user_name":""} → {"user_name":"jdupont@acme.onmicrosoft.com"}`, `{"user_name":""} → {"user_name":"pmartin@acme.onmicrosoft.com"}`,
		`{"user_name":"jdupont@acme.onmicrosoft.com"} → {"user_name":"jean.dupont@acme.onmicrosoft.com"}`,
		`{"user_name":"jean.dupont@acme.onmicrosoft.com"} → {"user_name":"jd@acme.onmicrosoft.com"}`}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("the userNames' audit rows:\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

// mustAudit lists the audit rows of action, each its before and after.
func mustAudit(t *testing.T, f *apiFixture, action string) []string {
	t.Helper()
	rows, err := f.raw.Query("SELECT coalesce(before, ''), coalesce(after, '') FROM audit WHERE action = ? ORDER BY id", action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b, a string
		if err := rows.Scan(&b, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, b+" → "+a)
	}
	return out
}
