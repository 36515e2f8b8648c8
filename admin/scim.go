package admin

import (
	"context"
	"errors"
	"strings"

	"roster/store"
)

// ProvisionUser creates a user for an identity provider (SCIM): invited,
// their invitation mail queued, or staged when the account says so
// (roster account --scim-staged), with the provider's ID for them, and
// deactivated at once when active is false; all in one transaction with its
// audit rows, on Invite's and Deactivate's rules. Refused, it leaves no user
// behind: the provider sends the creation again, which would otherwise fail
// for good on an address already taken.
func (s *Service) ProvisionUser(ctx context.Context, a Actor, r NewUser, externalID string, active bool) (*store.User, error) {
	var out *store.User
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.invite", "inviting users"); err != nil {
			return err
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		u, err := s.checkNewUser(ctx, q, op, acct, r, InviteOptions{Staged: acct.SCIMStaged}, nil)
		if err != nil {
			return err
		}
		if err := s.createUsers(ctx, q, op, acct, []*store.User{u}, acct.SCIMStaged); err != nil {
			return err
		}
		out = u
		if externalID != "" {
			if err := s.setExternalID(ctx, q, op, u, externalID); err != nil {
				return err
			}
		}
		if active {
			return nil
		}
		return s.setActive(ctx, q, op, acct, u, false)
	})
	return out, err
}

// ProvisionedProfile is what an identity provider keeps of a user (a SCIM
// User): their profile, their ID with the provider, and whether they are
// active. Email is theirs for good: roster knows a person by their address.
type ProvisionedProfile struct {
	Email                                                     string
	FirstName, LastName, Phone, Position, ReferenceID, Locale string
	ExternalID                                                string
	Active                                                    bool
}

// ReprovisionUser changes the user whose ID is id, if they are still at
// version (0: whatever it is), as an identity provider's replace or patch
// says: change is given the user as they are and makes them what the
// provider wants. Inside one transaction, the profile is then written on
// Edit's rules, the provider's ID recorded, and the user deactivated or
// reactivated on Deactivate's and Reactivate's. An error of change's or a
// refusal of any part leaves the user as they were: a PATCH is atomic (RFC
// 7644 3.5.2), and an owner's title changed by the request that failed to
// deactivate them was a change the provider believed refused.
func (s *Service) ReprovisionUser(ctx context.Context, a Actor, id, version int64, change func(*ProvisionedProfile) error) (*store.User, error) {
	var out *store.User
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := q.UserByID(ctx, id, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return notFound("user %d", id)
		} else if err != nil {
			return err
		}
		if version != 0 && version != u.Version {
			return &ConflictError{Email: u.Email, By: u.UpdatedBy, At: u.UpdatedAt}
		}
		ext, err := q.ExternalIDs(ctx, u.ID)
		if err != nil {
			return err
		}
		was := ProvisionedProfile{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone, Position: u.Position,
			ReferenceID: u.ReferenceID, Locale: u.Locale, ExternalID: ext[u.ID], Active: u.Status != store.Deactivated}
		p := was
		if err := change(&p); err != nil {
			return err
		}
		if !strings.EqualFold(strings.TrimSpace(p.Email), u.Email) {
			return inputErr("email", "cannot change: roster knows a person by their address")
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		next := *u
		if err := s.checkProfile(ctx, q, acct, &next, p.FirstName, p.LastName, p.Phone, p.Position, p.ReferenceID, p.Locale); err != nil {
			return err
		}
		edited := next.FirstName != u.FirstName || next.LastName != u.LastName || next.Phone != u.Phone || next.Position != u.Position ||
			next.ReferenceID != u.ReferenceID || next.Locale != u.Locale
		if edited || p.ExternalID != was.ExternalID {
			if err := op.mayActOn(u, "users.edit", "editing profiles", "edit"); err != nil {
				return err
			}
		}
		if edited {
			before := profileOf(u)
			if err := s.update(ctx, q, op, &next, 0); err != nil {
				return err
			}
			*u = next
			if err := s.audit(ctx, q, op.User, op.channel, "user.edit", u, before, profileOf(u)); err != nil {
				return err
			}
		}
		if p.ExternalID != was.ExternalID {
			if err := s.setExternalID(ctx, q, op, u, p.ExternalID); err != nil {
				return err
			}
		}
		out = u
		if p.Active == was.Active {
			return nil
		}
		return s.setActive(ctx, q, op, acct, u, p.Active)
	})
	return out, err
}

// setActive deactivates u or reactivates them, in the caller's transaction,
// on the rules of ActOnUsers' acts.
func (s *Service) setActive(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User, active bool) error {
	act := DeactivateUsers
	if active {
		act = ReactivateUsers
	}
	rule, err := s.userRule(ctx, UserBatch{Act: act})
	if err != nil {
		return err
	}
	write, err := rule(ctx, q, op, acct, u)
	if err != nil {
		return err
	}
	return write()
}

// MayProvision refuses an actor who may not administer users at all (holds
// no users.* permission), as every SCIM act would: the server asks it
// before reading what a request sends, so that a refused key costs nothing
// however large its filter. Each act checks its own permission again.
func (s *Service) MayProvision(ctx context.Context, a Actor) error {
	return s.read(ctx, a, func(*store.Q, *operator) error { return nil })
}

// UserByExternalID is the email of the user the identity provider knows by
// externalID.
func (s *Service) UserByExternalID(ctx context.Context, a Actor, externalID string) (string, error) {
	var email string
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		id, err := q.UserIDByExternalID(ctx, externalID)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("user with externalId %q", externalID)
		} else if err != nil {
			return err
		}
		u, err := q.UserByID(ctx, id, s.Now())
		if err != nil {
			return err
		}
		email = u.Email
		return nil
	})
	return email, err
}

// ExternalIDs reads the identity provider's IDs of users, by user ID.
func (s *Service) ExternalIDs(ctx context.Context, a Actor, userIDs ...int64) (map[int64]string, error) {
	var out map[int64]string
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = q.ExternalIDs(ctx, userIDs...)
		return err
	})
	return out, err
}

// UserByID reads one user by their ID, as SCIM names them.
func (s *Service) UserByID(ctx context.Context, a Actor, id int64) (*UserDetail, error) {
	var email string
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := q.UserByID(ctx, id, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return notFound("user %d", id)
		} else if err != nil {
			return err
		}
		email = u.Email
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, a, email)
}
