package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Status is a user's stored status. Expired and away are derived, not stored.
type Status string

// The stored statuses.
const (
	Staged      Status = "staged"
	Invited     Status = "invited"
	Active      Status = "active"
	Deactivated Status = "deactivated"
)

// User is one person of the account. The fields after Tags are derived when
// the user is read, from their invitations and away periods.
type User struct {
	ID               int64     `json:"id"`
	Email            string    `json:"email"`
	FirstName        string    `json:"first_name"`
	LastName         string    `json:"last_name"`
	Phone            string    `json:"phone"`
	Position         string    `json:"position"`
	ReferenceID      string    `json:"reference_id"`
	Locale           string    `json:"locale"`
	Role             string    `json:"role"`
	Status           Status    `json:"status"`
	InvitedBy        int64     `json:"invited_by,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	ActivatedAt      time.Time `json:"activated_at,omitzero"`
	LastLoginAt      time.Time `json:"last_login_at,omitzero"`
	LoginCount       int       `json:"login_count"`
	FailedLoginCount int       `json:"failed_login_count"`
	Version          int64     `json:"version"`
	UpdatedAt        time.Time `json:"updated_at"`
	UpdatedBy        string    `json:"updated_by"`
	PasswordHash     string    `json:"-"`
	SignOuts         int64     `json:"-"` // times signed out of the web pages: a session is signed over it
	Teams            []string  `json:"teams"`
	Branches         []string  `json:"branches"`
	Tags             []string  `json:"tags"`

	InviteExpiresAt time.Time `json:"invite_expires_at,omitzero"` // newest pending invitation
	Expired         bool      `json:"expired"`
	Away            bool      `json:"away"`
	AwayUntil       time.Time `json:"away_until,omitzero"` // zero while away: until further notice
}

// Name is "First Last", or the email when the user has no name yet.
func (u *User) Name() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

// Fold lower-cases s and removes its accents, for sorting and prefix search.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii { // nothing to decompose: a tenth of the time (emails, references)
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// userCols reads a user with what a listing shows of them, all kept on the
// row by the triggers of 009_user_rows.sql and 020_branches.sql: the teams,
// the live invitation's expiry, the away periods, the branches.
const userCols = `u.id, u.email, u.first_name, u.last_name, u.phone, u.position, u.reference_id,
	u.locale, u.role, u.status, coalesce(u.invited_by, 0), u.created_at, u.activated_at, u.last_login_at,
	u.login_count, u.failed_login_count, u.version, u.updated_at, u.updated_by, u.password_hash, u.sign_outs,
	u.teams, u.invite_expires_at, u.away_spans, u.branches`

type scanner interface{ Scan(...any) error }

func scanUser(sc scanner, now time.Time) (*User, error) {
	var u User
	var created, activated, login, updated, inviteExp int64
	var teams, away, branches string
	err := sc.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.Position, &u.ReferenceID,
		&u.Locale, &u.Role, &u.Status, &u.InvitedBy, &created, &activated, &login,
		&u.LoginCount, &u.FailedLoginCount, &u.Version, &updated, &u.UpdatedBy, &u.PasswordHash, &u.SignOuts,
		&teams, &inviteExp, &away, &branches)
	if err != nil {
		return nil, mapErr(err)
	}
	u.CreatedAt, u.ActivatedAt, u.LastLoginAt, u.UpdatedAt = fromUnix(created), fromUnix(activated), fromUnix(login), fromUnix(updated)
	u.Teams, u.Branches = splitList(teams), splitList(branches)
	if u.Status == Invited && inviteExp != 0 {
		u.InviteExpiresAt = fromUnix(inviteExp)
		u.Expired = !now.Before(u.InviteExpiresAt)
	}
	var until int64
	if u.Away, until = awayAt(away, now.Unix()); u.Away {
		u.AwayUntil = fromUnix(until)
	}
	return &u, nil
}

// awayAt reads a row's away periods ("start-end,...", in Unix seconds, end 0
// for until further notice) and says whether one covers now, and until when:
// zero if a period covering now has no end, else the latest end of those
// covering it.
func awayAt(spans string, now int64) (away bool, until int64) {
	open := false
	for spans != "" {
		var span string
		span, spans, _ = strings.Cut(spans, ",")
		s, e, _ := strings.Cut(span, "-")
		start, _ := strconv.ParseInt(s, 10, 64)
		end, _ := strconv.ParseInt(e, 10, 64)
		if start > now || end != 0 && end <= now {
			continue
		}
		away = true
		if end == 0 {
			open = true
		}
		until = max(until, end)
	}
	if open {
		until = 0
	}
	return away, until
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// UserByEmail reads one user with teams and tags by any spelling of their
// address (see EmailKey); ErrNotFound if none. A user left without a key by
// a clash (AddressClashes) is found by their address exactly as stored.
func (q *Q) UserByEmail(ctx context.Context, email string, now time.Time) (*User, error) {
	email = strings.TrimSpace(email)
	return q.user(ctx, byEmail, now, EmailKey(email), email)
}

// byEmail finds a user by ?2, the EmailKey of an address, and ?3, the
// address as written, which alone finds a user whose address has no key
// (an address clash: see AddressClashes).
const byEmail = `u.id = coalesce((SELECT id FROM users WHERE email_key IS NULL AND email = ?3 COLLATE BINARY),
		(SELECT id FROM users WHERE email_key = ?2))`

// Operator is the user whose address is email, without their tags, and
// their permissions, sorted, in one statement: the rules read it first in
// every act, and a one-shot command paid for three statements (the user,
// the tags, the permissions).
func (q *Q) Operator(ctx context.Context, email string, now time.Time) (*User, []string, error) {
	agg := "group_concat(perm, ' ' ORDER BY perm)"
	if q.pg {
		agg = "string_agg(perm, ' ' ORDER BY perm)"
	}
	email = strings.TrimSpace(email)
	var perms string
	row := q.db.QueryRowContext(ctx, "SELECT "+userCols+", coalesce((SELECT "+agg+" FROM user_perms WHERE user_id = u.id), '') FROM users u WHERE "+
		byEmail, now.Unix(), EmailKey(email), email)
	u, err := scanUser(withExtra{row, &perms}, now)
	if err != nil {
		return nil, nil, err
	}
	return u, strings.Fields(perms), nil
}

// TakenEmails gives the EmailKey of each of emails that a user has, without
// reading the users.
func (q *Q) TakenEmails(ctx context.Context, emails ...string) (map[string]bool, error) {
	keys := make([]any, len(emails))
	for i, e := range emails {
		keys[i] = EmailKey(e)
	}
	taken := map[string]bool{}
	err := chunks("?", keys, func(n int, keys []any) error {
		found, err := q.strings(ctx, "SELECT email_key FROM users WHERE email_key IN ("+valueRows("?", n)+")", keys...)
		for _, k := range found {
			taken[k] = true
		}
		return err
	})
	return taken, err
}

// UserByID reads one user with teams and tags; ErrNotFound if none.
func (q *Q) UserByID(ctx context.Context, id int64, now time.Time) (*User, error) {
	return q.user(ctx, "u.id = ?2", now, id)
}

// UsersByID reads several users with teams and tags, in two statements
// for all of them, by ID; the IDs of none are left out.
func (q *Q) UsersByID(ctx context.Context, ids []int64, now time.Time) (map[int64]*User, error) {
	out := make(map[int64]*User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{now.Unix()}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.db.QueryContext(ctx, "SELECT "+userCols+" FROM users u WHERE u.id IN ("+numbered(2, len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []*User
	for rows.Next() {
		u, err := scanUser(rows, now)
		if err != nil {
			return nil, err
		}
		out[u.ID] = u
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, q.addTags(ctx, users)
}

// numbered is n placeholders numbered from ?from: UsersByID's statement
// has now as ?1, before the IDs.
func numbered(from, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("?%d", from+i)
	}
	return strings.Join(ph, ", ")
}

// addTags sets users' tags, sorted ([] for none), read in one statement
// for all of them.
func (q *Q) addTags(ctx context.Context, users []*User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*User, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		u.Tags, byID[u.ID], args[i] = []string{}, u, u.ID
	}
	rows, err := q.db.QueryContext(ctx, "SELECT user_id, tag FROM user_tags WHERE user_id IN ("+numbered(1, len(args))+") ORDER BY user_id, tag", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		if u := byID[id]; u != nil {
			u.Tags = append(u.Tags, tag)
		}
	}
	return rows.Err()
}

func (q *Q) user(ctx context.Context, where string, now time.Time, args ...any) (*User, error) {
	row := q.db.QueryRowContext(ctx, "SELECT "+userCols+" FROM users u WHERE "+where, append([]any{now.Unix()}, args...)...)
	u, err := scanUser(row, now)
	if err != nil {
		return nil, err
	}
	u.Tags, err = q.strings(ctx, "SELECT tag FROM user_tags WHERE user_id = ? ORDER BY tag", u.ID)
	return u, err
}

func (q *Q) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func sortName(u *User) string { return Fold(u.Name()) }

// InsertUser adds users (teams, branches and tags included), with a few statements
// for all of them, and sets their IDs. ErrDuplicate if an email is taken,
// by EmailKey; ErrNotFound if a team or branch does not exist.
func (q *Q) InsertUser(ctx context.Context, users ...*User) error {
	vals := make([]any, 0, 16*len(users))
	for _, u := range users {
		// The row's team, when one, and its link's expiry, as the triggers
		// of the membership and the link written next make them: written
		// now, the row is not written again (migration 030).
		var teams string
		if len(u.Teams) == 1 {
			teams = u.Teams[0]
		}
		vals = append(vals, u.Email, EmailKey(u.Email), u.FirstName, u.LastName, sortName(u), u.Phone, u.Position,
			u.ReferenceID, u.Locale, u.Role, u.Status, u.InvitedBy, unix(u.CreatedAt), unix(u.ActivatedAt),
			unix(u.UpdatedAt), u.UpdatedBy, teams, unix(u.InviteExpiresAt))
	}
	ids, err := q.insertNew(ctx, "users", `email, email_key, first_name, last_name, sort_name, phone, position,
		reference_id, locale, role, status, invited_by, created_at, activated_at, updated_at, updated_by, teams, invite_expires_at`,
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?)", vals)
	if err != nil {
		return err
	}
	for i, u := range users {
		u.ID, u.Version = ids[i], 1
	}
	return q.addSets(ctx, users...)
}

// bumped checks that res, an update of u at expectVersion, changed its
// row, and gives u the version it now has; ErrConflict if u was at another.
func bumped(res sql.Result, err error, u *User, expectVersion int64) error {
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return ErrConflict
	}
	u.Version = expectVersion + 1
	return nil
}

// UpdateUser writes every stored field of u if its version is still
// expectVersion, and bumps the version. A stale version gives ErrConflict;
// a new address that another user has, by EmailKey, ErrDuplicate.
func (q *Q) UpdateUser(ctx context.Context, u *User, expectVersion int64) error {
	// The key changes only with the address, so that a user left without one
	// by a clash can still be edited; the address it frees goes to the next.
	res, err := q.db.ExecContext(ctx, `UPDATE users SET email_key = CASE WHEN email = ?1 COLLATE BINARY THEN email_key ELSE ?2 END,
		email = ?1, first_name = ?, last_name = ?, sort_name = ?,
		phone = ?, position = ?, reference_id = ?, locale = ?, role = ?, status = ?, activated_at = ?,
		last_login_at = ?, login_count = ?, failed_login_count = ?, password_hash = ?,
		updated_at = ?, updated_by = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		u.Email, EmailKey(u.Email), u.FirstName, u.LastName, sortName(u), u.Phone, u.Position, u.ReferenceID, u.Locale, u.Role,
		u.Status, unix(u.ActivatedAt), unix(u.LastLoginAt), u.LoginCount, u.FailedLoginCount, u.PasswordHash,
		unix(u.UpdatedAt), u.UpdatedBy, u.ID, expectVersion)
	if err := bumped(res, err, u, expectVersion); err != nil {
		return err
	}
	if err := q.keyEmails(ctx); err != nil {
		return err
	}
	for _, table := range []string{"user_teams", "user_branches", "user_tags", "search_keys"} {
		if _, err := q.db.ExecContext(ctx, "DELETE FROM "+table+" WHERE user_id = ?", u.ID); err != nil {
			return err
		}
	}
	return q.addSets(ctx, u)
}

