package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
	"roster/store"
)

// L speaks the other language: the tabs, the column heads and the rows'
// words change, the screen shown and its place stay; L again goes back.
func TestLangSwitch(t *testing.T) {
	f := newFixture(t)
	people(f)
	m := started(f, i18n.English, 160, 30)
	m = press(m, "j")
	frame := func() string { return drawn(m) }
	must(t, strings.Contains(frame(), "▸ Bruno Away"), "the cursor is on Bruno:\n%s", frame())
	m = press(m, "L")
	fr := frame()
	for _, w := range []string{"1 Utilisateurs", "2 Inviter", "E-mail", "Statut", "Connexion", "Désactivé", "▸ Bruno Away"} {
		must(t, strings.Contains(fr, w), "after L, %q is not shown:\n%s", w, fr)
	}
	must(t, !strings.Contains(fr, "1 Users"), "after L, the tabs are still English:\n%s", fr)
	m = press(m, "L")
	fr = frame()
	for _, w := range []string{"1 Users", "Email", "Status", "Last login", "Deactivated", "▸ Bruno Away"} {
		must(t, strings.Contains(fr, w), "after L again, %q is not shown:\n%s", w, fr)
	}
	// On a user's page, L keeps the page: read again, in French; esc goes
	// back to the list, its cursor where it was.
	m = press(m, "enter", "L")
	fr = frame()
	must(t, strings.Contains(fr, "Bruno Away <bruno.away@example.com>") && strings.Contains(fr, "Prénom") &&
		strings.Contains(fr, "remplaçant ann.active@example.com"), "after L, Bruno's page is not shown in French:\n%s", fr)
	m = press(m, "esc")
	fr = frame()
	must(t, strings.Contains(fr, "▸ Bruno Away") && strings.Contains(fr, "Nom "), "back from the page, the list is not in French at Bruno:\n%s", fr)
}

// With a form changed, L refuses and says why; nothing typed is lost.
func TestLangSwitchKeepsChanges(t *testing.T) {
	f := newFixture(t)
	people(f)
	m := started(f, i18n.English, 160, 40)
	m = press(m, "enter", "e", "end", "x", "esc", "L")
	fr := drawn(m)
	must(t, strings.Contains(fr, "Save or discard your changes first, then press L again."), "L with a change does not refuse:\n%s", fr)
	must(t, strings.Contains(fr, "Annx") && strings.Contains(fr, "1 Users"), "the change or the language is lost:\n%s", fr)
	// In French, the refusal is French.
	m = press(m, "ctrl+s", "esc", "L", "enter", "e", "end", "y", "esc", "L")
	fr = drawn(m)
	must(t, strings.Contains(fr, "Enregistrez ou abandonnez d'abord vos modifications") && strings.Contains(fr, "Annxy"),
		"L in French with a change does not refuse in French:\n%s", fr)
}

// The tab bar fits every width from 80 columns in both languages: padded,
// then closed up, then with shortened names (the French ones at 80); the
// full names as long as they fit.
func TestTabsFit(t *testing.T) {
	f := newFixture(t)
	for _, lang := range i18n.Langs {
		opts := f.options(owner)
		opts.Lang = lang
		var m tea.Model = New(f.ctx, opts)
		m = drive(m, m.Init())
		for w := 80; w <= 130; w++ {
			m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			bar := ansi.Strip(m.(*Model).tabs())
			must(t, ansi.StringWidth(bar) <= w && !strings.Contains(bar, "…"), "%s at %d: %q", lang, w, bar)
			full := i18n.For(lang).T("Users")
			must(t, strings.Contains(bar, "1 "+full) == (w >= 109 || lang == i18n.English), "%s at %d: %q", lang, w, bar)
		}
	}
}

// In French the acts ask and answer in French, and y still says yes (the
// keys do not change with the language).
func TestFrenchActs(t *testing.T) {
	f := newFixture(t)
	people(f)
	m := started(f, i18n.French, 160, 40)
	frame := func() string { return drawn(m) }

	m = press(m, "x") // Ann, first by name
	must(t, strings.Contains(frame(), "Désactiver ann.active@example.com ? Cette personne ne pourra plus se connecter. y/n"), "x asks:\n%s", frame())
	m = press(m, "y")
	must(t, f.user("ann.active@example.com").Status == store.Deactivated, "y did not deactivate ann")
	must(t, strings.Contains(frame(), "ann.active@example.com est désactivé : x de nouveau le réactive."), "the outcome:\n%s", frame())

	m = press(m, "T", "n", "N", "u", "i", "t", "enter")
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Nuit'`) == 1, "n did not add the team:\n%s", frame())
	must(t, strings.Contains(frame(), "Équipe Nuit ajoutée."), "the outcome:\n%s", frame())
	m = press(m, "G", "x") // Support, last by name
	must(t, strings.Contains(frame(), "Retirer l'équipe Support ? 2 membres restent, sans elle. y/n"), "x asks:\n%s", frame())
	press(m, "y")
	must(t, f.count(`SELECT count(*) FROM teams WHERE name = 'Support'`) == 0, "y did not remove the team")
}

