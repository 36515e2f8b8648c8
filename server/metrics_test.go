package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"roster/store"
)

// value is the series of the label values, as a scrape would say it.
func (c *counterVec) value(values ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[labels(c.labels, values)]
}

// scrape reads h's metrics with Prometheus' own parser: what a Prometheus
// server would make of them.
func scrape(t *testing.T, h http.Handler, token string) map[string]*dto.MetricFamily {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("Content-Type %q", ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("not Prometheus' text format: %v\n%s", err, w.Body)
	}
	return families
}

// The metrics written by hand are Prometheus' text format: counters by
// label, a label value with quotes, a backslash and a newline read back
// as written, a histogram's buckets cumulative, the database's counts
// (zeros included), the backup's age, and the runtime's and process's.
func TestMetricsExposition(t *testing.T) {
	backlogErr := error(nil)
	m := NewMetrics(MetricsOptions{
		Backlog: func(context.Context) (*store.Backlog, error) {
			return &store.Backlog{Outbox: map[[2]string]int{{"failed", "invitation"}: 3}, StuckInvitations: 2}, backlogErr
		},
		LastBackup: func() time.Time { return time.Time{} },
	})
	odd := "GET /a \"b\" \\c\nd"
	m.request(odd, 200)
	m.request(odd, 200)
	m.request("GET /x", 404)
	m.sshSession(1)
	m.sshSession(1)
	m.sshSession(-1)
	for _, d := range []time.Duration{time.Millisecond, 5 * time.Millisecond, 70 * time.Millisecond, time.Minute} {
		m.MailReplied("2xx", d)
	}
	f := scrape(t, m.Handler(""), "")

	one := func(name string, pairs ...string) *dto.Metric {
		t.Helper()
		fam := f[name]
		if fam == nil {
			t.Fatalf("no %s", name)
		}
	next:
		for _, s := range fam.Metric {
			for i := 0; i < len(pairs); i += 2 {
				found := false
				for _, l := range s.Label {
					found = found || l.GetName() == pairs[i] && l.GetValue() == pairs[i+1]
				}
				if !found {
					continue next
				}
			}
			return s
		}
		t.Fatalf("no %s%q", name, pairs)
		return nil
	}
	if v := one("roster_http_requests_total", "route", odd, "code", "200").Counter.GetValue(); v != 2 {
		t.Errorf("requests of the odd route: %v", v)
	}
	if v := one("roster_http_requests_total", "route", "GET /x", "code", "404").Counter.GetValue(); v != 1 {
		t.Errorf("404s: %v", v)
	}
	if v := one("roster_ssh_sessions_open").Gauge.GetValue(); v != 1 {
		t.Errorf("SSH sessions open: %v", v)
	}
	if v := one("roster_mail_relay_replies_total", "class", "5xx").Counter.GetValue(); v != 0 {
		t.Errorf("5xx before any: %v", v)
	}
	h := one("roster_mail_send_seconds").Histogram
	want := map[float64]uint64{.005: 2, .05: 2, .1: 3, 10: 3}
	for _, b := range h.Bucket {
		if n, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != n {
			t.Errorf("bucket ≤ %v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), n)
		}
	}
	if h.GetSampleCount() != 4 || h.GetSampleSum() < 60 {
		t.Errorf("count %d, sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	if v := one("roster_outbox_messages", "state", "failed", "kind", "invitation").Gauge.GetValue(); v != 3 {
		t.Errorf("failed invitations: %v", v)
	}
	if v := one("roster_outbox_messages", "state", "queued", "kind", "invitation").Gauge.GetValue(); v != 0 {
		t.Errorf("queued invitations: %v", v)
	}
	if v := one("roster_invitations_stuck").Gauge.GetValue(); v != 2 {
		t.Errorf("stuck: %v", v)
	}
	if v := one("roster_backup_age_seconds").Gauge.GetValue(); v != -1 {
		t.Errorf("backup age before any: %v", v)
	}
	if one("go_goroutines").Gauge.GetValue() < 1 || one("process_resident_memory_bytes").Gauge.GetValue() < 1<<20 ||
		one("process_open_fds").Gauge.GetValue() < 1 {
		t.Errorf("runtime and process metrics: %v %v %v", f["go_goroutines"], f["process_resident_memory_bytes"], f["process_open_fds"])
	}
	if heap, sys := one("go_memstats_heap_alloc_bytes").Gauge.GetValue(), one("go_memstats_sys_bytes").Gauge.GetValue(); heap < 1<<10 || sys < heap ||
		f["go_gc_cycles_total"] == nil {
		t.Errorf("memory metrics: heap %v, sys %v, gc cycles %v", heap, sys, f["go_gc_cycles_total"])
	}

	// The database not answering leaves its counts out, and the rest in.
	backlogErr = errors.New("database is locked")
	f = scrape(t, m.Handler(""), "")
	if f["roster_outbox_messages"] != nil || f["roster_http_requests_total"] == nil {
		t.Errorf("with the database failing: %v families", len(f))
	}

	// With a token, a scrape without it is refused.
	r := httptest.NewRecorder()
	m.Handler("s3cret").ServeHTTP(r, httptest.NewRequest("GET", "/metrics", nil))
	if r.Code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", r.Code)
	}
	scrape(t, m.Handler("s3cret"), "s3cret")
}