// SetTeam adds u to the team named (in) or takes them out, and bumps u's
// version, if it is still expectVersion: what a bulk act on a team changes,
// without rewriting the user's every column, index and search key as
// UpdateUser does (a tenth of the time). Triggers keep users.teams and the
// team's count. A stale version gives ErrConflict; a missing team,
// ErrNotFound.
func (q *Q) SetTeam(ctx context.Context, u *User, team string, in bool, expectVersion int64) error {
	return q.setGroup(ctx, u, "user_teams", "team_id", "teams", team, in, expectVersion)
}

// SetBranch is SetTeam for a branch (users.branches and the branch's count
// kept by their triggers).
func (q *Q) SetBranch(ctx context.Context, u *User, branch string, in bool, expectVersion int64) error {
	return q.setGroup(ctx, u, "user_branches", "branch_id", "branches", branch, in, expectVersion)
}

// setGroup adds u to the group called name (a team or a branch: the link
// table, its group column and the group table) or takes them out.
func (q *Q) setGroup(ctx context.Context, u *User, links, col, groups, name string, in bool, expectVersion int64) error {
	res, err := q.db.ExecContext(ctx, "UPDATE users SET updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ? AND version = ?",
		unix(u.UpdatedAt), u.UpdatedBy, u.ID, expectVersion)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return ErrConflict
	}
	u.Version = expectVersion + 1
	query := "INSERT OR IGNORE INTO " + links + " (user_id, " + col + ") SELECT ?1, id FROM " + groups + " WHERE name = ?2"
	if !in {
		query = "DELETE FROM " + links + " WHERE user_id = ?1 AND " + col + " = (SELECT id FROM " + groups + " WHERE name = ?2)"
	}
	if res, err = q.db.ExecContext(ctx, query, u.ID, name); err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("%s %q of user %d: %w", col, name, u.ID, ErrNotFound)
	}
	return nil
}

