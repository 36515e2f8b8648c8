package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCompletionAndManFollowTheCommandTable: each completion script and the
// manual page name every command of the table and every flag its usage line
// names (the shells after completion, the commands after help), so a
// command added to the table shows in all of them at once.
func TestCompletionAndManFollowTheCommandTable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	outputs := map[string]string{"man": ok(t, db, "man")}
	for _, sh := range shells {
		outputs[sh] = ok(t, db, "completion", sh)
	}
	for what, out := range outputs {
		for _, cmd := range commands {
			named := regexp.MustCompile(`(^|[\s'(])` + regexp.QuoteMeta(cmd.name) + `($|[\s:)'])`).MatchString(out)
			if what == "man" {
				named = strings.Contains(out, "\n.B roster "+cmd.name+"\n")
			}
			if !named {
				t.Errorf("%s does not name the command %s", what, cmd.name)
			}
			for _, f := range commandWords(cmd) {
				switch {
				case what == "man":
					f = strings.ReplaceAll(f, "-", `\-`)
				case what == "fish" && strings.HasPrefix(f, "--"):
					f = "-l " + strings.TrimPrefix(f, "--")
				case what == "fish":
					f = "-a " + f
				}
				if !strings.Contains(out, f) {
					t.Errorf("%s does not name %s's flag %s", what, cmd.name, f)
				}
			}
		}
	}
	fails(t, db, "completion takes one shell: bash, zsh, fish", "completion", "tcsh")

	if _, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z")
		cmd.Stdin = strings.NewReader(outputs["man"])
		if msg, err := cmd.CombinedOutput(); err != nil || len(msg) > 0 {
			t.Errorf("groff finds fault with the manual page: %v\n%s", err, msg)
		}
	}
	for _, sh := range []string{"zsh", "fish"} {
		if _, err := exec.LookPath(sh); err != nil {
			t.Logf("%s is not installed: its script's syntax is not checked", sh)
			continue
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(outputs[sh])
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, msg)
		}
	}
}

// TestBashCompletes sources the bash script and asks it what completes.
func TestBashCompletes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	script := filepath.Join(t.TempDir(), "roster.bash")
	if err := os.WriteFile(script, []byte(ok(t, filepath.Join(t.TempDir(), "roster.db"), "completion", "bash")), 0o600); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"roster us":             "users user",
		"roster users --st":     "--status",
		"roster completion ":    "bash zsh fish",
		"roster help ser":       "serve",
		"roster serve --log-f":  "--log-format",
		"roster invites --stu":  "--stuck",
		"roster --j":            "--json",
		"roster migrate --from": "--from",
	} {
		words := strings.Split(line, " ")
		cmd := exec.Command("bash", "--norc", "--noprofile", "-c", `source "$0" && complete -p roster >/dev/null && COMP_WORDS=("${@}") && COMP_CWORD=$((${#COMP_WORDS[@]}-1)) && _roster && echo "${COMPREPLY[*]}"`, script)
		cmd.Args = append(cmd.Args, words...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
}
