package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"roster/admin"
	"roster/server"
	"roster/store"
)

// sshFixture is roster serve's SSH side on loopback, with an account whose
// owner, manager and member each have a key.
type sshFixture struct {
	addr string
	svc  *admin.Service
	st   *store.Store
	keys map[string]gossh.Signer // by email
	priv map[string]ed25519.PrivateKey
}

func newSSHFixture(t *testing.T, configure ...func(*server.SSHOptions)) *sshFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := admin.New(st)
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	f := &sshFixture{svc: svc, st: st, keys: map[string]gossh.Signer{}, priv: map[string]ed25519.PrivateKey{}}
	for email, role := range map[string]string{"mona@acme.test": "manager", "milo@acme.test": "member"} {
		if res, err := svc.Invite(ctx, boss, []admin.NewUser{{Email: email, Role: role}}, admin.InviteOptions{}); err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
	}
	sqlExec(t, st.Path(), "UPDATE users SET status = 'active', activated_at = 1")
	for _, email := range []string{"boss@acme.test", "mona@acme.test", "milo@acme.test"} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signer, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddKey(ctx, boss, email, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))); err != nil {
			t.Fatal(err)
		}
		f.keys[email], f.priv[email] = signer, priv
	}
	opts := server.SSHOptions{HostKeyPath: filepath.Join(dir, "host_key"), Run: sshRunner(svc), MaxSessions: 3}
	for _, c := range configure {
		c(&opts)
	}
	srv, err := server.NewSSH(svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f.addr = ln.Addr().String()
	return f
}

func (f *sshFixture) dial(t *testing.T, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	t.Helper()
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: "roster", Auth: auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
}

// command runs one command line over SSH and returns its output and exit status.
func (f *sshFixture) command(t *testing.T, signer gossh.Signer, cmd string) (string, int) {
	t.Helper()
	return f.commandIn(t, signer, cmd, nil)
}

// commandIn runs cmd over SSH with stdin as its standard input.
func (f *sshFixture) commandIn(t *testing.T, signer gossh.Signer, cmd string, stdin io.Reader) (string, int) {
	t.Helper()
	client, err := f.dial(t, gossh.PublicKeys(signer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	sess.Stdin = stdin
	out, err := sess.CombinedOutput(cmd)
	var exit *gossh.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitStatus()
	} else if err != nil {
		t.Fatalf("ssh %s: %v", cmd, err)
	}
	return string(out), 0
}

// dashboard opens the dashboard in a pty and returns what it drew once want shows.
func (f *sshFixture) dashboard(t *testing.T, client *gossh.Client, want string) (string, error) {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm-256color", 30, 110, gossh.TerminalModes{}); err != nil {
		return "", err
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		return "", err
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		return "", err
	}
	if err := sess.Shell(); err != nil {
		return "", err
	}
	var seen bytes.Buffer
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			if bytes.Contains(buf[:n], []byte("\x1b[c")) {
				stdin.Write([]byte("\x1b[?62;22c")) // answer as a terminal does (DA1)
			}
			seen.Write(buf[:n])
			if strings.Contains(seen.String(), want) {
				done <- nil
				return
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		err = errors.New("timed out")
	}
	stdin.Write([]byte("q"))
	return seen.String(), err
}

func TestSSHKnownKeyGetsTheDashboard(t *testing.T) {
	f := newSSHFixture(t)
	client, err := f.dial(t, gossh.PublicKeys(f.keys["boss@acme.test"]))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	screen, err := f.dashboard(t, client, "boss@acme.test")
	if err != nil {
		t.Fatalf("%v; drew %q", err, screen)
	}
}