// RecordLogin counts a login attempt without touching the version, so that a
// person logging in never makes an operator's edit stale.
func (q *Q) RecordLogin(ctx context.Context, id int64, ok bool, at time.Time) error {
	query := "UPDATE users SET failed_login_count = failed_login_count + 1 WHERE id = ?"
	args := []any{id}
	if ok {
		query = "UPDATE users SET last_login_at = ?, login_count = login_count + 1 WHERE id = ?"
		args = []any{at.Unix(), id}
	}
	_, err := q.db.ExecContext(ctx, query, args...)
	return err
}

// SignOut counts one more sign-out of the user's: every web session signed
// over the count before ends.
func (q *Q) SignOut(ctx context.Context, id int64) error {
	_, err := q.db.ExecContext(ctx, "UPDATE users SET sign_outs = sign_outs + 1 WHERE id = ?", id)
	return err
}

// DeleteUser removes the user; what refers to it cascades or is set null.
// The address key it held goes to a user it clashed with, if any.
func (q *Q) DeleteUser(ctx context.Context, id int64) error {
	res, err := q.db.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return q.keyEmails(ctx)
}

// addSets writes users' teams, branches, tags and search keys, a statement each for
// all of them, for users who have none (new, or just cleared by
// UpdateUser). The search keys come from the users as written, not read back.
func (q *Q) addSets(ctx context.Context, users ...*User) error {
	for _, g := range []group{teamGroup, branchGroup} {
		if err := q.addGroups(ctx, g, users); err != nil {
			return err
		}
	}
	var tags, keys []any
	for _, u := range users {
		for _, t := range u.Tags {
			tags = append(tags, u.ID, t)
		}
		for _, k := range searchKeys(u.Email, u.FirstName, u.LastName, u.Position, u.ReferenceID, u.Tags) {
			keys = append(keys, k, u.ID)
		}
	}
	if err := q.insertRows(ctx, "INSERT OR IGNORE INTO user_tags (user_id, tag) VALUES ", "(?, ?)", tags); err != nil {
		return err
	}
	return q.insertRows(ctx, "INSERT OR IGNORE INTO search_keys (key, user_id) VALUES ", "(?, ?)", keys)
}

