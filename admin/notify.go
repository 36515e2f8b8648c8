package admin

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// Channels a notification can go through: the outbox's channels. An SMS
// reaches only a user with a phone number.
const (
	NotifyEmail = store.ChannelEmail
	NotifySMS   = store.ChannelSMS
)

// NotifyChannels lists the channels, in the order screens show them.
var NotifyChannels = []string{NotifyEmail, NotifySMS}

// Who receives an event.
const (
	ToInvitee = "invitee"  // the person invited
	ToInviter = "inviter"  // whoever invited them
	ToOnCall  = "on call"  // holders of users.invite who opted in
	ToStandIn = "stand-in" // who takes an absent user's new work
	ToUser    = "user"     // the user the event is about
)

// EventText is an event's words in one language: Label names it where
// preferences are shown; Subject and Body make its mail, SMS its text
// message, with {account}, {name} (whom it is about), {actor} (who did
// it), {detail}, {brief} (its short form, for an SMS) and {count} (how many
// invitations are stuck) filled in. An SMS is written to fit one GSM-7 segment with
// typical values (TestSMSTextsFitOneSegment): 160 characters of the GSM
// alphabet, so no ê, â, ô, î, û, ç or ’, any of which would make it UCS-2,
// and 70 characters.
type EventText struct {
	Label, Subject, Body, SMS string
}

// Event is one kind of notification.
type Event struct {
	ID  string `json:"id"`
	Who string `json:"who"`
	// Default is the channels of a user who never chose.
	Default []string `json:"default"`
	// Mandatory events (security notices) cannot be turned off: their
	// channels always hold email, so that someone whose access changed
	// hears of it wherever the change came from.
	Mandatory bool                 `json:"mandatory"`
	Texts     map[string]EventText `json:"-"` // by locale: en, fr
}

