package admin

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"roster/i18n"
	"roster/store"
)

// Seed 004's deletion: the conversations that need no follow-up are closed
// in the act's transaction, automated replies are handed on or switched off
// one by one, an heir is needed only for what is left, and the act does
// what the preview showed or nothing.
func TestDeletePlan(t *testing.T) {
	const (
		leaver = "lea.leaver@example.com"
		heir   = "henri.heir@example.com"
	)
	type setup struct {
		*fixture
		convs   []int64 // lea's open conversations, oldest first
		replies []int64 // "Absence", "Accusé"
	}
	newSetup := func(t *testing.T) setup {
		f := newFixture(t)
		lea := f.addUser(leaver, "member", store.Active)
		f.addUser(heir, "member", store.Active)
		s := setup{fixture: f}
		for _, subj := range []string{"Commande 1", "Commande 2", "Litige", "Retour"} {
			c, err := f.svc.AddConversation(f.ctx, f.owner, subj, leaver)
			must(t, err)
			s.convs = append(s.convs, c.ID)
		}
		must(t, f.st.Write(f.ctx, func(q *store.Q) error {
			id, err := q.InsertConversation(f.ctx, "Ancienne", lea.ID, f.now())
			if err != nil {
				return err
			}
			if _, err := q.CloseConversations(f.ctx, lea.ID, store.Selection{IDs: []int64{id}}); err != nil {
				return err
			}
			for _, n := range []string{"Absence", "Accusé"} {
				id, err := q.InsertAutoReply(f.ctx, n, lea.ID)
				if err != nil {
					return err
				}
				s.replies = append(s.replies, id)
			}
			return q.InsertKey(f.ctx, &store.SSHKey{UserID: lea.ID, Fingerprint: "SHA256:lea", PublicKey: "ssh-ed25519 AAAA lea", CreatedAt: f.now()})
		}))
		return s
	}
	// owners lists "subject status owner" of every conversation, and
	// "name enabled owner" of every reply.
	owners := func(f *fixture) string {
		c := f.rows("SELECT c.subject || ' ' || c.status || ' ' || coalesce(u.email, '-') FROM conversations c LEFT JOIN users u ON u.id = c.assignee_id ORDER BY c.id")
		r := f.rows("SELECT a.name || ' ' || CASE WHEN a.enabled THEN 'on' ELSE 'off' END || ' ' || coalesce(u.email, '-') FROM auto_replies a LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.id")
		return strings.Join(append(c, r...), ", ")
	}

	t.Run("the preview says what the act does and changes nothing", func(t *testing.T) {
		s := newSetup(t)
		before := s.snapshot()
		r := DeleteRequest{Heir: heir, Close: store.Selection{IDs: s.convs[:2]}, SwitchOff: store.Selection{IDs: s.replies[1:]}}
		p, err := s.svc.PlanDelete(s.ctx, s.owner, leaver, r)
		must(t, err)
		if p.Open != 4 || p.Closed != 2 || p.Moved != 2 || p.Done != 3 || !p.NeedsHeir || p.Heir != heir || p.SSHKeys != 1 || p.Digest == "" {
			t.Fatalf("plan %+v", p)
		}
		if len(p.Replies) != 2 || p.Replies[0].Fate != ReplyToHeir || p.Replies[1].Fate != ReplySwitchedOff {
			t.Fatalf("replies %+v", p.Replies)
		}
		want := []string{"close 2 of 4 open conversations", "move 2 open conversations to " + heir, "3 closed conversations go to " + heir,
			"automated reply “Absence”: to " + heir, "automated reply “Accusé”: switched off, kept by " + heir, "revoke 1 SSH key and 0 API keys"}
		if got := texts(p.Says(false), i18n.For(i18n.English)); !slices.Equal(got, want) {
			t.Fatalf("lines\n%q\nwant\n%q", got, want)
		}
		s.unchanged(before)

		r.Digest = p.Digest
		d, err := s.svc.Delete(s.ctx, s.owner, leaver, r)
		must(t, err)
		// What was done is what the preview said, said as done.
		did := []string{"closed 2 of 4 open conversations", "moved 2 open conversations to " + heir, want[2], want[3], want[4], "revoked 1 SSH key and 0 API keys"}
		if d.Digest != p.Digest || !slices.Equal(texts(d.Says(true), i18n.For(i18n.English)), did) {
			t.Fatalf("the act did %q, want %q", texts(d.Says(true), i18n.For(i18n.English)), did)
		}
		if got := owners(s.fixture); got != "Commande 1 closed "+heir+", Commande 2 closed "+heir+", Litige open "+heir+", Retour open "+heir+
			", Ancienne closed "+heir+", Absence on "+heir+", Accusé off "+heir {
			t.Fatalf("after: %s", got)
		}
		if n := s.count("SELECT count(*) FROM ssh_keys"); n != 0 {
			t.Fatalf("%d SSH keys left", n)
		}
		a := s.audits("user.delete")
		if len(a) != 1 || !strings.Contains(a[0].After, `"conversations_closed":2`) || !strings.Contains(a[0].After, `"fate":"switched off"`) ||
			!strings.Contains(a[0].After, `"digest":"`+p.Digest+`"`) {
			t.Fatalf("audit %+v", a)
		}
	})
	t.Run("closing all and switching every reply off leaves nothing to inherit: no heir", func(t *testing.T) {
		s := newSetup(t)
		r := DeleteRequest{Close: store.Selection{All: true}, SwitchOff: store.Selection{All: true}}
		p, err := s.svc.PlanDelete(s.ctx, s.owner, leaver, r)
		must(t, err)
		if p.NeedsHeir || p.Closed != 4 || p.Moved != 0 || !strings.Contains(strings.Join(texts(p.Says(false), i18n.For(i18n.English)), "\n"), "no heir needed") {
			t.Fatalf("plan %+v %q", p, texts(p.Says(false), i18n.For(i18n.English)))
		}
		_, err = s.svc.Delete(s.ctx, s.owner, leaver, r)
		must(t, err)
		if got := owners(s.fixture); got != "Commande 1 closed -, Commande 2 closed -, Litige closed -, Retour closed -, Ancienne closed -, Absence off -, Accusé off -" {
			t.Fatalf("after: %s", got)
		}
	})
	t.Run("all but one closed: the one left needs an heir", func(t *testing.T) {
		s := newSetup(t)
		before := s.snapshot()
		r := DeleteRequest{Close: store.Selection{All: true, IDs: s.convs[2:3]}, SwitchOff: store.Selection{All: true}}
		_, err := s.svc.Delete(s.ctx, s.owner, leaver, r)
		wantInput(t, err, "heir", "still owns 1 open conversation;")
		s.unchanged(before)
		r.Heir = heir
		d, err := s.svc.Delete(s.ctx, s.owner, leaver, r)
		must(t, err)
		if d.Closed != 3 || d.Moved != 1 {
			t.Fatalf("deletion %+v", d)
		}
		if got := owners(s.fixture); !strings.HasPrefix(got, "Commande 1 closed "+heir+", Commande 2 closed "+heir+", Litige open "+heir+", Retour closed ") {
			t.Fatalf("after: %s", got)
		}
	})
	t.Run("a stand-in duty needs an heir even when nothing else is left", func(t *testing.T) {
		s := newSetup(t)
		s.addUser("ada.away@example.com", "member", store.Active)
		_, err := s.svc.SetAway(s.ctx, s.owner, "ada.away@example.com", AwayRequest{StandIn: leaver})
		must(t, err)
		r := DeleteRequest{Close: store.Selection{All: true}, SwitchOff: store.Selection{All: true}}
		p, err := s.svc.PlanDelete(s.ctx, s.owner, leaver, r)
		must(t, err)
		if !p.NeedsHeir || len(p.StandIns) != 1 {
			t.Fatalf("plan %+v", p)
		}
		_, err = s.svc.Delete(s.ctx, s.owner, leaver, r)
		wantInput(t, err, "heir", "1 stand-in duty")
	})
	t.Run("the act refuses when the plan changed since the preview", func(t *testing.T) {
		s := newSetup(t)
		r := DeleteRequest{Heir: heir, Close: store.Selection{All: true}}
		p, err := s.svc.PlanDelete(s.ctx, s.owner, leaver, r)
		must(t, err)
		_, err = s.svc.AddConversation(s.ctx, s.owner, "Nouvelle", leaver) // "all" now closes one more
		must(t, err)
		before := s.snapshot()
		r.Digest = p.Digest
		_, err = s.svc.Delete(s.ctx, s.owner, leaver, r)
		var c *ConflictError
		if !errors.As(err, &c) || !c.Plan || c.Email != leaver || !strings.Contains(err.Error(), "changed since the preview") {
			t.Fatalf("error %v, want a ConflictError about the plan", err)
		}
		s.unchanged(before)
		// The same counts with other conversations are another plan too.
		p, err = s.svc.PlanDelete(s.ctx, s.owner, leaver, r)
		must(t, err)
		s.exec("UPDATE conversations SET status = 'closed' WHERE subject = 'Nouvelle'")
		_, err = s.svc.AddConversation(s.ctx, s.owner, "Autre", leaver)
		must(t, err)
		r.Digest = p.Digest
		if _, err = s.svc.Delete(s.ctx, s.owner, leaver, r); !errors.As(err, &c) {
			t.Fatalf("a conversation swapped for another: %v", err)
		}
	})
	t.Run("selections of what is not theirs are refused", func(t *testing.T) {
		s := newSetup(t)
		other, err := s.svc.AddConversation(s.ctx, s.owner, "Pas à elle", heir)
		must(t, err)
		before := s.snapshot()
		_, err = s.svc.Delete(s.ctx, s.owner, leaver, DeleteRequest{Heir: heir, Close: store.Selection{IDs: []int64{s.convs[0], other.ID}}})
		wantInput(t, err, "close", "1 of the 2 conversations given are not open conversations of "+leaver)
		_, err = s.svc.PlanDelete(s.ctx, s.owner, leaver, DeleteRequest{SwitchOff: store.Selection{IDs: []int64{999}}})
		wantInput(t, err, "switch-off", "999 is not an automated reply")
		_, err = s.svc.Delete(s.ctx, s.owner, leaver, DeleteRequest{Heir: heir, Close: store.Selection{IDs: make([]int64, store.MaxSelected+1)}})
		wantInput(t, err, "close", "select all and untick")
		s.unchanged(before)
	})
	t.Run("a user who owns nothing is deleted without an heir", func(t *testing.T) {
		f := newFixture(t)
		f.addUser("nina.new@example.com", "member", store.Active)
		p, err := f.svc.Delete(f.ctx, f.owner, "nina.new@example.com", DeleteRequest{})
		must(t, err)
		if p.NeedsHeir || p.Heir != "" || f.exists("nina.new@example.com") {
			t.Fatalf("deletion %+v", p)
		}
	})
}

// The Delete screen reads a user's open conversations a page at a time.
func TestOpenConversationsPages(t *testing.T) {
	f := newFixture(t)
	f.addUser("lea.leaver@example.com", "member", store.Active)
	var ids []int64
	for i := range 7 {
		c, err := f.svc.AddConversation(f.ctx, f.owner, "Sujet "+string(rune('A'+i)), "lea.leaver@example.com")
		must(t, err)
		ids = append(ids, c.ID)
		f.advance(time.Minute)
	}
	f.exec("UPDATE conversations SET status = 'closed' WHERE id = ?", ids[1])
	var got []int64
	var after int64
	for {
		page, err := f.svc.OpenConversations(f.ctx, f.owner, "lea.leaver@example.com", after, 3)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			got = append(got, c.ID)
		}
		after = page[len(page)-1].ID
	}
	if want := slices.Delete(slices.Clone(ids), 1, 2); !slices.Equal(got, want) {
		t.Fatalf("pages gave %v, want %v", got, want)
	}
}
