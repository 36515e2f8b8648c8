package store

import (
	"context"
	"time"
)

// Account is the organisation the database belongs to.
type Account struct {
	Name           string        `json:"name"`
	InviteLifetime time.Duration `json:"invite_lifetime"`
	Country        string        `json:"country"`
	// BaseURL starts every link in mail (https://roster.example.com); empty
	// until set, when each process uses its --base-url or the default.
	BaseURL   string    `json:"base_url"`
	CreatedAt time.Time `json:"created_at"`
	// SCIMHeir inherits what a user the identity provider deletes owned;
	// empty: SCIM deletions are refused. SCIMStaged makes SCIM stage the
	// users it creates rather than invite them.
	SCIMHeir   string `json:"scim_heir"`
	SCIMStaged bool   `json:"scim_staged"`
	// WebhooksPrivate lets webhooks go to loopback and private addresses.
	WebhooksPrivate bool `json:"webhooks_private"`
	// RemindBefore is how long before an invitation's link expires its
	// invitee is reminded; 0: never.
	RemindBefore time.Duration `json:"remind_before"`
	// DigestHour is the hour (0 to 23) of the account's time zone at which
	// the daily digest of stuck invitations goes out.
	DigestHour int `json:"digest_hour"`
}

// Account reads the account; ErrNotFound before roster init.
func (q *Q) Account(ctx context.Context) (*Account, error) {
	var a Account
	var secs, created, remind int64
	err := q.db.QueryRowContext(ctx, "SELECT name, invite_lifetime_secs, country, base_url, created_at, scim_heir, scim_staged, webhooks_private, remind_before_secs, digest_hour FROM account WHERE id = 1").
		Scan(&a.Name, &secs, &a.Country, &a.BaseURL, &created, &a.SCIMHeir, &a.SCIMStaged, &a.WebhooksPrivate, &remind, &a.DigestHour)
	if err != nil {
		return nil, mapErr(err)
	}
	a.InviteLifetime = time.Duration(secs) * time.Second
	a.RemindBefore = time.Duration(remind) * time.Second
	a.CreatedAt = fromUnix(created)
	return &a, nil
}

// SaveAccount creates or replaces the account.
func (q *Q) SaveAccount(ctx context.Context, a *Account) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO account (id, name, invite_lifetime_secs, country, base_url, created_at, scim_heir, scim_staged, webhooks_private, remind_before_secs, digest_hour)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,
		invite_lifetime_secs = excluded.invite_lifetime_secs, country = excluded.country, base_url = excluded.base_url,
		scim_heir = excluded.scim_heir, scim_staged = excluded.scim_staged, webhooks_private = excluded.webhooks_private,
		remind_before_secs = excluded.remind_before_secs, digest_hour = excluded.digest_hour`,
		a.Name, int64(a.InviteLifetime/time.Second), a.Country, a.BaseURL, unix(a.CreatedAt), a.SCIMHeir, a.SCIMStaged, a.WebhooksPrivate,
		int64(a.RemindBefore/time.Second), a.DigestHour)
	return mapErr(err)
}

// Team is a group of users; away periods can name one as stand-in.
type Team struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Members int    `json:"members"`
	// ExternalID is the identity provider's ID of the team it provisions
	// as a SCIM group; "" for the others.
	ExternalID string `json:"external_id,omitempty"`
}

// Teams lists the teams with their member counts (kept by the triggers of
// 008_team_members.sql).
func (q *Q) Teams(ctx context.Context) ([]Team, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, name, members, external_id FROM teams ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Members, &t.ExternalID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TeamByName finds a team, case-insensitively; ErrNotFound if none.
func (q *Q) TeamByName(ctx context.Context, name string) (*Team, error) {
	var t Team
	err := q.db.QueryRowContext(ctx, `SELECT id, name, members, external_id FROM teams WHERE name = ?`, name).Scan(&t.ID, &t.Name, &t.Members, &t.ExternalID)
	return &t, mapErr(err)
}

// TeamByID finds a team; ErrNotFound if none.
func (q *Q) TeamByID(ctx context.Context, id int64) (*Team, error) {
	var t Team
	err := q.db.QueryRowContext(ctx, `SELECT id, name, members, external_id FROM teams WHERE id = ?`, id).Scan(&t.ID, &t.Name, &t.Members, &t.ExternalID)
	return &t, mapErr(err)
}

// AddTeam creates a team; ErrDuplicate if the name is taken.
func (q *Q) AddTeam(ctx context.Context, name string) (int64, error) {
	return q.insertOne(ctx, "teams", "name", "(?)", name)
}

// RenameTeam renames a team; ErrDuplicate if the name is taken.
func (q *Q) RenameTeam(ctx context.Context, id int64, name string) error {
	_, err := q.db.ExecContext(ctx, "UPDATE teams SET name = ? WHERE id = ?", name, id)
	return mapErr(err)
}

// SetTeamExternalID records the identity provider's ID of a team.
func (q *Q) SetTeamExternalID(ctx context.Context, id int64, ext string) error {
	_, err := q.db.ExecContext(ctx, "UPDATE teams SET external_id = ? WHERE id = ?", ext, id)
	return err
}

// RemoveTeam deletes a team; its members stay, without it.
func (q *Q) RemoveTeam(ctx context.Context, id int64) error {
	_, err := q.db.ExecContext(ctx, "DELETE FROM teams WHERE id = ?", id)
	return err
}
