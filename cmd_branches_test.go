package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

type branchJSON struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	TimeZone string `json:"timezone"`
	Members  int    `json:"members"`
}

// roster branches adds (with an address and time zone), renames and removes
// branches; people join them through invite (--branch or the CSV's branch
// column, several separated by |) and edit --branch +B|-B; users --branch
// lists a branch's people; export writes the column so that invite --csv
// reads it back; removing a branch with people is refused, naming the
// count, until --move-to says where they go.
func TestBranchesCommand(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	if out := ok(t, db, "branches", "add", "Lyon", "--address", "5 place Béraudier, Lyon", "--timezone", "Europe/Paris"); out != "branch Lyon: added\n" {
		t.Fatalf("stdout %q", out)
	}
	ok(t, db, "branches", "add", "Paris")
	ok(t, db, "branches", "add", "Lille")
	fails(t, db, `timezone "Mars/Olympus" is not a time zone name`, "branches", "add", "Nice", "--timezone", "Mars/Olympus")
	fails(t, db, `branch "lyon" already exists`, "branches", "add", "lyon")
	fails(t, db, "branches takes add NAME", "branches", "add")

	ok(t, db, "invite", "ann@acme.test", "--branch", "lyon", "--team", "Support")
	file := "email,team,branch\nbob@acme.test,Ventes;Support,Lyon|Paris\ncat@acme.test,,\n"
	if _, errs, code := rosterIn(t, db, file, "invite", "--csv", "-"); code != 0 {
		t.Fatalf("invite --csv: exit %d: %s", code, errs)
	}
	if _, errs, code := rosterIn(t, db, "email,branch\ndan@acme.test,Nantes\n", "invite", "--csv", "-"); code != 1 ||
		!strings.Contains(errs, `branch "Nantes" does not exist (roster branches add "Nantes" creates it)`) {
		t.Fatalf("an unknown branch: exit %d: %s", code, errs)
	}
	type withBranches struct {
		userJSON
		Branches []string `json:"branches"`
	}
	if bob := jsonOf[withBranches](t, db, "user", "bob@acme.test"); !slices.Equal(bob.Branches, []string{"Lyon", "Paris"}) {
		t.Fatalf("bob = %+v", bob)
	}
	if out := ok(t, db, "user", "ann@acme.test"); !strings.Contains(out, "Branches:      Lyon\n") {
		t.Fatalf("roster user:\n%s", out)
	}
	listed := func(args ...string) []string {
		var out []string
		for _, u := range jsonOf[[]withBranches](t, db, append([]string{"users"}, args...)...) {
			out = append(out, u.Email)
		}
		return out
	}
	if got := listed("--branch", "LYON"); !slices.Equal(got, []string{"ann@acme.test", "bob@acme.test"}) {
		t.Fatalf("users --branch LYON: %q", got)
	}
	if got := listed("--branch", "Paris", "--team", "Ventes"); !slices.Equal(got, []string{"bob@acme.test"}) {
		t.Fatalf("users --branch Paris --team Ventes: %q", got)
	}
	ok(t, db, "edit", "ann@acme.test", "--branch", "+Lille", "--branch", "-Lyon")
	fails(t, db, `branch "Nice" does not exist`, "edit", "ann@acme.test", "--branch", "+Nice")
	if out := ok(t, db, "users", "--branch", "Lille"); !strings.Contains(out, "BRANCHES") || !strings.Contains(out, "ann@acme.test") {
		t.Fatalf("users --branch Lille:\n%s", out)
	}
	counts := map[string]int{}
	for _, b := range jsonOf[[]branchJSON](t, db, "branches") {
		counts[b.Name] = b.Members
		if b.Name == "Lyon" && (b.TimeZone != "Europe/Paris" || b.Address != "5 place Béraudier, Lyon") {
			t.Fatalf("Lyon = %+v", b)
		}
	}
	if want := map[string]int{"Lyon": 1, "Paris": 1, "Lille": 1}; !maps.Equal(counts, want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}

	// Export, then read into another account: the same branches.
	exported := ok(t, db, "export", "--csv")
	if !strings.HasPrefix(exported, "email,first_name,last_name,phone,role,team,position,reference_id,locale,branch\n") ||
		!strings.Contains(exported, "bob@acme.test,,,,member,Support;Ventes,,,en,Lyon|Paris\n") {
		t.Fatalf("export:\n%s", exported)
	}
	db2 := csvDB(t, "rita.root@acme.test")
	for _, b := range []string{"Lyon", "Paris", "Lille"} {
		ok(t, db2, "branches", "add", b)
	}
	if _, errs, code := rosterIn(t, db2, exported, "invite", "--csv", "-"); code != 0 {
		t.Fatalf("invite --csv - of the export: exit %d: %s", code, errs)
	}
	again := strings.Split(ok(t, db2, "export", "--csv"), "\n")
	for _, line := range strings.Split(exported, "\n") {
		if !strings.Contains(line, "boss@") && !slices.Contains(again, line) {
			t.Errorf("the line %q did not come back:\n%s", line, strings.Join(again, "\n"))
		}
	}

	ok(t, db, "branches", "rename", "Lyon", "Lyon Part-Dieu")
	fails(t, db, `branch "Lyon Part-Dieu" still has 1 person: say where they go (--move-to BRANCH, or --move-to none)`,
		"branches", "remove", "Lyon Part-Dieu")
	fails(t, db, `branch "Nice" not found`, "branches", "remove", "Lyon Part-Dieu", "--move-to", "Nice")
	if out := ok(t, db, "branches", "remove", "Lyon Part-Dieu", "--move-to", "Lille"); out != "branch Lyon Part-Dieu: removed, its people moved to Lille\n" {
		t.Fatalf("stdout %q", out)
	}
	if got := listed("--branch", "Lille"); !slices.Equal(got, []string{"ann@acme.test", "bob@acme.test"}) {
		t.Fatalf("users --branch Lille after the move: %q", got)
	}
	ok(t, db, "branches", "remove", "Paris", "--move-to", "none")
	if bob := jsonOf[withBranches](t, db, "user", "bob@acme.test"); !slices.Equal(bob.Branches, []string{"Lille"}) {
		t.Fatalf("bob = %+v", bob)
	}
	if n := count(t, db, "SELECT count(*) FROM audit WHERE action LIKE 'branch.%'"); n != 6 {
		t.Fatalf("%d branch audit rows, want 6 (3 added, 1 renamed, 2 removed)", n)
	}
}

