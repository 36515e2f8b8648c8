package admin

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"roster/i18n"
	"roster/internal/baseurl"
	"roster/store"
)

// Init creates the account with its first owner, active at once.
func (s *Service) Init(ctx context.Context, org, ownerEmail, first, last, channel string) error {
	name, err := checkText("organisation name", org, 100)
	if err != nil {
		return err
	}
	if name == "" {
		return inputErr("organisation name", "is empty")
	}
	email, err := NormalizeEmail(ownerEmail)
	if err != nil {
		return err
	}
	if IsRoleAddress(email) {
		return inputErr("email", "%s is a role or department mailbox: the owner must be a person", email)
	}
	return s.st.Write(ctx, func(q *store.Q) error {
		if _, err := q.Account(ctx); err == nil {
			return ErrInitialised
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := s.Now()
		acct := &store.Account{Name: name, InviteLifetime: 48 * time.Hour, RemindBefore: 24 * time.Hour, DigestHour: 9, Country: "FR", CreatedAt: now}
		if err := q.SaveAccount(ctx, acct); err != nil {
			return err
		}
		u := &store.User{Email: email, Role: "owner", Status: store.Active, CreatedAt: now, ActivatedAt: now,
			UpdatedAt: now, UpdatedBy: email}
		if err := s.checkProfile(ctx, q, acct, u, first, last, "", "", "", ""); err != nil {
			return err
		}
		if err := q.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := q.SetPerms(ctx, u.ID, Presets["owner"]); err != nil {
			return err
		}
		return s.audit(ctx, q, u, channel, "account.init", u, nil, map[string]any{"account": name, "owner": profileOf(u)})
	})
}

// DefaultOperator is the only active owner, who acts when none is named.
func (s *Service) DefaultOperator(ctx context.Context) (string, error) {
	if _, err := s.st.Read().Account(ctx); errors.Is(err, store.ErrNotFound) {
		return "", ErrNoAccount
	}
	owners, err := s.st.Read().Owners(ctx)
	if err != nil {
		return "", err
	}
	if len(owners) != 1 {
		return "", sentence("%d active owners: say who you act as with --as EMAIL", len(owners))
	}
	return owners[0], nil
}

// AddressClashes lists the users whose address another, older user has by
// store.EmailKey: accounts created twice before roster compared addresses so,
// which migration 005 leaves for an operator to resolve. It is read without
// an actor, as roster warns of them on opening the database.
func (s *Service) AddressClashes(ctx context.Context) ([]store.AddressClash, error) {
	return s.st.Read().AddressClashes(ctx)
}

// Account reads the account's settings.
func (s *Service) Account(ctx context.Context) (*store.Account, error) {
	a, err := s.st.Read().Account(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoAccount
	}
	return a, err
}

// MailBaseURL is the base URL the links this process mails start with: the
// account's once set, else given (the process's own, "" for the default).
// A given one that differs from the account's is a *BaseURLError.
func (s *Service) MailBaseURL(ctx context.Context, given string) (string, error) {
	acct, err := s.Account(ctx)
	if errors.Is(err, ErrNoAccount) {
		return given, nil
	} else if err != nil {
		return "", err
	}
	if given != "" {
		g, err := baseurl.Parse(given)
		if err != nil {
			return "", inputErr("base URL", "%s", err)
		}
		if acct.BaseURL != "" && g != acct.BaseURL {
			return "", &BaseURLError{Given: g, Account: acct.BaseURL}
		}
		given = g
	}
	return cmp.Or(acct.BaseURL, given), nil
}

// AccountChange changes the account's settings; nil fields stay.
type AccountChange struct {
	Name           *string
	InviteLifetime *time.Duration
	// RemindBefore is how long before an invitation's link expires its
	// invitee is reminded (RemindDue); 0 turns reminders off.
	RemindBefore *time.Duration
	// DigestHour is the hour (0 to 23) of the account's time zone at
	// which the daily digest of stuck invitations goes out.
	DigestHour *int
	Country    *string
	// BaseURL starts every link in mail, for every process mailing for the
	// account. Set only on the server's machine: over SSH, an operator could
	// otherwise send everyone's links to a site of their own.
	BaseURL *string
	// SCIMHeir inherits what the users an identity provider deletes owned
	// ("" refuses SCIM deletions); SCIMStaged stages the users SCIM creates
	// instead of inviting them.
	SCIMHeir   *string
	SCIMStaged *bool
	// WebhooksPrivate lets webhooks go to loopback and private addresses
	// (a receiver on the same machine or network).
	WebhooksPrivate *bool
}

// UpdateAccount changes the account's settings.
func (s *Service) UpdateAccount(ctx context.Context, a Actor, c AccountChange) (*store.Account, error) {
	var acct *store.Account
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.account", "changing the account's settings"); err != nil {
			return err
		}
		var err error
		if acct, err = q.Account(ctx); err != nil {
			return err
		}
		before := *acct
		if c.Name != nil {
			n, err := checkText("organisation name", *c.Name, 100)
			if err != nil {
				return err
			}
			if n == "" {
				return inputErr("organisation name", "is empty")
			}
			acct.Name = n
		}
		if c.InviteLifetime != nil {
			if l := *c.InviteLifetime; l < time.Hour || l > 30*24*time.Hour {
				return inputErr("invitation lifetime", "%s: want between 1h and 720h", l)
			}
			acct.InviteLifetime = *c.InviteLifetime
		}
		if c.RemindBefore != nil {
			if d := *c.RemindBefore; d != 0 && (d < time.Minute || d > 30*24*time.Hour) {
				return inputErr("remind-before", "%s: want 0 (never) or between 1m and 720h", d)
			}
			acct.RemindBefore = *c.RemindBefore
		}
		// A reminder as early as the link is sent is no reminder.
		if (c.RemindBefore != nil || c.InviteLifetime != nil) && acct.RemindBefore != 0 && acct.RemindBefore >= acct.InviteLifetime {
			return inputErr("remind-before", "%s is not shorter than the invitation's lifetime, %s: want less, or 0 (never)", acct.RemindBefore, acct.InviteLifetime)
		}
		if c.DigestHour != nil {
			if h := *c.DigestHour; h < 0 || h > 23 {
				return inputErr("digest-hour", "%d: want an hour from 0 to 23", h)
			}
			acct.DigestHour = *c.DigestHour
		}
		if c.Country != nil {
			cc := strings.ToUpper(strings.TrimSpace(*c.Country))
			if !KnownCountry(cc) {
				return inputErr("country", "%q is not a country roster knows the phone numbers of", *c.Country)
			}
			acct.Country = cc
		}
		if c.BaseURL != nil {
			if op.channel != ChannelCLI && op.channel != ChannelTUI {
				return denied("settings.account", "the base URL of the links in mail is set on the server's machine (roster account --base-url), not over %s", op.channel)
			}
			u, err := baseurl.Parse(*c.BaseURL)
			if err != nil {
				return inputErr("base URL", "%s", err)
			}
			acct.BaseURL = u
		}
		if c.SCIMHeir != nil {
			acct.SCIMHeir = ""
			if strings.TrimSpace(*c.SCIMHeir) != "" {
				heir, err := s.findUser(ctx, q, *c.SCIMHeir)
				if err != nil {
					return err
				}
				if heir.Status != store.Active {
					return inputErr("SCIM heir", "%s is %s, not active", heir.Email, status(heir.Status))
				}
				acct.SCIMHeir = heir.Email
			}
		}
		if c.SCIMStaged != nil {
			acct.SCIMStaged = *c.SCIMStaged
		}
		if c.WebhooksPrivate != nil {
			acct.WebhooksPrivate = *c.WebhooksPrivate
		}
		if *acct == before {
			return nil // a setting given as it is: nothing to audit
		}
		if err := q.SaveAccount(ctx, acct); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "account.update", nil, before, acct)
	})
	return acct, err
}

