package admin

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"roster/store"
)

// NewUserProblems says every problem of a row, one a field, the first being
// what CheckNewUser says; a row CheckNewUser accepts has none.
func TestNewUserProblems(t *testing.T) {
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	f.addUser("ann.active@example.com", "member", store.Active)
	f.addUser("max.manager@example.com", "manager", store.Active)
	long := strings.Repeat("x", 101)
	for _, c := range []struct {
		name   string
		by     string
		row    NewUser
		opt    InviteOptions
		fields []string // of the problems, in order; "denied" for a *DeniedError
	}{
		{"valid", ownerEmail, NewUser{Email: "bob@example.com", FirstName: "Bob", Phone: "0612345678", Teams: []string{"Support"}}, InviteOptions{}, nil},
		{"every field", ownerEmail, NewUser{Email: "maintenance@example.com", FirstName: long, LastName: long, Phone: "+12",
			Teams: []string{"Sales"}, Tags: []string{long}}, InviteOptions{}, []string{"email", "first name", "last name", "phone", "team", "tag"}},
		{"role mailbox allowed", ownerEmail, NewUser{Email: "maintenance@example.com", Phone: "+12"}, InviteOptions{AllowRoleAddress: true}, []string{"phone"}},
		{"no address", ownerEmail, NewUser{Phone: "+12", Teams: []string{"Sales"}}, InviteOptions{}, []string{"email", "phone", "team"}},
		{"already a user", ownerEmail, NewUser{Email: "ann.active@example.com", Locale: "de"}, InviteOptions{}, []string{"email", "locale"}},
		{"role above the operator's", "max.manager@example.com", NewUser{Email: "bob@example.com", Role: "admin", Position: long}, InviteOptions{}, []string{"position", "denied"}},
		{"role above, bad address", "max.manager@example.com", NewUser{Email: "bob@", Role: "admin"}, InviteOptions{}, []string{"email", "denied"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems, err := f.svc.NewUserProblems(f.ctx, as(c.by), c.row, c.opt)
			must(t, err)
			var fields []string
			for _, p := range problems {
				var in *InputError
				if errors.As(p, &in) {
					fields = append(fields, in.Field)
				} else {
					fields = append(fields, "denied")
				}
			}
			if !slices.Equal(fields, c.fields) {
				t.Fatalf("problems of %v: %v, want %v", fields, problems, c.fields)
			}
			first := f.svc.CheckNewUser(f.ctx, as(c.by), c.row, c.opt)
			if (first == nil) != (len(problems) == 0) || (first != nil && first.Error() != problems[0].Error()) {
				t.Fatalf("CheckNewUser says %v; the first problem is %v", first, problems)
			}
		})
	}
	// An unknown operator is an error of the call, not a problem of the row.
	if _, err := f.svc.NewUserProblems(f.ctx, as("nobody@example.com"), NewUser{Email: "bob@example.com"}, InviteOptions{}); err == nil {
		t.Fatal("an unknown operator's check did not fail")
	}
}
