package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// AwayRequest sets a user away from From (zero: now) until Until (zero:
// until further notice), with new work going to StandIn: an email,
// "team:NAME", "team:NAME@BRANCH" (the team's members in that branch), or
// "" for nobody.
type AwayRequest struct {
	From, Until time.Time
	StandIn     string
	Note        string
}

// SetAway records an away period, now or planned. An operator may set
// themselves away; setting someone else away needs users.away and a role
// above theirs, or being an owner (mayRoute). A member,
// who administers nobody (no users.* permission), does neither: as the
// product pages have it, away status is set by those who administer. A
// stand-in is told by mail when the period starts.
func (s *Service) SetAway(ctx context.Context, a Actor, email string, r AwayRequest) (*store.AwayPeriod, error) {
	var out *store.AwayPeriod
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if err := op.mayRoute(u, "setting someone else away", "set away"); err != nil {
			return err
		}
		now := s.Now()
		p := &store.AwayPeriod{UserID: u.ID, Email: u.Email, Start: r.From, End: r.Until, CreatedAt: now, CreatedBy: op.Email}
		if p.Start.IsZero() || p.Start.Before(now) {
			p.Start = now
		}
		if !p.End.IsZero() && !p.End.After(p.Start) {
			return inputErr("until", "%s is not after the start, %s", day(p.End), day(p.Start))
		}
		if p.Note, err = checkText("note", r.Note, 500); err != nil {
			return err
		}
		var standIn *store.User
		switch sv := strings.TrimSpace(r.StandIn); {
		case sv == "":
		case strings.HasPrefix(sv, "team:"):
			t, err := standInTeam(ctx, q, strings.TrimPrefix(sv, "team:"))
			if err != nil {
				return err
			}
			p.StandInTeamID, p.StandInBranchID, p.StandIn = t.team, t.branch, t.name
		default:
			if standIn, err = s.findUser(ctx, q, sv); err != nil {
				return inputErr("stand-in", "%s", err)
			}
			if standIn.ID == u.ID {
				return inputErr("stand-in", "cannot be the person who is away")
			}
			if standIn.Status != store.Active {
				return inputErr("stand-in", "%s is %s, not active", standIn.Email, status(standIn.Status))
			}
			p.StandInUserID, p.StandIn = standIn.ID, standIn.Email
		}
		periods, err := q.AwayPeriods(ctx, u.ID, now)
		if err != nil {
			return err
		}
		for _, o := range periods {
			if overlaps(o, *p) {
				return inputErr("period", "overlaps the away period from %s to %s", day(o.Start), until(o.End))
			}
		}
		if err := q.InsertAway(ctx, p); err != nil {
			return err
		}
		if standIn != nil {
			if err := s.standInNotice(ctx, q, standIn, u, p); err != nil {
				return err
			}
		}
		out = p
		return s.audit(ctx, q, op.User, op.channel, "away.set", u, nil, p)
	})
	return out, err
}

// standInNotice queues the mail, or the SMS, telling standIn that they
// take away's new work during p, sent when p starts.
// It is the catalogue's standin.start: standIn may have turned it off.
func (s *Service) standInNotice(ctx context.Context, q *store.Q, standIn, away *store.User, p *store.AwayPeriod) error {
	chs, err := channelsFor(ctx, q, standIn, "standin.start")
	if err != nil || !reaches(standIn, chs) {
		return err
	}
	acct, err := q.Account(ctx)
	if err != nil {
		return err
	}
	giveUp := p.Start.Add(24 * time.Hour)
	if !p.End.IsZero() && p.End.Before(giveUp) {
		giveUp = p.End
	}
	if slices.Contains(chs, NotifyEmail) {
		data := store.MailData{Account: acct.Name, Name: standIn.Name(), AwayName: away.Name(), AwayEmail: away.Email,
			AwayFrom: p.Start, AwayUntil: p.End, Note: p.Note}
		if err := s.queueMail(ctx, q, standIn, 0, store.MailStandInNotice, data, giveUp); err != nil {
			return err
		}
	}
	txt := noticeText(acct, standIn, "standin.start", "{name}", away.Name())
	return s.smsNotice(ctx, q, acct, standIn, chs, store.MailData{Body: txt.SMS, AwayEmail: away.Email, AwayFrom: p.Start}, giveUp)
}

