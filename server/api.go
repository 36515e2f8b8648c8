package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"roster/admin"
	"roster/store"
)

// APIOptions configure the HTTP API.
type APIOptions struct {
	// Log receives the errors a client is not shown. Nil discards.
	Log *slog.Logger
	// PerKey limits each key's requests; a zero RateLimit is 600 a minute.
	PerKey RateLimit
	// BadKeysPerClient limits the requests with a wrong key each client may
	// send; a zero RateLimit is 60 a minute.
	BadKeysPerClient RateLimit
	// ClientIP names the client a request comes from (ForwardedClient);
	// nil takes the connection's address.
	ClientIP func(*http.Request) string
	// Metrics counts the rate limit's refusals; nil counts nothing.
	Metrics *Metrics
}

// API is the HTTP API under /api/v1: the operations of the command line,
// as JSON, for automations acting with a user's API key (Authorization:
// Bearer rst_…), on the same rules as every other door.
type API struct {
	svc     *admin.Service
	log     *slog.Logger
	metrics *Metrics
	limit   *webLimiter // per key, once known
	badKeys *webLimiter // per client, for wrong keys
	perKey  RateLimit
	client  func(*http.Request) string
	mux     *http.ServeMux
}

// apiMaxBody bounds a request's body: a thousand invitations fit.
const apiMaxBody = 1 << 20

// NewAPI returns the API's handler; mount it at /api/v1/.
func NewAPI(svc *admin.Service, opts APIOptions) *API {
	x := &API{svc: svc, log: opts.Log, metrics: opts.Metrics, perKey: opts.PerKey.or(RateLimit{600, time.Minute}), mux: http.NewServeMux()}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	x.limit = newWebLimiter(x.perKey, webLimiterKeys)
	x.badKeys = newWebLimiter(opts.BadKeysPerClient.or(RateLimit{60, time.Minute}), webLimiterKeys)
	if x.client = opts.ClientIP; x.client == nil {
		x.client = webRemoteClient
	}
	routes := http.NewServeMux() // the operations alone, to say which methods a path takes
	for _, rt := range apiRoutes {
		x.mux.HandleFunc(rt.method+" "+rt.path, x.serve(rt))
		routes.HandleFunc(rt.method+" "+rt.path, http.NotFound)
	}
	x.mux.HandleFunc("GET /api/v1/openapi.json", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		json.NewEncoder(rw).Encode(openAPI())
	})
	x.mux.HandleFunc("/api/v1/", func(rw http.ResponseWriter, r *http.Request) {
		// A path the API has, asked with a method it does not take, is
		// 405 with the methods it takes (RFC 9110 15.5.6), not 404.
		if allow := allowedMethods(routes, r, ""); len(allow) > 0 {
			rw.Header().Set("Allow", strings.Join(allow, ", "))
			x.problem(rw, r, http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(allow, ", "), r.Method))
			return
		}
		x.problem(rw, r, http.StatusNotFound, "no such operation: GET /api/v1/openapi.json lists them")
	})
	return x
}

func (x *API) ServeHTTP(rw http.ResponseWriter, r *http.Request) { x.mux.ServeHTTP(rw, r) }

// allowedMethods lists the methods mux takes r's path with, other than by
// its pattern catchAll (the one answering what nothing else does): what a
// 405's Allow header says, the API's and the pages'.
func allowedMethods(mux *http.ServeMux, r *http.Request, catchAll string) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != catchAll {
			allow = append(allow, m)
		}
	}
	return allow
}

// apiRoute is one operation: its method and path (a ServeMux pattern), what
// the OpenAPI description says of it, and its handler, which returns the
// status and the value to answer with, or an error the problem details
// explain.
type apiRoute struct {
	method, path, summary string
	query                 []string // the query parameters it reads
	body                  bool     // it reads a JSON body
	handle                func(c *apiCall) (int, any, error)
}

// apiCall is one request, authenticated.
type apiCall struct {
	r     *http.Request
	rw    http.ResponseWriter
	actor admin.Actor
	x     *API
}

// authenticate finds who the request's API key acts as, within the key's
// rate limit; otherwise it says with which status and why the request is
// refused, having set the headers that go with it.
//
// Two limits: a client sending wrong keys spends its own allowance of
// them, so that guessing costs the guesser: a client with none left is
// refused before its key is looked up, and a key that proves wrong spends
// one. A right key spends none, even for the moment it is looked up: taken
// before and given back after, the allowance was spent by requests in
// flight, and an identity provider or a script sending more than 60 at once
// with a good key, or all the clients behind one proxy, were refused as
// "too many requests with a wrong key". A key's own limit is counted once
// the key is known, so that nobody who merely knows its public prefix (the
// audit trail shows it) can spend it and lock its automation out.
func (x *API) authenticate(rw http.ResponseWriter, r *http.Request) (admin.Actor, int, string) {
	scheme, secret, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" { // the scheme is case-insensitive (RFC 9110 §11.1)
		rw.Header().Set("WWW-Authenticate", `Bearer realm="roster"`)
		return admin.Actor{}, http.StatusUnauthorized, "send an API key: Authorization: Bearer rst_… (roster apikeys create)"
	}
	client := x.client(r)
	if ok, wait := x.badKeys.has(client, time.Now()); !ok {
		return admin.Actor{}, x.tooMany(rw, wait), fmt.Sprintf("too many requests with a wrong key from this client: try again in %d s", int(wait.Seconds())+1)
	}
	actor, err := x.svc.APIKeyActor(r.Context(), secret)
	var d *admin.DeniedError
	switch {
	case errors.Is(err, admin.ErrBadAPIKey) || errors.As(err, &d):
		x.badKeys.take(client, time.Now())
		rw.Header().Set("WWW-Authenticate", `Bearer realm="roster", error="invalid_token"`)
		return admin.Actor{}, http.StatusUnauthorized, err.Error()
	case err != nil:
		x.log.ErrorContext(r.Context(), "api: key", "err", err)
		return admin.Actor{}, http.StatusInternalServerError, "the request could not be completed: try again in a moment"
	}
	allowed, wait, left := x.limit.takeLeft(secret[:min(len(secret), 12)], time.Now())
	rw.Header().Set("RateLimit-Limit", strconv.Itoa(x.perKey.N))
	rw.Header().Set("RateLimit-Remaining", strconv.Itoa(left))
	if !allowed {
		return admin.Actor{}, x.tooMany(rw, wait), fmt.Sprintf("too many requests with this key: try again in %d s", int(wait.Seconds())+1)
	}
	return actor, 0, ""
}

