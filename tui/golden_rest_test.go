package tui

import (
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// Delete of a user who owns conversations and an automated reply, the first
// conversation ticked to close: the close step and the preview.
func TestGoldenDelete(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
		f.addUser("hal.heir@example.com", "Hal", "Heir", "member", store.Active)
		for _, s := range []string{"Broken phone", "Invoice 2026-02", "Delivery late"} {
			if _, err := f.svc.AddConversation(f.ctx, f.op, s, "ann.active@example.com"); err != nil {
				t.Fatal(err)
			}
		}
		f.exec(`INSERT INTO auto_replies (name, owner_id) SELECT 'Out of office', id FROM users WHERE email = 'ann.active@example.com'`)
		f.advance(3 * 24 * time.Hour)
	}, map[i18n.Lang]string{i18n.English: "move 2 open conversations to the heir", i18n.French: "transférer 2 conversations ouvertes à l'héritier"},
		"d", "space")
}

// outboxRows puts mail in each state in the outbox: two invitations (one
// sent, one failed for good), one deferred, one queued SMS.
func (f *fixture) outboxRows() {
	f.t.Helper()
	f.invite("bob@example.com", "carl@example.com", "dina@example.com")
	sent := f.svc.Now().Add(-time.Hour).Unix()
	f.exec(`UPDATE outbox SET state = 'sent', attempts = 1, sent_at = ?, reply = '250 2.0.0 OK queued as 4F2A' WHERE recipient = 'bob@example.com'`, sent)
	f.exec(`UPDATE outbox SET state = 'failed', attempts = 1, last_error = '550 5.1.1 no such user' WHERE recipient = 'carl@example.com'`)
	f.exec(`UPDATE outbox SET state = 'deferred', attempts = 2, next_attempt_at = ?, last_error = '421 4.7.0 try again later' WHERE recipient = 'dina@example.com'`,
		f.svc.Now().Add(30*time.Minute).Unix())
	// Message-IDs are random: fixed, for the golden files.
	f.exec(`UPDATE outbox SET message_id = '<' || id || '@acme.test>'`)
	f.exec(`INSERT INTO outbox (channel, kind, recipient, locale, data, message_id, state, attempts, next_attempt_at, give_up_at,
		created_at, last_error, reply) VALUES ('sms', 'notice', '+33612345678', 'fr', '{"body": "Acme : votre absence se termine demain."}',
		'<sms@example.com>', 'queued', 0, ?, 0, ?, '', '')`, f.svc.Now().Unix(), f.svc.Now().Unix())
}

// The Mail screen with messages in each state.
func TestGoldenMail(t *testing.T) {
	goldenScreen(t, func(f *fixture) { f.outboxRows() },
		map[i18n.Lang]string{i18n.English: "Outbox", i18n.French: "File d'envoi"}, "7")
}

// One message of the outbox, opened: its labels are the session's, its data
// the template's.
func TestGoldenMailMessage(t *testing.T) {
	goldenScreen(t, func(f *fixture) { f.outboxRows() },
		map[i18n.Lang]string{i18n.English: "What the message says", i18n.French: "Ce que dit le message"}, "7", "j", "enter")
}

// The captured mail: the screen's words translate, the mail's own do not.
func TestGoldenCaptured(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.capture("bob@example.com", "Your invitation to Acme", "Hello Bob,\n\nAccept here:\nhttp://localhost:8080/invite/tok3n\n\nAcme")
		f.capture("zoe@example.com", "Votre invitation chez Acme", "Bonjour Zoé,\n\nAcceptez ici :\nhttp://localhost:8080/invite/tok4n\n")
	}, map[i18n.Lang]string{i18n.English: "Captured mail", i18n.French: "Courrier capturé"}, "7", "c")
}

// The Audit screen with a few entries: the actions labelled in French.
func TestGoldenAudit(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.invite("bob@example.com")
		f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
		f.advance(time.Hour)
		if err := f.svc.Deactivate(f.ctx, f.op, "ann.active@example.com"); err != nil {
			t.Fatal(err)
		}
	}, map[i18n.Lang]string{i18n.English: "user.deactivate", i18n.French: "utilisateur désactivé"}, "8")
}

