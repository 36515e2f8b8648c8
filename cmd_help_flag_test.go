package main

import (
	"flag"
	"regexp"
	"testing"
)

// roster --help is roster help, as every command's --help is its usage:
// it answered "roster: flag: help requested" and exit 2, the first thing
// a newcomer typing it saw. The global flags around it still count.
func TestHelpFlagBeforeTheCommand(t *testing.T) {
	for _, c := range []struct{ flags, help []string }{
		{[]string{"--help"}, []string{"help"}},
		{[]string{"-h"}, []string{"help"}},
		{[]string{"--lang", "fr", "--help"}, []string{"help", "--lang", "fr"}},
		{[]string{"--help", "--lang", "fr"}, []string{"help", "--lang", "fr"}},
		{[]string{"--help", "users"}, []string{"help", "users"}},
		{[]string{"--lang", "fr", "--help", "users"}, []string{"--lang", "fr", "help", "users"}},
	} {
		want, _, code := roster(t, "", c.help...)
		if code != 0 || want == "" {
			t.Fatalf("roster %q: exit %d, printed %q", c.help, code, want)
		}
		got, errs, code := roster(t, "", c.flags...)
		if code != 0 || errs != "" || got != want {
			t.Errorf("roster %q: exit %d, stderr %q, printed\n%s\nwant what roster %q prints:\n%s", c.flags, code, errs, got, c.help, want)
		}
	}
	if _, errs, code := roster(t, "", "--help", "nosuch"); code != 2 || errs == "" {
		t.Errorf("roster --help nosuch: exit %d, stderr %q; want a usage error", code, errs)
	}
}

// A flag's errors write it as the help and the README do, with two
// dashes: "invalid value "" for -as" named a flag written nowhere.
func TestHelpWordsFlagErrorsWithTwoDashes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--as", "", "users"}, `roster: invalid value "" for --as: names nothing`},
		{[]string{"users", "--limit", "x"}, `roster: invalid value "x" for --limit: parse error`},
		{[]string{"users", "--team"}, `roster: flag --team needs a value`},
		{[]string{"users", "--count=maybe"}, `roster: invalid boolean value "maybe" for --count: parse error`},
		{[]string{"users", "--lang", "fr", "--team"}, `roster: l'option --team attend une valeur`},
	} {
		_, errs, code := roster(t, "", c.args...)
		if code != 2 || errs != c.want+"\n" {
			t.Errorf("roster %q: exit %d, stderr %q; want exit 2, %q", c.args, code, errs, c.want)
		}
	}
}

// roster help names every flag that goes before the command: the mail
// flags, which the dashboard takes too, were said only by serve's and
// mail's --help (--version is roster version).
func TestHelpNamesEveryGlobalFlag(t *testing.T) {
	out, _, code := roster(t, "", "help")
	g, _ := (&cli{}).globalFlags()
	g.VisitAll(func(f *flag.Flag) {
		if f.Name != "version" && !regexp.MustCompile(`--`+f.Name+`([^a-z-]|$)`).MatchString(out) {
			t.Errorf("roster help does not name --%s (exit %d):\n%s", f.Name, code, out)
		}
	})
}
