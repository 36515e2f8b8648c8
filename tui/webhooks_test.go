package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

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

// A webhook removed by someone else above the one under the cursor moves
// it up: the cursor goes with it, and x typed while the list is read
// again asks about that webhook, not the one moved under the cursor.
func TestWebhooksCursorStaysOnItsWebhook(t *testing.T) {
	f := newFixture(t)
	allow := true
	if _, err := f.svc.UpdateAccount(f.ctx, f.op, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, port := range []string{"9", "10", "11"} {
		_, h, err := f.svc.AddWebhook(f.ctx, f.op, "http://127.0.0.1:"+port+"/roster", []string{"all"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	r, m := f.start()
	m = press(m, "7", "w", "j")
	v := r.screens[mailScreen].(*mailbox).hooks
	must(t, v.nav.cur == 1 && v.hooks[1].ID == ids[1], "the cursor is on row %d", v.nav.cur)

	if err := f.svc.RemoveWebhook(f.ctx, f.op, ids[0]); err != nil {
		t.Fatal(err)
	}
	m, reread := m.Update(refreshMsg{})
	m, _ = m.Update(keyMsg("x")) // typed while the webhooks are read again
	drive(m, reread)
	want := fmt.Sprintf("Remove webhook %d ", ids[1])
	must(t, v.confirm != nil && strings.HasPrefix(v.confirm.prompt, want), "x asks %+v, want %q…", v.confirm, want)
}

// Keys typed while the webhooks are read again were meant for the one
// under the cursor: when someone else removed it meanwhile, they do
// nothing, and the screen says so; x y removed the webhook below it. After
// the operator's own removal, keys typed meanwhile act as usual.
func TestWebhooksKeysForAWebhookGoneDoNothing(t *testing.T) {
	f := newFixture(t)
	allow := true
	if _, err := f.svc.UpdateAccount(f.ctx, f.op, admin.AccountChange{WebhooksPrivate: &allow}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, port := range []string{"9", "10", "11", "12"} {
		_, h, err := f.svc.AddWebhook(f.ctx, f.op, "http://127.0.0.1:"+port+"/roster", []string{"all"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	r, m := f.start()
	m = press(m, "7", "w")
	if err := f.svc.RemoveWebhook(f.ctx, f.op, ids[0]); err != nil {
		t.Fatal(err)
	}
	m, reread := m.Update(refreshMsg{})
	for _, k := range []string{"x", "y"} { // typed while the webhooks are read again
		m, _ = m.Update(keyMsg(k))
	}
	drive(m, reread)
	hooks, err := f.svc.Webhooks(f.ctx, f.op)
	must(t, err == nil && len(hooks) == 3, "the keys meant for webhook %d removed another: %d left", ids[0], len(hooks))
	fr := ansi.Strip(r.frame())
	must(t, strings.Contains(fr, "http://127.0.0.1:9/roster is no longer listed: the keys typed meanwhile did nothing."), "nothing said:\n%s", fr)

	// x y on webhook 2, then x y typed while the list is read again after
	// the removal: they act on the webhook now under the cursor.
	m, _ = m.Update(keyMsg("x"))
	m, removed := m.Update(keyMsg("y"))
	m, reread = m.Update(removed())
	for _, k := range []string{"x", "y"} {
		m, _ = m.Update(keyMsg(k))
	}
	drive(m, reread)
	hooks, _ = f.svc.Webhooks(f.ctx, f.op)
	must(t, len(hooks) == 1 && hooks[0].ID == ids[3], "after x y x y: %+v, want webhook %d alone", hooks, ids[3])
}
