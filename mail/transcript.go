package mail

import (
	"crypto/tls"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
)

// Transcript is what roster and a relay said to each other, for the
// on-call engineer checking the relay: "S:" lines are the server's, "C:"
// lines roster's, "*" lines notes. Credentials and the message's text are
// left out.
type Transcript struct {
	Relay string   `json:"relay"` // the relay, its password hidden
	Lines []string `json:"lines"`
	Reply string   `json:"reply,omitempty"` // the server's answer to the message, when it took it

	mu      sync.Mutex
	partial []byte
	inData  bool // between the 354 reply and the final "."
	inAuth  bool // between AUTH and the server's last reply to it
	data    struct{ lines, bytes int }
}

// String is the transcript, one line each.
func (t *Transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.Lines, "\n") + "\n"
}

func (t *Transcript) note(format string, args ...any) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Lines = append(t.Lines, "* "+fmt.Sprintf(format, args...))
}

func (t *Transcript) noteTLS(st tls.ConnectionState) {
	if t == nil {
		return
	}
	who := ""
	if len(st.PeerCertificates) > 0 {
		c := st.PeerCertificates[0]
		who = fmt.Sprintf(", certificate for %s issued by %s, verified", strings.Join(c.DNSNames, " "), c.Issuer.CommonName)
	}
	t.note("%s, %s%s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), who)
}

// serverLine matches a reply, compiled when first needed rather than at
// the start of every process.
var serverLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[2-5][0-9][0-9]([ -]|$)`) })

// Write takes the traffic in both directions, as go-smtp's DebugWriter
// gives it, and files it line by line: replies start with their code.
func (t *Transcript) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, b...)
	for {
		i := strings.Index(string(t.partial), "\n")
		if i < 0 {
			return len(b), nil
		}
		line := strings.TrimRight(string(t.partial[:i]), "\r")
		t.partial = t.partial[i+1:]
		t.line(line)
	}
}

func (t *Transcript) line(l string) {
	switch {
	case t.inData && l == ".":
		t.inData = false
		t.Lines = append(t.Lines, fmt.Sprintf("C: [the message: %d lines, %d bytes]", t.data.lines, t.data.bytes), "C: .")
	case t.inData:
		t.data.lines++
		t.data.bytes += len(l) + 2
	case serverLine().MatchString(l):
		t.Lines = append(t.Lines, "S: "+l)
		if strings.HasPrefix(l, "354") {
			t.inData, t.data.lines, t.data.bytes = true, 0, 0
		}
		if !strings.HasPrefix(l, "334") && (len(l) == 3 || l[3] == ' ') {
			t.inAuth = false
		}
	case len(l) > 5 && strings.EqualFold(l[:5], "AUTH "):
		t.inAuth = true
		mech, _, _ := strings.Cut(l[5:], " ")
		t.Lines = append(t.Lines, "C: AUTH "+mech+" [credentials hidden]")
	case t.inAuth:
		t.Lines = append(t.Lines, "C: [credentials hidden]")
	default:
		t.Lines = append(t.Lines, "C: "+l)
	}
}

// tapConn copies a connection's clear-text traffic to a transcript, and
// stops at the first byte that is not text: the start of a TLS handshake,
// after which the client's DebugWriter takes over.
type tapConn struct {
	net.Conn
	tr  *Transcript
	off bool
}

func (c *tapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.tap(b[:n])
	return n, err
}

func (c *tapConn) Write(b []byte) (int, error) {
	c.tap(b)
	return c.Conn.Write(b)
}

func (c *tapConn) tap(b []byte) {
	if c.off {
		return
	}
	for _, x := range b {
		if x < 0x20 && x != '\r' && x != '\n' && x != '\t' || x == 0x7f {
			c.off = true
			return
		}
	}
	c.tr.Write(b)
}
