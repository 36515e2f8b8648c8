package admin

import (
	"errors"
	"testing"
	"time"

	"roster/store"
)

// The capture server's copies hold working links: only those who configure
// where mail goes (settings.integrations) read them.
func TestCapturedMailNeedsIntegrations(t *testing.T) {
	f := newFixture(t)
	f.capture(&store.CapturedMail{ReceivedAt: time.Unix(1, 0), From: "roster@example.com", To: []string{"ann@example.com"},
		MessageID: "<1@x>", Subject: "Invitation", Raw: []byte("Subject: Invitation\r\n\r\nhttp://x/invite/TOKEN\r\n")})
	f.addUser("max.manager@example.com", "manager", store.Active)
	for _, who := range []string{"max.manager@example.com"} {
		if _, err := f.svc.CapturedMail(f.ctx, as(who), 0, 10); !isDenied(err, "settings.integrations") {
			t.Fatalf("%s listed captured mail: %v", who, err)
		}
		if _, err := f.svc.CapturedMessage(f.ctx, as(who), 1); !isDenied(err, "settings.integrations") {
			t.Fatalf("%s read a captured message: %v", who, err)
		}
	}
	list, err := f.svc.CapturedMail(f.ctx, f.owner, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("owner: %v %v", list, err)
	}
	m, err := f.svc.CapturedMessage(f.ctx, f.owner, 1)
	if err != nil || len(m.Raw) == 0 {
		t.Fatalf("owner reads message: %v %v", m, err)
	}
	var nf *NotFoundError
	if _, err := f.svc.CapturedMessage(f.ctx, f.owner, 99); !errors.As(err, &nf) {
		t.Fatalf("missing message: %v", err)
	}
}

func isDenied(err error, perm string) bool {
	var d *DeniedError
	return errors.As(err, &d) && d.Perm == perm
}

// A captured copy of a user's mail may hold the link that sets their
// password: reading it whole is acting as them, as sending it is.
func TestCapturedMailOfAUserIsReadOnlyByWhoMayActAsThem(t *testing.T) {
	const adm = "alice.admin@example.com"
	cases := []struct {
		name, op, to string
		ok           bool
	}{
		{"admin reads an owner's mail", adm, ownerEmail, false},
		{"admin reads another admin's mail", adm, "ada.otheradmin@example.com", false},
		{"admin reads a member's mail", adm, "max.member@example.com", true},
		{"admin reads their own mail", adm, adm, true},
		{"admin reads mail to no user", adm, "someone@elsewhere.test", true},
		{"owner reads an admin's mail", ownerEmail, adm, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.addUser(adm, "admin", store.Active)
			f.addUser("ada.otheradmin@example.com", "admin", store.Active)
			f.addUser("max.member@example.com", "member", store.Active)
			// The outbox row and the copy the capture server kept of it.
			f.exec(`INSERT INTO outbox (kind, recipient, locale, data, message_id, created_at, next_attempt_at, give_up_at, state)
				VALUES ('password_reset', ?, 'en', '{"path":"/reset/TOKEN"}', '<1@x>', 1, 1, 1, 'sent')`, c.to)
			f.capture(&store.CapturedMail{ReceivedAt: time.Unix(1, 0), From: "roster@example.com", To: []string{c.to},
				MessageID: "<1@x>", Subject: "Reset", Raw: []byte("Subject: Reset\r\n\r\nhttp://x/reset/TOKEN\r\n")})
			_, err := f.svc.CapturedMessage(f.ctx, as(c.op), 1)
			_, kept, oerr := f.svc.OutboxMessage(f.ctx, as(c.op), 1)
			must(t, oerr)
			if c.ok {
				must(t, err)
				if kept == nil {
					t.Fatal("the outbox message comes without its captured copy")
				}
				return
			}
			wantDenied(t, err, "")
			if kept != nil {
				t.Fatal("the outbox message comes with its captured copy, link working")
			}
		})
	}
}

// Retrying mail is the mail delivery's business (settings.integrations),
// checked and audited in the transaction that requeues it.
func TestRetryMail(t *testing.T) {
	const mgr = "mia.manager@example.com"
	lifetime := 5 * 24 * time.Hour
	setup := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.addUser(mgr, "manager", store.Active)
		f.invite("tom.target@example.com", "")
		f.invite("tia.target@example.com", "")
		f.exec(`UPDATE outbox SET state = 'failed', last_error = '550 no such user'`)
		return f
	}
	t.Run("without settings.integrations", func(t *testing.T) {
		f := setup(t)
		before := f.snapshot()
		wantDenied(t, f.svc.RetryMail(f.ctx, as(mgr), 1, lifetime), "settings.integrations")
		_, _, err := f.svc.RetryFailedMail(f.ctx, as(mgr), lifetime)
		wantDenied(t, err, "settings.integrations")
		f.unchanged(before)
	})
	t.Run("one", func(t *testing.T) {
		f := setup(t)
		must(t, f.svc.RetryMail(f.ctx, f.owner, 1, lifetime))
		if _, state, _ := f.mail("tom.target@example.com"); state != store.OutboxQueued {
			t.Fatalf("state %s", state)
		}
		if n := f.count(`SELECT count(*) FROM audit WHERE action = 'mail.retry' AND actor_email = ? AND target_email = 'tom.target@example.com'`, ownerEmail); n != 1 {
			t.Fatalf("%d audit rows", n)
		}
		var nr *NotRetryableError
		if err := f.svc.RetryMail(f.ctx, f.owner, 1, lifetime); !errors.As(err, &nr) {
			t.Fatalf("retrying a queued message: %v", err)
		}
		var nf *NotFoundError
		if err := f.svc.RetryMail(f.ctx, f.owner, 99, lifetime); !errors.As(err, &nf) {
			t.Fatalf("retrying no message: %v", err)
		}
	})
	t.Run("every failed one", func(t *testing.T) {
		f := setup(t)
		n, late, err := f.svc.RetryFailedMail(f.ctx, f.owner, lifetime)
		if n != 2 || late != 0 || err != nil {
			t.Fatalf("requeued %d, too late %d, %v", n, late, err)
		}
		if n := f.count(`SELECT count(*) FROM audit WHERE action = 'mail.retry'`); n != 2 {
			t.Fatalf("%d audit rows", n)
		}
	})
	t.Run("past the deadline", func(t *testing.T) {
		f := setup(t)
		f.advance(49 * time.Hour) // the invitations' links expired
		before := f.snapshot()
		var nr *NotRetryableError
		if err := f.svc.RetryMail(f.ctx, f.owner, 1, lifetime); !errors.As(err, &nr) {
			t.Fatalf("retrying past the deadline: %v", err)
		}
		if n, late, err := f.svc.RetryFailedMail(f.ctx, f.owner, lifetime); n != 0 || late != 2 || err != nil {
			t.Fatalf("requeued %d, too late %d, %v", n, late, err)
		}
		f.unchanged(before)
	})
}

func TestOutboxRefusesAnUnknownState(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Outbox(f.ctx, f.owner, "lost", 0, 10)
	wantInput(t, err, "state", `"lost" is not a mail state`)
}
