package admin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Deleting a user needs an heir, who gets their conversations, automated
// replies and stand-in duties in the same transaction; their audit trail stays.
func TestDelete(t *testing.T) {
	const (
		leaver = "lea.leaver@example.com"
		heir   = "henri.heir@example.com"
		absent = "ada.away@example.com"
	)
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.addUser(leaver, "member", store.Active)
		f.addUser(heir, "member", store.Active)
		f.addUser(absent, "member", store.Active)
		_, err := f.svc.Edit(f.ctx, f.owner, leaver, 0, Profile{Position: ptr("Acheteuse")})
		must(t, err)
		for _, s := range []string{"Commande 1", "Commande 2", "Litige"} {
			_, err := f.svc.AddConversation(f.ctx, f.owner, s, leaver)
			must(t, err)
		}
		_, err = f.svc.AddConversation(f.ctx, f.owner, "Autre", heir)
		must(t, err)
		must(t, f.st.Write(f.ctx, func(q *store.Q) error {
			u, err := q.UserByEmail(f.ctx, leaver, f.now())
			if err != nil {
				return err
			}
			for _, n := range []string{"Absence", "Accusé de réception"} {
				if _, err := q.InsertAutoReply(f.ctx, n, u.ID); err != nil {
					return err
				}
			}
			return nil
		}))
		_, err = f.svc.SetAway(f.ctx, f.owner, absent, AwayRequest{StandIn: leaver})
		must(t, err)
		return f
	}

	t.Run("refused without a valid heir", func(t *testing.T) {
		f := setup(t)
		before := f.snapshot()
		for _, h := range []string{"", "  ", leaver} {
			_, err := f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: h})
			wantInput(t, err, "heir", "")
		}
		f.unchanged(before)
		f.addUser("dan.deactivated@example.com", "member", store.Deactivated)
		before = f.snapshot()
		_, err := f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: "dan.deactivated@example.com"})
		wantInput(t, err, "heir", "active")
		// An heir who is no user is the request's mistake: a NotFoundError
		// said the user deleted was missing (404 to the API and SCIM).
		_, err = f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: "nobody@example.com"})
		wantInput(t, err, "heir", "nobody@example.com is not a user")
		f.unchanged(before)
	})
	t.Run("an heir away with the deleted user standing in is refused", func(t *testing.T) {
		f := setup(t)
		_, err := f.svc.SetAway(f.ctx, f.owner, heir, AwayRequest{From: f.now().Add(24 * time.Hour), StandIn: leaver, Until: f.now().Add(72 * time.Hour)})
		must(t, err)
		before := f.snapshot()
		_, err = f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: heir})
		wantInput(t, err, "heir", "henri.heir@example.com is away from")
		f.unchanged(before)
	})
	t.Run("stand-in duties, current and planned, go to the heir, audited", func(t *testing.T) {
		f := setup(t)
		planned := f.now().Add(10 * 24 * time.Hour)
		f.addUser("paul.planned@example.com", "member", store.Active)
		_, err := f.svc.SetAway(f.ctx, f.owner, "paul.planned@example.com", AwayRequest{From: planned, Until: planned.Add(48 * time.Hour), StandIn: leaver})
		must(t, err)
		duties, err := f.svc.StandInDuties(f.ctx, f.owner, leaver)
		must(t, err)
		if len(duties) != 2 || duties[0].Away != absent || duties[1].Away != "paul.planned@example.com" ||
			!strings.HasPrefix(duties[1].String(), "stand-in for paul.planned@example.com from ") {
			t.Fatalf("duties %+v", duties)
		}
		_, err = f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: heir})
		must(t, err)
		got := f.rows("SELECT u.email || ' ' || coalesce(s.email, '-') FROM away_periods a JOIN users u ON u.id = a.user_id LEFT JOIN users s ON s.id = a.standin_user_id ORDER BY a.id")
		if strings.Join(got, ", ") != absent+" "+heir+", paul.planned@example.com "+heir {
			t.Fatalf("away periods after the delete: %v", got)
		}
		audits := f.audits("away.standin")
		if len(audits) != 2 || audits[0].Target != absent || !strings.Contains(audits[0].Before, leaver) || !strings.Contains(audits[0].After, heir) {
			t.Fatalf("away.standin audit rows %+v", audits)
		}
		if n := f.count(`SELECT count(*) FROM outbox WHERE kind = ? AND recipient = ?`, store.MailStandInNotice, heir); n != 2 {
			t.Fatalf("%d stand-in notices to the heir, want 2", n)
		}
	})
	t.Run("everything goes to the heir", func(t *testing.T) {
		f := setup(t)
		d, err := f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: heir})
		must(t, err)
		if d.Moved != 3 || len(d.Replies) != 2 || d.Heir != heir {
			t.Fatalf("deletion %+v", d)
		}
		if f.exists(leaver) {
			t.Fatal("still there")
		}
		detail, err := f.svc.User(f.ctx, f.owner, heir)
		must(t, err)
		if len(detail.Conversations) != 4 || len(detail.AutoReplies) != 2 {
			t.Fatalf("heir owns %d conversations, %d replies", len(detail.Conversations), len(detail.AutoReplies))
		}
		if r, err := f.svc.Route(f.ctx, f.owner, absent); err != nil || r.Email != heir {
			t.Fatalf("the away user's work goes to %v (%v), want the heir", r, err)
		}
		// The audit trail of the deleted user stays readable by their address.
		trail, err := f.svc.Audit(f.ctx, f.owner, store.AuditQuery{Target: leaver})
		must(t, err)
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); !strings.HasPrefix(got, "user.delete ") || !strings.Contains(got, "user.edit") || !strings.Contains(got, "conversation.add") {
			t.Fatalf("audit of the deleted user: %s", got)
		}
		if !strings.Contains(trail[0].Before, "Acheteuse") || !strings.Contains(trail[0].After, heir) {
			t.Fatalf("delete audit %+v", trail[0])
		}
	})
	t.Run("a failure leaves the user and their work in place", func(t *testing.T) {
		f := setup(t)
		before := f.snapshot()
		restore := f.refuseAudit()
		if _, err := f.svc.Delete(f.ctx, f.owner, leaver, DeleteRequest{Heir: heir}); err == nil {
			t.Fatal("deleted without its audit row")
		}
		restore()
		f.unchanged(before)
	})
}

