package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"roster/store"
)

// MetricsOptions say where the metrics read from the database come from.
type MetricsOptions struct {
	// Backlog is read at each scrape (admin.Service.Backlog): the outbox's
	// waiting and failed mail, the stuck invitations. Nil: no such metrics.
	Backlog func(context.Context) (*store.Backlog, error)
	// LastBackup is when the last good backup was taken, zero if none yet;
	// nil: no backup-age gauge.
	LastBackup func() time.Time
}

// Metrics are roster serve's Prometheus metrics, on a registry of their own
// (nothing global: tests run several servers in one process). Its methods
// do nothing on a nil *Metrics, so that the handlers need no metrics to run.
type Metrics struct {
	reg         *prometheus.Registry
	http        *prometheus.CounterVec
	sshOpen     prometheus.Gauge
	sshRefused  *prometheus.CounterVec
	logins      *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	mailTook    prometheus.Histogram
	mailReplies *prometheus.CounterVec
}

// NewMetrics registers roster's metrics, the Go runtime's and the process's.
func NewMetrics(opts MetricsOptions) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "roster_http_requests_total",
			Help: "HTTP requests answered, by route (the pattern that served them) and status code."}, []string{"route", "code"}),
		sshOpen: prometheus.NewGauge(prometheus.GaugeOpts{Name: "roster_ssh_sessions_open",
			Help: "SSH sessions open now."}),
		sshRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "roster_ssh_sessions_refused_total",
			Help: "SSH sessions refused, by reason: key (not an operator's), denied (may not use roster), cap (too many open)."}, []string{"reason"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "roster_logins_total",
			Help: "Logins by channel (web, ssh) and outcome (ok, refused)."}, []string{"channel", "outcome"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "roster_rate_limited_total",
			Help: "Requests refused by a rate limit, by where (web pages, api)."}, []string{"where"}),
		mailTook: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "roster_mail_send_seconds",
			Help: "Time to hand one message to the relay, reply included.", Buckets: prometheus.DefBuckets}),
		mailReplies: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "roster_mail_relay_replies_total",
			Help: "The relay's replies to roster's attempts to send, by class: 2xx, 4xx, 5xx, network (no reply)."}, []string{"class"}),
	}
	m.reg.MustRegister(m.http, m.sshOpen, m.sshRefused, m.logins, m.rateLimited, m.mailTook, m.mailReplies,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, class := range []string{"2xx", "4xx", "5xx", "network"} {
		m.mailReplies.WithLabelValues(class)
	}
	if opts.Backlog != nil {
		m.reg.MustRegister(&backlogCollector{read: opts.Backlog})
	}
	if opts.LastBackup != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "roster_backup_age_seconds",
			Help: "Seconds since the last good backup; -1 when none was taken yet."}, func() float64 {
			t := opts.LastBackup()
			if t.IsZero() {
				return -1
			}
			return time.Since(t).Seconds()
		}))
	}
	return m
}

// backlogCollector reads the database's counts at each scrape.
type backlogCollector struct {
	read func(context.Context) (*store.Backlog, error)
}

var (
	outboxDesc = prometheus.NewDesc("roster_outbox_messages", "Messages in the outbox by state (queued, sending, deferred, failed) and kind.", []string{"state", "kind"}, nil)
	stuckDesc  = prometheus.NewDesc("roster_invitations_stuck", "Pending invitations expired or whose mail failed or is deferred.", nil, nil)
)

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDesc
	ch <- stuckDesc
}

// Collect reports every state and kind, zero included, so that an alert on
// failed mail sees it go back to nothing.
func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxDesc, err)
		return
	}
	for _, state := range store.BacklogStates() {
		for _, kind := range store.MailKinds() {
			ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(b.Outbox[[2]string{state, kind}]), state, kind)
		}
	}
	ch <- prometheus.MustNewConstMetric(stuckDesc, prometheus.GaugeValue, float64(b.StuckInvitations))
}

// Handler serves the metrics in Prometheus' text format. With a token, a
// request must carry it as "Authorization: Bearer TOKEN"; without one, it
// is served to whoever asks, so only on a listener bound to loopback.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(given), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="roster metrics"`)
			http.Error(w, "metrics need the metrics token: Authorization: Bearer TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// MailReplied counts one attempt to hand a message to the relay (mail.Config.Replied).
func (m *Metrics) MailReplied(class string, took time.Duration) {
	if m == nil {
		return
	}
	m.mailReplies.WithLabelValues(class).Inc()
	m.mailTook.Observe(took.Seconds())
}

func (m *Metrics) request(route string, code int) {
	if m != nil {
		m.http.WithLabelValues(route, statusText(code)).Inc()
	}
}

func (m *Metrics) sshSession(delta float64) {
	if m != nil {
		m.sshOpen.Add(delta)
	}
}

func (m *Metrics) sshRefusal(reason string) {
	if m != nil {
		m.sshRefused.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) login(channel, outcome string) {
	if m != nil {
		m.logins.WithLabelValues(channel, outcome).Inc()
	}
}

func (m *Metrics) limited(where string) {
	if m != nil {
		m.rateLimited.WithLabelValues(where).Inc()
	}
}