// The words the screens look up by a key held in a variable (the acts on a
// selection, the status filters, the sorts, the roles) have French texts:
// i18n's test sees only the literal keys.
func TestDynamicKeysInFrench(t *testing.T) {
	var keys []string
	for _, a := range selectionActs {
		keys = append(keys, a.name, a.doing, a.ask[0], a.ask[1], a.did)
		if a.pickWhat != "" {
			keys = append(keys, a.pickWhat)
		}
	}
	keys = append(keys, store.StatusFilters()...)
	keys = append(keys, store.Sorts()...)
	keys = append(keys, admin.Roles...)
	keys = append(keys, "all")
	fr := i18n.For(i18n.French)
	for _, k := range keys {
		must(t, fr.T(k) != k, "%q has no French text", k)
	}
}

// French words are wider than English ones; where the screen has the
// room, a column holds its French whole: an invitation that expired two
// days ago says "il y a 2 jours" (the column was cut at "il y a 2 jo…"),
// and the ledger's head says "Montant" over no rows yet.
func TestFrenchColumnsHoldTheirWords(t *testing.T) {
	f := newFixture(t)
	f.invite("ann.late@example.com")
	f.advance(4 * 24 * time.Hour) // the 48-hour link expired two days ago
	m := started(f, i18n.French, 160, 40)
	frame := func() string { return drawn(m) }
	m = press(m, "3")
	must(t, strings.Contains(frame(), "ann.late@example.com") && strings.Contains(frame(), "il y a 2 jours"), "Pending in French:\n%s", frame())
	m = press(m, "9")
	must(t, strings.Contains(frame(), "Montant"), "Billing in French:\n%s", frame())
}

// started is the owner's dashboard in lang, width by height, its first
// readings done.
func started(f *fixture, lang i18n.Lang, width, height int) tea.Model {
	opts := f.options(owner)
	opts.Lang = lang
	var m tea.Model = New(f.ctx, opts)
	m, _ = m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return drive(m, m.Init())
}

// drawn is m's frame without its colours.
func drawn(m tea.Model) string { return ansi.Strip(m.(*Model).frame()) }

// At 80 columns a question too long for its line is cut in the question,
// and keeps its answer: the y/n stays on screen, in French too.
func TestQuestionsKeepTheirAnswer(t *testing.T) {
	f := newFixture(t)
	f.addUser("archibald.longname-barnes@northwind-logistics.example", "Aaron", "Archibald", "member", store.Active)
	for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
		m := press(started(f, lang, 80, 24), "x") // Aaron, first by name
		var asked string
		for _, line := range strings.Split(drawn(m), "\n") {
			if strings.Contains(line, "archibald.longname") && strings.Contains(line, "?") {
				asked = strings.TrimRight(line, " ")
			}
		}
		must(t, strings.HasSuffix(asked, "… y/n") && cells(asked) <= 80, "%s, x asks: %q\n%s", lang, asked, drawn(m))
	}
}

// At 80x24 a user's page keeps its status line: the recent changes take
// only the lines left, and "Saved." shows after ctrl+s.
func TestUserPageSaysSavedAt80x24(t *testing.T) {
	f := newFixture(t)
	people(f)
	for i := range 6 { // changes enough to fill the page
		position := fmt.Sprintf("Agent %d", i)
		_, err := f.svc.Edit(f.ctx, f.op, "ann.active@example.com", 0, admin.Profile{Position: &position})
		must(t, err == nil, "edit: %v", err)
	}
	m := press(started(f, i18n.English, 80, 24), "enter", "e", "end", "x", "ctrl+s")
	frame := drawn(m)
	must(t, strings.Contains(frame, "Annx Active") && strings.Contains(frame, "Saved."), "after ctrl+s at 80x24:\n%s", frame)
	must(t, strings.Count(frame, "\n") < 24, "the frame is %d lines high:\n%s", strings.Count(frame, "\n")+1, frame)
}

