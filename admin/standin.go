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
// cannot take it, from when, and why.
type StandInRoute struct {
	Away    string `json:"away"`
	StandIn string `json:"standin"` // the stand-in chosen: an email, team:NAME or team:NAME@BRANCH
	// From is when the stand-in stops taking the work, for a period that
	// starts later or a stand-in who leaves during it; zero: now.
	From    time.Time `json:"from,omitzero"`
	To      string    `json:"to"`  // who would take the work then
	Via     []string  `json:"via"` // the stand-ins passed through, the chosen one first
	Why     string    `json:"why"` // in English (reasons in the operator's language)
	reasons list
}

// String is the warning as one line, in English.
func (r *StandInRoute) String() string { return r.Localize(i18n.For(i18n.English)) }

// Localize is the warning as one line in p's language.
func (r *StandInRoute) Localize(p *i18n.Printer) string {
	switch {
	case r.From.IsZero() && r.To == r.Away:
		return p.T("warning: %s: new work would stay with %s, who is away", r.reasons, r.To)
	case r.From.IsZero():
		return p.T("warning: %s: new work would go to %s", r.reasons, r.To)
	case r.To == r.Away:
		return p.T("warning: from %s, %s: new work would stay with %s, who is away", day(r.From), r.reasons, r.To)
	}
	return p.T("warning: from %s, %s: new work would go to %s", day(r.From), r.reasons, r.To)
}

// StandInWarning checks r's stand-in (an email, team:NAME or
// team:NAME@BRANCH) as the operator chooses it, before SetAway: nil when
// the stand-in would take away's new work throughout r's period; otherwise
// where the work would actually go, from when, following the stand-ins as
// routing does, and why: a stand-in is not active, is away too, a team has
// no active member who is not away, or the chain leads back to away (a
// cycle, which leaves the work with them). The work is followed when the
// period starts, not now: a stand-in away today may be back by then, and
// one present today may be on leave then; and again whenever a stand-in
// chosen by name leaves during the period.
func (s *Service) StandInWarning(ctx context.Context, a Actor, away string, r AwayRequest) (*StandInRoute, error) {
	var out *StandInRoute
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		standIn := strings.TrimSpace(r.StandIn)
		if standIn == "" {
			return nil
		}
		u, err := s.findUser(ctx, q, away)
		if err != nil {
			return err
		}
		var team *teamStandIn
		var chosen *store.User
		if name, ok := strings.CutPrefix(standIn, "team:"); ok {
			if team, err = standInTeam(ctx, q, name); err != nil {
				return err
			}
		} else {
			if chosen, err = s.findUser(ctx, q, standIn); err != nil {
				return inputErr("stand-in", "%s", err)
			}
			if chosen.ID == u.ID {
				return inputErr("stand-in", "cannot be the person who is away")
			}
		}
		now := s.Now()
		at := now // SetAway starts a period given from the past now
		if r.From.After(now) {
			at = r.From
		}
		times := []time.Time{at}
		if chosen != nil {
			periods, err := q.AwayPeriods(ctx, chosen.ID, at)
			if err != nil {
				return err
			}
			for _, p := range periods {
				if p.Start.After(at) && (r.Until.IsZero() || p.Start.Before(r.Until)) {
					times = append(times, p.Start)
				}
			}
		}
		for _, t := range times {
			w := &walk{at: t, away: u, seen: map[int64]bool{u.ID: true}, tr: &trace{why: list{sep: "; "}}}
			var next *store.User
			rt := &StandInRoute{Away: u.Email, To: u.Email}
			if team != nil {
				rt.StandIn = team.name
				w.tr.pass(team.name)
				if next, err = s.teamMember(ctx, q, w, team); err != nil {
					return err
				}
			} else {
				rt.StandIn = chosen.Email
				// Read again for whether they are away at t.
				if next, err = q.UserByID(ctx, chosen.ID, t); err != nil {
					return err
				}
			}
			to, err := s.follow(ctx, q, w, next)
			if err != nil {
				return err
			}
			if len(w.tr.why.items) == 0 {
				continue
			}
			if to != nil {
				rt.To = to.Email
			}
			if t.After(now) {
				rt.From = t
			}
			rt.Via, rt.reasons, rt.Why, out = w.tr.via, w.tr.why, w.tr.why.Localize(i18n.For(i18n.English)), rt
			return nil
		}
		return nil
	})
	return out, err
}

