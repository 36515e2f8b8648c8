package store

import (
	"context"
	"fmt"
	"strconv"
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
	Branch string
	Search string
	Sort   string // "name" (default), "last-login", "status"
	After  *Cursor
	Before *Cursor // page backwards
	Limit  int
	Now    time.Time
	Tags   bool // read each user's tags too, in a second statement (the screens show none)

	sel string // UserIDs' and CountUsers' column: the filter alone, unordered
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

// ListUsers reads one page of users by key, and with lq.Tags their tags
// in a second statement. A search lists each user once, at the first of
// their keys it matches.
func (q *Q) ListUsers(ctx context.Context, lq ListQuery) (*Page, error) {
	backwards := lq.Before != nil
	p := &Page{}
	for {
		query, args, o, err := q.listSQL(ctx, &lq)
		if err != nil {
			return nil, err
		}
		n, last, err := q.readUsers(ctx, query, args, o, lq, p)
		if err != nil {
			return nil, err
		}
		// A search on PostgreSQL reads a chunk of rows at a time (listSQL):
		// a chunk read whole that left the page short is followed by the next.
		if p.More || !q.pg || o.keyExpr == "" || n < searchChunk(lq.Limit) {
			break
		}
		if backwards {
			lq.Before = &last
		} else {
			lq.After = &last
		}
	}
	if backwards {
		for i, j := 0, len(p.Users)-1; i < j; i, j = i+1, j-1 {
			p.Users[i], p.Users[j] = p.Users[j], p.Users[i]
			p.Cursors[i], p.Cursors[j] = p.Cursors[j], p.Cursors[i]
		}
	}
	if lq.Tags {
		return p, q.addTags(ctx, p.Users)
	}
	return p, nil
}

// readUsers adds the users query reads to p, until the page is full, and
// returns how many rows it read and the cursor of the last.
func (q *Q) readUsers(ctx context.Context, query string, args []any, o order, lq ListQuery, p *Page) (int, Cursor, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, Cursor{}, err
	}
	defer rows.Close()
	n, last := 0, Cursor{}
	for rows.Next() {
		var key string
		u, err := scanUser(withExtra{rows, &key}, lq.Now)
		if err != nil {
			return n, last, err
		}
		n, last = n+1, o.cursor(u, key)
		if len(p.Users) == lq.Limit {
			p.More = true
			break
		}
		p.Users = append(p.Users, u)
		p.Cursors = append(p.Cursors, last)
	}
	return n, last, rows.Err()
}

// searchChunk is how many rows a search reads in one statement on
// PostgreSQL, for a page of limit users: most users match a prefix on one
// key. SQLite steps through a search's rows as they are read and stops
// with the page; PostgreSQL sends them all before the first is read (tens
// of thousands for "mar" at a million users: 30 ms against 0.5 ms).
func searchChunk(limit int) int { return 2 * (limit + 1) }

// ListSQL is the query ListUsers runs for lq, with its arguments, for the
// benchmarks that run it beside roster through the sqlite3 command line
// and a bare program.
func (q *Q) ListSQL(ctx context.Context, lq ListQuery) (string, []any, error) {
	query, args, _, err := q.listSQL(ctx, &lq)
	return query, args, err
}

