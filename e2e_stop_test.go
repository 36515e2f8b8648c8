package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"roster/server"
)

// The clean stop (issue 16): SIGTERM reaches roster serve in the middle of
// a 500-message send to a slow relay, with an operator on the dashboard.
// Within 10 s it has told the operator the server is going away and ended
// the session, and exited 0; no message is left claimed, each is sent once
// or back in the queue, and none the relay took is queued again.
func TestE2EServeStopsCleanly(t *testing.T) {
	need(t)
	const messages, stopAt = 500, 100
	e := newE2E(t)
	e.inviteMany(messages)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(e.dir, "boss.pub")
	if err := os.WriteFile(keyFile, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	e.cli("keys", "add", "boss@acme.test", keyFile)

	r := newRelay(t)
	reached := make(chan struct{})
	r.set(func(r *relay) {
		r.onData = func(got int) {
			time.Sleep(5 * time.Millisecond) // slow: 500 messages take seconds
			if got == stopAt {
				close(reached)
			}
		}
	})
	e.env = append(e.env, "ROSTER_SMTP="+r.url()+"?starttls=off", "ROSTER_SMTP_CONNECTIONS=4")
	sshAddr := freePort(t)
	srv := e.startProcess("serve", "--ssh", sshAddr, "--http", freePort(t))
	srv.waitLog("serving")

	// An operator on the dashboard.
	client, err := gossh.Dial("tcp", sshAddr, &gossh.ClientConfig{User: "roster", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	screen, ended := openShell(t, client)

	select {
	case <-reached:
	case <-time.After(e2eWait):
		t.Fatalf("the relay took fewer than %d messages:\n%s", stopAt, srv.Logs())
	}
	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("roster serve did not exit within 10 s of SIGTERM:\n%s", srv.Logs())
	}
	took := time.Since(start)
	if srv.err != nil {
		t.Errorf("roster serve exited with %v after SIGTERM:\n%s", srv.err, srv.Logs())
	}
	select {
	case <-ended:
	case <-time.After(time.Second):
		t.Error("the SSH session is still open after the server exited")
	}
	if !strings.Contains(screen.String(), server.GoingAway) {
		t.Errorf("the operator was not told the server is going away; the session showed:\n%q", tail(screen.String(), 400))
	}

	if ids := claimedIDs(t, e.db); len(ids) != 0 {
		t.Errorf("%d messages left claimed after the stop", len(ids))
	}
	conn := rawDB(t, e.db)
	rows, err := conn.Query("SELECT message_id, state, lease_until FROM outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	states := map[string]int{}
	r.set(func(r *relay) {
		for rows.Next() {
			var id, state string
			var lease int64
			if err := rows.Scan(&id, &state, &lease); err != nil {
				t.Fatal(err)
			}
			states[state]++
			switch taken := r.ids[id]; {
			case state == "sent" && taken != 1:
				t.Errorf("%s recorded sent, taken by the relay %d times", id, taken)
			case state == "queued" && (taken != 0 || lease != 0):
				t.Errorf("%s queued again, taken by the relay %d times, lease until %d", id, taken, lease)
			case state != "sent" && state != "queued":
				t.Errorf("%s left %s", id, state)
			}
		}
	})
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if states["queued"] == 0 || states["sent"] < stopAt {
		t.Errorf("after the stop: %v, want at least %d sent and the rest queued", states, stopAt)
	}
	t.Logf("stopped in %v: %v", took.Round(time.Millisecond), states)
}

// lockedBuffer is a buffer a session's output goroutine writes while the
// test reads it.
// openShell opens the dashboard on client in a 110x30 pty; what it draws
// gathers in screen, and ended gets the session's end.
func openShell(t *testing.T, client *gossh.Client) (screen *lockedBuffer, ended chan error) {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.RequestPty("xterm-256color", 30, 110, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	screen = &lockedBuffer{}
	sess.Stdout, sess.Stderr = screen, screen
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ended = make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	return screen, ended
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

// A command that only read leaves its store to the process's exit, as to a
// kill (closing it cost a one-page read a twentieth of its run); one that
// wrote closes it, so that its last connection checkpoints the log and
// syncs the file. Either way the next process finds the database whole.
func TestE2EReadOnlyCommandLeavesTheStoreToTheExit(t *testing.T) {
	need(t)
	e := newE2E(t)
	wal := e.db + "-wal"
	gone := func(after string) {
		t.Helper()
		if _, err := os.Stat(wal); err == nil {
			t.Fatalf("after %s, %s is still there: the writer did not close the store", after, filepath.Base(wal))
		}
	}
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	gone("roster init")
	e.cli("users", "--json")
	if _, err := os.Stat(wal); err != nil {
		t.Fatalf("after roster users, %v: the reader closed the store", err)
	}
	e.cli("invite", "ann@acme.test", "--first", "Ann", "--last", "Lee")
	gone("roster invite after a reader")
	if users := cliJSON[[]e2eUser](e, "users"); len(users) != 2 {
		t.Fatalf("after a reader and a writer: %d users, want 2", len(users))
	}
	var check string
	if err := rawDB(t, e.db).QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
}
