package tui

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

func TestMain(m *testing.M) {
	// The screens show times in the local zone; the golden files are drawn
	// in UTC. Set once, before any test's goroutine reads it.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// start is the fixtures' clock at creation.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const owner = "olive.owner@example.com"

// fixture is an initialised account in a fresh SQLite file, with the real
// admin.Service over it and a clock the test moves.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	path  string
	st    *store.Store
	svc   *admin.Service
	raw   *sql.DB
	clock atomic.Int64
	op    admin.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := newEmpty(t)
	if err := f.svc.Init(f.ctx, "Acme & Fils", owner, "Olive", "Owner", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	return f
}

// newEmpty is a database without an account.
func newEmpty(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "roster.db")}
	st, err := store.Open(f.ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.clock.Store(start.Unix())
	f.svc = admin.New(st)
	f.svc.Now = func() time.Time { return time.Unix(f.clock.Load(), 0).UTC() }
	f.op = admin.Actor{Email: owner, Channel: admin.ChannelCLI}
	raw, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	f.raw = raw
	return f
}

func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

// addUser writes a user straight through the store with their role's preset.
func (f *fixture) addUser(email, first, last, role string, status store.Status) *store.User {
	f.t.Helper()
	now := f.svc.Now()
	u := &store.User{Email: email, FirstName: first, LastName: last, Locale: "en", Role: role, Status: status,
		CreatedAt: now, UpdatedAt: now, UpdatedBy: "setup", Teams: []string{}, Tags: []string{}}
	if status == store.Active || status == store.Deactivated {
		u.ActivatedAt = now
	}
	err := f.st.Write(f.ctx, func(q *store.Q) error {
		if err := q.InsertUser(f.ctx, u); err != nil {
			return err
		}
		return q.SetPerms(f.ctx, u.ID, admin.Presets[role])
	})
	if err != nil {
		f.t.Fatalf("add user %s: %v", email, err)
	}
	return u
}

// invite invites people as the owner.
func (f *fixture) invite(emails ...string) {
	f.t.Helper()
	var rows []admin.NewUser
	for _, e := range emails {
		rows = append(rows, admin.NewUser{Email: e})
	}
	res, err := f.svc.Invite(f.ctx, f.op, rows, admin.InviteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			f.t.Fatalf("invite %s: %v", r.Email, r.Err)
		}
	}
}

func (f *fixture) user(email string) *store.User {
	f.t.Helper()
	u, err := f.st.Read().UserByEmail(f.ctx, email, f.svc.Now())
	if err != nil {
		f.t.Fatalf("read user %s: %v", email, err)
	}
	return u
}

