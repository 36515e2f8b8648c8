package admin

import (
	"context"
	"errors"

	"roster/store"
)

// ProvisionUser creates a user for an identity provider (SCIM): invited,
// their invitation mail queued, or staged when the account says so
// (roster account --scim-staged), with what the provider knows them by
// (its ID for them, the userName it gave them: setUserName); all in
// one transaction with its audit rows, on Invite's rules. Created with
// active false (a pre-hire, whom Entra ID and Okta make active on their
// start date), they are staged and deactivated at once, on Deactivate's
// rules: nothing is mailed until they are made active (ReprovisionUser),
// which sends their invitation then. Refused, it leaves no user behind:
// the provider sends the creation again, which would otherwise fail for
// good on an address already taken.
func (s *Service) ProvisionUser(ctx context.Context, a Actor, r NewUser, ids store.SCIMIDs, active bool) (*store.User, error) {
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
		if err := s.createUsers(ctx, q, op, acct, []*store.User{u}, acct.SCIMStaged || !active); err != nil {
			return err
		}
		out = u
		if ids.ExternalID != "" {
			if err := s.setExternalID(ctx, q, op, u, ids.ExternalID); err != nil {
				return err
			}
		}
		if err := s.setUserName(ctx, q, op, u, ids.UserName); err != nil {
			return err
		}
		if active {
			return nil
		}
		return s.setActive(ctx, q, op, acct, u, false)
	})
	return out, err
}

// ProvisionedProfile is what an identity provider keeps of a user (a SCIM
// User): their profile, their ID with the provider, the userName it gave
// them (their address when it gave none), and whether they are active.
// Email is theirs for good: roster knows a person by their address.
type ProvisionedProfile struct {
	Email, UserName                                           string
	FirstName, LastName, Phone, Position, ReferenceID, Locale string
	ExternalID                                                string
	Active                                                    bool
}

// ReprovisionUser changes the user whose ID is id, if they are still at
// version (0: whatever it is), as an identity provider's replace or patch
// says: change is given the user as they are and makes them what the
// provider wants. Inside one transaction, the profile is then written on
// Edit's rules, the provider's ID recorded, and the user deactivated or
// reactivated on Deactivate's and Reactivate's: one made active who never
// accepted their invitation (a pre-hire on their start date) is sent one
// then, valid from then, or staged on an account that stages the people
// SCIM creates. An error of change's or a
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
		if err := stale(u, version); err != nil {
			return err
		}
		ids, err := q.SCIMIDsOf(ctx, u.ID)
		if err != nil {
			return err
		}
		was := ProvisionedProfile{Email: u.Email, UserName: UserNameOf(u, ids[u.ID]), FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone,
			Position: u.Position, ReferenceID: u.ReferenceID, Locale: u.Locale, ExternalID: ids[u.ID].ExternalID, Active: u.Status != store.Deactivated}
		p := was
		if err := change(&p); err != nil {
			return err
		}
		if store.EmailKey(p.Email) != store.EmailKey(u.Email) {
			return inputErr("email", "cannot change: roster knows a person by their address")
		}
		// What the provider changed of the profile is written on Edit's
		// rules (edit), so that one who may only deactivate needs no more.
		var edit Profile
		edited := false
		for _, f := range []struct {
			to       **string
			now, was string
		}{{&edit.FirstName, p.FirstName, was.FirstName}, {&edit.LastName, p.LastName, was.LastName}, {&edit.Phone, p.Phone, was.Phone},
			{&edit.Position, p.Position, was.Position}, {&edit.ReferenceID, p.ReferenceID, was.ReferenceID}, {&edit.Locale, p.Locale, was.Locale},
			{&edit.ExternalID, p.ExternalID, was.ExternalID}} {
			if f.now != f.was {
				*f.to, edited = &f.now, true
			}
		}
		if edited {
			if err := s.edit(ctx, q, op, u, 0, edit); err != nil {
				return err
			}
		}
		if p.UserName != was.UserName {
			if err := s.setUserName(ctx, q, op, u, p.UserName); err != nil {
				return err
			}
		}
		// What the provider knows them by is kept beside the user's row:
		// its change is a new version of the user all the same, whose
		// ETag the provider must not go on sending as current.
		if p.UserName != was.UserName || p.ExternalID != was.ExternalID {
			if err := s.updateBy(ctx, op, u, 0, q, q.TouchUser); err != nil {
				return err
			}
		}
		out = u
		if p.Active == was.Active {
			return nil
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		return s.setActive(ctx, q, op, acct, u, p.Active)
	})
	return out, err
}