// listSQL builds ListUsers' query, filling in lq's defaults, and returns
// the order it reads in.
func (q *Q) listSQL(ctx context.Context, lq *ListQuery) (string, []any, order, error) {
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
		return "", nil, order{}, fmt.Errorf("sort %q (want one of %s): %w", lq.Sort, strings.Join(Sorts(), ", "), ErrBadFilter)
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
			return "", nil, order{}, fmt.Errorf("status %q (want one of %s): %w", lq.Status, strings.Join(StatusFilters(), ", "), ErrBadFilter)
		}
		if set, ok := statusSets[lq.Status]; ok {
			var err error
			if f, err = q.setFilter(ctx, set, args); err != nil {
				return "", nil, order{}, err
			}
		}
		where = append(where, f)
	}
	for _, m := range []struct {
		g    group
		name string
	}{{teamGroup, lq.Team}, {branchGroup, lq.Branch}} {
		if m.name == "" {
			continue
		}
		name, g := arg(m.name), m.g
		f, err := q.setFilter(ctx, userSet{
			ids: "SELECT m.user_id FROM " + g.members + " m WHERE m." + g.key + " = (SELECT id FROM " + g.table + " WHERE name = " + name + ")",
			check: "EXISTS (SELECT 1 FROM " + g.members + " m WHERE m.user_id = u.id AND m." + g.key +
				" = (SELECT id FROM " + g.table + " WHERE name = " + name + "))",
		}, args)
		if err != nil {
			return "", nil, order{}, err
		}
		where = append(where, f)
	}
	if prefix != "" {
		// A user comes once, at the first of their keys the prefix
		// matches: paging by cursor showed one matching on two keys
		// (name and position) on two pages.
		lo := arg(prefix)
		where = append(where, "k.key >= "+lo+" AND k.key < "+arg(prefix+"\U0010FFFF"),
			"NOT EXISTS (SELECT 1 FROM search_keys k2 WHERE k2.user_id = k.user_id AND k2.key >= "+lo+" AND k2.key < k.key)")
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
	if lq.sel != "" {
		// The users the filter keeps, without order: a search's join meets a
		// user once per key, so the caller says DISTINCT.
		query := "SELECT " + lq.sel + " FROM " + o.from
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		return query, args, o, nil
	}
	query := "SELECT " + userCols + ", " + keyExpr + " FROM " + o.from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + orderBy
	if o.keyExpr == "" {
		query += " LIMIT " + arg(lq.Limit+1)
	} else if q.pg {
		query += " LIMIT " + arg(searchChunk(lq.Limit))
	}
	return query, args, o, nil
}

