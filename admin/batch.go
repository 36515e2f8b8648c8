package admin

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"roster/store"
)

// InvitationAct is what a batch does to each invitation it names.
type InvitationAct int

const (
	// ResendInvitations sends each invited person a new link, voiding the
	// old one and restarting its lifetime; a mail of the old link not yet
	// sent is replaced.
	ResendInvitations InvitationAct = iota
	// RevokeInvitations deletes each pending invitation and its
	// never-activated user.
	RevokeInvitations
	// SendStagedInvitations invites users who were created staged: their
	// invitation goes out, under the resend rule.
	SendStagedInvitations
)

// InvitationBatch names the invitations a batch acts on, and what it does.
type InvitationBatch struct {
	Act    InvitationAct
	Emails []string // the invitations, by address
	Stuck  bool     // every stuck invitation (see Stuck) instead of Emails
	// Progress, when set, is told how many rows are done of how many, once
	// the rows are known and after each committed batch: a screen draws a
	// progress bar from it. It runs on the caller's goroutine.
	Progress func(done, total int)
}

// NotDoneError marks a row that a batch stopped before: the batch was
// cancelled, or a batch failed. Nothing of the row was written.
type NotDoneError struct{ Cause error }

func (e *NotDoneError) Error() string { return "not done: " + e.Cause.Error() }

func (e *NotDoneError) Unwrap() error { return e.Cause }

// invitationRule is one act of a batch: check refuses a row with a typed
// error before anything of it is written, apply writes it.
type invitationRule struct {
	check func(ctx context.Context, q *store.Q, op *operator, u *store.User) error
	apply func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) error
}

func (s *Service) invitationRule(act InvitationAct) invitationRule {
	switch act {
	case SendStagedInvitations:
		return invitationRule{
			check: func(ctx context.Context, q *store.Q, op *operator, u *store.User) error {
				if err := s.mayActAs(ctx, q, op, u, "users.invite", "sending invitations", "send the invitation of"); err != nil {
					return err
				}
				if u.Status != store.Staged {
					return stateErr("%s is %s, not staged", u.Email, u.Status)
				}
				return nil
			},
			apply: func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) error {
				before := profileOf(u)
				u.Status = store.Invited
				if err := s.update(ctx, q, op, u, 0); err != nil {
					return err
				}
				if err := s.sendLink(ctx, q, op.User, acct, u, "invite", store.MailInvitation); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "user.invite", u, before, profileOf(u))
			},
		}
	case RevokeInvitations:
		return invitationRule{
			check: func(ctx context.Context, q *store.Q, op *operator, u *store.User) error {
				if err := op.need("users.invite", "revoking invitations"); err != nil {
					return err
				}
				if (u.Status != store.Invited && u.Status != store.Staged) || !u.ActivatedAt.IsZero() {
					return stateErr("%s is %s: only a pending invitation can be revoked", u.Email, u.Status)
				}
				return op.outranks(u, "revoke the invitation of")
			},
			apply: func(ctx context.Context, q *store.Q, op *operator, _ *store.Account, u *store.User) error {
				if _, err := q.CancelPendingMail(ctx, u.ID, store.MailInvitation, store.MailInviteResent, store.MailPasswordReset); err != nil {
					return err
				}
				if err := q.DeleteUser(ctx, u.ID); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "invite.revoke", u, profileOf(u), nil)
			},
		}
	}
	// The link sets the person's password: sending it is acting as them (mayActAs).
	return invitationRule{
		check: func(ctx context.Context, q *store.Q, op *operator, u *store.User) error {
			if err := s.mayActAs(ctx, q, op, u, "users.invite", "resending invitations", "resend the invitation of"); err != nil {
				return err
			}
			if u.Status != store.Invited {
				return stateErr("%s is %s, not invited: nothing to resend", u.Email, u.Status)
			}
			return s.checkRate(ctx, q, u, "invite")
		},
		apply: func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) error {
			if err := s.sendLink(ctx, q, op.User, acct, u, "invite", store.MailInviteResent); err != nil {
				return err
			}
			return s.audit(ctx, q, op.User, op.channel, "invite.resend", u, nil, map[string]any{"expires_at": s.Now().Add(acct.InviteLifetime)})
		},
	}
}

