package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"roster/i18n"
	"roster/store"
)

// UserAct is what a batch does to each user it names.
type UserAct int

const (
	// ResendInvitations sends each invited person a new link, voiding the
	// old one and restarting its lifetime; a mail of the old link not yet
	// sent is replaced.
	ResendInvitations UserAct = iota
	// RevokeInvitations deletes each pending invitation and its
	// never-activated user.
	RevokeInvitations
	// SendStagedInvitations invites users who were created staged: their
	// invitation goes out, under the resend rule.
	SendStagedInvitations
	// ChangeRole gives each user UserBatch.Role with its preset, as
	// SetPermissions does.
	ChangeRole
	// JoinTeam adds each user to UserBatch.Team; LeaveTeam takes them out.
	JoinTeam
	LeaveTeam
	// DeactivateUsers and ReactivateUsers do what Deactivate and Reactivate do.
	DeactivateUsers
	ReactivateUsers
	// JoinBranch adds each user to UserBatch.Branch; LeaveBranch takes them out.
	JoinBranch
	LeaveBranch
)

// UserBatch names the users a batch acts on, and what it does.
type UserBatch struct {
	Act    UserAct
	Role   string // ChangeRole's
	Team   string // JoinTeam's and LeaveTeam's
	Branch string // JoinBranch's and LeaveBranch's
	// The users: by address, by ID (a selection SelectUsers fixed), or every
	// stuck invitation (see Stuck).
	Emails []string
	IDs    []int64
	Stuck  bool
	// Stage is ReactivateUsers': one who never accepted their invitation
	// comes back staged, their invitation left to SendStagedInvitations,
	// instead of being sent one (SCIM, on an account that stages the
	// people it creates: roster account --scim-staged).
	Stage bool
	// Progress, when set, is told how many rows are done of how many, once
	// the rows are known and after each committed batch: a screen draws a
	// progress bar from it. It runs on the caller's goroutine.
	Progress func(done, total int)
}

// NotDoneError marks a row that a batch stopped before: the batch was
// cancelled, or a batch failed. Nothing of the row was written.
type NotDoneError struct{ Cause error }

func (e *NotDoneError) Error() string { return "not done: " + e.Cause.Error() }

// Localize says e in p's language.
func (e *NotDoneError) Localize(p *i18n.Printer) string { return p.T("not done: %s", e.Cause) }

func (e *NotDoneError) Unwrap() error { return e.Cause }

// userRule is one act of a batch on one user: it refuses them with a typed
// error before anything of theirs is written, or returns the write that
// does the act with its audit row. Every act of ActOnUsers is one of these,
// so that a new act is one more case of (*Service).userRule.
type userRule func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) (write func() error, err error)

