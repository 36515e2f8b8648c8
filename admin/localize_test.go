package admin

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"roster/i18n"
	"roster/store"
)

// englishWords are words of roster's English sentences that French never
// uses: one left in a French text is a sentence, or a piece of one, that
// was not translated.
var englishWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the is not cannot was were with want already only who
		has have been of to and be it its this by at from until than needs which does found
		denied link user users away deactivated invited active owner manager admin member
		stand heir empty branch team people person still say where they go role give yet run
		account exists wrong password must future characters long more select others instead
		changed since read reload try again sent too recently next allowed retried deadline
		passed new cancelled replaced done key belongs`) {
		englishWords[w] = true
	}
}

// data is what a message quotes rather than says: addresses, quoted
// values, flags, commands, permissions, dates and placeholders in capitals.
var data = regexp.MustCompile(`\S+@\S+|"[^"]*"|--\S+|roster \w+|\w+\.[\w*]+|\d{4}-\d\d-\d\d( \d\d:\d\d(:\d\d)?)?|\b[A-Z]{2,}\b`)

// Every error a rule returns says itself in French, and in English exactly
// as Error() does (the API, SCIM and the logs say Error()).
func TestErrorsSayThemselvesInFrench(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addUser("mia.manager@example.com", "manager", store.Active, append(Presets["manager"], "users.delete")...)
	f.addUser("ada.admin@example.com", "admin", store.Active)
	f.invite("ivan.invited@example.com", "member")

	invite := func(email string) error {
		res, err := f.svc.Invite(ctx, f.owner, []NewUser{{Email: email}}, InviteOptions{})
		if err != nil {
			return err
		}
		return res[0].Err
	}
	at := time.Date(2026, 12, 2, 14, 5, 0, 0, time.UTC)
	plan := &DeletePlan{Moved: 2, StandIns: []StandInDuty{{}}}
	for _, c := range []struct {
		name   string
		err    error
		french string // the whole French text, when the test names it
	}{
		{"role address", invite("maintenance@example.com"),
			"e-mail : maintenance@example.com est une adresse générique, pas une personne (passez --allow-role-address pour l'accepter)"},
		{"address taken", invite("mia.manager@example.com"), "e-mail : mia.manager@example.com est déjà un utilisateur"},
		{"bad address", invite("bob@nodot"), `e-mail : "bob@nodot" : le domaine "nodot" n'a pas de point`},
		{"outranked", f.svc.Deactivate(ctx, as("mia.manager@example.com"), "ada.admin@example.com"),
			"permission refusée : un gestionnaire ne peut pas désactiver quelqu'un de rang supérieur (un administrateur)"},
		{"self", f.svc.Deactivate(ctx, f.owner, ownerEmail), "permission refusée : vous ne pouvez pas vous désactiver vous-même"},
		{"missing permission", f.svc.AddTeam(ctx, as("ivan.invited@example.com"), "x"),
			"permission refusée : ivan.invited@example.com est invité, pas actif"},
		{"not away", f.svc.EndAway(ctx, f.owner, "mia.manager@example.com"), "mia.manager@example.com n'est pas absent"},
		{"not found", func() error { _, err := f.svc.User(ctx, f.owner, "nobody@example.com"); return err }(),
			"utilisateur nobody@example.com introuvable"},
		{"rate limit", f.svc.Resend(ctx, f.owner, []string{"ivan.invited@example.com"})[0].Err, ""},
		{"heir required", inputErr("heir", "is required: %s still owns %s; who inherits them?", "mia.manager@example.com", owned(plan)),
			"héritier : obligatoire : mia.manager@example.com possède encore 2 conversations ouvertes, 1 remplacement ; qui en hérite ?"},
		{"conflict", &ConflictError{Email: "mia.manager@example.com", By: ownerEmail, At: at}, ""},
		{"plan changed", &ConflictError{Email: "mia.manager@example.com", Plan: true}, ""},
		{"branch in use", &BranchInUseError{Branch: "Lyon", Members: 3},
			`l'agence "Lyon" compte encore 3 personnes : dites où elles vont (--move-to AGENCE, ou --move-to none)`},
		{"not retryable", &NotRetryableError{ID: 7, Why: i18n.Msg("it is already %s", i18n.Msg(store.OutboxSent))},
			"le mail 7 ne peut pas être relancé : il est déjà envoyé"},
		{"base URL", &BaseURLError{Given: "https://a.example", Account: "https://b.example"}, ""},
		{"not done", &NotDoneError{Cause: stateErr("%s is already deactivated", "mia.manager@example.com")},
			"non fait : mia.manager@example.com est déjà désactivé"},
		{"link", ErrLinkExpired, "ce lien a expiré"},
		{"no account", ErrNoAccount, "pas encore de compte : lancez roster init"},
		{"busy", ErrBusy, ""},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if en := i18n.Error(i18n.For(i18n.English), c.err); en != c.err.Error() {
			t.Errorf("%s: in English %q, but Error() says %q", c.name, en, c.err.Error())
		}
		fr := i18n.Error(i18n.For(i18n.French), c.err)
		if fr == c.err.Error() {
			t.Errorf("%s: French is the English: %q", c.name, fr)
		}
		if c.french != "" && fr != c.french {
			t.Errorf("%s: French\n %q, want\n %q", c.name, fr, c.french)
		}
		for _, w := range strings.FieldsFunc(data.ReplaceAllString(fr, " "), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
		}) {
			if englishWords[strings.ToLower(w)] {
				t.Errorf("%s: %q left in English in %q", c.name, w, fr)
			}
		}
	}
	var taken *InputError
	if err := invite("mia.manager@example.com"); !errors.As(err, &taken) || !taken.Taken {
		t.Errorf("an address already a user's: %v, want an InputError that says it is taken", err)
	}
}

