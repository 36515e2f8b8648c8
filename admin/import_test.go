package admin

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/store"
)

// importRows is n people to import, with a few rows that are refused
// whatever happens (an unknown role, the same address twice).
func importRows(n int) []NewUser {
	rows := make([]NewUser, n)
	for i := range rows {
		rows[i] = NewUser{Email: fmt.Sprintf("person%05d@example.com", i), FirstName: "Person", LastName: fmt.Sprint(i)}
	}
	rows[10].Role = "emperor"
	rows[n-3].Email = rows[5].Email
	return rows
}

// state is what an import leaves: the users, links, mails and audit rows.
func (f *fixture) importState() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT count(*) FROM users WHERE status = 'invited' AND invited_by IS NOT NULL`,
		`SELECT count(*) FROM tokens WHERE kind = 'invite'`,
		`SELECT count(*) FROM outbox WHERE kind = 'invitation'`,
		`SELECT count(*) FROM audit WHERE action = 'user.invite'`,
		`SELECT count(DISTINCT recipient) FROM outbox`,
		`SELECT count(*) FROM audit a JOIN users u ON u.id = a.target_id AND u.email = a.target_email`,
	} {
		fmt.Fprintf(&b, "%s: %d\n", q, f.count(q))
	}
	return b.String()
}

// sameResult compares two rows' outcomes, their errors by text.
func sameResult(a, b RowResult) bool {
	if (a.Err == nil) != (b.Err == nil) || a.Err != nil && a.Err.Error() != b.Err.Error() {
		return false
	}
	a.Err, b.Err = nil, nil
	return a == b
}

// An import that fails half way keeps the batches written before the
// failure, none of the failing one; running it again continues, reports the
// rows done before as already invited, and ends as one run alone would.
func TestImportResumes(t *testing.T) {
	// Batches of 100 rows, so that 400 give several whatever the
	// machine's pace (batches of 200 ms needed 1,200 rows under the race
	// detector, imported three times).
	n := 400
	defer func(rows int) { bulkBatchRows = rows }(bulkBatchRows)
	bulkBatchRows = 100
	rows := importRows(n)
	alone := newFixture(t)
	want, err := alone.svc.Import(alone.ctx, alone.owner, rows, InviteOptions{})
	must(t, err)

	f := newFixture(t)
	stopAt := rows[n*3/4].Email
	restore := f.refuseAuditWhere(fmt.Sprintf("NEW.target_email = '%s'", stopAt), "refused by the test")
	first, err := f.svc.Import(f.ctx, f.owner, rows, InviteOptions{})
	if err == nil || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("error %v", err)
	}
	done := len(first)
	if done == 0 || done > n*3/4 {
		t.Fatalf("%d rows reported done before row %d failed", done, n*3/4+1)
	}
	invited := 0
	for i, r := range first {
		if !sameResult(r, want[i]) {
			t.Fatalf("first run, row %d: %+v, alone %+v", i+1, r, want[i])
		}
		if r.Err == nil {
			invited++
		}
	}
	// Each batch is whole or absent: the rows reported, no more.
	if got := f.count(`SELECT count(*) FROM users WHERE status = 'invited'`); got != invited {
		t.Fatalf("%d users invited, %d reported", got, invited)
	}

	restore()
	again, err := f.svc.Import(f.ctx, f.owner, rows, InviteOptions{})
	must(t, err)
	if len(again) != n {
		t.Fatalf("%d results for %d rows", len(again), n)
	}
	for i, r := range again {
		w := want[i]
		switch {
		case i < done && w.Err == nil:
			w.Already = true // invited by the first run
		case i >= done && w.Err == nil:
			w.UserID = r.UserID // the second run's IDs follow the first's
		}
		if !sameResult(r, w) {
			t.Fatalf("row %d: %+v, want %+v", i+1, r, w)
		}
	}
	if got, want := f.importState(), alone.importState(); got != want {
		t.Fatalf("after resuming:\n%s\nalone:\n%s", got, want)
	}
}

// A staged import continues the same way: staged rows are already done.
func TestImportResumesStaged(t *testing.T) {
	f := newFixture(t)
	rows := importRows(20)
	_, err := f.svc.Import(f.ctx, f.owner, rows[:8], InviteOptions{Staged: true})
	must(t, err)
	res, err := f.svc.Import(f.ctx, f.owner, rows, InviteOptions{Staged: true})
	must(t, err)
	for i, r := range res {
		if want := i < 8 && r.Err == nil; r.Already != want {
			t.Errorf("row %d: already %v", i+1, r.Already)
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE status = 'staged'`); n != 18 {
		t.Fatalf("%d staged, want 18 (20 rows, an unknown role, a repeated address)", n)
	}
	// Staged people are not invited: an invitation import refuses them
	// rather than call them already invited.
	res, err = f.svc.Import(f.ctx, f.owner, rows[:1], InviteOptions{})
	must(t, err)
	wantInput(t, res[0].Err, "email", "already a user")
}

// Other writers and readers wait for one batch of an import at most, not for
// the whole import: a write that begins with half the rows still to come
// is done while some are (counted, not timed: how long a batch takes is
// the machine's pace).
func TestImportLetsOthersIn(t *testing.T) {
	n := 20000
	if raceEnabled {
		n = 3000
	}
	// Batches end by time alone, as one of 5,000 rows would end before
	// a 3,000-row import did.
	defer func(rows int) { bulkBatchRows = rows }(bulkBatchRows)
	bulkBatchRows = n
	f := newFixture(t)
	rows := importRows(n)
	var wg sync.WaitGroup
	var res []RowResult
	var err error
	began := time.Now()
	wg.Go(func() { res, err = f.svc.Import(f.ctx, f.owner, rows, InviteOptions{}) })
	invited := func() int { return f.count(`SELECT count(*) FROM users WHERE status = 'invited'`) }
	during := 0 // writes begun with half the rows to come
	for i := range 6 {
		time.Sleep(170 * time.Millisecond)
		before := invited()
		if err := f.svc.AddTeam(f.ctx, f.owner, fmt.Sprintf("Team %d", i)); err != nil {
			t.Fatal(err)
		}
		after := invited()
		list, lerr := f.svc.ListUsers(f.ctx, f.owner, store.ListQuery{Limit: 50})
		if lerr != nil {
			t.Fatal(lerr)
		}
		t.Logf("%v into the import: %d invited before a write, %d after it; a listing read %d", time.Since(began).Round(time.Millisecond), before, after, len(list.Users))
		if before < n/2 {
			during++
			if after >= n-2 {
				t.Errorf("a write begun with %d of %d rows invited was done once the import was (%d)", before, n, after)
			}
		}
	}
	if during == 0 {
		t.Fatalf("the import was half done before the first write: it tested nothing")
	}
	wg.Wait()
	must(t, err)
	t.Logf("%d rows imported in %v", n, time.Since(began).Round(time.Millisecond))
	failed := 0
	for _, r := range res {
		if r.Err != nil {
			failed++
		}
	}
	if got := f.count(`SELECT count(*) FROM users WHERE status = 'invited'`); failed != 2 || got != n-2 {
		t.Fatalf("%d invited, %d refused, of %d", got, failed, n)
	}
}
