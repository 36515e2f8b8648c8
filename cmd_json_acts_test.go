package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every act prints JSON with --json: what it acted on, as its listing
// prints it (a team as roster teams --json does), or what it did. These
// printed their sentence ("team Support: added"), and mail retry ID
// nothing at all, so that a script reading their JSON failed on success.
func TestEveryActPrintsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	object := func(want string, args ...string) map[string]any {
		t.Helper()
		out := ok(t, db, append(args, "--json")...)
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("roster %s --json: %v\n%s", strings.Join(args, " "), err, out)
		}
		if !strings.Contains(out, want) {
			t.Fatalf("roster %s --json: %s, want %s in it", strings.Join(args, " "), out, want)
		}
		return v
	}
	object(`"name":"Acme"`, "init", "--org", "Acme", "--owner", "boss@acme.test")
	object(`"name":"Support","members":0`, "teams", "add", "Support")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "--team", "Support")
	object(`"name":"Helpdesk","members":2`, "teams", "rename", "Support", "Helpdesk")
	object(`"name":"Helpdesk","members":2`, "teams", "remove", "Helpdesk")
	object(`"name":"Lyon","timezone":"Europe/Paris"`, "branches", "add", "Lyon", "--timezone", "Europe/Paris")
	object(`"name":"Lille","timezone":"Europe/Paris"`, "branches", "rename", "Lyon", "Lille")
	object(`"name":"Lille"`, "branches", "remove", "Lille")

	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	object(`"email":"ann@acme.test"`, "reset", "ann@acme.test")
	ok(t, db, "away", "ann@acme.test", "--until", "+3d", "--to", "bob@acme.test")
	object(`"standin":"bob@acme.test"`, "away", "ann@acme.test", "--off")

	pub := filepath.Join(t.TempDir(), "id.pub")
	os.WriteFile(pub, []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+3oQBWRkqTt+EeH/0z5NLIMqJDWQ+ZR6MCVUl9p8Ou ann\n"), 0o600)
	key := object(`"email":"ann@acme.test"`, "keys", "add", "ann@acme.test", pub)
	object(`"fingerprint":"`+key["fingerprint"].(string)+`"`, "keys", "remove", "ann@acme.test", key["fingerprint"].(string))

	created := object(`"secret":"rst_`, "apikeys", "create", "--name", "zapier")
	id := int64(created["key"].(map[string]any)["id"].(float64))
	object(`{"id":`+itoa(id)+`}`, "apikeys", "revoke", itoa(id))

	ok(t, db, "account", "--webhooks-private", "true")
	hook := object(`"secret":"whsec_`, "webhooks", "add", "http://127.0.0.1:9/hook", "--events", "all")
	object(`"url":"http://127.0.0.1:9/hook"`, "webhooks", "remove", itoa(int64(hook["webhook"].(map[string]any)["id"].(float64))))

	sqlExec(t, db, "UPDATE outbox SET state = 'failed', last_error = '550 no such user' WHERE recipient = 'bob@acme.test'")
	mail := count(t, db, "SELECT max(id) FROM outbox WHERE recipient = 'bob@acme.test'")
	object(`"requeued":1`, "mail", "retry", itoa(int64(mail)))
}
