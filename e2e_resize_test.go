package main

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Resizing the window over SSH reaches the dashboard, both ways: from 160x45
// to 80x24 and from 100x30 to 140x40 the header's right-aligned text ends at
// the window's last column, and the footer is one line at the bottom.
func TestE2EOpenSSHResize(t *testing.T) {
	need(t, "tmux", "ssh")
	e := newE2E(t)
	_, ssh := e.serveSSH()
	x := newTmux(e)
	for i, c := range []struct{ w, h, w2, h2 int }{{160, 45, 80, 24}, {100, 30, 140, 40}} {
		p := x.start(fmt.Sprint("resize", i), c.w, c.h, ssh...)
		p.waitFor("acting as boss@acme.test (ssh)", "Big Boss")
		laidOut(p, c.w, c.h)
		x.run("resize-window", "-t", p.name, "-x", fmt.Sprint(c.w2), "-y", fmt.Sprint(c.h2))
		laidOut(p, c.w2, c.h2)
		p.keys("q")
		if status := p.waitExit(); status != 0 {
			t.Errorf("%s: ssh exited with %d; %s", p.name, status, p.report())
		}
	}
}

// laidOut waits until the pane shows the dashboard laid out for a window of
// w×h cells: the header ends at column w, the footer is the last line.
func laidOut(p *pane, w, h int) {
	p.x.e.t.Helper()
	p.waitUntil(e2eWait, fmt.Sprintf("the layout at %dx%d", w, h), func(s string) bool {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if len(lines) != h {
			return false
		}
		// The tabs are padded, or close up at 80 columns.
		header, tabs, footer := strings.TrimRight(lines[0], " "), strings.TrimLeft(lines[1], " "), lines[h-1]
		return strings.HasSuffix(header, "(ssh)") && utf8.RuneCountInString(header) == w &&
			strings.HasPrefix(tabs, "1 Users") && strings.HasPrefix(footer, "enter open • ")
	})
}
