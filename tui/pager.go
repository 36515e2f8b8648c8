package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// pager is a list read a page at a time, newest first (Mail, Audit): the
// rows read so far, a cursor over them, and the next page read when the
// cursor nears the end.
type pager[T any] struct {
	size     int           // rows a page
	id       func(T) int64 // a row's ID: the next page is what is older than the last row
	rows     []T
	nav      nav
	more     bool // older rows are left to read
	seq      int  // of the newest reading from the top: older ones are dropped
	loading  bool // reading from the top
	fetching bool // reading the next page
	err      string
	s        *session // of the last reading: its error is said in the session's language
}

// pageMsg is what a pager's reading returned.
type pageMsg[T any] struct {
	seq  int
	more bool // the page after the last row, not the list from the top
	rows []T
	err  error
}

// load reads, in a command, with more the page after the last row, otherwise
// the list from the top, as many rows as were read (a refresh keeps its
// place). fn reads rows older than before (0: the newest), at most limit; it
// runs in the command, so it captures what it needs by value.
func (p *pager[T]) load(s *session, more bool, fn func(ctx context.Context, before int64, limit int) ([]T, error)) tea.Cmd {
	seq, before, limit := p.read(more)
	p.s = s
	return s.do(func(ctx context.Context) tea.Msg {
		rows, err := fn(ctx, before, limit)
		return pageMsg[T]{seq, more, rows, err}
	})
}

// read marks a reading under way and says what it reads.
func (p *pager[T]) read(more bool) (seq int, before int64, limit int) {
	if more {
		p.fetching = true
		if len(p.rows) > 0 {
			before = p.id(p.rows[len(p.rows)-1])
		}
	} else {
		// The next page in flight is of the list this reading replaces: it
		// will be dropped, so nothing is being fetched any more.
		p.seq++
		p.loading, p.fetching = true, false
	}
	limit = p.size
	if !more && len(p.rows) > limit {
		limit = len(p.rows)
	}
	return p.seq, before, limit
}

// got takes what a reading returned; it reports false, and changes
// nothing, for a reading that a newer one superseded.
func (p *pager[T]) got(msg pageMsg[T]) bool {
	if msg.seq != p.seq {
		return false
	}
	if msg.more {
		p.fetching = false
	} else {
		p.loading = false
	}
	if msg.err != nil {
		p.err = p.s.explain(msg.err)
		return true
	}
	p.err = ""
	if msg.more {
		p.rows = append(p.rows, msg.rows...)
	} else {
		// Newest first, every row written since (an act's audit entry, a
		// mail queued) pushes the others down: the cursor stays on its row.
		follow(&p.nav, p.rows, msg.rows, p.id)
		p.rows = msg.rows
	}
	p.more = len(msg.rows) == p.size || (!msg.more && len(msg.rows) > p.size)
	p.nav.set(len(p.rows))
	return true
}

// reading reports that the rows keys act on are on their way: the list
// from the top, or the next page while the cursor is on the last row read.
func (p *pager[T]) reading() bool {
	return p.loading || p.fetching && p.nav.cur >= len(p.rows)-1
}

// nearEnd reports that the cursor came close enough to the last row read to
// read the next page.
func (p *pager[T]) nearEnd() bool {
	return p.more && !p.fetching && p.nav.cur >= len(p.rows)-p.nav.height
}

// move moves the cursor for a navigation key, and reads the next page with
// load once it nears the end; ok reports whether msg was a navigation key.
func (p *pager[T]) move(k navKeys, msg tea.KeyPressMsg, load func(more bool) tea.Cmd) (cmd tea.Cmd, ok bool) {
	if !k.apply(msg, &p.nav) {
		return nil, false
	}
	if p.nearEnd() {
		return load(true), true
	}
	return nil, true
}

// reset empties the list before another one is read (another filter).
func (p *pager[T]) reset() {
	p.rows = nil
	p.nav.set(0)
}

// current is the row under the cursor, if there is one.
func (p *pager[T]) current() (T, bool) {
	if p.nav.cur < len(p.rows) {
		return p.rows[p.nav.cur], true
	}
	var zero T
	return zero, false
}