// setActive deactivates u or reactivates them, in the caller's transaction,
// on the rules of ActOnUsers' acts; one who never accepted is reactivated
// as SCIM creates people, staged on an account that says so.
func (s *Service) setActive(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User, active bool) error {
	act := DeactivateUsers
	if active {
		act = ReactivateUsers
	}
	rule, err := s.userRule(ctx, UserBatch{Act: act, Stage: acct.SCIMStaged})
	if err != nil {
		return err
	}
	write, err := rule(ctx, q, op, acct, u)
	if err != nil {
		return err
	}
	return write()
}

// UserNameOf is u's userName for an identity provider (SCIM): the one it
// gave them, kept as it sent it, or, for a user it gave none (created
// before roster kept it, or outside SCIM), their address.
func UserNameOf(u *store.User, ids store.SCIMIDs) string {
	if ids.UserName != "" {
		return ids.UserName
	}
	return u.Email
}

// setUserName records name as the userName the identity provider gave u,
// audited, unless it already is; "" leaves them known by their address.
// userName is unique whatever its case (RFC 7643: caseExact false): one
// another user has, given or as the address that stands for it, is
// refused as taken (SCIM's 409 uniqueness), whereupon the provider looks
// that user up by it.
func (s *Service) setUserName(ctx context.Context, q *store.Q, op *operator, u *store.User, name string) error {
	name, err := checkText("userName", name, 200)
	if err != nil {
		return err
	}
	cur, err := q.SCIMIDsOf(ctx, u.ID)
	if err != nil {
		return err
	}
	was := cur[u.ID].UserName
	if name == was || name == "" && was == "" {
		return nil
	}
	taken := takenErr("userName", "%q is another user's", name)
	if name != "" {
		other, err := q.UserByEmail(ctx, name, s.Now())
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && other.ID != u.ID {
			ids, err := q.SCIMIDsOf(ctx, other.ID)
			if err != nil {
				return err
			}
			if ids[other.ID].UserName == "" {
				return taken
			}
		}
	}
	if err := q.SetSCIMUserName(ctx, u.ID, name); errors.Is(err, store.ErrDuplicate) {
		return taken
	} else if err != nil {
		return err
	}
	// Recorded as the provider's ID is; but the address given as the
	// userName of a user it had none, as Okta creates everyone, says
	// nothing the address does not.
	if was == "" && name == u.Email {
		return nil
	}
	return s.audit(ctx, q, op.User, op.channel, "user.external_id", u, map[string]string{"user_name": was}, map[string]string{"user_name": name})
}

// MayProvision refuses an actor who may not administer users at all (holds
// no users.* permission), as every SCIM act would: the server asks it
// before reading what a request sends, so that a refused key costs nothing
// however large its filter. Each act checks its own permission again.
func (s *Service) MayProvision(ctx context.Context, a Actor) error {
	return s.read(ctx, a, func(*store.Q, *operator) error { return nil })
}

// ProvisionedQuery selects a page of users for an identity provider (a SCIM
// listing), in ID order.
type ProvisionedQuery struct {
	// UserName, Email or ExternalID, when set, names the only user there
	// may be, found by key (a filter userName eq, emails eq or externalId
	// eq). A userName is the one the provider gave, or the address of a
	// user it gave none (UserNameOf).
	UserName, Email, ExternalID string
	// Match, when set, keeps the users it passes, given with what their
	// provider knows them by (a filter); nil keeps every user.
	Match func(u *store.User, ids store.SCIMIDs) bool
	// Skip is how many of the users kept the page starts after, Count how
	// many it holds at most.
	Skip, Count int
}

