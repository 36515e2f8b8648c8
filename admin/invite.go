package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// NewUser is one person to invite or stage.
type NewUser struct {
	Email       string
	FirstName   string
	LastName    string
	Phone       string
	Position    string
	ReferenceID string
	Locale      string
	Role        string // "" means member
	Teams       []string
	Branches    []string
	Tags        []string
}

// InviteOptions change how Invite treats its rows.
type InviteOptions struct {
	Staged           bool // create the users without sending the invitation yet
	AllowRoleAddress bool // accept role mailboxes such as maintenance@
}

// RowResult is the outcome of one row of a bulk invitation.
type RowResult struct {
	Row    int    `json:"row"` // 1-based, as in the request
	Email  string `json:"email"`
	UserID int64  `json:"user_id,omitempty"`
	// Already says an import found the row's address already invited (or
	// staged) and left it as it was: an earlier run of the same file did it.
	Already bool  `json:"already,omitempty"`
	Err     error `json:"-"`
}

// MarshalJSON adds the error's text.
func (r RowResult) MarshalJSON() ([]byte, error) {
	type plain RowResult
	var msg string
	if r.Err != nil {
		msg = r.Err.Error()
	}
	return json.Marshal(struct {
		plain
		Error string `json:"error,omitempty"`
	}{plain(r), msg})
}

// Lifetimes of links and how often they may be sent.
const (
	ResetLifetime = time.Hour
	resendGap     = time.Minute
	resendPerDay  = 10
)

// Invite invites (or stages) every valid row in one transaction and reports
// each row's outcome; invalid rows change nothing. The error is for the whole
// call: the operator may not invite, or the store failed.
func (s *Service) Invite(ctx context.Context, a Actor, rows []NewUser, opt InviteOptions) ([]RowResult, error) {
	var b *bulkInvite
	err := s.write(ctx, a, func(q *store.Q, op *operator) error {
		b = newBulkInvite(rows, opt, false)
		return s.inviteRows(ctx, q, op, b, len(rows), nil)
	})
	if err != nil {
		return nil, err
	}
	return b.results, nil
}

// How long one transaction of an import or a bulk act runs (see batch;
// besides bulkBatchRows), and the pause between two. The pause outlasts
// the longest sleep of SQLite's busy handler (100 ms), so that a writer
// waiting for the lock, in this process or another, takes its turn:
// without it the import would take the lock again at once, every time.
// Variables, that a test may change them.
var (
	importBatchTime    = 200 * time.Millisecond
	importBatchCeiling = 2 * time.Second
	importPause        = 110 * time.Millisecond
)

// batch is one transaction of a long write (an import, a bulk act), which
// ends when over says, looked at between its parts. It runs
// importBatchTime, which is as long as a writer that comes to wait waits
// at most (and a part); past that it goes on while no writer waits
// (store.WritersWaiting), up to importBatchCeiling. Every commit writes
// each page its transaction changed to the log, and an import's rows
// change the same index pages in every batch: with nobody waiting, fewer
// and longer batches wrote half the pages, and imported 10,000 people in
// 13% less time. Where waiting writers are not seen (PostgreSQL), it ends
// at importBatchTime. A nil batch never ends (Invite's one transaction).
type batch struct {
	st    *store.Store
	began time.Time
}

func (s *Service) newBatch() *batch { return &batch{st: s.st, began: time.Now()} }

// over reports whether the batch should end now.
func (b *batch) over() bool {
	if b == nil {
		return false
	}
	d := time.Since(b.began)
	return d >= importBatchTime && (d >= importBatchCeiling || b.st.Postgres() || b.st.WritersWaiting())
}

// left is how long the batch may still run at most: what a part of it
// keeps to. Zero for a nil batch, which has no end.
func (b *batch) left() time.Duration {
	if b == nil {
		return 0
	}
	end := importBatchCeiling
	if b.st.Postgres() {
		end = importBatchTime
	}
	return max(time.Nanosecond, end-time.Since(b.began))
}

// pause lets the writers waiting for the lock in between two batches of a
// long write: when one waits, it sleeps importPause, or returns ctx's error
// if ctx ends first (see store.WritersWaiting).
func (s *Service) pause(ctx context.Context) error {
	if !s.st.WritersWaiting() {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(importPause):
		return nil
	}
}

