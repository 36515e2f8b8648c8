package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// roster apikeys: the secret is printed once, by create and regenerate;
// listing shows the prefix, never the secret; bad input is one line.
func TestAPIKeysCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	created := jsonOf[struct {
		Secret string `json:"secret"`
		Key    struct {
			ID     int64  `json:"id"`
			Prefix string `json:"prefix"`
		} `json:"key"`
	}](t, db, "apikeys", "create", "--name", "zapier", "--expires", "90d")
	if !strings.HasPrefix(created.Secret, created.Key.Prefix) || !strings.HasPrefix(created.Secret, "rst_") {
		t.Fatalf("created %+v", created)
	}
	list := ok(t, db, "apikeys", "boss@acme.test")
	if !strings.Contains(list, created.Key.Prefix+"…") || strings.Contains(list, created.Secret) || strings.Contains(ok(t, db, "apikeys", "--json"), created.Secret[12:]) {
		t.Fatalf("the list shows the secret, or not the prefix:\n%s", list)
	}
	out := ok(t, db, "apikeys", "regenerate", "1")
	fresh := regexp.MustCompile(`rst_[A-Z2-7]{26}`).FindString(out)
	if fresh == "" || fresh == created.Secret || !strings.Contains(out, "the old secret no longer works") {
		t.Fatalf("regenerate printed:\n%s", out)
	}
	fails(t, db, "name is required", "apikeys", "create")
	fails(t, db, "must be in the future", "apikeys", "create", "--name", "x", "--expires", "2020-01-01")
	fails(t, db, "API key 7 not found", "apikeys", "revoke", "7")
	ok(t, db, "apikeys", "revoke", "1")
	if list := ok(t, db, "apikeys"); strings.Contains(list, "zapier") {
		t.Fatalf("revoked, yet listed:\n%s", list)
	}
}
