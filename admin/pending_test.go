package admin

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"roster/store"
)

// oldInvitations is how pending invitations were listed before they were kept
// in pending_invitations: every invited user read and sorted, the reference
// the pages must agree with. It returns the emails, most urgent first.
func (f *fixture) oldInvitations(now time.Time, stuck bool) []string {
	f.t.Helper()
	query := `WITH inv AS (
		SELECT u.id, u.email, t.expires_at, coalesce(o.state, '') AS mail_state
		FROM users u
		JOIN tokens t ON t.id = (SELECT max(id) FROM tokens WHERE user_id = u.id AND kind = 'invite')
		LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE user_id = u.id
			AND kind IN ('invitation', 'invitation_resent') AND state != 'cancelled')
		WHERE u.status = 'invited')
	SELECT email, CASE WHEN mail_state = 'failed' THEN 0 WHEN expires_at <= ?1 THEN 1
		WHEN mail_state = 'deferred' THEN 2 ELSE 3 END AS urgency FROM inv`
	if stuck {
		query += " WHERE mail_state IN ('failed', 'deferred') OR expires_at <= ?1"
	}
	return f.rows("SELECT email FROM ("+query+" ORDER BY urgency, expires_at, id) AS o", now.Unix())
}

// readPending reads every page of pending invitations, calling between after
// each page but the last.
func (f *fixture) readPending(stuck bool, limit int, between func(page int)) (emails []string, pages int) {
	f.t.Helper()
	var after *store.PendingCursor
	for {
		p, err := f.svc.PendingPage(f.ctx, f.owner, stuck, after, limit)
		if err != nil {
			f.t.Fatal(err)
		}
		pages++
		if len(p.Invitations) > limit {
			f.t.Fatalf("page %d has %d rows, limit %d", pages, len(p.Invitations), limit)
		}
		for _, in := range p.Invitations {
			emails = append(emails, in.Email)
		}
		if after = p.Next; after == nil {
			return emails, pages
		}
		between(pages)
	}
}

// Pending invitations are read a page at a time in urgency order: every one
// exactly once, though one is resent and another expires between pages.
func TestPendingPagesWhileRowsChange(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		t.Run(fmt.Sprintf("stuck=%v", stuck), func(t *testing.T) {
			f := newFixture(t)
			// Invitations an hour apart; one in four has its mail failed,
			// one in five deferred, and those of the first 8 hours expire.
			for i := range 24 {
				e := fmt.Sprintf("p%02d@example.com", i)
				f.invite(e, "")
				switch {
				case i%4 == 1:
					f.exec(`UPDATE outbox SET state = 'failed', last_error = '550 no such user' WHERE recipient = ?`, e)
				case i%5 == 2:
					f.exec(`UPDATE outbox SET state = 'deferred', last_error = '451 try later' WHERE recipient = ?`, e)
				case i%3 == 0:
					f.exec(`UPDATE outbox SET state = 'sent' WHERE recipient = ?`, e)
				}
				f.advance(time.Hour)
			}
			f.advance(31*time.Hour + 30*time.Minute) // p00 to p07 expired
			now := f.now()
			before := f.oldInvitations(now, stuck)

			// p22's mail is deferred: it is listed after every expired one.
			const resent = "p22@example.com"
			if i := slices.Index(before, resent); i < 6 {
				t.Fatalf("%s is at %d in %v: the test needs it on a later page", resent, i, before)
			}
			got, pages := f.readPending(stuck, 3, func(page int) {
				switch page {
				case 1: // resent: its mail is queued again and it moves to the end
					for _, o := range f.svc.Resend(f.ctx, f.owner, []string{resent}) {
						must(t, o.Err)
					}
				case 2: // p08 expires meanwhile: the pages keep the time the first was read at
					f.advance(time.Hour)
				}
			})
			if pages < 3 {
				t.Fatalf("%d pages: the changes happened after the last", pages)
			}
			want := f.oldInvitations(now, stuck)
			if slices.Equal(want, before) {
				t.Fatal("the resend did not move the invitation")
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages gave\n%v\nwant, in the order of a full read at the first page's time,\n%v", got, want)
			}
		})
	}
}

// checkDerived compares what the triggers keep with a count and a listing
// made from scratch, as before they existed.
func (f *fixture) checkDerived(act string) {
	f.t.Helper()
	now := f.now()
	var want store.Summary
	err := f.raw.QueryRow(`SELECT count(*),
		(SELECT count(*) FROM users WHERE status = 'active'), (SELECT count(*) FROM users WHERE status = 'staged'),
		(SELECT count(*) FROM users WHERE status = 'invited'), (SELECT count(*) FROM users WHERE status = 'deactivated'),
		(SELECT count(*) FROM users u WHERE u.status = 'invited' AND coalesce((SELECT t.expires_at FROM tokens t
			WHERE t.user_id = u.id AND t.kind = 'invite' AND t.used_at = 0 AND t.voided_at = 0 ORDER BY t.id DESC LIMIT 1), ?1 + 1) <= ?1),
		(SELECT count(*) FROM users u WHERE u.id IN (SELECT a.user_id FROM away_periods a WHERE a.starts_at <= ?1 AND (a.ends_at = 0 OR a.ends_at > ?1))),
		(SELECT count(*) FROM users WHERE last_login_at = 0 AND status IN ('invited', 'active'))
		FROM users`, now.Unix()).
		Scan(&want.Total, &want.Active, &want.Staged, &want.Invited, &want.Deactivated, &want.Expired, &want.Away, &want.NeverLoggedIn)
	if err != nil {
		f.t.Fatal(err)
	}
	got, err := f.st.Read().Summary(f.ctx, now)
	if err != nil {
		f.t.Fatal(err)
	}
	if got != want {
		f.t.Errorf("after %s: counts %+v, recounted %+v", act, got, want)
	}
	// Every column, as computed from the users, links and mail; and the
	// users' rows' newest usable link.
	kept, computed := f.rows("SELECT * FROM pending_invitations ORDER BY user_id"), f.rows("SELECT * FROM pending_source ORDER BY user_id")
	if !slices.Equal(kept, computed) {
		f.t.Errorf("after %s: pending_invitations\n%v\ncomputed\n%v", act, kept, computed)
	}
	kept = f.rows("SELECT id, invite_expires_at FROM users ORDER BY id")
	computed = f.rows("SELECT user_id, invite_expires_at FROM user_row_source ORDER BY user_id")
	if !slices.Equal(kept, computed) {
		f.t.Errorf("after %s: users' invitations\n%v\ncomputed\n%v", act, kept, computed)
	}
	for _, stuck := range []bool{false, true} {
		all, err := f.svc.Invitations(f.ctx, f.owner, stuck)
		if err != nil {
			f.t.Fatal(err)
		}
		var emails []string
		for _, in := range all {
			emails = append(emails, in.Email)
		}
		if want := f.oldInvitations(now, stuck); !slices.Equal(emails, want) {
			f.t.Errorf("after %s: pending (stuck %v) %v, listed from scratch %v", act, stuck, emails, want)
		}
	}
}

