// Package server is roster serve: the dashboard over SSH for operators, who
// are identified by their public keys, and the web pages an invited person
// opens from the mail.
package server

import (
	charmlog "charm.land/log/v2"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"roster/admin"
	"roster/i18n"
	"roster/tui"
)

// CommandFunc runs one command line as actor (roster's CLI) and returns its
// exit code. roster serve passes main's runner, which refuses local-only
// commands and --db/--as when an actor is fixed.
type CommandFunc func(ctx context.Context, actor admin.Actor, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// SSHOptions configure the SSH side of roster serve.
type SSHOptions struct {
	Addr        string // listen address, e.g. ":2222"
	HostKeyPath string // created on first start
	// IdleTimeout ends a dashboard no key was typed in for this long, and
	// a connection that carried nothing (default 30 minutes).
	IdleTimeout time.Duration
	MaxSessions int          // concurrent sessions; more are refused politely, but an owner's; default 100
	Run         CommandFunc  // runs `ssh HOST COMMAND...`
	Log         *slog.Logger // one line per session and per refused key
	Metrics     *Metrics     // sessions open and refused, logins; nil counts nothing
	// MaxSessionsPerOperator bounds each operator's sessions at once,
	// owners' too (default 10): one key cannot take every place.
	MaxSessionsPerOperator int
	// HandshakeTimeout closes a connection that has not signed in this
	// long after it was opened (default 2 minutes, OpenSSH's
	// LoginGraceTime).
	HandshakeTimeout time.Duration
	// PollInterval is how often each session looks for changes made by the
	// others (default 500 ms, so a change shows everywhere within a second).
	PollInterval time.Duration
	// Stopping, once closed, ends every session: the dashboard or command
	// is stopped, and the operator told in one line that the server is
	// going away. Close it as Shutdown begins, which else waits for the
	// operators to leave.
	Stopping <-chan struct{}
	// KeyCheck is how often an open dashboard checks that its key still
	// lets its operator in (default 2 s): see watchKey.
	KeyCheck time.Duration
}

// NeedsTerminal is what a session asking for the dashboard without a
// terminal (ssh -T, or ssh HOST < file) is told.
const NeedsTerminal = "roster: the dashboard needs a terminal: ssh -t HOST opens it, and ssh HOST help lists the commands that need none"

// GoingAway is the line a session ends with when the server stops.
const GoingAway = "roster: the server is going away (stopping or restarting); connect again in a moment"

type (
	operatorKey   struct{}
	sessionCtxKey struct{}
	inputKey      struct{}
)

// idleGrace is how much longer than idle a connection that carries nothing
// stays open, so that a dashboard's idle end (watchIdle, which looks every
// tenth of it) is said first.
func idleGrace(idle time.Duration) time.Duration { return min(5*time.Second, idle/4) }

// settingsOnlyKey marks a session whose user administers nobody: it gets
// My settings (tui.NewMySettings) instead of the dashboard.
type settingsOnlyKey struct{}

// NewSSH builds the SSH server; call ListenAndServe (or Serve) and Shutdown.
func NewSSH(svc *admin.Service, opts SSHOptions) (*ssh.Server, error) {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 100
	}
	if opts.MaxSessionsPerOperator <= 0 {
		opts.MaxSessionsPerOperator = 10
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = 2 * time.Minute
	}
	if opts.KeyCheck <= 0 {
		opts.KeyCheck = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := hostKey(opts.HostKeyPath, opts.Log); err != nil {
		return nil, err
	}
	h := &sshHandler{svc: svc, opts: opts, log: opts.Log, open: map[string]int{}}
	// wish's Bubble Tea middleware logs, through charm's default logger,
	// "ERROR app exit with error" in plain text to stderr for every
	// dashboard the server ends (a disconnect, a stop): routine, and in
	// the middle of --log-format json's lines. gate logs each session's
	// end, in roster's log.
	charmlog.SetOutput(io.Discard)
	return wish.NewServer(
		wish.WithAddress(opts.Addr),
		wish.WithHostKeyPath(opts.HostKeyPath),
		// The connection's own timeout ends a dead one silently; a
		// dashboard left open ends first, saying so (watchIdle): the
		// client's keepalives (OpenSSH's ServerAliveInterval) and the
		// dashboard's own redraws kept the connection busy for good.
		wish.WithIdleTimeout(opts.IdleTimeout+idleGrace(opts.IdleTimeout)),
		// A connection that never signs in (opened and left silent, or
		// fed a byte now and then) held its socket for the idle timeout,
		// 30 minutes: anyone who could reach the port could hold
		// thousands, until the server could take no more, its owners'
		// connections included.
		func(s *ssh.Server) error { s.HandshakeTimeout = opts.HandshakeTimeout; return nil },
		// No pseudo-terminal is allocated (wish's emulated one): the program
		// reads and writes the session, and wish's Bubble Tea middleware is the
		// only reader of the window changes, so every resize reaches the
		// program. An allocated pty would take its own share of them.
		// Public keys only: no password, no keyboard-interactive.
		wish.WithPublicKeyAuth(h.auth),
		// The last middleware listed runs first: recover wraps everything;
		// gate identifies the operator from the key the session used, enforces
		// the session cap and runs commands; the dashboard runs last.
		wish.WithMiddleware(recover.Middleware(
			bm.MiddlewareWithProgramHandler(h.program),
			h.gate,
		)),
	)
}

// hostKey creates the host key file at path, an Ed25519 key readable by
// its owner alone with its public half beside it (path.pub), unless it
// exists; then it warns when others may read it. A missing directory is
// made for the owner alone; an existing one is left as it is: wish's
// generator made it 0700, so that --host-key /etc/roster_host_key, run as
// root, took /etc from everyone else. An existing file that holds no key
// it can read is refused by its name: wish said only "ssh: no key found".
func hostKey(path string, log *slog.Logger) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.Mode().Perm()&0o077 != 0 {
			log.Warn("ssh: the host key file can be read by others than its owner: chmod 600 it", "file", path, "mode", fi.Mode().Perm().String())
		}
		pemBytes, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("host key: %w", err)
		}
		if _, err := gossh.ParsePrivateKey(pemBytes); err != nil {
			return fmt.Errorf("host key %s: %w", path, err)
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		return fmt.Errorf("generate host key: %w", err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return fmt.Errorf("generate host key: %w", err)
	}
	// O_EXCL: another process starting at the same moment keeps its key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("host key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("host key: %w", err)
	}
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		return fmt.Errorf("host key: %w", err)
	}
	return nil
}

