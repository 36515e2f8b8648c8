package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// csvDB is an account with the teams the CSV tests name.
func csvDB(t *testing.T, owner string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", owner, "--first", "Big", "--last", "Boss")
	ok(t, db, "account", "--country", "FR")
	ok(t, db, "teams", "add", "Ventes")
	ok(t, db, "teams", "add", "Support")
	return db
}

// A file whose shape is wrong is refused whole, with the line and column of
// the mistake: a row longer than the header, a column named twice.
func TestInviteCSVRefusesAMisshapenFile(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	for _, tc := range []struct{ name, file, want string }{
		{"a field past the header",
			"email,first_name,last_name\nann@acme.test,Ann,Arbor\nbob@acme.test,Bob,Brown,Sales\n",
			`line 3, column 4: "Sales" is past the header's 3 columns`},
		{"a field past the header, semicolons",
			"email;first_name\nann@acme.test;Ann\n\"bob@acme.test\";\"Bob\";\n",
			`line 3, column 3: "" is past the header's 2 columns`},
		{"a column twice",
			"email,first_name,last_name,first_name\nann@acme.test,Ann,Arbor,Anne\n",
			"line 1, column 4: first_name is also column 2"},
		{"a column twice, as typed",
			"Email,phone, EMAIL\nann@acme.test,,ann@acme.test\n",
			"line 1, column 3: email is also column 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := rosterIn(t, db, tc.file, "invite", "--csv", "-")
			if code != 1 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q, stdout %q; want one line saying %q", code, errs, out, tc.want)
			}
			if n := count(t, db, "SELECT count(*) FROM users"); n != 1 {
				t.Fatalf("%d users after a refused file", n)
			}
		})
	}
}

