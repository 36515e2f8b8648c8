package main

// End-to-end tests: the built binary in tmux, typed at with send-keys and read
// with capture-pane; roster serve through OpenSSH's client; the invitation
// pages in headless chromium. Each action is checked afterwards with the
// command line, as an operator would.

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	gossh "golang.org/x/crypto/ssh"
	"roster/i18n"
	"roster/internal/browser"
)

// TestE2EDashboardInTmux is issue 4's "done when": on a fresh database, the
// first-run setup, then by keys only: invite two people of whom one is a role
// mailbox that is refused, resend a stuck invitation, tick two permissions,
// set an away period with a stand-in and delete a user with an heir. It runs
// in each language (issue 17), the dashboard under ROSTER_LANG, the command
// line that checks the results in English.
func TestE2EDashboardInTmux(t *testing.T) {
	need(t, "tmux")
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) { dashboardInTmux(t, lang) })
	}
}

// dashboardInTmux is TestE2EDashboardInTmux in lang. Each text it waits for
// is made from the catalogue, so that it follows the translation; names and
// emails do not translate.
func dashboardInTmux(t *testing.T, lang i18n.Lang) {
	pr := i18n.For(lang)
	say := pr.T
	if lang != i18n.English {
		// One text a screen at least must read differently, or a dashboard
		// left in English would pass.
		for _, k := range []string{"Welcome to roster", "acting as", "Invite people", "Pending invitations",
			"Nothing is stuck.", "Permissions of %s", "Before saving:", "who is away? type a name or an email",
			"stand-in: a name, an email or a team", "whom to delete? type a name or an email", "Deleted %s: %s."} {
			if say(k) == k {
				t.Fatalf("%q reads the same in %s and English: the run would not show the dashboard is in %s", k, lang, lang)
			}
		}
	}
	// field matches a form's line: its label, padded to the form's label
	// column (as wide as its longest label, so not the same in each
	// language), then its value.
	field := func(label, value string) func(string) bool {
		return regexp.MustCompile(regexp.QuoteMeta(label) + " +" + regexp.QuoteMeta(value)).MatchString
	}
	// moveTo is the line of the Delete preview that hands one open
	// conversation to heir.
	moveTo := func(heir string) string {
		return say("move %s to %s", pr.N(1, "%s open conversation", "%s open conversations"), heir)
	}

	e := newE2E(t)
	x := newTmux(e)
	// The README's first run: no --db, the data directory's database made.
	e.db = e.dataDirDB()
	p := x.start("dashboard", 120, 40, "env", "ROSTER_LANG="+string(lang), e.bin)

	// First run: the organisation and its owner; enter on the last field creates them.
	p.waitFor(say("Welcome to roster"), say("Organisation"))
	p.typ("Acme")
	p.keys("Enter")
	p.typ("boss@acme.test")
	p.keys("Enter")
	p.typ("Big")
	p.keys("Enter")
	p.typ("Boss")
	p.keys("Enter")
	p.waitFor(say("acting as")+" boss@acme.test (tui)", "1 "+say("Users"), "Acme")

	// Meanwhile, with the command line: hugo and dora have accepted their
	// invitations, dora owns a conversation, and sam's invitation is stuck:
	// expired, and sent over a minute ago, so that it may be resent now.
	e.cli("invite", "hugo@acme.test", "--first", "Hugo", "--last", "Heir")
	e.cli("invite", "dora@acme.test", "--first", "Dora", "--last", "Leaving")
	e.cli("invite", "sam@acme.test", "--first", "Sam", "--last", "Stuck")
	now := time.Now().Unix()
	sqlExec(t, e.db, "UPDATE users SET status = 'active', activated_at = ? WHERE email IN ('hugo@acme.test', 'dora@acme.test')", now)
	sqlExec(t, e.db, "UPDATE tokens SET expires_at = ?, created_at = created_at - 120 WHERE user_id = (SELECT id FROM users WHERE email = 'sam@acme.test')", now-3600)
	e.cli("conversations", "add", "--subject", "Order 42", "--to", "dora@acme.test")
	// The Users screen sees the other process's changes by itself.
	p.waitFor("sam@acme.test", "dora@acme.test", "hugo@acme.test")

	// Invite: Ann on the first row, the maintenance mailbox on a second one,
	// refused as it is typed and again when the invitations are sent. The
	// refusal is awaited up to its first comma: the rest may be cut.
	roleMailbox, _, _ := strings.Cut(say("%s is a role or department mailbox, not a person (ctrl+o accepts role mailboxes)", "maintenance@acme.test"), ",")
	p.keys("2")
	p.waitFor(say("Invite people"), say("Job title"))
	p.typ("Ann")
	p.keys("Tab")
	p.typ("Archer")
	p.keys("Tab")
	p.typ("ann@acme.test")
	p.keys("C-n")
	p.typ("Mae")
	p.keys("Tab")
	p.typ("Tenance")
	p.keys("Tab")
	p.typ("maintenance@acme.test")
	p.waitFor(roleMailbox)
	p.keys("C-s")
	p.waitFor(say("✓ %s invited: the invitation is on its way", "ann@acme.test"),
		say("✗ %s: %s", "maintenance@acme.test", say("email")+" "+roleMailbox))
	p.keys("Escape")
	p.waitFor("enter " + say("fill in the form"))

	// Pending: only the stuck ones, then r resends the one under the cursor.
	stuck, _, _ := strings.Cut(say("Stuck invitations (expired, or their mail failed or is deferred)"), " (")
	p.keys("3")
	p.waitFor(say("Pending invitations"), "ann@acme.test", "sam@acme.test")
	p.keys("s")
	screen := p.waitUntil(e2eWait, "the stuck invitations, read", func(s string) bool {
		return strings.Contains(s, stuck) && !strings.Contains(s, say("reading…")) && strings.Contains(s, "sam@acme.test")
	})
	if !strings.Contains(screen, say("%s shown", pr.Num(1))) || strings.Contains(screen, "ann@acme.test") {
		t.Fatalf("stuck invitations: want only sam's:\n%s", screen)
	}
	p.keys("r")
	p.waitFor(say("%s of %s %s", pr.Num(1), pr.Num(1), say("resent"))+".", say("Nothing is stuck."))

	// Permissions: choose Ann, tick "Invite people" (the first box) and
	// "Everyone's conversations" (five below), review, save.
	p.keys("4")
	p.waitFor(say("%s: choose a user", say("Permissions")), say("whose permissions? type a name or an email"))
	p.typ("ann")
	p.waitFor("Ann Archer <ann@acme.test>")
	p.keys("Enter")
	p.waitFor(say("Permissions of %s", "Ann Archer <ann@acme.test>"), "[ ]  "+say("Invite people"), "[ ]  "+say("Everyone's conversations"))
	// The five j go in one write, as from a held key or over a slow link:
	// each still moves the cursor.
	p.keys("Space")
	p.typ("jjjjj")
	p.keys("Space")
	p.waitFor("[x]* "+say("Invite people"), "[x]* "+say("Everyone's conversations"), say("(unsaved)"))
	p.keys("Enter")
	p.waitFor(say("Before saving:"), "+ users.invite", "+ data.all")
	p.keys("Enter")
	added, _, _ := strings.Cut(say("; added %s", "\x00"), "\x00")
	p.waitFor(say("Saved: %s is %s", "ann@acme.test", say("member"))+added, "users.invite", "data.all")

	// Away: Ann for a week, Hugo standing in, with a note.
	p.keys("5")
	p.waitFor(say("Away: choose a user"), say("who is away? type a name or an email"))
	p.typ("ann")
	p.waitFor("Ann Archer <ann@acme.test>")
	p.keys("Enter")
	p.waitFor(say("Away: %s", "Ann Archer <ann@acme.test>"), say("Until"))
	p.typ("+7d")
	p.keys("Tab")
	p.waitFor(say("enter: find a user or a team"))
	p.keys("Enter")
	p.waitFor(say("stand-in: a name, an email or a team"))
	p.typ("hugo")
	p.waitFor("Hugo Heir <hugo@acme.test>")
	p.keys("Enter")
	p.waitUntil(e2eWait, "the stand-in hugo@acme.test", field(say("Stand-in"), "hugo@acme.test"))
	p.typ("holidays")
	p.keys("C-s")
	awaySaved, _, _ := strings.Cut(say("Saved: %s is away %s.", "ann@acme.test", "\x00"), "\x00")
	p.waitFor(awaySaved, "  "+say("(now)"), "\n    "+say("stand-in %s: %s", "hugo@acme.test", "holidays"))

	// Delete: Dora, whose conversation goes to Hugo.
	p.keys("6")
	p.waitFor(say("%s: choose a user", say("Delete")), say("whom to delete? type a name or an email"))
	p.typ("dora")
	p.waitFor("Dora Leaving <dora@acme.test>")
	p.keys("Enter")
	p.waitFor(say("Delete %s", "Dora Leaving <dora@acme.test>"), say("Open conversations: %s, %s to close", pr.Num(1), pr.Num(0)),
		"Order 42", moveTo(say("the heir")))
	p.keys("Enter")
	p.waitFor(say("heir: a name or an email"))
	p.typ("hugo")
	p.waitFor("Hugo Heir <hugo@acme.test>")
	p.keys("Enter")
	p.waitUntil(e2eWait, "the heir hugo@acme.test", field(say("Heir"), "hugo@acme.test"))
	p.waitFor(moveTo("hugo@acme.test"))
	p.typ("dora@acme.test")
	p.keys("Enter")
	p.waitFor(say("Deleted %s: %s.", "dora@acme.test", pr.N(1, "moved %d open conversation to %s", "moved %d open conversations to %s", 1, "hugo@acme.test")))

	// The refused row is still on the Invite screen: quitting asks first,
	// and y quits in either language.
	quit, _, _ := strings.Cut(say("There are unsaved changes. Quit anyway? y to quit, any other key to stay"), " y ")
	p.keys("q")
	p.waitFor(quit)
	p.keys("y")
	if status := p.waitExit(); status != 0 {
		t.Fatalf("roster exited with %d; %s", status, p.report())
	}
	p.checkStderr()

	// Now the command line checks each result.
	e.cliFails("not found", "user", "maintenance@acme.test")
	ann := cliJSON[e2eUser](e, "user", "ann@acme.test")
	if ann.Status != "invited" || ann.Role != "member" {
		t.Errorf("ann is %s %s, want an invited member", ann.Status, ann.Role)
	}
	perms := slices.Sorted(slices.Values(ann.Perms))
	if want := []string{"analytics.own", "data.all", "data.team", "users.invite"}; !slices.Equal(perms, want) {
		t.Errorf("ann's permissions %v, want the member's preset and the two ticked: %v", perms, want)
	}
	if !ann.Away || len(ann.AwayPeriods) != 1 {
		t.Fatalf("ann: away %v, periods %+v; want one current period", ann.Away, ann.AwayPeriods)
	}
	period := ann.AwayPeriods[0]
	if period.StandIn != "hugo@acme.test" || period.Note != "holidays" {
		t.Errorf("ann's period: stand-in %q, note %q", period.StandIn, period.Note)
	}
	if d := time.Until(period.End); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("ann's period ends %v, want in about a week", period.End)
	}

	invites := cliJSON[[]e2eInvitation](e, "invites")
	var sam *e2eInvitation
	for i := range invites {
		if invites[i].Email == "sam@acme.test" {
			sam = &invites[i]
		}
	}
	if sam == nil || sam.TimesSent != 2 || sam.Expired || sam.Stuck || time.Until(sam.ExpiresAt) < time.Hour {
		t.Errorf("sam's invitation after the resend: %+v; want sent twice, with a new, unexpired link", sam)
	}

	e.cliFails("not found", "user", "dora@acme.test")
	hugo := cliJSON[e2eUser](e, "user", "hugo@acme.test")
	if len(hugo.Conversations) != 1 || hugo.Conversations[0].Subject != "Order 42" {
		t.Errorf("hugo's conversations %+v, want dora's Order 42", hugo.Conversations)
	}

	// Each action of the dashboard is audited as the owner through the
	// channel tui; what the command line did, through cli.
	want := map[string]bool{
		"account.init boss@acme.test": false, "user.invite ann@acme.test": false, "invite.resend sam@acme.test": false,
		"user.perms ann@acme.test": false, "away.set ann@acme.test": false, "user.delete dora@acme.test": false,
	}
	for _, a := range cliJSON[[]e2eAudit](e, "audit", "--limit", "100") {
		key := a.Action + " " + a.Target
		if strings.Contains(a.Target, "maintenance") {
			t.Errorf("the refused role mailbox was audited: %+v", a)
		}
		if a.Channel != "tui" {
			if _, ok := want[key]; ok || a.Channel != "cli" {
				t.Errorf("audit %s through %q", key, a.Channel)
			}
			continue
		}
		if _, ok := want[key]; !ok || a.Actor != "boss@acme.test" {
			t.Errorf("unexpected audit row from the dashboard: %+v", a)
		}
		want[key] = true
	}
	for key, seen := range want {
		if !seen {
			t.Errorf("no audit row %s through the channel tui", key)
		}
	}
}