type sshHandler struct {
	svc  *admin.Service
	opts SSHOptions
	log  *slog.Logger

	mu       sync.Mutex
	sessions int            // open, everyone's
	open     map[string]int // open, by operator's address
}

// admit counts a session of actor's in, or says why it is refused: past
// their own MaxSessionsPerOperator, or past MaxSessions unless they are an
// owner. A member's key, or a few, opening sessions until the server was
// full kept everyone out, the owners who could stop them too; an owner is
// still bounded by their own limit.
func (h *sshHandler) admit(actor admin.Actor, owner bool) (release func(), refusal, why string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.open[actor.Email] >= h.opts.MaxSessionsPerOperator:
		return nil, fmt.Sprintf("you have %d sessions open, the most one operator may have at once; end one and try again", h.open[actor.Email]), "operator cap"
	case h.sessions >= h.opts.MaxSessions && !owner:
		return nil, fmt.Sprintf("%d sessions are open, the most this server takes; try again in a moment", h.opts.MaxSessions), "session cap"
	}
	h.sessions++
	h.open[actor.Email]++
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sessions--
		if h.open[actor.Email]--; h.open[actor.Email] == 0 {
			delete(h.open, actor.Email)
		}
	}, "", ""
}

// auth lets in any key that belongs to a user, so that a user who may not
// use roster is told why in the session; unknown keys are refused here.
// Nothing is remembered: the session looks at the key it actually used.
func (h *sshHandler) auth(ctx ssh.Context, key ssh.PublicKey) bool {
	_, err := h.svc.KeyOperator(ctx, key)
	var d *admin.DeniedError
	if err != nil && !errors.As(err, &d) {
		h.log.Warn("ssh: key refused", "remote", ctx.RemoteAddr().String(), "user", ctx.User(), "reason", err.Error())
		h.opts.Metrics.sshRefusal("key")
		h.opts.Metrics.login(admin.ChannelSSH, "refused")
		return false
	}
	return true
}

