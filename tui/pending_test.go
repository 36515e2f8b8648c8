package tui

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
)

// After s, the title still says what the rows shown are until the stuck
// ones are read; then both change together.
func TestPendingTitleFollowsTheRows(t *testing.T) {
	f := newFixture(t)
	f.invite("old@example.com")
	f.advance(49 * time.Hour) // expired: stuck
	f.invite("fresh@example.com")
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, strings.Contains(v, "Pending invitations") && strings.Contains(v, "2 shown"), "every pending invitation:\n%s", v)

	_, cmd := m.Update(keyMsg("s"))
	v = m.View()
	must(t, !strings.Contains(v, "Stuck invitations"), "the stuck title over rows that are not the stuck ones:\n%s", v)
	must(t, strings.Contains(v, "Pending invitations") && strings.Contains(v, "fresh@example.com") &&
		strings.Contains(v, "reading the stuck ones…"), "the rows shown, and what is being read:\n%s", v)

	driveScreen(m, cmd)
	v = m.View()
	must(t, strings.Contains(v, "Stuck invitations") && strings.Contains(v, "1 shown") && !strings.Contains(v, "fresh@example.com"),
		"the stuck ones, under their title:\n%s", v)
	stuck, _ := f.svc.Invitations(f.ctx, f.op, true)
	must(t, len(stuck) == 1 && stuck[0].Email == "old@example.com", "the store's stuck ones: %v", stuck)
}

// Pending reads its first page of the most urgent invitations, not every
// pending one (seconds at a million users).
func TestPendingReadsTheFirstPage(t *testing.T) {
	f := newFixture(t)
	f.invite("first@example.com")
	f.exec(`UPDATE outbox SET state = 'failed' WHERE recipient = 'first@example.com'`)
	// More invitations than a page, written as another process would.
	now := f.svc.Now().Unix()
	f.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
		INSERT INTO users (email, email_key, sort_name, role, status, created_at, updated_at)
		SELECT 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'bulk' || i, 'member', 'invited', ?2, ?2 FROM n`,
		pendingPageRows+100, now)
	f.exec(`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at)
		SELECT id, 'invite', randomblob(32), ?1, ?1 + 3600 FROM users WHERE email LIKE 'bulk%'`, now)
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, strings.Contains(v, fmt.Sprintf("%d shown", pendingPageRows)), "not the first page:\n%s", v)
	must(t, strings.Contains(v, "first@example.com"), "the most urgent is not first:\n%s", v)
}

// stuckMany writes n invitations that expired a day ago, as another process
// would, then limited more that were sent as often as a day allows, so that
// resending them is refused; those come last in the urgency order.
func (f *fixture) stuckMany(n, limited int) {
	f.t.Helper()
	now := f.svc.Now().Unix()
	f.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
		INSERT INTO users (email, email_key, sort_name, role, status, created_at, updated_at)
		SELECT printf('stuck%05d@example.com', i), printf('stuck%05d@example.com', i), printf('stuck%05d', i), 'member', 'invited', ?2, ?2 FROM n`,
		n+limited, now)
	f.exec(`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at)
		SELECT id, 'invite', randomblob(32), ?1 - 72*3600, ?1 - 24*3600 FROM users WHERE email LIKE 'stuck%' ORDER BY id LIMIT ?2`, now, n)
	f.exec(`WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 10)
		INSERT INTO tokens (user_id, kind, hash, created_at, expires_at)
		SELECT id, 'invite', randomblob(32), ?1 - 23*3600, ?1 - 3600 FROM users, k WHERE email LIKE 'stuck%' AND id NOT IN
			(SELECT user_id FROM tokens WHERE expires_at = ?1 - 24*3600)`, now)
}

// resent counts the resent invitation mails queued.
func (f *fixture) resent() int {
	return f.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_resent'`)
}