// What the rules say outside errors (a batch's question and outcome, a
// deletion's plan, a status) is said in French too, with French numbers
// and dates, and in English as before.
func TestWordsInFrench(t *testing.T) {
	en, fr := i18n.For(i18n.English), i18n.For(i18n.French)
	role := UserBatch{Act: ChangeRole, Role: "member"}
	back := time.Date(2026, 12, 24, 12, 0, 0, 0, time.Local)
	plan := &DeletePlan{Open: 4, Closed: 2, Moved: 1, Heir: "hugo@example.com", NeedsHeir: true, SSHKeys: 1,
		Replies: []ReplyPlan{{Name: "Absence", Fate: ReplySwitchedOff}}}
	for _, c := range []struct{ got, want string }{
		{role.Ask(1234).In(fr), "Changer le rôle de 1\u00a0234 utilisateurs en membre ?"},
		{role.Ask(1234).In(en), "Change the role of 1,234 users to member?"},
		{UserBatch{Act: DeactivateUsers}.Ask(1).In(fr), "Désactiver 1 utilisateur (sans plus de connexion possible) ?"},
		{role.Did().In(fr), "nommé membre"},
		{role.Did().String(), "made member"},
		{strings.Join(texts(plan.Says(false), fr), "; "), "fermer 2 des 4 conversations ouvertes; transférer 1 conversation ouverte à hugo@example.com; " +
			"réponse automatique « Absence » : désactivée, gardée par hugo@example.com; révoquer 1 clé SSH et 0 clé d'API"},
		{strings.Join(texts(plan.Says(true), fr), "; "), "2 des 4 conversations ouvertes fermées; 1 conversation ouverte transférée à hugo@example.com; " +
			"réponse automatique « Absence » : désactivée, gardée par hugo@example.com; 1 clé SSH et 0 clé d'API révoquées"},
		{strings.Join(texts(plan.Says(false), en), "; "), "close 2 of 4 open conversations; move 1 open conversation to hugo@example.com; " +
			"automated reply “Absence”: switched off, kept by hugo@example.com; revoke 1 SSH key and 0 API keys"},
		{Status(&store.User{Status: store.Invited, Expired: true}).In(fr), "Invitation expirée"},
		{Status(&store.User{Status: store.Active, Away: true, AwayUntil: back}).In(fr), "Absent jusqu'au 24 déc. 2026"},
		{Status(&store.User{Status: store.Active, Away: true, AwayUntil: back}).String(), "Away until 24 Dec 2026"},
		{Status(&store.User{Status: store.Active, Away: true}).In(fr), "Absent jusqu'à nouvel ordre"},
		{Status(&store.User{Status: store.Active, Away: true}).String(), "Away until further notice"},
	} {
		if c.got != c.want {
			t.Errorf("got\n %q, want\n %q", c.got, c.want)
		}
	}
}

func texts(ts []i18n.Text, p *i18n.Printer) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(p)
	}
	return out
}

// A stand-in's warning is said in French, reasons included.
func TestStandInWarningInFrench(t *testing.T) {
	const ada, ben, cleo = "ada.away@example.com", "ben@example.com", "cleo@example.com"
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	for _, e := range []string{ada, ben, cleo} {
		f.addUser(e, "member", store.Active)
	}
	f.join(ben, cleo)
	f.away(ben, "")
	f.away(cleo, "")
	r, err := f.svc.StandInWarning(f.ctx, f.owner, ada, AwayRequest{StandIn: "team:Support"})
	must(t, err)
	want := "attention : team:Support n'a personne pour le prendre (ben@example.com est absent, cleo@example.com est absent) : " +
		"le nouveau travail resterait à ada.away@example.com, qui est absent"
	if r == nil || r.Localize(i18n.For(i18n.French)) != want {
		t.Fatalf("warning %+v, in French\n %q, want\n %q", r, r.Localize(i18n.For(i18n.French)), want)
	}
}

// Why a permission is locked is said in French; Grantable says it in English.
func TestLocksInFrench(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.manager@example.com", "manager", store.Active, append(Presets["manager"], "users.permissions")...)
	f.addUser("ada.admin@example.com", "admin", store.Active)
	locks, err := f.svc.Locks(f.ctx, as("mia.manager@example.com"), "ada.admin@example.com")
	must(t, err)
	en, err := f.svc.Grantable(f.ctx, as("mia.manager@example.com"), "ada.admin@example.com")
	must(t, err)
	fr := i18n.For(i18n.French)
	if got := locks["users.edit"].In(fr); got != "un gestionnaire ne peut pas modifier quelqu'un de rang supérieur (un administrateur)" {
		t.Errorf("locked in French: %q", got)
	}
	if en["users.edit"] != "a manager cannot change an admin" {
		t.Errorf("locked in English: %q", en["users.edit"])
	}
	if locks, err = f.svc.Locks(f.ctx, f.owner, "mia.manager@example.com"); err != nil || locks["users.edit"].Key != "" {
		t.Errorf("an owner's locks on a manager: %v, %v", locks, err)
	}
}
