package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// readmeCode is what the README writes as code: its indented and fenced
// lines, and its `spans` (which may wrap a line), each one string.
func readmeCode(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var code, prose []string
	fenced, indented, blank := false, false, true
	for _, l := range strings.Split(string(readme), "\n") {
		// An indented block begins after a blank line: a list item's
		// paragraph goes on indented too, but right after its text.
		indented = strings.HasPrefix(l, "    ") && (indented || blank) || indented && l == ""
		blank = l == ""
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "```"):
			fenced = !fenced
		case fenced || indented:
			code = append(code, l)
		default:
			prose = append(prose, l)
		}
	}
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(strings.Join(prose, "\n"), -1) {
		code = append(code, strings.Join(strings.Fields(m[1]), " "))
	}
	return code
}

// helpFlags runs roster ARGS --help and returns the flags it describes.
func helpFlags(t *testing.T, args ...string) map[string]bool {
	t.Helper()
	out, _, _ := roster(t, "", append(args, "--help")...)
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z0-9-]+)`).FindAllStringSubmatch(out, -1) {
		flags[m[1]] = true
	}
	return flags
}

// Every flag the README gives a roster command is one that command takes
// (as its --help, or its verb's, describes it), and every other flag the
// README names is one of roster's, but for the few of the other programs
// it shows: a flag renamed or dropped had stayed in the README.
func TestReadmeFlagsExist(t *testing.T) {
	global := map[string]bool{"help": true} // roster --help, roster COMMAND --help
	g, _ := (&cli{}).globalFlags()
	g.VisitAll(func(f *flag.Flag) { global[f.Name] = true })
	all := maps.Clone(global)
	known := map[string]map[string]bool{} // by "command" and "command verb"
	flagsOf := func(words ...string) map[string]bool {
		key := strings.Join(words, " ")
		if known[key] == nil {
			known[key] = helpFlags(t, words...)
			maps.Copy(all, known[key])
		}
		return known[key]
	}
	for _, cmd := range commands {
		flagsOf(cmd.name)
	}
	flagRE := regexp.MustCompile(`(?:^|[^\w-])--([a-z][a-z0-9-]*)`)
	segmentRE := regexp.MustCompile(`(?:^|[\s/(])roster ([^#|&;>)\n]*)`)
	type use struct{ flag, where string }
	var others []use
	segments := 0
	for _, code := range readmeCode(t) {
		if strings.HasPrefix(code, "serve --") { // the configuration's table: serve --ssh ADDR
			code = "roster " + code
		}
		checked := map[int]bool{}
		for _, m := range segmentRE.FindAllStringSubmatchIndex(code, -1) {
			seg := code[m[2]:m[3]]
			words := strings.Fields(seg)
			// The global flags before the command, and their values.
			i := 0
			for i < len(words) && strings.HasPrefix(words[i], "--") {
				name, _, hasValue := strings.Cut(words[i][2:], "=")
				if !global[name] {
					t.Errorf("README: roster %s: --%s is no global flag", seg, name)
				}
				i++
				if !hasValue && name != "json" && name != "version" {
					i++
				}
			}
			if i >= len(words) {
				continue
			}
			cmd := findCommand(words[i])
			if cmd == nil {
				if words[i] == strings.ToUpper(words[i]) { // COMMAND, FILE: a placeholder
					continue
				}
				t.Errorf("README: roster %s: %q is no command", seg, words[i])
				continue
			}
			segments++
			takes := maps.Clone(global)
			maps.Copy(takes, flagsOf(cmd.name))
			if i+1 < len(words) && regexp.MustCompile(`^[a-z]+$`).MatchString(words[i+1]) {
				maps.Copy(takes, flagsOf(cmd.name, words[i+1])) // its verb's: billing plan --period
			}
			for _, f := range flagRE.FindAllStringSubmatchIndex(seg, -1) {
				checked[m[2]+f[2]] = true
				if name := seg[f[2]:f[3]]; !takes[name] {
					t.Errorf("README: roster %s: roster %s takes no --%s", seg, cmd.name, name)
				}
			}
		}
		for _, f := range flagRE.FindAllStringSubmatchIndex(code, -1) {
			if !checked[f[2]] {
				others = append(others, use{code[f[2]:f[3]], code})
			}
		}
	}
	if segments < 100 || len(others) < 50 {
		t.Fatalf("the README's command lines were not found: %d roster commands, %d other flags", segments, len(others))
	}
	// The other programs' flags the README shows (sha256sum, systemd-run,
	// systemctl), and the mistyped flag it shows roster answering.
	foreign := map[string]bool{"check": true, "ignore-missing": true, "pty": true, "wait": true, "now": true, "add-tag": true}
	for _, u := range others {
		if !all[u.flag] && !foreign[u.flag] {
			t.Errorf("README: %s: roster has no --%s", u.where, u.flag)
		}
	}
}

// Every ROSTER_ variable roster reads is in the README and on the manual
// page, and every one they name is read: ROSTER_MAIL_LIFETIME was read
// and said nowhere.
func TestReadmeAndManNameEveryVariable(t *testing.T) {
	nameRE := regexp.MustCompile(`"(ROSTER_[A-Z0-9_]+)"`)
	read := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || path == "internal/benchdb" || path == "internal/testdb") && path != "." {
			return filepath.SkipDir // the benchmarks' and tests' own
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range nameRE.FindAllSubmatch(src, -1) {
			read[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !read["ROSTER_DB"] || !read["ROSTER_SMTP"] || !read["ROSTER_MAIL_LIFETIME"] {
		t.Fatalf("the variables read were not found: %v", slices.Sorted(maps.Keys(read)))
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	man := manPage()
	for v := range read {
		if !strings.Contains(string(readme), "`"+v+"`") {
			t.Errorf("roster reads %s, which the README does not name", v)
		}
		if !strings.Contains(man, ".B "+v+"\n") {
			t.Errorf("roster reads %s, which roster man does not name under ENVIRONMENT", v)
		}
	}
	testOnly := map[string]bool{"ROSTER_TEST_POSTGRES": true} // the tests' PostgreSQL server
	for _, m := range regexp.MustCompile(`ROSTER_[A-Z0-9_]*[A-Z0-9]`).FindAllString(string(readme)+man, -1) {
		if !read[m] && !testOnly[m] {
			t.Errorf("the README or roster man names %s, which roster does not read", m)
		}
	}
}

// helpUsages runs roster ARGS --help and returns each flag's description.
func helpUsages(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, _, _ := roster(t, "", append(args, "--help")...)
	usages := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z0-9-]+).*\n((?:    .*\n)*)`).FindAllStringSubmatch(out, -1) {
		usages[m[1]] = strings.Join(strings.Fields(m[2]), " ")
	}
	return usages
}

// The configuration's table names each flag with the variable that flag
// reads (as its --help says it: env ROSTER_SSH), no variable for a flag
// that reads none, and every flag of roster serve but --json and --lang
// (said in the command line's section): serve --idle-timeout was missing.
func TestReadmeConfigurationTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## Configuration\n")
	section, _, _ = strings.Cut(section, "\n## ")
	usages := helpUsages(t, "serve")
	rowRE := regexp.MustCompile("(?m)^\\| (`(serve )?--([a-z0-9-]+)[^`]*`)?[^|]*\\| (`(ROSTER_[A-Z0-9_]+)`)? *\\|")
	rows := rowRE.FindAllStringSubmatch(section, -1)
	if len(rows) < 20 {
		t.Fatalf("the configuration's table was not found: %d rows", len(rows))
	}
	inTable := map[string]bool{"json": true, "lang": true}
	for _, r := range rows {
		flag, env := r[3], r[5]
		if flag == "" {
			continue
		}
		inTable[flag] = true
		usage, ok := usages[flag]
		switch {
		case !ok:
			t.Errorf("README: the configuration's --%s is no flag of roster serve's", flag)
		case env != "" && !regexp.MustCompile(`env `+env+`\b`).MatchString(usage):
			t.Errorf("README: the configuration pairs --%s with %s, which it does not read: %s", flag, env, usage)
		case env == "" && strings.Contains(usage, "env ROSTER_"):
			t.Errorf("README: the configuration gives --%s no variable, where it reads one: %s", flag, usage)
		}
	}
	for flag := range usages {
		if !inTable[flag] {
			t.Errorf("README: roster serve --%s is not in the configuration's table", flag)
		}
	}
}
