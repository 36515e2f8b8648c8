package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"roster/i18n"
	"roster/store"
)

// ChannelAPI is the HTTP API and SCIM: an automation acting with a user's
// API key, recorded with the key's ID ("api key 12").
const ChannelAPI = "api"

// apiKeySecret is "rst_" and 130 random bits; the prefix shown for
// recognition is its first 12 characters.
func apiKeySecret() (secret, prefix, hash string) {
	secret = "rst_" + rand.Text()
	return secret, secret[:12], apiKeyHash(secret)
}

func apiKeyHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateAPIKey gives the acting user a new API key named name, which stops
// working at expires (zero: never). The secret is returned once: only its hash is
// kept. Nobody creates a key for someone else.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, name string, expires time.Time) (string, *store.APIKey, error) {
	name, err := checkText("name", strings.TrimSpace(name), 100)
	if err != nil {
		return "", nil, err
	}
	if name == "" {
		return "", nil, inputErr("name", "is required: say what the key is for (zapier, okta…)")
	}
	if !expires.IsZero() && !expires.After(s.Now()) {
		return "", nil, inputErr("expires", "must be in the future")
	}
	secret, prefix, hash := apiKeySecret()
	var k *store.APIKey
	err = s.st.Write(ctx, func(q *store.Q) error {
		u, err := s.self(ctx, q, a)
		if err != nil {
			return err
		}
		if err := s.checkAPIKeyCount(ctx, q, u); err != nil {
			return err
		}
		k = &store.APIKey{UserID: u.ID, Email: u.Email, Name: name, Prefix: prefix, Hash: hash, CreatedAt: s.Now(), ExpiresAt: expires}
		if err := q.InsertAPIKey(ctx, k); err != nil {
			return err
		}
		return s.audit(ctx, q, u, a.Channel, "apikey.create", u, nil, apiKeyJSON(k))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// RegenerateAPIKey gives one of the acting user's keys a new secret,
// returned once; the old secret stops working in the same transaction.
func (s *Service) RegenerateAPIKey(ctx context.Context, a Actor, id int64) (string, *store.APIKey, error) {
	secret, prefix, hash := apiKeySecret()
	var k *store.APIKey
	err := s.st.Write(ctx, func(q *store.Q) error {
		u, err := s.self(ctx, q, a)
		if err != nil {
			return err
		}
		if k, err = q.APIKeyByID(ctx, id); errors.Is(err, store.ErrNotFound) || err == nil && k.UserID != u.ID {
			// Another's key is theirs to regenerate, and says nothing of being there.
			return notFound("API key %d of %s", id, u.Email)
		} else if err != nil {
			return err
		}
		before := apiKeyJSON(k)
		if err := q.ReplaceAPIKeySecret(ctx, k.ID, prefix, hash); err != nil {
			return err
		}
		k.Prefix, k.Hash, k.LastUsedAt = prefix, hash, time.Time{}
		return s.audit(ctx, q, u, a.Channel, "apikey.regenerate", u, before, apiKeyJSON(k))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// RevokeAPIKey deletes an API key: one of the acting user's own, or
// another's under the rule that stops one person acting as another
// (mayActAs), since whoever holds the key acts as its owner.
func (s *Service) RevokeAPIKey(ctx context.Context, a Actor, id int64) error {
	return s.st.Write(ctx, func(q *store.Q) error {
		u, err := s.self(ctx, q, a)
		if err != nil {
			return err
		}
		k, err := q.APIKeyByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("API key %d", id)
		} else if err != nil {
			return err
		}
		owner := u
		if k.UserID != u.ID {
			op, err := s.operator(ctx, q, a)
			if err != nil {
				return err
			}
			if owner, err = q.UserByID(ctx, k.UserID, s.Now()); err != nil {
				return err
			}
			if err := s.mayActAs(ctx, q, op, owner, "users.edit", "revoking someone else's API key", "revoke a key of"); err != nil {
				return err
			}
		}
		if err := q.DeleteAPIKey(ctx, k.ID); err != nil {
			return err
		}
		return s.audit(ctx, q, u, a.Channel, "apikey.revoke", owner, apiKeyJSON(k), nil)
	})
}

// APIKeys lists the API keys of email (the acting user's own when email is
// empty), never their secrets. Another's, only under RevokeAPIKey's rule.
func (s *Service) APIKeys(ctx context.Context, a Actor, email string) ([]store.APIKey, error) {
	var out []store.APIKey
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		u, err := s.self(ctx, q, a)
		if err != nil {
			return err
		}
		owner := u
		if email != "" && !strings.EqualFold(email, u.Email) {
			op, err := s.operator(ctx, q, a)
			if err != nil {
				return err
			}
			if owner, err = s.findUser(ctx, q, email); err != nil {
				return err
			}
			if err := s.mayActAs(ctx, q, op, owner, "users.edit", "seeing someone else's API keys", "see the keys of"); err != nil {
				return err
			}
		}
		out, err = q.APIKeys(ctx, owner.ID)
		return err
	})
	return out, err
}

// ErrBadAPIKey says a bearer secret is no API key of this account.
var ErrBadAPIKey = sentence("not an API key of this account")

// APIKeyActor says who an API key acts as: its owner, while the key has not
// expired and the owner is active, with the permissions they hold at the
// time of each request (the rules look them up as for any operator). A
// refused key of a known user is audited; a secret that is no key at all
// is ErrBadAPIKey. Its use is recorded at most once a minute.
//
// The key is read on a snapshot, and the store written only when there is
// something to write: its use a minute after the last one recorded, or a
// refusal not audited within the hour. Every request took the write lock,
// so that each, a read included, waited behind every write under way (a
// bulk act's batch, an import's) and behind the other requests.
func (s *Service) APIKeyActor(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, "rst_") {
		return Actor{}, ErrBadAPIKey
	}
	hash := apiKeyHash(secret)
	now := s.Now()
	var k *store.APIKey
	var why i18n.Text // the refusal, committed to the audit (in English) before it is returned
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		var err error
		k, err = q.APIKeyByHash(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return ErrBadAPIKey
		} else if err != nil {
			return err
		}
		u, err := q.UserByID(ctx, k.UserID, now)
		if err != nil {
			return err
		}
		why = keyRefusal(k, u, now)
		return nil
	})
	if err != nil {
		return Actor{}, err
	}
	if why.Key == "" && now.Sub(k.LastUsedAt) < time.Minute || why.Key != "" && s.refusalAudited(k.ID, now) {
		return apiKeyResult(k, hash, why)
	}
	var was any // when the refusal was audited before this one claimed the hour
	claimed := false
	err = s.st.Write(ctx, func(q *store.Q) error {
		u, err := q.UserByID(ctx, k.UserID, now)
		if err != nil {
			return err
		}
		if why = keyRefusal(k, u, now); why.Key != "" {
			if s.refusalAudited(k.ID, now) {
				return nil
			}
			was, _ = s.keyRefused.Swap(k.ID, now)
			claimed = true
			return s.audit(ctx, q, u, ChannelAPI, "apikey.refused", u, nil, map[string]any{"key": k.ID, "prefix": k.Prefix, "reason": why.String()})
		}
		return q.TouchAPIKey(ctx, k.ID, now)
	})
	if err != nil {
		// The refusal's entry was not written: the next refusal writes it,
		// not one an hour later.
		switch {
		case claimed && was == nil:
			s.keyRefused.CompareAndDelete(k.ID, now)
		case claimed:
			s.keyRefused.CompareAndSwap(k.ID, now, was)
		}
		return Actor{}, err
	}
	return apiKeyResult(k, hash, why)
}