// tooMany sets the headers of a refusal by a rate limit, for wait, and
// returns its status.
func (x *API) tooMany(rw http.ResponseWriter, wait time.Duration) int {
	x.metrics.limited("api")
	secs := strconv.Itoa(int(wait.Seconds()) + 1)
	rw.Header().Set("Retry-After", secs)
	rw.Header().Set("RateLimit-Reset", secs)
	return http.StatusTooManyRequests
}

// serve authenticates, limits and runs one route.
func (x *API) serve(rt apiRoute) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "no-store")
		actor, status, why := x.authenticate(rw, r)
		if status != 0 {
			x.problem(rw, r, status, why)
			return
		}
		if rt.body {
			r.Body = http.MaxBytesReader(rw, r.Body, apiMaxBody)
		}
		status, v, err := rt.handle(&apiCall{r: r, rw: rw, actor: actor, x: x})
		if err != nil {
			x.fail(rw, r, err)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(status)
		if v != nil {
			json.NewEncoder(rw).Encode(v)
		}
	}
}

// problem answers with RFC 9457 problem details.
func (x *API) problem(rw http.ResponseWriter, r *http.Request, status int, detail string) {
	rw.Header().Set("Content-Type", "application/problem+json")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status,
		"detail": admin.Printable(detail), "instance": r.URL.Path})
}

// apiError is a mistake in the request itself, before any rule runs.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// fail answers an error with the status that says what it is and the
// one-line message the command line prints.
func (x *API) fail(rw http.ResponseWriter, r *http.Request, err error) {
	var (
		ae       *apiError
		input    *admin.InputError
		deny     *admin.DeniedError
		missing  *admin.NotFoundError
		conflict *admin.ConflictError
		state    *admin.StateError
		rate     *admin.RateLimitError
		tooBig   *http.MaxBytesError
	)
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &ae):
		status = ae.status
	case errors.As(err, &tooBig):
		status, err = http.StatusRequestEntityTooLarge, fmt.Errorf("the body is over %d bytes", apiMaxBody)
	case errors.As(err, &input) && input.Taken:
		status = http.StatusConflict
	case errors.As(err, &input):
		status = http.StatusUnprocessableEntity
	case errors.As(err, &deny):
		status = http.StatusForbidden
	case errors.As(err, &missing), errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.As(err, &conflict):
		status = http.StatusPreconditionFailed
	case errors.As(err, &state), errors.Is(err, store.ErrDuplicate):
		status = http.StatusConflict
	case errors.As(err, &rate):
		status = http.StatusTooManyRequests
		rw.Header().Set("Retry-After", strconv.Itoa(max(1, int(time.Until(rate.Next).Seconds())+1)))
	case errors.Is(err, admin.ErrBusy):
		status = http.StatusServiceUnavailable
	}
	detail := err.Error()
	if status == http.StatusInternalServerError {
		x.log.ErrorContext(r.Context(), "api", "path", r.URL.Path, "err", err)
		detail = "the request could not be completed: try again in a moment"
	}
	x.problem(rw, r, status, detail)
}

// decode reads the JSON body into v, refusing unknown fields, so that a
// misspelt field is an error rather than ignored, and anything after the
// value (two objects sent: the first was applied).
func (c *apiCall) decode(v any) error {
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return &apiError{http.StatusUnsupportedMediaType, fmt.Sprintf("the body is %s: send application/json", mt)}
		}
	}
	d := json.NewDecoder(c.r.Body)
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, more := d.Token(); more != io.EOF {
			err = errors.New("more follows the JSON value")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequest("the body is not the JSON expected: %v", err)
	}
	return nil
}

// version reads If-Match: the version of the user the client read ("v12",
// as the ETag said); 0 when absent, which edits whatever the version is.
func (c *apiCall) version() (int64, error) {
	h := strings.TrimSpace(c.r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(h, "W/"), `"v`), `"`), 10, 64)
	if err != nil || v <= 0 {
		return 0, badRequest("If-Match %q: send the ETag the user was read with, such as \"v12\"", h)
	}
	return v, nil
}

func etag(version int64) string { return fmt.Sprintf(`"v%d"`, version) }

// cursor is a page's position as the client sees it: opaque.
func encodeCursor(c store.Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c store.Cursor
	if err != nil || json.Unmarshal(b, &c) != nil {
		return nil, badRequest("cursor %q: send the next_cursor of the page before", s)
	}
	return &c, nil
}

// intParam reads a query parameter in [lo, hi], def when absent.
func (c *apiCall) intParam(name string, def, lo, hi int) (int, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s=%q: a number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func (c *apiCall) dateParam(name string) (time.Time, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	return admin.ParseDate(v, c.x.svc.Now())
}