func TestSSHUnknownKeyIsRefused(t *testing.T) {
	f := newSSHFixture(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	stranger, _ := gossh.NewSignerFromKey(priv)
	if _, err := f.dial(t, gossh.PublicKeys(stranger)); err == nil {
		t.Fatal("an unknown key got in")
	}
	// Passwords and keyboard-interactive are off.
	if _, err := f.dial(t, gossh.Password("secret"), gossh.KeyboardInteractive(
		func(string, string, []string, []bool) ([]string, error) { return nil, nil })); err == nil {
		t.Fatal("a password login got in")
	}
}

// TestSSHOfferedKeyDoesNotLendItsIdentity drives OpenSSH's client, which
// offers a public key it cannot sign with (only its .pub file is given), is
// told the key is acceptable, and goes on to authenticate with the next one:
// the session must be the second key's, never the offered one's
// (CVE-2024-45337).
func TestSSHOfferedKeyDoesNotLendItsIdentity(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("OpenSSH's ssh is not installed (.ci/run installs openssh-client)")
	}
	f := newSSHFixture(t)
	dir := t.TempDir()
	bossPub := filepath.Join(dir, "boss.pub")
	os.WriteFile(bossPub, gossh.MarshalAuthorizedKey(f.keys["boss@acme.test"].PublicKey()), 0o600)
	mona := writePrivateKey(t, dir, "mona", f.priv["mona@acme.test"])
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	stranger := writePrivateKey(t, dir, "stranger", priv)
	host, port, _ := net.SplitHostPort(f.addr)
	ssh := func(identities ...string) (string, error) {
		args := []string{"-v", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes", "-F", "/dev/null"}
		for _, id := range identities {
			args = append(args, "-i", id)
		}
		out, err := exec.Command("ssh", append(args, "roster@"+host, "invite", "ned@acme.test")...).CombinedOutput()
		return string(out), err
	}
	out, err := ssh(bossPub, mona)
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Server accepts key: "+bossPub) {
		t.Fatalf("the owner's key was not offered and accepted first, so this test proves nothing:\n%s", out)
	}
	entries, err := f.svc.Audit(context.Background(), admin.Actor{Email: "boss@acme.test"}, store.AuditQuery{Target: "ned@acme.test"})
	if err != nil || len(entries) != 1 {
		t.Fatal(err, entries)
	}
	if entries[0].Actor != "mona@acme.test" || entries[0].Channel != "ssh" {
		t.Fatalf("invitation audited as %s via %s, want the manager whose key signed, via ssh", entries[0].Actor, entries[0].Channel)
	}
	// The owner's key offered, then a stranger's: nothing.
	if out, err := ssh(bossPub, stranger); err == nil {
		t.Fatalf("offering the owner's key let a stranger in:\n%s", out)
	}
}

// writePrivateKey writes an OpenSSH private key file for ssh -i.
func writePrivateKey(t *testing.T, dir, name string, priv ed25519.PrivateKey) string {
	t.Helper()
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSSHMemberIsRefusedWithAReason(t *testing.T) {
	f := newSSHFixture(t)
	out, code := f.command(t, f.keys["milo@acme.test"], "users")
	if code == 0 || !strings.Contains(out, "no users.* permission") {
		t.Fatalf("member: exit %d, %q", code, out)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("refusal is not one line: %q", out)
	}
}

// A member, who administers nobody, gets My settings rather than a
// refusal: their profile in brief and their notification grid, where the
// dashboard's keys change their own preferences, audited as theirs via
// ssh. The dashboard's screens are not there.
func TestSSHMemberGetsMySettings(t *testing.T) {
	f := newSSHFixture(t)
	sh := f.shell(t, "milo@acme.test")
	sh.wait(t, "My settings")
	sh.wait(t, "Someone I invited accepted")
	if s := sh.screen.String(); strings.Contains(s, "2 Invite") || strings.Contains(s, "no users.* permission") {
		t.Fatalf("the member sees the dashboard or a refusal: %q", s)
	}
	sh.stdin.Write([]byte("j \r\r")) // invitation.accepted: email off, review, save
	prefs := func() string {
		ps, err := f.svc.NotifyPrefs(context.Background(), admin.Actor{Email: "milo@acme.test"}, "milo@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(ps[1].Channels, ",")
	}
	for deadline := time.Now().Add(10 * time.Second); prefs() != ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s, invitation.accepted is still on; drew %q", tail(sh.screen.String(), 600))
		}
	}
	entries, err := f.svc.Audit(context.Background(), admin.Actor{Email: "boss@acme.test"}, store.AuditQuery{Target: "milo@acme.test", Limit: 1})
	if err != nil || len(entries) != 1 || entries[0].Action != "notify.set" || entries[0].Actor != "milo@acme.test" || entries[0].Channel != "ssh" {
		t.Fatalf("audit: %v %+v", err, entries)
	}
	sh.stdin.Write([]byte("q"))
	select {
	case <-sh.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the session")
	}
}