// Deactivation is reversible and kills pending links; reactivation brings the
// person back as they were.
func TestDeactivateReactivate(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada.active@example.com", "member", store.Active)
	tok := f.invite(invitee, "")
	must(t, f.svc.Deactivate(f.ctx, f.owner, invitee))
	must(t, f.svc.Deactivate(f.ctx, f.owner, "ada.active@example.com"))
	if _, err := f.svc.UseLink(f.ctx, "invite", tok, password); err == nil {
		t.Fatal("a deactivated person accepted their invitation")
	}
	if _, err := f.svc.Login(f.ctx, "ada.active@example.com", password); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("login: %v", err)
	}
	var se *StateError
	if err := f.svc.Deactivate(f.ctx, f.owner, invitee); !errors.As(err, &se) {
		t.Fatalf("twice: %v", err)
	}
	must(t, f.svc.Reactivate(f.ctx, f.owner, invitee))
	must(t, f.svc.Reactivate(f.ctx, f.owner, "ada.active@example.com"))
	if got := f.user(invitee).Status; got != store.Invited {
		t.Fatalf("never-activated person reactivated as %s", got)
	}
	if got := f.user("ada.active@example.com").Status; got != store.Active {
		t.Fatalf("reactivated as %s", got)
	}
}

// Every change writes its audit row in its own transaction: when the row
// cannot be written, the change does not happen either.
func TestAuditInSameTransaction(t *testing.T) {
	const ada = "ada.active@example.com"
	cases := []struct {
		action string
		do     func(f *fixture) error
		check  func(t *testing.T, e store.AuditEntry)
	}{
		{"user.invite", func(f *fixture) error {
			res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: invitee}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}, func(t *testing.T, e store.AuditEntry) {
			if e.Target != invitee || e.Before != "" || !strings.Contains(e.After, `"status":"invited"`) {
				t.Fatalf("%+v", e)
			}
		}},
		{"user.edit", func(f *fixture) error {
			_, err := f.svc.Edit(f.ctx, f.owner, ada, 0, Profile{Position: ptr("Directrice"), AddTags: []string{"Facturation"}})
			return err
		}, func(t *testing.T, e store.AuditEntry) {
			var before, after map[string]any
			must(t, json.Unmarshal([]byte(e.Before), &before))
			must(t, json.Unmarshal([]byte(e.After), &after))
			if before["position"] != nil || after["position"] != "Directrice" || after["tags"] == nil {
				t.Fatalf("before %v after %v", before, after)
			}
		}},
		{"user.perms", func(f *fixture) error {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, ada, 0, PermChange{Role: "manager"})
			return err
		}, func(t *testing.T, e store.AuditEntry) {
			if !strings.Contains(e.Before, `"role":"member"`) || !strings.Contains(e.After, `"role":"manager"`) {
				t.Fatalf("%+v", e)
			}
		}},
		{"user.deactivate", func(f *fixture) error { return f.svc.Deactivate(f.ctx, f.owner, ada) }, nil},
		{"user.delete", func(f *fixture) error {
			_, err := f.svc.Delete(f.ctx, f.owner, ada, DeleteRequest{Heir: ownerEmail})
			return err
		}, nil},
		{"away.set", func(f *fixture) error { _, err := f.svc.SetAway(f.ctx, f.owner, ada, AwayRequest{}); return err }, nil},
		{"password.reset_sent", func(f *fixture) error { return f.svc.SendReset(f.ctx, f.owner, ada) }, nil},
		{"team.add", func(f *fixture) error { return f.svc.AddTeam(f.ctx, f.owner, "Comptabilité") }, nil},
		{"account.update", func(f *fixture) error {
			_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{InviteLifetime: ptr(72 * time.Hour)})
			return err
		}, nil},
		{"conversation.add", func(f *fixture) error { _, err := f.svc.AddConversation(f.ctx, f.owner, "Devis", ada); return err }, nil},
		{"invite.accept", func(f *fixture) error {
			_, err := f.svc.UseLink(f.ctx, "invite", f.token("ivy.pending@example.com"), password)
			return err
		}, func(t *testing.T, e store.AuditEntry) {
			if e.Actor != "ivy.pending@example.com" || e.Channel != ChannelWeb {
				t.Fatalf("%+v", e)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(ada, "member", store.Active)
			f.invite("ivy.pending@example.com", "")
			before := f.snapshot()
			restore := f.refuseAudit()
			if err := c.do(f); err == nil || !strings.Contains(err.Error(), "audit refused") {
				t.Fatalf("with the audit refused: %v", err)
			}
			restore()
			f.unchanged(before)

			f.advance(time.Minute)
			had := len(f.audits(c.action))
			must(t, c.do(f))
			got := f.audits(c.action)
			if len(got) != had+1 {
				t.Fatalf("%d audit rows %s, want %d", len(got), c.action, had+1)
			}
			e := got[len(got)-1]
			if !e.At.Equal(f.now()) || e.Channel != ChannelCLI && c.action != "invite.accept" ||
				e.Actor != ownerEmail && c.action != "invite.accept" {
				t.Fatalf("audit row %+v", e)
			}
			if c.check != nil {
				c.check(t, e)
			}
		})
	}
}