// Import invites (or stages) rows as Invite does, for files of any size: it
// writes them in batches of at most bulkBatchRows rows (see batch for how
// long), each one transaction with its audit rows and mail, so that other
// writers wait about importBatchTime at most instead of the whole file. An import stopped
// half way is continued by running it again: a row whose address is already
// invited (staged, with opt.Staged) is reported Already and left as it is.
// When a batch fails, the results of the batches written are returned with
// the error.
func (s *Service) Import(ctx context.Context, a Actor, rows []NewUser, opt InviteOptions) ([]RowResult, error) {
	b := newBulkInvite(rows, opt, true)
	for first := true; first || b.next < len(rows); first = false {
		if !first {
			if err := s.pause(ctx); err != nil {
				return b.results[:b.next], err
			}
		}
		done := b.next
		err := s.write(ctx, a, func(q *store.Q, op *operator) error {
			return s.inviteRows(ctx, q, op, b, bulkBatchRows, s.newBatch())
		})
		if err != nil {
			return b.results[:done], err
		}
	}
	return b.results, nil
}

// bulkInvite is the state of a bulk invitation across its transactions.
type bulkInvite struct {
	rows    []NewUser
	opt     InviteOptions
	resume  bool // a row already invited or staged is Already, not refused
	results []RowResult
	seen    map[string]int // each address's first row
	next    int            // the first row not yet done
	perRow  time.Duration  // how long the last part took a row
}

func newBulkInvite(rows []NewUser, opt InviteOptions, resume bool) *bulkInvite {
	return &bulkInvite{rows: rows, opt: opt, resume: resume, results: make([]RowResult, len(rows)), seen: map[string]int{}}
}

// inviteRows invites b's rows from b.next in q's transaction, at most limit
// of them, until the batch is over (nil: no end). The rows go in parts,
// each checked and then written a few statements for all its rows; the
// batch is looked at between parts. A part has invitePartRows rows, or as
// many as the last part's pace leaves time for, so that a batch keeps to
// its time on a slow machine too.
func (s *Service) inviteRows(ctx context.Context, q *store.Q, op *operator, b *bulkInvite, limit int, end *batch) error {
	if err := op.need("users.invite", "inviting people"); err != nil {
		return err
	}
	acct, err := q.Account(ctx)
	if err != nil {
		return err
	}
	k := &known{teams: groupNames{}, branches: groupNames{}}
	for last := min(b.next+limit, len(b.rows)); b.next < last; {
		n := invitePartRows
		if left := end.left(); left > 0 && b.perRow > 0 {
			n = max(1, min(n, int(left/b.perRow)))
		}
		from, began := b.next, time.Now()
		if err := s.invitePart(ctx, q, op, acct, b, min(b.next+n, last), k); err != nil {
			return err
		}
		b.perRow = time.Since(began) / time.Duration(b.next-from)
		if end.over() {
			return nil
		}
	}
	return nil
}

// invitePartRows is how many rows of a bulk invitation are checked, then
// written, together, at most.
const invitePartRows = 128

// invitePart invites b's rows from b.next to end.
func (s *Service) invitePart(ctx context.Context, q *store.Q, op *operator, acct *store.Account, b *bulkInvite, end int, k *known) error {
	want := store.Invited
	if b.opt.Staged {
		want = store.Staged
	}
	emails := make([]string, 0, end-b.next)
	for _, r := range b.rows[b.next:end] {
		if email, err := NormalizeEmail(r.Email); err == nil {
			emails = append(emails, email)
		}
	}
	taken, err := q.TakenEmails(ctx, emails...)
	if err != nil {
		return err
	}
	k.taken = taken
	var users []*store.User
	var rowOf []int
	for ; b.next < end; b.next++ {
		i, r := b.next, b.rows[b.next]
		res := &b.results[i]
		*res = RowResult{Row: i + 1, Email: strings.TrimSpace(r.Email)}
		if email, err := NormalizeEmail(r.Email); err == nil {
			key := store.EmailKey(email)
			if first, dup := b.seen[key]; dup {
				res.Err = inputErr("email", "%s is also on row %d", email, first)
				continue
			}
			b.seen[key] = i + 1
			if b.resume && taken[key] {
				u, err := q.UserByEmail(ctx, email, s.Now())
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if err == nil && u.Status == want {
					res.Email, res.UserID, res.Already = u.Email, u.ID, true
					continue
				}
			}
		}
		u, err := s.checkNewUser(ctx, q, op, acct, r, b.opt, k)
		if err != nil {
			res.Err = err
			continue
		}
		res.Email = u.Email
		users, rowOf = append(users, u), append(rowOf, i)
	}
	if err := s.createUsers(ctx, q, op, acct, users, b.opt.Staged); err != nil {
		return err
	}
	for j, u := range users {
		b.results[rowOf[j]].UserID = u.ID
	}
	return nil
}