// UserIDs lists the IDs of every user lq's filter keeps (its status, team
// and search; not its sort, cursors or limit), in ID order, read in one
// statement: what a bulk act over "every user matching" fixes when it starts.
func (q *Q) UserIDs(ctx context.Context, lq ListQuery) ([]int64, error) {
	lq.sel, lq.After, lq.Before = "DISTINCT u.id", nil, nil
	query, args, _, err := q.listSQL(ctx, &lq)
	if err != nil {
		return nil, err
	}
	rows, err := q.db.QueryContext(ctx, query+" ORDER BY u.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CountUsers counts the users lq's filter keeps, as UserIDs lists them.
func (q *Q) CountUsers(ctx context.Context, lq ListQuery) (int, error) {
	query, args, err := q.CountSQL(ctx, lq)
	if err != nil {
		return 0, err
	}
	var n int
	err = q.db.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// countedStatuses are the status filters the user_counts table keeps the
// number of, maintained by the users' triggers in the transaction of each
// change; "" is every user, of the four statuses.
var countedStatuses = map[string][]any{
	"":                {"staged", "invited", "active", "deactivated"},
	"staged":          {"staged"},
	"invited":         {"invited"},
	"active":          {"active"},
	"deactivated":     {"deactivated"},
	"never-logged-in": {"never-logged-in"},
}

// CountSQL is the query CountUsers runs for lq, with its arguments (for
// the benchmarks, as ListSQL). Everyone, or a status user_counts keeps
// the number of, is read there, at once however many users there are;
// any other filter counts the users it keeps.
func (q *Q) CountSQL(ctx context.Context, lq ListQuery) (string, []any, error) {
	if names, ok := countedStatuses[lq.Status]; ok && lq.Team == "" && lq.Branch == "" && strings.TrimSpace(lq.Search) == "" {
		return "SELECT coalesce(sum(n), 0) FROM user_counts WHERE name IN (" + placeholders(len(names)) + ")", names, nil
	}
	lq.sel, lq.After, lq.Before = "count(DISTINCT u.id)", nil, nil
	query, args, _, err := q.listSQL(ctx, &lq)
	return query, args, err
}

// userSet is a filter that may keep few users or many, written both ways:
// ids lists them, check tests one (u) of them.
type userSet struct{ ids, check string }

// statusSets are the status filters whose users may be few or many.
var statusSets = map[string]userSet{
	"away": {
		ids:   `SELECT a.user_id FROM away_periods a WHERE a.starts_at <= ?1 AND (a.ends_at = 0 OR a.ends_at > ?1)`,
		check: `EXISTS (SELECT 1 FROM away_periods a WHERE a.user_id = u.id AND a.starts_at <= ?1 AND (a.ends_at = 0 OR a.ends_at > ?1))`,
	},
	"never-logged-in": {
		ids: `SELECT id FROM users WHERE last_login_at = 0 AND status IN ('invited', 'active')`,
		// The unary + keeps SQLite from reading every user never logged in
		// through users_by_login and sorting them: the order's index is walked.
		check: `+u.last_login_at = 0 AND +u.status IN ('invited', 'active')`,
	},
}

// setLimit is where a set of users stops being few.
var setLimit = 2000

// setFilter picks how to filter by a set of users. Few (under setLimit) are
// read as a list of IDs and sorted; many, by walking the listing's index and
// checking each user, which stops once the page is full. Each way alone is
// slow at the other end: sorting 40,000 members of a team, or checking a
// million users to find the three who are away. args are the query's
// arguments so far, those the set's SQL refers to.
func (q *Q) setFilter(ctx context.Context, set userSet, args []any) (string, error) {
	var n int
	err := q.db.QueryRowContext(ctx, "SELECT count(*) FROM ("+set.ids+" LIMIT "+strconv.Itoa(setLimit)+") AS s", args...).Scan(&n)
	if err != nil {
		return "", err
	}
	if n < setLimit {
		return "u.id IN (" + set.ids + ")", nil
	}
	return set.check, nil
}

// withExtra scans a user followed by one extra column.
type withExtra struct {
	sc    scanner
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra)...) }

// ExportRow is what an export (roster export --csv) writes of a user.
type ExportRow struct {
	Email, FirstName, LastName, Phone, Role string
	Teams, Branches                         []string
	Position, ReferenceID, Locale           string
}

// ExportUsers calls fn with every user, in name order, read by one statement
// in one pass: a row is read as fn needs it, so that a million users take
// no more memory than one. fn must not keep the row, which is reused.
func (q *Q) ExportUsers(ctx context.Context, fn func(*ExportRow) error) error {
	// The rows come in name order, each from its own place in the table:
	// mapped into memory, reading one is a memory access instead of a read
	// call (a third of the time), for this connection while it exports.
	if !q.pg {
		if _, err := q.db.ExecContext(ctx, "PRAGMA mmap_size = 1099511627776"); err != nil {
			return err
		}
		defer q.db.ExecContext(context.WithoutCancel(ctx), "PRAGMA mmap_size = 0")
	}
	// On SQLite a row comes as one text, its fields joined by exportSep:
	// the driver takes the connection's mutex three times a column it reads
	// (type, text, length), and reading ten columns a row instead of one
	// made a Go program writing 10,000 users as CSV take half as long again.
	// PostgreSQL's driver takes no such lock, and could not read a row
	// again, as a row with a field holding exportSep is, while this
	// statement's rows stream in.
	query, args := "SELECT concat_ws(?1, id, "+exportColumns+") FROM users ORDER BY sort_name, id", []any{exportSep}
	if q.pg {
		query, args = "SELECT "+exportColumns+" FROM users ORDER BY sort_name, id", nil
	}
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r ExportRow
	var line, id, teams, branches string
	fields := []*string{&id, &r.Email, &r.FirstName, &r.LastName, &r.Phone, &r.Role, &teams, &r.Position,
		&r.ReferenceID, &r.Locale, &branches}
	dest := scanInto(fields[1:])
	for rows.Next() {
		if q.pg {
			err = rows.Scan(dest...)
		} else if err = rows.Scan(&line); err == nil && strings.Count(line, exportSep) == len(fields)-1 {
			for _, f := range fields {
				*f, line, _ = strings.Cut(line, exportSep)
			}
		} else if err == nil {
			id, _, _ = strings.Cut(line, exportSep)
			err = q.db.QueryRowContext(ctx, "SELECT "+exportColumns+" FROM users WHERE id = CAST(?1 AS INTEGER)", id).Scan(dest...)
		}
		if err != nil {
			return err
		}
		r.Teams, r.Branches = splitList(teams), splitList(branches)
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportColumns are what an export reads of a user, in ExportRow's order.
const exportColumns = "email, first_name, last_name, phone, role, teams, position, reference_id, locale, branches"

// exportSep joins the fields of an export's row on SQLite (ExportUsers):
// the unit separator, a control character no one types. A row with a field
// that holds it all the same is read again column by column.
const exportSep = "\x1f"

// scanInto is fields as rows.Scan's destinations.
func scanInto(fields []*string) []any {
	dest := make([]any, len(fields))
	for i, f := range fields {
		dest[i] = f
	}
	return dest
}
