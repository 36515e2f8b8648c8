package tui

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
)

// The README's sample of the main screen is the Users screen as go run .
// draws it, 100 columns wide, on the sample's five people: it had kept a
// footer of keys and columns the screen no longer had. A change to the
// screen changes the README with it.
func TestReadmeSampleIsTheUsersScreen(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	must(t, err == nil, "%v", err)
	_, rest, ok := strings.Cut(string(readme), "## What it looks like\n\n```\n")
	sample, _, ok2 := strings.Cut(rest, "```\n")
	must(t, ok && ok2, "the README's sample was not found")

	f := newEmpty(t)
	boss := "boss@acme.test"
	must(t, f.svc.Init(f.ctx, "Acme", boss, "Bérénice", "Boss", admin.ChannelCLI) == nil, "init")
	f.op = admin.Actor{Email: boss, Channel: admin.ChannelCLI}
	must(t, f.svc.AddTeam(f.ctx, f.op, "Support") == nil, "add team")
	res, err := f.svc.Invite(f.ctx, f.op, []admin.NewUser{
		{Email: "chloe.martin@acme.test", FirstName: "Chloé", LastName: "Martin", Teams: []string{"Support"}},
		{Email: "mona@acme.test", FirstName: "Mona", LastName: "Lisa", Role: "manager", Teams: []string{"Support"}},
		{Email: "ned@acme.test"}, {Email: "ola@acme.test"},
	}, admin.InviteOptions{})
	must(t, err == nil, "invite: %v", err)
	for _, r := range res {
		must(t, r.Err == nil, "invite %s: %v", r.Email, r.Err)
	}
	// Mona accepted (the web page's part), and is away for ten days.
	_, err = f.raw.Exec("UPDATE users SET status = 'active', activated_at = 1 WHERE email = 'mona@acme.test'")
	must(t, err == nil, "%v", err)
	_, err = f.svc.SetAway(f.ctx, f.op, "mona@acme.test", admin.AwayRequest{Until: f.svc.Now().Add(10 * 24 * time.Hour), StandIn: "team:Support"})
	must(t, err == nil, "away: %v", err)

	opts := f.options(boss)
	opts.Lang = i18n.English
	m := New(f.ctx, opts)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 20})
	m = drive(m, m.Init())
	frame := ansi.Strip(m.(interface{ frame() string }).frame())
	// As the README writes a frame: no spaces at the ends of lines, one
	// blank line where the screen leaves several.
	var lines []string
	for _, l := range strings.Split(frame, "\n") {
		l = strings.TrimRight(l, " ")
		if l == "" && len(lines) > 0 && lines[len(lines)-1] == "" {
			continue
		}
		lines = append(lines, l)
	}
	got := strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
	// The away period's end is the test clock's, cut short at this width.
	got = regexp.MustCompile(`Away until \S+…`).ReplaceAllString(got, "Away until 1…")
	if got != sample {
		t.Errorf("the README's sample is not the Users screen at 100 columns; the screen:\n%s\nthe README:\n%s", got, sample)
	}
}