// userRule is act's rule; b's role or team, checked once before the first
// row (an unknown one refuses the whole batch).
func (s *Service) userRule(ctx context.Context, b UserBatch) (userRule, error) {
	switch b.Act {
	case ResendInvitations:
		// The link sets the person's password: sending it is acting as them (mayActAs).
		return func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) (func() error, error) {
			if err := s.mayActAs(ctx, q, op, u, "users.invite", "resending invitations", "resend the invitation of"); err != nil {
				return nil, err
			}
			if u.Status != store.Invited {
				return nil, stateErr("%s is %s, not invited: nothing to resend", u.Email, status(u.Status))
			}
			if err := s.checkRate(ctx, q, u, "invite"); err != nil {
				return nil, err
			}
			return func() error {
				if err := s.sendLink(ctx, q, op.User, acct, u, "invite", store.MailInviteResent); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "invite.resend", u, nil, map[string]any{"expires_at": s.Now().Add(acct.InviteLifetime)})
			}, nil
		}, nil
	case SendStagedInvitations:
		return func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) (func() error, error) {
			if err := s.mayActAs(ctx, q, op, u, "users.invite", "sending invitations", "send the invitation of"); err != nil {
				return nil, err
			}
			if u.Status != store.Staged {
				return nil, stateErr("%s is %s, not staged", u.Email, status(u.Status))
			}
			return func() error {
				before := profileOf(u)
				u.Status = store.Invited
				if err := s.update(ctx, q, op, u, 0); err != nil {
					return err
				}
				return s.sendInvitation(ctx, q, op, acct, u, before)
			}, nil
		}, nil
	case RevokeInvitations:
		return func(ctx context.Context, q *store.Q, op *operator, _ *store.Account, u *store.User) (func() error, error) {
			if err := op.need("users.invite", "revoking invitations"); err != nil {
				return nil, err
			}
			if (u.Status != store.Invited && u.Status != store.Staged) || !u.ActivatedAt.IsZero() {
				return nil, stateErr("%s is %s: only a pending invitation can be revoked", u.Email, status(u.Status))
			}
			if err := op.outranks(u, "revoke the invitation of"); err != nil {
				return nil, err
			}
			if err := notHolding(ctx, q, u); err != nil {
				return nil, err
			}
			return func() error {
				if _, err := q.CancelPendingMail(ctx, u.ID, theirMail...); err != nil {
					return err
				}
				if err := q.DeleteUser(ctx, u.ID); err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "invite.revoke", u, profileOf(u), nil)
			}, nil
		}, nil
	case ChangeRole:
		role := strings.ToLower(strings.TrimSpace(b.Role))
		if !KnownRole(role) {
			return nil, inputErr("role", "%q is not a role (want one of %s)", b.Role, strings.Join(Roles, ", "))
		}
		return func(ctx context.Context, q *store.Q, op *operator, _ *store.Account, u *store.User) (func() error, error) {
			plan, err := s.planPerms(ctx, q, op, u, PermChange{Role: role})
			if err != nil {
				return nil, err
			}
			if u.Role == role {
				return nil, unchanged("%s is already %s", u.Email, article(role))
			}
			return func() error { return s.writePerms(ctx, q, op, u, 0, plan) }, nil
		}, nil
	case JoinTeam, LeaveTeam, JoinBranch, LeaveBranch:
		kind, name := teamKind, b.Team
		if b.Act == JoinBranch || b.Act == LeaveBranch {
			kind, name = branchKind, b.Branch
		}
		var team string
		err := s.st.ReadTx(ctx, func(q *store.Q) error {
			t, err := checkGroups(ctx, q, kind, []string{name}, nil)
			if err == nil && len(t) == 0 {
				err = inputErr(kind.what, "is empty")
			}
			if err == nil {
				team = t[0]
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		join := b.Act == JoinTeam || b.Act == JoinBranch
		return func(ctx context.Context, q *store.Q, op *operator, _ *store.Account, u *store.User) (func() error, error) {
			// One's own teams too take users.edit (mayRegroup).
			managing := "managing teams"
			if b.Act == JoinBranch || b.Act == LeaveBranch {
				managing = "managing branches"
			}
			if err := op.need("users.edit", managing); err != nil {
				return nil, err
			}
			if err := op.mayActOn(u, "users.edit", "editing profiles", "edit"); err != nil {
				return nil, err
			}
			in := slices.Contains(*kind.of(u), team)
			switch {
			case join && in:
				return nil, unchanged("%s is already in %s", u.Email, team)
			case !join && !in:
				return nil, unchanged("%s is not in %s", u.Email, team)
			}
			return func() error {
				before := profileOf(u)
				if join {
					*kind.of(u) = changeList(*kind.of(u), []string{team}, nil)
				} else {
					*kind.of(u) = changeList(*kind.of(u), nil, []string{team})
				}
				err := s.updateBy(ctx, op, u, 0, q, func(ctx context.Context, u *store.User, version int64) error {
					return kind.set(q, ctx, u, team, join, version)
				})
				if err != nil {
					return err
				}
				return s.audit(ctx, q, op.User, op.channel, "user.edit", u, before, profileOf(u))
			}, nil
		}, nil
	case DeactivateUsers:
		return func(ctx context.Context, q *store.Q, op *operator, _ *store.Account, u *store.User) (func() error, error) {
			if err := s.mayRemove(ctx, q, op, u, "deactivate", "deactivated"); err != nil {
				return nil, err
			}
			if u.Status == store.Deactivated {
				return nil, unchanged("%s is already deactivated", u.Email)
			}
			return func() error { return s.deactivate(ctx, q, op, u) }, nil
		}, nil
	case ReactivateUsers:
		return func(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User) (func() error, error) {
			if err := op.need("users.delete", "reactivating users"); err != nil {
				return nil, err
			}
			if err := op.outranks(u, "reactivate"); err != nil {
				return nil, err
			}
			if u.Status == store.Active {
				return nil, unchanged("%s is already active", u.Email)
			}
			// Reactivation leaves someone who never accepted invited: so
			// does running it again.
			if u.Status == store.Invited {
				return nil, unchanged("%s is already %s", u.Email, status(u.Status))
			}
			if u.Status != store.Deactivated {
				return nil, stateErr("%s is %s, not deactivated", u.Email, status(u.Status))
			}
			// One who never accepted is sent their invitation, whose link
			// sets their password: as sending it is, that is acting as them.
			if u.ActivatedAt.IsZero() && !b.Stage {
				if err := s.mayActAs(ctx, q, op, u, "users.invite", "sending invitations", "send the invitation of"); err != nil {
					return nil, err
				}
			}
			return func() error { return s.reactivate(ctx, q, op, acct, u, b.Stage) }, nil
		}, nil
	}
	return nil, fmt.Errorf("unknown act %d", b.Act)
}

// CheckBatch refuses b as ActOnUsers would before its first user: an
// unknown role, a team or a branch that does not exist. A caller that asks
// first, or finds nobody to act on, checks the act itself with it.
func (s *Service) CheckBatch(ctx context.Context, b UserBatch) error {
	_, err := s.userRule(ctx, b)
	return err
}

// ActOnUsers does one act (resend, revoke or send invitations, change the
// role, join or leave a team, deactivate, reactivate) to many users, for
// any number: the screens, the command line and the API all run their bulk
// acts through it. It writes them in batches of at most bulkBatchRows rows
// (see batch for how long), each one transaction with its audit rows and mail,
// letting other writers in between two (pause, as Import does): a
// user is done whole or not at all. Every rule applies to each user as when
// acting on them alone; a user the rules refuse (not invited, sent too
// recently, above the operator, the last owner) is reported with the
// reason and does not hold back the others. Cancelling ctx stops between
// batches, or rolls back the batch under way: the batches before are done,
// the rows after are reported NotDoneError, and ctx's error is returned; a
// failing batch does the same with its error. The outcomes are in the
// order of the request (FailuresFirst sorts them for showing).
func (s *Service) ActOnUsers(ctx context.Context, a Actor, b UserBatch) ([]Outcome, error) {
	rule, err := s.userRule(ctx, b)
	if err != nil {
		return nil, err
	}
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
	out := make([]Outcome, len(emails)+len(b.IDs))
	for i, e := range emails {
		out[i].Email = strings.TrimSpace(e)
	}
	for i, id := range b.IDs {
		out[len(emails)+i].ID = id
	}
	// find reads the row's user in the batch's transaction: by address, or
	// by ID after the addresses, a few hundred at a time (read is the
	// batch's, emptied as each starts).
	var read map[int64]*store.User
	find := func(q *store.Q, i int) (*store.User, error) {
		if i < len(emails) {
			return s.findUser(ctx, q, out[i].Email)
		}
		j := i - len(emails)
		id := b.IDs[j]
		if _, ok := read[id]; !ok {
			ids := b.IDs[j:min(j+readAhead, len(b.IDs))]
			users, err := q.UsersByID(ctx, ids, s.Now())
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				read[id] = users[id] // nil: gone
			}
		}
		if u := read[id]; u != nil {
			return u, nil
		}
		return nil, notFound("user #%d (deleted since it was selected)", id)
	}
	progress := func(done int) {
		if b.Progress != nil {
			b.Progress(done, len(out))
		}
	}
	progress(0)
	stop := func(from int, err error) ([]Outcome, error) {
		for i := from; i < len(out); i++ {
			out[i].Err = &NotDoneError{Cause: err}
		}
		return out, err
	}
	for next := 0; next < len(out); {
		if next > 0 {
			if err := s.pause(ctx); err != nil {
				return stop(next, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return stop(next, err)
		}
		var done []Outcome
		err := s.write(ctx, a, func(q *store.Q, op *operator) error {
			done, read = done[:0], map[int64]*store.User{}
			ctx, later := auditLater(ctx)
			acct, err := q.Account(ctx)
			if err != nil {
				return err
			}
			end := s.newBatch()
			for i := next; i < len(out) && len(done) < bulkBatchRows && (len(done) == 0 || !end.over()); i++ {
				o := out[i]
				var write func() error
				u, err := find(q, i)
				if err == nil {
					o.Email, o.ID = u.Email, u.ID
					write, err = rule(ctx, q, op, acct, u)
				}
				var same *unchangedError
				switch {
				case errors.As(err, &same):
					o.Unchanged, err = same.why, nil
				case err == nil:
					if err := write(); err != nil {
						return err
					}
				case !refusal(err):
					return err
				}
				o.Err = err
				done = append(done, o)
			}
			return s.writeAudit(ctx, q, *later...)
		})
		if err != nil {
			return stop(next, err)
		}
		next += copy(out[next:], done)
		progress(next)
	}
	return out, nil
}

// SelectUsers fixes a selection made by a filter: the IDs of every user
// lq's status, team and search keep, read in one statement, for
// ActOnUsers. A bulk act works on these, not on the filter, so that the
// users it changes (a role, a status) neither leave nor join its set while
// it runs, and the count asked about is the count done.
func (s *Service) SelectUsers(ctx context.Context, a Actor, lq store.ListQuery) ([]int64, error) {
	if err := checkList(lq); err != nil {
		return nil, err
	}
	var ids []int64
	lq.Now = s.Now()
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := groupsExist(ctx, q, lq); err != nil {
			return err
		}
		ids, err = q.UserIDs(ctx, lq)
		return err
	})
	return ids, err
}