func TestSSHCommandsAreTheOperatorsAndChecked(t *testing.T) {
	f := newSSHFixture(t)
	out, code := f.command(t, f.keys["mona@acme.test"], "invite nina@acme.test --first Nina")
	if code != 0 {
		t.Fatalf("invite over ssh: %d %s", code, out)
	}
	entries, err := f.svc.Audit(context.Background(), admin.Actor{Email: "boss@acme.test"}, store.AuditQuery{Target: "nina@acme.test"})
	if err != nil || len(entries) != 1 || entries[0].Actor != "mona@acme.test" || entries[0].Channel != "ssh" {
		t.Fatalf("audit: %v %+v", err, entries)
	}
	// A manager may not hand out users.delete, over SSH as anywhere.
	out, code = f.command(t, f.keys["mona@acme.test"], "perms milo@acme.test --grant users.delete")
	if code == 0 || !strings.Contains(out, "permission denied") {
		t.Fatalf("perms over ssh: %d %s", code, out)
	}
	// Local-only commands and --db are refused.
	if out, code = f.command(t, f.keys["boss@acme.test"], "seed --users 10"); code == 0 {
		t.Fatalf("seed over ssh: %s", out)
	}
	if out, code = f.command(t, f.keys["boss@acme.test"], "users --db /tmp/other.db"); code == 0 {
		t.Fatalf("--db over ssh: %s", out)
	}
	// Scripts get the command's output.
	if out, code = f.command(t, f.keys["boss@acme.test"], "invites --json"); code != 0 || !strings.Contains(out, "nina@acme.test") {
		t.Fatalf("invites over ssh: %d %s", code, out)
	}
}

func TestSSHSessionCap(t *testing.T) {
	f := newSSHFixture(t) // MaxSessions: 3
	// A manager's: an owner's sessions are let in past the cap.
	client, err := f.dial(t, gossh.PublicKeys(f.keys["mona@acme.test"]))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// Three sessions waiting on stdin hold their places.
	for i := 0; i < 3; i++ {
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if _, err := sess.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := sess.Start("invite --csv -"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the server count them
	out, code := f.command(t, f.keys["mona@acme.test"], "users")
	if code == 0 || !strings.Contains(out, "3 sessions are open") {
		t.Fatalf("fourth session: exit %d, %q", code, out)
	}
}

func TestSSHIdleSessionsEnd(t *testing.T) {
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.IdleTimeout = 300 * time.Millisecond })
	client, err := f.dial(t, gossh.PublicKeys(f.keys["boss@acme.test"]))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StdinPipe(); err != nil { // a command waiting for input that never comes
		t.Fatal(err)
	}
	if err := sess.Start("invite --csv -"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("an idle session was still open 10 s after a 300 ms idle timeout")
	}
}

