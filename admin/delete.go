package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// theirMail is every kind of mail a person gets about themselves: removing
// them (delete, or revoking their invitation) cancels what is not sent yet.
var theirMail = []string{store.MailInvitation, store.MailInviteResent, store.MailPasswordReset, store.MailStandInNotice, store.MailNotice}

// DeleteRequest is what the operator chose before "Transfer and delete"
// (seed 004): the conversations that need no follow-up, closed first; the
// automated replies switched off rather than handed on; who inherits the rest.
type DeleteRequest struct {
	// Heir inherits the open conversations left, the automated replies kept
	// and the stand-in duties; "" when the user owns none of them.
	Heir string `json:"heir,omitempty"`
	// Close picks the open conversations to close.
	Close store.Selection `json:"close"`
	// SwitchOff picks the automated replies to switch off.
	SwitchOff store.Selection `json:"switch_off"`
	// Digest is the DeletePlan.Digest of the preview the operator confirmed:
	// Delete refuses with a ConflictError when its plan differs. "" acts on
	// the plan as it is at the time.
	Digest string `json:"digest,omitempty"`
	// Version, when not 0, is the user's version the operator read them
	// at (SCIM's If-Match): Delete refuses with a ConflictError when they
	// changed since.
	Version int64 `json:"-"`
}

// DeletePlan is everything deleting a user does. PlanDelete computes it for
// the preview; Delete computes it again in its transaction, compares
// digests, does it and audits it, so that the preview, the act and the
// audit entry are one list.
type DeletePlan struct {
	Email string `json:"email"`
	Heir  string `json:"heir,omitempty"`
	// NeedsHeir is false when, once the chosen conversations are closed and
	// replies switched off, the user owns nothing an heir must take on.
	NeedsHeir bool  `json:"needs_heir"`
	Open      int64 `json:"open_conversations"`   // open before the act
	Closed    int64 `json:"conversations_closed"` // closed by the act
	Moved     int64 `json:"conversations_moved"`  // left open, to the heir
	// Done counts the closed conversations, before or by the act: they go
	// to the heir, or to nobody when there is none.
	Done     int64         `json:"closed_conversations"`
	Replies  []ReplyPlan   `json:"auto_replies"`
	StandIns []StandInDuty `json:"standins"` // periods the heir stands in for instead
	SSHKeys  int           `json:"ssh_keys_revoked"`
	APIKeys  int           `json:"api_keys_revoked"`
	// SeatPaidUntil is the end of the cycle the user's seat stays paid to,
	// with no credit; zero when nothing was billed for it.
	SeatPaidUntil time.Time `json:"seat_paid_until,omitzero"`
	// Digest fingerprints what the act does to what (the conversation sets
	// by their IDs, the replies, duties and keys), for DeleteRequest.Digest.
	Digest string `json:"digest"`

	closeSum, moveSum int64 // the sums of the IDs closed and moved
	periods           []store.AwayPeriod
}

// ReplyPlan says what deleting its owner does to an automated reply.
type ReplyPlan struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Fate string `json:"fate"` // ReplyToHeir, ReplySwitchedOff or ReplyOff
}

// What a deletion does to an automated reply.
const (
	ReplyToHeir      = "to heir"
	ReplySwitchedOff = "switched off"
	ReplyOff         = "already off"
)

