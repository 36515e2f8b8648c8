package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/creack/pty"
	_ "modernc.org/sqlite"
)

// roster runs one command line against db, as the binary would, and returns
// what it printed and its exit code.
func roster(t *testing.T, db string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return rosterIn(t, db, "", args...)
}

func rosterIn(t *testing.T, db, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	if db != "" { // "": a command that opens no database (migrate); --db "" is refused
		args = append([]string{"--db", db}, args...)
	}
	code := run(context.Background(), c, args)
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed.
func ok(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, errs, code := roster(t, db, args...)
	if code != 0 {
		t.Fatalf("roster %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// fails runs a command that must fail with one line on stderr holding want.
func fails(t *testing.T, db, want string, args ...string) {
	t.Helper()
	out, errs, code := roster(t, db, args...)
	if code == 0 {
		t.Fatalf("roster %s: succeeded, want an error %q; printed %s", strings.Join(args, " "), want, out)
	}
	if !strings.Contains(errs, want) {
		t.Fatalf("roster %s: stderr %q, want %q", strings.Join(args, " "), errs, want)
	}
	if lines := strings.Count(strings.TrimSpace(errs), "\n"); lines > 0 && !strings.Contains(strings.Join(args, " "), "invite") {
		t.Fatalf("roster %s: %d lines on stderr, want one: %q", strings.Join(args, " "), lines+1, errs)
	}
}

// jsonOf runs a command with --json and decodes what it printed.
func jsonOf[T any](t *testing.T, db string, args ...string) T {
	t.Helper()
	var v T
	out := ok(t, db, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("roster %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

type userJSON struct {
	Email       string   `json:"email"`
	FirstName   string   `json:"first_name"`
	Phone       string   `json:"phone"`
	Role        string   `json:"role"`
	Status      string   `json:"status"`
	Teams       []string `json:"teams"`
	Tags        []string `json:"tags"`
	Perms       []string `json:"perms"`
	Version     int64    `json:"version"`
	Away        bool     `json:"away"`
	AwayPeriods []struct {
		StandIn string `json:"standin"`
	} `json:"away_periods"`
	Conversations []struct {
		Subject string `json:"subject"`
	} `json:"conversations"`
}

// rawDB opens the database as a second process would, beside roster: it
// waits for roster's writes rather than failing with SQLITE_BUSY.
func rawDB(t *testing.T, db string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func sqlExec(t *testing.T, db, query string, args ...any) {
	t.Helper()
	conn := rawDB(t, db)
	defer conn.Close()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	conn := rawDB(t, db)
	defer conn.Close()
	var n int
	if err := conn.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")

	// Before init, commands say what to do.
	fails(t, db, "roster init", "users")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	fails(t, db, "already exists", "init", "--org", "Other", "--owner", "x@acme.test")
	fails(t, db, "unknown command", "frobnicate")

	// Account settings.
	ok(t, db, "account", "--country", "BE", "--invite-lifetime", "72h")
	acct := jsonOf[map[string]any](t, db, "account")
	if acct["country"] != "BE" || acct["invite_lifetime"] != "72h0m0s" {
		t.Fatalf("account = %v", acct)
	}
	fails(t, db, "between 1h and 720h", "account", "--invite-lifetime", "5m")

	// Teams.
	ok(t, db, "teams", "add", "Sales")
	ok(t, db, "teams", "add", "Support")
	fails(t, db, "already exists", "teams", "add", "sales")
	if out := ok(t, db, "teams", "add", "Night shift"); out != "team Night shift: added\n" {
		t.Fatalf("teams add: %q", out)
	}
	if out := ok(t, db, "teams", "rename", "night shift", "Support Lyon"); out != "team night shift: renamed to Support Lyon\n" {
		t.Fatalf("teams rename: %q", out)
	}
	fails(t, db, "already exists", "teams", "rename", "Support Lyon", "support")
	fails(t, db, "not found", "teams", "rename", "Night shift", "Nuit")
	fails(t, db, "rename NAME NEW-NAME", "teams", "rename", "Support Lyon")
	if out := ok(t, db, "teams", "remove", "Support Lyon"); out != "team Support Lyon: removed\n" {
		t.Fatalf("teams remove: %q", out)
	}
	if out := ok(t, db, "teams"); !strings.Contains(out, "Sales") || !strings.Contains(out, "Support") {
		t.Fatalf("teams: %s", out)
	}

	// Invitations: good, bad address, role mailbox, unknown team.
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "--role", "manager", "--team", "Sales", "--locale", "fr")
	fails(t, db, "not an email address", "invite", "not-an-address")
	fails(t, db, "role or department mailbox", "invite", "maintenance@acme.test")
	fails(t, db, "does not exist", "invite", "carl@acme.test", "--team", "Nope")
	fails(t, db, "already a user", "invite", "ANN@acme.test")
	if n := count(t, db, "SELECT count(*) FROM users WHERE email IN ('maintenance@acme.test', 'carl@acme.test', 'not-an-address')"); n != 0 {
		t.Fatalf("refused invitations wrote %d users", n)
	}
	ok(t, db, "invite", "info@acme.test", "--allow-role-address")
	ok(t, db, "invites", "revoke", "info@acme.test")

	// Bulk from CSV: valid rows land, each bad row is reported by line.
	csvFile := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(csvFile, []byte("email,first_name,last_name,phone,role,team,position,reference_id,locale,branch\n"+
		"dee@acme.test,Dee,Dupont,0470 12 34 56,member,Support,Agent,E-17,fr\n"+
		"eve@acme.test,Eve,Durand,,member,,,,en\n"+
		"contact@acme.test,,,,member,,,,\n"+
		"eve@acme.test,Eve,Again,,member,,,,\n"+
		"fay@acme.test,Fay,,,emperor,,,,\n"), 0o600)
	_, errs, code := roster(t, db, "invite", "--csv", csvFile)
	if code != 1 || !strings.Contains(errs, "line 4: email contact@acme.test is a role") ||
		!strings.Contains(errs, "line 5: email eve@acme.test is also on row 2") || !strings.Contains(errs, "line 6: role") {
		t.Fatalf("invite --csv: exit %d, %s", code, errs)
	}
	dee := jsonOf[userJSON](t, db, "user", "dee@acme.test")
	if dee.Phone != "+32470123456" || dee.Teams[0] != "Support" || dee.Status != "invited" {
		t.Fatalf("dee = %+v", dee)
	}

	// Listings.
	users := jsonOf[[]userJSON](t, db, "users", "--status", "invited")
	if len(users) != 4 {
		t.Fatalf("invited users: %d, want 4 (ann, bob, dee, eve)", len(users))
	}
	if found := jsonOf[[]userJSON](t, db, "users", "--search", "dup"); len(found) != 1 || found[0].Email != "dee@acme.test" {
		t.Fatalf("search dup: %+v", found)
	}
	if found := jsonOf[[]userJSON](t, db, "users", "--team", "Sales", "--sort", "last-login"); len(found) != 2 {
		t.Fatalf("team Sales: %+v", found)
	}
	fails(t, db, `status "sleeping": want one of staged, invited`, "users", "--status", "sleeping")
	fails(t, db, `sort "age": want one of name, last-login, status`, "users", "--sort", "age")
	fails(t, db, "users takes no ann@acme.test: roster user EMAIL shows one person", "users", "ann@acme.test")
	fails(t, db, `invites takes resend, revoke or send, not "resnd"; did you mean invites resend?`, "invites", "resnd", "ann@acme.test")
	fails(t, db, `did you mean apikeys create?`, "apikeys", "creat", "--name", "x")
	fails(t, db, `did you mean keys list?`, "keys", "lst")
	fails(t, db, `mail takes show, captured, retry, test, deliver or flush, not "zap"`, "mail", "zap")
	fails(t, db, "--limit -1: want a number of users", "users", "--limit", "-1")
	fails(t, db, "not found", "user", "nobody@acme.test")

	// Accepting makes ann an active manager (the web page does this).
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1 WHERE email IN ('ann@acme.test', 'bob@acme.test')")

	// Edit, with tags and teams, and a stale version.
	ann := jsonOf[userJSON](t, db, "user", "ann@acme.test")
	ok(t, db, "edit", "ann@acme.test", "--phone", "+33 6 12 34 56 78", "--tag", "+billing", "--tag", "+on-call", "--team", "+Support", "--team", "-Sales")
	ann2 := jsonOf[userJSON](t, db, "user", "ann@acme.test")
	if ann2.Phone != "+33612345678" || strings.Join(ann2.Tags, ",") != "billing,on-call" || strings.Join(ann2.Teams, ",") != "Support" {
		t.Fatalf("after edit: %+v", ann2)
	}
	fails(t, db, "changed by boss@acme.test", "edit", "ann@acme.test", "--first", "Anne", "--if-version", itoa(ann.Version))
	fails(t, db, "control", "edit", "ann@acme.test", "--first", "Ann\x1b[31m")
	fails(t, db, "not a possible number", "edit", "ann@acme.test", "--phone", "+33 1 23 45 67")

	// Permissions: grants by an owner, refusals for a manager.
	ok(t, db, "perms", "bob@acme.test", "--grant", "data.all", "--revoke", "coaching.manage")
	bob := jsonOf[userJSON](t, db, "user", "bob@acme.test")
	if !contains(bob.Perms, "data.all") || contains(bob.Perms, "coaching.manage") {
		t.Fatalf("bob perms: %v", bob.Perms)
	}
	fails(t, db, "users.permissions", "--as", "ann@acme.test", "perms", "dee@acme.test", "--grant", "data.team")
	fails(t, db, "not a permission", "perms", "bob@acme.test", "--grant", "world.domination")
	fails(t, db, "last active owner", "perms", "boss@acme.test", "--role", "admin")
	fails(t, db, "users.delete", "--as", "ann@acme.test", "deactivate", "bob@acme.test")
	if out := ok(t, db, "perms", "--list"); !strings.Contains(out, "settings.billing") {
		t.Fatalf("perms --list: %s", out)
	}

	// Stuck invitations: dee's invitation expired, eve's mail failed.
	sqlExec(t, db, "UPDATE tokens SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE email = 'dee@acme.test')")
	sqlExec(t, db, "UPDATE outbox SET state = 'failed', last_error = '550 mailbox unavailable' WHERE recipient = 'eve@acme.test'")
	stuck := jsonOf[[]map[string]any](t, db, "invites", "--stuck")
	if len(stuck) != 2 || stuck[0]["email"] != "eve@acme.test" || stuck[1]["email"] != "dee@acme.test" {
		t.Fatalf("stuck: %v", stuck)
	}
	// Sent a moment ago: the one-a-minute limit holds for both.
	sqlExec(t, db, "UPDATE tokens SET created_at = created_at - 120")
	ok(t, db, "invites", "resend", "--stuck", "--yes")
	if s := jsonOf[[]map[string]any](t, db, "invites", "--stuck"); len(s) != 0 {
		t.Fatalf("still stuck after resend: %v", s)
	}
	fails(t, db, "next one allowed at", "invites", "resend", "dee@acme.test")

	// Staged users get their invitation later.
	ok(t, db, "invite", "gus@acme.test", "--staged")
	if g := jsonOf[userJSON](t, db, "user", "gus@acme.test"); g.Status != "staged" {
		t.Fatalf("gus = %s", g.Status)
	}
	ok(t, db, "invites", "send", "gus@acme.test")
	if g := jsonOf[userJSON](t, db, "user", "gus@acme.test"); g.Status != "invited" {
		t.Fatalf("gus after send = %s", g.Status)
	}

	// Password reset mail.
	ok(t, db, "reset", "ann@acme.test")
	if n := count(t, db, "SELECT count(*) FROM outbox WHERE kind = 'password_reset' AND recipient = 'ann@acme.test'"); n != 1 {
		t.Fatalf("reset mails: %d", n)
	}

	// Away with a stand-in; new work goes to the stand-in.
	ok(t, db, "away", "ann@acme.test", "--until", "+7d", "--to", "bob@acme.test", "--note", "holidays")
	if a := jsonOf[userJSON](t, db, "user", "ann@acme.test"); !a.Away || a.AwayPeriods[0].StandIn != "bob@acme.test" {
		t.Fatalf("ann away: %+v", a)
	}
	out := ok(t, db, "conversations", "add", "--subject", "Order 42", "--to", "ann@acme.test")
	if !strings.Contains(out, "bob@acme.test") {
		t.Fatalf("conversation for away ann went to: %s", out)
	}
	fails(t, db, "overlaps", "away", "ann@acme.test", "--from", "tomorrow", "--until", "+3d")
	ok(t, db, "away", "ann@acme.test", "--off")
	ok(t, db, "conversations", "add", "--subject", "Order 43", "--to", "ann@acme.test")
	if c := jsonOf[[]map[string]any](t, db, "conversations", "--user", "ann@acme.test"); len(c) != 1 {
		t.Fatalf("ann's conversations: %v", c)
	}

	// Deactivate, reactivate, delete with an heir; the rules that protect owners.
	fails(t, db, "yourself", "deactivate", "boss@acme.test")
	ok(t, db, "deactivate", "ann@acme.test")
	if a := jsonOf[userJSON](t, db, "user", "ann@acme.test"); a.Status != "deactivated" {
		t.Fatalf("ann = %s", a.Status)
	}
	ok(t, db, "reactivate", "ann@acme.test")
	fails(t, db, "--heir", "delete", "ann@acme.test")
	fails(t, db, "yourself", "delete", "boss@acme.test", "--heir", "bob@acme.test")
	ok(t, db, "delete", "ann@acme.test", "--heir", "bob@acme.test")
	if c := jsonOf[[]map[string]any](t, db, "conversations", "--user", "bob@acme.test"); len(c) != 2 {
		t.Fatalf("bob inherited %d conversations, want 2", len(c))
	}
	fails(t, db, "not found", "user", "ann@acme.test")

	// The audit trail names who did what through which channel, even for the deleted.
	trail := jsonOf[[]map[string]any](t, db, "audit", "--user", "ann@acme.test")
	var actions []string
	for _, e := range trail {
		actions = append(actions, e["action"].(string))
		if e["channel"] != "cli" {
			t.Fatalf("audit channel %v", e["channel"])
		}
	}
	for _, want := range []string{"user.delete", "user.deactivate", "away.set", "user.edit", "user.invite"} {
		if !contains(actions, want) {
			t.Fatalf("audit for ann lacks %s: %v", want, actions)
		}
	}

	// Export round-trips through invite --csv into another account.
	exported := ok(t, db, "export", "--csv")
	if !strings.HasPrefix(exported, "email,first_name,last_name,phone,role,team,position,reference_id,locale,branch\n") ||
		!strings.Contains(exported, "dee@acme.test,Dee,Dupont,'+32470123456,member,Support,Agent,E-17,fr") {
		t.Fatalf("export:\n%s", exported)
	}
	db2 := filepath.Join(t.TempDir(), "other.db")
	ok(t, db2, "init", "--org", "Other", "--owner", "root.person@other.test")
	ok(t, db2, "teams", "add", "Sales")
	ok(t, db2, "teams", "add", "Support")
	if _, errs, code := rosterIn(t, db2, exported, "invite", "--csv", "-"); code != 0 {
		t.Fatalf("invite --csv - of the export: %s", errs)
	}
	if n := count(t, db2, "SELECT count(*) FROM users"); n != 6 {
		t.Fatalf("%d users after importing the export, want 6 (the owner and five imported)", n)
	}
	re := jsonOf[userJSON](t, db2, "user", "dee@acme.test")
	if re.Phone != "+32470123456" || re.Teams[0] != "Support" || re.FirstName != "Dee" {
		t.Fatalf("round trip: %+v", re)
	}

	// Help.
	if out := ok(t, db, "help"); !strings.Contains(out, "invites") {
		t.Fatalf("help: %s", out)
	}
	if out := ok(t, db, "away", "--help"); !strings.Contains(out, "--until") && !strings.Contains(out, "-until") {
		t.Fatalf("away --help: %s", out)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestKeysCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "mia@acme.test", "--role", "member")
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl laptop\n"
	out, errs, code := rosterIn(t, db, key, "keys", "add", "boss@acme.test", "-")
	if code != 0 || !strings.Contains(out, "SHA256:") {
		t.Fatalf("keys add: %d %s %s", code, out, errs)
	}
	if _, errs, code := rosterIn(t, db, key, "keys", "add", "mia@acme.test", "-"); code == 0 || !strings.Contains(errs, "already belongs") {
		t.Fatalf("same key twice: %d %s", code, errs)
	}
	if _, errs, code := rosterIn(t, db, "not a key", "keys", "add", "boss@acme.test", "-"); code == 0 || !strings.Contains(errs, "not an SSH public key") {
		t.Fatalf("bad key: %d %s", code, errs)
	}
	keys := jsonOf[[]map[string]any](t, db, "keys", "list", "boss@acme.test")
	if len(keys) != 1 || keys[0]["comment"] != "laptop" {
		t.Fatalf("keys: %v", keys)
	}
	fp := keys[0]["fingerprint"].(string)
	fails(t, db, "not found", "keys", "remove", "mia@acme.test", fp)
	ok(t, db, "keys", "remove", "boss@acme.test", fp)
	if keys := jsonOf[[]map[string]any](t, db, "keys"); len(keys) != 0 {
		t.Fatalf("after remove: %v", keys)
	}
}

func TestSeedCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	fails(t, db, "--users", "seed")
	ok(t, db, "seed", "--users", "300", "--seed", "7")
	fails(t, db, "the database already holds 30", "seed", "--users", "300", "--seed", "8")
	if n := count(t, db, "SELECT count(*) FROM users"); n < 300 {
		t.Fatalf("%d users after seeding 300", n)
	}
	if n := count(t, db, "SELECT count(*) FROM search_keys"); n == 0 {
		t.Fatal("seeded users cannot be searched")
	}
	owners := jsonOf[[]userJSON](t, db, "users", "--status", "active", "--limit", "1000")
	if len(owners) == 0 {
		t.Fatal("no active user after seeding")
	}
}

// Users a database holds twice under roster's rule for one address (left so
// by migration 005) are named on stderr by every command until resolved; the
// later one is reached by its exact spelling.
func TestAddressClashWarning(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "invite", "zoé@acme.test")
	if _, errs, _ := roster(t, db, "users"); errs != "" {
		t.Fatalf("warned with no clash: %q", errs)
	}
	sqlExec(t, db, `INSERT INTO users (email, email_key, sort_name, role, status, created_at, updated_at)
		VALUES ('ZOÉ@acme.test', NULL, 'zoe', 'member', 'invited', 0, 0)`)
	_, errs, code := roster(t, db, "users")
	want := "roster: warning: zoé@acme.test and ZOÉ@acme.test are one address: ZOÉ@acme.test is found only as written here; delete one of them to resolve it\n"
	if code != 0 || errs != want {
		t.Fatalf("users: exit %d, stderr %q; want %q", code, errs, want)
	}
	if u := jsonOf[map[string]any](t, db, "user", "ZOÉ@acme.test"); u["email"] != "ZOÉ@acme.test" {
		t.Fatalf("user ZOÉ@acme.test is %v", u["email"])
	}
	ok(t, db, "delete", "ZOÉ@acme.test", "--heir", "boss@acme.test")
	if _, errs, _ := roster(t, db, "users"); errs != "" {
		t.Fatalf("still warned once resolved: %q", errs)
	}
}

// A mistyped command or flag is refused with the nearest name, when one is
// near, in the operator's language; nothing is suggested for a name far
// from every other, or too short to tell.
func TestMistypedNamesSuggestTheNearest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"usres"}, `unknown command "usres"; did you mean roster users?`},
		{[]string{"ivnites"}, `unknown command "ivnites"; did you mean roster invites?`},
		{[]string{"help", "invtie"}, `unknown command "invtie"; did you mean roster invite?`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" (roster help lists them)`},
		{[]string{"edit", "boss@acme.test", "--add-tag", "X"}, "unknown flag --add-tag; did you mean --tag?"},
		{[]string{"away", "boss@acme.test", "--stand-by", "x@acme.test"}, "unknown flag --stand-by; did you mean --stand-in?"},
		{[]string{"users", "--lmit", "3"}, "unknown flag --lmit; did you mean --limit?"},
		{[]string{"users", "-x"}, "unknown flag --x"},
		{[]string{"users", "--bogus"}, "unknown flag --bogus"},
		{[]string{"billing", "--plan", "pro"}, "unknown flag --plan"}, // not --lang: two letters of four
		{[]string{"--lang", "fr", "users", "--jsn"}, "option inconnue --jsn ; vouliez-vous dire --json ?"},
	} {
		_, errs, code := roster(t, db, c.args...)
		if code != 2 || errs != "roster: "+c.want+"\n" {
			t.Errorf("roster %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
}

// users --json gives each user's tags, [] for none, as user --json does.
func TestUsersJSONHasTags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "--first", "Ann", "--last", "Lee")
	ok(t, db, "edit", "ann@acme.test", "--tag", "+Paie", "--tag", "+Achats")
	got := map[string][]string{}
	for _, u := range jsonOf[[]struct {
		Email string   `json:"email"`
		Tags  []string `json:"tags"`
	}](t, db, "users", "--json") {
		got[u.Email] = u.Tags
	}
	if want := map[string][]string{"boss@acme.test": {}, "ann@acme.test": {"Achats", "Paie"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("users --json tags %#v, want %#v", got, want)
	}
}

// --json indents on a terminal, for a person reading it, and writes a
// list's items a line each in a pipe, for scripts: the same JSON either way.
func TestJSONIndentedOnATerminalOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "--first", "Ann", "--last", "Lee")
	ok(t, db, "invite", "bob@acme.test", "--first", "Bob", "--last", "Ray")

	piped := ok(t, db, "users", "--json")
	lines := strings.Split(strings.TrimSuffix(piped, "\n"), "\n")
	if len(lines) != 5 || lines[0] != "[" || lines[4] != "]" {
		t.Fatalf("users --json in a pipe: want [, a line per user, ]; got\n%s", piped)
	}
	for _, l := range lines[1:4] {
		var u map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSuffix(l, ",")), &u); err != nil || u["email"] == nil {
			t.Fatalf("users --json in a pipe: line %q is not a user: %v", l, err)
		}
	}

	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	read := make(chan string)
	go func() { b, _ := io.ReadAll(master); read <- string(b) }()
	var errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: tty, stderr: &errb}
	if code := run(context.Background(), c, []string{"--db", db, "users", "--json"}); code != 0 {
		t.Fatalf("users --json on a terminal: exit %d: %s", code, errb.String())
	}
	tty.Close()
	shown := strings.ReplaceAll(<-read, "\r\n", "\n")
	if !strings.Contains(shown, "[\n  {\n    \"id\": ") {
		t.Fatalf("users --json on a terminal is not indented:\n%s", shown)
	}
	var onTerm, inPipe []map[string]any
	if err := json.Unmarshal([]byte(shown), &onTerm); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(piped), &inPipe); err != nil {
		t.Fatal(err)
	}
	if len(onTerm) != 3 || fmt.Sprint(onTerm) != fmt.Sprint(inPipe) {
		t.Fatalf("users --json differs between a terminal and a pipe:\n%v\n%v", onTerm, inPipe)
	}
}

// A command acting on an account, given a path that holds no database (a
// mistyped --db), says so and creates nothing there.
func TestMissingDatabaseIsNotCreated(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo", "roster.db")
	fails(t, db, "no database at "+db+": roster init creates one", "teams")
	if _, err := os.Stat(filepath.Join(dir, "typo")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read on a missing database created %s: %v", filepath.Join(dir, "typo"), err)
	}
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	ok(t, db, "teams")
}
