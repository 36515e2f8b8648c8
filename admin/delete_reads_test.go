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

// A stand-in or an heir is an active user other than the one away or
// deleted: not deactivated, invited, staged or deleted, and not the person
// away in a duty the heir would take (their work would come back to them).
// These held before; the test keeps them.
func TestStandInAndHeirAreActiveOthers(t *testing.T) {
	const (
		away  = "ann.away@example.com"
		leave = "lea.leaver@example.com"
	)
	who := map[string]store.Status{
		"dan.gone@example.com":    store.Deactivated,
		"ivy.invited@example.com": store.Invited,
		"sam.staged@example.com":  store.Staged,
	}
	for _, pick := range []string{"dan.gone@example.com", "ivy.invited@example.com", "sam.staged@example.com", "nobody@example.com", away, leave} {
		t.Run(pick, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser(away, "member", store.Active)
			f.addUser(leave, "member", store.Active)
			for e, st := range who {
				f.addUser(e, "member", st)
			}
			// lea stands in for ann; deleting lea hands that duty on.
			_, err := f.svc.SetAway(f.ctx, f.owner, away, AwayRequest{StandIn: leave})
			must(t, err)
			before := f.snapshot()
			if pick != leave && pick != away { // a cycle warns (StandInWarning)
				_, err = f.svc.SetAway(f.ctx, f.owner, leave, AwayRequest{StandIn: pick})
				wantInput(t, err, "stand-in", "")
			}
			_, err = f.svc.Delete(f.ctx, f.owner, leave, DeleteRequest{Heir: pick})
			wantInput(t, err, "heir", "")
			f.unchanged(before)
		})
	}
}
