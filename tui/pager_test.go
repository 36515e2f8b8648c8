package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"roster/i18n"
)

// A pager reads the next page older than its last row as the cursor nears
// the end, refreshes as many rows as it holds, and drops a reading that a
// newer one superseded.
func TestPagerReadsOnAndDropsSuperseded(t *testing.T) {
	s := &session{ctx: context.Background(), timeout: time.Second}
	all := make([]int64, 25) // IDs 25 down to 1, newest first
	for i := range all {
		all[i] = int64(len(all) - i)
	}
	var asked [][2]int64
	read := func(_ context.Context, before int64, limit int) ([]int64, error) {
		asked = append(asked, [2]int64{before, int64(limit)})
		var out []int64
		for _, id := range all {
			if (before == 0 || id < before) && len(out) < limit {
				out = append(out, id)
			}
		}
		return out, nil
	}
	p := pager[int64]{size: 10, id: func(id int64) int64 { return id }}
	p.nav.resize(4)
	got := func(cmd tea.Cmd) bool { return p.got(cmd().(pageMsg[int64])) }

	must(t, got(p.load(s, false, read)), "the first reading is taken")
	must(t, len(p.rows) == 10 && p.more && !p.loading, "first page: %v, more %v", p.rows, p.more)
	for !p.nearEnd() {
		p.nav.move(1)
	}
	must(t, p.nav.cur == 6, "the next page is due 4 rows before the end, at %d", p.nav.cur)
	must(t, got(p.load(s, true, read)), "the next page is taken")
	must(t, asked[1] == [2]int64{16, 10} && len(p.rows) == 20 && p.rows[19] == 6, "asked %v, rows %v", asked, p.rows)

	older := p.load(s, false, read) // a refresh keeps the 20 rows read
	newer := p.load(s, false, read)
	must(t, !got(older), "a superseded reading is dropped")
	must(t, got(newer) && len(p.rows) == 20 && asked[3] == [2]int64{0, 20}, "the refresh reads 20: %v", asked)
	p.reset()
	must(t, len(p.rows) == 0 && p.nav.cur == 0, "reset empties the list")
}

// A refresh that supersedes a next page in flight leaves the pager able to
// read the next page again: the dropped reading does not keep it fetching.
func TestPagerPagesAfterARefreshSupersedesTheNextPage(t *testing.T) {
	s := &session{ctx: context.Background(), timeout: time.Second}
	read := func(_ context.Context, before int64, limit int) ([]int64, error) {
		var out []int64
		for id := int64(100); id > 0 && len(out) < limit; id-- {
			if before == 0 || id < before {
				out = append(out, id)
			}
		}
		return out, nil
	}
	p := pager[int64]{size: 10, id: func(id int64) int64 { return id }}
	p.nav.resize(4)
	got := func(cmd tea.Cmd) bool { return p.got(cmd().(pageMsg[int64])) }
	must(t, got(p.load(s, false, read)), "the first reading is taken")
	p.nav.end()
	next := p.load(s, true, read) // the next page, in flight
	refresh := p.load(s, false, read)
	must(t, !got(next), "the next page of the superseded list is dropped")
	must(t, got(refresh), "the refresh is taken")
	must(t, !p.reading(), "the pager still waits for the dropped page")
	cmd, _ := p.move(navKeysIn(i18n.For(i18n.English)), keyMsg("j"), func(more bool) tea.Cmd { return p.load(s, more, read) })
	must(t, cmd != nil && got(cmd) && len(p.rows) == 20, "the next page is read again: %d rows", len(p.rows))
}
