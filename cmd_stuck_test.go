package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// invites revoke --stuck asks with the count of the invitations stuck when
// it reads them, and acts on those: one that became stuck while the
// operator read the question is left alone (it was not counted, and
// revoking deletes the account), as a --where acts on the users it counted.
func TestStuckActsOnTheInvitationsItAskedAbout(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "ivy@acme.test", "ian@acme.test", "eve@acme.test")
	expire := func(email string) {
		sqlExec(t, db, "UPDATE tokens SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE email = ?)", email)
	}
	expire("ivy@acme.test")

	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	var mu sync.Mutex
	var shown strings.Builder
	go func() {
		b := make([]byte, 1024)
		for {
			n, err := master.Read(b)
			mu.Lock()
			shown.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	var out strings.Builder
	c := &cli{stdin: tty, stdout: &out, stderr: tty}
	done := make(chan int)
	go func() { done <- run(context.Background(), c, []string{"--db", db, "invites", "revoke", "--stuck"}) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		asked := shown.String()
		mu.Unlock()
		if strings.Contains(asked, "[y/N]") {
			if !strings.Contains(asked, "Revoke the invitations of 1 user ") {
				t.Fatalf("asked %q, want the count of one stuck invitation", asked)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no question after 10 s; shown %q", asked)
		}
	}
	// ian's invitation expires while the operator reads the question.
	expire("ian@acme.test")
	master.Write([]byte("y\n"))
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; shown %q", code, shown.String())
	}
	if out.String() != "revoked ivy@acme.test\n" {
		t.Fatalf("printed %q, want ivy's alone revoked", out.String())
	}
	if n := count(t, db, "SELECT count(*) FROM users WHERE email = 'ian@acme.test'"); n != 1 {
		t.Fatalf("ian, not stuck when the question counted one, was revoked")
	}
	if n := count(t, db, "SELECT count(*) FROM audit WHERE action = 'invite.revoke'"); n != 1 {
		t.Fatalf("%d invite.revoke audit entries, want ivy's alone", n)
	}
}
