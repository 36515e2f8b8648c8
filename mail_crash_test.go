package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// The mail worker's crash guarantee with its pipeline: roster mail deliver
// is killed (SIGKILL) in the middle of 1,000 messages, and a second run
// delivers the rest. Every message arrives; the only ones that arrive twice
// are those the relay had taken while their outcome was not yet recorded,
// at most 2 × ROSTER_SMTP_CONNECTIONS (mail's pipeline window).
func TestMailDeliveryAfterKill9(t *testing.T) {
	need(t)
	const messages, killAt, connections = 1_000, 300, 4
	e := newE2E(t)
	e.inviteMany(messages)

	r := newRelay(t)
	reached := make(chan struct{})
	r.set(func(r *relay) {
		r.onData = func(got int) {
			if got == killAt {
				close(reached)
			}
		}
	})
	e.env = append(e.env, "ROSTER_SMTP="+r.url()+"?starttls=off", fmt.Sprintf("ROSTER_SMTP_CONNECTIONS=%d", connections))
	cmd := exec.Command(e.bin, "--db", e.db, "mail", "deliver")
	cmd.Env = e.env
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(e2eWait):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the relay took fewer than %d messages:\n%s", killAt, logs.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("roster mail deliver ended before it was killed (%v): raise the count\n%s", err, logs.String())
	}

	// In flight at the kill: claimed, taken by the relay, not recorded sent.
	var received, inFlight int
	r.set(func(r *relay) {
		received = r.got
		for _, id := range claimedIDs(t, e.db) {
			if r.ids[id] > 0 {
				inFlight++
			}
		}
	})
	if inFlight > 2*connections {
		t.Errorf("%d messages taken by the relay were not recorded sent at the kill; the window is %d", inFlight, 2*connections)
	}
	// The killed worker's claims are another worker's once their lease has
	// run out: as if the lease had.
	sqlExec(t, e.db, "UPDATE outbox SET lease_until = 1 WHERE state = 'sending'")
	if out, errs, code := e.run("mail", "deliver"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errs)
	}
	if n := count(t, e.db, "SELECT count(*) FROM outbox WHERE state = 'sent'"); n != messages {
		t.Fatalf("%d of %d messages sent", n, messages)
	}
	twice := r.twice(t, messages)
	if twice != inFlight {
		t.Errorf("%d messages came twice, want the %d in flight at the kill", twice, inFlight)
	}
	t.Logf("killed after the relay took %d messages; %d in flight then, sent again after the restart", received, inFlight)
}

// claimedIDs are the Message-IDs of the messages claimed for sending, in
// a SQLite file or a PostgreSQL database.
func claimedIDs(t *testing.T, db string) []string {
	t.Helper()
	conn := rawAny(t, db)
	defer conn.Close()
	rows, err := conn.Query("SELECT message_id FROM outbox WHERE state = 'sending'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// inviteMany makes the account on the test's database and invites n
// people through the rules, each invitation a message in the outbox.
func (e *e2eEnv) inviteMany(n int) {
	e.t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		e.t.Fatal(err)
	}
	people := make([]admin.NewUser, n)
	for i := range people {
		people[i] = admin.NewUser{Email: fmt.Sprintf("person%04d@acme.test", i), FirstName: "Person", LastName: fmt.Sprint(i)}
	}
	if _, err := svc.Invite(ctx, admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}, people, admin.InviteOptions{}); err != nil {
		e.t.Fatal(err)
	}
}
