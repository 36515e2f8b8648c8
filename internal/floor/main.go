// Command floor is the floor of roster's start-up benchmark
// (BenchmarkStartupFirstFrame): a bare Bubble Tea v2 program that opens the
// database read-only, reads the Users screen's first page with the query
// roster runs for it, draws the page and quits. Nothing else roster does at
// start (migrations check, the mail worker, the styles, the session) is here,
// so roster's time over the floor's is what those cost.
//
// Quitting, it draws the page at once, in the program's last frame. A
// program that stays open, as a dashboard does, draws on the renderer's
// tick, which starts with the program: with -open the floor stays open and
// draws at roster's 120 frames a second, so that the time over it is
// roster's start alone, without the tick's wait.
//
//	floor [-open] DB
package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	_ "modernc.org/sqlite"
)

// firstPage is what store.ListUsers runs for the Users screen's first page
// (sort by name, no filter, 100 rows and one to know there are more): the
// columns of store's userCols, the key column, the order's index.
const firstPage = `SELECT u.id, u.email, u.first_name, u.last_name, u.phone, u.position, u.reference_id,
	u.locale, u.role, u.status, coalesce(u.invited_by, 0), u.created_at, u.activated_at, u.last_login_at,
	u.login_count, u.failed_login_count, u.version, u.updated_at, u.updated_by, u.password_hash,
	u.teams, u.invite_expires_at, u.away_spans, ''
	FROM users u ORDER BY u.sort_name, u.id LIMIT ?2`

const pageSize = 100

type model struct {
	db     *sql.DB
	open   bool // stay open: draw on the tick, as a dashboard does
	height int
	rows   []string
	err    error
}

type pageMsg struct {
	rows []string
	err  error
}

func (m model) Init() tea.Cmd {
	db := m.db
	return func() tea.Msg {
		rows, err := db.Query(firstPage, time.Now().Unix(), pageSize+1)
		if err != nil {
			return pageMsg{err: err}
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return pageMsg{err: err}
		}
		var out []string
		for rows.Next() && len(out) < pageSize {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				return pageMsg{err: err}
			}
			out = append(out, fmt.Sprintf("%-30.30s %-44s %-8s %s", fmt.Sprint(v[2], " ", v[3]), v[1], v[8], v[9]))
		}
		return pageMsg{rows: out, err: rows.Err()}
	}
}

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.height = msg.Height
	case pageMsg:
		m.rows, m.err = msg.rows, msg.err
		if m.open {
			return m, nil
		}
		return m, tea.Quit
	case tea.KeyPressMsg:
		return m, tea.Quit
	}
	return m, nil
}

func (m model) View() tea.View {
	if m.err != nil {
		return tea.NewView("error: " + m.err.Error())
	}
	rows := m.rows
	if h := max(m.height-1, 1); len(rows) > h {
		rows = rows[:h]
	}
	return tea.NewView(strings.Join(rows, "\n"))
}

func main() {
	args := os.Args[1:]
	open := len(args) > 0 && args[0] == "-open"
	if open {
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: floor [-open] DB")
		os.Exit(2)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: args[0]}).EscapedPath()+"?mode=ro")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	var opts []tea.ProgramOption
	if open {
		opts = append(opts, tea.WithFPS(120)) // roster's (tui's frameRate)
	}
	if _, err := tea.NewProgram(model{db: db, open: open}, opts...).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
