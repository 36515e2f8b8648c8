package tui

import (
	"reflect"
	"testing"

	"charm.land/lipgloss/v2"
)

// paint must style a line exactly as lipgloss's Render does, with every
// style of the session (light, dark, without colour), whatever it does.
func TestPaintIsRender(t *testing.T) {
	lines := []string{"", "x", "  Amélie Durand   amelie@example.com   admin  ", "▸ " + DefaultStyles(true).Faint.Render("hugo") + " rest",
		"a\ttab", "two\nlines", "日本語 👍🏽"}
	for _, st := range []Styles{DefaultStyles(true), DefaultStyles(false), DefaultStyles(true).Plain()} {
		v := reflect.ValueOf(st)
		styles := map[string]lipgloss.Style{"Error.UnsetBold": st.Error.UnsetBold()}
		for i := range v.NumField() {
			if s, ok := v.Field(i).Interface().(lipgloss.Style); ok {
				styles[v.Type().Field(i).Name] = s
			}
		}
		for name, s := range styles {
			for _, l := range lines {
				if got, want := paint(s, l), s.Render(l); got != want {
					t.Errorf("%s: paint(%q) = %q, Render gives %q", name, l, got, want)
				}
			}
		}
	}
}
