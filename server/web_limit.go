package server

import (
	"sync"
	"time"
)

// webLimiterKeys bounds how many keys one limiter remembers: past it, new
// keys share one bucket, so that a flood of addresses or clients slows
// itself down rather than growing the server's memory.
const webLimiterKeys = 100_000

// webLimiter is a token bucket per key (a client or an address), in memory:
// each key may spend lim.N attempts at once, and they come back at an even
// pace over lim.Per. A bucket untouched for lim.Per is full again, so it is
// forgotten at the next sweep; sweeps run on use, without a goroutine.
type webLimiter struct {
	lim     RateLimit
	mu      sync.Mutex
	buckets map[string]*webBucket
	swept   time.Time
}

type webBucket struct {
	tokens float64
	at     time.Time
}

func newWebLimiter(lim RateLimit) *webLimiter {
	return &webLimiter{lim: lim, buckets: map[string]*webBucket{}}
}

// take spends one attempt of key at now. When none is left it says how long
// until the next one comes back.
func (l *webLimiter) take(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= l.lim.Per {
		for k, b := range l.buckets {
			if now.Sub(b.at) >= l.lim.Per {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil && len(l.buckets) >= webLimiterKeys {
		key = "\x00overflow"
		b = l.buckets[key]
	}
	capacity := float64(l.lim.N)
	if b == nil {
		b = &webBucket{tokens: capacity, at: now}
		l.buckets[key] = b
	}
	perSecond := capacity / l.lim.Per.Seconds()
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(capacity, b.tokens+d.Seconds()*perSecond)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
}

// give returns an attempt taken from key, when another limit refused the
// request it was taken for.
func (l *webLimiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		b.tokens = min(float64(l.lim.N), b.tokens+1)
	}
}

// size is how many keys the limiter remembers.
func (l *webLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