// A stand-in may be a team in one branch: roster away --to
// team:NAME@BRANCH, warned about as a team is.
func TestAwayToATeamInABranch(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	ok(t, db, "branches", "add", "Lyon")
	ok(t, db, "branches", "add", "Paris")
	ok(t, db, "invite", "ann@acme.test", "bob@acme.test", "cat@acme.test")
	sqlExec(t, db, "UPDATE users SET status = 'active', activated_at = 1")
	ok(t, db, "edit", "bob@acme.test", "--team", "+Support", "--branch", "+Lyon")
	ok(t, db, "edit", "cat@acme.test", "--team", "+Support", "--branch", "+Paris")
	_, errs, code := roster(t, db, "away", "ann@acme.test", "--until", "+3d", "--to", "team:support@lyon")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if out := ok(t, db, "user", "ann@acme.test"); !strings.Contains(out, "team:Support@Lyon") {
		t.Fatalf("roster user:\n%s", out)
	}
	ok(t, db, "away", "bob@acme.test", "--until", "+3d")
	_, errs, code = roster(t, db, "away", "cat@acme.test", "--until", "+3d", "--to", "team:Support@Lyon")
	if code != 0 || !strings.Contains(errs, "team:Support@Lyon has nobody to take it (bob@acme.test is away)") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	fails(t, db, `stand-in branch "Nice" does not exist`, "away", "boss@acme.test", "--until", "+3d", "--to", "team:Support@Nice")
}
