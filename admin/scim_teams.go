package admin

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"roster/store"
)

// An identity provider's groups (SCIM Groups) are teams. It creates one
// with its members in one request and changes one with a list of
// operations; each request is one transaction, so that a member who is no
// user, or a refusal, leaves the team as it was (RFC 7644 3.5.2: a PATCH
// is atomic) and the provider may send the request again.

// TeamAct is what one change of a provisioned team does.
type TeamAct int

const (
	// TeamAddMembers and TeamRemoveMembers add the users named to the team
	// or take them out; a user already in (or out) is left alone.
	TeamAddMembers TeamAct = iota
	TeamRemoveMembers
	// TeamReplaceMembers makes the users named the team's only members.
	TeamReplaceMembers
	// TeamRename gives the team TeamChange.Name.
	TeamRename
	// TeamSetExternalID records TeamChange.ExternalID as the provider's
	// ID of the team ("" forgets it).
	TeamSetExternalID
)

// ProvisionedTeam is a team as an identity provider sees it (a SCIM
// Group), with its version.
type ProvisionedTeam struct {
	store.Team
	// Version is made from the team's name, its provider's ID and its
	// members' IDs: it changes when one does, however they changed (a
	// member deleted, a team renamed on the dashboard), and never
	// otherwise, as SCIM's ETag must (RFC 7644 3.14).
	Version string
}

// provisioned is t with its version, read in the caller's transaction.
func provisioned(ctx context.Context, q *store.Q, t *store.Team) (*ProvisionedTeam, error) {
	ids, err := q.TeamMemberIDs(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte(t.Name))
	h.Write([]byte{0})
	h.Write([]byte(t.ExternalID))
	h.Write([]byte{0})
	for _, id := range ids {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(id)))
	}
	return &ProvisionedTeam{Team: *t, Version: hex.EncodeToString(h.Sum(nil)[:8])}, nil
}

// teamStale refuses a change to t made at another version than version
// ("": whatever it is).
func teamStale(ctx context.Context, q *store.Q, t *store.Team, version string) error {
	if version == "" {
		return nil
	}
	p, err := provisioned(ctx, q, t)
	if err != nil {
		return err
	}
	if p.Version != version {
		return &ConflictError{Team: t.Name}
	}
	return nil
}

// TeamChange is one change of a provisioned team: its act, the users it
// names, by ID, the team's new name or its provider's ID.
type TeamChange struct {
	Act        TeamAct
	Users      []int64
	Name       string
	ExternalID string
}

// ProvisionTeam creates a team for an identity provider with its members
// and the provider's ID of it (externalID, may be ""), in one transaction
// with its audit rows. A name another team has is
// refused as taken (InputError.Taken): SCIM answers it 409 uniqueness (RFC
// 7644 3.3), which a provider reads as "look the group up", not as a
// request to correct.
func (s *Service) ProvisionTeam(ctx context.Context, a Actor, name, externalID string, members []int64) (*ProvisionedTeam, error) {
	var out *ProvisionedTeam
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.edit", "managing teams"); err != nil {
			return err
		}
		n, err := checkTeamName(name)
		if err != nil {
			return err
		}
		id, err := q.AddTeam(ctx, n)
		if errors.Is(err, store.ErrDuplicate) {
			return takenErr("team", "%q already exists", n)
		} else if err != nil {
			return err
		}
		if err := s.audit(ctx, q, op.User, op.channel, "team.add", nil, nil, map[string]string{"team": n}); err != nil {
			return err
		}
		for _, u := range members {
			if err := s.setTeamMember(ctx, q, op, n, u, true); err != nil {
				return err
			}
		}
		t, err := q.TeamByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.setTeamExternalID(ctx, q, op, t, externalID); err != nil {
			return err
		}
		out, err = provisioned(ctx, q, t)
		return err
	})
	return out, err
}

// ChangeTeam makes changes, in order, to the team whose ID is id, for an
// identity provider, if it is still at version ("": whatever it is): all
// of them, or none. A new name another team has is refused as taken, as
// in ProvisionTeam.
func (s *Service) ChangeTeam(ctx context.Context, a Actor, id int64, version string, changes []TeamChange) (*ProvisionedTeam, error) {
	var out *ProvisionedTeam
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		t, err := provisionedTeam(ctx, q, op, id)
		if err != nil {
			return err
		}
		if err := teamStale(ctx, q, t, version); err != nil {
			return err
		}
		for _, c := range changes {
			switch c.Act {
			case TeamAddMembers, TeamRemoveMembers:
				for _, u := range c.Users {
					if err := s.setTeamMember(ctx, q, op, t.Name, u, c.Act == TeamAddMembers); err != nil {
						return err
					}
				}
			case TeamReplaceMembers:
				cur, err := q.UserIDs(ctx, store.ListQuery{Team: t.Name, Now: s.Now()})
				if err != nil {
					return err
				}
				for _, u := range cur {
					if !slices.Contains(c.Users, u) {
						if err := s.setTeamMember(ctx, q, op, t.Name, u, false); err != nil {
							return err
						}
					}
				}
				for _, u := range c.Users {
					if err := s.setTeamMember(ctx, q, op, t.Name, u, true); err != nil {
						return err
					}
				}
			case TeamRename:
				n, err := checkTeamName(c.Name)
				if err != nil {
					return err
				}
				if n == t.Name {
					continue
				}
				if err := q.RenameTeam(ctx, t.ID, n); errors.Is(err, store.ErrDuplicate) {
					return takenErr("team", "%q already exists", n)
				} else if err != nil {
					return err
				}
				if err := s.audit(ctx, q, op.User, op.channel, "team.rename", nil, map[string]string{"team": t.Name}, map[string]string{"team": n}); err != nil {
					return err
				}
				t.Name = n
			case TeamSetExternalID:
				if err := s.setTeamExternalID(ctx, q, op, t, c.ExternalID); err != nil {
					return err
				}
			}
		}
		t, err = q.TeamByID(ctx, t.ID)
		if err != nil {
			return err
		}
		out, err = provisioned(ctx, q, t)
		return err
	})
	return out, err
}