// A manager adding their own key to another manager, who holds more, would
// then act as them (the mgr → mgr2): refused, and the key opens nothing.
func TestSSHManagerCannotAddAKeyToAPeer(t *testing.T) {
	f := newSSHFixture(t)
	ctx := context.Background()
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	const peer = "max@acme.test"
	res, err := f.svc.Invite(ctx, boss, []admin.NewUser{{Email: peer, Role: "manager"}}, admin.InviteOptions{})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	sqlExec(t, f.st.Path(), "UPDATE users SET status = 'active', activated_at = 1 WHERE email = ?", peer)
	if _, err := f.svc.SetPermissions(ctx, boss, peer, 0, admin.PermChange{Grant: []string{"users.delete", "settings.billing"}}); err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	monas, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}

	out, code := f.commandIn(t, f.keys["mona@acme.test"], "keys add "+peer+" -", bytes.NewReader(gossh.MarshalAuthorizedKey(monas.PublicKey())))
	if code != 1 || !strings.Contains(out, "permission denied") {
		t.Fatalf("keys add %s over ssh as a peer manager: exit %d %q", peer, code, out)
	}
	if n := count(t, f.st.Path(), "SELECT count(*) FROM ssh_keys WHERE user_id = (SELECT id FROM users WHERE email = ?)", peer); n != 0 {
		t.Fatalf("%s has %d keys", peer, n)
	}
	if _, err := f.dial(t, gossh.PublicKeys(monas)); err == nil {
		t.Fatal("the refused key opens roster serve")
	}
}

// roster help over SSH shows only what works there: no --db, --as or mail
// flags, which SSH refuses, and no local-only command, even asked by name.
func TestSSHHelpShowsWhatWorksThere(t *testing.T) {
	f := newSSHFixture(t)
	boss := f.keys["boss@acme.test"]
	out, code := f.command(t, boss, "help")
	if code != 0 || !strings.Contains(out, "invites") || !strings.Contains(out, "--json") {
		t.Fatalf("help over ssh: %d\n%s", code, out)
	}
	// ssh reads a flag between HOST and the command as its own.
	if !strings.Contains(out, "usage: ssh [-p PORT] HOST [COMMAND [--json] [--lang fr|en]]\n") {
		t.Errorf("help over ssh: the usage line puts flags where ssh reads them:\n%s", out)
	}
	refused := []string{"--db", "--as", "ROSTER_DB", "ROSTER_AS", "--smtp", "--base-url"}
	for _, cmd := range commands {
		if cmd.local {
			if regexp.MustCompile(`(?m)^  ` + cmd.name + `\b`).MatchString(out) {
				t.Errorf("help over ssh lists %s, which is local only:\n%s", cmd.name, out)
			}
			if o, code := f.command(t, boss, "help "+cmd.name); code == 0 || !strings.Contains(o, "not available over SSH") {
				t.Errorf("help %s over ssh: %d %s", cmd.name, code, o)
			}
			continue
		}
		o, code := f.command(t, boss, "help "+cmd.name)
		if code != 0 || cmd.name != "help" && !strings.HasPrefix(o, "usage: ssh HOST "+cmd.name) {
			t.Errorf("help %s over ssh: %d %s", cmd.name, code, o)
		}
		out += o
	}
	for _, flag := range refused {
		if strings.Contains(out, flag) {
			t.Errorf("help over ssh shows %s, which ssh refuses:\n%s", flag, out)
		}
	}
}

// SIGTERM is roster serve's to handle (issue 16's clean stop): a session's
// program that took it for itself quit its dashboard at once, and when it won
// the race with the server's stop, the session ended before the server said
// it was stopping: the operator was not told, and their connection stayed
// open until Shutdown gave up on it 5 s later (TestE2EServeStopsCleanly
// failed so under load). The dashboard must outlive the signal and end only
// when Stopping closes, with the going-away line.
func TestSSHDashboardLeavesSignalsToTheServer(t *testing.T) {
	stopping := make(chan struct{})
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.Stopping = stopping })
	client, err := f.dial(t, gossh.PublicKeys(f.keys["boss@acme.test"]))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	screen, ended := openShell(t, client)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(screen.String(), "boss@acme.test"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no dashboard after 10 s: %q", tail(screen.String(), 400))
		}
	}

	// The test process stands in for roster serve: it takes the signal, so
	// that the signal does not end it, and does not stop the server.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-sig
	select {
	case err := <-ended:
		t.Fatalf("the dashboard ended on the process's SIGTERM (%v), the server not stopping; it showed:\n%q", err, tail(screen.String(), 400))
	case <-time.After(500 * time.Millisecond):
	}

	close(stopping)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard was still open 10 s after the server began to stop")
	}
	if !strings.Contains(screen.String(), server.GoingAway) {
		t.Errorf("the operator was not told the server is going away; the session showed:\n%q", tail(screen.String(), 400))
	}
}

