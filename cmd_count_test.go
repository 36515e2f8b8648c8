package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster users --count prints how many users the filters keep, as a number
// a script reads, or as {"count": N}; it takes the listing's filters and
// refuses --limit, which it would not apply.
func TestUsersCount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	ok(t, db, "invite", "ann@acme.test", "--team", "Support")
	ok(t, db, "invite", "bob@acme.test", "carla@acme.test")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "4"},
		{[]string{"--status", "invited"}, "3"},
		{[]string{"--status", "active"}, "1"},
		{[]string{"--team", "Support"}, "1"},
		{[]string{"--search", "carl"}, "1"},
		{[]string{"--status", "deactivated"}, "0"},
	} {
		args := append([]string{"users", "--count"}, c.args...)
		if got := strings.TrimSpace(ok(t, db, args...)); got != c.want {
			t.Errorf("roster %s: %q, want %s", strings.Join(args, " "), got, c.want)
		}
	}
	ok(t, db, "deactivate", "bob@acme.test", "--yes")
	if got := jsonOf[struct{ Count *int }](t, db, "users", "--count", "--status", "invited"); got.Count == nil || *got.Count != 2 {
		t.Errorf("users --count --status invited --json after a deactivation: %+v, want 2", got)
	}
	fails(t, db, "--limit does not go with it", "users", "--count", "--limit", "5")
	fails(t, db, "status", "users", "--count", "--status", "gone")
}
