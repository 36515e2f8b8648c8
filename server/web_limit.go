package server

import (
	"container/list"
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