// A key removed while its dashboard is open can do nothing more: every
// act of the session is refused by admin, and the session ends within
// KeyCheck, saying why; so does a dashboard whose operator was deactivated.
func TestSSHRemovedKeyEndsItsSession(t *testing.T) {
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.KeyCheck = 50 * time.Millisecond })
	ctx := context.Background()
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	sh := f.shell(t, "mona@acme.test")
	fp := gossh.FingerprintSHA256(f.keys["mona@acme.test"].PublicKey())
	sh.wait(t, "acting as") // the dashboard is open when the key is removed
	if err := f.svc.RemoveKey(ctx, boss, "mona@acme.test", fp); err != nil {
		t.Fatal(err)
	}
	// What the session acts with is refused at once, whatever the screens do.
	mona := admin.Actor{Email: "mona@acme.test", Channel: admin.ChannelSSH, Key: fp}
	var d *admin.DeniedError
	if _, err := f.svc.Invite(ctx, mona, []admin.NewUser{{Email: "new@acme.test"}}, admin.InviteOptions{}); !errors.As(err, &d) {
		t.Fatalf("an invitation with the removed key: %v, want refused", err)
	}
	if _, _, err := f.svc.CreateAPIKey(ctx, mona, "persist", time.Time{}); !errors.As(err, &d) {
		t.Fatalf("an API key created with the removed key: %v, want refused", err)
	}
	sh.ends(t, 10*time.Second, "the key "+fp+" you signed in with was removed")

	bossSh, sh := f.shell(t, "boss@acme.test"), f.shell(t, "milo@acme.test")
	bossSh.wait(t, "acting as")
	sh.wait(t, "My settings")
	if err := f.svc.Deactivate(ctx, boss, "milo@acme.test"); err != nil {
		t.Fatal(err)
	}
	sh.ends(t, 10*time.Second, "milo@acme.test is deactivated, not active")
	select { // boss's own session goes on
	case <-bossSh.ended:
		t.Fatalf("deactivating someone else ended boss's session: %q", bossSh.stderr.String())
	case <-time.After(300 * time.Millisecond):
	}
}

// The server's stop ends a command waiting on its standard input (invite
// --csv - from a pipe still open) as it ends a dashboard: the command stops,
// the operator is told the server is going away, and ssh exits 1. The
// command sat in its read past the stop, which then waited its 5 s for it
// and cut the connection unsaid, with no exit status.
func TestSSHStopEndsACommandReadingItsInput(t *testing.T) {
	stopping := make(chan struct{})
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.Stopping = stopping })
	_, sess := f.session(t, "boss@acme.test")
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out := &lockedBuffer{}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start("invite --csv -"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "email,first_name,last_name\n") // the header, and then nothing yet
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	time.Sleep(300 * time.Millisecond)
	close(stopping)
	select {
	case err = <-ended:
	case <-time.After(3 * time.Second):
		t.Fatalf("the command was still open 3 s after the server began to stop: %q", out.String())
	}
	if !strings.Contains(out.String(), server.GoingAway) {
		t.Errorf("the operator was not told the server is going away: %q", out.String())
	}
	if exit := (*gossh.ExitError)(nil); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("ssh ended with %v, want exit status 1", err)
	}
	if n := count(t, f.st.Path(), "SELECT count(*) FROM users"); n != 3 {
		t.Errorf("%d users after the stop, want the 3 there were", n)
	}
}

