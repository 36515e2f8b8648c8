package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

//go:embed templates
var webFS embed.FS

// webPages are the page templates, parsed when the first page is served
// rather than by every roster process at start-up; webStyle is the one
// stylesheet, inlined in every page and allowed by its hash in the
// Content-Security-Policy.
var (
	webPages = sync.OnceValue(func() *template.Template { return template.Must(template.ParseFS(webFS, "templates/*.html")) })
	webStyle = template.CSS(webMust(webFS.ReadFile("templates/style.css")))
)

func webMust(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// WebOptions configure the web pages an invited person opens from a mail.
type WebOptions struct {
	// BaseURL is where people reach the pages, the address the mails link to
	// (https://roster.example.com). With https, cookies are Secure and
	// __Host- prefixed and HSTS is sent. Its origin is trusted for form posts
	// (for a proxy that rewrites Host). Its path, if any, prefixes the pages'
	// links: the handler itself serves from its root, so strip that path in
	// front of it (http.StripPrefix).
	BaseURL string
	// Log receives the errors a person is not shown, and the refusals and
	// logins, never a token or a password; Observe, in front, logs each
	// request. Nil discards.
	Log *slog.Logger
	// Now is the rate limits' clock; nil is time.Now.
	Now func() time.Time
	// ClientIP names the client a request comes from, for the rate limits.
	// Nil uses the connection's address (an IPv6 client by its /64); behind a
	// reverse proxy, ForwardedClient reads the address the proxy forwards.
	ClientIP func(*http.Request) string
	// Rate limits; a zero RateLimit takes the default shown.
	LoginPerAddress  RateLimit // 10 per 15 minutes, per address and client network (webNetwork)
	LoginPerClient   RateLimit // 30 per 15 minutes
	ForgotPerAddress RateLimit // 3 per hour, per address and client network
	ForgotPerClient  RateLimit // 10 per hour
	LinkPerClient    RateLimit // 20 per 15 minutes: passwords posted to /invite and /reset, by client to links that do not work, by person to one that does
	// LoginPerAddressAll bounds an address's attempts from every network
	// together, but those of a browser that signed in as it before, which
	// each have a LoginPerAddress of their own: 50 per 15 minutes.
	LoginPerAddressAll RateLimit
	// Metrics counts logins and rate-limit refusals; nil counts nothing.
	Metrics *Metrics
	// CSRFKey signs the forms' anti-forgery tokens. Nil draws a random key
	// when the handler is made, so a form opened before a restart must be
	// reloaded; give the same key (32 bytes) to processes serving together.
	CSRFKey []byte

	// limiterKeys is how many clients or addresses each rate limit
	// remembers; 0 is webLimiterKeys. Tests fill a small one.
	limiterKeys int
}

// RateLimit allows N attempts at once, which come back at an even pace over Per.
type RateLimit struct {
	N   int
	Per time.Duration
}

func (l RateLimit) or(def RateLimit) RateLimit {
	if l.N <= 0 || l.Per <= 0 {
		return def
	}
	return l
}

// web serves the pages. It keeps no per-person state but the rate limits'.
type web struct {
	svc      *admin.Service
	log      *slog.Logger
	metrics  *Metrics
	now      func() time.Time
	clientIP func(*http.Request) string
	prefix   string // BaseURL's path, before every link
	secure   bool   // BaseURL is https
	key      []byte
	cop      *http.CrossOriginProtection
	csp      string

	loginAddr, loginClient, forgotAddr, forgotClient, linkClient *webLimiter
	loginAll, loginKnown                                         *webLimiter

	background sync.WaitGroup // work started after answering
}

// Web is the handler of the invitation pages.
type Web struct {
	http.Handler
	w *web
}

// Wait waits for the work the pages do after answering: the reset mails
// asked for on /forgot. roster serve calls it after the server has stopped.
func (x *Web) Wait() { x.w.background.Wait() }

// NewWeb returns the handler of the pages an invited person opens:
// /invite/{token} and /reset/{token} (choose a password), /forgot (ask for a
// new link), /login, and /settings (a signed-in person's notifications). Mount it at the root of an http.Server; every
// response carries the security headers, and requests are logged with tokens
// redacted.
func NewWeb(svc *admin.Service, opts WebOptions) *Web {
	w := &web{svc: svc, log: opts.Log, metrics: opts.Metrics, now: opts.Now, clientIP: opts.ClientIP, key: opts.CSRFKey,
		cop: http.NewCrossOriginProtection()}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.clientIP == nil {
		w.clientIP = webRemoteClient
	}
	if len(w.key) == 0 {
		w.key = make([]byte, 32)
		rand.Read(w.key)
	}
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			w.log.Error("web: base URL ignored: want http(s)://host[/path]", "base_url", opts.BaseURL)
		} else {
			w.secure = u.Scheme == "https"
			w.prefix = strings.TrimSuffix(u.Path, "/")
			if err := w.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
				w.log.Error("web: base URL not trusted for form posts", "err", err)
			}
		}
	}
	sum := sha256.Sum256([]byte(webStyle))
	w.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	keys := cmp.Or(opts.limiterKeys, webLimiterKeys)
	w.loginAddr = newWebLimiter(opts.LoginPerAddress.or(RateLimit{10, 15 * time.Minute}), keys)
	w.loginClient = newWebLimiter(opts.LoginPerClient.or(RateLimit{30, 15 * time.Minute}), keys)
	w.forgotAddr = newWebLimiter(opts.ForgotPerAddress.or(RateLimit{3, time.Hour}), keys)
	w.forgotClient = newWebLimiter(opts.ForgotPerClient.or(RateLimit{10, time.Hour}), keys)
	w.linkClient = newWebLimiter(opts.LinkPerClient.or(RateLimit{20, 15 * time.Minute}), keys)
	w.loginAll = newWebLimiter(opts.LoginPerAddressAll.or(RateLimit{50, 15 * time.Minute}), keys)
	w.loginKnown = newWebLimiter(opts.LoginPerAddress.or(RateLimit{10, 15 * time.Minute}), keys)

	mux := http.NewServeMux()
	for _, kind := range []string{"invite", "reset"} {
		mux.HandleFunc("GET /"+kind+"/{token}", w.linkPage(kind))
		mux.HandleFunc("POST /"+kind+"/{token}", w.linkPost(kind))
	}
	mux.HandleFunc("GET /forgot", w.forgotPage)
	mux.HandleFunc("POST /forgot", w.forgotPost)
	mux.HandleFunc("GET /login", w.loginPage)
	mux.HandleFunc("POST /login", w.loginPost)
	mux.HandleFunc("GET /settings", w.settingsPage)
	mux.HandleFunc("POST /settings", w.settingsPost)
	mux.HandleFunc("POST /logout", w.logoutPost)
	mux.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, w.prefix+"/login", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		lang := w.lang(r)
		t := webTexts[lang]
		// A page asked with a method it does not take (GET /logout typed
		// in, PUT /login) is 405 with the methods it takes, not "Page not
		// found" (RFC 9110 15.5.6), as the API's are.
		if allow := allowedMethods(mux, r, "/"); len(allow) > 0 {
			rw.Header().Set("Allow", strings.Join(allow, ", "))
			w.message(rw, http.StatusMethodNotAllowed, lang, t.MethodTitle, t.MethodText, w.link(t.SignIn, "/login", lang))
			return
		}
		w.message(rw, http.StatusNotFound, lang, t.NotFoundTitle, t.NotFoundText, w.link(t.SignIn, "/login", lang))
	})
	return &Web{Handler: w.wrap(mux), w: w}
}

