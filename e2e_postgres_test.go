package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/internal/testdb"
)

// TestE2ETwoNodesOnPostgres is issue 11's two nodes: two roster serve
// processes on one PostgreSQL database, each with its mail worker, both
// pointed at one relay. An edit through node A's API shows on a dashboard
// opened over SSH on node B within two seconds; then operators on both
// nodes invite, edit one person and resend the same invitations at once.
// Every mail arrives once, no edit is lost (the version counts them all),
// each invitation is resent once (the other node is told it was too
// recent), and the audit holds every act once.
func TestE2ETwoNodesOnPostgres(t *testing.T) {
	need(t, "tmux", "ssh")
	db := testdb.NewPostgres(t)
	e := newE2E(t)
	e.db = db
	r := newRelay(t)
	e.env = append(e.env, "ROSTER_SMTP="+r.url()+"?starttls=off")
	webA, webB := freePort(t), freePort(t)
	base := "--base-url=http://" + webA // the load balancer's address
	nodeB, ssh := e.serveSSH("--http", webB, base)
	nodeA := e.startProcess("serve", "--ssh", freePort(t), "--http", webA, base)
	nodeA.waitLog("serving")
	key := cliJSON[struct {
		Secret string `json:"secret"`
	}](e, "apikeys", "create", "--name", "nodes").Secret
	api := func(web, method, path, body string, headers ...string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, "http://"+web+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	conn := rawAny(t, db)
	defer conn.Close()
	query := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

	// An edit on node A shows on node B's dashboard.
	x := newTmux(e)
	dash := x.start("b", 120, 40, ssh...)
	dash.waitFor("acting as boss@acme.test (ssh)", "Big Boss")
	_, h, _ := api(webA, "GET", "/api/v1/users/boss@acme.test", "")
	if status, _, body := api(webA, "PATCH", "/api/v1/users/boss@acme.test", `{"first_name":"Bertha"}`, "If-Match", h.Get("ETag")); status != http.StatusOK {
		t.Fatalf("edit on node A: %d %s", status, body)
	}
	edited := time.Now()
	dash.waitUntil(2*time.Second, "node A's edit on node B's dashboard within 2 s", func(s string) bool {
		return strings.Contains(s, "Bertha Boss")
	})
	t.Logf("node B's dashboard showed node A's edit %v after it", time.Since(edited).Round(10*time.Millisecond))
	dash.keys("q")

	// Invitations to resend, old enough for it (a minute apart at least).
	const resends = 20
	people := []string{"ed@acme.test"}
	for i := range resends {
		people = append(people, fmt.Sprintf("p%02d@acme.test", i))
	}
	e.cli(append([]string{"invite"}, people...)...)
	waitAllSent := func(want int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for query("SELECT count(*) FROM outbox WHERE state = 'sent'") < want || query("SELECT count(*) FROM outbox WHERE state <> 'sent'") > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d messages sent after 30 s\nA:\n%s\nB:\n%s", query("SELECT count(*) FROM outbox WHERE state = 'sent'"), want, nodeA.Logs(), nodeB.Logs())
			}
			time.Sleep(e2ePoll)
		}
	}
	waitAllSent(len(people))
	if _, err := conn.Exec("UPDATE tokens SET created_at = created_at - 120"); err != nil {
		t.Fatal(err)
	}

	// Both nodes at once: each invites 20 people, two operators on each
	// edit ed 10 times (again on a stale version), each resends every p.
	const invites, editors, editsEach = 20, 2, 10
	var wg sync.WaitGroup
	var resent atomic.Int64
	failures := make(chan string, 1000)
	for n, web := range []string{webA, webB} {
		wg.Go(func() {
			for i := range invites {
				if status, _, body := api(web, "POST", "/api/v1/invitations", fmt.Sprintf(`{"users":[{"email":"n%d-%02d@acme.test"}]}`, n, i)); status/100 != 2 {
					failures <- fmt.Sprintf("invite on node %d: %d %s", n, status, body)
				}
			}
		})
		for w := range editors {
			wg.Go(func() {
				for done := 0; done < editsEach; {
					_, h, _ := api(web, "GET", "/api/v1/users/ed@acme.test", "")
					status, _, body := api(web, "PATCH", "/api/v1/users/ed@acme.test", fmt.Sprintf(`{"position":"node %d editor %d edit %d"}`, n, w, done), "If-Match", h.Get("ETag"))
					switch status {
					case http.StatusOK:
						done++
					case http.StatusPreconditionFailed: // another edited meanwhile: read again
					default:
						failures <- fmt.Sprintf("edit on node %d: %d %s", n, status, body)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for i := range resends {
				status, _, body := api(web, "POST", "/api/v1/invitations/resend", fmt.Sprintf(`{"emails":["p%02d@acme.test"]}`, i))
				var out struct{ Done int64 }
				if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
					failures <- fmt.Sprintf("resend on node %d: %d %s", n, status, body)
				}
				resent.Add(out.Done)
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if resent.Load() != resends {
		t.Errorf("%d invitations resent, want each of %d once", resent.Load(), resends)
	}

	// Besides the invitations, the notices the rules send (the owner is told
	// of the API key made for the test), each once too.
	notices := query("SELECT count(*) FROM outbox WHERE kind = 'notice'")
	mails := len(people) + 2*invites + resends + notices
	waitAllSent(mails)
	if n := query("SELECT count(*) FROM outbox"); n != mails {
		t.Errorf("%d messages in the outbox, want %d", n, mails)
	}
	r.set(func(r *relay) {
		if len(r.ids) != mails || r.got != mails {
			t.Errorf("the relay took %d messages, %d distinct, want %d once each", r.got, len(r.ids), mails)
		}
	})
	if v := query("SELECT version FROM users WHERE email = 'ed@acme.test'"); v != 1+2*editors*editsEach {
		t.Errorf("ed's version is %d after %d edits: an edit was lost", v, 2*editors*editsEach)
	}
	for _, c := range []struct {
		what, where string
		want        int
	}{
		{"edits of ed", "action = 'user.edit' AND target_email = 'ed@acme.test'", 2 * editors * editsEach},
		{"invitations by the API", "action = 'user.invite' AND target_email LIKE 'n%'", 2 * invites},
		{"resends", "action = 'invite.resend'", resends},
	} {
		if n := query("SELECT count(*) FROM audit WHERE " + c.where); n != c.want {
			t.Errorf("the audit has %d %s, want %d", n, c.what, c.want)
		}
	}
	if n := query("SELECT count(*) FROM (SELECT target_email FROM audit WHERE action IN ('user.invite', 'invite.resend') GROUP BY action, target_email HAVING count(*) > 1) twice"); n != 0 {
		t.Errorf("%d people were invited or resent to in the audit more than once", n)
	}
	for _, p := range []*process{nodeA, nodeB} {
		for _, bad := range []string{"DATA RACE", "panic"} {
			if strings.Contains(p.Logs(), bad) {
				t.Errorf("a node's log holds %q:\n%s", bad, p.Logs())
			}
		}
	}
}

// TestE2ENodeKilledOnPostgres is issue 11's lost node: two roster serve
// processes on one PostgreSQL database send 1,000 invitations through one
// relay; node A is killed (SIGKILL) once the relay has 300. Node B sends
// the rest, and A's claims once their lease has run out. Every message
// arrives; the only ones that arrive twice are those A had handed to the
// relay but not recorded sent, at most 2 × ROSTER_SMTP_CONNECTIONS, as
// TestMailDeliveryAfterKill9 bounds it for one process on SQLite.
func TestE2ENodeKilledOnPostgres(t *testing.T) {
	need(t)
	const messages, killAt, connections = 1_000, 300, 4
	db := testdb.NewPostgres(t)
	e := newE2E(t)
	e.db = db
	e.inviteMany(messages)
	conn := rawAny(t, db)
	defer conn.Close()
	query := func(q string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

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
	// A first: a node makes the SSH host key on its first start, which
	// two starting at once on one data directory would both do.
	nodeA := e.startProcess("serve", "--ssh", freePort(t), "--http", freePort(t))
	nodeA.waitLog("serving")
	nodeB := e.startProcess("serve", "--ssh", freePort(t), "--http", freePort(t))
	select {
	case <-reached:
	case <-time.After(e2eWait):
		t.Fatalf("the relay took fewer than %d messages\nA:\n%s\nB:\n%s", killAt, nodeA.Logs(), nodeB.Logs())
	}
	if err := nodeA.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill node A: %v\nA:\n%s", err, nodeA.Logs())
	}
	<-nodeA.done
	r.set(func(r *relay) {
		if r.got >= messages {
			t.Fatalf("the relay had every message before node A was killed: raise the count")
		}
	})

	// Node B sends what is left, all but A's claims, which stay claimed
	// until their lease (5 minutes) runs out: wait for B to be done with
	// its own, then count A's that the relay already has.
	var claimed []string
	deadline := time.Now().Add(30 * time.Second)
	for stable := 0; stable < 10; {
		ids := claimedIDs(t, db)
		if query("SELECT count(*) FROM outbox WHERE state = 'queued'") == 0 && len(ids) == len(claimed) {
			stable++
		} else {
			stable = 0
		}
		claimed = ids
		if time.Now().After(deadline) {
			t.Fatalf("node B did not send the queued messages within 30 s\nB:\n%s", nodeB.Logs())
		}
		time.Sleep(e2ePoll)
	}
	var inFlight int
	r.set(func(r *relay) {
		for _, id := range claimed {
			if r.ids[id] > 0 {
				inFlight++
			}
		}
	})
	if inFlight > 2*connections {
		t.Errorf("%d messages node A handed to the relay were not recorded sent at the kill; the window is %d", inFlight, 2*connections)
	}
	// A's leases run out, as if five minutes had passed: B takes them.
	if _, err := conn.Exec("UPDATE outbox SET lease_until = 1 WHERE state = 'sending'"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for query("SELECT count(*) FROM outbox WHERE state = 'sent'") != messages {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages sent\nB:\n%s", query("SELECT count(*) FROM outbox WHERE state = 'sent'"), messages, nodeB.Logs())
		}
		time.Sleep(e2ePoll)
	}
	twice := r.twice(t, messages)
	if twice != inFlight {
		t.Errorf("%d messages came twice, want the %d node A had in flight at the kill", twice, inFlight)
	}
	t.Logf("node A killed after the relay took %d messages; node B sent A's %d claims after their lease, %d of them for the second time", killAt, len(claimed), inFlight)
}