// CheckNewUser says what is wrong with one row, as the invite form shows it
// while the operator types: bad address, role mailbox, already a user,
// unknown role or team, a role or permissions above the operator's.
func (s *Service) CheckNewUser(ctx context.Context, a Actor, r NewUser, opt InviteOptions) error {
	return s.read(ctx, a, func(q *store.Q, op *operator) error {
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		_, err = s.checkNewUser(ctx, q, op, acct, r, opt, nil)
		return err
	})
}

// known is what the checks of many rows in one transaction read once: the
// teams and branches found, and which addresses of the part checked are taken (by
// EmailKey).
type known struct {
	teams, branches groupNames
	taken           map[string]bool
}

// checkNewUser checks one row; k, if not nil, is what the transaction knows
// already, and remembers the teams and branches found.
func (s *Service) checkNewUser(ctx context.Context, q *store.Q, op *operator, acct *store.Account, r NewUser, opt InviteOptions, k *known) (*store.User, error) {
	email, err := NormalizeEmail(r.Email)
	if err != nil {
		return nil, err
	}
	if !opt.AllowRoleAddress && IsRoleAddress(email) {
		return nil, inputErr("email", RoleAddressRefused, email)
	}
	var teams, branches groupNames
	taken := k != nil && k.taken[store.EmailKey(email)]
	if k != nil {
		teams, branches = k.teams, k.branches
	} else if t, err := q.TakenEmails(ctx, email); err != nil {
		return nil, err
	} else {
		taken = len(t) > 0
	}
	if taken {
		return nil, takenErr("email", "%s is already a user", email)
	}
	u := &store.User{Email: email, Role: strings.ToLower(strings.TrimSpace(r.Role))}
	if u.Role == "" {
		u.Role = "member"
	}
	if !KnownRole(u.Role) {
		return nil, inputErr("role", "%q is not a role (want one of %s)", r.Role, strings.Join(Roles, ", "))
	}
	if err := s.checkProfile(ctx, q, acct, u, r.FirstName, r.LastName, r.Phone, r.Position, r.ReferenceID, r.Locale); err != nil {
		return nil, err
	}
	if u.Teams, err = checkGroups(ctx, q, teamKind, r.Teams, teams); err != nil {
		return nil, err
	}
	if u.Branches, err = checkGroups(ctx, q, branchKind, r.Branches, branches); err != nil {
		return nil, err
	}
	if u.Tags, err = checkTags(r.Tags); err != nil {
		return nil, err
	}
	if err := op.mayGive(u.Role, Presets[u.Role], nil); err != nil {
		return nil, err
	}
	return u, nil
}

// checkProfile validates the free-text and formatted fields into u.
func (s *Service) checkProfile(ctx context.Context, q *store.Q, acct *store.Account, u *store.User, first, last, phone, position, ref, locale string) error {
	var err error
	if u.FirstName, err = checkText("first name", first, 100); err != nil {
		return err
	}
	if u.LastName, err = checkText("last name", last, 100); err != nil {
		return err
	}
	if u.Position, err = checkText("position", position, 100); err != nil {
		return err
	}
	if u.ReferenceID, err = checkText("reference ID", ref, 64); err != nil {
		return err
	}
	// A number kept as it is stays, even one the rules now refuse (the
	// numbering plans change): editing someone's name must not fail on it.
	if phone != u.Phone {
		if u.Phone, err = NormalizePhone(phone, acct.Country); err != nil {
			return err
		}
	}
	u.Locale, err = checkLocale(locale)
	return err
}