// RedactPath replaces the token of an invitation or reset link in an URL
// path, so that logs never hold a working link.
func RedactPath(p string) string {
	lower := strings.ToLower(p)
	for _, pre := range []string{"/invite/", "/reset/"} {
		if i := strings.Index(lower, pre); i >= 0 && len(p) > i+len(pre) {
			return p[:i+len(pre)] + "REDACTED"
		}
	}
	return p
}

// wrap adds the security headers to every response and bounds request
// bodies; roster serve's Observe logs each request, its token redacted.
func (w *web) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", w.csp)
		h.Set("X-Frame-Options", "DENY")
		// Tokens are in the URLs: no page may pass its address on.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		// Every page holds a token or a form: keep none in any cache.
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if w.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
		sw := &webStatusWriter{ResponseWriter: rw}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				w.log.ErrorContext(r.Context(), "web: panic", "method", r.Method, "path", RedactPath(r.URL.Path), "panic", fmt.Sprint(p))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

type webStatusWriter struct {
	http.ResponseWriter
	status int
}

func (s *webStatusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *webStatusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// webRemoteClient is the connection's address; an IPv6 client by its /64,
// since one machine commonly holds a whole /64.
func webRemoteClient(r *http.Request) string { return ForwardedClient(nil)(r) }

// ForwardedClient names the client a request comes from, for the rate
// limits and the log (WebOptions.ClientIP, Observe): the connection's
// address, or, when that is one of the trusted proxies, the nearest address
// their X-Forwarded-For names that is not itself a trusted proxy; an IPv6
// client by its /64. Only the proxies' word is taken: a client that writes
// X-Forwarded-For itself, reaching roster directly, is still its address,
// and one reaching it through the proxy is the address the proxy saw,
// whatever it wrote before it.
func ForwardedClient(trusted []netip.Prefix) func(*http.Request) string {
	isTrusted := func(ip netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(ip) })
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return host
		}
		ip = ip.Unmap()
		if isTrusted(ip) {
			var hops []string
			for _, h := range r.Header.Values("X-Forwarded-For") {
				hops = append(hops, strings.Split(h, ",")...)
			}
			for i := len(hops) - 1; i >= 0; i-- {
				hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break // what the proxy could not vouch for
				}
				if ip = hop.Unmap(); !isTrusted(ip) {
					break
				}
			}
		}
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			return p.String()
		}
		return ip.String()
	}
}

