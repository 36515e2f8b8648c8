package admin

import (
	"testing"

	"roster/store"
)

// Someone's open conversations are read, for the Delete screen to offer
// closing them, by one who may delete them: a manager holding users.invite
// and users.away read the subjects of the owner's and a fellow manager's
// conversations.
func TestOpenConversationsNeedTheRightToDelete(t *testing.T) {
	const (
		mgr  = "mia.manager@example.com"
		peer = "pia.manager@example.com"
		memb = "max.member@example.com"
		adm  = "alice.admin@example.com"
	)
	cases := []struct {
		op, of string
		perm   string // refused for, "-" when refused for the role
	}{
		{mgr, ownerEmail, "users.delete"},
		{mgr, peer, "users.delete"},
		{mgr, memb, "users.delete"},
		{adm, ownerEmail, "-"},
		{adm, memb, ""},
		{ownerEmail, memb, ""},
	}
	for _, c := range cases {
		t.Run(c.op+" reads "+c.of, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(mgr, "manager", store.Active)
			f.addUser(peer, "manager", store.Active)
			f.addUser(memb, "member", store.Active)
			f.addUser(adm, "admin", store.Active)
			_, err := f.svc.AddConversation(f.ctx, f.owner, "Salaire de Pia", c.of)
			must(t, err)
			got, err := f.svc.OpenConversations(f.ctx, as(c.op), c.of, 0, 10)
			switch c.perm {
			case "":
				must(t, err)
				if len(got) != 1 {
					t.Fatalf("read %v, want the one conversation", got)
				}
			case "-":
				wantDenied(t, err, "")
			default:
				wantDenied(t, err, c.perm)
			}
		})
	}
}
