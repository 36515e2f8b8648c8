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
	if out := ok(t, db, "audit", "--search", "bob", "--action", "user.invite"); !strings.Contains(out, "bob@acme.test") || strings.Contains(out, "ann@acme.test") {
		t.Fatalf("audit: %s", out)
	}
}
