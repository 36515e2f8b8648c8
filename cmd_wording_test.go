package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What the commands print reads as English: team add and remove say added
// and removed, a batch where every row failed does not speak of others nor
// one with a single other of others, and an invitation's expiry and
// lifetime and a reset link's lifetime are said as people say them.
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

	if _, errs, _ := roster(t, db, "invite", "boss@acme.test", "ivy@acme.test"); errs != "roster: email boss@acme.test is already a user\nroster: 1 of 2 not invited; the other was\n" {
		t.Errorf("inviting an existing user and a new one: stderr %q", errs)
	}
	if _, errs, _ := roster(t, db, "invite", "boss@acme.test", "jo@acme.test", "kim@acme.test"); !strings.HasSuffix(errs, "roster: 1 of 3 not invited; the others were\n") {
		t.Errorf("inviting an existing user and two new ones: stderr %q", errs)
	}

	out := ok(t, db, "invites")
	if !regexp.MustCompile(`\bin [0-9]+ (days|h)\b`).MatchString(out) || regexp.MustCompile(`[0-9]+h[0-9]+m`).MatchString(out) {
		t.Errorf("roster invites says the expiry as:\n%s", out)
	}

	// Lengths of time too: an invitation's lifetime and a reset link's.
	if out := ok(t, db, "account", "--invite-lifetime", "50h"); !strings.Contains(out, " 2 days 2 h ") || strings.Contains(out, "0m0s") {
		t.Errorf("roster account says the invitation lifetime as:\n%s", out)
	}
	if out := ok(t, db, "reset", "boss@acme.test"); !strings.Contains(out, "(link valid 1 h)") {
		t.Errorf("roster reset says the link's lifetime as %q", out)
	}
}