// Profile changes a user's profile; nil fields stay.
type Profile struct {
	FirstName, LastName, Phone, Position, ReferenceID, Locale *string
	AddTags, RemoveTags, AddTeams, RemoveTeams                []string
	AddBranches, RemoveBranches                               []string
	Tags, Teams, Branches                                     []string // replace the whole list when not nil
	// ExternalID is the identity provider's ID of the user (SCIM's
	// externalId); "" removes it.
	ExternalID *string
}

// Edit changes a user's profile if it is still at version (0: whatever the
// version is). Anyone may edit their own profile; others need users.edit.
func (s *Service) Edit(ctx context.Context, a Actor, email string, version int64, p Profile) (*store.User, error) {
	var out *store.User
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		out = u
		return s.edit(ctx, q, op, u, version, p)
	})
	return out, err
}

// edit changes u's profile as p says, in the caller's transaction, on
// Edit's rules; u is then the user as written.
func (s *Service) edit(ctx context.Context, q *store.Q, op *operator, u *store.User, version int64, p Profile) error {
	if err := op.mayActOn(u, "users.edit", "editing profiles", "edit"); err != nil {
		return err
	}
	acct, err := q.Account(ctx)
	if err != nil {
		return err
	}
	// A name to add or to take away is checked as given: an empty one
	// ("--team +") or a group that does not exist ("--team -Suport") is a
	// mistake, not a change that changes nothing.
	for _, c := range []struct {
		what  string
		names []string
	}{{"tag", p.AddTags}, {"tag", p.RemoveTags}, {"team", p.AddTeams}, {"team", p.RemoveTeams}, {"branch", p.AddBranches}, {"branch", p.RemoveBranches}} {
		if slices.ContainsFunc(c.names, func(n string) bool { return strings.TrimSpace(n) == "" }) {
			return inputErr(c.what, "is empty")
		}
	}
	if _, err := checkGroups(ctx, q, teamKind, p.RemoveTeams, nil); err != nil {
		return err
	}
	if _, err := checkGroups(ctx, q, branchKind, p.RemoveBranches, nil); err != nil {
		return err
	}
	before := profileOf(u)
	pick := func(p *string, cur string) string {
		if p != nil {
			return *p
		}
		return cur
	}
	if err := s.checkProfile(ctx, q, acct, u, pick(p.FirstName, u.FirstName), pick(p.LastName, u.LastName),
		pick(p.Phone, u.Phone), pick(p.Position, u.Position), pick(p.ReferenceID, u.ReferenceID), pick(p.Locale, u.Locale)); err != nil {
		return err
	}
	tags := u.Tags
	if p.Tags != nil {
		tags = p.Tags
	}
	if u.Tags, err = checkTags(changeList(tags, p.AddTags, p.RemoveTags)); err != nil {
		return err
	}
	teams := u.Teams
	if p.Teams != nil {
		teams = p.Teams
	}
	if u.Teams, err = checkGroups(ctx, q, teamKind, changeList(teams, p.AddTeams, p.RemoveTeams), nil); err != nil {
		return err
	}
	branches := u.Branches
	if p.Branches != nil {
		branches = p.Branches
	}
	if u.Branches, err = checkGroups(ctx, q, branchKind, changeList(branches, p.AddBranches, p.RemoveBranches), nil); err != nil {
		return err
	}
	if err := op.mayRegroup(u, before.Teams, before.Branches); err != nil {
		return err
	}
	// What changes nothing writes nothing: no new version for others'
	// forms to conflict with, no audit entry, no webhook (an identity
	// provider's periodic sync sends every user whole).
	if after := profileOf(u); !after.same(before) {
		if err := s.update(ctx, q, op, u, version); err != nil {
			return err
		}
		// An SMS waiting to go (a planned leave's stand-in notice) goes
		// to the number they have now: the old one may be someone
		// else's by then.
		if after.Phone != before.Phone {
			if err := q.ReaddressSMS(ctx, u.ID, u.Phone); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, q, op.User, op.channel, "user.edit", u, before, after); err != nil {
			return err
		}
	} else if err := stale(u, version); err != nil {
		return err
	}
	if p.ExternalID == nil {
		return nil
	}
	return s.setExternalID(ctx, q, op, u, *p.ExternalID)
}

