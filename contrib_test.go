package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
