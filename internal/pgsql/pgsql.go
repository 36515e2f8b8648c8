// Package pgsql rewrites roster's SQL, written for SQLite, into
// PostgreSQL's: the store runs each statement text through it once, and the
// tests' raw queries on either engine too.
package pgsql

import (
	"strconv"
	"strings"
)

// Stmt is a statement rewritten for PostgreSQL, and which of the
// arguments it was given (by number, from 1) it uses: PostgreSQL infers each
// parameter's type from where it appears, and refuses one that appears
// nowhere, which the store's SQL passes (the listing's now, unused without
// a status filter). Those are left out and the others numbered again.
type Stmt struct {
	Text string
	n    int   // the largest number used
	uses []int // nil: the first n arguments
}

// Args are the arguments st uses, of those given.
func (st Stmt) Args(args []any) []any {
	if st.uses == nil {
		return args[:min(st.n, len(args))]
	}
	out := make([]any, 0, len(st.uses))
	for _, n := range st.uses {
		if n <= len(args) {
			out = append(out, args[n-1])
		}
	}
	return out
}

// Rewrite rewrites a statement of roster's, written for SQLite, into
// PostgreSQL's:
//   - ?N becomes $N, and a bare ? one more than the largest number before
//     it, as SQLite numbers it;
//   - INSERT OR IGNORE INTO ... becomes INSERT INTO ... ON CONFLICT DO NOTHING;
//   - CROSS JOIN, SQLite's way to fix the order of a join, becomes JOIN;
//   - a unary + before a column, SQLite's way to keep an index out of a
//     plan, is dropped (PostgreSQL has no unary + for text);
//   - LIKE becomes ILIKE: SQLite's LIKE ignores the case of ASCII letters;
//   - COLLATE BINARY becomes COLLATE "C" (COLLATE NOCASE names the schema's
//     nocase collation already).
//
// String literals are left as they are. The store writes SQL keywords in
// capitals, which is what the rewrites look for.
func Rewrite(query string) Stmt {
	var b strings.Builder
	n := 0
	used := map[int]bool{}
	var nums []int // of each parameter, in the order they appear
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(query) && query[j] != '\'' {
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			k := n + 1
			if j > i+1 {
				k, _ = strconv.Atoi(query[i+1 : j])
			}
			n = max(n, k)
			used[k] = true
			nums = append(nums, k)
			b.WriteString("\x00") // numbered below
			i = j - 1
		case c == '+' && i+1 < len(query) && isIdentStart(query[i+1]) && (i == 0 || query[i-1] == ' ' || query[i-1] == '('):
			// unary: dropped
		default:
			b.WriteByte(c)
		}
	}
	// Parameters numbered densely when some number up to the largest is
	// unused.
	st := Stmt{n: n}
	renum := map[int]int{}
	for k := 1; k <= n; k++ {
		if used[k] {
			st.uses = append(st.uses, k)
			renum[k] = len(st.uses)
		}
	}
	if len(st.uses) == n {
		st.uses = nil
		for k := 1; k <= n; k++ {
			renum[k] = k
		}
	}
	s := b.String()
	var out strings.Builder
	for _, k := range nums {
		before, after, _ := strings.Cut(s, "\x00")
		out.WriteString(before + "$" + strconv.Itoa(renum[k]))
		s = after
	}
	out.WriteString(s)
	s = out.String()
	if strings.Contains(s, "INSERT OR IGNORE INTO") {
		s = strings.Replace(s, "INSERT OR IGNORE INTO", "INSERT INTO", 1) + " ON CONFLICT DO NOTHING"
	}
	st.Text = strings.NewReplacer(" CROSS JOIN ", " JOIN ", " LIKE ", " ILIKE ", "COLLATE BINARY", `COLLATE "C"`).Replace(s)
	return st
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