// cancelNotices cancels the notices of p, away's period, to its stand-in
// that are still to send (a planned leave's wait for its start): the
// period is cancelled, has ended, or away is deleted, and the stand-in
// must not be told to take work that will not come.
func cancelNotices(ctx context.Context, q *store.Q, away *store.User, p store.AwayPeriod) error {
	if p.StandInUserID == 0 {
		return nil
	}
	_, err := q.CancelStandInNotices(ctx, p.StandInUserID, away.Email, p.Start)
	return err
}

func overlaps(a, b store.AwayPeriod) bool {
	aEnd, bEnd := a.End, b.End
	return (aEnd.IsZero() || b.Start.Before(aEnd)) && (bEnd.IsZero() || a.Start.Before(bEnd))
}

func day(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// until is the end of an away period as a message's argument.
func until(t time.Time) any {
	if t.IsZero() {
		return i18n.Msg("further notice")
	}
	return day(t)
}

// EndAway brings a user back now: the current away period ends. Planned
// periods stay; CancelAway removes one.
func (s *Service) EndAway(ctx context.Context, a Actor, email string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		now := s.Now()
		u, periods, err := s.awayToChange(ctx, q, op, email, now)
		if err != nil {
			return err
		}
		for _, p := range periods {
			if p.Covers(now) {
				if err := q.UpdateAwayEnd(ctx, p.ID, now); err != nil {
					return err
				}
				if err := cancelNotices(ctx, q, u, p); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "away.end", u, p, map[string]any{"end": now})
			}
		}
		return stateErr("%s is not away", u.Email)
	})
}

// CancelAway removes one of a user's away periods that has not ended.
func (s *Service) CancelAway(ctx context.Context, a Actor, email string, periodID int64) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, periods, err := s.awayToChange(ctx, q, op, email, s.Now())
		if err != nil {
			return err
		}
		for _, p := range periods {
			if p.ID == periodID {
				if err := q.DeleteAway(ctx, p.ID); err != nil {
					return err
				}
				if err := cancelNotices(ctx, q, u, p); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "away.cancel", u, p, nil)
			}
		}
		return notFound("away period %d of %s", periodID, u.Email)
	})
}

// awayToChange is the user email names and their away periods not ended by
// now, once op may change them (mayRoute): what EndAway
// and CancelAway pick a period from.
func (s *Service) awayToChange(ctx context.Context, q *store.Q, op *operator, email string, now time.Time) (*store.User, []store.AwayPeriod, error) {
	u, err := s.findUser(ctx, q, email)
	if err != nil {
		return nil, nil, err
	}
	if err := op.mayRoute(u, "changing someone else's away status", "change the away status of"); err != nil {
		return nil, nil, err
	}
	periods, err := q.AwayPeriods(ctx, u.ID, now)
	return u, periods, err
}

// route finds who takes new work meant for user: the user when they are not
// away; else whom the stand-in of the period they are in leads to (follow).
// A cycle, or a chain that ends with nobody, leaves the work with the user.
func (s *Service) route(ctx context.Context, q *store.Q, userID int64) (*store.User, error) {
	u, err := q.UserByID(ctx, userID, s.Now())
	if err != nil || !u.Away {
		return u, err
	}
	w := &walk{at: s.Now(), away: u, seen: map[int64]bool{u.ID: true}}
	next, err := s.standInOf(ctx, q, w, u)
	if err != nil {
		return nil, err
	}
	to, err := s.follow(ctx, q, w, next)
	if err != nil || to == nil {
		return u, err
	}
	return to, nil
}

// Route says who takes new work meant for email now.
func (s *Service) Route(ctx context.Context, a Actor, email string) (*store.User, error) {
	var out *store.User
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		out, err = s.route(ctx, q, u.ID)
		return err
	})
	return out, err
}

