package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// EmailKey is the form under which two addresses are one person's, and the
// only one roster compares them by: the part before the @ with Unicode case
// folding in NFC (Zoé, ZOÉ and Zoe with a combining accent are one), the
// domain in its IDNA ASCII form (münchen.example is xn--mnchen-3ya.example).
// Accents are kept: zoe@ and zoé@ are two mailboxes. Users are stored with
// it in a uniquely indexed column (users.email_key).
func EmailKey(email string) string {
	email = strings.TrimSpace(email)
	ascii := true
	for i := 0; i < len(email) && ascii; i++ {
		ascii = email[i] < utf8.RuneSelf
	}
	if ascii { // what folding and IDNA make of ASCII, at a tenth of the cost
		return strings.ToLower(email)
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return FoldText(email)
	}
	domain, err := idna.Lookup.ToASCII(email[at+1:])
	if err != nil { // not a valid IDN: still one key per spelling, whatever its case
		domain = FoldText(email[at+1:])
	}
	return FoldText(email[:at]) + "@" + domain
}

// FoldText is s case-folded and in NFC, as Unicode's canonical caseless
// match compares text: what a caseless comparison of two texts compares.
// A Caser keeps state, so one is made per call.
func FoldText(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	return norm.NFC.String(cases.Fold().String(norm.NFD.String(s)))
}

// keyEmails gives each user without a key the key of their address, oldest
// user first, unless another user holds it already: those are the clashes
// AddressClashes reports. It fills the column when migration 005 adds it, and
// hands a key over when its holder is deleted or changes address.
func (q *Q) keyEmails(ctx context.Context) error {
	us, err := q.unkeyed(ctx)
	if err != nil {
		return err
	}
	// A key another user holds is left alone: SQLite's UPDATE OR IGNORE
	// skips the row, PostgreSQL checks first (the write lock keeps the key
	// from being taken in between).
	query := "UPDATE OR IGNORE users SET email_key = ?1 WHERE id = ?2"
	if q.pg {
		query = "UPDATE users SET email_key = ?1 WHERE id = ?2 AND NOT EXISTS (SELECT 1 FROM users WHERE email_key = ?1)"
	}
	for _, u := range us {
		if _, err := q.db.ExecContext(ctx, query, EmailKey(u.Email), u.UserID); err != nil {
			return err
		}
	}
	return nil
}

// AddressClash is two users whose addresses have one EmailKey, from a
// database written before roster compared addresses so. The older user,
// Holder, is found by any spelling of the address; User only by its own,
// exactly as stored, until one of them is deleted.
type AddressClash struct {
	UserID      int64  `json:"user_id"`
	Email       string `json:"email"`
	HolderID    int64  `json:"holder_id"`
	HolderEmail string `json:"holder_email"`
}

// AddressClashes lists the users left without an address key, each with the
// user who holds it.
func (q *Q) AddressClashes(ctx context.Context) ([]AddressClash, error) {
	out, err := q.unkeyed(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := &out[i]
		err := q.db.QueryRowContext(ctx, "SELECT id, email FROM users WHERE email_key = ?", EmailKey(c.Email)).Scan(&c.HolderID, &c.HolderEmail)
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// unkeyed lists the users without an address key, oldest first; the index
// on email_key finds them without reading the others.
func (q *Q) unkeyed(ctx context.Context) ([]AddressClash, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT id, email FROM users WHERE email_key IS NULL ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AddressClash
	for rows.Next() {
		var c AddressClash
		if err := rows.Scan(&c.UserID, &c.Email); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
