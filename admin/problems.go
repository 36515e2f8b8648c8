package admin

import (
	"context"
	"errors"
	"strings"

	"roster/store"
)

// NewUserProblems says everything that is wrong with one row of an
// invitation, where CheckNewUser says only the first thing: the invite form
// shows a row's problems all at once, as the operator types. The problems
// are *InputError (at most one a field) and *DeniedError, in the order
// CheckNewUser would meet them; none for a row it accepts. The error is for
// the whole call: the store failed, or the operator may not act.
func (s *Service) NewUserProblems(ctx context.Context, a Actor, r NewUser, opt InviteOptions) ([]error, error) {
	var problems []error
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		var denied error // what the operator may not give: checked last
		add := func(err error) error {
			var in *InputError
			var dn *DeniedError
			switch {
			case errors.As(err, &in):
				problems = append(problems, err)
			case errors.As(err, &dn):
				denied = err
			default:
				return err
			}
			return nil
		}
		// The address and the role, with what the operator may give, as
		// CheckNewUser checks them; then each other field on its own, so
		// that a bad address or name hides nothing after it.
		_, err = s.checkNewUser(ctx, q, op, acct, NewUser{Email: r.Email, Role: r.Role}, opt, nil)
		if add(err) != nil {
			return err
		}
		var in *InputError
		if errors.As(err, &in) && in.Field == "email" {
			// The address hid the role: may the operator give it?
			role := strings.ToLower(strings.TrimSpace(r.Role))
			if role == "" {
				role = "member"
			}
			if KnownRole(role) {
				add(op.mayGive(role, Presets[role], nil))
			}
		}
		for _, p := range []NewUser{{FirstName: r.FirstName}, {LastName: r.LastName}, {Position: r.Position},
			{ReferenceID: r.ReferenceID}, {Phone: r.Phone}, {Locale: r.Locale}} {
			err := s.checkProfile(ctx, q, acct, &store.User{}, p.FirstName, p.LastName, p.Phone, p.Position, p.ReferenceID, p.Locale)
			if add(err) != nil {
				return err
			}
		}
		if _, err := checkGroups(ctx, q, teamKind, r.Teams, nil); add(err) != nil {
			return err
		}
		if _, err := checkGroups(ctx, q, branchKind, r.Branches, nil); add(err) != nil {
			return err
		}
		if _, err := checkTags(r.Tags); add(err) != nil {
			return err
		}
		if denied != nil {
			problems = append(problems, denied)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return problems, nil
}