// setExternalID records the identity provider's ID of u, audited when it
// changes.
func (s *Service) setExternalID(ctx context.Context, q *store.Q, op *operator, u *store.User, ext string) error {
	ext, err := checkText("externalId", strings.TrimSpace(ext), 200)
	if err != nil {
		return err
	}
	cur, err := q.ExternalIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	if cur[u.ID] == ext {
		return nil
	}
	if err := q.SetExternalID(ctx, u.ID, ext); errors.Is(err, store.ErrDuplicate) {
		return takenErr("externalId", "%q is another user's", ext)
	} else if err != nil {
		return err
	}
	return s.audit(ctx, q, op.User, op.channel, "user.external_id", u, nil, map[string]string{"external_id": ext})
}

func changeList(cur, add, remove []string) []string {
	out := slices.Clone(cur)
	for _, a := range add {
		if !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, a) }) {
			out = append(out, a)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool {
		return slices.ContainsFunc(remove, func(r string) bool { return strings.EqualFold(s, strings.TrimSpace(r)) })
	})
}

// PermChange changes a user's role and permissions. A new Role applies its
// preset first; Set (when not nil) replaces the permissions; then Grant and
// Revoke apply.
type PermChange struct {
	Role   string
	Set    []string
	Grant  []string
	Revoke []string
}

