package admin

import (
	"errors"
	"testing"

	"roster/store"
)

// The capture server's copies hold working links: only those who configure
// where mail goes (settings.integrations) read them.
func TestCapturedMailNeedsIntegrations(t *testing.T) {
	f := newFixture(t)
	f.exec(`INSERT INTO captured_mail (received_at, mail_from, rcpt_to, message_id, subject, raw)
		VALUES (1, 'roster@example.com', '["ann@example.com"]', '<1@x>', 'Invitation', 'Subject: Invitation\r\n\r\nhttp://x/invite/TOKEN\r\n')`)
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
