// Package sms sends roster's text messages through a provider, and counts
// the SMS a text takes (Segments). A provider is named by a URL: twilio://
// speaks Twilio's Messages API; https:// posts a JSON body signed as the
// Standard Webhooks specification says, for any other gateway. The mail
// worker claims, retries and records SMS as it does mail: this package only
// hands one message over and says how it went.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"roster/internal/stdwebhook"
)

// TwilioAPI is where Twilio's REST API answers.
const TwilioAPI = "https://api.twilio.com"

// Provider is a parsed provider URL.
type Provider struct {
	twilio     bool
	endpoint   string // where a message is posted
	sid, token string // Twilio's account SID and auth token
	from       string // the sender: Twilio's From; the gateway's from, if any
	secret     string // the gateway's signing secret, whsec_...
	display    string // the URL without its secret
}

// Parse reads a provider URL: twilio://ACCOUNT_SID:AUTH_TOKEN@FROM, FROM a
// number in E.164 (+33100000000), or https://host/path of a gateway, whose
// query parameter from, if given, is the sender the JSON body names.
// secret signs a gateway's messages (whsec_ and base64, as the webhooks'
// secrets); a gateway URL holds no secret of its own, since Go's HTTP
// client would send its user and password as basic authentication. Its
// errors repeat no part of raw, which may hold a token.
func Parse(raw, secret string) (*Provider, error) {
	bad := func(why string) error { return errors.New("--sms: " + why) }
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("not a URL such as twilio://ACCOUNT_SID:AUTH_TOKEN@+33100000000 or https://sms.example.com/send")
	}
	p := &Provider{display: u.Redacted()}
	switch u.Scheme {
	case "twilio":
		p.twilio = true
		p.sid = u.User.Username()
		p.token, _ = u.User.Password()
		p.from = u.Host
		if p.sid == "" || p.token == "" {
			return nil, bad("twilio:// needs the account SID and auth token, as in twilio://ACCOUNT_SID:AUTH_TOKEN@+33100000000")
		}
		if !e164(p.from) {
			return nil, bad("twilio:// needs the sender's number in E.164 after the @, such as +33100000000")
		}
		if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, bad("a twilio:// URL has no path or parameters (a / in the token is written %2F)")
		}
		p.endpoint = TwilioAPI + "/2010-04-01/Accounts/" + url.PathEscape(p.sid) + "/Messages.json"
		if secret != "" {
			return nil, errors.New("ROSTER_SMS_SECRET: Twilio's messages are not signed by roster: set it only for an https:// gateway")
		}
	case "https":
		if u.Host == "" {
			return nil, bad("no host")
		}
		if u.User != nil {
			return nil, bad("a gateway URL holds no user or password: its signing secret goes in ROSTER_SMS_SECRET")
		}
		if secret == "" {
			return nil, errors.New("--sms: an https:// gateway needs ROSTER_SMS_SECRET (whsec_ and base64) to sign its messages")
		}
		if _, err := stdwebhook.Key(secret); err != nil {
			return nil, errors.New("ROSTER_SMS_SECRET: not whsec_ and base64, as in whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
		}
		p.from, p.secret, p.endpoint = u.Query().Get("from"), secret, u.String()
	default:
		return nil, bad("the scheme must be twilio or https, as in twilio://ACCOUNT_SID:AUTH_TOKEN@+33100000000")
	}
	return p, nil
}

func e164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String is the provider's URL without its token.
func (p *Provider) String() string { return p.display }

// Message is one SMS to hand over.
type Message struct {
	// ID is the same at every attempt at one message, so that a gateway
	// can drop the copy of a message whose answer was lost.
	ID      string
	To      string // E.164
	Body    string
	Created time.Time
}

// GatewayBody is the JSON body posted to a gateway.
type GatewayBody struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	From    string    `json:"from,omitempty"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

// Error is a message the provider did not take.
type Error struct {
	Status     int           // the HTTP status; 0 when there was no answer
	Answer     string        // the provider's answer, made printable, at most maxAnswer bytes
	RetryAfter time.Duration // what its Retry-After asked, if anything
	Err        error         // with no answer: why
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return "the SMS provider did not answer: " + e.Err.Error()
	}
	s := fmt.Sprintf("the SMS provider answered %d %s", e.Status, http.StatusText(e.Status))
	if a := []rune(e.Answer); len(a) > 0 {
		s += ": " + string(a[:min(len(a), 200)])
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports that the message may go through later: no answer, a
// timeout (408), too many requests (429) or a server error (5xx). Any
// other answer refuses this message for good.
func (e *Error) Temporary() bool {
	return e.Status == 0 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// maxAnswer is how much of the provider's answer is kept.
const maxAnswer = 1024

// Send hands m to the provider through client, at now (a gateway's
// signature's time). Its reply on success is the provider's: Twilio's
// message SID and status, a gateway's status and answer. Any failure is an
// *Error.
func (p *Provider) Send(ctx context.Context, client *http.Client, m Message, now time.Time) (reply string, err error) {
	req, err := p.request(ctx, m, now)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &Error{Err: err}
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	io.Copy(&b, io.LimitReader(resp.Body, maxAnswer))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // so that the connection is kept
	answer := printable(b.String())
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &Error{Status: resp.StatusCode, Answer: answer, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	}
	if p.twilio {
		var tw struct{ Sid, Status string }
		if json.Unmarshal(b.Bytes(), &tw) == nil && tw.Sid != "" {
			return fmt.Sprintf("%d %s %s", resp.StatusCode, tw.Sid, tw.Status), nil
		}
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, answer)), nil
}

// request is m's request: Twilio's form, or the gateway's signed JSON.
func (p *Provider) request(ctx context.Context, m Message, now time.Time) (*http.Request, error) {
	if p.twilio {
		form := url.Values{"To": {m.To}, "From": {p.from}, "Body": {m.Body}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(p.sid, p.token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "roster-sms")
		return req, nil
	}
	body, err := json.Marshal(GatewayBody{ID: m.ID, To: m.To, From: p.from, Body: m.Body, Created: m.Created.UTC()})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roster-sms")
	return req, stdwebhook.SetHeaders(req.Header, p.secret, m.ID, now, body)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// printable is a provider's answer on one line, its control characters
// spaces.
func printable(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
}