// keyRefusal is why k, of u, lets nobody in at now: expired, or its user
// not active; none when it lets them in.
func keyRefusal(k *store.APIKey, u *store.User, now time.Time) i18n.Text {
	switch {
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return i18n.Msg("API key %s expired on %s", k.Prefix, k.ExpiresAt.Format(time.DateOnly))
	case u.Status != store.Active:
		return i18n.Msg("API key %s belongs to %s, who is %s", k.Prefix, u.Email, status(u.Status))
	}
	return i18n.Text{}
}

// refusalAudited says whether a refusal of the key whose ID is id was
// audited within the hour before now.
func (s *Service) refusalAudited(id int64, now time.Time) bool {
	last, ok := s.keyRefused.Load(id)
	return ok && now.Sub(last.(time.Time)) < keyRefusedEvery
}

// apiKeyResult is APIKeyActor's answer for k, whose secret's hash is hash:
// the refusal why, or the actor.
func apiKeyResult(k *store.APIKey, hash string, why i18n.Text) (Actor, error) {
	if why.Key != "" {
		return Actor{}, &DeniedError{Why: why}
	}
	// The audit trail says which key acted: "api key 12".
	return Actor{Email: k.Email, Channel: fmt.Sprintf("%s key %d", ChannelAPI, k.ID), apiKey: apiKeyRef{hash: hash, prefix: k.Prefix}}, nil
}

// apiKeyHolds refuses an actor whose API key no longer lets them in:
// revoked or given a new secret (no key has its hash now), or expired.
// APIKeyActor checked it when the request came in; each operation checks
// it again in its own transaction, as an SSH key is (keyHolds), so that
// revoking a leaked key stops what it had begun.
func (s *Service) apiKeyHolds(ctx context.Context, q *store.Q, ref apiKeyRef) error {
	k, err := q.APIKeyByHash(ctx, ref.hash)
	if errors.Is(err, store.ErrNotFound) {
		return denied("", "API key %s was revoked or given a new secret: nothing more is done with it", ref.prefix)
	} else if err != nil {
		return err
	}
	if !k.ExpiresAt.IsZero() && !s.Now().Before(k.ExpiresAt) {
		return denied("", "API key %s expired on %s", k.Prefix, k.ExpiresAt.Format(time.DateOnly))
	}
	return nil
}

// keyRefusedEvery is how often a key's refusals are audited, at most.
const keyRefusedEvery = time.Hour

func apiKeyJSON(k *store.APIKey) map[string]any {
	return map[string]any{"id": k.ID, "name": k.Name, "prefix": k.Prefix, "expires_at": k.ExpiresAt}
}

// maxAPIKeys is how many working API keys one person may hold. Each key
// has its own rate limit, so that a member creating keys without end
// multiplied theirs (and filled the database) as they pleased.
const maxAPIKeys = 25

// checkAPIKeyCount refuses u a new key when they hold maxAPIKeys that
// still work (an expired one does not count).
func (s *Service) checkAPIKeyCount(ctx context.Context, q *store.Q, u *store.User) error {
	keys, err := q.APIKeys(ctx, u.ID)
	if err != nil {
		return err
	}
	n := 0
	for _, k := range keys {
		if k.ExpiresAt.IsZero() || k.ExpiresAt.After(s.Now()) {
			n++
		}
	}
	if n >= maxAPIKeys {
		return stateErr("%s holds %d API keys, the most one person may: revoke one first (roster apikeys revoke ID)", u.Email, n)
	}
	return nil
}