// The Invite screen at 80x24 with more rows than fit shows the rows around
// the one being typed in, and says how many more there are; a batch's
// refusals come first, and a row refused for want of an address is named
// by its number and name; the count on ctrl+s is of the rows with an
// address.
func TestInviteRowsFitTheScreen(t *testing.T) {
	f := newFixture(t)
	keys := []string{"2"}
	for i := 1; i <= 20; i++ {
		if i > 1 {
			keys = append(keys, "ctrl+n")
		}
		keys = append(keys, fmt.Sprintf("p%d", i))
	}
	keys = append(keys, "tab", "tab", "p20@example.com")
	m := press(started(f, i18n.English, 80, 24), keys...)
	frame := drawn(m)
	must(t, strings.Contains(frame, "20▸ p20") && strings.Contains(frame, "↑ ") && strings.Contains(frame, "ctrl+s invite 1 "),
		"typing in row 20 of 20:\n%s", frame)
	must(t, strings.Count(frame, "\n") < 24, "the frame is %d lines high:\n%s", strings.Count(frame, "\n")+1, frame)
	m = press(m, "ctrl+s")
	frame = drawn(m)
	must(t, strings.Contains(frame, "✗ row 1 (p1): Email is empty") && strings.Contains(frame, "more"), "after ctrl+s:\n%s", frame)
	must(t, f.user("p20@example.com") != nil, "p20 was not invited")
	must(t, strings.Count(frame, "\n") < 24, "the frame is %d lines high:\n%s", strings.Count(frame, "\n")+1, frame)
}

// esc on a person opened from the Away list goes back to the list; opened
// from the Users screen (a), back to Users.
func TestAwayEscGoesBackWhereItCameFrom(t *testing.T) {
	f := newFixture(t)
	people(f)
	m := press(started(f, i18n.English, 160, 40), "5", "enter")
	must(t, strings.Contains(drawn(m), "Away: Bruno Away"), "enter on the Away list:\n%s", drawn(m))
	m = press(m, "esc")
	must(t, strings.Contains(drawn(m), "Who is away, now and in the next 14 days"), "esc from a person of the Away list:\n%s", drawn(m))
	m = press(m, "esc", "1", "j", "a")
	must(t, strings.Contains(drawn(m), "Away: Bruno Away"), "a on Bruno:\n%s", drawn(m))
	m = press(m, "esc")
	must(t, strings.Contains(drawn(m), "▸ Bruno Away"), "esc from a person opened on Users:\n%s", drawn(m))
}

// Pending with nothing to show keeps its heads in their columns.
func TestPendingHeadsWithoutRows(t *testing.T) {
	f := newFixture(t)
	m := press(started(f, i18n.French, 160, 40), "3")
	must(t, strings.Contains(drawn(m), "    E-mail ") && strings.Contains(drawn(m), "Aucune invitation en attente."), "Pending, empty:\n%s", drawn(m))
}

// ? lists every key of the screen and the global ones, even at 80x24: the
// help package's own view cut its columns at the width, and the Users
// screen's acts (m, x, S…) were not shown.
func TestHelpShowsEveryKey(t *testing.T) {
	f := newFixture(t)
	people(f)
	for _, lang := range []i18n.Lang{i18n.English, i18n.French} {
		m := press(started(f, lang, 80, 24), "?")
		r := m.(*Model)
		frame := drawn(m)
		showsEveryKey(t, string(lang), frame, 24, (footer{r.screens[r.active], r.keys}).FullHelp())
	}
}

// showsEveryKey fails unless frame, at most height lines, shows each
// enabled key of groups with the start of its words.
func showsEveryKey(t *testing.T, what, frame string, height int, groups [][]key.Binding) {
	t.Helper()
	must(t, strings.Count(frame, "\n") < height, "%s: the frame is %d lines high:\n%s", what, strings.Count(frame, "\n")+1, frame)
	for _, group := range groups {
		for _, b := range group {
			h := b.Help()
			if !b.Enabled() || h.Key == "" {
				continue
			}
			desc := []rune(h.Desc)
			re := regexp.MustCompile(`(^|  )` + regexp.QuoteMeta(h.Key) + ` +` + regexp.QuoteMeta(string(desc[:min(5, len(desc))])))
			must(t, re.MatchString(strings.ReplaceAll(frame, "\n", "\n  ")), "%s: %s (%s) is not shown:\n%s", what, h.Key, h.Desc, frame)
		}
	}
}

// French agrees what a batch did in number with the rows it did it to, and
// the count of rows shown: one text in English.
func TestFrenchBatchAgrees(t *testing.T) {
	f := newFixture(t)
	f.stuckMany(2, 0)
	m := started(f, i18n.French, 160, 40)
	m = press(m, "3", "s", "A", "r", "y")
	must(t, f.resent() == 2 && strings.Contains(drawn(m), "2 sur 2 : invitations renvoyées"), "%d resent, and:\n%s", f.resent(), drawn(m))
	m = press(m, "7")
	must(t, strings.Contains(drawn(m), "affichés"), "the outbox's count:\n%s", drawn(m))
}
