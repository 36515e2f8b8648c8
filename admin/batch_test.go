package admin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/store"
)

// stuckInvitations invites n people and lets their invitations expire.
func (f *fixture) stuckInvitations(n int) {
	f.t.Helper()
	res, err := f.svc.Import(f.ctx, f.owner, importRows(n+2), InviteOptions{})
	must(f.t, err)
	invited := 0
	for _, r := range res {
		if r.Err == nil {
			invited++
		}
	}
	if invited != n {
		f.t.Fatalf("%d invited, want %d", invited, n)
	}
	f.advance(72 * time.Hour)
}

// Resending thousands of stuck invitations commits them in batches, says
// how far it got after each, and lets another writer in between two: a
// write begun with half of them to resend is done while some still are
// (counted, not timed: how long a batch takes is the machine's pace).
func TestResendStuckInBatches(t *testing.T) {
	n := 2500
	if raceEnabled {
		// About 5 ms a row under the race detector: the resend outlasts the
		// four writes below (a second) four times over.
		n = 800
	}
	f := newFixture(t)
	f.stuckInvitations(n)
	var steps [][2]int
	var resent atomic.Int64 // as the last step said
	var wg sync.WaitGroup
	var out []Outcome
	var err error
	wg.Go(func() {
		out, err = f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: ResendInvitations, Stuck: true,
			Progress: func(done, total int) {
				steps = append(steps, [2]int{done, total})
				resent.Store(int64(done))
			}})
	})
	during := 0 // writes begun with half to resend
	for i := range 4 {
		time.Sleep(150 * time.Millisecond)
		before := resent.Load()
		must(t, f.svc.AddTeam(f.ctx, f.owner, fmt.Sprintf("Team %d", i)))
		if after := resent.Load(); before < int64(n/2) {
			during++
			if after >= int64(n) {
				t.Errorf("a write begun with %d of %d resent was done once the resend was", before, n)
			}
		}
	}
	if during == 0 {
		t.Error("the resend was half done before the first write: it tested nothing")
	}
	wg.Wait()
	must(t, err)
	if len(out) != n {
		t.Fatalf("%d outcomes for %d stuck invitations", len(out), n)
	}
	for _, o := range out {
		must(t, o.Err)
	}
	if len(steps) < 3 || steps[0] != [2]int{0, n} || steps[len(steps)-1] != [2]int{n, n} {
		t.Fatalf("progress %v: want 0 of %d, then batches up to %d", steps, n, n)
	}
	for i := 1; i < len(steps); i++ {
		if d := steps[i][0] - steps[i-1][0]; d <= 0 || d > bulkBatchRows {
			t.Fatalf("progress %v: a batch of %d rows", steps, d)
		}
	}
	if got := len(f.audits("invite.resend")); got != n {
		t.Fatalf("%d invite.resend audit rows, want %d", got, n)
	}
	if got := f.count(`SELECT count(*) FROM outbox WHERE kind = ?`, store.MailInviteResent); got != n {
		t.Fatalf("%d resent mails, want %d", got, n)
	}
}

// Past importBatchTime, a batch goes on while no writer waits, in one
// transaction however many rows it takes (up to bulkBatchRows), and ends
// soon after a writer comes to wait, which gets in before the act ends.
// On PostgreSQL, whose waiting writers are not seen, it ends at
// importBatchTime.
func TestBatchGoesOnUntilAWriterWaits(t *testing.T) {
	defer func(d, c time.Duration) { importBatchTime, importBatchCeiling = d, c }(importBatchTime, importBatchCeiling)
	importBatchTime, importBatchCeiling = time.Millisecond, time.Hour // every row but the first past the first
	f := newFixture(t)
	n := 100
	f.stuckInvitations(n)
	var steps []int
	progress := func(done, total int) { steps = append(steps, done) }
	_, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: ResendInvitations, Stuck: true, Progress: progress})
	must(t, err)
	if f.st.Postgres() { // its waiting writers are not seen: its batches keep to importBatchTime
		if len(steps) < 3 {
			t.Fatalf("on PostgreSQL, progress %v: want batches of importBatchTime", steps)
		}
		return
	}
	if len(steps) != 2 || steps[1] != n {
		t.Fatalf("with no writer waiting, progress %v: want one batch of %d", steps, n)
	}

	// Long enough that a writer comes while the first batch runs.
	n = 1000
	if raceEnabled {
		n = 300 // about 5 ms a row
	}
	f.stuckInvitations(n)
	steps = nil
	var wg sync.WaitGroup
	var wrote, acted time.Time
	out, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: ResendInvitations, Stuck: true, Progress: func(done, total int) {
		if done == 0 { // the stuck invitations read, the first batch about to begin
			wg.Go(func() {
				time.Sleep(50 * time.Millisecond)
				must(t, f.svc.AddTeam(f.ctx, f.owner, "Waited"))
				wrote = time.Now()
			})
		}
		progress(done, total)
	}})
	acted = time.Now()
	wg.Wait()
	must(t, err)
	if !wrote.Before(acted) || len(steps) < 3 || steps[len(steps)-1] != len(out) {
		t.Fatalf("a writer waiting: it wrote %v before the act's end, progress %v of %d; want it in between two batches",
			acted.Sub(wrote).Round(time.Millisecond), steps, len(out))
	}
}

