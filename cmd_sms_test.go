package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// With no SMS provider, an event set to sms is an outbox row with its
// channel, delivered by roster mail deliver into the captured messages:
// roster mail, its --json, roster mail show and roster mail captured all
// show it. roster notify says when sms cannot reach someone, and a bad
// --sms is refused.
func TestSMSCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "notify", "boss@acme.test", "--set", "security.key=email,sms")
	ok(t, db, "apikeys", "create", "--name", "before-the-phone")
	if out := ok(t, db, "mail"); strings.Contains(out, "sms") {
		t.Fatalf("an SMS was queued to someone without a phone number:\n%s", out)
	}
	sqlExec(t, db, `UPDATE users SET phone = '+33612345678' WHERE email = 'boss@acme.test'`)
	if out := ok(t, db, "notify", "boss@acme.test"); strings.Contains(out, "no phone") {
		t.Fatalf("roster notify still says there is no phone:\n%s", out)
	}
	ok(t, db, "apikeys", "create", "--name", "zapier")

	out := ok(t, db, "mail")
	if !strings.Contains(out, "CHANNEL") || !strings.Contains(out, "sms      notice  +33612345678") {
		t.Fatalf("roster mail:\n%s", out)
	}
	type row struct {
		ID        int64  `json:"id"`
		Channel   string `json:"channel"`
		Recipient string `json:"recipient"`
		State     string `json:"state"`
	}
	var sms row
	for _, r := range jsonOf[[]row](t, db, "mail") {
		if r.Channel == "sms" {
			sms = r
		}
	}
	if sms.Recipient != "+33612345678" || sms.State != "queued" {
		t.Fatalf("roster mail --json: the SMS %+v", sms)
	}
	const text = "Acme: boss@acme.test added API key zapier to your account. Not expected? Tell your administrator."
	id := strconv.FormatInt(sms.ID, 10)
	if out := ok(t, db, "mail", "show", id); !strings.Contains(out, "# SMS "+id+", notice to +33612345678: queued") ||
		!strings.Contains(out, "Segments: 1 GSM-7") || !strings.Contains(out, text) {
		t.Fatalf("roster mail show %s before delivery:\n%s", id, out)
	}

	if out := ok(t, db, "mail", "deliver"); !strings.Contains(out, "sent 3,") {
		t.Fatalf("roster mail deliver: %s", out)
	}
	if out := ok(t, db, "mail", "show", id); !strings.Contains(out, ": sent, 1 attempt; reply \"captured as #") ||
		!strings.Contains(out, "X-Roster-Channel: sms") || !strings.Contains(out, text) {
		t.Fatalf("roster mail show %s after delivery:\n%s", id, out)
	}
	if out := ok(t, db, "mail", "captured"); !strings.Contains(out, "+33612345678    "+text) {
		t.Fatalf("roster mail captured:\n%s", out)
	}

	fails(t, db, "--sms: the scheme must be twilio or https", "mail", "deliver", "--sms", "smtp://sms.example.com")
	fails(t, db, "needs ROSTER_SMS_SECRET", "mail", "deliver", "--sms", "https://sms.example.com/send")
	t.Setenv("ROSTER_SMS", "twilio://AC1@+33100000000")
	fails(t, db, "needs the account SID and auth token", "mail", "deliver")
}
