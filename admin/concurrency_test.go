package admin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/store"
)

// Eight operators editing at once, each transaction reading then writing,
// all succeed: none fails with SQLITE_BUSY.
func TestConcurrentEdits(t *testing.T) {
	f := newFixture(t)
	const workers, each = 8, 10
	for w := range workers {
		f.addUser(fmt.Sprintf("op%d@example.com", w), "admin", store.Active)
		f.addUser(fmt.Sprintf("target%d@example.com", w), "member", store.Active)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := as(fmt.Sprintf("op%d@example.com", w))
			for i := range each {
				// Everyone edits their own target and, in turn, a shared one.
				_, err := f.svc.Edit(f.ctx, op, fmt.Sprintf("target%d@example.com", w), 0, Profile{Position: ptr(fmt.Sprintf("v%d", i))})
				if err != nil {
					errs <- err
				}
				if _, err := f.svc.Edit(f.ctx, op, "target0@example.com", 0, Profile{AddTags: []string{fmt.Sprintf("w%d-%d", w, i)}}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(f.user("target0@example.com").Tags); got != workers*each {
		t.Fatalf("%d tags on the shared user, want %d: an edit was lost", got, workers*each)
	}
	if got := len(f.audits("user.edit")); got != 2*workers*each {
		t.Fatalf("%d audit rows, want %d", got, 2*workers*each)
	}
}

// Two processes each inviting 1,000 people from one request, on one database
// at the same time, both succeed and lose nothing. Under the race detector,
// which slows SQLite tenfold, 200 each: there the second of two 1,000-row
// transactions can wait near the busy timeout on a loaded machine.
func TestTwoProcessesInviteAtOnce(t *testing.T) {
	if os.Getenv("ROSTER_TEST_CHILD") == "invite" {
		inviteChild(t)
		return
	}
	if testing.Short() {
		t.Skip("spawns two processes")
	}
	n := inviteChildRows()
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	dir := t.TempDir()
	var cmds []*exec.Cmd
	outs := make([]*safeBuffer, 2)
	for i, prefix := range []string{"a", "b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessesInviteAtOnce$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "ROSTER_TEST_CHILD=invite", "ROSTER_TEST_DB="+f.path, "ROSTER_TEST_PREFIX="+prefix,
			"ROSTER_TEST_DIR="+dir)
		outs[i] = &safeBuffer{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		must(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	// Let both open the database, then start them together.
	deadline := time.Now().Add(time.Minute)
	for _, p := range []string{"a", "b"} {
		for {
			if _, err := os.Stat(filepath.Join(dir, "ready-"+p)); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("child %s never got ready: %s", p, outs[0].String()+outs[1].String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	must(t, os.WriteFile(filepath.Join(dir, "go"), nil, 0o600))
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i].String())
		}
		for _, l := range strings.Split(outs[i].String(), "\n") {
			if strings.Contains(l, "invited") {
				t.Log(strings.TrimSpace(l))
			}
		}
	}
	for _, p := range []string{"a", "b"} {
		if got := f.count(`SELECT count(*) FROM users WHERE email LIKE ? AND status = 'invited'`, p+"-%"); got != n {
			t.Errorf("%d users from process %s, want %d", got, p, n)
		}
		if got := f.count(`SELECT count(*) FROM user_teams ut JOIN users u ON u.id = ut.user_id WHERE u.email LIKE ?`, p+"-%"); got != n {
			t.Errorf("%d team memberships from process %s, want %d", got, p, n)
		}
	}
	for _, table := range []string{"tokens", "outbox", "audit WHERE action = 'user.invite'", "search_keys WHERE key LIKE '%@example.fr'"} {
		if got := f.count("SELECT count(*) FROM " + table); got != 2*n {
			t.Errorf("%d rows in %s, want %d", got, table, 2*n)
		}
	}
}

func inviteChildRows() int {
	if raceEnabled {
		return 200
	}
	return 1000
}

// The same through the command line, as the issue has it: two
// roster invite --csv FILE of 1,000 rows each, started together on one
// database (the binary is built without the race detector).
func TestTwoCommandLinesInviteCSVAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds roster and spawns two processes")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build roster with")
	}
	f := newFixture(t)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Support"))
	dir := t.TempDir()
	bin := filepath.Join(dir, "roster")
	build := exec.Command(gobin, "build", "-o", bin, "roster")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 1000
	var cmds []*exec.Cmd
	outs := make([]*safeBuffer, 2)
	for i, prefix := range []string{"c", "d"} {
		var csv strings.Builder
		csv.WriteString("email,first_name,last_name,phone,role,team,position,reference_id,locale\n")
		for j := range n {
			fmt.Fprintf(&csv, "%s-%04d@example.fr,Prénom,Nom %d,06 12 34 %02d %02d,member,Support,Agent,E-%d,fr\n", prefix, j, j, j/100, j%100, j)
		}
		file := filepath.Join(dir, prefix+".csv")
		must(t, os.WriteFile(file, []byte(csv.String()), 0o600))
		cmd := exec.Command(bin, "--db", f.path, "--as", ownerEmail, "invite", "--csv", file)
		outs[i] = &safeBuffer{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		must(t, cmd.Start())
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("roster invite --csv %d: %v\n%s", i, err, outs[i].String())
		}
	}
	for _, p := range []string{"c", "d"} {
		if got := f.count(`SELECT count(*) FROM users u JOIN user_teams ut ON ut.user_id = u.id
			WHERE u.email LIKE ? AND u.status = 'invited' AND u.phone LIKE '+336%'`, p+"-%"); got != n {
			t.Errorf("%d users from process %s, want %d", got, p, n)
		}
		if got := f.count(`SELECT count(*) FROM outbox WHERE recipient LIKE ?`, p+"-%"); got != n {
			t.Errorf("%d mails from process %s, want %d", got, p, n)
		}
		if got := f.count(`SELECT count(*) FROM audit WHERE action = 'user.invite' AND target_email LIKE ? AND channel = 'cli'`, p+"-%"); got != n {
			t.Errorf("%d audit rows from process %s, want %d", got, p, n)
		}
	}
}

// inviteChild is one of the two processes: it invites 1,000 people at once.
func inviteChild(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv("ROSTER_TEST_DB"))
	must(t, err)
	defer st.Close()
	svc := New(st)
	prefix, dir := os.Getenv("ROSTER_TEST_PREFIX"), os.Getenv("ROSTER_TEST_DIR")
	rows := make([]NewUser, inviteChildRows())
	for i := range rows {
		rows[i] = NewUser{Email: fmt.Sprintf("%s-%04d@example.fr", prefix, i), FirstName: "Prénom", LastName: fmt.Sprintf("Nom %d", i),
			Teams: []string{"Support"}, Locale: "fr"}
	}
	must(t, os.WriteFile(filepath.Join(dir, "ready-"+prefix), nil, 0o600))
	for {
		if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	began := time.Now()
	res, err := svc.Invite(ctx, Actor{Email: ownerEmail, Channel: ChannelCLI}, rows, InviteOptions{})
	must(t, err)
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("row %d: %v", r.Row, r.Err)
		}
	}
	t.Logf("process %s invited %d in %v", prefix, len(res), time.Since(began))
}

// safeBuffer collects a child's output.
type safeBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// Two operators resending one invitation at once send one mail: the second
// reads the first's new link and is told it was just sent. On PostgreSQL
// this holds through the store's write lock.
func TestTwoOperatorsResendOneInvitationAtOnce(t *testing.T) {
	for range 10 {
		f := newFixture(t)
		f.addUser("alice.admin@example.com", "admin", store.Active)
		f.invite("ann@example.com", "")
		f.advance(2 * time.Minute)
		outs := make(chan Outcome, 2)
		for _, op := range []string{ownerEmail, "alice.admin@example.com"} {
			go func() { outs <- f.svc.Resend(f.ctx, as(op), []string{"ann@example.com"})[0] }()
		}
		var limited int
		for range 2 {
			if o := <-outs; o.Err != nil {
				var r *RateLimitError
				if !errors.As(o.Err, &r) {
					t.Fatalf("resend: %v", o.Err)
				}
				limited++
			}
		}
		if n := f.count("SELECT count(*) FROM outbox WHERE kind = 'invitation_resent'"); n != 1 || limited != 1 {
			t.Fatalf("%d resent mails, %d resends refused; want 1 and 1", n, limited)
		}
	}
}