// Events is the catalogue of notifications, in the order screens show
// them, as Catalogue is of permissions: adding an event is adding a line
// here (and, when it is sent, a case in notices, or a writer of its own
// as remind is the reminder's).
var Events = []Event{
	{"invitation.reminder", ToInvitee, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"Reminder before my invitation expires", "Your invitation to {account} is waiting", "Your invitation to join {account} has not been accepted yet. {detail}",
			"{account}: your invitation is still waiting. {brief}"},
		"fr": {"Rappel avant l'expiration de mon invitation", "Votre invitation sur {account} vous attend", "Votre invitation à rejoindre {account} n'a pas encore été acceptée. {detail}",
			"{account} : votre invitation vous attend. {brief}"}}},
	{"invitation.accepted", ToInviter, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"Someone I invited accepted", "{name} joined {account}", "{name} accepted your invitation and joined {account}.",
			"{account}: {name} accepted your invitation and joined."},
		"fr": {"Une personne invitée a accepté", "{name} a rejoint {account}", "{name} a accepté votre invitation et a rejoint {account}.",
			"{account} : {name} a accepté votre invitation."}}},
	{"invitation.stuck", ToInviter, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"An invitation I sent is stuck", "Your invitation to {name} is stuck", "Your invitation to {name} is stuck: {detail}.",
			"{account}: your invitation to {name} is stuck: {brief}. Resend it from Pending on the dashboard."},
		"fr": {"Une invitation envoyée est bloquée", "Votre invitation à {name} est bloquée", "Votre invitation à {name} est bloquée : {detail}.",
			"{account} : votre invitation à {name} est bloquée : {brief}. Renvoyez-la depuis Pending dans le tableau de bord."}}},
	{"digest.stuck", ToOnCall, []string{}, false, map[string]EventText{
		"en": {"Daily digest of stuck invitations", "Stuck invitations at {account}", "{detail}",
			"{account}: stuck invitations: {count}. To resend them all: roster invites resend --stuck"},
		"fr": {"Résumé quotidien des invitations bloquées", "Invitations bloquées sur {account}", "{detail}",
			"{account} : invitations bloquées : {count}. Pour les renvoyer toutes : roster invites resend --stuck"}}},
	{"standin.start", ToStandIn, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"I stand in for someone away", "You stand in for {name}", "{name} is away and you are their stand-in at {account}.",
			"{account}: {name} is away and you are their stand-in."},
		"fr": {"Je remplace une personne absente", "Vous remplacez {name}", "{name} est absent et vous le remplacez sur {account}.",
			"{account} : {name} est absent et vous le remplacez."}}},
	{"standin.work", ToStandIn, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"New work routed to me as a stand-in", "New work for {name} came to you", "{detail}, meant for {name}, came to you while they are away.",
			"{account}: new work meant for {name} came to you while they are away."},
		"fr": {"Travail qui m'est confié en remplacement", "Du travail pour {name} vous est confié", "{detail}, destiné à {name}, vous est confié pendant son absence.",
			"{account} : du travail destiné à {name} vous est confié pendant son absence."}}},
	{"away.ending", ToUser, []string{NotifyEmail}, false, map[string]EventText{
		"en": {"My away period ends tomorrow", "Your away period ends tomorrow", "Your away period at {account} ends tomorrow.",
			"{account}: your away period ends tomorrow."},
		"fr": {"Mon absence se termine demain", "Votre absence se termine demain", "Votre absence sur {account} se termine demain.",
			"{account} : votre absence se termine demain."}}},
	{"security.permissions", ToUser, []string{NotifyEmail}, true, map[string]EventText{
		"en": {"My role or permissions changed", "Your role or permissions at {account} changed", "{actor} changed your role or permissions at {account}. You now have: {detail}. If you did not expect this, tell your administrator.",
			"{account}: {actor} changed your role or permissions. If you did not expect this, tell your administrator."},
		"fr": {"Mon rôle ou mes permissions ont changé", "Votre rôle ou vos permissions sur {account} ont changé", "{actor} a changé votre rôle ou vos permissions sur {account}. Vous avez désormais : {detail}. Si vous ne vous y attendiez pas, prévenez votre administrateur.",
			"{account} : {actor} a modifié vos permissions. Si vous ne vous y attendiez pas, prévenez votre administrateur."}}},
	{"security.key", ToUser, []string{NotifyEmail}, true, map[string]EventText{
		"en": {"An SSH key or API key was added to my account", "A key was added to your {account} account", "{actor} added {detail} to your {account} account. Whoever holds it can act in your name: if you did not expect this, tell your administrator.",
			"{account}: {actor} added {brief} to your account. Not expected? Tell your administrator."},
		"fr": {"Une clé SSH ou d'API a été ajoutée à mon compte", "Une clé a été ajoutée à votre compte {account}", "{actor} a ajouté {detail} à votre compte {account}. Qui la détient peut agir en votre nom : si vous ne vous y attendiez pas, prévenez votre administrateur.",
			"{account} : {actor} a ajouté {brief} à votre compte. Inattendu ? Prévenez votre administrateur."}}},
}

// EventByID finds an event of the catalogue.
func EventByID(id string) (Event, bool) {
	i := slices.IndexFunc(Events, func(e Event) bool { return e.ID == id })
	if i < 0 {
		return Event{}, false
	}
	return Events[i], true
}

func eventIDs() []string {
	ids := make([]string, len(Events))
	for i, e := range Events {
		ids[i] = e.ID
	}
	return ids
}

// NotifyPref is one event as it reaches one user.
type NotifyPref struct {
	Event     string   `json:"event"`
	Label     string   `json:"label"`
	Who       string   `json:"who"`
	Channels  []string `json:"channels"`
	Chosen    bool     `json:"chosen"` // false: the catalogue's default
	Mandatory bool     `json:"mandatory"`
	// Unavailable lists the channels that cannot reach the user now,
	// whether chosen or not: sms, while they have no phone number.
	Unavailable []string `json:"unavailable,omitempty"`
}

// prefsOf reads user's channels for every event, defaults filled in.
func prefsOf(ctx context.Context, q *store.Q, u *store.User) ([]NotifyPref, error) {
	chosen, err := q.NotifyPrefs(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]NotifyPref, len(Events))
	for i, e := range Events {
		chs, ok := chosen[e.ID]
		if !ok {
			chs = e.Default
		}
		out[i] = NotifyPref{Event: e.ID, Label: e.Texts[localeOf(u.Locale)].Label, Who: e.Who,
			Channels: slices.Clone(chs), Chosen: ok, Mandatory: e.Mandatory}
		if u.Phone == "" {
			out[i].Unavailable = []string{NotifySMS}
		}
	}
	return out, nil
}