// lang is the language of a page that knows nobody yet: ?lang= (the pages'
// own links carry it), else the browser's Accept-Language, else English.
func (w *web) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); webTexts[l] != nil {
		return l
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	for _, t := range tags { // sorted by preference
		if b, _ := t.Base(); webTexts[b.String()] != nil {
			return b.String()
		}
	}
	return "en"
}

// linkLang is the language of the person a link was made for, even when
// the link cannot be used any more; the browser's for a link to nobody.
func (w *web) linkLang(r *http.Request, kind string) string {
	if l := w.svc.LinkLocale(r.Context(), kind, r.PathValue("token")); webTexts[l] != nil {
		return l
	}
	return w.lang(r)
}

func webUserLang(locale string) string {
	if webTexts[locale] != nil {
		return locale
	}
	return "en"
}

// Anti-forgery. A POST must pass two checks:
//
//  1. net/http's CrossOriginProtection refuses what a browser marks as sent
//     from another site (Sec-Fetch-Site, sent by every browser since 2023),
//     or whose Origin names another host than the request's.
//  2. A signed double-submit token, for clients that send neither header and
//     against cookies planted by a sibling subdomain: the first page a
//     browser opens sets a random cookie (HttpOnly, SameSite=Strict; Secure
//     and __Host- over https), and each form carries HMAC-SHA256(key, cookie)
//     in a hidden field. Another site can read neither the cookie nor the
//     page, and a cookie it plants is useless without the server's key to
//     make the matching field.
//
// Both are checked before anything is read from the form or changed.

func (w *web) csrfCookieName(r *http.Request) string {
	if w.secure || r.TLS != nil {
		return "__Host-roster_csrf"
	}
	return "roster_csrf"
}