// A French spreadsheet's export, semicolons between fields and a byte order
// mark before the header, is read as the comma-separated file would be.
func TestInviteCSVReadsSemicolonsAndABOM(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	file := "\uFEFFemail;first_name;last_name;phone;team;position\r\n" +
		"zoe@acme.test;Zoé;Dupont, née Martin;06 12 34 56 78;\"Ventes;Support\";Chef, ventes\r\n" +
		"yann@acme.test;Yann;Le Goff;;Support;\r\n"
	_, errs, code := rosterIn(t, db, file, "invite", "--csv", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	zoe := jsonOf[userJSON](t, db, "user", "zoe@acme.test")
	if zoe.FirstName != "Zoé" || zoe.Phone != "+33612345678" || strings.Join(zoe.Teams, ",") != "Support,Ventes" {
		t.Fatalf("zoe = %+v", zoe)
	}
	if n := count(t, db, "SELECT count(*) FROM users WHERE last_name = 'Dupont, née Martin' AND position = 'Chef, ventes'"); n != 1 {
		t.Fatalf("commas inside a semicolon file's fields were not kept")
	}
	if yann := jsonOf[userJSON](t, db, "user", "yann@acme.test"); yann.Status != "invited" {
		t.Fatalf("yann = %+v", yann)
	}
	// Excel's "CSV UTF-8": the mark, then a quoted header.
	if _, errs, code := rosterIn(t, db, "\uFEFF\"email\",\"first_name\"\r\n\"xavier@acme.test\",\"Xavier\"\r\n", "invite", "--csv", "-"); code != 0 {
		t.Fatalf("a quoted header after the mark: exit %d: %s", code, errs)
	}
}

// export --csv keeps a spreadsheet from running any cell as a formula, and
// invite --csv reads the export back to the same values, a phone number's +
// included.
func TestExportCSVNeutralisesFormulasAndReadsBack(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	ok(t, db, "invite", "eve@acme.test", "--first", "=HYPERLINK(\"http://evil.test\",\"x\")", "--last", "@SUM(A1)",
		"--position", "+ Lead", "--ref", "-7", "--phone", "+33 6 12 34 56 78", "--team", "Ventes")
	ok(t, db, "invite", "quinn@acme.test", "--first", "'=quoted'", "--last", "O'Brien", "--ref", "'42")
	exported := ok(t, db, "export", "--csv")
	for _, cell := range []string{`"'=HYPERLINK(""http://evil.test"",""x"")"`, "'@SUM(A1)", "'+33612345678", "'+ Lead", "'-7", "''=quoted'"} {
		if !strings.Contains(exported, ","+cell+",") {
			t.Errorf("export lacks the cell %s:\n%s", cell, exported)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(exported), "\n") {
		for _, cell := range strings.Split(line, ",") {
			if cell = strings.TrimPrefix(cell, `"`); cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a spreadsheet would run the cell %q of %q", cell, line)
			}
		}
	}

	// Read back into another account, then exported again: the same lines.
	db2 := csvDB(t, "rita.root@acme.test")
	if _, errs, code := rosterIn(t, db2, exported, "invite", "--csv", "-"); code != 0 {
		t.Fatalf("invite --csv - of the export: exit %d: %s", code, errs)
	}
	eve := jsonOf[userJSON](t, db2, "user", "eve@acme.test")
	if eve.FirstName != "=HYPERLINK(\"http://evil.test\",\"x\")" || eve.Phone != "+33612345678" {
		t.Fatalf("eve after the round trip: %+v", eve)
	}
	again := strings.Split(ok(t, db2, "export", "--csv"), "\n")
	for _, line := range strings.Split(exported, "\n") {
		if !slices.Contains(again, line) {
			t.Errorf("the line %q did not come back:\n%s", line, strings.Join(again, "\n"))
		}
	}
	if n := count(t, db2, "SELECT count(*) FROM users WHERE reference_id = '''42' AND first_name = '''=quoted''' AND last_name = 'O''Brien'"); n != 1 {
		t.Fatalf("quinn's quotes did not come back as typed")
	}
}

// Refused rows are reported by the line they begin on, though a quoted field
// before them spans lines; failures come before the people invited.
func TestInviteCSVReportsEachRowByItsLine(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	file := "email,position,role\n" +
		"ann@acme.test,\"Chef\nventes\",member\n" +
		"bob@acme.test,Agent,member\n" +
		"carl@acme.test,Agent,emperor\n"
	out, errs, code := rosterIn(t, db, file, "invite", "--csv", "-")
	if code != 1 || !strings.HasPrefix(errs, "roster: line 2: position holds a control") ||
		!strings.Contains(errs, "\nroster: line 5: role \"emperor\" is not a role") || out != "invited bob@acme.test\n" {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", code, errs, out)
	}
}

// changeOnFirstWrite runs change when export first writes, that is once it
// has begun reading the users.
type changeOnFirstWrite struct {
	bytes.Buffer
	change func()
}

func (w *changeOnFirstWrite) Write(p []byte) (int, error) {
	if w.change != nil {
		w.change()
		w.change = nil
	}
	return w.Buffer.Write(p)
}

// export --csv writes the users of one snapshot: someone invited while it
// writes (past its first thousand rows, in name order) is not in the file.
func TestExportCSVIsOneSnapshot(t *testing.T) {
	db := csvDB(t, "boss@acme.test")
	ok(t, db, "seed", "--users", "3000", "--yes")
	want := count(t, db, "SELECT count(*) FROM users")
	out := &changeOnFirstWrite{change: func() {
		ok(t, db, "--as", "boss@acme.test", "invite", "--first", "Zygmunt", "zygmunt@acme.test")
	}}
	c := &cli{stdin: strings.NewReader(""), stdout: out, stderr: io.Discard}
	if code := run(context.Background(), c, []string{"--db", db, "--as", "boss@acme.test", "export", "--csv"}); code != 0 {
		t.Fatalf("export: exit %d", code)
	}
	if got := strings.Count(out.String(), "\n") - 1; got != want || strings.Contains(out.String(), "zygmunt@") {
		t.Errorf("exported %d users, want the %d there were when it began", got, want)
	}
	if n := count(t, db, "SELECT count(*) FROM users"); n != want+1 {
		t.Fatalf("%d users after the invitation, want %d", n, want+1)
	}
}