// group is a grouping of users by name: teams, branches.
type group struct {
	what, table, members, key string // "team", its table, the memberships' table and its column
	names                     func(*User) []string
}

var (
	teamGroup   = group{"team", "teams", "user_teams", "team_id", func(u *User) []string { return u.Teams }}
	branchGroup = group{"branch", "branches", "user_branches", "branch_id", func(u *User) []string { return u.Branches }}
)

// addGroups writes users' memberships of g, found by name; ErrNotFound if
// one does not exist.
func (q *Q) addGroups(ctx context.Context, g group, users []*User) error {
	var pairs []any
	for _, u := range users {
		for _, t := range g.names(u) {
			pairs = append(pairs, u.ID, t)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	// The groups are found by name in the statement; the name's collation
	// (NOCASE) is the column's, as in a look-up by name. PostgreSQL takes
	// the values' parameters for text unless told.
	row := "(?, ?)"
	if q.pg {
		row = "(?::bigint, ?)"
	}
	n, err := q.insertRowsN(ctx, "INSERT OR IGNORE INTO "+g.members+" (user_id, "+g.key+`)
		SELECT v.column1, t.id FROM `+g.table+" t JOIN (VALUES ", row, pairs, ") v ON t.name = v.column2")
	if err != nil || int(n) == len(pairs)/2 {
		return err
	}
	// Fewer memberships than names: a name given twice, or a group missing.
	checked := map[any]bool{}
	for i := 1; i < len(pairs); i += 2 {
		if checked[pairs[i]] {
			continue
		}
		checked[pairs[i]] = true
		var exists bool
		if err := q.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+g.table+" WHERE name = ?)", pairs[i]).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%s %q: %w", g.what, pairs[i], ErrNotFound)
		}
	}
	return nil
}

