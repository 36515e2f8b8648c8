package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// An error of the rules is printed in the operator's language, on one
// line, and the command exits 1; in English without ROSTER_LANG.
func TestRuleErrorInFrench(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "C.UTF-8")
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"fr", []string{"deactivate", "boss@acme.test"}, "roster: permission refusée : vous ne pouvez pas vous désactiver vous-même\n"},
		{"", []string{"deactivate", "boss@acme.test"}, "roster: permission denied: you cannot deactivate yourself\n"},
		{"fr", []string{"away", "--off", "boss@acme.test"}, "roster: boss@acme.test n'est pas absent\n"},
		{"fr", []string{"invite", "maintenance@acme.test"}, "roster: e-mail : maintenance@acme.test est une adresse générique, pas une personne (passez --allow-role-address pour l'accepter)\nroster: personne n'a été invité\n"},
		{"", []string{"invite", "maintenance@acme.test"}, "roster: email maintenance@acme.test is a role or department mailbox, not a person (pass --allow-role-address to accept it)\nroster: nobody invited\n"},
		{"fr", []string{"teams", "add", "a,b"}, `roster: équipe : "a,b" : un nom d'équipe n'est pas vide et ne contient ni virgule ni deux-points` + "\n"},
	} {
		t.Setenv("ROSTER_LANG", c.lang)
		var stdout, stderr bytes.Buffer
		cl := &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
		code := run(context.Background(), cl, append([]string{"--db", db}, c.args...))
		if code != 1 || stderr.String() != c.want || stdout.Len() != 0 {
			t.Errorf("ROSTER_LANG=%q roster %s: exit %d, stdout %q, stderr\n %q, want\n %q", c.lang, strings.Join(c.args, " "), code, stdout.String(), stderr.String(), c.want)
		}
	}
}
