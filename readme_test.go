package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// The README's command lines run as written, one after the other, on a new
// database: a newcomer copies them, and they had drifted (a stand-in
// without its --until, a branch removed into one never made).
func TestREADMECommandLinesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary some fifty times")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	for _, l := range strings.Split(string(readme), "\n") {
		switch {
		case strings.HasPrefix(l, "    roster init --org"):
			block = append(block, l)
		case len(block) > 0 && strings.HasPrefix(l, "    "):
			block = append(block, l)
		case len(block) > 0:
			goto run
		}
	}
run:
	if len(block) < 20 {
		t.Fatalf("the README's command lines were not found: %q", block)
	}
	bin, dir := e2eBinary(t), t.TempDir()
	// What the lines name: a CSV file of people and an SSH public key.
	csv := "email,first_name,last_name,phone,role,team,position,reference_id,locale,branch\n" +
		"dee@acme.example,Dee,Martin,06 11 22 33 44,member,Support,Agent,E001,fr,Lyon\n"
	if err := os.WriteFile(filepath.Join(dir, "people.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key, _ := gossh.NewPublicKey(pub)
	if err := os.MkdirAll(filepath.Join(dir, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".ssh", "id_ed25519.pub"), gossh.MarshalAuthorizedKey(key), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"), "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"ROSTER_DB="+filepath.Join(dir, "roster.db"), "ROSTER_LANG=en")
	for _, l := range block {
		line, _, _ := strings.Cut(strings.TrimSpace(l), "   #") // its comment
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "roster seed"), strings.HasPrefix(line, "roster migrate"), strings.HasPrefix(line, "roster backup"),
			strings.HasPrefix(line, "roster webhooks add"):
			continue // minutes of fake data, a PostgreSQL server, a backup's file name, a receiver on the Internet: tested on their own
		case strings.HasPrefix(line, "roster user "):
			// Ann and Bob accept their invitations (the web page, which
			// the command line has no part in): the lines after treat
			// them as active, an heir must be.
			sqlExec(t, filepath.Join(dir, "roster.db"), "UPDATE users SET status = 'active', activated_at = 1 WHERE email IN ('ann@acme.example', 'bob@acme.example')")
		}
		cmd := exec.Command("bash", "-c", line)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README: %s\n%v: %s", line, err, out)
		}
	}
}
