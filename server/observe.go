package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

type requestIDKey struct{}

// RequestID is the ID Observe gave the request of ctx (or the SSH session
// its gate gave), "" outside one.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// givenRequestID is the X-Request-ID a proxy in front set, if it is short
// and plain enough to write to the log as it is.
func givenRequestID(r *http.Request) string {
	id := r.Header.Get("X-Request-ID")
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return ""
		}
	}
	return id
}

// Observe wraps roster serve's HTTP handler: each request gets an ID (the
// proxy's X-Request-ID when it sent a plain one), returned as X-Request-ID
// and carried in its context for the log lines written while serving it
// (LogHandler); one line is logged per request, its path's token redacted
// and never its query string, headers or body; and it is counted by route
// (the pattern that served it, so link tokens never become labels) and
// status. m may be nil; client names the client in the log line (nil: the
// connection's address).
func Observe(next http.Handler, log *slog.Logger, m *Metrics, client func(*http.Request) string) http.Handler {
	if client == nil {
		client = webRemoteClient
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := givenRequestID(r)
		if id == "" {
			id = newRequestID()
		}
		rw.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		sw := &webStatusWriter{ResponseWriter: rw}
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = "none"
			}
			m.request(route, status)
			log.InfoContext(r.Context(), "http", "method", r.Method, "path", RedactPath(r.URL.Path), "route", route,
				"status", status, "client", client(r), "ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// LogHandler adds the request's or SSH session's ID to every line logged
// with its context (slog's ...Context methods), so that the lines of one
// request can be found together.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
