package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Cursor is a row's position in a listing's order; pages are read by key from
// it, so page 5,000 costs what page 1 does.
type Cursor struct {
	Text string `json:"text,omitempty"` // sort name, status or search key
	Num  int64  `json:"num,omitempty"`  // last login
	ID   int64  `json:"id"`
}

// ListQuery selects a page of users. Search matches the start of an email,
// a name (either order), a position, a reference ID or a tag; its results are
// ordered by the key they matched, whatever Sort says.
type ListQuery struct {
	Status string // one of StatusFilters(), or ""
	Team   string
	Search string
	Sort   string // "name" (default), "last-login", "status"
	After  *Cursor
	Before *Cursor // page backwards
	Limit  int
	Now    time.Time
}

// Page is one page of users, each with its cursor.
type Page struct {
	Users   []*User
	Cursors []Cursor // parallel to Users
	More    bool     // there are rows beyond this page in the direction read
}

// Sorts lists the orders ListUsers accepts.
func Sorts() []string { return []string{"name", "last-login", "status"} }

type order struct {
	cols    []string // key columns, the last one the user id
	desc    bool
	from    string
	cursor  func(u *User, key string) Cursor
	values  func(c Cursor) []any
	keyExpr string // extra selected column holding the search key, if any
}

var orders = map[string]order{
	"name": {
		cols: []string{"u.sort_name", "u.id"}, from: "users u",
		cursor: func(u *User, _ string) Cursor { return Cursor{Text: sortName(u), ID: u.ID} },
		values: func(c Cursor) []any { return []any{c.Text, c.ID} },
	},
	"last-login": {
		cols: []string{"u.last_login_at", "u.id"}, desc: true, from: "users u",
		cursor: func(u *User, _ string) Cursor { return Cursor{Num: unix(u.LastLoginAt), ID: u.ID} },
		values: func(c Cursor) []any { return []any{c.Num, c.ID} },
	},
	"status": {
		cols: []string{"u.status", "u.sort_name", "u.id"}, from: "users u",
		cursor: func(u *User, _ string) Cursor { return Cursor{Text: string(u.Status) + "\x00" + sortName(u), ID: u.ID} },
		values: func(c Cursor) []any {
			st, name, _ := strings.Cut(c.Text, "\x00")
			return []any{st, name, c.ID}
		},
	},
	"search": {
		cols: []string{"k.key", "k.user_id"}, from: "search_keys k JOIN users u ON u.id = k.user_id",
		keyExpr: "k.key",
		cursor:  func(u *User, key string) Cursor { return Cursor{Text: key, ID: u.ID} },
		values:  func(c Cursor) []any { return []any{c.Text, c.ID} },
	},
}

// ListUsers reads one page of users by key. A search may return a user once
// per key it matches on different pages; callers that gather several pages
// drop the repeats by ID.
func (q *Q) ListUsers(ctx context.Context, lq ListQuery) (*Page, error) {
	if lq.Limit <= 0 {
		lq.Limit = 50
	}
	if lq.Now.IsZero() {
		lq.Now = time.Now()
	}
	sortBy := lq.Sort
	if sortBy == "" {
		sortBy = "name"
	}
	prefix := Fold(strings.TrimSpace(lq.Search))
	if prefix != "" {
		sortBy = "search"
	}
	o, ok := orders[sortBy]
	if !ok {
		return nil, fmt.Errorf("sort %q (want one of %s): %w", lq.Sort, strings.Join(Sorts(), ", "), ErrBadFilter)
	}
	args := []any{lq.Now.Unix()}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("?%d", len(args))
	}
	var where []string
	if lq.Status != "" {
		f, ok := statusFilter[lq.Status]
		if !ok {
			return nil, fmt.Errorf("status %q (want one of %s): %w", lq.Status, strings.Join(StatusFilters(), ", "), ErrBadFilter)
		}
		where = append(where, f)
	}
	if lq.Team != "" {
		where = append(where, "u.id IN (SELECT ut.user_id FROM user_teams ut JOIN teams t ON t.id = ut.team_id WHERE t.name = "+arg(lq.Team)+")")
	}
	if prefix != "" {
		where = append(where, "k.key >= "+arg(prefix)+" AND k.key < "+arg(prefix+"\U0010FFFF"))
	}
	// Reading backwards flips the order; the rows are put back in order below.
	backwards := lq.Before != nil
	desc := o.desc != backwards
	cur := lq.After
	if backwards {
		cur = lq.Before
	}
	if cur != nil {
		cmp := ">"
		if desc {
			cmp = "<"
		}
		var ph []string
		for _, v := range o.values(*cur) {
			ph = append(ph, arg(v))
		}
		where = append(where, "("+strings.Join(o.cols, ", ")+") "+cmp+" ("+strings.Join(ph, ", ")+")")
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	orderBy := strings.Join(o.cols, dir+", ") + dir
	keyExpr := "''"
	if o.keyExpr != "" {
		keyExpr = o.keyExpr
	}
	query := "SELECT " + userCols + ", " + keyExpr + " FROM " + o.from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + orderBy
	if o.keyExpr == "" {
		query += " LIMIT " + arg(lq.Limit+1)
	}

	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// A search reads rows until the page is full: a user matching on two
	// keys (email and name) comes once.
	p := &Page{}
	seen := map[int64]bool{}
	for rows.Next() {
		var key string
		u, err := scanUser(withExtra{rows, &key}, lq.Now)
		if err != nil {
			return nil, err
		}
		if seen[u.ID] {
			continue
		}
		seen[u.ID] = true
		if len(p.Users) == lq.Limit {
			p.More = true
			break
		}
		p.Users = append(p.Users, u)
		p.Cursors = append(p.Cursors, o.cursor(u, key))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if backwards {
		for i, j := 0, len(p.Users)-1; i < j; i, j = i+1, j-1 {
			p.Users[i], p.Users[j] = p.Users[j], p.Users[i]
			p.Cursors[i], p.Cursors[j] = p.Cursors[j], p.Cursors[i]
		}
	}
	return p, nil
}

// withExtra scans a user followed by one extra column.
type withExtra struct {
	sc    scanner
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra)...) }
