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
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	sshAddr := fs.String("ssh", cmp.Or(os.Getenv("ROSTER_SSH"), ":2222"), "SSH listen address (env ROSTER_SSH)")
	httpAddr := fs.String("http", cmp.Or(os.Getenv("ROSTER_HTTP"), ":8080"), "HTTP listen address of the invitation pages (env ROSTER_HTTP)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "end SSH sessions idle this long")
	maxSessions := fs.String("max-sessions", cmp.Or(os.Getenv("ROSTER_MAX_SESSIONS"), "100"), "refuse SSH sessions beyond this many at once, but an owner's (env ROSTER_MAX_SESSIONS)")
	maxPerOperator := fs.String("max-sessions-per-operator", cmp.Or(os.Getenv("ROSTER_MAX_SESSIONS_PER_OPERATOR"), "10"), "refuse an operator's SSH sessions beyond this many at once, an owner's too (env ROSTER_MAX_SESSIONS_PER_OPERATOR)")
	hostKey := fs.String("host-key", envOr("ROSTER_HOST_KEY", ""), "SSH host key file, created on first start (env ROSTER_HOST_KEY; default: in the data directory)")
	logFormat := fs.String("log-format", cmp.Or(os.Getenv("ROSTER_LOG_FORMAT"), "text"), "log lines as text or json (env ROSTER_LOG_FORMAT)")
	metricsAddr := fs.String("metrics", os.Getenv("ROSTER_METRICS"), "listen address of a separate listener for /metrics, /healthz and /readyz (env ROSTER_METRICS); /metrics needs no token there only if it is loopback")
	metricsToken := fs.String("metrics-token", "", "bearer token /metrics asks for on the HTTP listener and on a --metrics listener that is not loopback (env ROSTER_METRICS_TOKEN, which ps does not show)")
	backupEvery := fs.Duration("backup-every", 0, "take a backup this often, e.g. 24h (default: none)")
	backupKeep := fs.Int("backup-keep", 7, "keep this many of the backups --backup-every takes, removing older ones")
	backupDir := fs.String("backup-dir", "", "where --backup-every puts its backups (default: beside the database)")
	proxies := fs.String("trusted-proxies", os.Getenv("ROSTER_TRUSTED_PROXIES"), "addresses or CIDR ranges of the reverse proxies in front of the pages, comma-separated, e.g. 127.0.0.1,::1: their X-Forwarded-For names the client the pages' rate limits count (env ROSTER_TRUSTED_PROXIES)")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	maxAll, err := sessionCount("max-sessions", *maxSessions)
	if err != nil {
		return err
	}
	maxEach, err := sessionCount("max-sessions-per-operator", *maxPerOperator)
	if err != nil {
		return err
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return usagef("--trusted-proxies: %s", err)
	}
	client := server.ForwardedClient(trusted)
	if *backupEvery != 0 && *backupEvery < time.Minute {
		return usagef("--backup-every takes a duration of a minute or more, such as 24h")
	}
	if *backupKeep < 1 {
		return usagef("--backup-keep takes a number of backups, 1 or more")
	}
	if *backupEvery != 0 && store.IsPostgres(c.db) {
		return fmt.Errorf("--backup-every: %w", store.ErrBackupPostgres)
	}
	*metricsToken = cmp.Or(*metricsToken, os.Getenv("ROSTER_METRICS_TOKEN"))
	log, err := newLogger(c.stderr, *logFormat)
	if err != nil {
		return usageErr{err}
	}
	var metricsLn net.Listener
	if *metricsAddr != "" {
		if metricsLn, err = metricsListen(*metricsAddr, *metricsToken); err != nil {
			return err
		}
		defer metricsLn.Close()
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	if err := c.st.Writable(ctx); err != nil {
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// backups is what the scheduled backups last did, for the health and
	// metrics endpoints to show.
	var backups backup.Status
	mopts := server.MetricsOptions{Backlog: c.svc.Backlog}
	if *backupEvery != 0 {
		mopts.LastBackup = func() time.Time { t, _ := backups.Last(); return t }
	}
	metrics := server.NewMetrics(mopts)
	cfg.Logger = log
	cfg.Replied = metrics.MailReplied
	worker, err := mail.Start(ctx, c.st, cfg)
	if err != nil {
		return err
	}
	defer worker.Stop()
	checks := readiness(c.svc, worker)
	if *backupEvery != 0 {
		checks = append(checks, server.Check{Name: "last backup", Run: func(context.Context) error { _, err := backups.Last(); return err }})
	}
	hooks := webhook.Start(ctx, c.st, webhook.Options{Log: log})
	defer hooks.Stop()

	stopping := make(chan struct{})
	sshSrv, err := server.NewSSH(c.svc, server.SSHOptions{
		Addr: *sshAddr, HostKeyPath: *hostKey, IdleTimeout: *idle, MaxSessions: maxAll, MaxSessionsPerOperator: maxEach,
		Run: sshRunner(c.svc), Log: log, Metrics: metrics, Stopping: stopping,
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
	web := server.NewWeb(c.svc, server.WebOptions{BaseURL: cfg.BaseURL, Log: log, CSRFKey: key, Metrics: metrics, ClientIP: client})
	defer web.Wait()
	// The API under /api/v1/, SCIM under /scim/v2/, health and metrics, the
	// pages everywhere else.
	handler := http.NewServeMux()
	api := server.NewAPI(c.svc, server.APIOptions{Log: log, Metrics: metrics, ClientIP: client})
	handler.Handle("/api/v1/", api)
	handler.Handle("/scim/v2/", server.NewSCIM(c.svc, api))
	handleHealth(handler, checks)
	if *metricsToken != "" {
		handler.Handle("GET /metrics", metrics.Handler(*metricsToken))
	}
	handler.Handle("/", web)
	httpLn, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		sshLn.Close()
		return err
	}
	servers := map[string]*http.Server{"http": pagesServer(server.Observe(handler, log, metrics, client), log)}
	listeners := map[string]net.Listener{"ssh": sshLn, "http": httpLn}
	if metricsLn != nil {
		servers["metrics"], listeners["metrics"] = metricsServer(metricsLn, *metricsToken, metrics, checks, log), metricsLn
	}
	attrs := []any{"mail", cfg}
	for name, ln := range listeners {
		attrs = append(attrs, name, ln.Addr().String())
	}
	log.Info("serving", attrs...)

	go renewEveryMinute(ctx, c.svc, log)
	backupsDone := make(chan struct{})
	go func() {
		defer close(backupsDone)
		if *backupEvery != 0 {
			dir := cmp.Or(*backupDir, filepath.Dir(c.st.Path()))
			backup.Run(ctx, c.st, backup.Schedule{Dir: dir, Every: *backupEvery, Keep: *backupKeep, Log: log}, &backups)
		}
	}()

	errc := make(chan error, len(listeners))
	go func() { errc <- sshSrv.Serve(sshLn) }()
	for name, srv := range servers {
		go func() { errc <- srv.Serve(listeners[name]) }()
	}
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
	for name, srv := range servers {
		if e := srv.Shutdown(shutdown); errors.Is(e, context.DeadlineExceeded) {
			srv.Close()
		} else if e != nil {
			err = errors.Join(err, fmt.Errorf("shut down %s: %w", name, e))
		}
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

// newLogger is roster serve's log: text (slog's key=value lines) or JSON,
// one object a line, each line of a request or SSH session with its ID.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(server.LogHandler(slog.NewTextHandler(w, nil))), nil
	case "json":
		return slog.New(server.LogHandler(slog.NewJSONHandler(w, nil))), nil
	}
	return nil, errorf("--log-format %q: want text or json", format)
}

// readiness lists what /readyz checks, each by name; one more (the last
// backup's outcome) is one more entry.
func readiness(svc *admin.Service, worker *mail.Worker) []server.Check {
	return []server.Check{
		{Name: "database", Run: svc.Ready},
		{Name: "mail worker", Run: func(context.Context) error { return worker.Alive() }},
	}
}

func handleHealth(mux *http.ServeMux, checks []server.Check) {
	mux.Handle("GET /healthz", server.Healthz())
	mux.Handle("GET /readyz", server.Readyz(checks))
}

// metricsListen listens on --metrics, refusing an address reachable from
// other machines when there is no metrics token to ask for there.
func metricsListen(addr, token string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if !onLoopback(ln) && token == "" {
		ln.Close()
		return nil, errorf("--metrics %s is reachable from other machines: give --metrics-token (or ROSTER_METRICS_TOKEN), or bind it to loopback (127.0.0.1:9100)", addr)
	}
	return ln, nil
}

func onLoopback(ln net.Listener) bool {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// metricsServer serves /metrics, /healthz and /readyz on the --metrics
// listener, away from the pages. /metrics asks no token there only when the
// listener is bound to loopback, where only this machine reaches it.
// Scrapes are not logged: one every few seconds would drown the rest.
func metricsServer(ln net.Listener, token string, m *server.Metrics, checks []server.Check, log *slog.Logger) *http.Server {
	if onLoopback(ln) {
		token = ""
	}
	mux := http.NewServeMux()
	handleHealth(mux, checks)
	mux.Handle("GET /metrics", m.Handler(token))
	return pagesServer(mux, log)
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
		return nil, errorf("read the host key: %v", err)
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

// parsePrefixes reads a comma-separated list of addresses and CIDR ranges;
// an address is a range of itself alone.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, errorf("%q is neither an address nor a CIDR range", f)
		}
		out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
	}
	return out, nil
}

// sessionCount reads a number of sessions given to flag (or its ROSTER_
// variable): 1 or more.
func sessionCount(flag, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, usagef("--%s takes a number of sessions, 1 or more, not %q", flag, v)
	}
	return n, nil
}
