package server

import (
	"bufio"
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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

// Metrics are roster serve's metrics, written in Prometheus' text format
// (version 0.0.4) by hand: a dozen counters, a gauge and a histogram do not
// need Prometheus' client library, whose packages' start-up every roster
// process paid, `roster help` included (2 ms of 6). Nothing is global:
// tests run several servers in one process. Its methods do nothing on a
// nil *Metrics, so that the handlers need no metrics to run.
type Metrics struct {
	opts    MetricsOptions
	started time.Time

	http        *counterVec
	sshOpen     *counterVec // a gauge: it goes down too
	sshRefused  *counterVec
	logins      *counterVec
	rateLimited *counterVec
	mailReplies *counterVec
	mailTook    *histogram
}

// NewMetrics makes roster's metrics; the Go runtime's and the process's are
// read at each scrape.
func NewMetrics(opts MetricsOptions) *Metrics {
	m := &Metrics{
		opts:    opts,
		started: time.Now(),
		http: newCounterVec("roster_http_requests_total", "counter",
			"HTTP requests answered, by route (the pattern that served them) and status code.", "route", "code"),
		sshOpen: newCounterVec("roster_ssh_sessions_open", "gauge", "SSH sessions open now."),
		sshRefused: newCounterVec("roster_ssh_sessions_refused_total", "counter",
			"SSH sessions refused, by reason: key (not an operator's), denied (may not use roster), cap (too many open).", "reason"),
		logins: newCounterVec("roster_logins_total", "counter",
			"Logins by channel (web, ssh) and outcome (ok, refused).", "channel", "outcome"),
		rateLimited: newCounterVec("roster_rate_limited_total", "counter",
			"Requests refused by a rate limit, by where (web pages, api).", "where"),
		mailReplies: newCounterVec("roster_mail_relay_replies_total", "counter",
			"The relay's replies to roster's attempts to send, by class: 2xx, 4xx, 5xx, network (no reply).", "class"),
		mailTook: &histogram{name: "roster_mail_send_seconds", help: "Time to hand one message to the relay, reply included.",
			bounds: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}},
	}
	m.sshOpen.add(0)
	for _, class := range []string{"2xx", "4xx", "5xx", "network"} {
		m.mailReplies.add(0, class)
	}
	m.mailTook.counts = make([]uint64, len(m.mailTook.bounds))
	return m
}

