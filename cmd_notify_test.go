package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster notify shows and sets a user's channels per event, as the issue
// writes it; a member sets their own; a security notice stays on; roster
// account takes the reminder's and the digest's settings.
func TestNotifyCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "mel@acme.test", "--role", "member")
	sqlExec(t, db, `UPDATE users SET status = 'active' WHERE email = 'mel@acme.test'`)

	out := ok(t, db, "notify", "boss@acme.test", "--set", "invitation.accepted=email,sms", "--set", "digest.stuck=off")
	for _, w := range []string{"invitation.accepted   inviter   email,sms (no phone)  chosen", "digest.stuck          on call   off                   chosen",
		"security.key          user      email                 always"} {
		if !strings.Contains(out, w) {
			t.Fatalf("roster notify --set printed:\n%s\nwithout %q", out, w)
		}
	}
	// In French, who receives each event and what it is are French too,
	// whatever the language of the user the preferences are of (mel's is
	// English): the operator reads them.
	ok(t, db, "edit", "mel@acme.test", "--locale", "en")
	fr := ok(t, db, "--lang", "fr", "notify", "mel@acme.test")
	for _, w := range []string{"invitation.accepted   qui a invité  email ", "digest.stuck          astreinte     désactivé ",
		"Une personne invitée a accepté", "standin.start         remplaçant    email "} {
		if !strings.Contains(fr, w) {
			t.Errorf("roster --lang fr notify printed:\n%s\nwithout %q", fr, w)
		}
	}
	for _, en := range []string{"inviter", "on call", "stand-in", "Someone I invited accepted"} {
		if strings.Contains(fr, en) {
			t.Errorf("roster --lang fr notify printed %q:\n%s", en, fr)
		}
	}
	type pref struct {
		Event    string   `json:"event"`
		Channels []string `json:"channels"`
		Chosen   bool     `json:"chosen"`
	}
	got := map[string]string{}
	for _, p := range jsonOf[[]pref](t, db, "notify", "boss@acme.test") {
		got[p.Event] = strings.Join(p.Channels, ",")
	}
	if got["invitation.accepted"] != "email,sms" || got["digest.stuck"] != "" || got["invitation.reminder"] != "email" {
		t.Fatalf("roster notify --json: %v", got)
	}
	// Machine output is English, whatever the user's language.
	ok(t, db, "edit", "mel@acme.test", "--locale", "fr")
	for _, p := range jsonOf[[]struct {
		Event string `json:"event"`
		Label string `json:"label"`
	}](t, db, "notify", "mel@acme.test") {
		if p.Event == "invitation.accepted" && p.Label != "Someone I invited accepted" {
			t.Errorf("notify --json of a French user: label %q", p.Label)
		}
	}
	ok(t, db, "--as", "mel@acme.test", "notify", "mel@acme.test", "--set", "standin.start=off")
	fails(t, db, "users.edit", "--as", "mel@acme.test", "notify", "boss@acme.test")
	fails(t, db, "security.key is a security notice and cannot be turned off", "notify", "mel@acme.test", "--set", "security.key=off")
	fails(t, db, "notify takes one EMAIL", "notify")

	ok(t, db, "account", "--remind-before", "12h", "--digest-hour", "8")
	acct := jsonOf[map[string]any](t, db, "account")
	if acct["remind_before"] != "12h0m0s" || acct["digest_hour"] != float64(8) {
		t.Fatalf("account = %v", acct)
	}
	if out := ok(t, db, "account", "--remind-before", "0"); !strings.Contains(out, " never ") {
		t.Fatalf("roster account with reminders off:\n%s", out)
	}
	fails(t, db, "want 0 (never) or between 1m and 720h", "account", "--remind-before", "1s")
	fails(t, db, "100h0m0s is not shorter than the invitation's lifetime, 48h0m0s", "account", "--remind-before", "100h")
	ok(t, db, "account", "--remind-before", "12h")
	fails(t, db, "12h0m0s is not shorter than the invitation's lifetime, 6h0m0s", "account", "--invite-lifetime", "6h")
}
