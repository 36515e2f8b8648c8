package main

// Helpers of the end-to-end tests (e2e_test.go): the built binary, its
// command line, tmux panes driven by send-keys and read by capture-pane, and
// child processes such as roster serve.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"roster/i18n"
)

const (
	// e2eWait bounds every wait for something to show.
	e2eWait = 15 * time.Second
	// e2ePoll is how often a pane or a command is looked at again.
	e2ePoll = 100 * time.Millisecond
)

// e2eBuild is the roster binary, built once per test run (TestMain removes it).
var e2eBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	// The tests read English unless they ask for French: a French
	// developer's locale changes none of them (C.UTF-8 keeps tmux in UTF-8).
	os.Unsetenv("ROSTER_LANG")
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l, _ := i18n.Parse(os.Getenv(k)); l == i18n.French {
			os.Setenv(k, "C.UTF-8")
		}
	}
	code := m.Run()
	if e2eBuild.dir != "" {
		os.RemoveAll(e2eBuild.dir)
	}
	os.Exit(code)
}

// raceBuild reports whether this test binary has the race detector: the
// roster binary is then built with it too, so that a data race in the real
// program fails the end-to-end tests.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// e2eBinary builds roster (once) and returns its path.
func e2eBinary(t testing.TB) string {
	t.Helper()
	e2eBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "roster-e2e-bin")
		if err != nil {
			e2eBuild.err = err
			return
		}
		e2eBuild.dir = dir
		e2eBuild.path = filepath.Join(dir, "roster")
		args := []string{"build", "-o", e2eBuild.path}
		if raceBuild() {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			e2eBuild.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if e2eBuild.err != nil {
		t.Fatal(e2eBuild.err)
	}
	return e2eBuild.path
}

// need skips the test in -short mode, or when a program it drives is missing.
func need(t *testing.T, programs ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", p)
		}
	}
}

// e2eEnv is one test's machine: a temporary home and data directory, a
// database file, and the built binary.
type e2eEnv struct {
	t   *testing.T
	dir string
	bin string
	db  string
	env []string // for every child process
}

func newE2E(t *testing.T) *e2eEnv {
	t.Helper()
	dir := t.TempDir()
	e := &e2eEnv{t: t, dir: dir, bin: e2eBinary(t), db: filepath.Join(dir, "roster.db")}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "ROSTER_"), strings.HasPrefix(k, "XDG_"), strings.HasPrefix(k, "TMUX"),
			strings.HasPrefix(k, "SSH_"), k == "HOME", k == "TERM", k == "NO_COLOR", k == "GORACE":
			continue
		}
		e.env = append(e.env, kv)
	}
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o700)
	e.env = append(e.env, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"TERM=xterm-256color", "LANG=C.UTF-8", "TZ=UTC",
		// A race-built roster would wait a second at each exit.
		"GORACE=atexit_sleep_ms=0")
	return e
}

// dataDirDB is the database roster makes on its first run when given no
// --db: the one in the test's data directory (XDG_DATA_HOME).
func (e *e2eEnv) dataDirDB() string {
	return filepath.Join(e.dir, "home", ".local", "share", "roster", "roster.db")
}

// run runs the command line on the test's database and returns its output
// and exit code.
func (e *e2eEnv) run(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	cmd := exec.Command(e.bin, append([]string{"--db", e.db}, args...)...)
	cmd.Env = e.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), exit.ExitCode()
	} else if err != nil {
		e.t.Fatalf("roster %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), 0
}

// cli runs a command that must succeed and returns what it printed.
func (e *e2eEnv) cli(args ...string) string {
	e.t.Helper()
	out, errs, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("roster %s: exit %d: %s%s", strings.Join(args, " "), code, errs, out)
	}
	return out
}

// cliFails runs a command that must fail, with want on stderr.
func (e *e2eEnv) cliFails(want string, args ...string) {
	e.t.Helper()
	out, errs, code := e.run(args...)
	if code == 0 || !strings.Contains(errs, want) {
		e.t.Fatalf("roster %s: exit %d, stderr %q, stdout %q; want a failure saying %q", strings.Join(args, " "), code, errs, out, want)
	}
}