// Audit rows are never updated or deleted.
func TestAuditAppendOnly(t *testing.T) {
	f := newFixture(t)
	f.invite(invitee, "")
	before := f.snapshot()
	for _, q := range []string{
		`UPDATE audit SET actor_email = 'someone@else.com'`,
		`UPDATE audit SET after = '' WHERE action = 'user.invite'`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE action = 'account.init'`,
		`INSERT INTO audit (id, at, actor_email, channel, action) VALUES (1, 0, 'x', 'cli', 'forged') ON CONFLICT (id) DO UPDATE SET action = 'forged'`,
		`INSERT OR REPLACE INTO audit (id, at, actor_email, channel, action) VALUES (1, 0, 'x', 'cli', 'forged')`,
		`REPLACE INTO audit (id, at, actor_email, channel, action) VALUES (2, 0, 'x', 'cli', 'forged')`,
	} {
		if strings.Contains(q, "REPLACE INTO") && f.st.Postgres() {
			continue // SQLite's alone
		}
		if _, err := f.raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	f.unchanged(before)
	// Deleting the user a row names leaves the row.
	out := f.svc.Revoke(f.ctx, f.owner, []string{invitee})
	must(t, out[0].Err)
	if n := f.count(`SELECT count(*) FROM audit WHERE target_email = ?`, invitee); n != 2 {
		t.Fatalf("%d audit rows about the revoked user", n)
	}
}

// An edit made on a stale version fails, naming who changed the user and
// when, and overwrites nothing.
func TestStaleVersionConflict(t *testing.T) {
	const (
		ada   = "ada.active@example.com"
		alice = "alice.admin@example.com"
	)
	f := newFixture(t)
	f.addUser(ada, "member", store.Active)
	f.addUser(alice, "admin", store.Active)

	// Both operators read ada at the same version.
	seen, err := f.svc.User(f.ctx, f.owner, ada)
	must(t, err)
	f.advance(5 * time.Minute)
	changedAt := f.now()
	_, err = f.svc.Edit(f.ctx, as(alice), ada, seen.Version, Profile{Position: ptr("Acheteuse")})
	must(t, err)
	f.advance(time.Minute)

	attempts := []struct {
		name string
		do   func() error
	}{
		{"edit", func() error {
			_, err := f.svc.Edit(f.ctx, f.owner, ada, seen.Version, Profile{Position: ptr("Vendeuse")})
			return err
		}},
		{"permissions", func() error {
			_, err := f.svc.SetPermissions(f.ctx, f.owner, ada, seen.Version, PermChange{Role: "manager"})
			return err
		}},
	}
	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			before := f.snapshot()
			err := a.do()
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *ConflictError", err)
			}
			if ce.Email != ada || ce.By != alice || !ce.At.Equal(changedAt) {
				t.Fatalf("conflict %+v, want by %s at %v", ce, alice, changedAt)
			}
			if msg := err.Error(); !strings.Contains(msg, alice) || !strings.Contains(msg, changedAt.Local().Format("15:04:05")) {
				t.Fatalf("message %q names neither who nor when", msg)
			}
			f.unchanged(before)
		})
	}
	if got := f.user(ada); got.Position != "Acheteuse" || got.Role != "member" {
		t.Fatalf("overwritten: %s %s", got.Position, got.Role)
	}
	// With the current version, the edit goes through.
	cur := f.user(ada)
	_, err = f.svc.Edit(f.ctx, f.owner, ada, cur.Version, Profile{Position: ptr("Vendeuse")})
	must(t, err)
	// A login does not make an operator's copy stale.
	tok := f.invite(invitee, "")
	_, err = f.svc.UseLink(f.ctx, "invite", tok, password)
	must(t, err)
	v := f.user(invitee).Version
	_, err = f.svc.Login(f.ctx, invitee, password)
	must(t, err)
	_, err = f.svc.Edit(f.ctx, f.owner, invitee, v, Profile{Position: ptr("Stagiaire")})
	must(t, err)
}

// A change that changes nothing writes nothing: no new version for other
// forms to conflict with, no audit entry, no webhook, no security notice
// mailed; a stale version is still refused. An identity provider's sync and
// an idempotent script send the same values again and again.
func TestNoChangeWritesNothing(t *testing.T) {
	f := newFixture(t)
	u := f.addUser("ann@example.com", "member", store.Active)
	pos := "Buyer"
	if _, err := f.svc.Edit(f.ctx, f.owner, u.Email, 0, Profile{Position: &pos, AddTeams: []string{}}); err != nil {
		t.Fatal(err)
	}
	u = f.user(u.Email)
	before := f.snapshot()
	same := u.Position
	for i, p := range []Profile{{}, {Position: &same}, {Tags: []string{}}, {RemoveTags: []string{"none"}}} {
		if got, err := f.svc.Edit(f.ctx, f.owner, u.Email, u.Version, p); err != nil || got.Version != u.Version {
			t.Fatalf("edit %d changing nothing: %v, version %v", i, err, got)
		}
	}
	for i, c := range []PermChange{{Role: "member"}, {Grant: Presets["member"][:1]}, {Revoke: []string{"users.delete"}}} {
		if res, err := f.svc.SetPermissions(f.ctx, f.owner, u.Email, u.Version, c); err != nil || len(res.Added)+len(res.Removed) != 0 {
			t.Fatalf("permission change %d changing nothing: %v, %+v", i, err, res)
		}
	}
	f.unchanged(before)
	var conflict *ConflictError
	if _, err := f.svc.Edit(f.ctx, f.owner, u.Email, u.Version-1, Profile{}); !errors.As(err, &conflict) {
		t.Fatalf("a stale version changing nothing: %v, want a conflict", err)
	}
	if _, err := f.svc.SetPermissions(f.ctx, f.owner, u.Email, u.Version-1, PermChange{Role: "member"}); !errors.As(err, &conflict) {
		t.Fatalf("a stale version changing no permission: %v, want a conflict", err)
	}
	// A change still writes, once.
	other := "Seller"
	if got, err := f.svc.Edit(f.ctx, f.owner, u.Email, u.Version, Profile{Position: &other}); err != nil || got.Version != u.Version+1 {
		t.Fatalf("a real edit: %v, %+v", err, got)
	}
}

// A team, branch or tag to add or take away is checked as given: an empty
// name or a group that does not exist is refused, not taken for a change
// that changes nothing.
func TestEditRefusesWhatNamesNothing(t *testing.T) {
	f := newFixture(t)
	u := f.addUser("ann@example.com", "member", store.Active)
	before := f.snapshot()
	for _, p := range []Profile{{RemoveTeams: []string{"Nope"}}, {RemoveBranches: []string{"Nowhere"}}, {AddTeams: []string{" "}}, {RemoveTags: []string{""}}} {
		var in *InputError
		if _, err := f.svc.Edit(f.ctx, f.owner, u.Email, 0, p); !errors.As(err, &in) {
			t.Errorf("%+v: %v, want refused", p, err)
		}
	}
	f.unchanged(before)
}

// Account settings given as they are write nothing: no audit entry for a
// script that sets them on each run. A change still writes, once.
func TestAccountSettingsAsTheyAreWriteNothing(t *testing.T) {
	f := newFixture(t)
	acct, err := f.svc.Account(f.ctx)
	must(t, err)
	before := f.snapshot()
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{Name: &acct.Name, InviteLifetime: &acct.InviteLifetime,
		RemindBefore: &acct.RemindBefore, DigestHour: &acct.DigestHour, Country: ptr(strings.ToLower(acct.Country)),
		SCIMHeir: &acct.SCIMHeir, SCIMStaged: &acct.SCIMStaged, WebhooksPrivate: &acct.WebhooksPrivate})
	must(t, err)
	f.unchanged(before)
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{WebhooksPrivate: ptr(!acct.WebhooksPrivate)})
	must(t, err)
	if a := f.audits("account.update"); len(a) != 1 || !strings.Contains(a[0].After, `"webhooks_private":true`) {
		t.Fatalf("account.update entries %+v, want one", a)
	}
}