// One change of the audit trail, opened: its label and its action.
func TestGoldenAuditChange(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
		if err := f.svc.Deactivate(f.ctx, f.op, "ann.active@example.com"); err != nil {
			t.Fatal(err)
		}
	}, map[i18n.Lang]string{i18n.English: "user.deactivate", i18n.French: "utilisateur désactivé (user.deactivate)"}, "8", "enter")
}

// The Billing screen on a monthly plan, with its ledger.
func TestGoldenBilling(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.plan(1500)
		f.advance(4 * 24 * time.Hour)
		f.invite("bob@example.com")
	}, map[i18n.Lang]string{i18n.English: "monthly, €15.00 a seat", i18n.French: "mensuelle, 15,00\u00a0€ par siège"}, "9")
}

// The operator's API keys, from their page (enter, then K).
func TestGoldenAPIKeys(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		if _, _, err := f.svc.CreateAPIKey(f.ctx, f.op, "zapier", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.CreateAPIKey(f.ctx, f.op, "okta provisioning", f.svc.Now().Add(90*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Prefixes are the secrets' first characters: fixed, for the golden files.
		f.exec(`UPDATE api_keys SET prefix = 'rst_K3Y' || id || 'ABCD'`)
	}, map[i18n.Lang]string{i18n.English: "API keys of " + owner, i18n.French: "Clés d'API d'" + owner}, "enter", "K")
}

// The webhooks, on the Mail screen (w).
func TestGoldenWebhooks(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		allow := true
		if _, err := f.svc.UpdateAccount(f.ctx, f.op, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"http://127.0.0.1:9/roster", "http://127.0.0.1:9/crm"} {
			if _, _, err := f.svc.AddWebhook(f.ctx, f.op, u, []string{"user.invited,user.deleted"}); err != nil {
				t.Fatal(err)
			}
		}
	}, map[i18n.Lang]string{i18n.English: "signed events for other systems", i18n.French: "événements signés"}, "7", "w")
}

// A webhook's deliveries (enter on the webhooks): their states in words.
func TestGoldenWebhookDeliveries(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		allow := true
		if _, err := f.svc.UpdateAccount(f.ctx, f.op, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AddWebhook(f.ctx, f.op, "http://127.0.0.1:9/roster", []string{"all"}); err != nil {
			t.Fatal(err)
		}
		f.invite("bob@example.com", "carl@example.com")
		f.exec(`UPDATE webhook_deliveries SET state = 'failed', attempts = 3, last_error = 'dial tcp 127.0.0.1:9: connection refused'
			WHERE id = (SELECT min(id) FROM webhook_deliveries)`)
	}, map[i18n.Lang]string{i18n.English: "Deliveries to http://127.0.0.1:9/roster", i18n.French: "Livraisons à http://127.0.0.1:9/roster"}, "7", "w", "enter")
}

// The Audit screen's filter form (f), its labels as wide as the language's.
func TestGoldenAuditFilter(t *testing.T) {
	goldenScreen(t, func(f *fixture) { f.invite("bob@example.com") },
		map[i18n.Lang]string{i18n.English: "enter applies", i18n.French: "entrée applique"}, "8", "f")
}

// The Billing screen's plan form (e): the periods in words.
func TestGoldenBillingEdit(t *testing.T) {
	goldenScreen(t, func(f *fixture) { f.plan(1500) },
		map[i18n.Lang]string{i18n.English: "[monthly]", i18n.French: "[mensuelle]"}, "9", "e")
}

// One captured message, opened: the screen's words translate, the mail's
// own (its header names, its text) are the mail's.
func TestGoldenCapturedMessage(t *testing.T) {
	goldenScreen(t, func(f *fixture) {
		f.capture("zoe@example.com", "Votre invitation chez Acme", "Bonjour Zoé,\n\nAcceptez ici :\nhttp://localhost:8080/invite/tok4n\n")
	}, map[i18n.Lang]string{i18n.English: "as the recipient reads it", i18n.French: "tel que le destinataire le lit"}, "7", "c", "enter")
}

// A message sent says when it was sent, and not when it would have been
// given up, a date to come that read as if it had been.
func TestMailSentSaysNoGivingUp(t *testing.T) {
	f := newFixture(t)
	f.outboxRows()
	m := press(started(f, i18n.English, 160, 45), "7", "G", "enter")
	frame := drawn(m)
	must(t, strings.Contains(frame, "<bob@example.com>") && strings.Contains(frame, "Sent ") &&
		!strings.Contains(frame, "Give"), "bob's sent message:\n%s", frame)
}
