package tui

import "strings"

// column is what one column of a table needs, in cells: every table-like
// screen gives its columns to columnWidths rather than sharing the width by
// fixed percentages.
type column struct {
	// min is the width below which the column says nothing useful (a date
	// cut in half); the columns keep it before any grows.
	min int
	// natural is the width of the widest thing the column holds (an
	// estimate where the rows are not at hand); a column never grows past
	// it.
	natural int
	// max caps natural, so that one long value does not starve the others;
	// 0 is no cap.
	max int
}

// columnWidths shares width, less one space between columns, among cols:
// each first gets its minimum (all shrunk alike when even those do not
// fit), then the rest goes to the columns that hold more than they have, in
// proportion to what they hold. Width left once every column shows all it
// holds stays unused: the last column does not take it.
func columnWidths(width int, cols []column) []int {
	ws := make([]int, len(cols))
	if len(cols) == 0 {
		return ws
	}
	avail := max(0, width-(len(cols)-1))
	want := make([]int, len(cols))
	mins := 0
	for i, c := range cols {
		want[i] = max(c.min, c.natural)
		if c.max > 0 {
			want[i] = max(c.min, min(want[i], c.max))
		}
		mins += c.min
	}
	if mins >= avail {
		for i, c := range cols {
			if mins > 0 {
				ws[i] = c.min * avail / mins
			}
		}
		return ws
	}
	spare := avail - mins
	for i, c := range cols {
		ws[i] = c.min
	}
	for spare > 0 {
		// Each column still short of what it holds grows by its share of
		// the spare width, weighted by what it holds.
		total := 0
		for i := range cols {
			if ws[i] < want[i] {
				total += want[i]
			}
		}
		if total == 0 {
			break
		}
		given := 0
		for i := range cols {
			if ws[i] >= want[i] {
				continue
			}
			g := min(want[i]-ws[i], max(1, spare*want[i]/total))
			g = min(g, spare-given)
			ws[i] += g
			given += g
			if given == spare {
				break
			}
		}
		spare -= given
	}
	return ws
}

// widest is the width of the widest cell of rows, for a column's natural
// width; read it over the rows drawn, not all those loaded.
func widest[T any](rows []T, cell func(T) string) int {
	n := 0
	for _, r := range rows {
		n = max(n, cells(cell(r)))
	}
	return n
}

// cellsIn fits each value in its column's width, a space between two, and
// leaves out the columns of width 0 (a screen's column dropped for room).
func cellsIn(widths []int, values ...string) string {
	var b strings.Builder
	for i, v := range values {
		if widths[i] <= 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fit(v, widths[i]))
	}
	return b.String()
}