// groupNames are team (or branch) names as given, each with its own
// spelling, as found in one transaction: rows invited together mostly name
// the same few.
type groupNames map[string]string

// groupKind is a grouping of users, teams or branches, as the rules check a
// user's list of them.
type groupKind struct {
	what, cmd string                                                             // "team", "teams"
	find      func(ctx context.Context, q *store.Q, name string) (string, error) // its own spelling
	of        func(u *store.User) *[]string                                      // a user's groups of the kind
	// set adds u to the group named (in) or takes them out (store.Q.SetTeam).
	set func(q *store.Q, ctx context.Context, u *store.User, name string, in bool, version int64) error
}

var (
	teamKind = groupKind{"team", "teams", func(ctx context.Context, q *store.Q, name string) (string, error) {
		t, err := q.TeamByName(ctx, name)
		return t.Name, err
	}, func(u *store.User) *[]string { return &u.Teams }, (*store.Q).SetTeam}
	branchKind = groupKind{"branch", "branches", func(ctx context.Context, q *store.Q, name string) (string, error) {
		b, err := q.BranchByName(ctx, name)
		return b.Name, err
	}, func(u *store.User) *[]string { return &u.Branches }, (*store.Q).SetBranch}
)

// checkGroups gives each named team (or branch) its own spelling, refusing
// a name none has; known, if not nil, remembers what it found.
func checkGroups(ctx context.Context, q *store.Q, g groupKind, names []string, known groupNames) ([]string, error) {
	out := []string{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if name, ok := known[n]; ok {
			out = append(out, name)
			continue
		}
		name, err := g.find(ctx, q, n)
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputErr(g.what, "%q does not exist (roster %s add %q creates it)", n, g.cmd, n)
		}
		if err != nil {
			return nil, err
		}
		if known != nil {
			known[n] = name
		}
		out = append(out, name)
	}
	return out, nil
}

func checkTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		t, err := checkText("tag", t, 50)
		if err != nil {
			return nil, err
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

// mayGive checks that the operator may give role and the permissions perms
// to someone who now holds had: never a role above their own, an owner only
// by an owner, and no permission they do not hold themselves.
func (o *operator) mayGive(role string, perms []string, had permSet) error {
	if role == "owner" && o.Role != "owner" {
		return denied("", "only an owner can make an owner")
	}
	if rank(role) > rank(o.Role) {
		return denied("", "%s cannot give the %s role", article(o.Role), i18n.Msg(role))
	}
	for _, p := range perms {
		if !had[p] && !o.perms.grants(p) {
			return denied(p, "%s cannot grant %s, which they do not hold", o.Email, p)
		}
	}
	return nil
}

// createUsers writes users checked by checkNewUser, invited or staged, with
// their permissions, links, mail and audit rows: a few statements for all.
func (s *Service) createUsers(ctx context.Context, q *store.Q, op *operator, acct *store.Account, users []*store.User, staged bool) error {
	if len(users) == 0 {
		return nil
	}
	now := s.Now()
	for _, u := range users {
		u.Status = store.Invited
		if staged {
			u.Status = store.Staged
		}
		u.InvitedBy = op.ID
		u.CreatedAt, u.UpdatedAt, u.UpdatedBy = now, now, op.Email
		if !staged { // the link's expiry, written with the user (InsertUser)
			u.InviteExpiresAt = now.Add(acct.InviteLifetime)
		}
	}
	if err := q.InsertUser(ctx, users...); err != nil {
		return err
	}
	grants := make([]store.Grant, len(users))
	for i, u := range users {
		grants[i] = store.Grant{UserID: u.ID, Perms: Presets[u.Role]}
	}
	if err := q.AddPerms(ctx, grants...); err != nil {
		return err
	}
	// A new user has no links or mail to void first.
	action := "user.invite"
	if staged {
		action = "user.stage"
	} else if err := s.newLinks(ctx, q, op.User, acct, users, "invite", store.MailInvitation); err != nil {
		return err
	}
	entries := make([]*store.AuditEntry, len(users))
	for i, u := range users {
		var err error
		if entries[i], err = s.auditEntry(op.User, op.channel, action, u, nil, profileOf(u)); err != nil {
			return err
		}
	}
	return s.writeAudit(ctx, q, entries...)
}

// sendInvitation sends u, invited, their invitation in q's transaction, as
// every one after a creation's is sent (a staged person's, one reactivated
// who never accepted): a new link, valid the account's lifetime from now,
// voiding the older ones and cancelling their mail not yet sent, its mail
// queued, and the audit row user.invite; before is u as the act found
// them, nil when the act has its own row of that.
func (s *Service) sendInvitation(ctx context.Context, q *store.Q, op *operator, acct *store.Account, u *store.User, before any) error {
	if err := s.sendLink(ctx, q, op.User, acct, u, "invite", store.MailInvitation); err != nil {
		return err
	}
	return s.audit(ctx, q, op.User, op.channel, "user.invite", u, before, profileOf(u))
}

// sendLink makes a new link of kind for u, voiding the older ones of that
// kind and cancelling their mail not yet sent, and queues the mail.
func (s *Service) sendLink(ctx context.Context, q *store.Q, by *store.User, acct *store.Account, u *store.User, kind, mailKind string) (err error) {
	if err := s.voidLinks(ctx, q, u, kind); err != nil {
		return err
	}
	return s.newLinks(ctx, q, by, acct, []*store.User{u}, kind, mailKind)
}

// voidLinks voids u's links of kind and cancels their mail not yet sent,
// before a new link replaces them.
func (s *Service) voidLinks(ctx context.Context, q *store.Q, u *store.User, kind string) error {
	if err := q.VoidTokens(ctx, u.ID, kind, s.Now()); err != nil {
		return err
	}
	mailKinds := []string{store.MailInvitation, store.MailInviteResent}
	if kind == "reset" {
		mailKinds = []string{store.MailPasswordReset}
	}
	_, err := q.CancelPendingMail(ctx, u.ID, mailKinds...)
	return err
}

// newLinks makes a new link of kind for each of users and queues its mail,
// a statement for all the links and one for all the mail.
func (s *Service) newLinks(ctx context.Context, q *store.Q, by *store.User, acct *store.Account, users []*store.User, kind, mailKind string) error {
	var madeBy string
	if by != nil {
		madeBy = by.Email
	}
	paths, links, err := s.makeLinks(ctx, q, madeBy, acct, users, kind)
	if err != nil {
		return err
	}
	zoneOf, err := mailZones(ctx, q)
	if err != nil {
		return err
	}
	msgs := make([]*store.OutboxMessage, len(users))
	for i, u := range users {
		t := links[i]
		data := store.MailData{Account: acct.Name, Name: u.Name(), Path: paths[i],
			ExpiresAt: t.ExpiresAt, Lifetime: int64(t.ExpiresAt.Sub(t.CreatedAt) / time.Second), TimeZone: zoneOf(u)}
		if by != nil && by.ID != u.ID {
			data.Inviter, data.InviterEmail = by.Name(), by.Email
		}
		var err error
		if msgs[i], err = s.mail(u, t.ID, mailKind, data, t.ExpiresAt); err != nil {
			return err
		}
	}
	return q.Enqueue(ctx, msgs...)
}

// makeLinks stores a new link of kind for each of users, made by madeBy, in
// one statement, and returns each link's path beside it: the path holds
// the secret, of which the store keeps only the hash, so it exists only
// for the mail being written.
func (s *Service) makeLinks(ctx context.Context, q *store.Q, madeBy string, acct *store.Account, users []*store.User, kind string) ([]string, []*store.Token, error) {
	now := s.Now()
	lifetime := acct.InviteLifetime
	if kind == "reset" {
		lifetime = ResetLifetime
	}
	paths := make([]string, len(users))
	links := make([]*store.Token, len(users))
	for i, u := range users {
		token := rand.Text() // 26 base32 characters: 130 random bits
		sum := sha256.Sum256([]byte(token))
		paths[i] = "/" + kind + "/" + token
		links[i] = &store.Token{UserID: u.ID, Kind: kind, Hash: sum[:], CreatedAt: now, ExpiresAt: now.Add(lifetime), CreatedBy: madeBy}
	}
	if err := q.InsertToken(ctx, links...); err != nil {
		return nil, nil, err
	}
	return paths, links, nil
}

// queueMail writes a message to the outbox, its dates in to's time zone
// (mailZones); it is given up at giveUp.
func (s *Service) queueMail(ctx context.Context, q *store.Q, to *store.User, tokenID int64, kind string, data store.MailData, giveUp time.Time) error {
	if len(to.Branches) > 0 {
		zoneOf, err := mailZones(ctx, q)
		if err != nil {
			return err
		}
		data.TimeZone = zoneOf(to)
	}
	m, err := s.mail(to, tokenID, kind, data, giveUp)
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, m)
}