// CountUsers counts the users lq's filter keeps, as SelectUsers would
// list them: what a screen shows for "every user matching".
func (s *Service) CountUsers(ctx context.Context, a Actor, lq store.ListQuery) (int, error) {
	if err := checkList(lq); err != nil {
		return 0, err
	}
	var n int
	lq.Now = s.Now()
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := groupsExist(ctx, q, lq); err != nil {
			return err
		}
		n, err = q.CountUsers(ctx, lq)
		return err
	})
	return n, err
}

// bulkBatchRows bounds a batch of a bulk act or an import, besides its
// time (batch): with no writer waiting, at a few hundred microseconds a
// user, it is what ends a batch, about a second's work. A team given to
// 100,000 users in batches of 1,000 spent as long in the pauses between
// them as at work, and so did an import. A variable, that a test may make
// batches smaller.
var bulkBatchRows = 5000

// readAhead is how many users a batch by ID reads in one statement.
const readAhead = 200

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

// Resend resends a few invitations, as ActOnUsers does.
func (s *Service) Resend(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnUsers(ctx, a, UserBatch{Act: ResendInvitations, Emails: emails})
	return out
}

// SendStaged sends a few staged users their invitation, as ActOnUsers does.
func (s *Service) SendStaged(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnUsers(ctx, a, UserBatch{Act: SendStagedInvitations, Emails: emails})
	return out
}