// Handler serves the metrics in Prometheus' text format. With a token, a
// request must carry it as "Authorization: Bearer TOKEN"; without one, it
// is served to whoever asks, so only on a listener bound to loopback.
func (m *Metrics) Handler(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(given), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="roster metrics"`)
				http.Error(w, "metrics need the metrics token: Authorization: Bearer TOKEN", http.StatusUnauthorized)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		bw := bufio.NewWriter(w)
		m.write(r.Context(), bw)
		bw.Flush()
	})
}

// write writes every metric: roster's, the database's counts (an error
// reading them leaves them out and says so in a comment, the rest still
// served), the Go runtime's and the process's.
func (m *Metrics) write(ctx context.Context, w *bufio.Writer) {
	for _, c := range []*counterVec{m.http, m.sshOpen, m.sshRefused, m.logins, m.rateLimited, m.mailReplies} {
		c.write(w)
	}
	m.mailTook.write(w)
	if m.opts.Backlog != nil {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		b, err := m.opts.Backlog(ctx)
		cancel()
		if err != nil {
			fmt.Fprintf(w, "# roster_outbox_messages and roster_invitations_stuck: %s\n", strings.Join(strings.Fields(err.Error()), " "))
		} else {
			// Every state and kind, zero included, so that an alert on
			// failed mail sees it go back to nothing.
			header(w, "roster_outbox_messages", "gauge", "Messages in the outbox by state (queued, sending, deferred, failed) and kind.")
			for _, state := range store.BacklogStates() {
				for _, kind := range store.MailKinds() {
					sample(w, "roster_outbox_messages", labels([]string{"state", "kind"}, []string{state, kind}), float64(b.Outbox[[2]string{state, kind}]))
				}
			}
			gauge(w, "roster_invitations_stuck", "Pending invitations expired or whose mail failed or is deferred.", float64(b.StuckInvitations))
		}
	}
	if m.opts.LastBackup != nil {
		age := -1.0
		if t := m.opts.LastBackup(); !t.IsZero() {
			age = time.Since(t).Seconds()
		}
		gauge(w, "roster_backup_age_seconds", "Seconds since the last good backup; -1 when none was taken yet.", age)
	}
	m.writeRuntime(w)
}

// writeRuntime writes the Go runtime's and the process's metrics under the
// names Prometheus' own collectors give them, so that dashboards built for
// Go programs work.
func (m *Metrics) writeRuntime(w *bufio.Writer) {
	gauge(w, "go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	// runtime.ReadMemStats, not runtime/metrics: that package's init cost
	// every process, whatever its command, half a percent of a one-page
	// listing, for a page read once every few seconds.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(w, "go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", float64(ms.HeapAlloc))
	gauge(w, "go_memstats_sys_bytes", "Number of bytes obtained from system.", float64(ms.Sys))
	header(w, "go_gc_cycles_total", "counter", "Number of completed GC cycles.")
	sample(w, "go_gc_cycles_total", "", float64(ms.NumGC))
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		header(w, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
		sample(w, "process_cpu_seconds_total", "", cpu.Seconds())
	}
	if statm, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(statm)); len(f) > 1 {
			if pages, err := strconv.ParseFloat(f[1], 64); err == nil {
				gauge(w, "process_resident_memory_bytes", "Resident memory size in bytes.", pages*float64(os.Getpagesize()))
			}
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		gauge(w, "process_open_fds", "Number of open file descriptors.", float64(len(fds)))
	}
	gauge(w, "process_start_time_seconds", "Start time of the process since unix epoch in seconds (when roster serve began serving).",
		float64(m.started.UnixNano())/1e9)
}

// MailReplied counts one attempt to hand a message to the relay (mail.Config.Replied).
func (m *Metrics) MailReplied(class string, took time.Duration) {
	if m == nil {
		return
	}
	m.mailReplies.add(1, class)
	m.mailTook.observe(took.Seconds())
}

func (m *Metrics) request(route string, code int) {
	if m != nil {
		m.http.add(1, route, strconv.Itoa(code))
	}
}

func (m *Metrics) sshSession(delta float64) {
	if m != nil {
		m.sshOpen.add(delta)
	}
}

func (m *Metrics) sshRefusal(reason string) {
	if m != nil {
		m.sshRefused.add(1, reason)
	}
}

func (m *Metrics) login(channel, outcome string) {
	if m != nil {
		m.logins.add(1, channel, outcome)
	}
}

func (m *Metrics) limited(where string) {
	if m != nil {
		m.rateLimited.add(1, where)
	}
}

// counterVec is a counter (or a gauge) by its labels' values.
type counterVec struct {
	name, kind, help string
	labels           []string

	mu     sync.Mutex
	values map[string]float64 // by the label pairs as written: `a="x",b="y"`
}

func newCounterVec(name, kind, help string, labels ...string) *counterVec {
	return &counterVec{name: name, kind: kind, help: help, labels: labels, values: map[string]float64{}}
}

// add adds d to the series of the label values, in the order of c.labels.
func (c *counterVec) add(d float64, values ...string) {
	key := labels(c.labels, values)
	c.mu.Lock()
	c.values[key] += d
	c.mu.Unlock()
}

func (c *counterVec) write(w *bufio.Writer) {
	c.mu.Lock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	values := make([]float64, len(keys))
	for i, k := range keys {
		values[i] = c.values[k]
	}
	c.mu.Unlock()
	header(w, c.name, c.kind, c.help)
	for i, k := range keys {
		sample(w, c.name, k, values[i])
	}
}

// histogram counts observations in cumulative buckets, as Prometheus'
// histograms are written.
type histogram struct {
	name, help string
	bounds     []float64 // upper bounds, ascending; +Inf is implied

	mu     sync.Mutex
	counts []uint64 // per bound, not cumulative
	count  uint64
	sum    float64
}

func (h *histogram) observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i, _ := slices.BinarySearch(h.bounds, v); i < len(h.bounds) {
		h.counts[i]++
	}
	h.count++
	h.sum += v
}

func (h *histogram) write(w *bufio.Writer) {
	h.mu.Lock()
	counts, count, sum := slices.Clone(h.counts), h.count, h.sum
	h.mu.Unlock()
	header(w, h.name, "histogram", h.help)
	var cum uint64
	for i, b := range h.bounds {
		cum += counts[i]
		sample(w, h.name+"_bucket", `le="`+number(b)+`"`, float64(cum))
	}
	sample(w, h.name+"_bucket", `le="+Inf"`, float64(count))
	sample(w, h.name+"_sum", "", sum)
	sample(w, h.name+"_count", "", float64(count))
}

// labels writes names and values as a series' label pairs, each value
// escaped as the text format asks (backslash, double quote, newline).
func labels(names, values []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		v := ""
		if i < len(values) {
			v = values[i]
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v))
		b.WriteByte('"')
	}
	return b.String()
}

func header(w *bufio.Writer, name, kind, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func sample(w *bufio.Writer, name, labels string, v float64) {
	w.WriteString(name)
	if labels != "" {
		w.WriteString("{" + labels + "}")
	}
	w.WriteString(" " + number(v) + "\n")
}

func gauge(w *bufio.Writer, name, help string, v float64) {
	header(w, name, "gauge", help)
	sample(w, name, "", v)
}

// number writes v as the text format reads it: +Inf, -Inf, NaN or Go's
// shortest decimal.
func number(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