// The counts and the pending invitations stay equal to a recount after every
// kind of change, by the rules or by another process.
func TestCountsFollowEveryAct(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "member", store.Active)
	f.checkDerived("setup")
	acts := []struct {
		name string
		do   func() error
	}{
		{"invite", func() error {
			_, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "ann@example.com"}, {Email: "bob@example.com"}, {Email: "cat@example.com"}}, InviteOptions{})
			return err
		}},
		{"invite staged", func() error {
			_, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "sam@example.com"}, {Email: "sue@example.com"}}, InviteOptions{Staged: true})
			return err
		}},
		{"send staged", func() error { return f.svc.SendStaged(f.ctx, f.owner, []string{"sam@example.com"})[0].Err }},
		{"mail failed", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'failed' WHERE recipient = 'ann@example.com'`)
			return err
		}},
		{"mail deferred", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'deferred' WHERE recipient = 'bob@example.com'`)
			return err
		}},
		{"mail deferred again", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET last_error = '421 too busy' WHERE recipient = 'bob@example.com'`)
			return err
		}},
		{"mail sent", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'sent' WHERE recipient = 'cat@example.com'`)
			return err
		}},
		{"time passes", func() error { f.advance(49 * time.Hour); return nil }},
		{"resend", func() error { return f.svc.Resend(f.ctx, f.owner, []string{"ann@example.com"})[0].Err }},
		{"resend again", func() error {
			f.advance(2 * time.Hour)
			return f.svc.Resend(f.ctx, f.owner, []string{"ann@example.com"})[0].Err
		}},
		// Ann has two mails now: changes to the older one leave her row alone,
		// and cancelling the newer one makes the older hers again.
		{"older mail deferred", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'deferred', last_error = '451 later' WHERE id =
				(SELECT min(id) FROM outbox WHERE recipient = 'ann@example.com')`)
			return err
		}},
		{"newer mail claimed", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'sending' WHERE id = (SELECT max(id) FROM outbox WHERE recipient = 'ann@example.com')`)
			return err
		}},
		{"newer mail cancelled", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'cancelled' WHERE id = (SELECT max(id) FROM outbox WHERE recipient = 'ann@example.com')`)
			return err
		}},
		{"newer mail queued again", func() error {
			_, err := f.raw.Exec(`UPDATE outbox SET state = 'queued' WHERE id = (SELECT max(id) FROM outbox WHERE recipient = 'ann@example.com')`)
			return err
		}},
		// A link written by another process, older than the newest (a copy
		// out of order): it counts one more and changes nothing else.
		{"an older link written after", func() error {
			_, err := f.raw.Exec(`INSERT INTO tokens (id, user_id, kind, hash, created_at, expires_at)
				SELECT (SELECT min(id) FROM tokens) - 1, id, 'invite', ?1, 1, 2 FROM users WHERE email = 'bob@example.com'`, []byte{10, 11})
			return err
		}},
		{"accept", func() error {
			_, err := f.svc.UseLink(f.ctx, "invite", f.token("ann@example.com"), "correct horse battery staple")
			return err
		}},
		{"log in", func() error {
			_, err := f.svc.Login(f.ctx, "ann@example.com", "correct horse battery staple")
			return err
		}},
		{"revoke", func() error { return f.svc.Revoke(f.ctx, f.owner, []string{"bob@example.com"})[0].Err }},
		{"deactivate", func() error { return f.svc.Deactivate(f.ctx, f.owner, "mia.member@example.com") }},
		{"deactivate invited", func() error { return f.svc.Deactivate(f.ctx, f.owner, "cat@example.com") }},
		{"reactivate", func() error { return f.svc.Reactivate(f.ctx, f.owner, "mia.member@example.com") }},
		{"away", func() error {
			_, err := f.svc.SetAway(f.ctx, f.owner, "mia.member@example.com", AwayRequest{})
			return err
		}},
		{"delete", func() error {
			_, err := f.svc.Delete(f.ctx, f.owner, "ann@example.com", DeleteRequest{Heir: ownerEmail})
			return err
		}},
		{"another process", func() error {
			_, err := f.raw.Exec(`UPDATE users SET status = 'active' WHERE email = 'sam@example.com'`)
			return err
		}},
	}
	for _, a := range acts {
		if err := a.do(); err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		f.checkDerived(a.name)
	}
}
