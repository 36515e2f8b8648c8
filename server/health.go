package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Check is one named condition of readiness; Run returns why it fails.
// roster serve lists its checks in one slice, so that one more (the last
// backup's outcome, say) is one more entry.
type Check struct {
	Name string
	Run  func(context.Context) error
}

// checkTimeout bounds each check: a database that does not answer within it
// is not ready.
const checkTimeout = 2 * time.Second

// Healthz answers 200 while the process answers at all.
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
}

// Readyz runs every check and answers 200 when all pass, 503 otherwise;
// the body has one line per check, "name: ok" or "name: reason".
func Readyz(checks []Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		status := http.StatusOK
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			err := c.Run(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				fmt.Fprintf(&body, "%s: %s\n", c.Name, strings.Join(strings.Fields(err.Error()), " "))
			} else {
				fmt.Fprintf(&body, "%s: ok\n", c.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		io.WriteString(w, body.String())
	})
}
