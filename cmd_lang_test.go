package main

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// The command line speaks French when asked (--lang, ROSTER_LANG), when
// the operator's stored locale is French, and when the environment is,
// in that order; its JSON is the same in both languages.
func TestCommandLineInFrench(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	ok(t, db, "invite", "ann@acme.test", "--first", "Ann", "--last", "Martin")

	// roster help.
	help := ok(t, db, "help", "--lang", "fr")
	for _, want := range []string{"administrer les comptes utilisateurs", "Commandes :", "lister les utilisateurs", "roster COMMANDE --help"} {
		if !strings.Contains(help, want) {
			t.Errorf("roster help --lang fr lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "list users") || strings.Contains(help, "With no command") {
		t.Errorf("roster help --lang fr has English left:\n%s", help)
	}
	if en := ok(t, db, "help"); !strings.Contains(en, "  users          list users, or count them\n") {
		t.Errorf("roster help in English:\n%s", en)
	}
	usage := ok(t, db, "users", "--help", "--lang", "fr")
	for _, want := range []string{"utilisation : roster users ", "Lister les utilisateurs, ou les compter.", "options :", "seulement les membres de cette équipe",
		"\n  --limit int\n"} { // two dashes, as the usage line writes them
		if !strings.Contains(usage, want) {
			t.Errorf("roster users --help --lang fr lacks %q:\n%s", want, usage)
		}
	}

	// roster users: heads and statuses; the JSON does not change.
	en := ok(t, db, "users")
	fr := ok(t, db, "users", "--lang", "fr")
	if !strings.HasPrefix(en, "NAME ") || !strings.Contains(en, " Invited ") || !strings.Contains(en, " owner ") {
		t.Errorf("roster users in English:\n%s", en)
	}
	if !strings.HasPrefix(fr, "NOM ") || !strings.Contains(fr, "STATUT") || !strings.Contains(fr, " Invité ") ||
		!strings.Contains(fr, " Actif ") || !strings.Contains(fr, " propriétaire ") || strings.Contains(fr, "Invited") {
		t.Errorf("roster users --lang fr:\n%s", fr)
	}
	jsonEN := ok(t, db, "users", "--json")
	if jsonFR := ok(t, db, "users", "--json", "--lang", "fr"); jsonFR != jsonEN {
		t.Errorf("roster users --json differs in French:\n%s\nin English:\n%s", jsonFR, jsonEN)
	}
	t.Setenv("ROSTER_LANG", "fr")
	if got := ok(t, db, "users"); got != fr {
		t.Errorf("ROSTER_LANG=fr roster users:\n%s", got)
	}
	if got := ok(t, db, "users", "--json"); got != jsonEN {
		t.Errorf("ROSTER_LANG=fr roster users --json differs:\n%s", got)
	}
	if got := ok(t, db, "users", "--lang", "en"); got != en {
		t.Errorf("--lang en does not win over ROSTER_LANG=fr:\n%s", got)
	}

	// A language roster does not speak is a usage error naming those it does.
	for _, args := range [][]string{{"--lang", "de", "users"}, {"users", "--lang", "de"}} {
		_, errs, code := roster(t, db, args...)
		if code != 2 || !strings.Contains(errs, "fr") || !strings.Contains(errs, "en") || strings.Count(errs, "\n") != 1 {
			t.Errorf("roster %s: exit %d, stderr %q", strings.Join(args, " "), code, errs)
		}
	}
	t.Setenv("ROSTER_LANG", "de")
	if _, errs, code := roster(t, db, "users"); code != 2 || !strings.Contains(errs, `"de"`) {
		t.Errorf("ROSTER_LANG=de roster users: exit %d, stderr %q", code, errs)
	}
	t.Setenv("ROSTER_LANG", "")

	// What the commands say, and their usage errors.
	if out := ok(t, db, "invite", "bea@acme.test", "--lang", "fr"); out != "invitation envoyée à bea@acme.test\n" {
		t.Errorf("roster invite --lang fr printed %q", out)
	}
	if _, errs, code := roster(t, db, "users", "--lang", "fr", "--bogus"); code != 2 || errs != "roster: option inconnue --bogus\n" {
		t.Errorf("an unknown flag in French: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := roster(t, db, "--lang", "fr", "frobnicate"); code != 2 || !strings.Contains(errs, `commande inconnue "frobnicate"`) {
		t.Errorf("an unknown command in French: exit %d, stderr %q", code, errs)
	}
	// Not on a terminal, a bulk act refuses in French and changes nothing.
	if _, errs, code := roster(t, db, "deactivate", "ann@acme.test", "bea@acme.test", "--lang", "fr"); code != 1 || !strings.Contains(errs, "hors d'un terminal où le demander, ajoutez --yes") {
		t.Errorf("a bulk act without --yes in French: exit %d, stderr %q", code, errs)
	}

	// The operator's stored locale speaks without --lang; LANG does not
	// override it, but speaks before the operator is known.
	en, fr = ok(t, db, "users", "--lang", "en"), ok(t, db, "users", "--lang", "fr")
	ok(t, db, "edit", "boss@acme.test", "--locale", "fr")
	if got := ok(t, db, "users"); got != fr {
		t.Errorf("with the operator's locale fr, roster users:\n%s", got)
	}
	if got := ok(t, db, "users", "--lang", "en"); got != en {
		t.Errorf("--lang en does not win over the operator's locale:\n%s", got)
	}
	ok(t, db, "edit", "boss@acme.test", "--locale", "en")
	t.Setenv("LANG", "fr_FR.UTF-8")
	if got := ok(t, db, "users"); got != en {
		t.Errorf("LANG=fr_FR.UTF-8 overrides the operator's locale en:\n%s", got)
	}
	if got := ok(t, db, "help"); !strings.Contains(got, "lister les utilisateurs") {
		t.Errorf("LANG=fr_FR.UTF-8 roster help:\n%s", got)
	}
	t.Setenv("LC_ALL", "C")
	if got := ok(t, db, "help"); !strings.Contains(got, "list users") {
		t.Errorf("LC_ALL=C LANG=fr_FR.UTF-8 roster help:\n%s", got)
	}
}

// Over SSH the operator's stored locale speaks from the first word, roster
// help included, and the server's environment does not.
func TestSSHCommandsInTheOperatorsLanguage(t *testing.T) {
	t.Setenv("ROSTER_LANG", "en") // the server's: not the operator's
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	if err := svc.Init(ctx, "Acme", "boss@acme.test", "Big", "Boss", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	boss := admin.Actor{Email: "boss@acme.test", Channel: admin.ChannelSSH}
	fr := "fr"
	if _, err := svc.Edit(ctx, boss, "boss@acme.test", 0, admin.Profile{Locale: &fr}); err != nil {
		t.Fatal(err)
	}
	runSSH := sshRunner(svc)
	var out, errs bytes.Buffer
	if code := runSSH(ctx, boss, []string{"help"}, strings.NewReader(""), &out, &errs); code != 0 || !strings.Contains(out.String(), "lister les utilisateurs") {
		t.Errorf("ssh HOST help: exit %d, stdout:\n%s\nstderr %s", code, out.String(), errs.String())
	}
	out.Reset()
	if code := runSSH(ctx, boss, []string{"users", "--lang", "en"}, strings.NewReader(""), &out, &errs); code != 0 || !strings.HasPrefix(out.String(), "NAME ") {
		t.Errorf("ssh HOST users --lang en: exit %d, stdout:\n%s\nstderr %s", code, out.String(), errs.String())
	}
}

// A question is answered yes in either language.
func TestYes(t *testing.T) {
	for answer, want := range map[string]bool{"y\n": true, "Yes\n": true, "o\n": true, " OUI \n": true, "n\n": false, "\n": false, "non\n": false, "": false} {
		if yes(answer) != want {
			t.Errorf("yes(%q) = %v", answer, !want)
		}
	}
}

// The words the command line says through T without a literal at the call
// (which TestEveryKeyHasFrench checks): the tables' heads, roster user's
// labels, statuses, roles, states and the outcomes' verbs, all have French.
func TestCommandWordsHaveFrench(t *testing.T) {
	var words []string
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit: // []string{"NAME", "EMAIL", ...}: heads
				if at, ok := n.Type.(*ast.ArrayType); ok && fmt.Sprint(at.Elt) == "string" {
					for _, e := range n.Elts {
						if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if s, _ := strconv.Unquote(lit.Value); s != "" && s == strings.ToUpper(s) && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
								words = append(words, s)
							}
						}
					}
				}
			case *ast.CallExpr: // field("Name", ...): roster user's labels
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "field" && len(n.Args) == 2 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						words = append(words, s)
					}
				}
			}
			return true
		})
	}
	if len(words) < 40 {
		t.Fatalf("found %d heads and labels: the scan is broken", len(words))
	}
	for _, s := range []store.Status{store.Active, store.Invited, store.Staged, store.Deactivated} {
		words = append(words, admin.Status(&store.User{Status: s}).String())
	}
	words = append(words, admin.Status(&store.User{Status: store.Invited, Expired: true}).String())
	words = append(words, admin.Roles...)
	words = append(words, store.OutboxQueued, store.OutboxSending, store.OutboxSent, store.OutboxDeferred, store.OutboxFailed,
		store.OutboxCancelled, store.DeliveryDelivered, string(admin.PeriodMonthly), string(admin.PeriodYearly))
	for _, act := range []admin.UserAct{admin.ResendInvitations, admin.RevokeInvitations, admin.SendStagedInvitations, admin.DeactivateUsers, admin.ReactivateUsers} {
		words = append(words, admin.UserBatch{Act: act}.Did().Key+" %s") // as did says them
	}
	words = append(words, "staged %s", "already invited %s", "already staged %s", "%s %s")
	same := map[string]bool{"ID": true, "URL": true, "CYCLE": true, "TABLE": true, "PERMISSION": true, "MAIL": true,
		"Permissions": true, "Version": true, "Conversations": true}
	fr := i18n.For(i18n.French)
	for _, w := range words {
		if fr.T(w) == w && !same[w] {
			t.Errorf("%q has no French text", w)
		}
	}
}

// The built binary, as an operator runs it: ROSTER_LANG=fr roster help and
// roster users in French, roster users --json unchanged.
func TestBinaryInFrench(t *testing.T) {
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	jsonEN := e.cli("users", "--json")
	e.env = append(e.env, "ROSTER_LANG=fr")
	if out := e.cli("help"); !strings.Contains(out, "Sans commande, roster ouvre le tableau de bord. Commandes :") {
		t.Errorf("ROSTER_LANG=fr roster help:\n%s", out)
	}
	if out := e.cli("users"); !strings.HasPrefix(out, "NOM ") || !strings.Contains(out, " propriétaire  Actif ") {
		t.Errorf("ROSTER_LANG=fr roster users:\n%s", out)
	}
	if out := e.cli("users", "--json"); out != jsonEN {
		t.Errorf("ROSTER_LANG=fr roster users --json:\n%s\nin English:\n%s", out, jsonEN)
	}
}
