package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// argon2id parameters from OWASP's password storage guidance (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// argon2Key is argon2.IDKey; tests count the computations through it.
var argon2Key = argon2.IDKey

// argonGate bounds the argon2 computations of the whole process, whichever
// Service asks: each takes a CPU and 19 MiB for tens of milliseconds, so
// more at once than there are CPUs only slows them all down. Sixteen per CPU
// may wait their turn (about half a second at 35 ms each); beyond that a
// caller gets ErrBusy at once rather than a queue that grows with an attack.
var argonGate = newGate(runtime.GOMAXPROCS(0), 16*runtime.GOMAXPROCS(0))

// gate lets n computations run at once and queued more wait their turn.
type gate struct {
	admitted chan struct{} // running or waiting
	running  chan struct{}
}

func newGate(n, queued int) *gate {
	return &gate{admitted: make(chan struct{}, n+queued), running: make(chan struct{}, n)}
}

// enter takes a place in the queue, or says ErrBusy at once when it is
// full; leave gives the place back.
func (g *gate) enter() (leave func(), err error) {
	select {
	case g.admitted <- struct{}{}:
		return func() { <-g.admitted }, nil
	default:
		return nil, ErrBusy
	}
}

// run runs fn, once entered, when one of the n places is free; the
// context's error if it ends first.
func (g *gate) run(ctx context.Context, fn func()) error {
	select {
	case g.running <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.running }()
	fn()
	return nil
}

// passwordHash is a decoded "$argon2id$v=19$m=…,t=…,p=…$salt$key" string.
type passwordHash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

func (h *passwordHash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.threads,
		base64.RawStdEncoding.EncodeToString(h.salt), base64.RawStdEncoding.EncodeToString(h.key))
}

func parsePasswordHash(encoded string) (*passwordHash, bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, false
	}
	var h passwordHash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil {
		return nil, false
	}
	var err1, err2 error
	h.salt, err1 = base64.RawStdEncoding.DecodeString(parts[4])
	h.key, err2 = base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(h.key) == 0 {
		return nil, false
	}
	return &h, true
}

// noPassword is what a password is checked against when there is nobody to
// check it for: the same parameters as a real hash, so the same work. It
// needs no computing (no key it holds is the result of one), so that it
// costs nothing at start-up.
var noPassword = &passwordHash{time: argonTime, memory: argonMemory, threads: argonThreads,
	salt: make([]byte, 16), key: make([]byte, argonKeyLen)}

// passwordBytes is what a password is hashed as: its Unicode
// normalisation form C, so that "é" typed as one character on one device
// and as "e" and an accent on another is the same password (NIST SP
// 800-63B). A password of plain ASCII is unchanged.
func passwordBytes(p string) []byte { return norm.NFC.Bytes([]byte(p)) }

func hashPassword(ctx context.Context, p string) (string, error) {
	h := &passwordHash{time: argonTime, memory: argonMemory, threads: argonThreads, salt: make([]byte, 16)}
	if _, err := rand.Read(h.salt); err != nil {
		return "", err
	}
	leave, err := argonGate.enter()
	if err != nil {
		return "", err
	}
	defer leave()
	err = argonGate.run(ctx, func() {
		h.key = argon2Key(passwordBytes(p), h.salt, h.time, h.memory, h.threads, argonKeyLen)
	})
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// verifyPassword checks p against the hash that lookup finds, with exactly
// one argon2 computation whatever it finds: an empty or malformed hash (no
// password, no such person) is checked against noPassword and fails, so
// that the time taken says nothing of the account. Lookup runs once the
// check has a place in argonGate's queue, so that a flood is turned away
// (ErrBusy) before it reaches the database.
func verifyPassword(ctx context.Context, p string, lookup func() (string, error)) (bool, error) {
	leave, err := argonGate.enter()
	if err != nil {
		return false, err
	}
	defer leave()
	encoded, err := lookup()
	if err != nil {
		return false, err
	}
	h, ok := parsePasswordHash(encoded)
	if !ok {
		h = noPassword
	}
	var got []byte
	if err := argonGate.run(ctx, func() {
		got = argon2Key(passwordBytes(p), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	}); err != nil {
		return false, err
	}
	return ok && subtle.ConstantTimeCompare(got, h.key) == 1, nil
}
