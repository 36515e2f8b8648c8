package tui

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"roster/admin"
	"roster/store"
)

func TestMain(m *testing.M) {
	// Results must not depend on the terminal the tests run in (lipgloss#476).
	lipgloss.SetColorProfile(termenv.Ascii)
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
		Renderer: lipgloss.NewRenderer(io.Discard), PollInterval: 100 * time.Millisecond}
}

// session is a session as the owner, for driving one screen without the
// router.
func (f *fixture) session() *session {
	return &session{ctx: f.ctx, svc: f.svc, actor: admin.Actor{Email: owner, Channel: admin.ChannelTUI},
		styles: DefaultStyles(f.options("").Renderer), timeout: 5 * time.Second}
}

// tty is a dashboard run by teatest at a fixed size.
type tty struct {
	t  *testing.T
	tm *teatest.TestModel
}

func (f *fixture) run(operator string) *tty {
	f.t.Helper()
	ctx, cancel := context.WithCancel(f.ctx)
	f.t.Cleanup(cancel)
	tm := teatest.NewTestModel(f.t, New(ctx, f.options(operator)), teatest.WithInitialTermSize(130, 40))
	tt := &tty{t: f.t, tm: tm}
	f.t.Cleanup(func() { tm.Quit() })
	return tt
}

// wait waits until every text has been drawn (since the last wait).
func (tt *tty) wait(texts ...string) {
	tt.t.Helper()
	teatest.WaitFor(tt.t, tt.tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// typ types text, a key at a time.
func (tt *tty) typ(s string) { tt.tm.Type(s) }

// press sends special keys by name: enter, esc, tab, ctrl+s, space, up, down...
func (tt *tty) press(keys ...string) {
	for _, k := range keys {
		tt.tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	names := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab,
		"shift+tab": tea.KeyShiftTab, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "space": tea.KeySpace, "ctrl+s": tea.KeyCtrlS, "ctrl+c": tea.KeyCtrlC,
		"ctrl+r": tea.KeyCtrlR, "ctrl+n": tea.KeyCtrlN, "ctrl+u": tea.KeyCtrlU, "ctrl+x": tea.KeyCtrlX,
		"ctrl+o": tea.KeyCtrlO, "backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd}
	if t, ok := names[k]; ok {
		if t == tea.KeySpace {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		}
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
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

// readAll waits for the program to end and returns everything it drew.
func readAll(tt *tty) string {
	b, _ := io.ReadAll(tt.tm.FinalOutput(tt.t, teatestFinal()))
	return string(b)
}

func teatestFinal() teatest.FinalOpt { return teatest.WithFinalTimeout(10 * time.Second) }