// cliJSON runs a command with --json and decodes its output.
func cliJSON[T any](e *e2eEnv, args ...string) T {
	e.t.Helper()
	var v T
	out := e.cli(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		e.t.Fatalf("roster %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// e2eUser is what `roster user EMAIL --json` prints that the tests read.
type e2eUser struct {
	ID          int64    `json:"id"`
	Email       string   `json:"email"`
	Role        string   `json:"role"`
	Status      string   `json:"status"`
	InvitedBy   int64    `json:"invited_by"`
	LoginCount  int      `json:"login_count"`
	LastLoginAt string   `json:"last_login_at"`
	Perms       []string `json:"perms"`
	Away        bool     `json:"away"`
	AwayPeriods []struct {
		Start   time.Time `json:"start"`
		End     time.Time `json:"end"`
		StandIn string    `json:"standin"`
		Note    string    `json:"note"`
	} `json:"away_periods"`
	Conversations []struct {
		Subject string `json:"subject"`
	} `json:"conversations"`
}

// e2eInvitation is one row of `roster invites --json`.
type e2eInvitation struct {
	Email     string    `json:"email"`
	InvitedBy string    `json:"invited_by"`
	TimesSent int       `json:"times_sent"`
	ExpiresAt time.Time `json:"expires_at"`
	Expired   bool      `json:"expired"`
	Stuck     bool      `json:"stuck"`
}

// e2eAudit is one row of `roster audit --json`.
type e2eAudit struct {
	Actor   string          `json:"actor"`
	Channel string          `json:"channel"`
	Action  string          `json:"action"`
	Target  string          `json:"target"`
	After   json.RawMessage `json:"after"`
}

// auditTargets lists who an action was done to and through which channel
// ("ann@acme.test tui"), sorted, from roster audit --json.
func auditTargets(e *e2eEnv, action string) []string {
	e.t.Helper()
	var out []string
	for _, a := range cliJSON[[]e2eAudit](e, "audit", "--action", action, "--limit", "1000") {
		out = append(out, a.Target+" "+a.Channel)
	}
	slices.Sort(out)
	return out
}

// tmuxServer is a private tmux server: its own socket in the test's
// directory, no user configuration, killed when the test ends.
type tmuxServer struct {
	e    *e2eEnv
	sock string
	conf string
}

func newTmux(e *e2eEnv) *tmuxServer {
	e.t.Helper()
	x := &tmuxServer{e: e, sock: filepath.Join(e.dir, "tmux.sock"), conf: filepath.Join(e.dir, "tmux.conf")}
	// No status line: the pane is the whole window. A pane whose program
	// ended stays, so that a crash can be read.
	conf := "set -g status off\nset -g remain-on-exit on\nset -g history-limit 2000\n"
	if err := os.WriteFile(x.conf, []byte(conf), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(x.kill)
	return x
}

// kill ends the server and waits for its panes' shells to end: hung up,
// a shell may still write its program's status (start) into the test's
// directory, which the test's end then failed to remove ("directory not
// empty").
func (x *tmuxServer) kill() {
	out, _ := x.cmd("list-panes", "-a", "-F", "#{pane_pid}").Output()
	x.cmd("kill-server").Run()
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		for deadline := time.Now().Add(e2eWait); running(pid) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// running says whether process pid has not ended: it exists and is no
// zombie (ended, not yet reaped by whoever it was handed to).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc: a zombie counts as running
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	rest := b[bytes.LastIndexByte(b, ')')+1:]
	return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] != 'Z'
}

func (x *tmuxServer) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command("tmux", append([]string{"-S", x.sock, "-f", x.conf}, args...)...)
	cmd.Env = x.e.env
	return cmd
}

// run runs a tmux command that must succeed.
func (x *tmuxServer) run(args ...string) string {
	x.e.t.Helper()
	out, err := x.cmd(args...).CombinedOutput()
	if err != nil {
		x.e.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pane is one tmux session running one program.
type pane struct {
	x      *tmuxServer
	name   string
	stderr string // file the program's stderr goes to, shown on failure
	last   string // the last capture
}

// start runs argv in a new detached session of width×height cells; the
// program's stderr goes to a file, not over the screen, and its exit
// status to another once it ends (dead).
func (x *tmuxServer) start(name string, width, height int, argv ...string) *pane {
	x.e.t.Helper()
	p := &pane{x: x, name: name, stderr: filepath.Join(x.e.dir, name+".stderr")}
	var quoted []string
	for _, a := range argv {
		quoted = append(quoted, shellQuote(a))
	}
	x.run("new-session", "-d", "-s", name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height),
		strings.Join(quoted, " ")+" 2>"+shellQuote(p.stderr)+"; echo $? >"+shellQuote(p.stderr+".status"))
	return p
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// keys sends named keys (Enter, Tab, C-s, Escape, Space, ...), one at a time.
func (p *pane) keys(keys ...string) {
	p.x.e.t.Helper()
	for _, k := range keys {
		p.x.run("send-keys", "-t", p.name, k)
	}
}

// typ types text literally.
func (p *pane) typ(text string) {
	p.x.e.t.Helper()
	p.x.run("send-keys", "-t", p.name, "-l", "--", text)
}

// capture is the pane's text now, wrapped lines joined.
func (p *pane) capture() string {
	p.x.e.t.Helper()
	p.last = p.x.run("capture-pane", "-p", "-J", "-t", p.name)
	return p.last
}

// waitFor waits until every one of wants shows on the pane, and returns the screen.
func (p *pane) waitFor(wants ...string) string {
	p.x.e.t.Helper()
	return p.waitUntil(e2eWait, fmt.Sprintf("%q", wants), func(s string) bool {
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

func (p *pane) waitUntil(limit time.Duration, what string, ok func(screen string) bool) string {
	p.x.e.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := p.capture()
		if ok(s) {
			return s
		}
		if dead, _ := p.dead(); dead || time.Now().After(deadline) {
			p.x.e.t.Fatalf("%s: waited for %s; %s", p.name, what, p.report())
		}
		time.Sleep(e2ePoll)
	}
}

// dead reports whether the pane's program has ended, and its exit status,
// which the pane's shell wrote (start): tmux 3.3a's #{pane_dead_status} is
// empty for an exit 0, and for any status while it has seen the terminal
// close but not yet collected the program, which read a refusal at start
// as exit 0.
func (p *pane) dead() (bool, int) {
	p.x.e.t.Helper()
	var dead int
	fmt.Sscan(p.x.run("display-message", "-p", "-t", p.name, "#{pane_dead}"), &dead)
	if dead != 1 {
		return false, 0
	}
	b, err := os.ReadFile(p.stderr + ".status")
	status, serr := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || serr != nil {
		p.x.e.t.Fatalf("%s ended without its status (%v, %q)", p.name, err, b)
	}
	return true, status
}

// waitExit waits for the pane's program to end and returns its exit status.
func (p *pane) waitExit() int {
	p.x.e.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		if dead, status := p.dead(); dead {
			return status
		}
		if time.Now().After(deadline) {
			p.capture()
			p.x.e.t.Fatalf("%s: the program did not end; %s", p.name, p.report())
		}
		time.Sleep(e2ePoll)
	}
}

// report is the last screen and the program's stderr, for a failure message.
func (p *pane) report() string {
	errs, _ := os.ReadFile(p.stderr)
	return fmt.Sprintf("the screen shows:\n%s\n--- stderr:\n%s", p.last, errs)
}

// checkStderr fails the test when the program wrote a data race or a panic.
func (p *pane) checkStderr() {
	p.x.e.t.Helper()
	errs, _ := os.ReadFile(p.stderr)
	for _, bad := range []string{"DATA RACE", "panic:"} {
		if bytes.Contains(errs, []byte(bad)) {
			p.x.e.t.Fatalf("%s: stderr holds %q:\n%s", p.name, bad, errs)
		}
	}
}

// process is a child process such as roster serve, stopped when the test ends.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
	err  error
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// Logs is what the process wrote on stdout and stderr so far.
func (p *process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startProcess runs the binary with args; it is interrupted when the test ends.
func (e *e2eEnv) startProcess(args ...string) *process {
	e.t.Helper()
	p := &process{t: e.t, done: make(chan struct{})}
	p.cmd = exec.Command(e.bin, append([]string{"--db", e.db}, args...)...)
	p.cmd.Env = e.env
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	e.t.Cleanup(func() { p.stop() })
	return p
}

// stop interrupts the process as ctrl+c would and returns how it ended;
// after 10 s it is killed.
func (p *process) stop() error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return p.err
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("did not stop within 10 s of SIGINT")
	}
}

// waitLog waits until the process logged want.
func (p *process) waitLog(want string) {
	p.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for !strings.Contains(p.Logs(), want) {
		select {
		case <-p.done:
			p.t.Fatalf("the process ended (%v) before logging %q:\n%s", p.err, want, p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited for %q in the logs:\n%s", want, p.Logs())
		}
		time.Sleep(e2ePoll)
	}
}

// knownHosts writes a known_hosts file naming the public half of the host
// key file for addr, and returns its path.
func (e *e2eEnv) knownHosts(addr, hostKeyFile string) string {
	e.t.Helper()
	pem, err := os.ReadFile(hostKeyFile)
	if err != nil {
		e.t.Fatalf("the host key: %v", err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		e.t.Fatalf("the host key: %v", err)
	}
	host, port, _ := net.SplitHostPort(addr)
	path := filepath.Join(e.dir, "known_hosts")
	line := knownhosts.Line([]string{"[" + host + "]:" + port}, signer.PublicKey())
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// freePort returns a loopback address nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// capturedLink waits for the mail to email that srv's worker delivers to its
// capture server, and returns the link in it that starts with prefix.
func (e *e2eEnv) capturedLink(srv *process, email, prefix string) string {
	e.t.Helper()
	type captured struct {
		ID int64    `json:"id"`
		To []string `json:"to"`
	}
	var id int64
	deadline := time.Now().Add(e2eWait)
	for id == 0 {
		for _, m := range cliJSON[[]captured](e, "mail", "captured") {
			if slices.Contains(m.To, email) {
				id = m.ID
			}
		}
		if id == 0 && time.Now().After(deadline) {
			e.t.Fatalf("no mail to %s captured in %v; outbox:\n%s\nserver log:\n%s", email, e2eWait, e.cli("mail"), srv.Logs())
		}
		time.Sleep(e2ePoll)
	}
	msg := cliJSON[struct {
		Text string `json:"text"`
	}](e, "mail", "captured", fmt.Sprint(id))
	link := regexp.MustCompile(regexp.QuoteMeta(prefix) + `[A-Za-z0-9_-]+`).FindString(msg.Text)
	if link == "" {
		e.t.Fatalf("no link to %s in the captured mail:\n%s", prefix, msg.Text)
	}
	return link
}
