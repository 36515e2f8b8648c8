package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// goldenSizes are the windows every screen's golden files are drawn at: the
// smallest terminal, and a large one.
var goldenSizes = [][2]int{{80, 24}, {160, 45}}

// goldenScreen checks the frame a screen shows against its golden files
// (testdata/TEST/LANG_WxH.golden; go test ./tui -update writes them), in
// each language at each of goldenSizes: setup (when set) fills the
// database, then keys are pressed from the Users list, each after the
// commands of the one before have run. Every line must fit the width, and
// the frame the height; want, when set, must show in the frame of each
// language (a word the screen must say, so that an untranslated screen
// fails here as well as in the golden file).
func goldenScreen(t *testing.T, setup func(f *fixture), want map[i18n.Lang]string, keys ...string) {
	t.Helper()
	goldenFrames(t, newFixture, dashboard, setup, want, keys...)
}

// dashboard is the owner's dashboard in a language.
func dashboard(f *fixture, lang i18n.Lang) tea.Model {
	opts := f.options(owner)
	opts.Lang = lang
	return New(f.ctx, opts)
}

// goldenFrames is goldenScreen over the database mk makes (newEmpty for
// the first-run setup) and the program model makes (the dashboard, or My
// settings), whose frame is compared.
func goldenFrames(t *testing.T, mk func(*testing.T) *fixture, model func(*fixture, i18n.Lang) tea.Model,
	setup func(f *fixture), want map[i18n.Lang]string, keys ...string) {
	t.Helper()
	for _, lang := range i18n.Langs {
		for _, size := range goldenSizes {
			t.Run(fmt.Sprintf("%s_%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				f := mk(t)
				if setup != nil {
					setup(f)
				}
				m := model(f, lang)
				m, _ = m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				m = drive(m, m.Init())
				m = press(m, keys...)
				fr := ansi.Strip(m.(interface{ frame() string }).frame())
				for i, l := range strings.Split(fr, "\n") {
					must(t, ansi.StringWidth(l) <= size[0], "line %d is %d wide:\n%s", i, ansi.StringWidth(l), fr)
				}
				must(t, strings.Count(fr, "\n") < size[1], "%d lines:\n%s", strings.Count(fr, "\n")+1, fr)
				if w := want[lang]; w != "" {
					must(t, strings.Contains(fr, w), "%q is not shown:\n%s", w, fr)
				}
				golden.RequireEqual(t, fr)
			})
		}
	}
}

// people fills the account with a user of each status: active with a
// team and a branch, away with a stand-in, invited, staged, deactivated,
// and a manager.
func people(f *fixture) {
	f.t.Helper()
	must(f.t, f.svc.AddTeam(f.ctx, f.op, "Support") == nil, "add team")
	must(f.t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: "Lyon", TimeZone: "Europe/Paris", Address: "5 place Béraudier"}) == nil, "add Lyon")
	must(f.t, f.svc.AddBranch(f.ctx, f.op, store.Branch{Name: "Paris"}) == nil, "add Paris")
	f.addUser("ann.active@example.com", "Ann", "Active", "member", store.Active)
	f.addUser("bruno.away@example.com", "Bruno", "Away", "member", store.Active)
	f.addUser("dora.gone@example.com", "Dora", "Gone", "member", store.Deactivated)
	f.addUser("max.manager@example.com", "Max", "Manager", "manager", store.Active)
	f.addUser("sam.staged@example.com", "Sam", "Staged", "member", store.Staged)
	f.invite("ivy.invited@example.com")
	_, err := f.svc.Edit(f.ctx, f.op, "ann.active@example.com", 0, admin.Profile{AddTeams: []string{"Support"}, AddBranches: []string{"Lyon"}})
	must(f.t, err == nil, "edit ann: %v", err)
	_, err = f.svc.Edit(f.ctx, f.op, "max.manager@example.com", 0, admin.Profile{AddTeams: []string{"Support"}, AddBranches: []string{"Paris"}})
	must(f.t, err == nil, "edit max: %v", err)
	now := f.svc.Now()
	_, err = f.svc.SetAway(f.ctx, f.op, "bruno.away@example.com", admin.AwayRequest{From: now, Until: now.AddDate(0, 0, 14),
		StandIn: "ann.active@example.com", Note: "congés"})
	must(f.t, err == nil, "set bruno away: %v", err)
}

// The Users list with its help open (?), in each language.
func TestGoldenUsersHelp(t *testing.T) {
	goldenScreen(t, nil, map[i18n.Lang]string{i18n.English: "previous screen", i18n.French: "écran précédent"}, "?")
}

// The Users list with a user of each status.
func TestGoldenUsers(t *testing.T) {
	goldenScreen(t, people, map[i18n.Lang]string{i18n.English: "Deactiv", i18n.French: "Préparé"})
}

// A user's page, away with a stand-in, in a team and a branch.
func TestGoldenUserDetail(t *testing.T) {
	goldenScreen(t, people, map[i18n.Lang]string{i18n.English: "stand-in ann.active", i18n.French: "remplaçant ann.active"},
		"j", "enter")
}

// The teams (T) and the branches (B).
func TestGoldenTeams(t *testing.T) {
	goldenScreen(t, people, map[i18n.Lang]string{i18n.English: "Teams (1)", i18n.French: "Équipes (1)"}, "T")
}

func TestGoldenBranches(t *testing.T) {
	goldenScreen(t, people, map[i18n.Lang]string{i18n.English: "Branches (2)", i18n.French: "Agences (2)"}, "B")
}

// Every user selected (A), then the acts on them (m), change role picked,
// member, and the question.
func TestGoldenSelection(t *testing.T) {
	goldenScreen(t, people, map[i18n.Lang]string{i18n.English: "Change the role of 7 users to member? y/n",
		i18n.French: "Changer le rôle de 7 utilisateurs en membre ? y/n"}, "A", "m", "1", "4")
}

// The first-run setup, on a database without an account.
func TestGoldenSetup(t *testing.T) {
	firstRun := func(f *fixture, lang i18n.Lang) tea.Model {
		opts := f.options("") // no operator: there is no one yet
		opts.Lang = lang
		return New(f.ctx, opts)
	}
	goldenFrames(t, newEmpty, firstRun, nil, map[i18n.Lang]string{i18n.English: "Welcome to roster", i18n.French: "Bienvenue dans roster"})
}

// My settings, the program of a user who administers no one.
func TestGoldenMySettings(t *testing.T) {
	mySettings := func(f *fixture, lang i18n.Lang) tea.Model {
		opts := f.options("ann.active@example.com")
		opts.Lang = lang
		return NewMySettings(f.ctx, opts)
	}
	goldenFrames(t, newFixture, mySettings, people, map[i18n.Lang]string{i18n.English: "My settings", i18n.French: "Mes réglages"})
}
