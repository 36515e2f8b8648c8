package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// benchServer serves the API and SCIM, in process, over a copy of the
// seeded database of a million users (ROSTER_BENCH_USERS to change), and
// returns its address, an owner's API key and an address of the database.
func benchServer(b *testing.B) (base, key, someone string) {
	b.Helper()
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := store.Open(ctx, benchdb.Copy(b, n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := admin.New(st)
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		b.Fatal("no owner", err)
	}
	if key, _, err = svc.CreateAPIKey(ctx, admin.Actor{Email: owners[0], Channel: admin.ChannelCLI}, "bench", time.Time{}); err != nil {
		b.Fatal(err)
	}
	page, err := svc.ListUsers(ctx, admin.Actor{Email: owners[0], Channel: admin.ChannelCLI}, store.ListQuery{Search: "mar", Limit: 1})
	if err != nil || len(page.Users) == 0 {
		b.Fatal("nobody to look up", err)
	}
	api := NewAPI(svc, APIOptions{PerKey: RateLimit{N: 1 << 30, Per: time.Second}})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api)
	mux.Handle("/scim/v2/", NewSCIM(svc, api))
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv.URL, key, page.Users[0].Email
}

// timed sends req b.N times and reports the median and the p99.
func timed(b *testing.B, req func() *http.Request, want int) {
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		resp, err := http.DefaultClient.Do(req())
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkAPI is issue 13's GET /api/v1/users first page (and a search)
// and a SCIM lookup by userName, over HTTP on loopback in process, the key
// checked on every request.
func BenchmarkAPI(b *testing.B) {
	base, key, someone := benchServer(b)
	get := func(path string) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			return req
		}
	}
	b.Run("users", func(b *testing.B) { timed(b, get("/api/v1/users?limit=50"), 200) })
	b.Run("users-search", func(b *testing.B) { timed(b, get("/api/v1/users?limit=50&search=mar"), 200) })
	b.Run("scim-userName", func(b *testing.B) {
		timed(b, get("/scim/v2/Users?filter="+url.QueryEscape(fmt.Sprintf("userName eq %q", someone))), 200)
	})
}

// BenchmarkSCIMCreate1000 is issue 13's thousand SCIM creates, one request
// each as an identity provider sends them, on the million users; it
// reports seconds per thousand.
func BenchmarkSCIMCreate1000(b *testing.B) {
	base, key, _ := benchServer(b)
	run := 0
	for b.Loop() {
		run++
		start := time.Now()
		for i := range 1000 {
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scim%d.%d@bench.test","externalId":"ext-%d-%d",`+
				`"name":{"givenName":"Scim","familyName":"Bench"},"active":true}`, run, i, run, i)
			req, _ := http.NewRequest("POST", base+"/scim/v2/Users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("create %d: status %d", i, resp.StatusCode)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/1000")
	}
}