// s A r on more stuck invitations than the screen has read asks first, with
// the count of every stuck one; n does nothing; y resends them all and ends
// with a summary.
func TestPendingBulkResendAsksFirst(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(2100, 0)
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	for _, k := range []string{"s", "A", "r"} {
		driveScreen(m, func() tea.Msg { return keyMsg(k) })
	}
	v := m.View()
	must(t, strings.Contains(v, "Resend all 2,100 stuck invitations? y/n"), "no question with the count:\n%s", v)
	must(t, f.resent() == 0, "%d invitations resent before the answer", f.resent())
	driveScreen(m, func() tea.Msg { return keyMsg("n") })
	v = m.View()
	must(t, !strings.Contains(v, "y/n") && f.resent() == 0, "n: %d resent, and:\n%s", f.resent(), v)

	driveScreen(m, func() tea.Msg { return keyMsg("r") })
	_, cmd := m.Update(keyMsg("y"))
	// As the program does: the job runs in a command of its own while
	// another brings each progress to Update, until the job ends.
	cmds := cmd().(tea.BatchMsg)
	ended := make(chan tea.Msg, 1)
	go func() { ended <- cmds[0]() }()
	var seen []int
	for listen := cmds[1]; listen != nil; {
		msg := listen()
		if msg == nil {
			break
		}
		_, listen = m.Update(msg)
		seen = append(seen, m.jobs.job.done)
		must(t, m.jobs.job.total == 2100, "progress of %d, want of 2,100", m.jobs.job.total)
		must(t, strings.Contains(m.View(), fmt.Sprintf("Resending %s of 2,100", m.s.count(m.jobs.job.done))), "no progress:\n%s", m.View())
	}
	must(t, len(seen) >= 2 && seen[len(seen)-1] == 2100 && slices.IsSorted(seen), "progress %v", seen)
	driveScreen(m, func() tea.Msg { return <-ended })
	must(t, f.resent() == 2100, "%d of 2,100 resent", f.resent())
	v = m.View()
	must(t, strings.Contains(v, "2,100 of 2,100 resent") && !strings.Contains(v, "Resending"), "no summary:\n%s", v)
}

// Keys written together, 3 s A r y, switch to Pending, read the stuck ones,
// select them, ask and answer: every stuck invitation is resent, with its
// progress shown, and the summary comes at the end.
func TestPendingBulkResendInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(520, 0) // more than a page
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Users")
	tt.write("3sAry")
	tt.wait("Resending", " of 520")
	// A job is not bound to a deadline: on a busy machine under -race it
	// takes its time.
	for end := time.Now().Add(2 * time.Minute); f.resent() < 520 && time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
	}
	tt.wait("520 of 520 resent")
	stop()
	must(t, f.resent() == 520, "%d of 520 resent", f.resent())
}

// ctrl+c while a resend runs asks to cancel it, and y does: the batches
// done stay whole, the rest is untouched, and the summary says how many were
// not done.
func TestPendingBulkResendCancelled(t *testing.T) {
	f := newFixture(t)
	// More than two batches (admin's 5,000 rows at most each, when no
	// writer waits): the first is done, the second under way at the cancel.
	n := 12000
	f.stuckMany(n, 0)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Users")
	tt.write("3sAry")
	eventually(t, "no batch done", func() bool { return f.resent() > 0 })
	tt.write("\x03")
	tt.wait("Cancel the resend?")
	tt.write("y")
	tt.wait("not done")
	stop()
	done := f.resent()
	must(t, done > 0 && done < n, "%d of %d resent", done, n)
	audits := f.count(`SELECT count(*) FROM audit WHERE action = 'invite.resend'`)
	must(t, audits == done, "%d resent, %d audited", done, audits)
	p := r.screens[pendingScreen].(*pending)
	want := fmt.Sprintf("%s not done", i18n.For(i18n.English).Num(n-done))
	must(t, strings.Contains(p.note, want), "the summary %q does not say %q", p.note, want)
}

// The rows refused come first in the summary, each with its reason, and then
// how many were done: here an invitation revoked since it was selected, and
// the ones resent too often today.
func TestPendingBulkFailuresFirst(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(600, 2)
	m := newPending(f.session())
	m.SetSize(120, 40)
	driveScreen(m, m.Init())
	press := func(k string) { driveScreen(m, func() tea.Msg { return keyMsg(k) }) }
	press("space")
	press("space")
	gone := m.rows[1].Email
	f.svc.Revoke(f.ctx, f.op, []string{gone})
	press("r")
	must(t, strings.Contains(m.View(), "Resend 2 invitations? y/n"), "no question:\n%s", m.View())
	press("y")
	must(t, len(m.jobs.last) == 1 && strings.HasPrefix(m.jobs.last[0], gone+": failed") && strings.Contains(m.jobs.last[0], "not found"),
		"the failures: %q", m.jobs.last)
	must(t, strings.Contains(m.note, "1 failed, 1 of 2 resent"), "the summary: %q", m.note)

	press("s")
	press("A")
	press("r")
	press("y")
	must(t, len(m.jobs.last) == 2 && strings.Contains(m.jobs.last[0], "rate-limited") && strings.Contains(m.jobs.last[1], "rate-limited"),
		"the failures: %q", m.jobs.last)
	must(t, strings.Contains(m.note, "2 failed, 598 of 600 resent"), "the summary: %q", m.note)
}