// newIDs reserves n ids for new rows of table, one whose ids people and
// other systems hold (id_floors lists them), and returns the first: above
// every id the table has given, rows deleted since included, and above
// every id it holds (rows copied in with theirs).
func (q *Q) newIDs(ctx context.Context, table string, n int) (int64, error) {
	top := "max"
	if q.pg {
		top = "greatest"
	}
	var last int64
	err := q.db.QueryRowContext(ctx, "UPDATE id_floors SET n = "+top+"(n, (SELECT coalesce(max(id), 0) FROM "+table+")) + ? WHERE name = ? RETURNING n",
		n, table).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: new ids of %s: %w", table, err)
	}
	return last - int64(n) + 1, nil
}

// insertNew inserts rows into table, as insertRows does (cols are the
// columns row's values go to, vals a row of them to each copy of row),
// with ids from newIDs, and returns them in the rows' order.
func (q *Q) insertNew(ctx context.Context, table, cols, row string, vals []any) ([]int64, error) {
	per := strings.Count(row, "?")
	n := len(vals) / per
	if n == 0 {
		return nil, nil
	}
	first, err := q.newIDs(ctx, table, n)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	with := make([]any, 0, len(vals)+n)
	for i := range ids {
		ids[i] = first + int64(i)
		with = append(append(with, ids[i]), vals[i*per:(i+1)*per]...)
	}
	err = q.insertRows(ctx, "INSERT INTO "+table+" (id, "+cols+") VALUES ", "(?, "+strings.TrimPrefix(row, "("), with)
	return ids, mapErr(err)
}

