package tui

import (
	"slices"
	"testing"
)

func TestColumnWidths(t *testing.T) {
	sum := func(ws []int) int {
		n := len(ws) - 1
		for _, w := range ws {
			n += w
		}
		return n
	}
	for _, c := range []struct {
		name  string
		width int
		cols  []column
		want  []int // nil: only the invariants are checked
	}{
		{"everything fits: the spare width stays unused", 80,
			[]column{{min: 4, natural: 10}, {min: 4, natural: 6}, {min: 16, natural: 16}}, []int{10, 6, 16}},
		{"the last column does not take the spare width", 120,
			[]column{{min: 10, natural: 30}, {min: 8, natural: 12}}, []int{30, 12}},
		{"a date keeps its minimum; the rest is shared by what each holds", 60,
			[]column{{min: 16, natural: 16}, {min: 10, natural: 60}, {min: 10, natural: 20}}, nil},
		{"max caps one long value", 100,
			[]column{{min: 10, natural: 200, max: 30}, {min: 10, natural: 40}}, []int{30, 40}},
		{"too narrow even for the minimums: all shrink alike", 21,
			[]column{{min: 20}, {min: 10}}, []int{13, 6}},
		{"nothing", 80, nil, []int{}},
	} {
		got := columnWidths(c.width, c.cols)
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if len(got) > 0 && sum(got) > c.width {
			t.Errorf("%s: %v takes %d cells of %d", c.name, got, sum(got), c.width)
		}
		for i, col := range c.cols {
			want := max(col.min, col.natural)
			if col.max > 0 {
				want = max(col.min, min(want, col.max))
			}
			if got[i] > want {
				t.Errorf("%s: column %d is %d wide, more than the %d it holds", c.name, i, got[i], want)
			}
			if sum(got) < c.width && got[i] < col.min && c.width > 40 {
				t.Errorf("%s: column %d is %d wide, under its minimum %d", c.name, i, got[i], col.min)
			}
		}
	}
	// Shared by what they hold: of two columns short of room, the one that
	// holds more gets more.
	ws := columnWidths(60, []column{{min: 16, natural: 16}, {min: 10, natural: 60}, {min: 10, natural: 20}})
	if ws[0] != 16 || ws[1] <= ws[2] || sum(ws) != 60 {
		t.Errorf("shared: %v", ws)
	}
}
