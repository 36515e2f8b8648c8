package main

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"roster/server"
)

// A member's key opening sessions until the server was full kept everyone
// out, the owners who could stop them too: each operator has a limit of
// their own, and an owner gets in past the server's, up to theirs.
func TestSSHSessionCapsPerOperatorAndOwners(t *testing.T) {
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.MaxSessions, o.MaxSessionsPerOperator = 3, 2 })
	refused := func(email, want string) {
		t.Helper()
		out, code := f.command(t, f.keys[email], "users")
		if code != 1 || !strings.Contains(out, want) {
			t.Fatalf("%s's session past a cap: exit %d, %q, want %q", email, code, out, want)
		}
	}
	// The dashboards shown, their sessions are counted.
	for range 2 {
		f.shell(t, "milo@acme.test").wait(t, "My settings")
	}
	refused("milo@acme.test", "you have 2 sessions open, the most one operator may have at once")
	f.shell(t, "mona@acme.test").wait(t, "acting as")
	refused("mona@acme.test", "3 sessions are open, the most this server takes")
	// The server is full; its owner still gets in, twice.
	for range 2 {
		f.shell(t, "boss@acme.test").wait(t, "acting as")
	}
	refused("boss@acme.test", "you have 2 sessions open, the most one operator may have at once")
}

// The caps are numbers of sessions, from their flags or their ROSTER_
// variables; another value is a usage error, before anything is opened.
func TestServeSessionCapsAreNumbers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	for _, c := range []struct {
		env, val string
		args     []string
		want     string
	}{
		{args: []string{"--max-sessions-per-operator", "0"}, want: `--max-sessions-per-operator takes a number of sessions, 1 or more, not "0"`},
		{args: []string{"--max-sessions", "many"}, want: `--max-sessions takes a number of sessions, 1 or more, not "many"`},
		{env: "ROSTER_MAX_SESSIONS_PER_OPERATOR", val: "-1", want: `--max-sessions-per-operator takes a number of sessions, 1 or more, not "-1"`},
		{env: "ROSTER_MAX_SESSIONS", val: "ten", want: `--max-sessions takes a number of sessions, 1 or more, not "ten"`},
	} {
		if c.env != "" {
			t.Setenv(c.env, c.val)
		}
		out, errs, code := roster(t, db, append([]string{"serve"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("serve %v %s=%s: exit %d, %q, want exit 2 and %q", c.args, c.env, c.val, code, errs, c.want)
		}
		if c.env != "" {
			t.Setenv(c.env, "")
		}
	}
}

// A connection that never signs in is closed after the handshake timeout:
// it was held for the idle timeout (30 minutes), so that anyone reaching
// the port could hold connections by the thousand.
func TestSSHConnectionThatNeverSignsInIsClosed(t *testing.T) {
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.HandshakeTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	// The server's version line, then nothing: the client never answers.
	n, err := io.Copy(io.Discard, conn)
	if err != nil {
		t.Fatalf("after %v and %d bytes, the connection is still open: %v", time.Since(start).Round(time.Millisecond), n, err)
	}
	if n == 0 {
		t.Fatal("the server sent nothing, not even its version")
	}
}
