package benchdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// People are n people as a CSV file of invitations gives them: every
// column filled, a team each, French and English; each address begins with
// prefix, so that a benchmark's turns invite other people each time.
func People(n int, prefix string) []admin.NewUser {
	teams := []string{"Ventes Paris", "Support", "Comptabilité"}
	firsts := []string{"Camille", "Élodie", "Hugo", "Léa", "Oliver", "Amelia", "Noah", "Chloé"}
	lasts := []string{"Martin", "Lefèvre", "Dupont", "Smith", "O'Brien", "Garnier", "Taylor", "Roux"}
	rows := make([]admin.NewUser, n)
	for i := range rows {
		f, l := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
		locale := "fr"
		if i%3 == 0 {
			locale = "en"
		}
		rows[i] = admin.NewUser{
			Email: fmt.Sprintf("%sperson.%05d@example.com", prefix, i), FirstName: f, LastName: l,
			Phone: fmt.Sprintf("06 %02d %02d %02d %02d", i/1000000%100, i/10000%100, i/100%100, i%100),
			Role:  []string{"member", "member", "member", "manager"}[i%4], Teams: []string{teams[i%len(teams)]},
			Position: "Commercial", ReferenceID: fmt.Sprintf("E%06d", i), Locale: locale,
		}
	}
	return rows
}

// OpenForInvites opens dsn, a copy of the benchmarks' seeded database, as
// Open does, and adds the one team People puts people in that the seed
// lacks; it returns the store and the seed's owner to act as.
func OpenForInvites(tb testing.TB, dsn string) (*store.Store, admin.Actor) {
	tb.Helper()
	st, email := Open(tb, dsn)
	owner := admin.Actor{Email: email, Channel: admin.ChannelCLI}
	if err := admin.New(st).AddTeam(context.Background(), owner, "Support"); err != nil {
		tb.Fatal(err)
	}
	return st, owner
}

// PlainInvites writes what inviting rows writes into the SQLite database
// at path, as plain single-row INSERTs of values made beforehand, with
// nothing checked or read, into the same schema (its triggers firing too),
// with the pragmas store.Open gives its write connection, batch rows to a
// transaction, and returns how long the writing took. With every false,
// only each person's user, invitation mail and audit row; with every, all
// the rows an invitation writes: the user, their team, permissions and
// search keys, the link, the mail and the audit row. It is the floor
// inviting is measured against.
func PlainInvites(path string, rows []admin.NewUser, batch int, every bool) (time.Duration, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_pragma=secure_delete(FAST)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	teams := map[string]int64{}
	trows, err := db.Query("SELECT name, id FROM teams")
	if err != nil {
		return 0, err
	}
	for trows.Next() {
		var name string
		var id int64
		if err := trows.Scan(&name, &id); err != nil {
			return 0, err
		}
		teams[name] = id
	}
	if err := trows.Close(); err != nil {
		return 0, err
	}
	now := time.Now().Unix()
	type person struct {
		email, key, sortName, name, data, audit, messageID string
		keys                                               []string
		hash                                               [32]byte
	}
	people := make([]person, len(rows))
	for i, r := range rows {
		name := r.FirstName + " " + r.LastName
		hash := sha256.Sum256([]byte(r.Email))
		people[i] = person{email: r.Email, key: store.EmailKey(r.Email), sortName: store.Fold(name), name: name,
			data:      fmt.Sprintf(`{"account":"Acme","name":%q,"inviter":"Olive Owner","inviter_email":"olive.owner@example.com","path":"/invite/%x","expires_at":"2026-03-04T09:00:00Z","lifetime_secs":172800}`, name, hash[:13]),
			audit:     fmt.Sprintf(`{"email":%q,"first_name":%q,"last_name":%q,"phone":"+33600000000","position":%q,"reference_id":%q,"locale":%q,"role":%q,"status":"invited","teams":[%q]}`, r.Email, r.FirstName, r.LastName, r.Position, r.ReferenceID, r.Locale, r.Role, r.Teams[0]),
			messageID: fmt.Sprintf("<%x@example.com>", hash[:13]),
			keys:      []string{store.Fold(r.Email), store.Fold(name), store.Fold(r.LastName + " " + r.FirstName), store.Fold(r.Position), store.Fold(r.ReferenceID)},
			hash:      hash}
	}
	queries := []string{
		`INSERT INTO users (email, email_key, first_name, last_name, sort_name, phone, position, reference_id, locale,
			role, status, invited_by, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'invited', 1, ?, ?, ?)`,
		`INSERT INTO outbox (kind, user_id, token_id, recipient, recipient_name, locale, data, message_id, next_attempt_at, give_up_at, created_at)
			VALUES ('invitation', ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?)`,
		`INSERT INTO audit (at, actor_id, actor_email, channel, action, target_id, target_email, after)
			VALUES (?, 1, 'olive.owner@example.com', 'cli', 'user.invite', ?, ?, ?)`,
		"INSERT INTO user_teams (user_id, team_id) VALUES (?, ?)",
		"INSERT INTO user_perms (user_id, perm) VALUES (?, ?)",
		"INSERT INTO search_keys (key, user_id) VALUES (?, ?)",
		`INSERT INTO tokens (user_id, kind, hash, created_at, expires_at, created_by)
			VALUES (?, 'invite', ?, ?, ?, 'olive.owner@example.com')`,
	}
	start := time.Now()
	for first := 0; first < len(people); first += batch {
		if err := plainBatch(db, queries, func(exec func(i int, args ...any) (int64, error)) error {
			for i := first; i < min(first+batch, len(people)); i++ {
				p, r := people[i], rows[i]
				id, err := exec(0, p.email, p.key, r.FirstName, r.LastName, p.sortName, r.Phone, r.Position, r.ReferenceID,
					r.Locale, r.Role, now, now, "olive.owner@example.com")
				if err != nil {
					return err
				}
				var token int64
				if every {
					if _, err := exec(3, id, teams[r.Teams[0]]); err != nil {
						return err
					}
					for _, perm := range admin.Presets[r.Role] {
						if _, err := exec(4, id, perm); err != nil {
							return err
						}
					}
					for _, k := range p.keys {
						if _, err := exec(5, k, id); err != nil {
							return err
						}
					}
					if token, err = exec(6, id, p.hash[:], now, now+172800); err != nil {
						return err
					}
				}
				if _, err := exec(1, id, token, p.email, p.name, r.Locale, p.data, p.messageID, now, now+172800, now); err != nil {
					return err
				}
				if _, err := exec(2, now, id, p.email, p.audit); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// plainBatch runs write in one transaction, with queries prepared in it;
// write runs the i-th by exec, which returns the row's ID.
func plainBatch(db *sql.DB, queries []string, write func(exec func(i int, args ...any) (int64, error)) error) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		if st[i], err = tx.Prepare(q); err != nil {
			return err
		}
	}
	err = write(func(i int, args ...any) (int64, error) {
		res, err := st[i].Exec(args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	})
	if err != nil {
		return err
	}
	return tx.Commit()
}