// csrfToken returns the form token for this browser, setting its cookie
// first if it has none.
func (w *web) csrfToken(rw http.ResponseWriter, r *http.Request) string {
	name := w.csrfCookieName(r)
	if c, err := r.Cookie(name); err == nil && webCookieValue(c.Value) {
		return w.csrfMAC(c.Value)
	}
	v := rand.Text() // 130 random bits
	http.SetCookie(rw, &http.Cookie{Name: name, Value: v, Path: "/", HttpOnly: true,
		Secure: w.secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return w.csrfMAC(v)
}

// webCookieValue says whether v looks like a cookie value csrfToken made.
func webCookieValue(v string) bool {
	return len(v) == 26 && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == ""
}

func (w *web) csrfMAC(cookie string) string {
	m := hmac.New(sha256.New, w.key)
	io.WriteString(m, "roster web form\x00"+cookie)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errWebForm = errors.New("form token missing or wrong")

func (w *web) checkCSRF(r *http.Request) error {
	if err := w.cop.Check(r); err != nil {
		return err
	}
	c, err := r.Cookie(w.csrfCookieName(r))
	if err != nil {
		return errWebForm
	}
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(w.csrfMAC(c.Value))) {
		return errWebForm
	}
	return nil
}

// refuseForgery answers a POST that fails the anti-forgery checks; it
// reports whether it did.
func (w *web) refuseForgery(rw http.ResponseWriter, r *http.Request, lang string) bool {
	// A form past the pages' 64 KiB is said to be too long, not expired
	// (its token unread, it looked forged).
	var tooLong *http.MaxBytesError
	if err := r.ParseForm(); errors.As(err, &tooLong) {
		t := webTexts[lang]
		w.message(rw, http.StatusRequestEntityTooLarge, lang, t.TooLongTitle, t.TooLongText)
		return true
	}
	err := w.checkCSRF(r)
	if err == nil {
		return false
	}
	w.log.WarnContext(r.Context(), "web: form refused", "path", RedactPath(r.URL.Path), "client", w.clientIP(r), "reason", err.Error())
	t := webTexts[lang]
	w.message(rw, http.StatusForbidden, lang, t.ForgeryTitle, t.ForgeryText)
	return true
}

// webLimitCheck is one rate limit to pass, for one key.
type webLimitCheck struct {
	l    *webLimiter
	key  string
	what string // for the log: "client" or "address"
}

// refuseTooMany takes one attempt from each limit and answers 429 when one
// is spent, giving back what it took from the others: a refused request
// costs nothing. It reports whether it refused.
func (w *web) refuseTooMany(rw http.ResponseWriter, r *http.Request, lang string, checks ...webLimitCheck) bool {
	now := w.now()
	for i, c := range checks {
		ok, wait := c.l.take(c.key, now)
		if ok {
			continue
		}
		for _, taken := range checks[:i] {
			taken.l.give(taken.key)
		}
		w.metrics.limited("web")
		w.log.WarnContext(r.Context(), "web: rate limited", "path", RedactPath(r.URL.Path), "by", c.what, "client", w.clientIP(r))
		mins := int((wait + time.Minute - 1) / time.Minute)
		rw.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		t := webTexts[lang]
		w.message(rw, http.StatusTooManyRequests, lang, t.TooManyTitle, fmt.Sprintf(t.TooManyText, max(mins, 1)))
		return true
	}
	return false
}

// webAddressKey is how the rate limits know an address: by the key users are
// told apart by, so that another spelling of an address is no fresh bucket for
// its password, and bounded so that a huge field cannot grow the limiter.
func webAddressKey(email string) string {
	k := store.EmailKey(email)
	if len(k) > 320 {
		k = k[:320]
	}
	return k
}

// webView is what a page template is given.
type webView struct {
	T      *webText
	Style  template.CSS
	Title  string
	Intro  string
	Error  string
	Notice string
	CSRF   string
	Email  string
	Text   string
	Links  []webLink
	Switch *webLink // the page in the other language
	Prefs  *webPrefs
}

type webLink struct{ Label, Href string }

func (w *web) view(lang, title string) *webView {
	return &webView{T: webTexts[lang], Style: webStyle, Title: title}
}

// link is a link to one of the pages, in lang.
func (w *web) link(label, path, lang string) webLink {
	return webLink{label, w.prefix + path + "?lang=" + lang}
}

// switchTo links the page at path in the other language.
func (w *web) switchTo(v *webView, path, lang string) {
	other := "fr"
	if lang == "fr" {
		other = "en"
	}
	l := w.link(webTexts[other].LangName, path, other)
	v.Switch = &l
}

func (w *web) render(rw http.ResponseWriter, status int, name string, v *webView) {
	var buf bytes.Buffer
	if err := webPages().ExecuteTemplate(&buf, name, v); err != nil {
		w.log.Error("web: render", "page", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

func (w *web) message(rw http.ResponseWriter, status int, lang, title, text string, links ...webLink) {
	v := w.view(lang, title)
	v.Text, v.Links = text, links
	w.render(rw, status, "message.html", v)
}

// webBusyRetry is how long a client is asked to wait when the passwords
// being checked are too many (admin.ErrBusy): about what the queue takes to drain.
const webBusyRetry = 2 * time.Second

// internal answers an error the person cannot fix: 503 with Retry-After
// when the server is too busy for the request, which did nothing; else 500.
func (w *web) internal(rw http.ResponseWriter, r *http.Request, lang, what string, err error) {
	t := webTexts[lang]
	if errors.Is(err, admin.ErrBusy) {
		w.log.WarnContext(r.Context(), "web: "+what+": busy", "path", RedactPath(r.URL.Path), "client", w.clientIP(r))
		rw.Header().Set("Retry-After", fmt.Sprint(int(webBusyRetry/time.Second)))
		w.message(rw, http.StatusServiceUnavailable, lang, t.BusyTitle, t.BusyText)
		return
	}
	w.log.ErrorContext(r.Context(), "web: "+what, "path", RedactPath(r.URL.Path), "err", err)
	w.message(rw, http.StatusInternalServerError, lang, t.ErrorTitle, t.ErrorText)
}

// linkProblem explains why a link cannot be used, and what to do instead;
// it reports whether err was such a reason.
func (w *web) linkProblem(rw http.ResponseWriter, lang string, err error) bool {
	t := webTexts[lang]
	forgot := w.link(t.NewLink, "/forgot", lang)
	switch {
	case errors.Is(err, admin.ErrLinkInvalid):
		w.message(rw, http.StatusNotFound, lang, t.InvalidTitle, t.InvalidText, forgot)
	case errors.Is(err, admin.ErrLinkExpired):
		w.message(rw, http.StatusGone, lang, t.ExpiredTitle, t.ExpiredText, forgot)
	case errors.Is(err, admin.ErrLinkUsed):
		w.message(rw, http.StatusGone, lang, t.UsedTitle, t.UsedText, w.link(t.SignIn, "/login", lang), forgot)
	case errors.Is(err, admin.ErrAccountReady):
		w.message(rw, http.StatusGone, lang, t.SetUpTitle, t.SetUpText, w.link(t.SignIn, "/login", lang), forgot)
	case errors.Is(err, admin.ErrLinkReplaced):
		w.message(rw, http.StatusGone, lang, t.ReplacedTitle, t.ReplacedText, forgot)
	case errors.Is(err, admin.ErrLinkInactive):
		w.message(rw, http.StatusGone, lang, t.InactiveTitle, t.InactiveText)
	default:
		return false
	}
	return true
}

// personLang is the language of a link's page: the person's own, unless
// they chose the other with the page's switch (?lang=).
func personLang(r *http.Request, l *admin.Link) string {
	if q := r.URL.Query().Get("lang"); webTexts[q] != nil {
		return q
	}
	return webUserLang(l.User.Locale)
}

// passwordForm shows the form of an invitation or reset link, in the
// person's language, with a switch to the other.
func (w *web) passwordForm(rw http.ResponseWriter, r *http.Request, status int, l *admin.Link, problem string) {
	lang := personLang(r, l)
	t := webTexts[lang]
	var v *webView
	if l.Kind == "invite" {
		v = w.view(lang, fmt.Sprintf(t.InviteTitle, l.Account))
		v.Intro = fmt.Sprintf(t.InviteIntro, l.User.Name(), l.Account)
	} else {
		v = w.view(lang, t.ResetTitle)
		v.Intro = fmt.Sprintf(t.ResetIntro, l.User.Name(), l.Account)
	}
	v.Email, v.Error, v.CSRF = l.User.Email, problem, w.csrfToken(rw, r)
	w.switchTo(v, r.URL.Path, lang)
	w.render(rw, status, "password.html", v)
}

// linkPage shows an invitation or reset link's form. It only reads: mail
// scanners and chat previews open links before people do.
func (w *web) linkPage(kind string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		l, err := w.svc.LinkInfo(r.Context(), kind, r.PathValue("token"))
		if err != nil {
			lang := w.linkLang(r, kind)
			if !w.linkProblem(rw, lang, err) {
				w.internal(rw, r, lang, "read link", err)
			}
			return
		}
		w.passwordForm(rw, r, http.StatusOK, l, "")
	}
}

// linkPost sets the password of the link's person, which consumes the link
// and activates an invited person.
func (w *web) linkPost(kind string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ctx, token := r.Context(), r.PathValue("token")
		l, infoErr := w.svc.LinkInfo(ctx, kind, token)
		var lang string
		if infoErr == nil {
			lang = personLang(r, l)
		} else {
			lang = w.linkLang(r, kind)
		}
		// Posts to a link that works are counted by its person, and only
		// those to links that do not by client, which is what guessing
		// is: a team behind one office's address accepts its invitations
		// all at once, and none of them guesses.
		limit := webLimitCheck{w.linkClient, w.clientIP(r), "client"}
		if infoErr == nil {
			limit = webLimitCheck{w.linkClient, fmt.Sprint(kind, " ", l.User.ID), "link"}
		}
		if w.refuseForgery(rw, r, lang) || w.refuseTooMany(rw, r, lang, limit) {
			return
		}
		if infoErr != nil {
			if !w.linkProblem(rw, lang, infoErr) {
				w.internal(rw, r, lang, "read link", infoErr)
			}
			return
		}
		t := webTexts[lang]
		password := r.PostFormValue("password")
		if password != r.PostFormValue("password2") {
			w.passwordForm(rw, r, http.StatusUnprocessableEntity, l, t.Mismatch)
			return
		}
		u, err := w.svc.UseLink(ctx, kind, token, password)
		var input *admin.InputError
		switch {
		case errors.As(err, &input): // too short or long, spaces alone, one character repeated, one nobody can see
			w.passwordForm(rw, r, http.StatusUnprocessableEntity, l, fmt.Sprintf(t.PasswordIs, input.Says(i18n.For(i18n.Lang(lang)))))
			return
		case err != nil:
			if !w.linkProblem(rw, lang, err) {
				w.internal(rw, r, lang, "use link", err)
			}
			return
		}
		w.log.InfoContext(r.Context(), "web: password set", "kind", kind, "user", u.Email, "activated", l.User.Status != u.Status)
		signIn := w.link(t.SignIn, "/login", lang)
		if kind == "invite" || l.User.Status != u.Status {
			w.message(rw, http.StatusOK, lang, t.ReadyTitle, fmt.Sprintf(t.ReadyText, l.Account), signIn)
			return
		}
		w.message(rw, http.StatusOK, lang, t.ChangedTitle, t.ChangedText, signIn)
	}
}

func (w *web) forgotForm(rw http.ResponseWriter, r *http.Request, status int, lang, email, problem string) {
	t := webTexts[lang]
	v := w.view(lang, t.ForgotTitle)
	v.Intro, v.Email, v.Error, v.CSRF = t.ForgotIntro, email, problem, w.csrfToken(rw, r)
	v.Links = []webLink{w.link(t.SignIn, "/login", lang)}
	w.switchTo(v, "/forgot", lang)
	w.render(rw, status, "forgot.html", v)
}

func (w *web) forgotPage(rw http.ResponseWriter, r *http.Request) {
	w.forgotForm(rw, r, http.StatusOK, w.lang(r), "", "")
}

// forgotPost queues a reset link for an invited or active person, and gives
// the same answer whether or not the address belongs to anyone.
func (w *web) forgotPost(rw http.ResponseWriter, r *http.Request) {
	lang := w.lang(r)
	t := webTexts[lang]
	if w.refuseForgery(rw, r, lang) {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		w.forgotForm(rw, r, http.StatusUnprocessableEntity, lang, "", t.EmailMissing)
		return
	}
	// An address that cannot be anyone's is said so, which tells nothing
	// of who has an account: "Check your mail" would leave the person
	// waiting for a mail that never comes.
	if _, err := admin.NormalizeEmail(email); err != nil {
		w.forgotForm(rw, r, http.StatusUnprocessableEntity, lang, email, t.EmailInvalid)
		return
	}
	// By address from the client's network: a stranger elsewhere asking
	// for the person's links spent the person's own asking. Their mail is
	// bounded by address whoever asks (admin's checkRate).
	client := w.clientIP(r)
	if w.refuseTooMany(rw, r, lang, webLimitCheck{w.forgotClient, client, "client"},
		webLimitCheck{w.forgotAddr, webAddressKey(email) + " " + webNetwork(client), "address"}) {
		return
	}
	// The work is done after answering, so that a known address (a write, a
	// queued mail) takes no longer to answer than an unknown one: the answer
	// and its timing say nothing of whether the address exists.
	w.background.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		if err := w.svc.ForgotPassword(ctx, email); err != nil {
			w.log.ErrorContext(r.Context(), "web: forgot password", "err", err) // logged only
		}
	})
	w.message(rw, http.StatusOK, lang, t.SentTitle, fmt.Sprintf(t.SentText, email), w.link(t.SignIn, "/login", lang))
}

func (w *web) loginForm(rw http.ResponseWriter, r *http.Request, status int, lang, email, problem string) {
	t := webTexts[lang]
	v := w.view(lang, t.LoginTitle)
	v.Email, v.Error, v.CSRF = email, problem, w.csrfToken(rw, r)
	v.Links = []webLink{w.link(t.Forgot, "/forgot", lang)}
	w.switchTo(v, "/login", lang)
	w.render(rw, status, "login.html", v)
}

func (w *web) loginPage(rw http.ResponseWriter, r *http.Request) {
	w.loginForm(rw, r, http.StatusOK, w.lang(r), "", "")
}

// loginPost checks a password, counts the login and signs the browser in:
// the page says the account is ready and leads to the person's settings.
func (w *web) loginPost(rw http.ResponseWriter, r *http.Request) {
	lang := w.lang(r)
	t := webTexts[lang]
	if w.refuseForgery(rw, r, lang) {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	addr, client := webAddressKey(email), w.clientIP(r)
	limits := w.loginLimits(r, addr, client)
	if w.refuseTooMany(rw, r, lang, limits...) {
		return
	}
	u, err := w.svc.Login(r.Context(), email, r.PostFormValue("password"))
	if errors.Is(err, admin.ErrBusy) { // no password was checked: the attempt costs nothing
		for _, c := range limits {
			c.l.give(c.key)
		}
	}
	if errors.Is(err, admin.ErrBadLogin) {
		w.metrics.login(admin.ChannelWeb, "refused")
		w.log.InfoContext(r.Context(), "web: login refused", "client", w.clientIP(r))
		w.loginForm(rw, r, http.StatusOK, lang, email, t.BadLogin)
		return
	}
	if err != nil {
		w.internal(rw, r, lang, "login", err)
		return
	}
	w.metrics.login(admin.ChannelWeb, "ok")
	w.log.InfoContext(r.Context(), "web: login", "user", u.Email)
	lang = webUserLang(u.Locale)
	t = webTexts[lang]
	account := ""
	if a, err := w.svc.Account(r.Context()); err == nil {
		account = a.Name
	}
	w.startSession(rw, r, u)
	w.rememberBrowser(rw, r, webAddressKey(u.Email))
	w.message(rw, http.StatusOK, lang, t.SignedInTitle, fmt.Sprintf(t.SignedInText, u.Name(), account), w.link(t.SettingsLink, "/settings", lang))
}