// Pending reads a page at a time as the cursor goes down, so that every
// pending invitation can be reached, however many.
func TestPendingPagesByKey(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(1200, 0)
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	v := m.View()
	must(t, strings.Contains(v, "500 shown, more below"), "the first page:\n%s", v)
	for range 3 {
		driveScreen(m, func() tea.Msg { return keyMsg("G") })
	}
	v = m.View()
	must(t, strings.Contains(v, "1,200 shown") && !strings.Contains(v, "more below") &&
		strings.Contains(v, "stuck01200@example.com"), "G three times, not at the last invitation:\n%s", v)
}

// Keys typed while the next page is read wait for it, then act in order on
// the rows it brings: G, j, j, space in one write select the 502nd.
func TestPendingKeysWaitForThePage(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(1200, 0)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Users")
	tt.write("3Gjj ")
	tt.wait("1 selected")
	stop()
	p := r.screens[pendingScreen].(*pending)
	must(t, len(p.selected) == 1 && p.selected["stuck00502@example.com"], "selected: %v", p.selected)
}

// A bulk revoke asks first too, with the count of every stuck invitation
// when all those read are selected and more exist; n keeps them all.
func TestPendingBulkRevokeAsksFirst(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(600, 0)
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	press := func(k string) { driveScreen(m, func() tea.Msg { return keyMsg(k) }) }
	invited := func() int { return f.count(`SELECT count(*) FROM users WHERE status = 'invited'`) }
	press("s")
	press("A")
	press("x")
	must(t, strings.Contains(m.View(), "Revoke all 600 stuck invitations? The invited accounts are deleted. y/n"), "no question:\n%s", m.View())
	press("n")
	must(t, invited() == 600 && len(m.selected) == 500, "n: %d of 600 still invited, %d selected", invited(), len(m.selected))
	press("x")
	press("y")
	must(t, invited() == 0, "y: %d of 600 still invited", invited())
	must(t, strings.Contains(m.note, "600 of 600 revoked"), "the summary: %q", m.note)
}

