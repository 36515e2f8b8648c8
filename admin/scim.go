package admin

import (
	"context"
	"errors"

	"roster/store"
)

// ProvisionUser creates a user for an identity provider (SCIM): invited,
// their invitation mail queued, or staged when the account says so
// (roster account --scim-staged), with the provider's ID for them; all in
// one transaction with its audit rows, on Invite's rules.
func (s *Service) ProvisionUser(ctx context.Context, a Actor, r NewUser, externalID string) (*store.User, error) {
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
		if externalID == "" {
			return nil
		}
		return s.setExternalID(ctx, q, op, u, externalID)
	})
	return out, err
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
