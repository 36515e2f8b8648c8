package admin

import (
	"context"
	"errors"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// Branches are managed as teams are, with the same permission (users.edit):
// they are the sites or agencies people work from (seed 003).

// BranchInUseError refuses to remove a branch that still has people before
// the operator says where they go.
type BranchInUseError struct {
	Branch  string
	Members int
}

func (e *BranchInUseError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *BranchInUseError) Localize(p *i18n.Printer) string {
	return p.N(e.Members, "branch %q still has %d person: say where they go (--move-to BRANCH, or --move-to none)",
		"branch %q still has %d people: say where they go (--move-to BRANCH, or --move-to none)", e.Branch, e.Members)
}

// MoveToNone, as RemoveBranch's moveTo, says the branch's people are left
// without it.
const MoveToNone = "none"

// AddBranch creates a branch.
func (s *Service) AddBranch(ctx context.Context, a Actor, b store.Branch) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.edit", "managing branches"); err != nil {
			return err
		}
		if err := checkBranch(&b); err != nil {
			return err
		}
		var err error
		if b.ID, err = q.AddBranch(ctx, &b); errors.Is(err, store.ErrDuplicate) {
			return inputErr("branch", "%q already exists", b.Name)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "branch.add", nil, nil, b)
	})
}

// checkBranch checks a branch's name, address and time zone. Lists of
// branches are written with commas (| in a CSV), and a team's stand-in in
// one branch as team:NAME@BRANCH; "none" says where nobody goes.
func checkBranch(b *store.Branch) error {
	var err error
	if b.Name, err = checkText("branch", b.Name, 60); err != nil {
		return err
	}
	if b.Name == "" || strings.ContainsAny(b.Name, ",:@|") || strings.EqualFold(b.Name, MoveToNone) {
		return inputErr("branch", "%q: a branch name is not empty, not %q, and holds no comma, colon, @ or |", b.Name, MoveToNone)
	}
	if b.Address, err = checkText("address", b.Address, 200); err != nil {
		return err
	}
	if b.TimeZone = strings.TrimSpace(b.TimeZone); b.TimeZone != "" {
		if _, err := time.LoadLocation(b.TimeZone); err != nil || b.TimeZone == "Local" {
			return inputErr("timezone", "%q is not a time zone name such as Europe/Paris", b.TimeZone)
		}
	}
	return nil
}

// branchToManage is the branch called name, for an operator who may manage
// branches.
func branchToManage(ctx context.Context, q *store.Q, op *operator, name string) (*store.Branch, error) {
	if err := op.need("users.edit", "managing branches"); err != nil {
		return nil, err
	}
	b, err := q.BranchByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("branch %q", name)
	}
	return b, err
}

// BranchChange changes a branch; nil fields stay.
type BranchChange struct {
	Name, Address, TimeZone *string
}

// EditBranch renames a branch or changes its address or time zone; its
// members and the away periods that name it follow a new name.
func (s *Service) EditBranch(ctx context.Context, a Actor, name string, c BranchChange) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		b, err := branchToManage(ctx, q, op, name)
		if err != nil {
			return err
		}
		before, after := *b, *b
		for _, f := range []struct{ to, from *string }{{&after.Name, c.Name}, {&after.Address, c.Address}, {&after.TimeZone, c.TimeZone}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		if err := checkBranch(&after); err != nil {
			return err
		}
		if after == before {
			return nil // nothing changes, nothing to audit
		}
		if err := q.UpdateBranch(ctx, &after); errors.Is(err, store.ErrDuplicate) {
			return inputErr("branch", "%q already exists", after.Name)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "branch.edit", nil, before, after)
	})
}

// RenameBranch gives a branch another name.
func (s *Service) RenameBranch(ctx context.Context, a Actor, name, to string) error {
	return s.EditBranch(ctx, a, name, BranchChange{Name: &to})
}

// RemoveBranch deletes a branch. Its people join branch moveTo, or are left
// without it when moveTo is MoveToNone; with moveTo "" a branch that still
// has people is refused (*BranchInUseError), so that nobody loses their
// branch unasked. Away periods whose stand-in is a team in it follow the
// people (to the whole team with MoveToNone), each audited on the away
// person (changeStandIns).
func (s *Service) RemoveBranch(ctx context.Context, a Actor, name, moveTo string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		b, err := branchToManage(ctx, q, op, name)
		if err != nil {
			return err
		}
		moveTo = strings.TrimSpace(moveTo)
		var to *store.Branch
		switch {
		case moveTo == "" && b.Members > 0:
			return &BranchInUseError{Branch: b.Name, Members: b.Members}
		case moveTo == "" || strings.EqualFold(moveTo, MoveToNone):
		default:
			if to, err = q.BranchByName(ctx, moveTo); errors.Is(err, store.ErrNotFound) {
				return notFound("branch %q", moveTo)
			} else if err != nil {
				return err
			}
			if to.ID == b.ID {
				return inputErr("move-to", "%q is the branch removed", to.Name)
			}
		}
		after := map[string]any{"members": b.Members}
		var toID int64
		if to != nil {
			toID, after["moved_to"] = to.ID, to.Name
		}
		standsIn := func(p store.AwayPeriod) bool { return p.StandInBranchID == b.ID }
		return s.changeStandIns(ctx, q, op, standsIn, "the branch was removed", func() error {
			if err := q.RemoveBranch(ctx, b.ID, toID); err != nil {
				return err
			}
			return s.audit(ctx, q, op.User, op.channel, "branch.remove", nil, b, after)
		})
	})
}

// Branches lists the branches.
func (s *Service) Branches(ctx context.Context, a Actor) ([]store.Branch, error) {
	var out []store.Branch
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = q.Branches(ctx)
		return err
	})
	return out, err
}