// Says says the plan one act a line, to be put in the operator's language:
// as the preview lists what it will do ("move 2 open conversations to …"),
// or, done, as what was done ("moved 2 open conversations to …").
func (p *DeletePlan) Says(done bool) []i18n.Text {
	var out []i18n.Text
	var heir any = p.Heir
	if p.Heir == "" {
		heir = i18n.Msg("the heir")
	}
	switch {
	case p.Closed > 0 && done:
		out = append(out, i18n.Count(int(p.Open), "closed %d of %d open conversation", "closed %d of %d open conversations", p.Closed, p.Open))
	case p.Closed > 0:
		out = append(out, i18n.Count(int(p.Open), "close %d of %d open conversation", "close %d of %d open conversations", p.Closed, p.Open))
	}
	switch {
	case p.Moved > 0 && done:
		out = append(out, i18n.Count(int(p.Moved), "moved %d open conversation to %s", "moved %d open conversations to %s", p.Moved, heir))
	case p.Moved > 0:
		out = append(out, i18n.Count(int(p.Moved), "move %d open conversation to %s", "move %d open conversations to %s", p.Moved, heir))
	}
	if p.Done > 0 {
		if p.Heir != "" {
			out = append(out, i18n.Count(int(p.Done), "%d closed conversation goes to %s", "%d closed conversations go to %s", p.Done, p.Heir))
		} else {
			out = append(out, i18n.Count(int(p.Done), "%d closed conversation stays, assigned to nobody", "%d closed conversations stay, assigned to nobody", p.Done))
		}
	}
	for _, r := range p.Replies {
		switch {
		case r.Fate == ReplyToHeir:
			out = append(out, i18n.Msg("automated reply “%s”: to %s", r.Name, heir))
		case p.Heir != "":
			out = append(out, i18n.Msg("automated reply “%s”: %s, kept by %s", r.Name, i18n.Msg(r.Fate), p.Heir))
		default:
			out = append(out, i18n.Msg("automated reply “%s”: %s, kept by nobody", r.Name, i18n.Msg(r.Fate)))
		}
	}
	for _, d := range p.StandIns {
		out = append(out, i18n.Msg("%s: %s stands in instead", d, heir))
	}
	if p.SSHKeys+p.APIKeys > 0 {
		revoke := "revoke %s and %s"
		if done {
			revoke = "revoked %s and %s"
		}
		out = append(out, i18n.Msg(revoke,
			i18n.Count(p.SSHKeys, "%d SSH key", "%d SSH keys", p.SSHKeys), i18n.Count(p.APIKeys, "%d API key", "%d API keys", p.APIKeys)))
	}
	if !p.SeatPaidUntil.IsZero() {
		out = append(out, i18n.Msg("their seat stays paid until %s, with no credit", p.SeatPaidUntil.Format(time.DateOnly)))
	}
	if !p.NeedsHeir {
		out = append(out, i18n.Msg("nothing else is left to inherit: no heir needed"))
	}
	return out
}

// PlanDelete says what Delete would do with r, changing nothing.
func (s *Service) PlanDelete(ctx context.Context, a Actor, email string, r DeleteRequest) (*DeletePlan, error) {
	var p *DeletePlan
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		p, err = s.planDelete(ctx, q, op, u, r)
		return err
	})
	return p, err
}