// LabelIn names the event in p's language. Label is in the language of the
// user the preferences are of, as their own settings show it; an operator
// looking at someone else's reads their own.
func (n NotifyPref) LabelIn(p *i18n.Printer) string {
	if e, ok := EventByID(n.Event); ok {
		if t, ok := e.Texts[string(p.Lang())]; ok {
			return t.Label
		}
	}
	return n.Label
}

// WhoIn says who receives the event, in p's language.
func (n NotifyPref) WhoIn(p *i18n.Printer) string {
	switch n.Who {
	case ToInvitee:
		return p.T("invitee")
	case ToInviter:
		return p.T("inviter")
	case ToOnCall:
		return p.T("on call")
	case ToStandIn:
		return p.T("stand-in")
	}
	return p.T("user")
}

// channelsFor is the channels event reaches u by.
func channelsFor(ctx context.Context, q *store.Q, u *store.User, event string) ([]string, error) {
	ps, err := prefsOf(ctx, q, u)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Event == event {
			return p.Channels, nil
		}
	}
	return nil, fmt.Errorf("notify: %q is not in the catalogue", event)
}

func localeOf(l string) string {
	if l == "fr" {
		return "fr"
	}
	return "en"
}

// notifyWrite runs fn in one transaction as the active user a, whatever
// their permissions (everyone chooses their own notifications), on the
// user email, which is a themselves or someone they may edit (users.edit).
func (s *Service) notifyWrite(ctx context.Context, a Actor, email string, write bool, fn func(q *store.Q, op *operator, u *store.User) error) error {
	run := s.st.ReadTx
	if write {
		run = s.st.Write
	}
	return run(ctx, func(q *store.Q) error {
		op, err := s.actor(ctx, q, a)
		if err != nil {
			return err
		}
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if err := op.mayActOn(u, "users.edit", "someone else's notifications", "change the notifications of"); err != nil {
			return err
		}
		return fn(q, op, u)
	})
}

// NotifyPrefs lists how each event of the catalogue reaches email: for
// the user themselves, or an operator holding users.edit.
func (s *Service) NotifyPrefs(ctx context.Context, a Actor, email string) ([]NotifyPref, error) {
	n, err := s.NotifySettings(ctx, a, email)
	if err != nil {
		return nil, err
	}
	return n.Prefs, nil
}

// NotifySettings is one user's notifications as a screen or a page edits
// them: the user as read (their Version is what a save must still find,
// since a change of preferences is a change of the user) and every event's
// channels.
type NotifySettings struct {
	User  *store.User
	Prefs []NotifyPref
}

// NotifySettings reads email's notifications with the user they belong
// to, under NotifyPrefs' rule.
func (s *Service) NotifySettings(ctx context.Context, a Actor, email string) (*NotifySettings, error) {
	var out *NotifySettings
	err := s.notifyWrite(ctx, a, email, false, func(q *store.Q, op *operator, u *store.User) error {
		ps, err := prefsOf(ctx, q, u)
		out = &NotifySettings{User: u, Prefs: ps}
		return err
	})
	return out, err
}