// gate lets the session in or refuses it, and logs one line for it when it
// ends, with an ID of its own, its operator, what it ran and how it ended.
func (h *sshHandler) gate(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		start := time.Now()
		logCtx := context.WithValue(s.Context(), requestIDKey{}, newRequestID())
		log := h.log.With("remote", s.RemoteAddr().String())
		actor, err := h.svc.KeyOperator(s.Context(), s.PublicKey())
		if err != nil {
			log.WarnContext(logCtx, "ssh session refused", "reason", err.Error())
			h.opts.Metrics.sshRefusal("denied")
			h.opts.Metrics.login(admin.ChannelSSH, "refused")
			fmt.Fprintf(s.Stderr(), "roster: %s\r\n", admin.Printable(err.Error()))
			s.Exit(1)
			return
		}
		log = log.With("operator", actor.Email)
		owner, _ := h.svc.IsOwner(s.Context(), actor) // an error lets them in as no owner
		release, refusal, why := h.admit(actor, owner)
		if release == nil {
			log.WarnContext(logCtx, "ssh session refused", "reason", why)
			h.opts.Metrics.sshRefusal("cap")
			fmt.Fprintf(s.Stderr(), "roster: %s\r\n", refusal)
			s.Exit(1)
			return
		}
		defer release()
		h.opts.Metrics.login(admin.ChannelSSH, "ok")
		h.opts.Metrics.sshSession(1)
		defer h.opts.Metrics.sshSession(-1)
		// The session's work runs in ctx, which the server's stop ends too.
		ctx, cancel := context.WithCancel(s.Context())
		defer cancel()
		done := make(chan struct{})
		defer close(done)
		go closeIfStuck(ctx, done, s, func() {
			log.WarnContext(logCtx, "ssh session stuck: its client reads nothing; connection closed")
		})
		stopped := make(chan bool, 1)
		go func() {
			select {
			case <-h.opts.Stopping:
				stopped <- true
				cancel()
			case <-ctx.Done():
				// Both may be ready when the stop closes the connection:
				// the stop is what the operator must be told.
				select {
				case <-h.opts.Stopping:
					stopped <- true
				default:
					stopped <- false
				}
			}
		}()
		// end ends the session with code; when the server is stopping, it
		// tells the operator first, and closes the connection too, which a
		// client multiplexing sessions over it would keep open, holding up
		// Shutdown.
		end := func(code int, always bool) {
			cancel()
			away := <-stopped
			if away {
				fmt.Fprint(s.Stderr(), GoingAway+"\r\n")
			}
			if away || always {
				s.Exit(code)
			}
			if c, ok := s.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn); ok && away {
				c.Close()
			}
		}
		s.Context().SetValue(operatorKey{}, actor)
		s.Context().SetValue(sessionCtxKey{}, ctx)
		if cmd := s.Command(); len(cmd) > 0 {
			// Only the command's name: its arguments may hold what the
			// log must not (a webhook's URL with its credentials).
			code := h.opts.Run(ctx, actor, cmd, stdinUntil(ctx, s), s, s.Stderr())
			end(code, true)
			log.InfoContext(logCtx, "ssh session", "command", cmd[0], "exit", code, "ms", time.Since(start).Milliseconds())
			return
		}
		if _, _, ok := s.Pty(); !ok {
			// wish's own refusal said "no active terminal, skipping".
			log.InfoContext(logCtx, "ssh session refused", "reason", "no terminal")
			fmt.Fprint(s.Stderr(), NeedsTerminal+"\r\n")
			s.Exit(1)
			return
		}
		administers, err := h.svc.Administers(s.Context(), actor)
		if err != nil {
			log.WarnContext(logCtx, "ssh session refused", "reason", err.Error())
			fmt.Fprintf(s.Stderr(), "roster: %s\r\n", admin.Printable(err.Error()))
			s.Exit(1)
			return
		}
		s.Context().SetValue(settingsOnlyKey{}, !administers)
		revoked := make(chan error, 1)
		go h.watchKey(ctx, actor, administers, revoked, cancel)
		in := &typedInput{r: s}
		in.last.Store(time.Now().UnixNano())
		s.Context().SetValue(inputKey{}, in)
		go h.watchIdle(ctx, in, revoked, cancel)
		next(s)
		// Ended by a refusal, the session exits 1, as a session refused
		// from the start does: ssh exited 0, as after q.
		refused := false
		select {
		case err := <-revoked:
			log.InfoContext(logCtx, "ssh session ended", "reason", err.Error())
			fmt.Fprintf(s.Stderr(), "roster: %s\r\n", admin.Printable(err.Error()))
			refused = true
		default:
		}
		end(1, refused)
		view := "dashboard"
		if !administers {
			view = "my settings"
		}
		log.InfoContext(logCtx, "ssh session", "command", view, "ms", time.Since(start).Milliseconds())
	}
}