func (f *fixture) detail(email string) *admin.UserDetail {
	f.t.Helper()
	d, err := f.svc.User(f.ctx, f.op, email)
	if err != nil {
		f.t.Fatalf("read user %s: %v", email, err)
	}
	return d
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.raw.QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.raw.Exec(query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

// options are the dashboard's options for this fixture, as the operator.
func (f *fixture) options(operator string) Options {
	return Options{Service: f.svc, Operator: operator, Channel: admin.ChannelTUI,
		PollInterval: 100 * time.Millisecond}
}

// session is a session as the owner, for driving one screen without the
// router.
func (f *fixture) session() *session {
	return &session{ctx: f.ctx, svc: f.svc, actor: admin.Actor{Email: owner, Channel: admin.ChannelTUI},
		styles: DefaultStyles(true), p: i18n.For(i18n.English), timeout: 5 * time.Second}
}

// tty is a dashboard run by teatest at a fixed size.
type tty struct {
	t  *testing.T
	tm *teatest.TestModel
	fr *frames
	in io.Writer // runTerminal's input
}

// frames are what the dashboard drew, frame by frame. Bubble Tea v2 writes
// only the cells that changed, so the text of a frame is read from its View,
// not from the program's output.
type frames struct {
	mu   sync.Mutex
	all  []string
	seen int // frames before it were looked at by a wait
}

// recorder is a model that keeps each frame it draws.
type recorder struct {
	tea.Model
	fr *frames
}

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	r.Model, cmd = r.Model.Update(msg)
	return r, cmd
}

func (r recorder) View() tea.View {
	v := r.Model.View()
	r.fr.mu.Lock()
	r.fr.all = append(r.fr.all, v.Content)
	r.fr.mu.Unlock()
	return v
}

func (f *fixture) run(operator string) *tty {
	f.t.Helper()
	return f.runAt(operator, 130, 40)
}

// runAt is run in a terminal of width x height.
func (f *fixture) runAt(operator string, width, height int) *tty {
	f.t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	f.t.Cleanup(cancel)
	fr := &frames{}
	tm := teatest.NewTestModel(f.t, recorder{New(ctx, f.options(operator)), fr}, teatest.WithInitialTermSize(width, height),
		// Results must not depend on the terminal the tests run in (lipgloss#476).
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	tt := &tty{t: f.t, tm: tm, fr: fr}
	f.t.Cleanup(func() { tm.Quit() })
	return tt
}

// runTerminal runs m as a program that reads the bytes written to tt.in as
// it reads a terminal: keys written together arrive in one read (a fast
// typist, a script, a slow SSH link). stop ends it; then m may be read.
func (f *fixture) runTerminal(m *Model) (tt *tty, stop func()) {
	f.t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	r, w := io.Pipe()
	fr := &frames{}
	p := tea.NewProgram(recorder{m, fr}, tea.WithContext(ctx), tea.WithInput(r), tea.WithOutput(io.Discard),
		tea.WithWindowSize(130, 40), tea.WithColorProfile(colorprofile.Ascii), tea.WithoutSignals())
	done := make(chan struct{})
	go func() { p.Run(); close(done) }()
	stop = func() { cancel(); w.Close(); <-done }
	f.t.Cleanup(stop)
	return &tty{t: f.t, fr: fr, in: w}, stop
}

// write writes keys to the program of runTerminal, all at once.
func (tt *tty) write(keys string) {
	tt.t.Helper()
	if _, err := io.WriteString(tt.in, keys); err != nil {
		tt.t.Fatal(err)
	}
}

// wait waits until one frame drawn since the last wait shows every text.
func (tt *tty) wait(texts ...string) {
	tt.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tt.fr.mu.Lock()
		for ; tt.fr.seen < len(tt.fr.all); tt.fr.seen++ {
			frame := ansi.Strip(tt.fr.all[tt.fr.seen])
			if !slices.ContainsFunc(texts, func(s string) bool { return !strings.Contains(frame, s) }) {
				tt.fr.seen = len(tt.fr.all)
				tt.fr.mu.Unlock()
				return
			}
		}
		last := ""
		if n := len(tt.fr.all); n > 0 {
			last = ansi.Strip(tt.fr.all[n-1])
		}
		tt.fr.mu.Unlock()
		if time.Now().After(deadline) {
			tt.t.Fatalf("after 10s, no frame shows %q; the last:\n%s", texts, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// last is the last frame drawn, as text.
func (tt *tty) last() string {
	tt.fr.mu.Lock()
	defer tt.fr.mu.Unlock()
	if len(tt.fr.all) == 0 {
		return ""
	}
	return ansi.Strip(tt.fr.all[len(tt.fr.all)-1])
}

// typ types text, a key at a time.
func (tt *tty) typ(s string) { tt.tm.Type(s) }

// press sends special keys by name: enter, esc, tab, ctrl+s, space, up, down...
func (tt *tty) press(keys ...string) {
	for _, k := range keys {
		tt.tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	names := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd}
	switch c, ok := names[k]; {
	case ok:
		return tea.KeyPressMsg{Code: c}
	case k == "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case k == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(k, "ctrl+"):
		return tea.KeyPressMsg{Code: rune(k[len("ctrl+")]), Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// eventually polls cond (a check of the store) until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drive runs a command and feeds what it returns back into the model, as the
// program would, until nothing is left. The watch for changes is not started
// (its connection message is dropped), so nothing ticks forever; a debounce
// tick waits its 100 ms.
func drive(m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, connMsg, versionMsg, pollMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		}
	}
	return m
}

// pressOn sends keys to one screen, each driven to its end (driveScreen)
// before the next, as a person types them.
func pressOn(s Screen, keys ...string) {
	for _, k := range keys {
		_, cmd := s.Update(keyMsg(k))
		driveScreen(s, cmd)
	}
}

// screen drives one screen without the router.
func driveScreen(s Screen, cmd tea.Cmd) Screen {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			var next tea.Cmd
			s, next = s.Update(msg)
			queue = append(queue, next)
		}
	}
	return s
}

func must(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}

// readAll waits for the program to end and returns every frame it drew.
func readAll(tt *tty) string {
	tt.tm.WaitFinished(tt.t, teatestFinal())
	tt.fr.mu.Lock()
	defer tt.fr.mu.Unlock()
	return strings.Join(tt.fr.all, "\n")
}

func teatestFinal() teatest.FinalOpt { return teatest.WithFinalTimeout(10 * time.Second) }
