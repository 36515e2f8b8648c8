package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"roster/i18n"
)

// goldenSizes are the windows every screen's golden files are drawn at: the
// smallest terminal, and a large one.
var goldenSizes = [][2]int{{80, 24}, {160, 45}}

// goldenScreen checks the frame a screen shows against its golden files
// (testdata/TEST/LANG_WxH.golden; go test ./tui -update writes them), in
// each language at each of goldenSizes: setup (when set) fills the
// database, then keys are pressed from the Users list, each after the
// commands of the one before have run. Every line must fit the width, and
// the frame the height; want, when set, must show in the frame of each
// language (a word the screen must say, so that an untranslated screen
// fails here as well as in the golden file).
func goldenScreen(t *testing.T, setup func(f *fixture), want map[i18n.Lang]string, keys ...string) {
	t.Helper()
	for _, lang := range i18n.Langs {
		for _, size := range goldenSizes {
			t.Run(fmt.Sprintf("%s_%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				f := newFixture(t)
				if setup != nil {
					setup(f)
				}
				opts := f.options(owner)
				opts.Lang = lang
				var m tea.Model = New(f.ctx, opts)
				m, _ = m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				m = drive(m, m.Init())
				m = press(m, keys...)
				fr := ansi.Strip(m.(*Model).frame())
				for i, l := range strings.Split(fr, "\n") {
					must(t, ansi.StringWidth(l) <= size[0], "line %d is %d wide:\n%s", i, ansi.StringWidth(l), fr)
				}
				must(t, strings.Count(fr, "\n") < size[1], "%d lines:\n%s", strings.Count(fr, "\n")+1, fr)
				if w := want[lang]; w != "" {
					must(t, strings.Contains(fr, w), "%q is not shown:\n%s", w, fr)
				}
				golden.RequireEqual(t, fr)
			})
		}
	}
}

// The Users list with its help open (?), in each language.
func TestGoldenUsersHelp(t *testing.T) {
	goldenScreen(t, nil, map[i18n.Lang]string{i18n.English: "Users", i18n.French: "Utilisateurs"}, "?")
}
