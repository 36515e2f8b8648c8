package main

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"charm.land/ssh"

	"roster/admin"
	"roster/backup"
	"roster/mail"
	"roster/server"
	"roster/store"
	"roster/webhook"
)

func cmdServe(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("serve")
	c.mailFlags(fs)
	sshAddr := fs.String("ssh", envOr("ROSTER_SSH", ":2222"), "SSH listen address (env ROSTER_SSH)")
	httpAddr := fs.String("http", envOr("ROSTER_HTTP", ":8080"), "HTTP listen address of the invitation pages (env ROSTER_HTTP)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "end SSH sessions idle this long")
	maxSessions := fs.Int("max-sessions", 100, "refuse SSH sessions beyond this many at once")
	hostKey := fs.String("host-key", "", "SSH host key file, created on first start (default: in the data directory)")
	backupEvery := fs.Duration("backup-every", 0, "take a backup this often, e.g. 24h (default: none)")
	backupKeep := fs.Int("backup-keep", 7, "keep this many of the backups --backup-every takes, removing older ones")
	backupDir := fs.String("backup-dir", "", "where --backup-every puts its backups (default: beside the database)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *backupEvery != 0 && *backupEvery < time.Minute {
		return usagef("--backup-every takes a duration of a minute or more, such as 24h")
	}
	if *backupKeep < 1 {
		return usagef("--backup-keep takes a number of backups, 1 or more")
	}
	if *backupEvery != 0 && store.IsPostgres(c.db) {
		return fmt.Errorf("--backup-every: %w", store.ErrBackupPostgres)
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	if err := c.adoptBaseURL(ctx); err != nil {
		return err
	}
	cfg, err := c.mailConfig(ctx)
	if err != nil {
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cfg.Logger = log
	worker, err := mail.Start(ctx, c.st, cfg)
	if err != nil {
		return err
	}
	defer worker.Stop()
	hooks := webhook.Start(ctx, c.st, webhook.Options{Log: log})
	defer hooks.Stop()

	stopping := make(chan struct{})
	sshSrv, err := server.NewSSH(c.svc, server.SSHOptions{
		Addr: *sshAddr, HostKeyPath: *hostKey, IdleTimeout: *idle, MaxSessions: *maxSessions,
		Run: sshRunner(c.svc), Log: log, Stopping: stopping,
	})
	if err != nil {
		return err
	}
	sshLn, err := net.Listen("tcp", *sshAddr)
	if err != nil {
		return err
	}
	key, err := formKey(*hostKey)
	if err != nil {
		sshLn.Close()
		return err
	}
	web := server.NewWeb(c.svc, server.WebOptions{BaseURL: cfg.BaseURL, Log: log, CSRFKey: key})
	defer web.Wait()
	// The API under /api/v1/, SCIM under /scim/v2/, the pages everywhere else.
	handler := http.NewServeMux()
	api := server.NewAPI(c.svc, server.APIOptions{Log: log})
	handler.Handle("/api/v1/", api)
	handler.Handle("/scim/v2/", server.NewSCIM(c.svc, api))
	handler.Handle("/", web)
	httpSrv := pagesServer(handler, log)
	httpLn, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		sshLn.Close()
		return err
	}
	log.Info("serving", "ssh", sshLn.Addr().String(), "http", httpLn.Addr().String(), "mail", cfg)

	go renewEveryMinute(ctx, c.svc, log)
	// backups is what the scheduled backups last did, for the health and
	// metrics endpoints to show.
	var backups backup.Status
	backupsDone := make(chan struct{})
	go func() {
		defer close(backupsDone)
		if *backupEvery != 0 {
			dir := cmp.Or(*backupDir, filepath.Dir(c.st.Path()))
			backup.Run(ctx, c.st, backup.Schedule{Dir: dir, Every: *backupEvery, Keep: *backupKeep, Log: log}, &backups)
		}
	}()

	errc := make(chan error, 2)
	go func() { errc <- sshSrv.Serve(sshLn) }()
	go func() { errc <- httpSrv.Serve(httpLn) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// The clean stop (SIGTERM, SIGINT): the listeners close; the sessions
	// are told and ended; the mail worker finishes the messages the relay
	// has taken and gives the rest of its claims back to the queue, so that
	// none waits out a lease; a backup under way is abandoned and its
	// partial file removed; then run closes the database.
	log.Info("stopping")
	cancel()
	close(stopping)
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if e := sshSrv.Shutdown(shutdown); errors.Is(e, context.DeadlineExceeded) {
		sshSrv.Close()
	} else if e != nil && !errors.Is(e, ssh.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("shut down ssh: %w", e))
	}
	if e := httpSrv.Shutdown(shutdown); errors.Is(e, context.DeadlineExceeded) {
		httpSrv.Close()
	} else if e != nil {
		err = errors.Join(err, fmt.Errorf("shut down http: %w", e))
	}
	worker.Stop()
	hooks.Stop()
	<-backupsDone
	log.Info("stopped")
	if errors.Is(err, ssh.ErrServerClosed) || errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// renewEveryMinute writes the seat renewals due (admin.RenewDue) and the
// notices that time alone sets off (admin.NotifyDue: invitation reminders,
// the daily digest) until ctx ends, so that the ledger is current at each
// cycle start and people are told even when nobody acts; any other roster
// process acting first writes the renewals as well, once.
func renewEveryMinute(ctx context.Context, svc *admin.Service, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := svc.RenewDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("billing: renewals", "err", err)
		}
		if err := svc.NotifyDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// formKey is the key the pages sign their forms with, drawn from the SSH
// host key (which NewSSH has created if it was missing). Nodes serving one
// account behind a load balancer are given the same host key, since SSH
// clients expect one; so a form one node served is accepted by another, and
// by the same node after a restart, with no second secret to hand out.
func formKey(hostKeyPath string) ([]byte, error) {
	secret, err := os.ReadFile(hostKeyPath)
	if err != nil {
		return nil, fmt.Errorf("read the host key: %w", err)
	}
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, "roster web form key")
	return m.Sum(nil), nil
}

// pagesServer is the HTTP server of the invitation pages, roster serve's or
// the dashboard's: timeouts keep a slow or idle client from holding it.
func pagesServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// sshRunner runs `ssh HOST COMMAND...` as the key's owner, through the
// server's rules, with the channel ssh: local-only commands, --db and --as
// are refused.
func sshRunner(svc *admin.Service) server.CommandFunc {
	return func(ctx context.Context, actor admin.Actor, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return run(ctx, &cli{stdin: stdin, stdout: stdout, stderr: stderr, channel: admin.ChannelSSH, actor: &actor, svc: svc}, args)
	}
}

// adoptBaseURL makes serve's --base-url (or ROSTER_BASE_URL) the account's,
// audited, when it differs: the server is where the links lead, and every
// other process mailing for the account then writes the same links.
func (c *cli) adoptBaseURL(ctx context.Context) error {
	acct, err := c.svc.Account(ctx)
	if err != nil {
		return err
	}
	given := cmp.Or(c.baseURL, os.Getenv(mail.EnvBaseURL))
	if given == "" {
		return nil
	}
	var differs *admin.BaseURLError
	if _, err := c.svc.MailBaseURL(ctx, given); err != nil && !errors.As(err, &differs) {
		return err
	}
	if acct.BaseURL != "" && differs == nil {
		return nil
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	_, err = c.svc.UpdateAccount(ctx, a, admin.AccountChange{BaseURL: &given})
	return err
}