// SetNotifyPrefs applies settings, each "EVENT=CHANNELS": CHANNELS is a
// comma-separated set of NotifyChannels, "off" for none, or "default" for
// the catalogue's. A security notice cannot be turned off: its set must
// hold email. All apply or none do, with one audit row. The change bumps
// the user's version, as any change of theirs does: a save made at another
// version than read (0: none read) is a *ConflictError.
func (s *Service) SetNotifyPrefs(ctx context.Context, a Actor, email string, version int64, settings []string) ([]NotifyPref, error) {
	type change struct {
		event    string
		channels []string // nil: the default
	}
	var changes []change
	set := map[string]bool{}
	for _, setting := range settings {
		id, val, ok := strings.Cut(strings.TrimSpace(setting), "=")
		if !ok {
			return nil, inputErr("setting", "%q: want EVENT=CHANNELS, such as invitation.accepted=email,sms", setting)
		}
		id = strings.ToLower(strings.TrimSpace(id))
		e, ok := EventByID(id)
		if !ok {
			return nil, inputErr("event", "%q is not an event (want one of %s)", id, strings.Join(eventIDs(), ", "))
		}
		// Set twice, the last value was taken, unsaid.
		if set[id] {
			return nil, inputErr("setting", "%s is set twice: set it once", id)
		}
		set[id] = true
		c := change{event: id}
		switch val = strings.ToLower(strings.TrimSpace(val)); val {
		case "default":
		case "off", "":
			c.channels = []string{}
		default:
			c.channels = []string{}
			for _, ch := range strings.Split(val, ",") {
				ch = strings.TrimSpace(ch)
				if !slices.Contains(NotifyChannels, ch) {
					return nil, inputErr("channel", "%q is not a channel (want %s, or off)", ch, strings.Join(NotifyChannels, ", "))
				}
				if !slices.Contains(c.channels, ch) {
					c.channels = append(c.channels, ch)
				}
			}
			slices.SortFunc(c.channels, func(x, y string) int { return slices.Index(NotifyChannels, x) - slices.Index(NotifyChannels, y) })
		}
		if e.Mandatory && c.channels != nil && !slices.Contains(c.channels, NotifyEmail) {
			return nil, inputErr("event", "%s is a security notice and cannot be turned off: its channels keep email", id)
		}
		// Off is said: a value left empty (--set "digest.stuck=$CH", the
		// variable unset) turned the event off.
		if val == "" {
			return nil, inputErr("setting", "%s= names no channel: give email, sms, email,sms, off or default", id)
		}
		changes = append(changes, c)
	}
	if len(changes) == 0 {
		return nil, inputErr("setting", "name at least one, such as digest.stuck=off")
	}
	var out []NotifyPref
	err := s.notifyWrite(ctx, a, email, true, func(q *store.Q, op *operator, u *store.User) error {
		before, err := prefsOf(ctx, q, u)
		if err != nil {
			return err
		}
		was, now := map[string][]string{}, map[string][]string{}
		for _, c := range changes {
			if c.channels == nil {
				err = q.ClearNotifyPref(ctx, u.ID, c.event)
			} else {
				err = q.SetNotifyPref(ctx, u.ID, c.event, c.channels)
			}
			if err != nil {
				return err
			}
		}
		if out, err = prefsOf(ctx, q, u); err != nil {
			return err
		}
		for i := range out {
			if !slices.Equal(before[i].Channels, out[i].Channels) || before[i].Chosen != out[i].Chosen {
				was[out[i].Event], now[out[i].Event] = before[i].Channels, out[i].Channels
			}
		}
		// What changes nothing writes nothing: no new version for others'
		// forms to conflict with, no audit entry (a screen saved as read,
		// a script setting what is set).
		if len(now) == 0 {
			return stale(u, version)
		}
		if err := s.update(ctx, q, op, u, version); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "notify.set", u, was, now)
	})
	return out, err
}

// notices maps the audit actions that notify someone to their event. The
// reminder is not among them: remind writes it with the link it may carry,
// which no audit row holds.
var notices = map[string]string{
	"invite.accept":     "invitation.accepted",
	"invite.expire":     "invitation.stuck",
	"invite.stuck":      "invitation.stuck",
	"away.ending":       "away.ending",
	"user.perms":        "security.permissions",
	"key.add":           "security.key",
	"apikey.create":     "security.key",
	"apikey.regenerate": "security.key",
}