// Revoke revokes a few invitations, as ActOnUsers does.
func (s *Service) Revoke(ctx context.Context, a Actor, emails []string) []Outcome {
	out, _ := s.ActOnUsers(ctx, a, UserBatch{Act: RevokeInvitations, Emails: emails})
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

// Ask asks whether to do b to n users: "Change the role of 1,234 users to
// member?". The screens and the command line ask it, in the operator's
// language.
func (b UserBatch) Ask(n int) i18n.Text {
	users := i18n.Count(n, "%s user", "%s users")
	switch b.Act {
	case ResendInvitations:
		return i18n.Msg("Resend the invitations of %s?", users)
	case RevokeInvitations:
		return i18n.Msg("Revoke the invitations of %s (their accounts are deleted)?", users)
	case SendStagedInvitations:
		return i18n.Msg("Send the invitations of %s staged?", users)
	case ChangeRole:
		return i18n.Msg("Change the role of %s to %s?", users, i18n.Msg(Printable(b.Role)))
	case JoinTeam:
		return i18n.Msg("Add %s to %s?", users, Printable(b.Team))
	case LeaveTeam:
		return i18n.Msg("Remove %s from %s?", users, Printable(b.Team))
	case JoinBranch:
		return i18n.Msg("Add %s to the branch %s?", users, Printable(b.Branch))
	case LeaveBranch:
		return i18n.Msg("Remove %s from the branch %s?", users, Printable(b.Branch))
	case DeactivateUsers:
		return i18n.Msg("Deactivate %s (they will not be able to log in)?", users)
	case ReactivateUsers:
		return i18n.Msg("Reactivate %s?", users)
	}
	return i18n.Msg("Act on %s?", users)
}

// Did is what b did to each user it did not refuse: "made member".
func (b UserBatch) Did() i18n.Text {
	switch b.Act {
	case ResendInvitations:
		return i18n.Msg("resent")
	case RevokeInvitations:
		return i18n.Msg("revoked")
	case SendStagedInvitations:
		return i18n.Msg("invited")
	case ChangeRole:
		return i18n.Msg("made %s", i18n.Msg(Printable(b.Role)))
	case JoinTeam:
		return i18n.Msg("added to %s", Printable(b.Team))
	case LeaveTeam:
		return i18n.Msg("removed from %s", Printable(b.Team))
	case JoinBranch:
		return i18n.Msg("added to the branch %s", Printable(b.Branch))
	case LeaveBranch:
		return i18n.Msg("removed from the branch %s", Printable(b.Branch))
	case DeactivateUsers:
		return i18n.Msg("deactivated")
	case ReactivateUsers:
		return i18n.Msg("reactivated")
	}
	return i18n.Msg("done")
}

// ParseWhere reads a selection's filter as the command line writes it:
// space-separated status=S, team=T and search=TEXT, a value in double
// quotes when it holds spaces (team="Ventes Paris").
func ParseWhere(s string) (store.ListQuery, error) {
	var lq store.ListQuery
	rest := strings.TrimSpace(s)
	if rest == "" {
		return lq, inputErr("where", "is empty: want status=S, team=T, branch=B or search=TEXT")
	}
	given := map[string]bool{}
	for rest != "" {
		k, v, ok := strings.Cut(rest, "=")
		if !ok || strings.ContainsAny(k, " \t") {
			return lq, inputErr("where", "%q: want KEY=VALUE (status, team, branch or search)", strings.Fields(rest)[0])
		}
		// The second value replaced the first, unsaid: the act chose
		// other users than either was meant to.
		if given[k] {
			return lq, inputErr("where", "%s is given twice: give it one value", k)
		}
		given[k] = true
		if strings.HasPrefix(v, `"`) {
			end := strings.Index(v[1:], `"`)
			if end < 0 {
				return lq, inputErr("where", "%s: the quote is not closed", k)
			}
			v, rest = v[1:end+1], v[end+2:]
		} else {
			v, rest, _ = strings.Cut(v, " ")
		}
		rest = strings.TrimSpace(rest)
		// A script's unset variable ("team=$T") must not widen the act
		// to everyone.
		if strings.TrimSpace(v) == "" {
			return lq, inputErr("where", "%s= has no value: give one, or leave %s out", k, k)
		}
		switch k {
		case "status":
			if !slices.Contains(store.StatusFilters(), v) {
				return lq, inputErr("where", "status %q: want one of %s", v, strings.Join(store.StatusFilters(), ", "))
			}
			lq.Status = v
		case "team":
			lq.Team = v
		case "branch":
			lq.Branch = v
		case "search":
			lq.Search = v
		default:
			return lq, inputErr("where", "%q: want status, team, branch or search", k)
		}
	}
	return lq, nil
}

// notHolding refuses to revoke the invitation of u while they hold work
// that deleting them would lose: conversations (open or done) or automated
// replies, which only a delete hands to an heir. roster no longer gives
// such work to someone invited, but a database may hold some from before,
// and the revoke failed with the store's "FOREIGN KEY constraint failed".
func notHolding(ctx context.Context, q *store.Q, u *store.User) error {
	open, _, err := q.CountConversations(ctx, u.ID, "open", store.Selection{All: true})
	if err != nil {
		return err
	}
	done, _, err := q.CountConversations(ctx, u.ID, "closed", store.Selection{All: true})
	if err != nil {
		return err
	}
	replies, err := q.AutoReplies(ctx, u.ID)
	if err != nil {
		return err
	}
	held := list{sep: ", "}
	if n := open + done; n > 0 {
		held.items = append(held.items, i18n.Count(int(n), "%d conversation", "%d conversations", n))
	}
	if n := len(replies); n > 0 {
		held.items = append(held.items, i18n.Count(n, "%d automated reply", "%d automated replies", n))
	}
	if len(held.items) == 0 {
		return nil
	}
	return stateErr(HeldByInvited, u.Email, held)
}

// HeldByInvited is the refusal's message key (StateError.Why) when an
// invitation cannot be revoked for the work its user holds.
const HeldByInvited = "%s holds %s: delete the user, naming who inherits them, rather than revoke the invitation"
