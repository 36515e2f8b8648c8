package admin

import (
	"context"
	"errors"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// StandInDuty is an away period, current or planned, in which a user stands
// in for someone: what deleting that user hands to the heir.
type StandInDuty struct {
	PeriodID int64     `json:"period_id"`
	Away     string    `json:"away"` // who is away
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"` // zero: until further notice
}

// String says the duty as the Delete screen lists it, in English.
func (d StandInDuty) String() string { return d.Localize(i18n.For(i18n.English)) }

// Localize says the duty in p's language.
func (d StandInDuty) Localize(p *i18n.Printer) string {
	return p.T("stand-in for %s from %s until %s", d.Away, day(d.Start), until(d.End))
}

// StandInDuties lists the away periods, current and planned, in which email
// stands in for someone, soonest first.
func (s *Service) StandInDuties(ctx context.Context, a Actor, email string) ([]StandInDuty, error) {
	var out []StandInDuty
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		out, _, err = s.standInDuties(ctx, q, u)
		return err
	})
	return out, err
}

func (s *Service) standInDuties(ctx context.Context, q *store.Q, u *store.User) ([]StandInDuty, []store.AwayPeriod, error) {
	periods, err := q.StandInPeriods(ctx, u.ID, s.Now())
	if err != nil {
		return nil, nil, err
	}
	out := make([]StandInDuty, len(periods))
	for i, p := range periods {
		out[i] = StandInDuty{PeriodID: p.ID, Away: p.Email, Start: p.Start, End: p.End}
	}
	return out, periods, nil
}

// heirAway refuses an heir who is themselves away in one of u's duties:
// their work would route back to them while they are away, which is the
// silent loss this rule exists to prevent; the operator chooses another
// heir, or changes that period first.
func heirAway(u, heir *store.User, duties []StandInDuty) error {
	for _, d := range duties {
		if d.Away == heir.Email {
			return inputErr("heir", "%s is away from %s until %s with %s standing in: choose another heir, or change that away period first",
				heir.Email, day(d.Start), until(d.End), u.Email)
		}
	}
	return nil
}

// handStandIns makes heir the stand-in of u's duties (periods, as
// standInDuties read them), in the caller's transaction, each audited as
// away.standin on the away person and the heir told by mail as SetAway
// tells a stand-in. planDelete has checked the heir with heirAway.
func (s *Service) handStandIns(ctx context.Context, q *store.Q, op *operator, u, heir *store.User, periods []store.AwayPeriod) error {
	now := s.Now()
	for _, p := range periods {
		if err := q.SetAwayStandIn(ctx, p.ID, heir.ID); err != nil {
			return err
		}
		away, err := q.UserByID(ctx, p.UserID, now)
		if err != nil {
			return err
		}
		notice := p // a notice for a period begun is about it from now
		if notice.Start.Before(now) {
			notice.Start = now
		}
		if err := s.standInNotice(ctx, q, heir, away, &notice); err != nil {
			return err
		}
		if err := s.audit(ctx, q, op.User, op.channel, "away.standin", away,
			map[string]any{"period_id": p.ID, "standin": u.Email},
			map[string]any{"period_id": p.ID, "standin": heir.Email, "why": "the stand-in was deleted"}); err != nil {
			return err
		}
	}
	return nil
}

// StandInRoute says where new work would go if away chose a stand-in that
// cannot take it now, and why.
type StandInRoute struct {
	Away    string   `json:"away"`
	StandIn string   `json:"standin"` // the stand-in chosen: an email, team:NAME or team:NAME@BRANCH
	To      string   `json:"to"`      // who would take the work now
	Via     []string `json:"via"`     // the stand-ins passed through, the chosen one first
	Why     string   `json:"why"`     // in English (reasons in the operator's language)
	reasons list
}

// String is the warning as one line, in English.
func (r *StandInRoute) String() string { return r.Localize(i18n.For(i18n.English)) }