// stuckGrace is how long a session ended by the server (its key removed,
// idle, the stop) has to end before its connection is closed.
const stuckGrace = 2 * time.Second

// closeIfStuck closes the session's connection when it has not ended
// (done) within stuckGrace of ctx's end. A client that reads nothing (a
// suspended ssh, a link gone quiet) leaves the session's writes waiting for
// it, once the window it gave is full: a dashboard whose key was removed
// stayed open, the stop waited its whole 5 s, and a client sending
// keepalives held its session for good. Other sessions on the same
// connection end with it.
func closeIfStuck(ctx context.Context, done <-chan struct{}, s ssh.Session, stuck func()) {
	<-ctx.Done()
	t := time.NewTimer(stuckGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		if c, ok := s.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn); ok {
			stuck()
			c.Close()
		}
	}
}

// errNoLongerAdministers ends a dashboard whose operator lost every
// users.* permission while it was open.
var errNoLongerAdministers = errors.New("you no longer administer users: connect again for your own settings")

// watchKey ends an open session once its key no longer lets its operator
// in (removed, their account deactivated, or added by someone who may no
// longer act as them), or, on the dashboard, once they no longer
// administer users: it says why on revoked, then cancels the session.
// Every act is refused already (admin checks Actor.Key); this stops the
// screens showing what the operator may no longer read.
func (h *sshHandler) watchKey(ctx context.Context, a admin.Actor, administers bool, revoked chan<- error, cancel func()) {
	t := time.NewTicker(h.opts.KeyCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		still, err := h.svc.Administers(ctx, a)
		if err == nil && administers && !still {
			err = errNoLongerAdministers
		}
		var d *admin.DeniedError
		if errors.As(err, &d) || errors.Is(err, errNoLongerAdministers) {
			endWith(revoked, err, cancel)
			return
		}
	}
}

// endWith ends a session saying why, unless another reason came first.
func endWith(revoked chan<- error, err error, cancel func()) {
	select {
	case revoked <- err:
	default:
	}
	cancel()
}