// ProvisionedPage is a page of users with what their provider knows them
// by, and how many users the query keeps in all.
type ProvisionedPage struct {
	Users []*store.User
	IDs   map[int64]store.SCIMIDs
	Total int
}

// scanChunk is how many users a listing with a filter reads at a time.
const scanChunk = 500

// ProvisionedUsers reads a page of users for an identity provider, from one
// snapshot. A user named by key is read alone; without a filter only the
// page is read, and the users counted (it read every user for each page:
// 1.2 s a page at 100,000). A filter on anything else is checked on every
// user, a chunk at a time, keeping only the page's: no index answers "title
// co", and providers send such filters rarely, by hand.
func (s *Service) ProvisionedUsers(ctx context.Context, a Actor, pq ProvisionedQuery) (*ProvisionedPage, error) {
	p := &ProvisionedPage{IDs: map[int64]store.SCIMIDs{}}
	now := s.Now()
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		var err error
		keep := func(users []*store.User) error {
			ids, err := q.SCIMIDsOf(ctx, userIDs(users)...)
			if err != nil {
				return err
			}
			for _, u := range users {
				if pq.Match != nil && !pq.Match(u, ids[u.ID]) {
					continue
				}
				if p.Total >= pq.Skip && len(p.Users) < pq.Count {
					p.Users = append(p.Users, u)
					p.IDs[u.ID] = ids[u.ID]
				}
				p.Total++
			}
			return nil
		}
		// byID keeps the user found by an ID, none when none was.
		byID := func(id int64, err error) error {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			u, err := q.UserByID(ctx, id, now)
			if err != nil {
				return err
			}
			return keep([]*store.User{u})
		}
		switch {
		case pq.UserName != "":
			// The userName the provider gave, else the address of a
			// user it gave none: a user it gave another is not known by
			// their address.
			id, err := q.UserIDBySCIMUserName(ctx, pq.UserName)
			if errors.Is(err, store.ErrNotFound) {
				u, err := q.UserByEmail(ctx, pq.UserName, now)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				} else if err != nil {
					return err
				}
				ids, err := q.SCIMIDsOf(ctx, u.ID)
				if err != nil || ids[u.ID].UserName != "" {
					return err
				}
				return keep([]*store.User{u})
			}
			return byID(id, err)
		case pq.Email != "":
			u, err := q.UserByEmail(ctx, pq.Email, now)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			return keep([]*store.User{u})
		case pq.ExternalID != "":
			return byID(q.UserIDByExternalID(ctx, pq.ExternalID))
		case pq.Match == nil:
			if p.Total, err = q.CountAllUsers(ctx); err != nil {
				return err
			}
			if pq.Count == 0 || pq.Skip >= p.Total {
				return nil
			}
			if p.Users, err = q.UsersInIDOrder(ctx, 0, pq.Skip, pq.Count, now); err != nil {
				return err
			}
			p.IDs, err = q.SCIMIDsOf(ctx, userIDs(p.Users)...)
			return err
		}
		for after := int64(0); ; {
			users, err := q.UsersInIDOrder(ctx, after, 0, scanChunk, now)
			if err != nil {
				return err
			}
			if err := keep(users); err != nil {
				return err
			}
			if len(users) < scanChunk {
				return nil
			}
			after = users[len(users)-1].ID
		}
	})
	return p, err
}

func userIDs(users []*store.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// ProvisionedUser reads the user whose ID is id, as SCIM names them, with
// what their identity provider knows them by, from one snapshot.
func (s *Service) ProvisionedUser(ctx context.Context, a Actor, id int64) (*store.User, store.SCIMIDs, error) {
	var u *store.User
	var ids map[int64]store.SCIMIDs
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		var err error
		u, err = q.UserByID(ctx, id, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return notFound("user %d", id)
		} else if err != nil {
			return err
		}
		ids, err = q.SCIMIDsOf(ctx, id)
		return err
	})
	if err != nil {
		return nil, store.SCIMIDs{}, err
	}
	return u, ids[id], nil
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