// Localize is the warning as one line in p's language.
func (r *StandInRoute) Localize(p *i18n.Printer) string {
	if r.To == r.Away {
		return p.T("warning: %s: new work would stay with %s, who is away", r.reasons, r.To)
	}
	return p.T("warning: %s: new work would go to %s", r.reasons, r.To)
}

// StandInWarning checks a stand-in (an email, team:NAME or team:NAME@BRANCH) as the operator
// chooses it, before SetAway: nil when the stand-in would take away's new
// work now; otherwise where the work would actually go, following the
// stand-ins as routing does, and why: a stand-in is not active, is away too,
// a team has no active member who is not away, or the chain leads back to
// away (a cycle, which leaves the work with them).
func (s *Service) StandInWarning(ctx context.Context, a Actor, away, standIn string) (*StandInRoute, error) {
	var out *StandInRoute
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		standIn = strings.TrimSpace(standIn)
		if standIn == "" {
			return nil
		}
		u, err := s.findUser(ctx, q, away)
		if err != nil {
			return err
		}
		r := &StandInRoute{Away: u.Email, To: u.Email}
		seen := map[int64]bool{u.ID: true}
		tr := &trace{why: list{sep: "; "}}
		var next *store.User
		if name, ok := strings.CutPrefix(standIn, "team:"); ok {
			t, err := standInTeam(ctx, q, name)
			if err != nil {
				return err
			}
			r.StandIn = t.name
			tr.pass(r.StandIn)
			if next, err = s.teamMember(ctx, q, t, u, seen, tr); err != nil {
				return err
			}
		} else {
			if next, err = s.findUser(ctx, q, standIn); err != nil {
				return inputErr("stand-in", "%s", err)
			}
			if next.ID == u.ID {
				return inputErr("stand-in", "cannot be the person who is away")
			}
			r.StandIn = next.Email
		}
		to, err := s.follow(ctx, q, u, next, seen, tr)
		if err != nil {
			return err
		}
		if to != nil {
			r.To = to.Email
		}
		r.Via = tr.via
		if why := tr.why; len(why.items) > 0 {
			r.reasons, r.Why, out = why, why.Localize(i18n.For(i18n.English)), r
		}
		return nil
	})
	return out, err
}

// trace is what StandInWarning notes as it follows the stand-ins: those
// passed (via) and why none of them takes the work. route follows them
// with none (nil), and its methods then do nothing.
type trace struct {
	via []string
	why list
}

func (t *trace) pass(standIn string) {
	if t != nil {
		t.via = append(t.via, standIn)
	}
}

func (t *trace) say(key string, args ...any) {
	if t != nil {
		t.why.say(key, args...)
	}
}