// notify queues, in the caller's transaction, the notice of each audited
// change that is an event of the catalogue, to each person it concerns, by
// the channels they chose: one outbox row per notice, in their language,
// delivered by the mail worker like any mail. A security notice goes to
// the user the change is about, even when they made it themselves: their
// session may be someone else's hands.
func (s *Service) notify(ctx context.Context, q *store.Q, entries ...*store.AuditEntry) error {
	var acct *store.Account
	for _, e := range entries {
		id, ok := notices[e.Action]
		if !ok || e.TargetID == 0 {
			continue
		}
		if acct == nil {
			var err error
			if acct, err = q.Account(ctx); err != nil {
				return err
			}
		}
		target, err := q.UserByID(ctx, e.TargetID, e.At)
		if err != nil {
			return err
		}
		to := target
		if id == "invitation.accepted" || id == "invitation.stuck" {
			if target.InvitedBy == 0 || target.InvitedBy == target.ID {
				continue
			}
			if to, err = q.UserByID(ctx, target.InvitedBy, e.At); err != nil {
				return err
			}
		}
		var after struct {
			Role        string    `json:"role"`
			Perms       []string  `json:"perms"`
			Fingerprint string    `json:"fingerprint"`
			Name        string    `json:"name"`
			EndsAt      time.Time `json:"ends_at"`
			Reason      string    `json:"reason"`
		}
		if e.After != "" {
			if err := json.Unmarshal([]byte(e.After), &after); err != nil {
				return err
			}
		}
		fr := localeOf(to.Locale) == "fr"
		var detail, brief string // brief: detail's short form, for an SMS
		switch {
		case e.Action == "invite.expire" && fr:
			detail, brief = "son lien a expiré sans être accepté", "son lien a expiré"
		case e.Action == "invite.expire":
			detail, brief = "its link expired unaccepted", "its link expired"
		case e.Action == "invite.stuck" && fr:
			detail, brief = "son message n'a pas pu être remis ("+after.Reason+")", "son envoi a échoué"
		case e.Action == "invite.stuck":
			detail, brief = "its mail could not be delivered ("+after.Reason+")", "its mail failed"
		case id == "security.permissions":
			detail = after.Role + " (" + strings.Join(after.Perms, ", ") + ")"
		case e.Action == "key.add" && fr:
			detail, brief = "la clé SSH "+after.Fingerprint, "une clé SSH"
		case e.Action == "key.add":
			detail, brief = "SSH key "+after.Fingerprint, "an SSH key"
		case id == "security.key" && fr:
			detail = "la clé d'API " + after.Name
			brief = detail
		case id == "security.key":
			detail = "API key " + after.Name
			brief = detail
		}
		if err := s.notice(ctx, q, acct, to, id, e.At, time.Time{}, noticeLink{}, "{name}", target.Name(), "{actor}", cmp.Or(e.Actor, "roster"), "{detail}", detail, "{brief}", brief); err != nil {
			return err
		}
	}
	return nil
}

// noticeLink is the link a notice's mail carries, if any (a reminder's
// fresh one): its path, which holds the secret, and its token, so that a
// newer link cancels the mail if it is not sent yet (voidLinks).
type noticeLink struct {
	path    string
	tokenID int64
}

// noticeLifetime is how long a notice is tried before it is given up:
// after that it says something no longer new.
const noticeLifetime = 24 * time.Hour

// notice queues event's notice to to, in to's language, when to is active,
// by the channels they chose for it: the catalogue's subject and text by
// mail, its SMS text to their phone number, with {account} and the given
// pairs of placeholder and value filled in. A notice announcing a link's
// expiry (a reminder) is given up when it passes; its mail carries link
// when there is one (a reminder's fresh link).
func (s *Service) notice(ctx context.Context, q *store.Q, acct *store.Account, to *store.User, event string, at, expires time.Time, link noticeLink, pairs ...string) error {
	if to.Status != store.Active && to.Status != store.Invited {
		return nil
	}
	chs, err := channelsFor(ctx, q, to, event)
	if err != nil {
		return err
	}
	txt := noticeText(acct, to, event, pairs...)
	giveUp := at.Add(noticeLifetime)
	if !expires.IsZero() && expires.Before(giveUp) {
		giveUp = expires
	}
	if slices.Contains(chs, NotifyEmail) {
		if err := s.queueMail(ctx, q, to, link.tokenID, store.MailNotice, store.MailData{Account: acct.Name, Name: to.Name(), Subject: txt.Subject,
			Body: txt.Body, ExpiresAt: expires, Path: link.path}, giveUp); err != nil {
			return err
		}
	}
	return s.smsNotice(ctx, q, acct, to, chs, store.MailData{Body: txt.SMS}, giveUp)
}

