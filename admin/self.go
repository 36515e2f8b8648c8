package admin

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"

	"roster/store"
)

// Link is what the web page behind an invitation or reset link shows before
// the person acts. Reading it never consumes the link: mail scanners and chat
// previews open links before people do.
type Link struct {
	Kind    string // "invite" or "reset"
	Account string
	User    *store.User
}

// checkLink finds the link of kind for token and says why it cannot be used.
func (s *Service) checkLink(ctx context.Context, q *store.Q, kind, token string) (*store.Token, *store.User, error) {
	// A token is base32 of capitals (rand.Text): one typed from a phone, or
	// that a link rewriter lowercased, is the same token.
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(token))))
	t, err := q.TokenByHash(ctx, sum[:])
	if errors.Is(err, store.ErrNotFound) || err == nil && t.Kind != kind {
		return nil, nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := q.UserByID(ctx, t.UserID, s.Now())
	if err != nil {
		return nil, nil, ErrLinkInvalid
	}
	switch {
	case !t.UsedAt.IsZero():
		return t, u, ErrLinkUsed
	case u.Status == store.Deactivated:
		// Not "replaced, ask for a new one": no new one would come.
		return t, u, ErrLinkInactive
	case u.Status == store.Active && (kind == "invite" || !t.VoidedAt.IsZero() && !u.ActivatedAt.Before(t.CreatedAt)):
		// Set up since with another link (a reset asked for while
		// invited, or the invitation after a reset): not "replaced". A
		// reset link voided after the person was active was replaced by
		// a newer one (or ended by a deactivation): no password was set
		// with another, which would alarm them.
		return t, u, ErrAccountReady
	case !t.VoidedAt.IsZero():
		return t, u, ErrLinkReplaced
	case !s.Now().Before(t.ExpiresAt):
		return t, u, ErrLinkExpired
	case kind == "invite" && u.Status != store.Invited:
		return t, u, ErrLinkReplaced
	}
	return t, u, nil
}

// LinkInfo tells the web page about a link without consuming it.
func (s *Service) LinkInfo(ctx context.Context, kind, token string) (*Link, error) {
	var l *Link
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		_, u, err := s.checkLink(ctx, q, kind, token)
		if err != nil {
			return err
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		l = &Link{Kind: kind, Account: acct.Name, User: u}
		return nil
	})
	return l, err
}

// UseLink consumes an invitation or reset link, once only and within its
// lifetime, sets the person's password and activates an invited person.
func (s *Service) UseLink(ctx context.Context, kind, token, password string) (*store.User, error) {
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	var user *store.User
	err = s.st.Write(ctx, func(q *store.Q) error {
		t, u, err := s.checkLink(ctx, q, kind, token)
		if err != nil {
			return err
		}
		ok, err := q.ConsumeToken(ctx, t.ID, t.Hash, s.Now())
		if err != nil {
			return err
		}
		if !ok { // another request consumed it first
			return ErrLinkUsed
		}
		before := profileOf(u)
		u.PasswordHash = hash
		action := "password.reset"
		if u.Status == store.Invited {
			u.Status, u.ActivatedAt = store.Active, s.Now()
			action = "invite.accept"
			if err := q.VoidTokens(ctx, u.ID, "", s.Now()); err != nil {
				return err
			}
		}
		u.UpdatedAt, u.UpdatedBy = s.Now(), u.Email
		if err := q.UpdateUser(ctx, u, u.Version); err != nil {
			return err
		}
		user = u
		if err := s.audit(ctx, q, nil, ChannelWeb, action, u, before, profileOf(u)); err != nil {
			return err
		}
		if action != "invite.accept" {
			return nil
		}
		return s.seatStarts(ctx, q, nil, ChannelWeb, u)
	})
	return user, err
}

// ForgotPassword sends a reset link to an invited or active person. It says
// nothing of whether the address exists: the page answers the same either way.
// Its errors are for the server's log, not for the person.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil
	}
	return s.st.Write(ctx, func(q *store.Q) error {
		u, err := q.UserByEmail(ctx, email, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if u.Status != store.Invited && u.Status != store.Active {
			return nil
		}
		if err := s.checkRate(ctx, q, u, "reset"); err != nil {
			return nil
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		if err := s.sendLink(ctx, q, u, acct, u, "reset", store.MailPasswordReset); err != nil {
			return err
		}
		return s.audit(ctx, q, nil, ChannelWeb, "password.forgot", u, nil, nil)
	})
}

// Login checks an active person's password and counts the login (seed 000:
// administrators see whether the person has accessed the account). Every
// address costs one password verification, known or not, so that the time
// taken tells nothing; it runs outside any transaction, so that other
// writers never wait for it. ErrBusy when too many are being checked.
func (s *Service) Login(ctx context.Context, email, password string) (*store.User, error) {
	var u *store.User
	ok, err := verifyPassword(ctx, password, func() (string, error) {
		var err error
		u, err = s.st.Read().UserByEmail(ctx, strings.TrimSpace(email), s.Now())
		switch {
		case errors.Is(err, store.ErrNotFound):
			return "", nil
		case err != nil:
			return "", err
		case u.Status != store.Active:
			return "", nil
		}
		return u.PasswordHash, nil
	})
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, ErrBadLogin
	}
	err = s.st.Write(ctx, func(q *store.Q) error {
		cur, err := q.UserByID(ctx, u.ID, s.Now())
		if err != nil {
			return err
		}
		// Deactivated or given a new password while it was being checked.
		ok = ok && cur.Status == store.Active && cur.PasswordHash == u.PasswordHash
		u = cur
		return q.RecordLogin(ctx, u.ID, ok, s.Now())
	})
	if errors.Is(err, store.ErrNotFound) { // deleted while being checked
		return nil, ErrBadLogin
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadLogin
	}
	return u, nil
}

// SignOut ends every web session of a's, an active user: a session is
// signed over their count of sign-outs, which this adds one to. Like a
// login, it is the person's own act and not audited.
func (s *Service) SignOut(ctx context.Context, a Actor) error {
	return s.st.Write(ctx, func(q *store.Q) error {
		me, err := s.actor(ctx, q, a)
		if err != nil {
			return err
		}
		return q.SignOut(ctx, me.ID)
	})
}

// Administers reports whether a, an active user, holds a users.* permission
// and so administers the account; one who does not may still read and set
// their own notifications (NotifySettings): over SSH they get "My settings"
// rather than the dashboard.
func (s *Service) Administers(ctx context.Context, a Actor) (bool, error) {
	var ok bool
	err := s.st.ReadTx(ctx, func(q *store.Q) error {
		me, err := s.actor(ctx, q, a)
		ok = err == nil && me.perms.anyUsers()
		return err
	})
	return ok, err
}
