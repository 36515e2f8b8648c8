package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// The restore drill (issue 16): a backup taken while two writers are busy,
// one inviting people, the other adding teams, each act one transaction
// with its audit row, is restored into a new file. Every act that had
// returned before the backup began is there with its audit row (and the
// invitation's mail), and nothing is there half: no user, team or mail
// without its audit row, and no audit row without what it records.
func TestRestoreDrill(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}

	var mu sync.Mutex
	var invited, teams []string // acts that returned, in order
	stop := make(chan struct{})
	var wg sync.WaitGroup
	writer := func(act func(n int) (string, error), done *[]string) {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			name, err := act(n)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			*done = append(*done, name)
			mu.Unlock()
		}
	}
	wg.Add(2)
	go writer(func(n int) (string, error) {
		email := fmt.Sprintf("person%d@acme.test", n)
		res, err := svc.Invite(ctx, boss, []admin.NewUser{{Email: email, FirstName: "P", LastName: fmt.Sprint(n)}}, admin.InviteOptions{})
		if err == nil && res[0].Err != nil {
			err = res[0].Err
		}
		return email, err
	}, &invited)
	go writer(func(n int) (string, error) {
		name := fmt.Sprintf("team-%d", n)
		return name, svc.AddTeam(ctx, boss, name)
	}, &teams)

	// Let both get going, then back up while they go on.
	for {
		mu.Lock()
		going := len(invited) >= 20 && len(teams) >= 20
		mu.Unlock()
		if going {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := map[string][]string{"invited": slices.Clone(invited), "teams": slices.Clone(teams)}
	mu.Unlock()
	file := filepath.Join(dir, "backup.db")
	info, err := st.Backup(ctx, file)
	mu.Lock()
	during := len(invited) + len(teams) - len(before["invited"]) - len(before["teams"])
	mu.Unlock()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}

	restored := filepath.Join(dir, "restored", "roster.db")
	if _, err := store.Restore(ctx, file, restored); err != nil {
		t.Fatal(err)
	}
	for _, email := range before["invited"] {
		if n := count(t, restored, "SELECT count(*) FROM users WHERE email = ?", email); n != 1 {
			t.Errorf("%s, invited before the backup, is not in the restored database", email)
		}
	}
	for _, name := range before["teams"] {
		if n := count(t, restored, "SELECT count(*) FROM teams WHERE name = ?", name); n != 1 {
			t.Errorf("team %s, added before the backup, is not in the restored database", name)
		}
	}
	half := []struct{ what, query string }{
		{"users without their invitation's audit row", `SELECT count(*) FROM users u WHERE u.email != 'boss@acme.test'
			AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'user.invite' AND a.target_email = u.email)`},
		{"invitations audited without their user", `SELECT count(*) FROM audit a WHERE a.action = 'user.invite'
			AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = a.target_email)`},
		{"users without their invitation's mail", `SELECT count(*) FROM users u WHERE u.email != 'boss@acme.test'
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.user_id = u.id AND o.kind = 'invitation')`},
		{"teams without their audit row", `SELECT count(*) FROM teams t
			WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'team.add' AND a.after LIKE '%"' || t.name || '"%')`},
		{"teams audited without their team", `SELECT count(*) FROM audit a WHERE a.action = 'team.add'
			AND NOT EXISTS (SELECT 1 FROM teams t WHERE a.after LIKE '%"' || t.name || '"%')`},
	}
	for _, h := range half {
		if n := count(t, restored, h.query); n != 0 {
			t.Errorf("%d %s in the restored database", n, h.what)
		}
	}
	t.Logf("backed up %d users and %d audit rows; %d acts before it began, %d while it ran", info.Users, info.Audit,
		len(before["invited"])+len(before["teams"]), during)
}