// planDelete computes the plan in the caller's transaction, refusing what
// Delete would refuse but a missing heir, which the preview reports as
// NeedsHeir.
func (s *Service) planDelete(ctx context.Context, q *store.Q, op *operator, u *store.User, r DeleteRequest) (*DeletePlan, error) {
	if err := s.mayRemove(ctx, q, op, u, "delete", "deleted"); err != nil {
		return nil, err
	}
	for _, sel := range []struct {
		name string
		store.Selection
	}{{"close", r.Close}, {"switch-off", r.SwitchOff}} {
		if len(sel.IDs) > store.MaxSelected {
			return nil, inputErr(sel.name, "lists %d IDs, more than %d: select all and untick the others instead", len(sel.IDs), store.MaxSelected)
		}
	}
	p := &DeletePlan{Email: u.Email, Replies: []ReplyPlan{}}
	var openSum int64
	var err error
	if p.Open, openSum, err = q.CountConversations(ctx, u.ID, "open", store.Selection{All: true}); err != nil {
		return nil, err
	}
	if p.Closed, p.closeSum, err = q.CountConversations(ctx, u.ID, "open", r.Close); err != nil {
		return nil, err
	}
	if given := len(unique(r.Close.IDs)); !r.Close.All && p.Closed != int64(given) {
		return nil, inputErr("close", "%d of the %d conversations given are not open conversations of %s", int64(given)-p.Closed, given, u.Email)
	}
	p.Moved, p.moveSum = p.Open-p.Closed, openSum-p.closeSum
	done, _, err := q.CountConversations(ctx, u.ID, "closed", store.Selection{All: true})
	if err != nil {
		return nil, err
	}
	p.Done = done + p.Closed
	replies, err := q.AutoReplies(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range r.SwitchOff.IDs {
		if !slices.ContainsFunc(replies, func(a store.AutoReply) bool { return a.ID == id }) {
			return nil, inputErr("switch-off", "%d is not an automated reply of %s", id, u.Email)
		}
	}
	for _, a := range replies {
		rp := ReplyPlan{ID: a.ID, Name: a.Name, Fate: ReplyToHeir}
		switch {
		case !a.Enabled:
			rp.Fate = ReplyOff
		case r.SwitchOff.Has(a.ID):
			rp.Fate = ReplySwitchedOff
		default:
			p.NeedsHeir = true
		}
		p.Replies = append(p.Replies, rp)
	}
	if p.StandIns, p.periods, err = s.standInDuties(ctx, q, u); err != nil {
		return nil, err
	}
	// Handing a duty on changes who takes the away person's new work, as
	// naming their stand-in does: a manager deleted a member who stood in
	// for a fellow manager, named themselves heir, and took that work.
	for _, sp := range p.periods {
		away, err := q.UserByID(ctx, sp.UserID, s.Now())
		if err != nil {
			return nil, err
		}
		if err := op.mayRoute(away, "handing on a stand-in duty", "change who stands in for"); err != nil {
			return nil, err
		}
	}
	p.NeedsHeir = p.NeedsHeir || p.Moved > 0 || len(p.StandIns) > 0
	if strings.TrimSpace(r.Heir) != "" {
		// An heir who is no user is the request's mistake, not the user
		// deleted missing: as "user … not found", the API and SCIM
		// answered 404, which a client deleting takes for done, and an
		// identity provider whose account's SCIM heir had been deleted
		// believed each person it deleted gone while they stayed.
		heir, err := q.UserByEmail(ctx, r.Heir, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputErr("heir", "%s is not a user of this account", strings.TrimSpace(r.Heir))
		} else if err != nil {
			return nil, err
		}
		if heir.ID == u.ID {
			return nil, inputErr("heir", "must be someone else than the user deleted")
		}
		if heir.Status != store.Active {
			return nil, inputErr("heir", "%s is %s: the heir must be active", heir.Email, status(heir.Status))
		}
		if err := heirAway(u, heir, p.StandIns); err != nil {
			return nil, err
		}
		p.Heir = heir.Email
	}
	keys, err := q.Keys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	apiKeys, err := q.APIKeys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	p.SSHKeys, p.APIKeys = len(keys), len(apiKeys)
	p.Digest = p.digest()
	ps, err := s.plans(ctx, q)
	if err != nil {
		return nil, err
	}
	p.SeatPaidUntil, err = s.paidUntil(ctx, q, ps, u)
	return p, err
}

// digest fingerprints the plan but its seat, which is billing's fact and
// not the operator's choice (and which the act brings up to date first).
func (p *DeletePlan) digest() string {
	c := *p
	c.Digest, c.SeatPaidUntil = "", time.Time{}
	b, _ := json.Marshal(struct {
		Plan            DeletePlan
		Closed, Movable int64
	}{c, p.closeSum, p.moveSum})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

func unique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// HeirRequired is the refusal's message key (InputError.Why) when a user
// who owns what someone must take on is deleted without an heir; its
// arguments are the user's address and what they own.
const HeirRequired = "is required: %s still owns %s; who inherits them?"

// Delete removes a user as r says, in one transaction: it closes the chosen
// conversations, switches off the chosen automated replies, hands the rest
// and the user's stand-in duties to the heir, ends their seat and revokes
// their keys; the audit entry holds the plan. It refuses with a
// ConflictError when r.Digest is not the plan's any more, or the user is
// not at r.Version, and asks for an heir only when something is left to
// inherit. Their audit trail stays.
func (s *Service) Delete(ctx context.Context, a Actor, email string, r DeleteRequest) (*DeletePlan, error) {
	var p *DeletePlan
	err := s.each(ctx, a, []string{email}, func(q *store.Q, op *operator, u *store.User) error {
		plan, err := s.planDelete(ctx, q, op, u, r)
		if err != nil {
			return err
		}
		if err := stale(u, r.Version); err != nil {
			return err
		}
		if r.Digest != "" && r.Digest != plan.Digest {
			return &ConflictError{Email: u.Email, Plan: true}
		}
		if plan.NeedsHeir && plan.Heir == "" {
			return inputErr("heir", HeirRequired, u.Email, owned(plan))
		}
		if _, err := q.CloseConversations(ctx, u.ID, r.Close); err != nil {
			return err
		}
		if err := q.SwitchOffAutoReplies(ctx, u.ID, r.SwitchOff); err != nil {
			return err
		}
		var heir *store.User
		var heirID int64
		if plan.Heir != "" {
			if heir, err = s.findUser(ctx, q, plan.Heir); err != nil {
				return err
			}
			heirID = heir.ID
		}
		if _, _, err := q.TransferOwned(ctx, u.ID, heirID); err != nil {
			return err
		}
		if heir != nil {
			if err := s.handStandIns(ctx, q, op, u, heir, plan.periods); err != nil {
				return err
			}
		}
		if _, err := q.CancelPendingMail(ctx, u.ID, theirMail...); err != nil {
			return err
		}
		own, err := q.AwayPeriods(ctx, u.ID, s.Now())
		if err != nil {
			return err
		}
		for _, p := range own {
			if err := cancelNotices(ctx, q, u, p); err != nil {
				return err
			}
		}
		if plan.SeatPaidUntil, err = s.seatEnds(ctx, q, op.User, op.channel, u); err != nil {
			return err
		}
		if err := q.DeleteUser(ctx, u.ID); err != nil {
			return err
		}
		p = plan
		return s.audit(ctx, q, op.User, op.channel, "user.delete", u, profileOf(u), p)
	})[0].Err
	return p, err
}

// owned lists what a plan leaves for an heir, for the error that asks for one.
func owned(p *DeletePlan) list {
	out := list{sep: ", "}
	if p.Moved > 0 {
		out.items = append(out.items, i18n.Count(int(p.Moved), "%d open conversation", "%d open conversations", p.Moved))
	}
	kept := 0
	for _, r := range p.Replies {
		if r.Fate == ReplyToHeir {
			kept++
		}
	}
	if kept > 0 {
		out.items = append(out.items, i18n.Count(kept, "%d automated reply", "%d automated replies", kept))
	}
	if len(p.StandIns) > 0 {
		out.items = append(out.items, i18n.Count(len(p.StandIns), "%d stand-in duty", "%d stand-in duties", len(p.StandIns)))
	}
	return out
}

// list is messages joined by sep, as an argument of another message said
// in its language.
type list struct {
	items []i18n.Text
	sep   string
}

// say puts the message key with args at the end of l.
func (l *list) say(key string, args ...any) { l.items = append(l.items, i18n.Msg(key, args...)) }

// Localize says l in p's language.
func (l list) Localize(p *i18n.Printer) string {
	parts := make([]string, len(l.items))
	for i, t := range l.items {
		parts[i] = t.In(p)
	}
	return strings.Join(parts, l.sep)
}

// OpenConversations lists a page of email's open conversations, at most
// limit after the one with ID after, oldest first: what the Delete screen
// offers to close. They are read by one who may delete email, as
// PlanDelete is: any operator, one holding users.invite alone included,
// read the subjects of anyone's conversations, the owner's among them.
func (s *Service) OpenConversations(ctx context.Context, a Actor, email string, after int64, limit int) ([]store.Conversation, error) {
	var out []store.Conversation
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if err := s.mayRemove(ctx, q, op, u, "delete", "deleted"); err != nil {
			return err
		}
		out, err = q.OpenConversations(ctx, u.ID, after, limit)
		return err
	})
	return out, err
}
