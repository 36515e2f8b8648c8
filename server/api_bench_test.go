package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchServer serves the API over a database seeded with a million users
// (ROSTER_BENCH_USERS sets another count).
func benchServer(b *testing.B) (base, key, someone string) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	return seededServer(b, n)
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
