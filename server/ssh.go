// Package server is roster serve: the dashboard over SSH for operators, who
// are identified by their public keys, and the web pages an invited person
// opens from the mail.
package server

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/wish/recover"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/input"
	"github.com/charmbracelet/x/term"
	"github.com/lucasb-eyer/go-colorful"
	"github.com/muesli/termenv"

	"roster/admin"
	"roster/tui"
)

// CommandFunc runs one command line as actor (roster's CLI) and returns its
// exit code. roster serve passes main's runner, which refuses local-only
// commands and --db/--as when an actor is fixed.
type CommandFunc func(ctx context.Context, actor admin.Actor, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// SSHOptions configure the SSH side of roster serve.
type SSHOptions struct {
	Addr        string        // listen address, e.g. ":2222"
	HostKeyPath string        // created on first start
	IdleTimeout time.Duration // idle sessions end after it; default 30 minutes
	MaxSessions int           // concurrent sessions; more are refused politely; default 100
	Run         CommandFunc   // runs `ssh HOST COMMAND...`
	Log         *slog.Logger  // one line per connection, login, refusal and command
	// PollInterval is how often each session looks for changes made by the
	// others (default 500 ms, so a change shows everywhere within a second).
	PollInterval time.Duration
}

type operatorKey struct{}

// NewSSH builds the SSH server; call ListenAndServe (or Serve) and Shutdown.
func NewSSH(svc *admin.Service, opts SSHOptions) (*ssh.Server, error) {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 100
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &sshHandler{svc: svc, opts: opts, log: opts.Log}
	return wish.NewServer(
		wish.WithAddress(opts.Addr),
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithIdleTimeout(opts.IdleTimeout),
		// A real pseudo-terminal per session: reading it can be cancelled, so
		// asking the client's terminal for its background cannot swallow the
		// operator's first keys when the terminal never answers.
		ssh.AllocatePty(),
		// Public keys only: no password, no keyboard-interactive.
		wish.WithPublicKeyAuth(h.auth),
		func(s *ssh.Server) error {
			s.ConnCallback = h.conn
			return nil
		},
		// The last middleware listed runs first: recover wraps everything;
		// gate identifies the operator from the key the session used, enforces
		// the session cap and runs commands; the dashboard runs last.
		wish.WithMiddleware(recover.Middleware(
			bm.MiddlewareWithProgramHandler(h.program, termenv.ANSI256),
			h.gate,
		)),
	)
}

type sshHandler struct {
	svc      *admin.Service
	opts     SSHOptions
	log      *slog.Logger
	sessions atomic.Int64
}

func (h *sshHandler) conn(ctx ssh.Context, c net.Conn) net.Conn {
	h.log.Info("connection", "remote", c.RemoteAddr().String())
	return c
}

// auth lets in any key that belongs to a user, so that a user who may not
// use roster is told why in the session; unknown keys are refused here.
// Nothing is remembered: the session looks at the key it actually used.
func (h *sshHandler) auth(ctx ssh.Context, key ssh.PublicKey) bool {
	_, err := h.svc.KeyOperator(ctx, key)
	var d *admin.DeniedError
	if err != nil && !errors.As(err, &d) {
		h.log.Warn("refused", "remote", ctx.RemoteAddr().String(), "user", ctx.User(), "reason", err.Error())
		return false
	}
	return true
}

func (h *sshHandler) gate(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		remote := s.RemoteAddr().String()
		actor, err := h.svc.KeyOperator(s.Context(), s.PublicKey())
		if err != nil {
			h.log.Warn("refused", "remote", remote, "reason", err.Error())
			fmt.Fprintf(s.Stderr(), "roster: %s\r\n", admin.Printable(err.Error()))
			s.Exit(1)
			return
		}
		if n := h.sessions.Add(1); n > int64(h.opts.MaxSessions) {
			h.sessions.Add(-1)
			h.log.Warn("refused", "remote", remote, "operator", actor.Email, "reason", "session cap")
			fmt.Fprintf(s.Stderr(), "roster: %d sessions are open, the most this server takes; try again in a moment\r\n", h.opts.MaxSessions)
			s.Exit(1)
			return
		}
		defer h.sessions.Add(-1)
		s.Context().SetValue(operatorKey{}, actor)
		if cmd := s.Command(); len(cmd) > 0 {
			h.log.Info("command", "remote", remote, "operator", actor.Email, "args", fmt.Sprint(cmd))
			code := h.opts.Run(s.Context(), actor, cmd, s, s, s.Stderr())
			s.Exit(code)
			return
		}
		h.log.Info("login", "remote", remote, "operator", actor.Email)
		next(s)
		h.log.Info("logout", "remote", remote, "operator", actor.Email)
	}
}

