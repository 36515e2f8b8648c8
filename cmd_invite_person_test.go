package main

import (
	"os"
	"path/filepath"
	"testing"
)

// What is one person's own (first and last name, phone, reference ID) is
// refused with several addresses, changing nothing: invite ann@… bob@…
// --first Ann --ref E-99 gave both of them Ann's name, phone and employee
// number. What people share (role, team, branch, position, language)
// still goes to all.
func TestInviteOnePersonsFieldsWithSeveralAddresses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")
	for _, flag := range []string{"--first", "--last", "--phone", "--ref"} {
		value := map[string]string{"--phone": "06 12 34 56 78"}[flag]
		if value == "" {
			value = "Ann"
		}
		args := []string{"invite", "ann@acme.test", "bob@acme.test", flag, value}
		fails(t, db, "one person's", args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %q: exit %d, want 2 (a usage error)", args, code)
		}
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a refused invitation changed something")
	}
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "--role", "manager", "--team", "Support", "--position", "Agent", "--locale", "fr")
	ok(t, db, "invite", "cy@acme.test", "--first", "Cy", "--ref", "E-99", "--phone", "06 12 34 56 78")
}

// invite --csv refuses the flags of the fields its file gives, as a usage
// error changing nothing: --team Support and --role manager beside --csv
// were unheard, everyone invited a member of no team, exit 0. --staged and
// --allow-role-address still go with a file.
func TestInviteCSVRefusesTheFileFieldsAsFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams", "add", "Support")
	file := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(file, []byte("email,first_name\nann@acme.test,Ann\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json")
	for _, flag := range [][]string{{"--team", "Support"}, {"--role", "manager"}, {"--branch", "Lyon"}, {"--first", "Ann"},
		{"--last", "Lee"}, {"--position", "Agent"}, {"--ref", "E-1"}, {"--phone", "0612345678"}, {"--locale", "fr"}} {
		args := append([]string{"invite", "--csv", file}, flag...)
		fails(t, db, "is a column of the file", args...)
		if _, _, code := roster(t, db, args...); code != 2 {
			t.Errorf("roster %q: exit %d, want 2 (a usage error)", args, code)
		}
	}
	if after := ok(t, db, "users", "--json") + ok(t, db, "audit", "--json"); after != before {
		t.Fatalf("a refused import changed something")
	}
	ok(t, db, "invite", "--csv", file, "--staged", "--allow-role-address")
}