// insertOne is insertNew for one row of args, and returns its id.
func (q *Q) insertOne(ctx context.Context, table, cols, row string, args ...any) (int64, error) {
	ids, err := q.insertNew(ctx, table, cols, row, args)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// insertID runs one INSERT of a row and gives the row's id, through
// RETURNING: PostgreSQL's driver has no LastInsertId.
func (q *Q) insertID(ctx context.Context, insert string, args ...any) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, insert+" RETURNING id", args...).Scan(&id)
	return id, mapErr(err)
}

// chunkRows is the most rows one statement of insertRows writes: far under
// SQLite's bound of 32,766 parameters, and enough that a statement's own
// cost is shared by many rows.
const chunkRows = 128

// insertRows runs head (INSERT ... VALUES) on vals, a row of them to each
// copy of row (such as "(?, nullif(?, 0))"), in statements of many rows.
func (q *Q) insertRows(ctx context.Context, head, row string, vals []any) error {
	_, err := q.insertRowsN(ctx, head, row, vals, "")
	return err
}

// insertRowsN is insertRows with tail after the rows; it reports how many
// rows the statements changed.
func (q *Q) insertRowsN(ctx context.Context, head, row string, vals []any, tail string) (int64, error) {
	var n int64
	err := chunks(row, vals, func(rows int, vals []any) error {
		res, err := q.db.ExecContext(ctx, head+valueRows(row, rows)+tail, vals...)
		if err != nil {
			return err
		}
		c, err := res.RowsAffected()
		n += c
		return err
	})
	return n, err
}

// insertIDs is insertRows for a table whose key is its INTEGER PRIMARY KEY
// id, giving the new rows' IDs in the order of vals. SQLite gives each new
// row the table's largest id plus one, so the rows of one statement,
// inserted in order, have consecutive IDs in that order.
func (q *Q) insertIDs(ctx context.Context, head, row string, vals []any) ([]int64, error) {
	ids := make([]int64, 0, len(vals)/strings.Count(row, "?"))
	err := chunks(row, vals, func(rows int, vals []any) error {
		res, err := q.db.QueryContext(ctx, head+valueRows(row, rows)+" RETURNING id", vals...)
		if err != nil {
			return err
		}
		defer res.Close()
		from := len(ids)
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := res.Err(); err != nil {
			return err
		}
		// Consecutive unless the table's last id is the largest there is,
		// past which SQLite picks free ids at random: refused rather than
		// given to the wrong rows.
		slices.Sort(ids[from:])
		if n := len(ids) - 1; n > from && ids[n]-ids[from] != int64(n-from) {
			return errors.New("store: the new rows' ids are not consecutive")
		}
		return nil
	})
	return ids, err
}

// chunks calls fn on vals, a row to each copy of row, in parts of
// chunkRows rows and then of fewer, each a power of two: a statement is
// built for a few counts of rows only, which the store prepares once and
// keeps (stmtCache), instead of parsing anew a statement for each count.
func chunks(row string, vals []any, fn func(rows int, vals []any) error) error {
	cols := strings.Count(row, "?")
	for len(vals) > 0 {
		n := chunkRows
		for n*cols > len(vals) {
			n /= 2
		}
		if err := fn(n, vals[:n*cols]); err != nil {
			return err
		}
		vals = vals[n*cols:]
	}
	return nil
}

// valueRows is rows copies of row, comma-separated.
func valueRows(row string, rows int) string {
	return strings.Repeat(row+", ", rows-1) + row
}

// placeholders is n comma-separated question marks.
func placeholders(n int) string { return strings.Repeat("?, ", n-1) + "?" }