// A dashboard nobody types in ends after the idle timeout, saying so, even
// while the client sends keepalives (OpenSSH's ServerAliveInterval) and
// the dashboard redraws: the connection was never idle, so that a
// dashboard left open on an unattended desk stayed open for good. Keys
// typed keep it open.
func TestSSHIdleDashboardEndsDespiteKeepalives(t *testing.T) {
	const idle = 600 * time.Millisecond
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.IdleTimeout = idle })
	sh := f.shell(t, "boss@acme.test")
	go sh.keepalive()
	opened := time.Now()
	// Typing for three idle timeouts keeps it open.
	for time.Since(opened) < 3*idle {
		select {
		case err := <-sh.ended:
			t.Fatalf("the dashboard ended while keys were typed: %v %q", err, sh.stderr.String())
		case <-time.After(idle / 4):
			sh.stdin.Write([]byte("j"))
		}
	}
	if !strings.Contains(sh.screen.String(), "boss@acme.test") {
		t.Fatalf("no dashboard: %q", tail(sh.screen.String(), 400))
	}
	sh.endsIdle(t, idle)
}

// A dashboard whose act is at work (a bulk act, here held up by another
// writer) is not ended as idle, however long nobody types: its idle time
// counts from the act's end. The bulk act of a million users was ended
// after its batch at work, its outcome unsaid.
func TestSSHDashboardWithAnActAtWorkIsNotIdle(t *testing.T) {
	const idle = 600 * time.Millisecond
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.IdleTimeout = idle })
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	for _, email := range []string{"ann@acme.test", "bob@acme.test"} {
		if res, err := f.svc.Invite(context.Background(), boss, []admin.NewUser{{Email: email}}, admin.InviteOptions{}); err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
	}
	sh := f.shell(t, "boss@acme.test")
	go sh.keepalive() // as OpenSSH's ServerAliveInterval: the act draws nothing while held up
	sh.wait(t, "acting as")
	sh.stdin.Write([]byte("3"))
	sh.wait(t, "bob@acme.test")
	sh.stdin.Write([]byte("Ar"))
	sh.wait(t, "y/n")
	writer := rawDB(t, f.st.Path())
	defer writer.Close()
	conn, err := writer.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	sh.stdin.Write([]byte("y"))
	select {
	case err := <-sh.ended:
		t.Fatalf("the dashboard ended as idle while its act was at work: %v %q", err, sh.stderr.String())
	case <-time.After(4 * idle):
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	sh.endsIdle(t, idle)
}

// sshShell is a dashboard opened over SSH in a pty, what it drew and said.
type sshShell struct {
	client         *gossh.Client
	stdin          io.Writer
	screen, stderr *lockedBuffer
	ended          chan error
}