// program makes the dashboard for one session, with the session's own
// renderer and size, acting as the operator the gate identified.
func (h *sshHandler) program(s ssh.Session) *tea.Program {
	actor, ok := s.Context().Value(operatorKey{}).(admin.Actor)
	if !ok {
		return nil
	}
	pty, _, _ := s.Pty()
	m := tui.New(s.Context(), tui.Options{
		Service:      h.svc,
		Operator:     actor.Email,
		Channel:      admin.ChannelSSH,
		Renderer:     sessionRenderer(s),
		Width:        pty.Window.Width,
		Height:       pty.Window.Height,
		PollInterval: h.opts.PollInterval,
	})
	// The program reads and writes the session's pseudo-terminal through
	// plain io.Reader and io.Writer values: given the *os.File, bubbletea
	// restores the terminal's mode through its descriptor on the way out,
	// while the ssh package closes that same pty when the client leaves
	// (a data race, and a write to a closed descriptor). sessionRenderer has
	// put the pty in raw mode once for the session's life.
	var in io.Reader = s
	var out io.Writer = s
	if pty.Slave != nil {
		in, out = struct{ io.Reader }{pty.Slave}, struct{ io.Writer }{pty.Slave}
	}
	opts := []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(s.Context())}
	p := tea.NewProgram(m, opts...)
	// Not handed the terminal's descriptor, bubbletea cannot ask it for its
	// size: tell it the size the client gave (wish sends the changes).
	go p.Send(tea.WindowSizeMsg{Width: pty.Window.Width, Height: pty.Window.Height})
	return p
}

// sessionRenderer is the session's own renderer: its colour profile comes
// from the client's TERM and environment (NO_COLOR included), and its light or
// dark background from the client's terminal, asked once. wish's MakeRenderer
// asks too, but leaves the background unset when the terminal does not answer
// OSC 11, and lipgloss then asks again, on the first adaptive colour, for up
// to 5 seconds (termenv.OSCTimeout): a frozen first screen. A terminal that
// does not answer is taken as dark.
func sessionRenderer(s ssh.Session) *lipgloss.Renderer {
	pty, _, ok := s.Pty()
	if !ok || pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(s, termenv.WithProfile(termenv.Ascii))
	}
	opts := []termenv.OutputOption{termenv.WithEnvironment(environ(append(s.Environ(), "TERM="+pty.Term))), termenv.WithColorCache(true)}
	var tty io.ReadWriter = s
	if pty.Slave != nil { // a real pseudo-terminal (ssh.AllocatePty)
		tty = pty.Slave
		term.MakeRaw(pty.Slave.Fd()) // for the session's life: the pty dies with it
	} else { // wish's default: the session stands in for the terminal
		opts = append(opts, termenv.WithUnsafe())
	}
	r := lipgloss.NewRenderer(tty, opts...)
	dark := true
	if bg := askBackground(tty, 2*time.Second); bg != nil {
		if c, ok := colorful.MakeColor(bg); ok {
			_, _, l := c.Hsl()
			dark = l < 0.5
		}
	}
	r.SetHasDarkBackground(dark)
	return r
}

// askBackground asks the terminal on tty for its background colour (OSC 11),
// followed by a primary device attributes request that every terminal
// answers, so that a terminal without OSC 11 answers at once; nil when it
// does not say.
func askBackground(tty io.ReadWriter, timeout time.Duration) color.Color {
	rd, err := input.NewReader(tty, "", 0)
	if err != nil {
		return nil
	}
	defer rd.Close()
	timer := time.AfterFunc(timeout, func() { rd.Cancel() })
	defer timer.Stop()
	if _, err := io.WriteString(tty, ansi.RequestBackgroundColor+ansi.RequestPrimaryDeviceAttributes); err != nil {
		return nil
	}
	var bg color.Color
	for {
		events, err := rd.ReadEvents()
		if err != nil {
			return bg
		}
		for _, e := range events {
			switch e := e.(type) {
			case input.BackgroundColorEvent:
				bg = e.Color
			case input.PrimaryDeviceAttributesEvent:
				return bg
			}
		}
	}
}

// environ is a session's environment, for termenv.
type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	for _, v := range e {
		if strings.HasPrefix(v, k+"=") {
			return v[len(k)+1:]
		}
	}
	return ""
}