// searchKeys are the folded strings a prefix search matches a user on.
func searchKeys(email, first, last, position, ref string, tags []string) []string {
	keys := []string{email, first + " " + last, last + " " + first, position, ref}
	keys = append(keys, tags...)
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		k = Fold(strings.TrimSpace(k))
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// Perms lists the user's permissions, sorted.
func (q *Q) Perms(ctx context.Context, id int64) ([]string, error) {
	return q.strings(ctx, "SELECT perm FROM user_perms WHERE user_id = ? ORDER BY perm", id)
}

// SetPerms replaces the user's permissions.
func (q *Q) SetPerms(ctx context.Context, id int64, perms []string) error {
	if _, err := q.db.ExecContext(ctx, "DELETE FROM user_perms WHERE user_id = ?", id); err != nil {
		return err
	}
	return q.AddPerms(ctx, Grant{id, perms})
}

// Grant is permissions given to one user.
type Grant struct {
	UserID int64
	Perms  []string
}

// AddPerms gives each grant's user its permissions, besides those they have,
// in one statement for all.
func (q *Q) AddPerms(ctx context.Context, grants ...Grant) error {
	var rows []any
	for _, g := range grants {
		for _, p := range g.Perms {
			rows = append(rows, g.UserID, p)
		}
	}
	return q.insertRows(ctx, "INSERT OR IGNORE INTO user_perms (user_id, perm) VALUES ", "(?, ?)", rows)
}

// CountActiveOwners counts the owners who can still act for the account.
func (q *Q) CountActiveOwners(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active'").Scan(&n)
	return n, err
}

// Owners lists the active owners' emails.
func (q *Q) Owners(ctx context.Context) ([]string, error) {
	return q.strings(ctx, "SELECT email FROM users WHERE role = 'owner' AND status = 'active' ORDER BY id")
}

// Summary counts users by what the Users screen's header shows.
type Summary struct {
	Total         int `json:"total"`
	Active        int `json:"active"`
	Staged        int `json:"staged"`
	Invited       int `json:"invited"`
	Expired       int `json:"expired"`
	Away          int `json:"away"`
	NeverLoggedIn int `json:"never_logged_in"`
	Deactivated   int `json:"deactivated"`
}

// Summary counts users by status: the stored statuses from the counters the
// triggers of 006_pending_counts.sql keep, the expired invitations from the
// index on their expiry, the away from the index on the away periods.
func (q *Q) Summary(ctx context.Context, now time.Time) (Summary, error) {
	var s Summary
	rows, err := q.db.QueryContext(ctx, "SELECT name, n FROM user_counts")
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return s, err
		}
		switch Status(name) {
		case Active:
			s.Active = n
		case Staged:
			s.Staged = n
		case Invited:
			s.Invited = n
		case Deactivated:
			s.Deactivated = n
		default:
			s.NeverLoggedIn = n
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	s.Total = s.Active + s.Staged + s.Invited + s.Deactivated
	err = q.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM pending_invitations WHERE expires_at <= ?1),
		(SELECT count(DISTINCT user_id) FROM away_periods WHERE starts_at <= ?1 AND (ends_at = 0 OR ends_at > ?1))`, now.Unix()).
		Scan(&s.Expired, &s.Away)
	return s, err
}

// statusFilter is the SQL for each status a listing can be filtered by; ?1 is now.
var statusFilter = map[string]string{
	"staged":          "u.status = 'staged'",
	"invited":         "u.status = 'invited'",
	"active":          "u.status = 'active'",
	"deactivated":     "u.status = 'deactivated'",
	"expired":         "u.status = 'invited' AND u.invite_expires_at BETWEEN 1 AND ?1",
	"away":            `u.id IN (SELECT a.user_id FROM away_periods a WHERE a.starts_at <= ?1 AND (a.ends_at = 0 OR a.ends_at > ?1))`,
	"never-logged-in": "u.last_login_at = 0 AND u.status IN ('invited', 'active')",
}

// StatusFilters lists the names ListUsers accepts as a status filter.
func StatusFilters() []string {
	return []string{"staged", "invited", "active", "expired", "away", "never-logged-in", "deactivated"}
}

// ErrBadFilter is returned for an unknown status filter or sort.
var ErrBadFilter = errors.New("unknown filter")
