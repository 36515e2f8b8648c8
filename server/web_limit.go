package server

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// webLimiterKeys bounds how many keys one limiter remembers, so that a flood
// of addresses or clients cannot grow the server's memory.
const webLimiterKeys = 100_000

// webLimiter is a token bucket per key (a client or an address), in memory:
// each key may spend lim.N attempts at once, and they come back at an even
// pace over lim.Per. A bucket untouched for lim.Per is full again, so it is
// forgotten. Past max keys, the least recently used is forgotten early, as
// if full again: a flood of new keys costs old ones some of their limit,
// never anyone their access (they never share a bucket), and the key being
// flooded, being recent, keeps its own.
type webLimiter struct {
	lim     RateLimit
	max     int
	mu      sync.Mutex
	buckets map[string]*list.Element // of *webBucket
	used    *list.List               // the buckets, most recently used first
}

type webBucket struct {
	key    string
	tokens float64
	at     time.Time
}

func newWebLimiter(lim RateLimit, max int) *webLimiter {
	return &webLimiter{lim: lim, max: max, buckets: map[string]*list.Element{}, used: list.New()}
}

// take spends one attempt of key at now. When none is left it says how long
// until the next one comes back.
func (l *webLimiter) take(key string, now time.Time) (ok bool, wait time.Duration) {
	ok, wait, _ = l.takeLeft(key, now)
	return ok, wait
}

// takeLeft is take, also saying how many whole attempts key has left.
func (l *webLimiter) takeLeft(key string, now time.Time) (ok bool, wait time.Duration, left int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.used.Back(); e != nil && now.Sub(e.Value.(*webBucket).at) >= l.lim.Per; e = l.used.Back() {
		l.forget(e)
	}
	capacity := float64(l.lim.N)
	e := l.buckets[key]
	if e == nil {
		if l.used.Len() >= l.max {
			l.forget(l.used.Back())
		}
		e = l.used.PushFront(&webBucket{key: key, tokens: capacity, at: now})
		l.buckets[key] = e
	}
	l.used.MoveToFront(e)
	b := e.Value.(*webBucket)
	perSecond := capacity / l.lim.Per.Seconds()
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(capacity, b.tokens+d.Seconds()*perSecond)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, int(b.tokens)
	}
	return false, time.Duration((1 - b.tokens) / perSecond * float64(time.Second)), 0
}

func (l *webLimiter) forget(e *list.Element) {
	l.used.Remove(e)
	delete(l.buckets, e.Value.(*webBucket).key)
}

// has says whether key has an attempt left at now, spending none; when
// not, how long until one comes back. A key never limited has all of them,
// and is not remembered for being asked about.
func (l *webLimiter) has(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.buckets[key]
	if e == nil {
		return true, 0
	}
	b := e.Value.(*webBucket)
	perSecond := float64(l.lim.N) / l.lim.Per.Seconds()
	tokens := b.tokens
	if d := now.Sub(b.at); d > 0 {
		tokens = min(float64(l.lim.N), tokens+d.Seconds()*perSecond)
	}
	if tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - tokens) / perSecond * float64(time.Second))
}

// give returns an attempt taken from key, when another limit refused the
// request it was taken for.
func (l *webLimiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.buckets[key]; e != nil {
		b := e.Value.(*webBucket)
		b.tokens = min(float64(l.lim.N), b.tokens+1)
	}
}

// size is how many keys the limiter remembers.
func (l *webLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// webNetwork is the network a client (as WebOptions.ClientIP names it) is
// counted in by the limits per address: an IPv4 address's /24, an IPv6
// client's /48, whose /64s one site commonly holds by the thousand.
func webNetwork(client string) string {
	if p, err := netip.ParsePrefix(client); err == nil && p.Addr().Is6() {
		n, _ := p.Addr().Prefix(48)
		return n.String()
	}
	if ip, err := netip.ParseAddr(client); err == nil {
		bits := 24
		if ip.Is6() {
			bits = 48
		}
		n, _ := ip.Prefix(bits)
		return n.String()
	}
	return client
}

// The limits of a login. An address's attempts were counted together
// wherever they came from, so that a stranger failing on someone's address
// ten times locked them out of their own account: they are counted by
// address and client network, and from every network together past a
// larger bound (LoginPerAddressAll), which keeps guessing from many
// networks bounded. A browser that signed in as the address before (its
// cookie, rememberBrowser) passes that bound with one of its own, so that
// even strangers on many networks do not keep the person out of it.
func (w *web) loginLimits(r *http.Request, addr, client string) []webLimitCheck {
	limits := []webLimitCheck{{w.loginClient, client, "client"}, {w.loginAddr, addr + " " + webNetwork(client), "address"}}
	if known, ok := w.knownBrowser(r, addr); ok {
		return append(limits, webLimitCheck{w.loginKnown, known, "browser"})
	}
	return append(limits, webLimitCheck{w.loginAll, addr, "address everywhere"})
}

// webKnownLife is how long a browser is remembered as one a person signed
// in on.
const webKnownLife = 180 * 24 * time.Hour

func (w *web) knownCookieName(r *http.Request) string {
	if w.secure || r.TLS != nil {
		return "__Host-roster_known"
	}
	return "roster_known"
}

func (w *web) knownMAC(nonce, addr string) string {
	m := hmac.New(sha256.New, w.key)
	io.WriteString(m, "roster web known browser\x00"+nonce+"\x00"+addr)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rememberBrowser marks this browser as one that signed in as addr (an
// address's key, webAddressKey). It proves nothing but that: it lets no
// one in, only counts its attempts apart (loginLimits).
func (w *web) rememberBrowser(rw http.ResponseWriter, r *http.Request, addr string) {
	nonce := rand.Text()
	http.SetCookie(rw, &http.Cookie{Name: w.knownCookieName(r), Value: nonce + "." + w.knownMAC(nonce, addr), Path: "/",
		MaxAge: int(webKnownLife / time.Second), HttpOnly: true, Secure: w.secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// knownBrowser says whether the browser signed in as addr before, and if so
// the key its own attempts are counted by.
func (w *web) knownBrowser(r *http.Request, addr string) (string, bool) {
	c, err := r.Cookie(w.knownCookieName(r))
	if err != nil {
		return "", false
	}
	nonce, mac, ok := strings.Cut(c.Value, ".")
	if !ok || !webCookieValue(nonce) || !hmac.Equal([]byte(mac), []byte(w.knownMAC(nonce, addr))) {
		return "", false
	}
	return nonce, true
}
