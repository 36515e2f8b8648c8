package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/charmbracelet/ssh"

	"roster/admin"
	"roster/server"
	"roster/store"
)

func cmdServe(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("serve")
	sshAddr := fs.String("ssh", envOr("ROSTER_SSH", ":2222"), "SSH listen address (env ROSTER_SSH)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "end SSH sessions idle this long")
	maxSessions := fs.Int("max-sessions", 100, "refuse SSH sessions beyond this many at once")
	hostKey := fs.String("host-key", "", "SSH host key file, created on first start (default: in the data directory)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	if _, err := c.svc.Account(ctx); err != nil {
		return err
	}
	if *hostKey == "" {
		dir, err := store.DataDir()
		if err != nil {
			return err
		}
		*hostKey = filepath.Join(dir, "ssh_host_ed25519")
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	srv, err := server.NewSSH(c.svc, c.st, server.SSHOptions{
		Addr: *sshAddr, HostKeyPath: *hostKey, IdleTimeout: *idle, MaxSessions: *maxSessions,
		Run: sshRunner(c.st), Log: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *sshAddr)
	if err != nil {
		return err
	}
	log.Info("serving", "ssh", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// sshRunner runs `ssh HOST COMMAND...` as the key's owner, on the server's
// store, with the channel ssh: local-only commands, --db and --as are refused.
func sshRunner(st *store.Store) server.CommandFunc {
	return func(ctx context.Context, actor admin.Actor, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return run(ctx, &cli{stdin: stdin, stdout: stdout, stderr: stderr, channel: admin.ChannelSSH, actor: &actor, st: st}, args)
	}
}
