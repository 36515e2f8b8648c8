package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// roster audit takes --search, --action, --since and --until; a bad date or
// range is one clear line.
func TestAuditFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test")
	ok(t, db, "edit", "ann@acme.test", "--first", "Annick")
	type entry struct{ Action, Target string }
	got := jsonOf[[]entry](t, db, "audit", "--search", "annick", "--action", "user", "--since", "today")
	if len(got) != 2 || got[0].Action != "user.edit" || got[1].Action != "user.invite" || got[1].Target != "ann@acme.test" {
		t.Fatalf("audit: %+v", got)
	}
	// before and after are the objects they hold, as webhooks send them.
	raw := jsonOf[[]map[string]any](t, db, "audit", "--action", "user.edit")
	if len(raw) != 1 || raw[0]["after"].(map[string]any)["first_name"] != "Annick" || raw[0]["before"].(map[string]any)["email"] != "ann@acme.test" {
		t.Fatalf("audit --json's before and after: %v", raw)
	}
	if got := jsonOf[[]entry](t, db, "audit", "--search", "bob@", "--until", "yesterday"); len(got) != 0 {
		t.Fatalf("until yesterday: %+v", got)
	}
	if got := jsonOf[[]entry](t, db, "audit", "--search", "bob@", "--until", "today"); len(got) != 1 {
		t.Fatalf("until today, a day through its end: %+v", got)
	}
	fails(t, db, "write 2026-12-24", "audit", "--since", "last tuesday")
	fails(t, db, "is not after since", "audit", "--since", "tomorrow", "--until", "today")
	// A mistyped action is a usage error naming those it could be: it
	// listed nothing, exit 0.
	for action, want := range map[string]string{
		"user.delet": `roster: action "user.delet" is not an action (want one of user.deactivate, user.delete, user.edit,`,
		"usr":        `roster: action "usr" is neither an action nor an area (want an action such as user.delete, or one of account, apikey, away,`,
	} {
		out, errs, code := roster(t, db, "audit", "--action", action)
		if code != 2 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 || out != "" {
			t.Errorf("roster audit --action %s: exit %d, stdout %q, stderr %q, want exit 2 and %q…", action, code, out, errs, want)
		}
	}
	if out := ok(t, db, "audit", "--search", "bob", "--action", "user.invite"); !strings.Contains(out, "bob@acme.test") || strings.Contains(out, "ann@acme.test") {
		t.Fatalf("audit: %s", out)
	}
}