// PermResult is what a permission change did.
type PermResult struct {
	Email   string   `json:"email"`
	Role    string   `json:"role"`
	Perms   []string `json:"perms"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// SetPermissions changes a user's role and permissions if it is still at
// version (0: whatever it is).
func (s *Service) SetPermissions(ctx context.Context, a Actor, email string, version int64, c PermChange) (*PermResult, error) {
	var res *PermResult
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		plan, err := s.planPerms(ctx, q, op, u, c)
		if err != nil {
			return err
		}
		res = &plan.PermResult
		return s.writePerms(ctx, q, op, u, version, plan)
	})
	return res, err
}

// permPlan is a permission change checked and not yet written.
type permPlan struct {
	PermResult
	had []string
}

// planPerms checks c against every rule of a permission change and works
// out what it does to u, writing nothing: a bulk role change refuses a
// user here and goes on with the next.
func (s *Service) planPerms(ctx context.Context, q *store.Q, op *operator, u *store.User, c PermChange) (*permPlan, error) {
	if err := op.need("users.permissions", "changing permissions"); err != nil {
		return nil, err
	}
	if err := op.outranks(u, "change the permissions of"); err != nil {
		return nil, err
	}
	cur, err := q.Perms(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	had := newPermSet(cur)
	next := newPermSet(cur)
	role := strings.ToLower(strings.TrimSpace(c.Role))
	if role == "" {
		role = u.Role
	} else if !KnownRole(role) {
		return nil, inputErr("role", "%q is not a role (want one of %s)", c.Role, strings.Join(Roles, ", "))
	}
	if role != u.Role {
		if err := op.mayGive(role, nil, nil); err != nil {
			return nil, err
		}
		if u.Role == "owner" {
			if err := s.keepAnOwner(ctx, q, u, "demoted"); err != nil {
				return nil, err
			}
		}
		next = newPermSet(Presets[role])
	}
	if c.Set != nil {
		next = newPermSet(c.Set)
	}
	granted := permSet{}
	for _, p := range c.Grant {
		p = strings.TrimSpace(p)
		next[p], granted[p] = true, true
	}
	// A revocation names a permission too: a mistyped one took nothing
	// away, and said so as success.
	for _, p := range c.Revoke {
		p = strings.TrimSpace(p)
		switch {
		case !KnownPerm(p):
			return nil, inputErr("permission", "%q is not a permission (roster perms --list shows them)", p)
		case granted[p]:
			return nil, inputErr("permission", "%q is both granted and revoked", p)
		}
		delete(next, p)
	}
	res := PermResult{Email: u.Email, Role: role, Perms: next.list(), Added: []string{}, Removed: []string{}}
	for _, p := range res.Perms {
		if !KnownPerm(p) {
			return nil, inputErr("permission", "%q is not a permission (roster perms --list shows them)", p)
		}
		if !had[p] {
			res.Added = append(res.Added, p)
		}
	}
	for _, p := range had.list() {
		if !next[p] {
			res.Removed = append(res.Removed, p)
		}
	}
	if err := op.mayGive(role, res.Added, had); err != nil {
		return nil, err
	}
	if role == "owner" && len(res.Removed) > 0 {
		return nil, inputErr("permission", "an owner holds every permission")
	}
	return &permPlan{PermResult: res, had: had.list()}, nil
}

// writePerms writes a checked permission change with its audit row; one
// that changes nothing writes nothing (no audit entry, webhook, or security
// notice mailed to the user).
func (s *Service) writePerms(ctx context.Context, q *store.Q, op *operator, u *store.User, version int64, p *permPlan) error {
	if p.Role == u.Role && len(p.Added) == 0 && len(p.Removed) == 0 {
		return stale(u, version)
	}
	before := map[string]any{"role": u.Role, "perms": p.had}
	u.Role = p.Role
	if err := s.update(ctx, q, op, u, version); err != nil {
		return err
	}
	if err := q.SetPerms(ctx, u.ID, p.Perms); err != nil {
		return err
	}
	return s.audit(ctx, q, op.User, op.channel, "user.perms", u, before, map[string]any{"role": p.Role, "perms": p.Perms})
}

// keepAnOwner refuses a change that would leave the account without an active owner.
func (s *Service) keepAnOwner(ctx context.Context, q *store.Q, u *store.User, what string) error {
	if u.Role != "owner" || u.Status != store.Active {
		return nil
	}
	n, err := q.CountActiveOwners(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return denied("", "%s is the last active owner and cannot be %s: make another owner first", u.Email, i18n.Msg(what))
	}
	return nil
}

// Deactivate stops a user from logging in, reversibly; their links die.
func (s *Service) Deactivate(ctx context.Context, a Actor, email string) error {
	return s.actOnOne(ctx, a, UserBatch{Act: DeactivateUsers, Emails: []string{email}})
}

// deactivate writes a deactivation ActOnUsers' rule allowed.
func (s *Service) deactivate(ctx context.Context, q *store.Q, op *operator, u *store.User) error {
	before := profileOf(u)
	u.Status = store.Deactivated
	if err := s.update(ctx, q, op, u, 0); err != nil {
		return err
	}
	if err := q.VoidTokens(ctx, u.ID, "", s.Now()); err != nil {
		return err
	}
	if _, err := q.CancelPendingMail(ctx, u.ID, store.MailInvitation, store.MailInviteResent, store.MailPasswordReset); err != nil {
		return err
	}
	// Nor is someone deactivated told anything more: a planned leave's
	// stand-in notice, a notice deferred while the relay was down.
	if _, err := q.CancelNotices(ctx, u.ID, "its recipient was deactivated"); err != nil {
		return err
	}
	if _, err := s.seatEnds(ctx, q, op.User, op.channel, u); err != nil {
		return err
	}
	return s.audit(ctx, q, op.User, op.channel, "user.deactivate", u, before, profileOf(u))
}

// Reactivate undoes Deactivate: the user is active again or, if they had
// never accepted their invitation, invited again and sent a new one, as
// when they were first (deactivation voided their link).
func (s *Service) Reactivate(ctx context.Context, a Actor, email string) error {
	return s.actOnOne(ctx, a, UserBatch{Act: ReactivateUsers, Emails: []string{email}})
}

// reactivate writes a reactivation ActOnUsers' rule allowed. One who never
// accepted is invited and sent their invitation (sendInvitation), valid
// from now: a pre-hire an identity provider created inactive is invited on
// their start date, when it makes them active. With stage, they are staged
// instead, the invitation left to whoever sends the staged ones.
func (s *Service) reactivate(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User, stage bool) error {
	before := profileOf(u)
	switch {
	case !u.ActivatedAt.IsZero():
		u.Status = store.Active
	case stage:
		u.Status = store.Staged
	default:
		u.Status = store.Invited
	}
	if err := s.update(ctx, q, op, u, 0); err != nil {
		return err
	}
	if err := s.audit(ctx, q, op.User, op.channel, "user.reactivate", u, before, profileOf(u)); err != nil {
		return err
	}
	switch u.Status {
	case store.Invited:
		return s.sendInvitation(ctx, q, op, acct, u, nil)
	case store.Active:
		return s.seatStarts(ctx, q, op.User, op.channel, u)
	}
	return nil
}

// actOnOne acts on the one user b names, as ActOnUsers does: the rule's
// refusal or the store's failure is the error.
func (s *Service) actOnOne(ctx context.Context, a Actor, b UserBatch) error {
	out, err := s.ActOnUsers(ctx, a, b)
	if err != nil {
		return err
	}
	if why := out[0].Unchanged; why.Key != "" { // asked of one, it is said
		return &StateError{Msg: why.String(), Why: why}
	}
	return out[0].Err
}

// mayRegroup checks that the operator may change u's teams and branches
// from teams and branches to u's: users.edit, for their own as for anyone's,
// as managing teams is. Self-service stops at one's profile: a team may stand
// in for someone away, its least loaded member taking their new work (a
// newcomer first), and its people see each other's conversations; an
// operator holding users.invite alone joined the team that stood in for
// the owner and took the owner's work.
func (o *operator) mayRegroup(u *store.User, teams, branches []string) error {
	if o.ID != u.ID {
		return nil // mayActOn checked users.edit
	}
	same := func(a, b []string) bool {
		return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
	}
	if !same(u.Teams, teams) {
		return o.need("users.edit", "managing teams")
	}
	if !same(u.Branches, branches) {
		return o.need("users.edit", "managing branches")
	}
	return nil
}

// mayRemove holds the rules deactivation and deletion share.
func (s *Service) mayRemove(ctx context.Context, q *store.Q, op *operator, u *store.User, verb, done string) error {
	if err := op.need("users.delete", verb+" users"); err != nil {
		return err
	}
	if u.ID == op.ID {
		return denied("", "you cannot %s yourself", i18n.Msg(verb))
	}
	if err := op.outranks(u, verb); err != nil {
		return err
	}
	return s.keepAnOwner(ctx, q, u, done)
}

// AddTeam creates a team.
func (s *Service) AddTeam(ctx context.Context, a Actor, name string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("users.edit", "managing teams"); err != nil {
			return err
		}
		n, err := checkTeamName(name)
		if err != nil {
			return err
		}
		if _, err := q.AddTeam(ctx, n); errors.Is(err, store.ErrDuplicate) {
			return inputErr("team", "%q already exists", n)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "team.add", nil, nil, map[string]string{"team": n})
	})
}

// checkTeamName checks a new name for a team: lists of teams are written
// with commas, and a stand-in team as team:NAME.
func checkTeamName(name string) (string, error) {
	n, err := checkText("team", name, 60)
	if err != nil {
		return "", err
	}
	if n == "" || strings.ContainsAny(n, ",:") {
		return "", inputErr("team", "%q: a team name is not empty and holds no comma or colon", n)
	}
	return n, nil
}

// teamToManage is the team called name, for an operator who may manage teams.
func teamToManage(ctx context.Context, q *store.Q, op *operator, name string) (*store.Team, error) {
	if err := op.need("users.edit", "managing teams"); err != nil {
		return nil, err
	}
	t, err := q.TeamByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("team %q", name)
	}
	return t, err
}

// RenameTeam gives a team another name; its members and the away periods
// that name it as stand-in follow it.
func (s *Service) RenameTeam(ctx context.Context, a Actor, name, to string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		t, err := teamToManage(ctx, q, op, name)
		if err != nil {
			return err
		}
		n, err := checkTeamName(to)
		if err != nil {
			return err
		}
		if n == t.Name {
			return nil // nothing changes, nothing to audit
		}
		if err := q.RenameTeam(ctx, t.ID, n); errors.Is(err, store.ErrDuplicate) {
			return inputErr("team", "%q already exists", n)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "team.rename", nil, map[string]string{"team": t.Name}, map[string]string{"team": n})
	})
}

// RemoveTeam deletes a team; its members stay, and away periods that named
// it as stand-in lose their stand-in, which each away person's audit trail
// says (changeStandIns).
func (s *Service) RemoveTeam(ctx context.Context, a Actor, name string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		t, err := teamToManage(ctx, q, op, name)
		if err != nil {
			return err
		}
		return s.removeTeam(ctx, q, op, t)
	})
}

// removeTeam removes t in the caller's transaction, audited, and the away
// periods that named it as stand-in lose their stand-in (changeStandIns).
func (s *Service) removeTeam(ctx context.Context, q *store.Q, op *operator, t *store.Team) error {
	standsIn := func(p store.AwayPeriod) bool { return p.StandInTeamID == t.ID }
	return s.changeStandIns(ctx, q, op, standsIn, "the team was removed", func() error {
		if err := q.RemoveTeam(ctx, t.ID); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "team.remove", nil, t, nil)
	})
}

// Teams lists the teams.
func (s *Service) Teams(ctx context.Context, a Actor) ([]store.Team, error) {
	var out []store.Team
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = q.Teams(ctx)
		return err
	})
	return out, err
}

// checkList refuses a listing's unknown sort or status filter as the
// caller's input (the API answered them 500, as the store's failure).
// groupsExist, in the listing's transaction, refuses a team or branch that
// does not exist: a typo lists nobody, and a bulk act on nobody succeeds.
func checkList(lq store.ListQuery) error {
	if lq.Sort != "" && !slices.Contains(store.Sorts(), lq.Sort) {
		return inputErr("sort", "%q: want one of %s", lq.Sort, strings.Join(store.Sorts(), ", "))
	}
	if lq.Status != "" && !slices.Contains(store.StatusFilters(), lq.Status) {
		return inputErr("status", "%q: want one of %s", lq.Status, strings.Join(store.StatusFilters(), ", "))
	}
	return nil
}

func groupsExist(ctx context.Context, q *store.Q, lq store.ListQuery) error {
	if _, err := checkGroups(ctx, q, teamKind, []string{lq.Team}, nil); err != nil {
		return err
	}
	_, err := checkGroups(ctx, q, branchKind, []string{lq.Branch}, nil)
	return err
}

// ListUsers reads one page of users.
func (s *Service) ListUsers(ctx context.Context, a Actor, lq store.ListQuery) (*store.Page, error) {
	if err := checkList(lq); err != nil {
		return nil, err
	}
	var p *store.Page
	lq.Now = s.Now()
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := groupsExist(ctx, q, lq); err != nil {
			return err
		}
		p, err = q.ListUsers(ctx, lq)
		return err
	})
	return p, err
}

// ExportUsers calls fn with every user, in name order, from one snapshot
// (see store.ExportUsers).
func (s *Service) ExportUsers(ctx context.Context, a Actor, fn func(*store.ExportRow) error) error {
	return s.read(ctx, a, func(q *store.Q, op *operator) error { return q.ExportUsers(ctx, fn) })
}

// Summary counts users as the Users screen's header shows them.
// Counting a million users takes a good part of a second, and fifty SSH
// sessions opening at once would each pay it: the counts are shared until
// the database changes (PRAGMA data_version, on a connection of their own) or
// summaryTTL passes (expiry and away periods change with time alone).
func (s *Service) Summary(ctx context.Context, a Actor) (store.Summary, error) {
	var sum store.Summary
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		m := &s.summary
		m.mu.Lock()
		defer m.mu.Unlock()
		version, err := m.dataVersion(ctx, s)
		if err == nil && m.ok && version == m.version && s.Now().Sub(m.at) < summaryTTL {
			sum = m.sum
			return nil
		}
		if sum, err = q.Summary(ctx, s.Now()); err != nil {
			return err
		}
		m.sum, m.version, m.at, m.ok = sum, version, s.Now(), version != 0
		return nil
	})
	return sum, err
}

const summaryTTL = 30 * time.Second

// summaryMemo holds the last counts and the data version they were read at.
type summaryMemo struct {
	mu      sync.Mutex
	watch   *Watch
	version int64
	at      time.Time
	sum     store.Summary
	ok      bool
}

func (m *summaryMemo) dataVersion(ctx context.Context, s *Service) (int64, error) {
	if m.watch == nil {
		w, err := s.Watch(context.WithoutCancel(ctx))
		if err != nil {
			return 0, err
		}
		m.watch = w
	}
	v, err := m.watch.Version(ctx)
	if err != nil {
		m.watch.Close()
		m.watch = nil
	}
	return v, err
}

// UserDetail is everything about one user.
type UserDetail struct {
	*store.User
	ExternalID    string               `json:"external_id,omitempty"` // the identity provider's (SCIM)
	Perms         []string             `json:"perms"`
	AwayPeriods   []store.AwayPeriod   `json:"away_periods"`
	Conversations []store.Conversation `json:"conversations"`
	AutoReplies   []store.AutoReply    `json:"auto_replies"`
}

// User reads one user with permissions, away periods and what they own.
func (s *Service) User(ctx context.Context, a Actor, email string) (*UserDetail, error) {
	var d *UserDetail
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		d = &UserDetail{User: u}
		if d.Perms, err = q.Perms(ctx, u.ID); err != nil {
			return err
		}
		ext, err := q.ExternalIDs(ctx, u.ID)
		if err != nil {
			return err
		}
		d.ExternalID = ext[u.ID]
		if d.AwayPeriods, err = q.AwayPeriods(ctx, u.ID, s.Now()); err != nil {
			return err
		}
		if d.Conversations, err = q.Conversations(ctx, u.ID); err != nil {
			return err
		}
		d.AutoReplies, err = q.AutoReplies(ctx, u.ID)
		return err
	})
	return d, err
}

// Audit lists audit entries newest first, narrowed by aq's filter. A user's
// entries are found by any spelling of their address, as long as they exist.
func (s *Service) Audit(ctx context.Context, a Actor, aq store.AuditQuery) ([]store.AuditEntry, error) {
	if !aq.Since.IsZero() && !aq.Until.IsZero() && !aq.Until.After(aq.Since) {
		return nil, inputErr("until", "%s is not after since, %s", day(aq.Until), day(aq.Since))
	}
	if err := CheckAuditAction(aq.Action); err != nil {
		return nil, err
	}
	var out []store.AuditEntry
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if aq.Target != "" {
			if u, err := q.UserByEmail(ctx, aq.Target, s.Now()); err == nil {
				aq.Target = u.Email
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		out, err = q.Audit(ctx, aq)
		return err
	})
	return out, err
}

// Locks says, for each permission, why the operator may not grant it to
// the user (no message when they may): what the permissions screen shows as
// locked, in the operator's language.
func (s *Service) Locks(ctx context.Context, a Actor, email string) (map[string]i18n.Text, error) {
	out := map[string]i18n.Text{}
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		cur, err := q.Perms(ctx, u.ID)
		if err != nil {
			return err
		}
		had := newPermSet(cur)
		for _, p := range Catalogue {
			switch {
			case !op.can("users.permissions"):
				out[p.ID] = i18n.Msg("you lack users.permissions")
			case op.outranks(u, "change") != nil:
				out[p.ID] = op.outranks(u, "change").(*DeniedError).Why
			case !had[p.ID] && !op.perms.grants(p.ID):
				out[p.ID] = i18n.Msg("you do not hold it")
			default:
				out[p.ID] = i18n.Text{}
			}
		}
		return nil
	})
	return out, err
}

// Grantable is Locks in English ("" when the operator may grant), for
// callers that do not speak the operator's language yet.
func (s *Service) Grantable(ctx context.Context, a Actor, email string) (map[string]string, error) {
	locks, err := s.Locks(ctx, a, email)
	out := make(map[string]string, len(locks))
	for id, why := range locks {
		if why.Key != "" {
			out[id] = why.String()
		} else {
			out[id] = ""
		}
	}
	return out, err
}

// GrantableRoles lists the roles the operator may give the user, from the
// most to the least powerful, under SetPermissions' rule: none without
// users.permissions or over someone above them, never a role above their
// own, an owner only by an owner. The permissions screen offers only these.
func (s *Service) GrantableRoles(ctx context.Context, a Actor, email string) ([]string, error) {
	out := []string{}
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if !op.can("users.permissions") || op.outranks(u, "change") != nil {
			return nil
		}
		for _, r := range Roles {
			if op.mayGive(r, nil, nil) == nil {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// Language is the language a's user chose for themselves (their stored
// locale: "fr", "en"), or "" when they chose none or are not a user: the
// dashboard and the command line speak it unless told otherwise.
func (s *Service) Language(ctx context.Context, a Actor) string {
	var lang string
	s.read(ctx, a, func(q *store.Q, op *operator) error {
		lang = op.Locale
		return nil
	})
	return lang
}
