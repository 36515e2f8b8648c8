package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"roster/store"
)

// AddKey gives email an SSH public key (one authorized_keys line) to open
// roster serve with. Anyone may add their own; adding one for someone else
// is acting as them (mayActAs).
func (s *Service) AddKey(ctx context.Context, a Actor, email, line string) (*store.SSHKey, error) {
	pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return nil, inputErr("key", "is not an SSH public key (one line as in authorized_keys or id_ed25519.pub)")
	}
	if comment, err = checkText("key comment", comment, 200); err != nil {
		return nil, err
	}
	var k *store.SSHKey
	err = s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if err := s.mayActAs(ctx, q, op, u, "users.edit", "adding someone else's SSH key", "add a key for"); err != nil {
			return err
		}
		k = &store.SSHKey{UserID: u.ID, Email: u.Email, Fingerprint: ssh.FingerprintSHA256(pub),
			PublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))), Comment: comment,
			CreatedAt: s.Now(), CreatedBy: op.Email}
		if err := q.InsertKey(ctx, k); errors.Is(err, store.ErrDuplicate) {
			return inputErr("key", "%s already belongs to a user", k.Fingerprint)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "key.add", u, nil, map[string]string{"fingerprint": k.Fingerprint, "comment": comment})
	})
	return k, err
}

// Keys lists the SSH keys of email, or of everyone when email is "".
func (s *Service) Keys(ctx context.Context, a Actor, email string) ([]store.SSHKey, error) {
	var out []store.SSHKey
	err := s.read(ctx, a, func(q *store.Q, op *operator) error {
		id, err := s.userID(ctx, q, email)
		if err != nil {
			return err
		}
		out, err = q.Keys(ctx, id)
		return err
	})
	return out, err
}

// RemoveKey takes a key away from email, under AddKey's rule.
func (s *Service) RemoveKey(ctx context.Context, a Actor, email, fingerprint string) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		u, err := s.findUser(ctx, q, email)
		if err != nil {
			return err
		}
		if err := s.mayActAs(ctx, q, op, u, "users.edit", "removing someone else's SSH key", "remove a key of"); err != nil {
			return err
		}
		k, err := q.KeyByFingerprint(ctx, strings.TrimSpace(fingerprint))
		if errors.Is(err, store.ErrNotFound) || err == nil && k.UserID != u.ID {
			return notFound("key %s of %s", fingerprint, u.Email)
		} else if err != nil {
			return err
		}
		if err := q.DeleteKey(ctx, k.ID); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "key.remove", u, map[string]string{"fingerprint": k.Fingerprint}, nil)
	})
}

// ErrUnknownKey says an SSH key belongs to no user.
var ErrUnknownKey = sentence("the key belongs to no user of this account")

// KeyOperator says who may open roster serve with pub: the key's owner, if
// they are active; otherwise a one-line reason (*DeniedError, or
// ErrUnknownKey). An owner holding no users.* permission gets in too, to
// their own settings (Administers tells which): each rule they reach still
// checks what they may do. A key someone else added for its owner
// works only while that person still may act as them (AddKey's rule): not
// once the owner was raised above them, nor once they were demoted or left,
// since whoever added a key may hold its private half.
func (s *Service) KeyOperator(ctx context.Context, pub ssh.PublicKey) (Actor, error) {
	fp := ssh.FingerprintSHA256(pub)
	var a Actor
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		owner, err := s.keyOwner(ctx, q, fp)
		if err == nil {
			a = Actor{Email: owner.Email, Channel: ChannelSSH, Key: fp}
		}
		return err
	})
	return a, err
}

// keyOwner is the active user the key fp lets in, by KeyOperator's rule.
func (s *Service) keyOwner(ctx context.Context, q *store.Q, fp string) (*store.User, error) {
	k, err := q.KeyByFingerprint(ctx, fp)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("key %s: %w", fp, ErrUnknownKey)
	} else if err != nil {
		return nil, err
	}
	owner, err := s.self(ctx, q, Actor{Email: k.Email})
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(k.CreatedBy, k.Email) {
		by, err := s.operator(ctx, q, Actor{Email: k.CreatedBy})
		if err == nil {
			err = s.mayActAs(ctx, q, by, owner, "users.edit", "adding someone else's SSH key", "add a key for")
		}
		var d *DeniedError
		if errors.As(err, &d) {
			return nil, denied(d.Perm, "key %s of %s was added by %s, who may no longer act as them (%s): they or an owner must add it again",
				fp, k.Email, k.CreatedBy, d.Why)
		} else if err != nil {
			return nil, err
		}
	}
	return owner, nil
}

// keyHolds refuses u's operation when the key fp they signed in with no
// longer lets them in: removed, or added by someone who may no longer act
// as them.
func (s *Service) keyHolds(ctx context.Context, q *store.Q, fp string, u *store.User) error {
	owner, err := s.keyOwner(ctx, q, fp)
	if errors.Is(err, ErrUnknownKey) {
		return denied("", "the key %s you signed in with was removed: sign in with a key of yours", fp)
	}
	if err == nil && owner.ID != u.ID {
		return denied("", "the key %s you signed in with is no longer yours", fp)
	}
	return err
}