// follow follows the stand-ins from next, the first that new work meant for
// away reaches, as routing does: past those who are away, each to the
// stand-in of the period they are in (standInOf), to the first who is active
// and not away. It returns nil when the chain ends with nobody, with someone
// who is not active, or in a cycle: the work then stays with away. seen
// holds those already passed, away among them.
func (s *Service) follow(ctx context.Context, q *store.Q, away, next *store.User, seen map[int64]bool, tr *trace) (*store.User, error) {
	for next != nil {
		tr.pass(next.Email)
		seen[next.ID] = true
		if next.Status != store.Active {
			tr.say("%s is %s", next.Email, status(next.Status))
			return nil, nil
		}
		if !next.Away {
			return next, nil
		}
		var err error
		if next, err = s.standInOf(ctx, q, away, next, seen, tr); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// standInOf is who takes the new work meant for away that reached u, who is
// away: the stand-in of the period u is in, or the member of its team
// teamMember picks; nil when there is none, or when the stand-in was passed
// already (a cycle).
func (s *Service) standInOf(ctx context.Context, q *store.Q, away, u *store.User, seen map[int64]bool, tr *trace) (*store.User, error) {
	p, err := s.currentPeriod(ctx, q, u)
	if err != nil {
		return nil, err
	}
	switch {
	case p.StandInTeamID != 0:
		tr.say("%s is away until %s, standing in %s", u.Email, until(p.End), p.StandIn)
		tr.pass(p.StandIn)
		return s.teamMember(ctx, q, &teamStandIn{p.StandInTeamID, p.StandInBranchID, p.StandIn}, away, seen, tr)
	case p.StandInUserID == 0:
		tr.say("%s is away until %s with no stand-in", u.Email, until(p.End))
		return nil, nil
	case seen[p.StandInUserID]:
		tr.say("%s is away until %s, standing in %s: a cycle", u.Email, until(p.End), p.StandIn)
		return nil, nil
	default:
		tr.say("%s is away until %s", u.Email, until(p.End))
		return q.UserByID(ctx, p.StandInUserID, s.Now())
	}
}

// teamMember is the member of team t (in its branch, if it names one) that
// routing gives new work to: the active one with the fewest open
// conversations who is neither away nor already passed (seen, away among
// them); nil when there is none, which tr says, naming a few of those
// passed over. route, which traces nothing, does not read a member it has
// passed.
func (s *Service) teamMember(ctx context.Context, q *store.Q, t *teamStandIn, away *store.User, seen map[int64]bool, tr *trace) (*store.User, error) {
	passed := list{sep: ", "}
	var found *store.User
	err := q.TeamMembersByLoad(ctx, t.team, t.branch, func(id int64) (bool, error) {
		if tr == nil && seen[id] {
			return false, nil
		}
		m, err := q.UserByID(ctx, id, s.Now())
		if err != nil {
			return false, err
		}
		switch {
		case id == away.ID:
			passed.say("%s is the one away", m.Email)
		case seen[id] || m.Away:
			passed.say("%s is away", m.Email)
		default:
			found = m
			return true, nil
		}
		return false, nil
	})
	if err != nil || found != nil || tr == nil {
		return found, err
	}
	if n := len(passed.items); n > 3 {
		passed.items = passed.items[:3]
		passed.say("%d more are away", n-3)
	}
	if len(passed.items) == 0 {
		tr.say("%s has no active member", t.name)
	} else {
		tr.say("%s has nobody to take it (%s)", t.name, passed)
	}
	return nil, nil
}

// teamStandIn is a team named as stand-in: the whole team (team:NAME) or
// its members of one branch (team:NAME@BRANCH, branch 0 otherwise).
type teamStandIn struct {
	team, branch int64
	name         string // as the period shows it: "team:Support@Lyon"
}

// standInTeam is the team a stand-in given as team:NAME or team:NAME@BRANCH
// names. A team whose own name holds an @ is found whole first.
func standInTeam(ctx context.Context, q *store.Q, name string) (*teamStandIn, error) {
	name = strings.TrimSpace(name)
	t, err := q.TeamByName(ctx, name)
	if err == nil {
		return &teamStandIn{team: t.ID, name: "team:" + t.Name}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	at := strings.LastIndex(name, "@")
	if at < 0 {
		return nil, inputErr("stand-in", "team %q does not exist", name)
	}
	tn, bn := strings.TrimSpace(name[:at]), strings.TrimSpace(name[at+1:])
	if t, err = q.TeamByName(ctx, tn); errors.Is(err, store.ErrNotFound) {
		return nil, inputErr("stand-in", "team %q does not exist", tn)
	} else if err != nil {
		return nil, err
	}
	b, err := q.BranchByName(ctx, bn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, inputErr("stand-in", "branch %q does not exist", bn)
	} else if err != nil {
		return nil, err
	}
	return &teamStandIn{t.ID, b.ID, "team:" + t.Name + "@" + b.Name}, nil
}

// currentPeriod is the away period u is in now.
func (s *Service) currentPeriod(ctx context.Context, q *store.Q, u *store.User) (store.AwayPeriod, error) {
	now := s.Now()
	periods, err := q.AwayPeriods(ctx, u.ID, now)
	if err != nil {
		return store.AwayPeriod{}, err
	}
	for _, p := range periods {
		if p.Covers(now) {
			return p, nil
		}
	}
	return store.AwayPeriod{}, nil
}
