package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"roster/admin"
)

// A pre-hire, whom Entra ID and Okta create inactive and make active on
// their start date, is mailed nothing while inactive and is invited when
// made active, by a patch or a replace: a new link, valid 48 hours from
// then, its mail queued with it, and the invitation in the audit trail.
// The invitation was queued and cancelled at the creation, and the
// activation left them invited with no link and no mail: they could never
// sign in. The command line's and the screens' reactivation, the same
// rule, invites them too; on an account that stages the people SCIM
// creates, the activation stages them.
func TestSCIMPreHireIsInvitedWhenMadeActive(t *testing.T) {
	f := newSCIMFixture(t)
	day := int64(24 * 3600)
	created := time.Unix(f.clock.Load(), 0).UTC()
	create := func(email string) scimResource {
		t.Helper()
		var u scimResource
		f.call(f.key, "POST", "/scim/v2/Users", map[string]any{"userName": email, "name": map[string]string{"givenName": "Pia", "familyName": "Prehire"},
			"active": false}).want(http.StatusCreated, &u)
		if u.Active {
			t.Fatalf("%s created active", email)
		}
		return u
	}
	// mails are the outbox's messages to email: kind, state, when queued.
	type queued struct {
		kind, state string
		at          int64
		data        struct {
			Path      string    `json:"path"`
			ExpiresAt time.Time `json:"expires_at"`
		}
	}
	mails := func(email string) []queued {
		t.Helper()
		rows, err := f.raw.Query(`SELECT kind, state, created_at, data FROM outbox WHERE recipient = ? ORDER BY id`, email)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []queued
		for rows.Next() {
			var m queued
			var data string
			if err := rows.Scan(&m.kind, &m.state, &m.at, &data); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(data), &m.data); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	// trail is the audit's actions on email, with when, from the first.
	trail := func(email string) []string {
		t.Helper()
		rows, err := f.raw.Query(`SELECT action, at, channel FROM audit WHERE target_email = ? ORDER BY id`, email)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var action, channel string
			var at int64
			if err := rows.Scan(&action, &at, &channel); err != nil {
				t.Fatal(err)
			}
			out = append(out, action+" +"+(time.Duration(at-created.Unix())*time.Second).String()+" "+strings.Fields(channel)[0])
		}
		return out
	}
	status := func(email string) string {
		t.Helper()
		d, err := f.svc.User(f.ctx, f.owner, email)
		if err != nil {
			t.Fatal(err)
		}
		return string(d.Status)
	}

	pia := create("pia@acme.test")
	if got := mails("pia@acme.test"); len(got) != 0 {
		t.Fatalf("created inactive, pia has %d mails in the outbox: %+v", len(got), got)
	}
	var tokens int
	if err := f.raw.QueryRow(`SELECT count(*) FROM tokens WHERE user_id = ?`, pia.ID).Scan(&tokens); err != nil || tokens != 0 {
		t.Fatalf("created inactive, pia has %d links (%v)", tokens, err)
	}

	// Her start date, ten days on: Entra ID's patch.
	f.clock.Add(10 * day)
	start := time.Unix(f.clock.Load(), 0).UTC()
	var after scimResource
	f.call(f.key, "PATCH", "/scim/v2/Users/"+pia.ID, map[string]any{"Operations": []map[string]any{{"op": "Replace", "path": "active", "value": "True"}}}).
		want(http.StatusOK, &after)
	if !after.Active || status("pia@acme.test") != "invited" {
		t.Fatalf("made active: %+v, %s", after, status("pia@acme.test"))
	}
	got := mails("pia@acme.test")
	if len(got) != 1 || got[0].kind != "invitation" || got[0].state != "queued" || got[0].at != start.Unix() ||
		!got[0].data.ExpiresAt.Equal(start.Add(48*time.Hour)) || !strings.HasPrefix(got[0].data.Path, "/invite/") {
		t.Fatalf("made active, pia's outbox: %+v, want one invitation queued at %s expiring 48 hours on", got, start)
	}
	want := []string{"user.stage +0s api", "user.deactivate +0s api", "user.reactivate +240h0m0s api", "user.invite +240h0m0s api"}
	if tr := trail("pia@acme.test"); strings.Join(tr, ", ") != strings.Join(want, ", ") {
		t.Errorf("pia's audit trail: %q, want %q", tr, want)
	}
	// The link works until 48 hours after her start date, not after.
	token := strings.TrimPrefix(got[0].data.Path, "/invite/")
	f.clock.Store(start.Add(48*time.Hour - time.Minute).Unix())
	if _, err := f.svc.LinkInfo(f.ctx, "invite", token); err != nil {
		t.Fatalf("pia's link 47h59 after her activation: %v", err)
	}
	f.clock.Store(start.Add(48*time.Hour + time.Second).Unix())
	if _, err := f.svc.LinkInfo(f.ctx, "invite", token); !errors.Is(err, admin.ErrLinkExpired) && !errors.Is(err, admin.ErrLinkInvalid) {
		t.Fatalf("pia's link past 48 hours: %v", err)
	}
	f.clock.Store(start.Add(47 * time.Hour).Unix())
	if _, err := f.svc.UseLink(f.ctx, "invite", token, "correct horse battery staple"); err != nil {
		t.Fatalf("pia accepting her invitation 47 hours after her activation: %v", err)
	}
	if status("pia@acme.test") != "active" {
		t.Fatalf("pia after accepting: %s", status("pia@acme.test"))
	}

	// Okta's replace, with active true, does the same.
	ola := create("ola@acme.test")
	f.clock.Add(day)
	f.call(f.key, "PUT", "/scim/v2/Users/"+ola.ID, map[string]any{"userName": "ola@acme.test", "name": map[string]string{"givenName": "Ola"},
		"active": true}).want(http.StatusOK, &after)
	if got := mails("ola@acme.test"); !after.Active || len(got) != 1 || got[0].kind != "invitation" || got[0].at != f.clock.Load() {
		t.Errorf("ola made active by a replace: %+v, outbox %+v", after, got)
	}
	// Made inactive again before accepting, her link dies and her mail
	// not yet sent is cancelled; active again, she is sent a new one.
	f.call(f.key, "PATCH", "/scim/v2/Users/"+ola.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": false}}}}).
		want(http.StatusOK, nil)
	f.clock.Add(day)
	f.call(f.key, "PATCH", "/scim/v2/Users/"+ola.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": true}}}}).
		want(http.StatusOK, nil)
	if got := mails("ola@acme.test"); len(got) != 2 || got[0].state != "cancelled" || got[1].state != "queued" || got[1].at != f.clock.Load() {
		t.Errorf("ola deactivated and made active again: outbox %+v", got)
	}

	// Reactivated on the command line or the screens (the same rule), a
	// pre-hire is invited as well.
	create("cli@acme.test")
	if err := f.svc.Reactivate(f.ctx, f.owner, "cli@acme.test"); err != nil {
		t.Fatal(err)
	}
	if got := mails("cli@acme.test"); status("cli@acme.test") != "invited" || len(got) != 1 || got[0].kind != "invitation" || got[0].state != "queued" {
		t.Errorf("reactivated on the command line: %s, outbox %+v", status("cli@acme.test"), got)
	}

	// Sending the invitation is acting as them: one who may deactivate
	// and reactivate, but not invite, may not make a pre-hire active.
	rex := f.active("rex@acme.test", "admin")
	if _, err := f.svc.SetPermissions(f.ctx, f.owner, "rex@acme.test", 0, admin.PermChange{Revoke: []string{"users.invite"}}); err != nil {
		t.Fatal(err)
	}
	ida := create("ida@acme.test")
	f.call(rex, "PATCH", "/scim/v2/Users/"+ida.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "active", "value": true}}}).
		scimError(http.StatusForbidden, "", "users.invite")
	if got := mails("ida@acme.test"); status("ida@acme.test") != "deactivated" || len(got) != 0 {
		t.Errorf("made active by one who may not invite: %s, outbox %+v", status("ida@acme.test"), got)
	}

	// On an account that stages the people SCIM creates, the activation
	// stages them: sending the staged invitations sends theirs.
	staged := true
	if _, err := f.svc.UpdateAccount(f.ctx, f.owner, admin.AccountChange{SCIMStaged: &staged}); err != nil {
		t.Fatal(err)
	}
	sam := create("sam@acme.test")
	f.call(f.key, "PATCH", "/scim/v2/Users/"+sam.ID, map[string]any{"Operations": []map[string]any{{"op": "replace", "path": "active", "value": true}}}).
		want(http.StatusOK, &after)
	if got := mails("sam@acme.test"); !after.Active || status("sam@acme.test") != "staged" || len(got) != 0 {
		t.Fatalf("made active on a staging account: %+v, %s, outbox %+v", after, status("sam@acme.test"), got)
	}
	out, err := f.svc.ActOnUsers(f.ctx, f.owner, admin.UserBatch{Act: admin.SendStagedInvitations, Emails: []string{"sam@acme.test"}})
	if err != nil || out[0].Err != nil {
		t.Fatalf("sending sam's staged invitation: %v, %+v", err, out)
	}
	if got := mails("sam@acme.test"); len(got) != 1 || got[0].kind != "invitation" {
		t.Errorf("sam's staged invitation sent: outbox %+v", got)
	}
}