// mailZones is the time zone in which a user's mail writes its dates: that
// of the first of their branches that has one; "" (the mail worker's) when
// none has. It reads the branches once, for a batch of mail.
func mailZones(ctx context.Context, q *store.Q) (func(u *store.User) string, error) {
	bs, err := q.Branches(ctx)
	if err != nil {
		return nil, err
	}
	zones := map[string]string{}
	for _, b := range bs {
		if b.TimeZone != "" {
			zones[b.Name] = b.TimeZone
		}
	}
	return func(u *store.User) string {
		for _, b := range u.Branches {
			if z, ok := zones[b]; ok {
				return z
			}
		}
		return ""
	}, nil
}

// mail is the message queueMail writes.
func (s *Service) mail(to *store.User, tokenID int64, kind string, data store.MailData, giveUp time.Time) (*store.OutboxMessage, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &store.OutboxMessage{Kind: kind, UserID: to.ID, TokenID: tokenID, Recipient: to.Email,
		RecipientName: strings.TrimSpace(to.FirstName + " " + to.LastName), Locale: to.Locale, Data: string(b),
		MessageID: newMessageID(), CreatedAt: now, NextAttemptAt: now, GiveUpAt: giveUp}
	if !data.AwayFrom.IsZero() && data.AwayFrom.After(now) {
		m.NextAttemptAt = data.AwayFrom
	}
	return m, nil
}

func newMessageID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "roster.localhost"
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + host + ">"
}

// profile is what the audit trail records of a user.
type profile struct {
	Email       string   `json:"email"`
	FirstName   string   `json:"first_name,omitempty"`
	LastName    string   `json:"last_name,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	Position    string   `json:"position,omitempty"`
	ReferenceID string   `json:"reference_id,omitempty"`
	Locale      string   `json:"locale"`
	Role        string   `json:"role"`
	Status      string   `json:"status"`
	Teams       []string `json:"teams,omitempty"`
	Branches    []string `json:"branches,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

// same reports whether p and o say the same: the lists as sets.
func (p profile) same(o profile) bool {
	sameSet := func(a, b []string) bool {
		return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
	}
	return p.Email == o.Email && p.FirstName == o.FirstName && p.LastName == o.LastName && p.Phone == o.Phone &&
		p.Position == o.Position && p.ReferenceID == o.ReferenceID && p.Locale == o.Locale && p.Role == o.Role &&
		p.Status == o.Status && sameSet(p.Teams, o.Teams) && sameSet(p.Branches, o.Branches) && sameSet(p.Tags, o.Tags)
}

func profileOf(u *store.User) profile {
	return profile{u.Email, u.FirstName, u.LastName, u.Phone, u.Position, u.ReferenceID, u.Locale, u.Role,
		string(u.Status), u.Teams, u.Branches, u.Tags}
}

// Outcome is what happened to one person of a batch (resend, revoke, send,
// a role or team changed...).
type Outcome struct {
	Email string `json:"email"`
	// ID is the user's, once known: a batch by ID that stopped before a
	// user has not read their address.
	ID  int64 `json:"id,omitempty"`
	Err error `json:"-"`
	// Unchanged, with no Err, says why nothing was written: the user was
	// already as the act leaves them ("ann@… is already a member"). Not a
	// failure: an act run twice succeeds twice.
	Unchanged i18n.Text `json:"-"`
}

// MarshalJSON adds the error's text, and why nothing changed.
func (o Outcome) MarshalJSON() ([]byte, error) {
	var msg, same string
	if o.Err != nil {
		msg = o.Err.Error()
	}
	if o.Unchanged.Key != "" {
		same = o.Unchanged.String()
	}
	return json.Marshal(struct {
		Email     string `json:"email,omitempty"`
		ID        int64  `json:"id,omitempty"`
		OK        bool   `json:"ok"`
		Error     string `json:"error,omitempty"`
		Unchanged string `json:"unchanged,omitempty"`
	}{o.Email, o.ID, o.Err == nil, msg, same})
}

// each runs fn for every email in a transaction of its own, so that one
// person's refusal (rate limit, wrong state) does not hold back the others.
func (s *Service) each(ctx context.Context, a Actor, emails []string, fn func(q *store.Q, op *operator, u *store.User) error) []Outcome {
	out := make([]Outcome, len(emails))
	for i, e := range emails {
		out[i].Email = strings.TrimSpace(e)
		out[i].Err = s.write(ctx, a, func(q *store.Q, op *operator) error {
			u, err := s.findUser(ctx, q, e)
			if err != nil {
				return err
			}
			out[i].Email = u.Email
			return fn(q, op, u)
		})
	}
	return out
}

// checkRate refuses a new link of kind sooner than a minute after the last
// one, or past ten in a day.
func (s *Service) checkRate(ctx context.Context, q *store.Q, u *store.User, kind string) error {
	now := s.Now()
	n, newest, oldest, err := q.CountTokensSince(ctx, u.ID, kind, now.Add(-24*time.Hour))
	if err != nil {
		return err
	}
	if n >= resendPerDay {
		return &RateLimitError{Email: u.Email, Next: oldest.Add(24 * time.Hour)}
	}
	if n > 0 && now.Before(newest.Add(resendGap)) {
		return &RateLimitError{Email: u.Email, Next: newest.Add(resendGap)}
	}
	return nil
}

// Stuck lists the invitations an operator should resend: expired unaccepted,
// or whose mail failed or is deferred.
func (s *Service) Stuck(ctx context.Context, a Actor) ([]store.Invitation, error) {
	return s.Invitations(ctx, a, true)
}

// Invitations lists every pending invitation, most urgent first; only the
// stuck ones with stuck. It reads them all, in one snapshot: listings for
// people read a page at a time with PendingPage.
func (s *Service) Invitations(ctx context.Context, a Actor, stuck bool) ([]store.Invitation, error) {
	var out []store.Invitation
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = allPending(ctx, q, s.Now(), stuck)
		return err
	})
	return out, err
}