// TestE2ESelectionChangesRoles is issue 15's tmux flow: on Users, space
// selects three people, m changes their role after asking with the count,
// and the audit trail shows the three changes, on the dashboard and through
// the command line.
func TestE2ESelectionChangesRoles(t *testing.T) {
	need(t, "tmux")
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	for _, n := range []string{"Ann", "Bob", "Cy", "Dan"} {
		e.cli("invite", strings.ToLower(n)+"@acme.test", "--first", n, "--last", "Test")
	}
	x := newTmux(e)
	p := x.start("dashboard", 120, 40, e.bin, "--db", e.db)
	// By name: Ann, Big Boss, Bob, Cy, Dan; the cursor on Ann.
	p.waitFor("acting as boss@acme.test (tui)", "ann@acme.test", "dan@acme.test")
	p.keys("Space")
	p.waitFor("1 user selected")
	p.typ("j") // past Big Boss
	p.keys("Space", "Space")
	p.waitFor("3 users selected · m acts on them")
	p.typ("m")
	p.waitFor("Act on 3 users:")
	p.typ("1")
	p.waitFor("Change role:")
	p.typ("3")
	p.waitFor("Change the role of 3 users to manager? y/n")
	p.typ("y")
	p.waitFor("3 of 3 made manager.")
	for email, role := range map[string]string{"ann@acme.test": "manager", "bob@acme.test": "manager", "cy@acme.test": "manager",
		"dan@acme.test": "member", "boss@acme.test": "owner"} {
		if u := cliJSON[e2eUser](e, "user", email); u.Role != role {
			t.Errorf("%s is %s, want %s", email, u.Role, role)
		}
	}
	if got := auditTargets(e, "user.perms"); !slices.Equal(got, []string{"ann@acme.test tui", "bob@acme.test tui", "cy@acme.test tui"}) {
		t.Errorf("user.perms audit rows: %q, want ann's, bob's and cy's through the dashboard", got)
	}
	// The dashboard's own audit screen shows them too.
	p.keys("8")
	p.waitFor("user.perms", "ann@acme.test", "bob@acme.test", "cy@acme.test")
	p.checkStderr()
}

