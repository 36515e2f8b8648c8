package tui

import (
	"regexp"
	"testing"

	"roster/admin"
)

// w on the Mail screen lists the webhooks: n adds one (its secret shown
// once), enter shows its deliveries, x removes it after asking.
func TestWebhooksOnTheMailScreen(t *testing.T) {
	f := newFixture(t)
	allow := true
	if _, err := f.svc.UpdateAccount(f.ctx, f.op, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
		t.Fatal(err)
	}
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	defer stop()
	tt.wait("Olive")
	tt.write("7w")
	tt.wait("Webhooks", "No webhook. n adds one.")
	tt.write("nhttp://127.0.0.1:9/roster\tuser.invited,user.deleted\x13")
	tt.wait("Webhook 1 added: http://127.0.0.1:9/roster", "shown this once")
	if regexp.MustCompile(`whsec_[A-Za-z0-9+/=]{32}`).FindString(tt.last()) == "" {
		t.Fatalf("no secret shown:\n%s", tt.last())
	}
	f.invite("ann@example.com")
	tt.write(" \r")
	tt.wait("Deliveries to http://127.0.0.1:9/roster", "user.invited", "queued")
	tt.write("\x1bxy")
	tt.wait("Webhook 1 removed", "No webhook.")
	hooks, err := f.svc.Webhooks(f.ctx, f.op)
	if err != nil || len(hooks) != 0 {
		t.Fatalf("after removing: %+v, %v", hooks, err)
	}
	tt.write("nftp://x\tall\x13")
	tt.wait("an http:// or https:// address")
}