// typedInput is a dashboard's input, which knows when the operator last
// typed, and whether the dashboard has an act at work (tui.Options.Working).
type typedInput struct {
	r       io.Reader
	last    atomic.Int64 // UnixNano of the last read that brought something
	working atomic.Bool
}

func (t *typedInput) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// watchIdle ends a dashboard once nothing was typed in it for IdleTimeout,
// counted from the end of the act at work, if any: a bulk act of a million
// users runs on with nobody typing, and was ended after its batch at work.
func (h *sshHandler) watchIdle(ctx context.Context, in *typedInput, revoked chan<- error, cancel func()) {
	t := time.NewTicker(min(h.opts.IdleTimeout/10, time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if in.working.Load() {
			in.last.Store(time.Now().UnixNano())
			continue
		}
		if time.Since(time.Unix(0, in.last.Load())) >= h.opts.IdleTimeout {
			endWith(revoked, fmt.Errorf("nothing was typed for %s: the session ended; connect again to go on", h.opts.IdleTimeout), cancel)
			return
		}
	}
}

// stdinUntil is a command's standard input, r, until ctx ends (the
// server stopping), when a read fails with ctx's error: a command reading
// it (invite --csv - from a pipe still open) sat in its read past the
// stop, which then waited its 5 s for it and cut the connection unsaid.
func stdinUntil(ctx context.Context, r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err) // nil: io.EOF
	}()
	// The first error stays: input read to its end is not cut short.
	context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	return pr
}

// sessionEnv reads the environment the client sent (ssh's SendEnv).
func sessionEnv(s ssh.Session) func(string) string {
	env := s.Environ()
	return func(key string) string {
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}

// program makes the dashboard for one session, acting as the operator the
// gate identified, or My settings for a user who administers nobody.
// wish's options give it the session's input, output, environment (TERM,
// NO_COLOR: the colour profile) and window size; it asks the client's
// terminal for its background through its own input.
func (h *sshHandler) program(s ssh.Session) *tea.Program {
	actor, ok := s.Context().Value(operatorKey{}).(admin.Actor)
	ctx, _ := s.Context().Value(sessionCtxKey{}).(context.Context)
	if !ok || ctx == nil {
		return nil
	}
	pty, _, _ := s.Pty()
	opts := tui.Options{
		Service:      h.svc,
		Operator:     actor.Email,
		Key:          actor.Key,
		Channel:      admin.ChannelSSH,
		Width:        pty.Window.Width,
		Height:       pty.Window.Height,
		PollInterval: h.opts.PollInterval,
		// The operator's own language, else what their terminal's
		// environment says (LANG, when the client sends it).
		Lang: i18n.Choose("", h.svc.Language(ctx, actor), sessionEnv(s)),
	}
	in, _ := s.Context().Value(inputKey{}).(*typedInput)
	if in != nil {
		opts.Working = &in.working
	}
	var m tea.Model
	if only, _ := s.Context().Value(settingsOnlyKey{}).(bool); only {
		m = tui.NewMySettings(ctx, opts)
	} else {
		m = tui.New(ctx, opts)
	}
	// A frame is written on the renderer's next tick: at the default 60 fps
	// a key waits up to 17 ms for its redraw, most of the 25 ms a key may
	// take over SSH. A tick with nothing new costs a string compare.
	// Measured with 50 sessions: at 60 fps the median key took 16-17 ms
	// against 8.5-9.5 ms at 120, for the same processor time per key.
	// The process's signals are roster serve's: a program of its own would
	// quit on SIGTERM, racing the server's stop, and a session that ended
	// first was neither told it was going away nor had its connection
	// closed, which held Shutdown up for its whole 5 s.
	popts := append(bm.MakeOptions(s), tea.WithContext(ctx), tea.WithFPS(120), tea.WithoutSignalHandler())
	if in != nil {
		popts = append(popts, tea.WithInput(in)) // over MakeOptions' session
	}
	return tea.NewProgram(m, popts...)
}
