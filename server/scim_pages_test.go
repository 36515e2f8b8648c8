package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// seededServer serves the API and SCIM over a copy of a database seeded with
// n users, and returns its address, an owner's API key and an address.
func seededServer(tb testing.TB, n int) (base, key, someone string) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, benchdb.Copy(tb, n))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc := admin.New(st)
	owners, err := st.Read().Owners(ctx)
	if err != nil || len(owners) == 0 {
		tb.Fatal("no owner", err)
	}
	owner := admin.Actor{Email: owners[0], Channel: admin.ChannelCLI}
	if key, _, err = svc.CreateAPIKey(ctx, owner, "scim", time.Time{}); err != nil {
		tb.Fatal(err)
	}
	page, err := svc.ListUsers(ctx, owner, store.ListQuery{Search: "mar", Limit: 1})
	if err != nil || len(page.Users) == 0 {
		tb.Fatal("nobody to look up", err)
	}
	api := NewAPI(svc, APIOptions{PerKey: RateLimit{N: 1 << 30, Per: time.Second}})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api)
	mux.Handle("/scim/v2/", NewSCIM(svc, api))
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv.URL, key, page.Users[0].Email
}

// scimGet sends GET path with key and returns how long the answer took.
func scimGet(tb testing.TB, base, key, path string) time.Duration {
	tb.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s: status %d: %s", path, resp.StatusCode, body)
	}
	return took
}

// scimPaths are the listings an identity provider pages through: without
// a filter, at the start and deep, and by userName and externalId.
func scimPaths(someone string) map[string]string {
	return map[string]string{
		"first":      "/scim/v2/Users?startIndex=1&count=100",
		"deep":       "/scim/v2/Users?startIndex=15001&count=100",
		"userName":   "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf("userName eq %q", someone)),
		"externalId": "/scim/v2/Users?filter=" + url.QueryEscape(`externalId eq "nobody's"`),
	}
}

// A page of SCIM users, without a filter or by userName or externalId,
// costs about what a page of the API does: it read every user for each
// page (1.2 s at 100,000 users, against 4 ms). At 20,000 users, where that
// took a quarter of a second, each median is held to a few times the API's.
func TestSCIMPageReadsOnlyThePage(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20,000 users")
	}
	base, key, someone := seededServer(t, 20_000)
	median := func(path string) time.Duration {
		var took []time.Duration
		for range 7 {
			took = append(took, scimGet(t, base, key, path))
		}
		slices.Sort(took)
		return took[len(took)/2]
	}
	api := median("/api/v1/users?limit=100")
	for name, path := range scimPaths(someone) {
		if took := median(path); took > 4*api+10*time.Millisecond {
			t.Errorf("SCIM %s page: %v, against %v for the API's", name, took, api)
		}
	}
}

// BenchmarkSCIMPages reports the median of each listing of scimPaths at
// ROSTER_BENCH_USERS users (100,000 unless told), beside the API's page.
func BenchmarkSCIMPages(b *testing.B) {
	base, key, someone := seededServer(b, benchdb.Users(100_000))
	paths := scimPaths(someone)
	paths["api"] = "/api/v1/users?limit=100"
	for name, path := range paths {
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				took = append(took, scimGet(b, base, key, path))
			}
			b.ReportMetric(float64(benchdb.Median(took).Microseconds())/1000, "median-ms")
		})
	}
}
