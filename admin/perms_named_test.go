package admin

import (
	"errors"
	"strings"
	"testing"

	"roster/store"
)

// Every permission a change names is one of the catalogue's, revoked as well
// as granted, and none is both granted and revoked: a mistyped revocation
// (users.edti) was no change at all, said as success, so that the operator
// who took access away left it in place.
func TestPermChangeNamesKnownPermissions(t *testing.T) {
	const target = "tom.target@example.com"
	cases := []struct {
		name   string
		change PermChange
		refuse string // words of the refusal, "" when allowed
	}{
		{"revoke a mistyped permission", PermChange{Revoke: []string{"users.edti"}}, `"users.edti" is not a permission`},
		{"revoke a mistyped one beside a real one", PermChange{Revoke: []string{"users.invite", "users.editt"}}, `"users.editt" is not a permission`},
		{"with a role, revoke a mistyped one", PermChange{Role: "manager", Revoke: []string{"coaching"}}, `"coaching" is not a permission`},
		{"grant and revoke the same", PermChange{Grant: []string{"users.edit"}, Revoke: []string{" users.edit"}}, `"users.edit" is both granted and revoked`},
		{"revoke one not held", PermChange{Revoke: []string{"settings.billing"}}, ""},
		{"grant one, revoke another", PermChange{Grant: []string{"analytics.all"}, Revoke: []string{"users.invite"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(target, "manager", store.Active)
			before := f.snapshot()
			_, err := f.svc.SetPermissions(f.ctx, f.owner, target, 0, c.change)
			if c.refuse == "" {
				must(t, err)
				return
			}
			var in *InputError
			if !errors.As(err, &in) || !strings.Contains(err.Error(), c.refuse) {
				t.Fatalf("%v, want an input error saying %s", err, c.refuse)
			}
			f.unchanged(before)
		})
	}
}