// walk is one following of the stand-ins from away, the person whose new
// work it is, at the instant at: routing's now, or when a period
// StandInWarning checks starts. seen holds those already passed, away
// among them; tr notes them and why none takes the work, for
// StandInWarning (routing traces nothing: nil).
type walk struct {
	at   time.Time
	away *store.User
	seen map[int64]bool
	tr   *trace
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

// follow follows the stand-ins from next, the first that w's work reaches,
// as routing does: past those who are away, each to the stand-in of the
// period they are in (standInOf), to the first who is active and not away.
// It returns nil when the chain ends with nobody, with someone who is not
// active, or in a cycle: the work then stays with w.away. next is read at
// w.at, as are those it leads to.
func (s *Service) follow(ctx context.Context, q *store.Q, w *walk, next *store.User) (*store.User, error) {
	for next != nil {
		w.tr.pass(next.Email)
		w.seen[next.ID] = true
		if next.Status != store.Active {
			w.tr.say("%s is %s", next.Email, status(next.Status))
			return nil, nil
		}
		if !next.Away {
			return next, nil
		}
		var err error
		if next, err = s.standInOf(ctx, q, w, next); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// standInOf is who takes w's work that reached u, who is away at w.at: the
// stand-in of the period u is in, or the member of its team teamMember
// picks; nil when there is none, or when the stand-in was passed already
// (a cycle).
func (s *Service) standInOf(ctx context.Context, q *store.Q, w *walk, u *store.User) (*store.User, error) {
	p, err := periodAt(ctx, q, u, w.at)
	if err != nil {
		return nil, err
	}
	switch {
	case p.StandInTeamID != 0:
		w.tr.say("%s is away until %s, standing in %s", u.Email, until(p.End), p.StandIn)
		w.tr.pass(p.StandIn)
		return s.teamMember(ctx, q, w, &teamStandIn{p.StandInTeamID, p.StandInBranchID, p.StandIn})
	case p.StandInUserID == 0:
		w.tr.say("%s is away until %s with no stand-in", u.Email, until(p.End))
		return nil, nil
	case w.seen[p.StandInUserID]:
		w.tr.say("%s is away until %s, standing in %s: a cycle", u.Email, until(p.End), p.StandIn)
		return nil, nil
	default:
		w.tr.say("%s is away until %s", u.Email, until(p.End))
		return q.UserByID(ctx, p.StandInUserID, w.at)
	}
}

// teamMember is the member of team t (in its branch, if it names one) that
// routing gives w's work to: the active one with the fewest open
// conversations who is neither away at w.at nor already passed (w.seen,
// w.away among them); nil when there is none, which w.tr says, naming a few
// of those passed over. route, which traces nothing, does not read a member
// it has passed.
func (s *Service) teamMember(ctx context.Context, q *store.Q, w *walk, t *teamStandIn) (*store.User, error) {
	passed := list{sep: ", "}
	var found *store.User
	err := q.TeamMembersByLoad(ctx, t.team, t.branch, func(id int64) (bool, error) {
		if w.tr == nil && w.seen[id] {
			return false, nil
		}
		m, err := q.UserByID(ctx, id, w.at)
		if err != nil {
			return false, err
		}
		switch {
		case id == w.away.ID:
			passed.say("%s is the one away", m.Email)
		case w.seen[id] || m.Away:
			passed.say("%s is away", m.Email)
		default:
			found = m
			return true, nil
		}
		return false, nil
	})
	if err != nil || found != nil || w.tr == nil {
		return found, err
	}
	if n := len(passed.items); n > 3 {
		passed.items = passed.items[:3]
		passed.say("%d more are away", n-3)
	}
	if len(passed.items) == 0 {
		w.tr.say("%s has no active member", t.name)
	} else {
		w.tr.say("%s has nobody to take it (%s)", t.name, passed)
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

// periodAt is the away period u is in at t.
func periodAt(ctx context.Context, q *store.Q, u *store.User, t time.Time) (store.AwayPeriod, error) {
	periods, err := q.AwayPeriods(ctx, u.ID, t)
	if err != nil {
		return store.AwayPeriod{}, err
	}
	for _, p := range periods {
		if p.Covers(t) {
			return p, nil
		}
	}
	return store.AwayPeriod{}, nil
}

// changeStandIns runs change, which removes a team or a branch, and audits
// on each away person, as away.standin with why, the periods not ended
// that match and whose stand-in change left otherwise: a team removed
// leaves them with none, a branch removed with the team in another branch
// or the whole team. Their audit trail said a stand-in the period no
// longer had.
func (s *Service) changeStandIns(ctx context.Context, q *store.Q, op *operator, match func(store.AwayPeriod) bool, why string, change func() error) error {
	now := s.Now()
	var before []store.AwayPeriod
	const page = 500
	for after := (store.AwayAfter{}); ; {
		ps, err := q.AwayBetween(ctx, now, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), after, page)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if match(p) {
				before = append(before, p)
			}
		}
		if len(ps) < page {
			break
		}
		after = store.AwayAfter{Start: ps[len(ps)-1].Start, ID: ps[len(ps)-1].ID}
	}
	if err := change(); err != nil {
		return err
	}
	for _, p := range before {
		away, err := q.UserByID(ctx, p.UserID, now)
		if err != nil {
			return err
		}
		ps, err := q.AwayPeriods(ctx, p.UserID, now)
		if err != nil {
			return err
		}
		standIn := ""
		for _, np := range ps {
			if np.ID == p.ID {
				standIn = np.StandIn
			}
		}
		if err := s.audit(ctx, q, op.User, op.channel, "away.standin", away,
			map[string]any{"period_id": p.ID, "standin": p.StandIn},
			map[string]any{"period_id": p.ID, "standin": standIn, "why": why}); err != nil {
			return err
		}
	}
	return nil
}
