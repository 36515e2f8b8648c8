// Package admin holds the rules of roster: every operation the command line,
// the screens, the SSH server and the web pages perform, each in one
// transaction that checks who may do it, writes the change and its audit row.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"roster/i18n"
	"roster/store"
)

// Channels an operation can come through, recorded in the audit trail.
const (
	ChannelCLI = "cli"
	ChannelTUI = "tui"
	ChannelSSH = "ssh"
	ChannelWeb = "web"
	// ChannelSystem is work roster does on its own: the renewals roster
	// serve writes as cycles start.
	ChannelSystem = "system"
)

// Service runs the rules over one store. The store is its own: every
// caller reads and changes the data through the rules, never around them.
type Service struct {
	st *store.Store
	// Now is the clock; tests set it.
	Now func() time.Time

	summary summaryMemo
	watch   watchConn // the connection every Watch reads
	// keyRefused is when each API key's refusal was last audited (by key
	// ID): once an hour, so that an automation left polling with an
	// expired key does not write a row a request.
	keyRefused sync.Map
}

// New returns a Service over st using the wall clock.
func New(st *store.Store) *Service {
	return &Service{st: st, Now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// Actor is who asks for an operation and through which channel. Who they
// are is checked again, with their current permissions, inside every operation.
type Actor struct {
	Email   string
	Channel string
	// Key is the fingerprint of the SSH key the actor signed in with
	// (KeyOperator), if any: every operation checks that it still lets
	// them in, so that a session opened with a key removed since, or
	// added by someone who may no longer act as its owner, can do nothing.
	Key string
	// apiKey is the API key the actor acts with (APIKeyActor), if any:
	// every operation checks that it still lets them in, so that a request,
	// or a bulk act's batch, that began before the key was revoked, given a
	// new secret or expired does nothing more.
	apiKey apiKeyRef
}

// apiKeyRef names an API key by its secret's hash, and its prefix for
// saying which key it is.
type apiKeyRef struct{ hash, prefix string }

// operator is the actor as read inside a transaction.
type operator struct {
	*store.User
	perms   permSet
	channel string
}

func (o *operator) can(perm string) bool { return o.perms[perm] }

func (o *operator) need(perm, what string) error {
	if !o.can(perm) {
		return denied(perm, "%s needs the %s permission, which %s does not have", i18n.Msg(what), perm, o.Email)
	}
	return nil
}

// outranks checks that the operator may act on target: nobody acts on
// someone of a higher role, and only an owner acts on an owner.
func (o *operator) outranks(target *store.User, what string) error {
	if target.Role == "owner" && o.Role != "owner" {
		return denied("", "only an owner can %s an owner", i18n.Msg(what))
	}
	if rank(target.Role) > rank(o.Role) {
		return denied("", "%s cannot %s %s", article(o.Role), i18n.Msg(what), article(target.Role))
	}
	return nil
}

// mayActOn checks that the operator may act on u: anyone on themselves; on
// someone else, only with perm and never on someone above their own role.
func (o *operator) mayActOn(u *store.User, perm, what, verb string) error {
	if o.ID == u.ID {
		return nil
	}
	if err := o.need(perm, what); err != nil {
		return err
	}
	return o.outranks(u, verb)
}

// mayRoute checks that the operator may decide where u's new work goes:
// set u away with a stand-in, end or cancel u's leave, or change who stands
// in for u. Anyone may for themselves; for someone else it takes users.away
// and a role above theirs (an owner: anyone's), not a peer's: a manager
// set a fellow manager away with themselves as stand-in and took the
// conversations meant for them, which seeing everything they saw allowed.
func (o *operator) mayRoute(u *store.User, what, verb string) error {
	if o.ID == u.ID {
		return nil
	}
	if err := o.need("users.away", what); err != nil {
		return err
	}
	if o.Role != "owner" && rank(o.Role) <= rank(u.Role) {
		return denied("", "%s cannot %s %s, %s: only they, an owner or a higher role can, as it decides who takes their new work", article(o.Role), i18n.Msg(verb), u.Email, article(u.Role))
	}
	return nil
}

// mayActAs checks that the operator may give someone else a way to act as
// u: an SSH key to open roster serve with, or a link that sets u's password
// (a reset, an invitation). Whoever holds it acts in u's name, so besides
// perm it takes what acting as u gives: a role above u's (or being an
// owner) and every permission u holds. Without this, a manager added their
// key to a manager holding users.delete and deactivated people as them.
func (s *Service) mayActAs(ctx context.Context, q *store.Q, op *operator, u *store.User, perm, what, verb string) error {
	if op.ID == u.ID {
		return nil
	}
	if err := op.need(perm, what); err != nil {
		return err
	}
	if op.Role != "owner" && rank(op.Role) <= rank(u.Role) {
		return denied("", "%s cannot %s %s, %s: only an owner or a higher role can, as it lets one act as them", article(op.Role), i18n.Msg(verb), u.Email, article(u.Role))
	}
	held, err := q.Perms(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, p := range held {
		if !op.perms.grants(p) {
			return denied(p, "%s cannot %s %s, who holds %s: that needs every permission they hold, as it lets one act as them", op.Email, i18n.Msg(verb), u.Email, p)
		}
	}
	return nil
}

// self is the active user a acts as, whatever their permissions: everyone
// manages their own API keys, members included. An operator is one who
// may also administer users. The key a came in with must still let them
// in, as for every other operation (keyHolds): a session whose key was
// removed created an API key, which outlived it.
func (s *Service) self(ctx context.Context, q *store.Q, a Actor) (*store.User, error) {
	u, err := q.UserByEmail(ctx, a.Email, s.Now())
	if err := s.mayAct(a, u, err); err != nil {
		return nil, err
	}
	if err := s.keysHold(ctx, q, a, u); err != nil {
		return nil, err
	}
	return u, nil
}

// mayAct refuses an actor found by err to be no user, or found as u to be
// no active one.
func (s *Service) mayAct(a Actor, u *store.User, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return denied("", "%s is not a user of this account", a.Email)
	}
	if err != nil {
		return err
	}
	if u.Status != store.Active {
		return denied("", "%s is %s, not active", u.Email, status(u.Status))
	}
	return nil
}

// actor reads a, an active user, with their permissions, in one statement.
func (s *Service) actor(ctx context.Context, q *store.Q, a Actor) (*operator, error) {
	u, ps, err := q.Operator(ctx, a.Email, s.Now())
	if err := s.mayAct(a, u, err); err != nil {
		return nil, err
	}
	if err := s.keysHold(ctx, q, a, u); err != nil {
		return nil, err
	}
	return &operator{User: u, perms: newPermSet(ps), channel: a.Channel}, nil
}

// keysHold refuses a, found as u, once the SSH key or API key they came in
// with no longer lets them in.
func (s *Service) keysHold(ctx context.Context, q *store.Q, a Actor, u *store.User) error {
	if a.Key != "" {
		if err := s.keyHolds(ctx, q, a.Key, u); err != nil {
			return err
		}
	}
	if a.apiKey.hash != "" {
		return s.apiKeyHolds(ctx, q, a.apiKey)
	}
	return nil
}

// operator is actor for one who administers users: holds a users.*
// permission.
func (s *Service) operator(ctx context.Context, q *store.Q, a Actor) (*operator, error) {
	o, err := s.actor(ctx, q, a)
	if err != nil {
		return nil, err
	}
	if !o.perms.anyUsers() {
		return nil, denied("", "%s holds no users.* permission and cannot administer users", o.Email)
	}
	return o, nil
}

// write runs fn in one transaction as the operator a.
func (s *Service) write(ctx context.Context, a Actor, fn func(q *store.Q, op *operator) error) error {
	return s.st.Write(ctx, func(q *store.Q) error {
		op, err := s.operator(ctx, q, a)
		if err != nil {
			return err
		}
		return fn(q, op)
	})
}

// read runs fn on one snapshot as the operator a.
func (s *Service) read(ctx context.Context, a Actor, fn func(q *store.Q, op *operator) error) error {
	return s.st.ReadTx(ctx, func(q *store.Q) error {
		op, err := s.operator(ctx, q, a)
		if err != nil {
			return err
		}
		return fn(q, op)
	})
}

// audit records an admin change in the caller's transaction. A nil actor
// stands for the person themselves acting on their own account (web pages).
func (s *Service) audit(ctx context.Context, q *store.Q, actor *store.User, channel, action string, target *store.User, before, after any) error {
	e, err := s.auditEntry(actor, channel, action, target, before, after)
	if err != nil {
		return err
	}
	if later, ok := ctx.Value(auditLaterKey{}).(*[]*store.AuditEntry); ok {
		*later = append(*later, e)
		return nil
	}
	return s.writeAudit(ctx, q, e)
}

// auditLaterKey marks the context of a bulk act's batch (ActOnUsers): its
// audit rows are gathered and written together, with what they set off,
// before the batch's transaction commits (writeAudit). One statement for a
// thousand rows, and the webhooks read once, took a third off each user.
type auditLaterKey struct{}

// auditLater is ctx for a batch whose audit rows writeAudit writes.
func auditLater(ctx context.Context) (context.Context, *[]*store.AuditEntry) {
	later := &[]*store.AuditEntry{}
	return context.WithValue(ctx, auditLaterKey{}, later), later
}

// writeAudit writes audit rows in the caller's transaction, in one
// statement, and queues what the changes set off there: webhook deliveries
// and notices. No rows, nothing.
func (s *Service) writeAudit(ctx context.Context, q *store.Q, entries ...*store.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := q.InsertAudit(ctx, entries...); err != nil {
		return err
	}
	if err := s.queueEvents(ctx, q, entries...); err != nil {
		return err
	}
	return s.notify(ctx, q, entries...)
}

// auditEntry is the row audit writes.
func (s *Service) auditEntry(actor *store.User, channel, action string, target *store.User, before, after any) (*store.AuditEntry, error) {
	e := &store.AuditEntry{At: s.Now(), Channel: channel, Action: action}
	if actor != nil {
		e.ActorID, e.Actor = actor.ID, actor.Email
	}
	if target != nil {
		e.TargetID, e.Target = target.ID, target.Email
		if actor == nil {
			e.ActorID, e.Actor = target.ID, target.Email
		}
	}
	var err error
	if e.Before, err = auditJSON(before); err != nil {
		return nil, err
	}
	if e.After, err = auditJSON(after); err != nil {
		return nil, err
	}
	return e, nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// findUser reads a user by email inside a transaction, as a clear error when absent.
func (s *Service) findUser(ctx context.Context, q *store.Q, email string) (*store.User, error) {
	u, err := q.UserByEmail(ctx, email, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("user %s", email)
	}
	return u, err
}

// userID is the ID of email's user, or 0 for "" (everyone).
func (s *Service) userID(ctx context.Context, q *store.Q, email string) (int64, error) {
	if email == "" {
		return 0, nil
	}
	u, err := s.findUser(ctx, q, email)
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

// update writes u if it still has version (0: the version just read),
// explaining a stale version by who changed the user and when.
func (s *Service) update(ctx context.Context, q *store.Q, op *operator, u *store.User, version int64) error {
	return s.updateBy(ctx, op, u, version, q, q.UpdateUser)
}

// stale refuses a save made at another version of u than version (0: none
// read), as update would, where update is not called: a change that changes
// nothing writes nothing, yet its form was still out of date.
func stale(u *store.User, version int64) error {
	if version != 0 && version != u.Version {
		return &ConflictError{Email: u.Email, By: u.UpdatedBy, At: u.UpdatedAt}
	}
	return nil
}

// updateBy is update writing with write, which writes a part of u.
func (s *Service) updateBy(ctx context.Context, op *operator, u *store.User, version int64, q *store.Q,
	write func(ctx context.Context, u *store.User, version int64) error) error {
	if version == 0 {
		version = u.Version
	}
	u.UpdatedAt = s.Now()
	u.UpdatedBy = op.Email
	err := write(ctx, u, version)
	if errors.Is(err, store.ErrConflict) {
		cur, rerr := q.UserByID(ctx, u.ID, s.Now())
		if rerr != nil {
			return rerr
		}
		return &ConflictError{Email: cur.Email, By: cur.UpdatedBy, At: cur.UpdatedAt}
	}
	return err
}

// Ready says whether the store answers and its schema is this roster's, for
// roster serve's readiness check: the process's own health, not anyone's act.
func (s *Service) Ready(ctx context.Context) error { return s.st.Ready(ctx) }

// Backlog counts the outbox's waiting and failed mail and the stuck
// invitations, for roster serve's metrics: cheap enough to read at each
// scrape (see store.Q.Backlog), and no one's act, so no actor.
func (s *Service) Backlog(ctx context.Context) (*store.Backlog, error) {
	return s.st.Read().Backlog(ctx, s.Now())
}