// s A x over more stuck invitations than a page asks with the count of
// those stuck then, and revokes those: one that becomes stuck while the
// operator reads the question is left alone (it was not counted, and
// revoking deletes the account), as the command line's --stuck does.
func TestPendingStuckActsOnTheInvitationsItAskedAbout(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(pendingPageRows+20, 0)
	f.invite("late@example.com")
	m := newPending(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	pressOn(m, "s", "A", "x")
	want := fmt.Sprintf("Revoke all %d stuck invitations?", pendingPageRows+20)
	must(t, strings.Contains(m.View(), want), "no question with the count:\n%s", m.View())

	// late's invitation expires while the operator reads the question.
	f.exec(`UPDATE tokens SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE email = 'late@example.com')`)
	pressOn(m, "y")
	must(t, f.count(`SELECT count(*) FROM users WHERE email = 'late@example.com'`) == 1,
		"late, not stuck when the question counted them, was revoked: %s", m.note)
	must(t, f.count(`SELECT count(*) FROM users WHERE email LIKE 'stuck%'`) == 0, "the stuck ones counted are not all revoked: %s", m.note)
	must(t, strings.Contains(m.View(), fmt.Sprintf("%d of %d revoked", pendingPageRows+20, pendingPageRows+20)), "no summary:\n%s", m.View())
}

// j r k r written at once resends bob's invitation, then ann's, as typed
// one at a time: the second r waits for the first resend (one row, sent at
// once, a save) rather than be refused as a batch under way. (Bob, resent,
// stays last: his invitation now expires last.)
func TestPendingResendTwoInOneWrite(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com", "bob@example.com")
	f.advance(2 * time.Hour) // past the resend's rate limit
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	tt.wait("Olive")
	tt.write("3")
	tt.wait("bob@example.com")
	tt.write("jrkr")
	eventually(t, "ann's and bob's invitations resent", func() bool { return f.resent() == 2 })
	tt.wait("1 of 1 resent.", "2 shown")
	stop()
	p := r.screens[pendingScreen].(*pending)
	must(t, p.err == "", "the second r: %s", p.err)
}

// q while a bulk act is at work asks before quitting, which stops it
// after the batch under way, its outcome unsaid; so does ctrl+c on another
// screen (on the act's own it asks whether to cancel the act). Both quit
// at once, the act cut short. Once the act is done, q quits.
func TestQuitAsksWhileAnActIsAtWork(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(20, 0)
	r, m := f.start()
	m = press(m, "3", "A", "r")
	must(t, strings.Contains(ansi.Strip(r.frame()), "Resend 20 invitations? y/n"), "no question:\n%s", ansi.Strip(r.frame()))
	m, job := m.Update(keyMsg("y")) // the act starts; its command not run yet
	quits := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	ask := "An act is under way: quitting stops it after the batch at work. Quit anyway?"
	for _, keys := range [][]string{{"q"}, {"1", "ctrl+c"}, {"1", "q"}} {
		var cmd tea.Cmd
		for _, k := range keys {
			m, cmd = m.Update(keyMsg(k))
		}
		must(t, !quits(cmd), "%v quit while the act was at work", keys)
		must(t, r.confirmQuit && strings.Contains(ansi.Strip(r.frame()), ask), "%v did not ask:\n%s", keys, ansi.Strip(r.frame()))
		m, _ = m.Update(keyMsg("n"))
		must(t, !r.confirmQuit, "n did not stay")
		m = press(m, "3")
	}
	m = drive(m, job)
	must(t, f.resent() == 20, "%d of 20 resent", f.resent())
	_, cmd := m.Update(keyMsg("q"))
	must(t, quits(cmd), "q after the act did not quit")
}

// L while a bulk act is at work waits for it: the screen, built again in
// the other language, lost the act, whose outcome, failures first, was
// never said, and q no longer asked before stopping it.
func TestLanguageWaitsForTheActAtWork(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(20, 0)
	r, m := f.start()
	m = press(m, "3", "A", "r")
	m, job := m.Update(keyMsg("y")) // the act starts; its command not run yet
	m = press(m, "L")
	must(t, r.s.p.Lang() == i18n.English, "L switched the language over the act at work")
	must(t, strings.Contains(ansi.Strip(r.frame()), "An act is under way: wait for it, or cancel it with esc, then press L again."),
		"L says nothing:\n%s", ansi.Strip(r.frame()))
	drive(m, job)
	must(t, strings.Contains(ansi.Strip(r.frame()), "20 of 20 resent."), "the act's outcome is not shown:\n%s", ansi.Strip(r.frame()))
}

// Keys typed while the list is read again were meant for the invitation
// under the cursor: when the reading shows it gone (revoked by another
// operator), they do nothing, and the screen says so, rather than act on
// the invitation that took its place: x y revoked carl's.
func TestPendingKeysForAnInvitationGoneDoNothing(t *testing.T) {
	f := newFixture(t)
	f.invite("ann@example.com", "bob@example.com", "carl@example.com")
	r, m := f.start()
	m = press(m, "3")
	p := r.screens[pendingScreen].(*pending)
	for p.rows[p.nav.cur].Email != "bob@example.com" {
		m = press(m, "j")
	}
	must(t, p.nav.cur < len(p.rows)-1, "bob is the last row: nothing would take his place")

	other := admin.Actor{Email: owner, Channel: admin.ChannelCLI}
	must(t, f.svc.Revoke(f.ctx, other, []string{"bob@example.com"})[0].Err == nil, "another operator revokes bob")
	m, reread := m.Update(refreshMsg{})
	for _, k := range []string{"x", "y"} { // typed while the list is read again
		m, _ = m.Update(keyMsg(k))
	}
	drive(m, reread)
	must(t, f.count(`SELECT count(*) FROM users WHERE email IN ('ann@example.com', 'carl@example.com')`) == 2,
		"the keys meant for bob revoked another invitation")
	fr := ansi.Strip(r.frame())
	must(t, strings.Contains(fr, "bob@example.com is no longer listed: the keys typed meanwhile did nothing."), "nothing said:\n%s", fr)
	// The next key acts as usual, on the row shown.
	press(m, "x")
	must(t, p.confirm != nil, "x after the message asks nothing")
}

// Options.Working is true while a bulk act is at work and false once it is
// done: roster serve's idle timeout ends no dashboard while its act runs.
func TestWorkingWhileAnActIsAtWork(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(20, 0)
	var working atomic.Bool
	opts := f.options(owner)
	opts.Working = &working
	var m tea.Model = New(f.ctx, opts)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 130, Height: 40})
	m = drive(m, m.Init())
	m = press(m, "3", "A", "r")
	must(t, !working.Load(), "working before the act was answered")
	m, job := m.Update(keyMsg("y"))
	must(t, working.Load(), "not working while the act is at work")
	drive(m, job)
	must(t, f.resent() == 20 && !working.Load(), "%d of 20 resent, working %v once the act is done", f.resent(), working.Load())
}