// AddConversation opens a conversation for email, assigned through route:
// to their stand-in while they are away, who is told (standin.work). It
// is refused when it would stay with someone not active.
func (s *Service) AddConversation(ctx context.Context, a Actor, subject, email string) (*store.Conversation, error) {
	var c *store.Conversation
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		subj, err := checkText("subject", subject, 200)
		if err != nil {
			return err
		}
		if subj == "" {
			return inputErr("subject", "is empty")
		}
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if u.Status == store.Deactivated {
			return stateErr("%s is deactivated", u.Email)
		}
		to, err := s.route(ctx, q, u.ID)
		if err != nil {
			return err
		}
		// Only an active user takes new work: an invited one would hold
		// it unseen, and revoking their invitation then failed on it.
		if to.Status != store.Active {
			return stateErr("%s is %s, not active", to.Email, status(to.Status))
		}
		id, err := q.InsertConversation(ctx, subj, to.ID, s.Now())
		if err != nil {
			return err
		}
		c = &store.Conversation{ID: id, Subject: subj, Assignee: to.Email, Status: "open", CreatedAt: s.Now()}
		if err := s.audit(ctx, q, op.User, op.channel, "conversation.add", to, nil, c); err != nil {
			return err
		}
		if to.ID == u.ID {
			return nil
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("The conversation “%s”", subj)
		if localeOf(to.Locale) == "fr" {
			detail = fmt.Sprintf("La conversation « %s »", subj)
		}
		return s.notice(ctx, q, acct, to, "standin.work", s.Now(), time.Time{}, noticeLink{}, "{name}", u.Name(), "{detail}", detail)
	})
	return c, err
}

// Conversations lists conversations, of one user when email is not "".
func (s *Service) Conversations(ctx context.Context, a Actor, email string) ([]store.Conversation, error) {
	var out []store.Conversation
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		id, err := s.userID(ctx, q, email)
		if err != nil {
			return err
		}
		out, err = q.Conversations(ctx, id)
		return err
	})
	return out, err
}

// AwayEntry is a row of the Away overview: an away period, and where the
// person's new work goes today, as routing answers now.
type AwayEntry struct {
	store.AwayPeriod
	AwayNow bool `json:"away_now"`
	// Ended says the period is over: an overview from a past date lists
	// those it meets too.
	Ended bool `json:"ended"`
	// WorkTo is who takes the person's new work today: their stand-in, the
	// team member routing picks, or the person themselves; Waits says the
	// person is away now and the work stays with them (nobody takes it).
	WorkTo string `json:"work_to"`
	Waits  bool   `json:"waits"`
}

// WorkText says where the work goes in a few words, in p's language.
func (e *AwayEntry) WorkText(p *i18n.Printer) string {
	switch {
	case e.Waits:
		return p.T("nobody: work waits")
	case e.WorkTo == e.Email:
		return p.T("themselves, until they leave")
	}
	return e.WorkTo
}

// AwayWindow is how far ahead the Away overview looks by default.
const AwayWindow = 14 * 24 * time.Hour

// AwayOverview lists who is away between from and until (zero: now, and
// AwayWindow after from), by start, a page of at most limit after the
// period after, each with where their new work goes today.
func (s *Service) AwayOverview(ctx context.Context, a Actor, from, until time.Time, after store.AwayAfter, limit int) ([]AwayEntry, error) {
	now := s.Now()
	if from.IsZero() {
		from = now
	}
	if until.IsZero() {
		until = from.Add(AwayWindow)
	}
	if !until.After(from) {
		return nil, inputErr("until", "%s is not after from, %s", day(until), day(from))
	}
	out := []AwayEntry{}
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		periods, err := q.AwayBetween(ctx, from, until, after, limit)
		if err != nil {
			return err
		}
		for _, p := range periods {
			to, err := s.route(ctx, q, p.UserID)
			if err != nil {
				return err
			}
			e := AwayEntry{AwayPeriod: p, AwayNow: p.Covers(now), Ended: !p.End.IsZero() && !p.End.After(now), WorkTo: to.Email}
			e.Waits = to.ID == p.UserID && to.Away
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// PastAway lists email's away periods that have ended, newest first, at
// most limit: the short history on their detail view.
func (s *Service) PastAway(ctx context.Context, a Actor, email string, limit int) ([]store.AwayPeriod, error) {
	var out []store.AwayPeriod
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		out, err = q.PastAwayPeriods(ctx, u.ID, s.Now(), limit)
		return err
	})
	return out, err
}