// setTeamExternalID records ext as the provider's ID of t, audited when it
// changes.
func (s *Service) setTeamExternalID(ctx context.Context, q *store.Q, op *operator, t *store.Team, ext string) error {
	ext, err := checkText("externalId", strings.TrimSpace(ext), 200)
	if err != nil || ext == t.ExternalID {
		return err
	}
	if err := q.SetTeamExternalID(ctx, t.ID, ext); err != nil {
		return err
	}
	before, after := map[string]string{"team": t.Name, "external_id": t.ExternalID}, map[string]string{"team": t.Name, "external_id": ext}
	t.ExternalID = ext
	return s.audit(ctx, q, op.User, op.channel, "team.external_id", nil, before, after)
}

// RemoveProvisionedTeam removes the team whose ID is id, for an identity
// provider, if it is still at version ("": whatever it is), on
// RemoveTeam's rules.
func (s *Service) RemoveProvisionedTeam(ctx context.Context, a Actor, id int64, version string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		t, err := provisionedTeam(ctx, q, op, id)
		if err != nil {
			return err
		}
		if err := teamStale(ctx, q, t, version); err != nil {
			return err
		}
		return s.removeTeam(ctx, q, op, t)
	})
}

// TeamByID reads the team whose ID is id, as SCIM names it, with its
// version.
func (s *Service) TeamByID(ctx context.Context, a Actor, id int64) (*ProvisionedTeam, error) {
	var out *ProvisionedTeam
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		t, err := q.TeamByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("group %d", id)
		} else if err != nil {
			return err
		}
		out, err = provisioned(ctx, q, t)
		return err
	})
	return out, err
}

// ProvisionedTeams lists the teams, by name, with their versions, from one
// snapshot.
func (s *Service) ProvisionedTeams(ctx context.Context, a Actor) ([]*ProvisionedTeam, error) {
	var out []*ProvisionedTeam
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		teams, err := q.Teams(ctx)
		if err != nil {
			return err
		}
		for i := range teams {
			p, err := provisioned(ctx, q, &teams[i])
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// provisionedTeam is the team whose ID is id, for an operator who may
// manage teams.
func provisionedTeam(ctx context.Context, q *store.Q, op *operator, id int64) (*store.Team, error) {
	if err := op.need("users.edit", "managing teams"); err != nil {
		return nil, err
	}
	t, err := q.TeamByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("group %d", id)
	}
	return t, err
}

// setTeamMember adds the user whose ID is id to team (join) or takes them
// out, as a bulk act on a team does, audited. A user already in, or out, is
// left alone: a provider adds a member it is not sure of again. A user who
// is no more (deleted) is out of every team: taking them out is done, as
// the provider that deleted them and then removes them from its groups
// asks. It was refused as not found (404), the whole patch with it, which
// the provider sent again and again.
func (s *Service) setTeamMember(ctx context.Context, q *store.Q, op *operator, team string, id int64, join bool) error {
	u, err := q.UserByID(ctx, id, s.Now())
	if errors.Is(err, store.ErrNotFound) && !join {
		return nil
	} else if errors.Is(err, store.ErrNotFound) {
		return notFound("user %d", id)
	} else if err != nil {
		return err
	}
	if slices.ContainsFunc(u.Teams, func(t string) bool { return strings.EqualFold(t, team) }) == join {
		return nil
	}
	if err := op.mayActOn(u, "users.edit", "editing profiles", "edit"); err != nil {
		return err
	}
	before := profileOf(u)
	if join {
		u.Teams = changeList(u.Teams, []string{team}, nil)
	} else {
		u.Teams = changeList(u.Teams, nil, []string{team})
	}
	err = s.updateBy(ctx, op, u, 0, q, func(ctx context.Context, u *store.User, version int64) error {
		return q.SetTeam(ctx, u, team, join, version)
	})
	if err != nil {
		return err
	}
	return s.audit(ctx, q, op.User, op.channel, "user.edit", u, before, profileOf(u))
}
