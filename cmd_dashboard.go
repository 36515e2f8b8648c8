package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"roster/admin"
	"roster/mail"
	"roster/server"
	"roster/store"
	"roster/tui"
)

// cmdDashboard runs when roster is called with no command: the dashboard,
// as --as (default: the only owner), or the first-run setup on a database
// without an account. Mail is delivered while it is open.
func cmdDashboard(c *cli, ctx context.Context) error {
	if c.actor != nil {
		return usagef("over SSH, the dashboard opens in a terminal: ssh -t")
	}
	// No garbage collection until the first page is in, unless the heap
	// nears 64 MB (a start that never gets there, or gets there slowly,
	// still collects): the start allocates past the first collection's
	// 4 MB goal, and that collection took a quarter of the processor time
	// the first frame costs (7 of 31 ms, on a busy machine).
	// A --db or ROSTER_DB naming no file (mistyped) is refused before the
	// dashboard takes the terminal, in one line, and nothing is made there:
	// its first-run setup would set a second account up in a stray file.
	// The data directory's database is made and set up on the first run.
	if c.db != "" {
		if err := store.Exists(c.db); err != nil {
			return err
		}
	}
	gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(64<<20)
	// The store opens while the dashboard has the terminal: what it would
	// say on stderr (users sharing an address) waits until the dashboard
	// ends, rather than be written over the screen.
	var said bytes.Buffer
	stderr := c.stderr
	c.stderr = &said
	var stop func() // set by open, which tui.Run returns after
	defer func() {
		c.stderr = stderr
		io.Copy(stderr, &said)
		if stop != nil {
			stop()
		}
	}()
	return tui.Run(ctx, func(ctx context.Context) (tui.Options, error) {
		opts, s, err := c.startDashboard(ctx)
		if err != nil {
			return opts, err
		}
		stop = s
		ready := opts.Ready
		opts.Ready = func() (string, error) {
			debug.SetGCPercent(gc)
			debug.SetMemoryLimit(limit)
			return ready()
		}
		return opts, nil
	})
}

// startDashboard prepares what runs beside the dashboard's screens: the
// mail worker and, when the links in mail lead to this machine, the
// invitation pages. Both start when the dashboard calls opts.Ready, once
// the first screen has its rows: the worker's first pass writes to the
// database the first page is read from, and the pages' listener and
// handlers are nothing the first frame needs. stop ends them.
func (c *cli) startDashboard(ctx context.Context) (opts tui.Options, stop func(), err error) {
	if err := c.open(ctx); err != nil { // a new database is set up on the first screen
		return opts, nil, err
	}
	a, err := c.operator(ctx)
	if errors.Is(err, admin.ErrNoAccount) {
		a = admin.Actor{}
	} else if err != nil {
		return opts, nil, err
	}
	cfg, err := c.mailConfig(ctx)
	if err != nil {
		return opts, nil, err
	}
	var (
		mu        sync.Mutex // Ready runs in a command, stop when the dashboard ends
		worker    *mail.Worker
		stopPages func()
		stopped   bool
	)
	opts = tui.Options{Service: c.svc, Operator: a.Email, Channel: admin.ChannelTUI, Lang: c.printer().Lang(), Ready: func() (links string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return "", nil
		}
		links, stopPages = localPages(c.svc, cmp.Or(cfg.BaseURL, mail.DefaultBaseURL))
		worker, err = mail.Start(ctx, c.st, cfg) // logs nothing: the screen is the dashboard's
		return links, err
	}}
	return opts, func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if stopPages != nil {
			stopPages()
		}
		if worker != nil {
			worker.Stop()
		}
	}, nil
}

// localPages serves the invitation pages while the dashboard runs when the
// links in mail lead to this machine over http, as the embedded default
// http://localhost:8080 does: a newcomer's invitation, opened from the Mail
// screen, then works without roster serve. When the port is taken (a
// roster serve, most likely) it serves nothing and says so. It returns the
// line the Mail screen shows about the links, and stop.
func localPages(svc *admin.Service, base string) (links string, stop func()) {
	stop = func() {}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || !loopback(u.Hostname()) {
		return "Links lead to " + base + ", the pages of roster serve", stop
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(u.Hostname(), cmp.Or(u.Port(), "80")))
	if err != nil {
		return fmt.Sprintf("Links lead to %s, not served by this dashboard: %s is in use (by roster serve?)", base, u.Host), stop
	}
	web := server.NewWeb(svc, server.WebOptions{BaseURL: base})
	var h http.Handler = web
	if p := strings.TrimSuffix(u.Path, "/"); p != "" {
		h = http.StripPrefix(p, web)
	}
	srv := pagesServer(h, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	return "Links lead to " + base + ", served by this dashboard while it runs", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		web.Wait()
	}
}

// loopback says whether host names this machine only.
func loopback(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(host, "localhost")
}