// TestE2EOpenSSHInTmux is issue 5's SSH side through OpenSSH's own client:
// roster serve on loopback, the owner's key added with the command line, two
// ssh sessions in tmux. An invitation made through the screens of one is the
// owner's, audited through the channel ssh, and shows in the other within a
// second or two.
func TestE2EOpenSSHInTmux(t *testing.T) {
	need(t, "tmux", "ssh")
	e := newE2E(t)
	srv, ssh := e.serveSSH()
	x := newTmux(e)
	started := time.Now()
	first := x.start("first", 120, 40, ssh...)
	second := x.start("second", 120, 40, ssh...)
	first.waitFor("acting as boss@acme.test (ssh)", "1 Users", "Acme")
	t.Logf("ssh to the first screen: %v", time.Since(started).Round(10*time.Millisecond))
	second.waitFor("acting as boss@acme.test (ssh)", "Big Boss", "boss@acme.test")
	if strings.Contains(second.last, "nina@acme.test") {
		t.Fatalf("nina is listed before she was invited:\n%s", second.last)
	}

	first.keys("2")
	first.waitFor("Invite people", "Job title")
	first.typ("Nina")
	first.keys("Tab")
	first.typ("Novak")
	first.keys("Tab")
	first.typ("nina@acme.test")
	first.keys("C-s")
	first.waitFor("✓ nina@acme.test invited")
	invited := time.Now()
	second.waitUntil(2*time.Second, "nina in the other session within 2 s", func(s string) bool {
		return strings.Contains(s, "nina@acme.test")
	})
	t.Logf("the other session showed the invitation %v after the first did", time.Since(invited).Round(10*time.Millisecond))

	// Both leave; ssh ends cleanly.
	first.keys("Escape")
	first.waitFor("enter fill in the form")
	first.keys("q")
	second.keys("q")
	for _, p := range []*pane{first, second} {
		if status := p.waitExit(); status != 0 {
			t.Errorf("%s: ssh exited with %d; %s", p.name, status, p.report())
		}
	}

	boss := cliJSON[e2eUser](e, "user", "boss@acme.test")
	nina := cliJSON[e2eUser](e, "user", "nina@acme.test")
	if nina.Status != "invited" || nina.InvitedBy != boss.ID {
		t.Errorf("nina: %s, invited by user %d; want invited by the owner (%d)", nina.Status, nina.InvitedBy, boss.ID)
	}
	invites := cliJSON[[]e2eInvitation](e, "invites")
	if len(invites) != 1 || invites[0].Email != "nina@acme.test" || invites[0].InvitedBy != "boss@acme.test" {
		t.Errorf("invitations: %+v", invites)
	}
	trail := cliJSON[[]e2eAudit](e, "audit", "--user", "nina@acme.test")
	if len(trail) != 1 || trail[0].Action != "user.invite" || trail[0].Actor != "boss@acme.test" || trail[0].Channel != "ssh" {
		t.Errorf("nina's audit trail: %+v; want one invitation by the owner through ssh", trail)
	}

	// A third is open when the server stops, which ends it: routine, not
	// an error line in another format (wish's "app exit with error").
	third := x.start("third", 120, 40, ssh...)
	third.waitFor("acting as boss@acme.test (ssh)")
	if err := srv.stop(); err != nil {
		t.Errorf("roster serve did not stop cleanly on SIGINT: %v\n%s", err, srv.Logs())
	}
	logs := srv.Logs()
	// One line per session, when it ends, with its operator and what it ran.
	for _, want := range []string{`msg="ssh session"`, "operator=boss@acme.test command=dashboard"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the server's log lacks %q:\n%s", want, logs)
		}
	}
	for _, bad := range []string{"DATA RACE", "panic", "app exit with error"} {
		if strings.Contains(logs, bad) {
			t.Errorf("the server's log holds %q:\n%s", bad, logs)
		}
	}
}

