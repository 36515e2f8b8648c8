package server

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// The host key is created on first start in a file of its own, readable by
// its owner alone, and kept: the directory it is put in is left as it was.
// wish's generator made every existing directory named by --host-key 0700,
// so that --host-key /etc/roster_host_key, run as root, took /etc from
// everyone else, and --host-key host_key took the working directory.
func TestSSHHostKeyCreatedWithoutTouchingItsDirectory(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shared, 0o755) // whatever the umask
	path := filepath.Join(shared, "host_key")
	first := serveHostKey(t, path, nil)
	if fi, err := os.Stat(shared); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("the directory the host key went in: %v %v, want 0755 as it was", fi.Mode(), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the host key file: %v %v, want 0600", fi.Mode(), err)
	}
	if again := serveHostKey(t, path, nil); !bytes.Equal(again.Marshal(), first.Marshal()) {
		t.Fatal("a second start served another host key")
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil || !strings.HasPrefix(string(pub), strings.TrimSpace(string(gossh.MarshalAuthorizedKey(first)))) {
		t.Fatalf("the public half beside it: %q %v", pub, err)
	}

	// A directory that does not exist is made, for the key's owner alone.
	path = filepath.Join(t.TempDir(), "state", "roster", "host_key")
	serveHostKey(t, path, nil)
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the directory made for the host key: %v %v, want 0700", fi.Mode(), err)
	}

	// A key others may read is served, and the log says so.
	os.Chmod(path, 0o644)
	var logs bytes.Buffer
	serveHostKey(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "host key") || !strings.Contains(logs.String(), "chmod 600") {
		t.Fatalf("a host key readable by others was not warned of: %q", logs.String())
	}
}

// A host key file that holds no key (empty after a full disk, another
// file copied there, a key with a passphrase) stops roster serve with an
// error naming it: it said "ssh: no key found", and the operator did not
// know which file, nor that it was the host key.
func TestSSHHostKeyUnreadableIsNamed(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"empty": "", "garbage": "not a key\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := NewSSH(nil, SSHOptions{HostKeyPath: path})
		if err == nil || !strings.Contains(err.Error(), "host key "+path+": ") {
			t.Errorf("%s host key: %v, want an error naming %s", name, err, path)
		}
	}
}

// serveHostKey starts the SSH side with the host key file path and returns
// the host key a client is shown.
func serveHostKey(t *testing.T, path string, log *slog.Logger) gossh.PublicKey {
	t.Helper()
	srv, err := NewSSH(nil, SSHOptions{HostKeyPath: path, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	var shown gossh.PublicKey
	// No way to sign in is offered: the host key is all this asks for.
	gossh.Dial("tcp", ln.Addr().String(), &gossh.ClientConfig{User: "roster", Timeout: 5 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { shown = k; return nil }})
	if shown == nil {
		t.Fatal("no host key shown")
	}
	return shown
}