// Cancelling a batch leaves the batches before it whole and the rest
// untouched, reported not done.
func TestActOnUsersCancelled(t *testing.T) {
	for _, act := range []UserAct{ResendInvitations, RevokeInvitations} {
		t.Run(fmt.Sprint(act), func(t *testing.T) {
			f := newFixture(t)
			n := 250
			f.stuckInvitations(n)
			// Batches of 100 rows: the first is done whatever the machine's
			// pace, and the cancel leaves most of the rest (2,200 rows were
			// imported, 4 s under the race detector, for batches of 200 ms).
			defer func(rows int) { bulkBatchRows = rows }(bulkBatchRows)
			bulkBatchRows = 100
			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			out, err := f.svc.ActOnUsers(ctx, f.owner, UserBatch{Act: act, Stuck: true,
				Progress: func(done, total int) {
					if done > 0 {
						cancel()
					}
				}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want cancelled", err)
			}
			done := 0
			for done < len(out) && out[done].Err == nil {
				done++
			}
			if done == 0 || done == n {
				t.Fatalf("%d of %d done before the cancel", done, n)
			}
			for _, o := range out[done:] {
				var nd *NotDoneError
				if !errors.As(o.Err, &nd) {
					t.Fatalf("%s after the cancel: %v, want not done", o.Email, o.Err)
				}
			}
			action, left := "invite.resend", `SELECT count(*) FROM outbox WHERE kind = 'invitation_resent'`
			if act == RevokeInvitations {
				action, left = "invite.revoke", `SELECT count(*) FROM users WHERE status = 'invited'`
			}
			if got := len(f.audits(action)); got != done {
				t.Fatalf("%d %s audit rows, %d reported done", got, action, done)
			}
			want := done
			if act == RevokeInvitations {
				want = n - done
			}
			if got := f.count(left); got != want {
				t.Fatalf("%s: %d, want %d", left, got, want)
			}
		})
	}
}

// A row the rules refuse is reported with its reason and holds back no
// other row of its batch.
func TestActOnUsersRefusesRows(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada.active@example.com", "member", store.Active)
	f.invite("ivy@example.com", "member")
	f.invite("ian@example.com", "member")
	f.advance(2 * time.Minute)
	out, err := f.svc.ActOnUsers(f.ctx, f.owner, UserBatch{Act: ResendInvitations,
		Emails: []string{"ivy@example.com", "ada.active@example.com", "nobody@example.com", "ian@example.com", "ivy@example.com"}})
	must(t, err)
	var st *StateError
	var nf *NotFoundError
	var rl *RateLimitError
	if out[0].Err != nil || !errors.As(out[1].Err, &st) || !errors.As(out[2].Err, &nf) || out[3].Err != nil || !errors.As(out[4].Err, &rl) {
		t.Fatalf("outcomes %+v", out)
	}
	FailuresFirst(out)
	var order []string
	for _, o := range out {
		order = append(order, o.Email)
	}
	if fmt.Sprint(order) != "[ada.active@example.com nobody@example.com ivy@example.com ivy@example.com ian@example.com]" {
		t.Fatalf("failures first: %v", order)
	}
}