// allPending reads every pending invitation as of now, most urgent first;
// only the stuck ones with stuck.
func allPending(ctx context.Context, q *store.Q, now time.Time, stuck bool) ([]store.Invitation, error) {
	out := []store.Invitation{}
	pq := store.PendingQuery{Stuck: stuck, Limit: 1000, Now: now}
	for {
		p, err := q.PendingInvitations(ctx, pq)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Invitations...)
		if pq.After = p.Next; pq.After == nil {
			return out, nil
		}
	}
}

// PendingPage reads up to limit pending invitations, most urgent first,
// after the cursor (nil for the first page; a page's Next for the one after
// it); only the stuck ones with stuck.
func (s *Service) PendingPage(ctx context.Context, a Actor, stuck bool, after *store.PendingCursor, limit int) (*store.PendingPage, error) {
	var out *store.PendingPage
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		out, err = q.PendingInvitations(ctx, store.PendingQuery{Stuck: stuck, After: after, Limit: limit, Now: s.Now()})
		return err
	})
	return out, err
}

// SendReset mails a password-reset link to an invited or active user; it is
// also how an expired invitation is rescued. Nobody sets or reads a password.
// The link sets the person's password: sending it to someone else is acting
// as them (mayActAs).
func (s *Service) SendReset(ctx context.Context, a Actor, email string) error {
	return s.each(ctx, a, []string{email}, func(q *store.Q, op *operator, u *store.User) error {
		if err := s.mayActAs(ctx, q, op, u, "users.edit", "sending a password reset", "send a password reset to"); err != nil {
			return err
		}
		if u.Status != store.Invited && u.Status != store.Active {
			return stateErr("%s is %s: only invited and active users can reset a password", u.Email, status(u.Status))
		}
		if err := s.checkRate(ctx, q, u, "reset"); err != nil {
			return err
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		if err := s.sendLink(ctx, q, op.User, acct, u, "reset", store.MailPasswordReset); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "password.reset_sent", u, nil, nil)
	})[0].Err
}