// noticeText is event's words for to, in their language, with {account}
// and pairs filled in.
func noticeText(acct *store.Account, to *store.User, event string, pairs ...string) EventText {
	ev, _ := EventByID(event)
	txt := ev.Texts[localeOf(to.Locale)]
	r := strings.NewReplacer(append([]string{"{account}", acct.Name}, pairs...)...)
	return EventText{Label: txt.Label, Subject: r.Replace(txt.Subject), Body: r.Replace(txt.Body), SMS: r.Replace(txt.SMS)}
}

// smsNotice queues text as an SMS to to's phone number when chs holds sms
// and they have one: a user without one gets no SMS (NotifyPref.Unavailable
// says so where preferences are shown). It is due at from (zero: now) and
// given up at giveUp, like the notice's mail.
func (s *Service) smsNotice(ctx context.Context, q *store.Q, acct *store.Account, to *store.User, chs []string, data store.MailData, giveUp time.Time) error {
	if !slices.Contains(chs, NotifySMS) || to.Phone == "" {
		return nil
	}
	data.Account, data.Name = acct.Name, to.Name()
	m, err := s.mail(to, 0, store.MailNotice, data, giveUp)
	if err != nil {
		return err
	}
	m.Channel, m.Recipient = store.ChannelSMS, to.Phone
	return q.Enqueue(ctx, m)
}

// reaches reports that chs reach u by some channel.
func reaches(u *store.User, chs []string) bool {
	return slices.Contains(chs, NotifyEmail) || slices.Contains(chs, NotifySMS) && u.Phone != ""
}

// NotifyDue writes the notices that time alone sets off, as roster serve
// does every minute beside the renewals (RenewDue): the invitation
// reminders, the invitations that expired (to whoever invited), the away
// periods ending tomorrow, and the daily digest of stuck invitations. Each
// is written once, when its instant passes, through an audit row of its
// own (notify): notices_through and digest_through, moved in the same
// transaction, keep it once across restarts and processes. The first run
// only starts counting, so that a database from before notifications does
// not tell of everything that ever expired.
func (s *Service) NotifyDue(ctx context.Context) error {
	return s.st.Write(ctx, func(q *store.Q) error {
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		through, err := q.NoticesThrough(ctx)
		if err != nil {
			return err
		}
		now := s.Now()
		if !through.IsZero() {
			if err := s.timedNotices(ctx, q, acct, through, now); err != nil {
				return err
			}
		}
		if err := q.SetNoticesThrough(ctx, now); err != nil {
			return err
		}
		return s.digestDue(ctx, q, acct)
	})
}

// awayNotice is how long before an away period ends its person is told.
const awayNotice = 24 * time.Hour