// shell opens email's dashboard in a 110x30 pty.
func (f *sshFixture) shell(t *testing.T, email string) *sshShell {
	t.Helper()
	client, sess := f.session(t, email)
	if err := sess.RequestPty("xterm-256color", 30, 110, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	sh := &sshShell{client: client, screen: &lockedBuffer{}, stderr: &lockedBuffer{}, ended: make(chan error, 1)}
	sess.Stdout, sess.Stderr = sh.screen, sh.stderr
	var err error
	if sh.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { sh.ended <- sess.Wait() }()
	return sh
}

// session opens an SSH session as email on a connection of its own, both
// closed with the test.
func (f *sshFixture) session(t *testing.T, email string) (*gossh.Client, *gossh.Session) {
	t.Helper()
	client, err := f.dial(t, gossh.PublicKeys(f.keys[email]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return client, sess
}

// keepalive sends OpenSSH's keepalive every 100 ms until the connection ends.
func (sh *sshShell) keepalive() {
	for range time.Tick(100 * time.Millisecond) {
		if _, _, err := sh.client.SendRequest("keepalive@openssh.com", true, nil); err != nil {
			return
		}
	}
}

// wait waits up to 10 s for the screen to show text.
func (sh *sshShell) wait(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(sh.screen.String(), text); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s, no %q: %q", text, tail(sh.screen.String(), 400))
		}
	}
}

// endsIdle checks that the dashboard ends as idle within a few seconds of
// idle from now.
func (sh *sshShell) endsIdle(t *testing.T, idle time.Duration) {
	t.Helper()
	sh.ends(t, idle+3*time.Second, "nothing was typed for "+idle.String())
}

// ends checks that the session ends within d, saying want, as a refusal:
// ssh exits 1, as when the session is refused from the start, not 0 as
// after q.
func (sh *sshShell) ends(t *testing.T, d time.Duration, want string) {
	t.Helper()
	var err error
	select {
	case err = <-sh.ended:
	case <-time.After(d):
		t.Fatalf("the session was still open %v later, not saying %q", d, want)
	}
	if !strings.Contains(sh.stderr.String(), want) {
		t.Errorf("the session ended saying %q, want %q", sh.stderr.String(), want)
	}
	if exit := (*gossh.ExitError)(nil); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("ssh ended with %v, want exit status 1", err)
	}
}

// A session asking for the dashboard with no terminal (ssh -T HOST, or ssh
// HOST < file) is told, in roster's words, how to open it or what to run
// instead, and exits 1: it got wish's "no active terminal, skipping".
func TestSSHDashboardWithoutATerminal(t *testing.T) {
	f := newSSHFixture(t)
	_, sess := f.session(t, "boss@acme.test")
	var stdout, stderr bytes.Buffer
	sess.Stdout, sess.Stderr = &stdout, &stderr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err := sess.Wait()
	if exit := (*gossh.ExitError)(nil); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("ssh ended with %v, want exit status 1", err)
	}
	if stderr.String() != server.NeedsTerminal+"\r\n" || stdout.Len() != 0 {
		t.Errorf("told %q on stderr and %q on stdout, want %q", stderr.String(), stdout.String(), server.NeedsTerminal)
	}
}

// A client that reads nothing (a suspended ssh, a link gone quiet) has its
// connection closed once the server ends its session (here its key
// removed) and the session cannot end by itself, its writes waiting for a
// window the client never gives: the dashboard stayed open, its operator
// no longer let in, as long as the connection.
func TestSSHSessionOfAClientThatReadsNothingEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a session's window, 2 MB of redraws")
	}
	f := newSSHFixture(t, func(o *server.SSHOptions) { o.KeyCheck = 50 * time.Millisecond })
	_, sess := f.session(t, "mona@acme.test")
	if err := sess.RequestPty("xterm-256color", 30, 110, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdout, _ := sess.StdoutPipe()
	stdin, _ := sess.StdinPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	// The dashboard is read until it shows (the window changes wait for it:
	// charm's ssh reads the pty's size unlocked as a session starts), and
	// never again: the window is never given back.
	var drawn []byte
	for buf := make([]byte, 32<<10); !bytes.Contains(drawn, []byte("mona@acme.test")); {
		n, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("no dashboard: %v %q", err, drawn)
		}
		drawn = append(drawn, buf[:n]...)
	}
	// Redraws of the whole screen, until the session's 2 MB window is full.
	for start := time.Now(); time.Since(start) < 12*time.Second; time.Sleep(9 * time.Millisecond) {
		if err := sess.WindowChange(40+int(time.Since(start)/time.Millisecond)%2, 120); err != nil {
			t.Fatal(err)
		}
		stdin.Write([]byte("?"))
	}
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelCLI}
	fp := gossh.FingerprintSHA256(f.keys["mona@acme.test"].PublicKey())
	if err := f.svc.RemoveKey(context.Background(), boss, "mona@acme.test", fp); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
	case <-time.After(6 * time.Second):
		t.Fatalf("the dashboard of a client that reads nothing was still open 6 s after its key was removed")
	}
}
