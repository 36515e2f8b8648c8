// Package stdwebhook signs what roster posts to a receiver of its own
// choosing as the Standard Webhooks specification says
// (https://www.standardwebhooks.com): the webhooks' deliveries and the
// SMS sent through a generic gateway, so that a receiver verifies both with
// one library.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a signed message.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// ErrSecret is the error of a secret that is not whsec_ and base64.
var ErrSecret = errors.New("the secret is not whsec_ and base64")

// Key is the HMAC key of secret: the bytes of its base64 after whsec_.
func Key(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, ErrSecret
	}
	return key, nil
}

// Sign is the webhook-signature header of a message: v1, and the base64
// HMAC-SHA256, keyed with the secret's bytes, of id.timestamp.body.
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := Key(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, at.Unix())
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// SetHeaders signs body, sent at at under id, into h: webhook-id,
// webhook-timestamp and webhook-signature.
func SetHeaders(h http.Header, secret, id string, at time.Time, body []byte) error {
	sig, err := Sign(secret, id, at, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}
