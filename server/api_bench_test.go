package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// BenchmarkAPIUsers is issue 13's GET /api/v1/users first page on a million
// users (ROSTER_BENCH_USERS to change), over HTTP on loopback in process,
// the key checked on every request; it reports the median and the p99.
func BenchmarkAPIUsers(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := store.Open(ctx, benchdb.Copy(b, n))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		b.Fatal("no owner", err)
	}
	key, _, err := svc.CreateAPIKey(ctx, admin.Actor{Email: owners[0], Channel: admin.ChannelCLI}, "bench", time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewAPI(svc, APIOptions{PerKey: RateLimit{N: 1 << 30, Per: time.Second}}))
	defer srv.Close()
	for _, q := range []string{"limit=50", "limit=50&search=mar"} {
		b.Run(q, func(b *testing.B) {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/users?"+q, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