// timedNotices writes the audit rows of the instants that passed in
// (through, now], each of which notify turns into its notice, and the
// invitation reminders (remind).
func (s *Service) timedNotices(ctx context.Context, q *store.Q, acct *store.Account, through, now time.Time) error {
	var reminders []store.Due
	var err error
	if acct.RemindBefore > 0 {
		if reminders, err = q.RemindersDue(ctx, through, now, acct.RemindBefore, reminderLinkBy); err != nil {
			return err
		}
	}
	for _, d := range reminders {
		if err := s.remind(ctx, q, acct, d, now); err != nil {
			return err
		}
	}
	expired, err := q.ExpiredDue(ctx, through, now)
	if err != nil {
		return err
	}
	ending, err := q.AwayEndingDue(ctx, through, now, awayNotice)
	if err != nil {
		return err
	}
	var entries []*store.AuditEntry
	for _, k := range []struct {
		action, field string
		dues          []store.Due
	}{{"invite.expire", "expires_at", expired}, {"away.ending", "ends_at", ending}} {
		for _, d := range k.dues {
			u, err := q.UserByID(ctx, d.UserID, now)
			if err != nil {
				return err
			}
			e, err := s.systemEntry(k.action, u, map[string]any{k.field: d.At})
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
	}
	return s.writeAudit(ctx, q, entries...)
}

// systemEntry is the audit row of something that happened to u because
// time passed: nobody did it.
func (s *Service) systemEntry(action string, u *store.User, after any) (*store.AuditEntry, error) {
	e, err := s.auditEntry(nil, ChannelSystem, action, u, nil, after)
	if err != nil {
		return nil, err
	}
	e.ActorID, e.Actor = 0, ""
	return e, nil
}

// freshLinkUnder is the time left on an invitation's link under which its
// reminder brings a fresh link rather than pointing to the invitation
// mail: below it the invitee may not get to the mail before the link dies.
// With the default 24 hours the link still works for a day, so the
// reminder points to it; a shorter remind-before, or a reminder that went
// late because roster serve was down, brings a fresh link.
const freshLinkUnder = 6 * time.Hour

// reminderLinkBy is the maker a reminder's fresh link records (tokens'
// created_by, otherwise whoever sent the link): RemindersDue gives such a
// link no reminder of its own.
const reminderLinkBy = "roster reminder"

// remind writes the reminder of the invitation d is due for, with its
// audit row (invite.remind). Only the hash of the invitation's link is
// kept, so the link the invitee holds cannot be sent again: when it has
// less than freshLinkUnder left and the reminder goes by mail, the
// reminder voids it and mails a fresh one with its new expiry, as a
// resend does (fresh_link in the audit row); an SMS alone carries no link,
// so it leaves the old link alone.
func (s *Service) remind(ctx context.Context, q *store.Q, acct *store.Account, d store.Due, now time.Time) error {
	u, err := q.UserByID(ctx, d.UserID, now)
	if err != nil {
		return err
	}
	chs, err := channelsFor(ctx, q, u, "invitation.reminder")
	if err != nil {
		return err
	}
	expires, link := d.At, noticeLink{}
	fresh := d.At.Sub(now) < freshLinkUnder && slices.Contains(chs, NotifyEmail)
	after := map[string]any{"expires_at": expires}
	if fresh {
		if err := s.voidLinks(ctx, q, u, "invite"); err != nil {
			return err
		}
		paths, links, err := s.makeLinks(ctx, q, reminderLinkBy, acct, []*store.User{u}, "invite")
		if err != nil {
			return err
		}
		expires, link = links[0].ExpiresAt, noticeLink{paths[0], links[0].ID}
		after = map[string]any{"expires_at": expires, "fresh_link": true}
	}
	e, err := s.systemEntry("invite.remind", u, after)
	if err != nil {
		return err
	}
	if err := s.writeAudit(ctx, q, e); err != nil {
		return err
	}
	detail, brief := reminderWords(localeOf(u.Locale) == "fr", fresh)
	return s.notice(ctx, q, acct, u, "invitation.reminder", now, expires, link, "{detail}", detail, "{brief}", brief)
}

// reminderWords is what a reminder says of the invitation's link, in full
// for its mail and briefly for its SMS: where to find the link, or that a
// fresh one came with it.
func reminderWords(fr, fresh bool) (detail, brief string) {
	switch {
	case fr && fresh:
		return "Son lien allait expirer : en voici un nouveau, les liens envoyés auparavant ne fonctionnent plus. Pour accepter l'invitation, ouvrez ce lien :",
			"Son lien allait expirer : un nouveau vous a été envoyé par courriel, l'ancien ne marche plus."
	case fr:
		return "Son lien expire bientôt : pour accepter l'invitation, ouvrez le lien du message d'invitation.",
			"Son lien expire sous peu : ouvrez-le depuis le message d'invitation."
	case fresh:
		return "Its link was about to expire, so here is a new one; the links sent before no longer work. To accept the invitation, open this link:",
			"Its link was about to expire: we mailed you a new one, the old one no longer works."
	}
	return "Its link expires soon: to accept the invitation, open the link in the invitation mail.",
		"Its link expires soon: open it from the invitation mail."
}

// digestLines is how many stuck invitations a digest lists by name.
const digestLines = 50

// digestDue writes the day's digest of stuck invitations once its hour
// has passed in the account's time zone (its country's, DefaultTimeZone),
// to every active holder of users.invite who opted in to digest.stuck.
// Days missed (the server was down) are not sent late: the latest day's
// digest says everything still stuck. A day with nothing stuck sends
// nothing. The first run only starts counting.
func (s *Service) digestDue(ctx context.Context, q *store.Q, acct *store.Account) error {
	through, err := q.DigestThrough(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	loc, err := time.LoadLocation(DefaultTimeZone(acct.Country))
	if err != nil {
		return err
	}
	due := digestAt(now, acct.DigestHour, loc)
	if !through.IsZero() && !due.After(through) {
		return nil
	}
	// An hour moved later in a day whose digest went says it the next day:
	// the same day's stuck invitations were said that morning.
	sameDay := func(a, b time.Time) bool {
		a, b = a.In(loc), b.In(loc)
		return a.YearDay() == b.YearDay() && a.Year() == b.Year()
	}
	if err := q.SetDigestThrough(ctx, due); err != nil || through.IsZero() || sameDay(through, due) {
		return err
	}
	stuck, err := allPending(ctx, q, now, true)
	if err != nil || len(stuck) == 0 {
		return err
	}
	ids, err := q.ActiveHolders(ctx, "users.invite")
	if err != nil {
		return err
	}
	var sent []string
	for _, id := range ids {
		u, err := q.UserByID(ctx, id, now)
		if err != nil {
			return err
		}
		chs, err := channelsFor(ctx, q, u, "digest.stuck")
		if err != nil {
			return err
		}
		if !reaches(u, chs) {
			continue
		}
		if err := s.notice(ctx, q, acct, u, "digest.stuck", now, time.Time{}, noticeLink{}, "{detail}", digestText(stuck, localeOf(u.Locale), now),
			"{count}", strconv.Itoa(len(stuck))); err != nil {
			return err
		}
		sent = append(sent, u.Email)
	}
	return s.audit(ctx, q, nil, ChannelSystem, "invite.digest", nil, nil, map[string]any{"stuck": len(stuck), "to": sent})
}

// digestAt is the latest instant at hour of loc's day not after now.
func digestAt(now time.Time, hour int, loc *time.Location) time.Time {
	d := now.In(loc)
	at := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	if at.After(now) {
		at = time.Date(d.Year(), d.Month(), d.Day()-1, hour, 0, 0, 0, loc)
	}
	return at
}

// digestText lists the stuck invitations, each with its reason, and the
// one command and the keys that resend them all.
func digestText(stuck []store.Invitation, lang string, now time.Time) string {
	var b strings.Builder
	fr := lang == "fr"
	switch {
	case fr && len(stuck) == 1:
		b.WriteString("1 invitation est bloquée :\n")
	case fr:
		fmt.Fprintf(&b, "%d invitations sont bloquées :\n", len(stuck))
	case len(stuck) == 1:
		b.WriteString("1 invitation is stuck:\n")
	default:
		fmt.Fprintf(&b, "%d invitations are stuck:\n", len(stuck))
	}
	for i, inv := range stuck {
		if i == digestLines {
			if fr {
				fmt.Fprintf(&b, "… et %d autres\n", len(stuck)-i)
			} else {
				fmt.Fprintf(&b, "… and %d more\n", len(stuck)-i)
			}
			break
		}
		colon := ": "
		if fr {
			colon = " : "
		}
		fmt.Fprintf(&b, "- %s%s%s\n", inv.Email, colon, stuckReason(inv, fr, now))
	}
	if fr {
		b.WriteString("\nPour les renvoyer toutes : roster invites resend --stuck (ou, dans le tableau de bord, Pending puis s, A, r).")
	} else {
		b.WriteString("\nTo resend them all: roster invites resend --stuck (or, on the dashboard, Pending then s, A, r).")
	}
	return b.String()
}

func stuckReason(inv store.Invitation, fr bool, now time.Time) string {
	switch {
	case inv.MailState == store.OutboxFailed && fr:
		return "l'envoi a échoué (" + inv.MailError + ")"
	case inv.MailState == store.OutboxFailed:
		return "its mail failed (" + inv.MailError + ")"
	case inv.MailState == store.OutboxDeferred && fr:
		return "l'envoi est retardé (" + inv.MailError + ")"
	case inv.MailState == store.OutboxDeferred:
		return "its mail is deferred (" + inv.MailError + ")"
	case fr:
		return "expirée depuis " + i18n.For(i18n.French).Span(now.Sub(inv.ExpiresAt))
	}
	return "expired " + Span(now.Sub(inv.ExpiresAt)) + " ago"
}
