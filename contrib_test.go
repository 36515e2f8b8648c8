package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestSystemdUnit checks contrib/roster.service with systemd-analyze verify
// (which exits 0 on what it ignores: any output is a fault), with ExecStart
// pointed at the binary the tests built; that it keeps the hardening and a
// user of its own; and that every ROSTER_ variable it sets is one roster reads.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile("contrib/roster.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=roster", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"PrivateTmp=yes", "ProtectHome=yes", "Environment=ROSTER_DB=%S/roster/", "Environment=ROSTER_HOST_KEY=%S/roster/", "ExecStart=/usr/local/bin/roster serve\n"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	var source strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range append(files, "mail/config.go") {
		if !strings.HasSuffix(f, "_test.go") {
			b, _ := os.ReadFile(f)
			source.Write(b)
		}
	}
	for _, v := range regexp.MustCompile(`ROSTER_[A-Z_]+`).FindAllString(string(unit), -1) {
		if !strings.Contains(source.String(), `"`+v+`"`) {
			t.Errorf("the unit names %s, which roster does not read", v)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian's systemd package has it): the unit is not verified")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "roster.service")
	bin := e2eBinary(t)
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/roster", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestReleaseScript runs contrib/release for this machine's platform: the
// binary runs, was built without cgo and with paths trimmed, says the
// version stamped (once roster --version exists), and SHA256SUMS holds its
// checksum. (The four platforms take
// minutes more, each compiling SQLite's Go translation again.)
func TestReleaseScript(t *testing.T) {
	need(t, "bash")
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("bash", append([]string{"contrib/release"}, args...)...)
		cmd.Env = append(os.Environ(), "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("not a version", dir); err == nil || !strings.Contains(out, "usage: contrib/release VERSION") {
		t.Errorf("a version with spaces: %v %q, want the usage", err, out)
	}
	if out, err := run("v9.8.7-test", dir); err != nil {
		t.Fatalf("contrib/release: %v\n%s", err, out)
	}
	name := fmt.Sprintf("roster-v9.8.7-test-%s-%s", runtime.GOOS, runtime.GOARCH)
	bin := filepath.Join(dir, name)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if sums, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS")); string(sums) != hex.EncodeToString(sum[:])+"  "+name+"\n" {
		t.Errorf("SHA256SUMS is %q, want the binary's checksum", sums)
	}
	if out, err := exec.Command(bin, "help").Output(); err != nil || !strings.Contains(string(out), "roster: administer") {
		t.Errorf("the released binary: %v %q", err, out)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath=true"} { // -trimpath leaves -ldflags out
		if !strings.Contains(string(info), want) {
			t.Errorf("the binary was not built with %s:\n%s", want, info)
		}
	}
	// The stamp shows in roster --version, where there is one (issue 16's
	// lifecycle part brings it).
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err == nil && !strings.Contains(string(out), "v9.8.7-test") {
		t.Errorf("roster --version says %q, want the stamped version", out)
	} else if err != nil {
		t.Logf("this roster has no --version (%v): the stamp is not checked", err)
	}
}