// serveSSH makes an account whose owner, boss@acme.test, has a key, runs
// roster serve with SSH (and the extra arguments given), and returns the
// server and the OpenSSH command line that opens the owner's dashboard on it.
func (e *e2eEnv) serveSSH(extra ...string) (*process, []string) {
	t := e.t
	t.Helper()
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := writePrivateKey(t, e.dir, "boss_ed25519", priv)
	if err := os.WriteFile(key+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	e.cli("keys", "add", "boss@acme.test", key+".pub")

	addr := freePort(t)
	if !slices.Contains(extra, "--http") {
		// Not the default :8080, which roster's own dashboard (the README's
		// first command) or anything else on the machine may hold.
		extra = append([]string{"--http", freePort(t)}, extra...)
	}
	srv := e.startProcess(append([]string{"serve", "--ssh", addr}, extra...)...)
	srv.waitLog("serving")
	// The host key was made on first start in the data directory: ssh
	// checks the server against it, strictly.
	knownHosts := e.knownHosts(addr, filepath.Join(e.dir, "home", ".local", "share", "roster", "ssh_host_ed25519"))
	host, port, _ := net.SplitHostPort(addr)
	return srv, []string{"ssh", "-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
		"-o", "LogLevel=ERROR", "-t", "roster@" + host}
}

// TestE2EBrowserFromCapturedMail is issue 5's web side: roster serve with
// its embedded capture server, an invitation made with the command line, the
// link taken from the mail the capture server received, and headless
// chromium through choosing a password and signing in. The command line then
// finds the person active with one login.
func TestE2EBrowserFromCapturedMail(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	web := freePort(t)
	base := "http://" + web
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base)
	srv.waitLog("serving")
	e.cli("invite", "zoe@acme.test", "--first", "Zoe", "--last", "Zed", "--locale", "en")

	link := e.capturedLink(srv, "zoe@acme.test", base+"/invite/")

	bctx := browser.New(t, time.Minute)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, srv.Logs())
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		check("read "+sel, err)
		return s
	}
	submit := func(what string) {
		t.Helper()
		_, err := chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.Click(chromedp.CSS(`button[type=submit]`))))
		check(what, err)
	}
	const password = "four words make a password"

	// Opening the link twice (a mail scanner, then the person) uses nothing.
	check("open the link", chromedp.Do(bctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("password"))))
	check("open the link again", chromedp.Do(bctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("password"))))
	if h := text("h1"); h != "Welcome to Acme" {
		t.Errorf("the invitation page's heading: %q", h)
	}
	email, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("email")))
	check("read the address", err)
	if email != "zoe@acme.test" {
		t.Errorf("the invitation page is for %q", email)
	}
	check("type the password twice", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.SendKeys(chromedp.ID("password2"), password)))
	submit("set the password")
	if h := text("h1"); h != "Your account is ready" {
		t.Fatalf("after setting the password: %q; page: %q", h, text("main"))
	}

	check("open the sign-in page", chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "zoe@acme.test"),
		chromedp.SendKeys(chromedp.ID("password"), password)))
	submit("sign in")
	if main := text("main"); !strings.Contains(main, "You are signed in") || !strings.Contains(main, "Welcome, Zoe Zed") {
		t.Fatalf("after signing in: %q", main)
	}

	// The link worked once.
	check("open the used link", chromedp.Do(bctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1"))))
	if h := text("h1"); h != "This link has already been used" {
		t.Errorf("the used link says %q", h)
	}

	zoe := cliJSON[e2eUser](e, "user", "zoe@acme.test")
	if zoe.Status != "active" || zoe.LoginCount != 1 || zoe.LastLoginAt == "" {
		t.Errorf("zoe is %s with %d logins (last %q), want active with one", zoe.Status, zoe.LoginCount, zoe.LastLoginAt)
	}
	accepted := false
	for _, a := range cliJSON[[]e2eAudit](e, "audit", "--user", "zoe@acme.test") {
		accepted = accepted || (a.Action == "invite.accept" && a.Channel == "web")
	}
	if !accepted {
		t.Error("no audit row of zoe accepting her invitation through the web")
	}
	if err := srv.stop(); err != nil {
		t.Errorf("roster serve did not stop cleanly on SIGINT: %v\n%s", err, srv.Logs())
	}
	if logs := srv.Logs(); strings.Contains(logs, "DATA RACE") || strings.Contains(logs, "panic") ||
		strings.Contains(logs, strings.TrimPrefix(link, base+"/invite/")) {
		t.Errorf("the server's log holds a race, a panic or the link's token:\n%s", logs)
	}
}
