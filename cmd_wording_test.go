package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What the commands print reads as English: team add and remove say added
// and removed, a batch where every row failed does not speak of others, and
// an invitation's expiry is said as people say it.
func TestCommandsWording(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"teams", "add", "Sales"}, "team Sales: added\n"},
		{[]string{"teams", "remove", "Sales"}, "team Sales: removed\n"},
	} {
		if got := ok(t, db, c.args...); got != c.want {
			t.Errorf("roster %s printed %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}

	_, errs, code := roster(t, db, "invite", "boss@acme.test")
	if code == 0 || !strings.Contains(errs, "roster: nobody invited") || strings.Contains(errs, "the others") {
		t.Errorf("inviting only an existing user: exit %d, stderr %q", code, errs)
	}

	ok(t, db, "invite", "ivy@acme.test")
	out := ok(t, db, "invites")
	if !regexp.MustCompile(`\bin [0-9]+ (days|h)\b`).MatchString(out) || regexp.MustCompile(`[0-9]+h[0-9]+m`).MatchString(out) {
		t.Errorf("roster invites says the expiry as:\n%s", out)
	}
}