// ActOnInvitations resends, revokes or sends (staged) many invitations, for any number: it
// writes them in batches of at most importBatchRows rows or importBatchTime,
// each one transaction with its audit rows and mail, pausing between two so
// that other writers get in (as Import does). A row refused by the rules
// (not invited, sent too recently, above the operator) is reported with its
// reason and does not hold back the others. Cancelling ctx stops between
// batches, or rolls back the batch under way: the batches before are done,
// the rows after are reported NotDoneError, and ctx's error is returned; a
// failing batch does the same with its error. The outcomes are in the
// order of the request (FailuresFirst sorts them for showing).
func (s *Service) ActOnInvitations(ctx context.Context, a Actor, b InvitationBatch) ([]Outcome, error) {
	emails := b.Emails
	if b.Stuck {
		stuck, err := s.Stuck(ctx, a)
		if err != nil {
			return nil, err
		}
		emails = make([]string, len(stuck))
		for i, in := range stuck {
			emails[i] = in.Email
		}
	}
	out := make([]Outcome, len(emails))
	for i, e := range emails {
		out[i].Email = strings.TrimSpace(e)
	}
	progress := func(done int) {
		if b.Progress != nil {
			b.Progress(done, len(out))
		}
	}
	progress(0)
	rule := s.invitationRule(b.Act)
	stop := func(from int, err error) ([]Outcome, error) {
		for i := from; i < len(out); i++ {
			out[i].Err = &NotDoneError{Cause: err}
		}
		return out, err
	}
	for next := 0; next < len(out); {
		if next > 0 {
			select {
			case <-ctx.Done():
				return stop(next, ctx.Err())
			case <-time.After(importPause):
			}
		}
		if err := ctx.Err(); err != nil {
			return stop(next, err)
		}
		var done []Outcome
		err := s.write(ctx, a, func(q *store.Q, op *operator) error {
			done = done[:0]
			acct, err := q.Account(ctx)
			if err != nil {
				return err
			}
			until := time.Now().Add(importBatchTime)
			for i := next; i < len(out) && len(done) < importBatchRows && (len(done) == 0 || time.Now().Before(until)); i++ {
				o := Outcome{Email: out[i].Email}
				u, err := s.findUser(ctx, q, o.Email)
				if err == nil {
					o.Email = u.Email
					err = rule.check(ctx, q, op, u)
				}
				switch {
				case err == nil:
					if err := rule.apply(ctx, q, op, acct, u); err != nil {
						return err
					}
				case !refusal(err):
					return err
				}
				o.Err = err
				done = append(done, o)
			}
			return nil
		})
		if err != nil {
			return stop(next, err)
		}
		next += copy(out[next:], done)
		progress(next)
	}
	return out, nil
}

// refusal reports whether err is the rules refusing one row, as opposed to
// the store failing, which ends the batch.
func refusal(err error) bool {
	var (
		d  *DeniedError
		st *StateError
		r  *RateLimitError
		nf *NotFoundError
	)
	return errors.As(err, &d) || errors.As(err, &st) || errors.As(err, &r) || errors.As(err, &nf)
}

// Resend resends a few invitations, as ActOnInvitations does.
func (s *Service) Resend(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnInvitations(ctx, a, InvitationBatch{Act: ResendInvitations, Emails: emails})
	return out
}

// SendStaged sends a few staged users their invitation, as ActOnInvitations does.
func (s *Service) SendStaged(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnInvitations(ctx, a, InvitationBatch{Act: SendStagedInvitations, Emails: emails})
	return out
}

// Revoke revokes a few invitations, as ActOnInvitations does.
func (s *Service) Revoke(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnInvitations(ctx, a, InvitationBatch{Act: RevokeInvitations, Emails: emails})
	return out
}

// FailuresFirst orders outcomes for showing: the failures first, each with
// its reason, then the rows done; each part keeps the request's order.
func FailuresFirst(out []Outcome) {
	slices.SortStableFunc(out, func(x, y Outcome) int {
		return cmp.Compare(okRank(x), okRank(y))
	})
}

func okRank(o Outcome) int {
	if o.Err != nil {
		return 0
	}
	return 1
}
