package admin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Role and department mailboxes are not people: refused unless the operator
// allows them, matched on the whole local part only.
func TestRoleMailboxesRefused(t *testing.T) {
	cases := []struct {
		email string
		role  bool
	}{
		{"maintenance@acme.fr", true},
		{"comptabilité@acme.fr", true},
		{"Comptabilite@acme.fr", true},
		{"noreply@acme.fr", true},
		{"no-reply@acme.fr", true},
		{"Support@acme.fr", true},
		{"info@acme.fr", true},
		{"contact@acme.fr", true},
		{"admin@acme.fr", true},
		{"sales@acme.fr", true},
		{"billing@acme.fr", true},
		{"hr@acme.fr", true},
		{"team@acme.fr", true},
		{"accueil@acme.fr", true},
		{"compta@acme.fr", true},
		{"direction@acme.fr", true},
		{"rh@acme.fr", true},
		{"recrutement@acme.fr", true},
		{"informatique@acme.fr", true},
		{"facturation@acme.fr", true},
		{"secrétariat@acme.fr", true},
		{"equipe@acme.fr", true},
		{"MAINTENANCE@acme.fr", true},
		{"maintenance+paris@acme.fr", true},
		{"Support+Urgent@acme.fr", true},
		{"ｍａｉｎｔｅｎａｎｃｅ@acme.fr", true},
		{"jean+info@acme.fr", false},
		{"no.reply@acme.fr", true},
		{"ne_pas_repondre@acme.fr", true},
		{"Ne.Pas.Répondre@acme.fr", true},
		{"service.client@acme.fr", true},
		{"help-desk@acme.fr", true},
		{"mailer_daemon@acme.fr", true},
		{"jean.info@acme.fr", false},
		{"dean@acme.fr", false},
		{"paris@acme.fr", false},
		{"marie.curie@acme.fr", false},
		{"info.jean@acme.fr", false},
		{"supportive@acme.fr", false},
		{"tom.hr@acme.fr", false},
	}
	for _, c := range cases {
		t.Run(c.email, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			before := f.snapshot()
			res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: c.email}}, InviteOptions{})
			must(t, err)
			if !c.role {
				must(t, res[0].Err)
				if !f.exists(c.email) {
					t.Fatal("not invited")
				}
				return
			}
			wantInput(t, res[0].Err, "email", "role or department mailbox")
			f.unchanged(before)
			if err := f.svc.CheckNewUser(f.ctx, f.owner, NewUser{Email: c.email}, InviteOptions{}); err == nil {
				t.Fatal("CheckNewUser accepts a role mailbox")
			}

			res, err = f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: c.email}}, InviteOptions{AllowRoleAddress: true})
			must(t, err)
			must(t, res[0].Err)
			if !f.exists(c.email) {
				t.Fatal("not invited with AllowRoleAddress")
			}
		})
	}
}

// Addresses are trimmed, checked against the length limits, written in NFC,
// refused when they mix look-alike scripts, and stored with their domain in
// lower case.
func TestEmailNormalised(t *testing.T) {
	label := func(n int) string { return strings.Repeat("d", n) }
	local64 := strings.Repeat("l", 64)
	// 64 + 1 + 189 = 254 characters.
	domain189 := label(63) + "." + label(63) + "." + label(58) + ".fr"
	cases := []struct {
		in, want string // want "" means refused
		why      string
	}{
		{"  Jean.Dupont@Example.FR ", "Jean.Dupont@example.fr", ""},
		{"élodie@exemple.fr", "élodie@exemple.fr", ""},
		{"a+tag@b.co", "a+tag@b.co", ""},
		{local64 + "@" + domain189, local64 + "@" + domain189, ""},
		{local64 + "@" + domain189 + "r", "", "at most 254"},
		{local64 + "@x.fr", local64 + "@x.fr", ""},
		{local64 + "l@x.fr", "", "at most 64"},
		{"jean.dupont.example.fr", "", "no @"},
		{"@example.fr", "", "nothing before the @"},
		{"jean@localhost", "", "no dot"},
		{"jean..dupont@example.fr", "", "misplaced dot"},
		{".jean@example.fr", "", "misplaced dot"},
		{"jean dupont@example.fr", "", "spaces or control"},
		{"jean@exa_mple.fr", "", "not valid"},
		{"jean@-example.fr", "", "not valid"},
		{"jean@example.123", "", "not valid"},
		{"jean\u202e@example.fr", "", "spaces or control"},
		{"jean\u200b@example.fr", "", "spaces or control"},
		{"jean@exa\ufeffmple.fr", "", "spaces or control"},
		{"", "", "is empty"},
		// Accents typed as combining marks are composed, not refused.
		{"Andre\u0301@Acme.test", "André@acme.test", ""},
		{"jan@MU\u0308NCHEN.example", "jan@münchen.example", ""},
		{"q\u0303uinn@acme.test", "q\u0303uinn@acme.test", ""}, // no composed q̃: the mark stays
		{"\u0301quinn@acme.test", "", "not allowed before the @"},
		// One script per local part, as UTS #39 asks; digits and marks go with any.
		{"иван2@acme.test", "иван2@acme.test", ""},
		{"山田たろう@acme.test", "山田たろう@acme.test", ""},
		{"김민준漢@acme.test", "김민준漢@acme.test", ""},
		{"p\u0430ypal@acme.test", "", "mixes Latin and Cyrillic letters"},
		{"\u03b1lpha@acme.test", "", "mixes Greek and Latin letters"},
		{"иван.ivanov@acme.test", "", "mixes Cyrillic and Latin letters"},
		{"たろうタロウ김@acme.test", "", "mixes Hiragana and Hangul letters"},
	}
	for _, c := range cases {
		got, err := NormalizeEmail(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("NormalizeEmail(%q) = %q, want an error", c.in, got)
				continue
			}
			wantInput(t, err, "email", c.why)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	// Through Invite: stored normalised, and unique whatever the case.
	f := newFixture(t)
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "  Jean.Dupont@Example.FR "}}, InviteOptions{})
	must(t, err)
	must(t, res[0].Err)
	if got := f.user("jean.dupont@example.fr").Email; got != "Jean.Dupont@example.fr" {
		t.Fatalf("stored %q", got)
	}
	before := f.snapshot()
	for _, again := range []string{"jean.dupont@example.fr", "JEAN.DUPONT@EXAMPLE.FR", "Jean.Dupont@example.fr"} {
		res, err = f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: again}}, InviteOptions{})
		must(t, err)
		wantInput(t, res[0].Err, "email", "already a user")
	}
	f.unchanged(before)
	// The store refuses a duplicate too, whatever the case.
	err = f.st.Write(f.ctx, func(q *store.Q) error {
		return q.InsertUser(f.ctx, &store.User{Email: "JEAN.dupont@example.fr", Role: "member", Status: store.Staged, Locale: "en", CreatedAt: f.now(), UpdatedAt: f.now()})
	})
	if err != store.ErrDuplicate {
		t.Fatalf("InsertUser of a case variant: %v, want ErrDuplicate", err)
	}
}

// One rule says which addresses are the same person's (store.EmailKey):
// inviting, finding, logging in and reading the audit trail all follow it,
// whatever the Unicode case, composed or decomposed accents, or the domain's
// IDNA form.
func TestOneAddressRule(t *testing.T) {
	f := newFixture(t)
	tok := f.invite("Zoé@acme.test", "")
	_, err := f.svc.UseLink(f.ctx, "invite", tok, password)
	must(t, err)
	f.invite("jan@münchen.example", "")

	before := f.snapshot()
	for _, again := range []string{"ZOÉ@acme.test", "zoe\u0301@acme.test", "ZOE\u0301@ACME.TEST", "jan@xn--mnchen-3ya.example", "Jan@MÜNCHEN.example"} {
		res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: again}}, InviteOptions{})
		must(t, err)
		if res[0].Err == nil {
			t.Errorf("%q invited again", again)
			continue
		}
		wantInput(t, res[0].Err, "email", "already a user")
	}
	f.unchanged(before)
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "chloé@acme.test"}, {Email: "CHLOE\u0301@acme.test"}}, InviteOptions{})
	must(t, err)
	if res[0].Err != nil || res[1].Err == nil {
		t.Fatalf("two spellings on two rows: %v, %v", res[0].Err, res[1].Err)
	}
	wantInput(t, res[1].Err, "email", "also on row 1")
	must(t, f.svc.Revoke(f.ctx, f.owner, []string{"CHLOÉ@ACME.TEST"})[0].Err)

	for _, e := range []string{"ZOÉ@acme.test", "zoe\u0301@ACME.test"} {
		d, err := f.svc.User(f.ctx, f.owner, e)
		if err != nil || d.User.Email != "Zoé@acme.test" {
			t.Fatalf("User(%q): %v, %v", e, d, err)
		}
		if u, err := f.svc.Login(f.ctx, e, password); err != nil || u.Email != "Zoé@acme.test" {
			t.Fatalf("Login(%q): %v, %v", e, u, err)
		}
		entries, err := f.svc.Audit(f.ctx, f.owner, store.AuditQuery{Target: e})
		must(t, err)
		if len(entries) == 0 {
			t.Errorf("Audit(%q) found nothing", e)
		}
	}
	if d, err := f.svc.User(f.ctx, f.owner, "JAN@xn--mnchen-3ya.example"); err != nil || d.User.Email != "jan@münchen.example" {
		t.Fatalf("User by the IDNA form: %v, %v", d, err)
	}
}

// Phone numbers are stored in E.164, national numbers read for the account's
// country as libphonenumber reads them, numbers their plan does not have
// refused.
func TestPhoneNormalised(t *testing.T) {
	cases := []struct {
		in, country, want string // want "" means refused
	}{
		{"06 12 34 56 78", "FR", "+33612345678"},
		{"06.12.34.56.78", "FR", "+33612345678"},
		{"+33 6 12 34 56 78", "FR", "+33612345678"},
		{"0033 6 12 34 56 78", "FR", "+33612345678"},
		{"33 6 12 34 56 78", "FR", "+33612345678"},   // the calling code without its +
		{"+33 06 12 34 56 78", "FR", "+33612345678"}, // France drops its trunk 0 after +33
		{"+33 (0)6 12 34 56 78", "GB", "+33612345678"},
		{"09 87 65 43 21", "FR", "+33987654321"},
		{"07 12 34 56 78", "FR", "refused"}, // 07 1… is not assigned
		{"0470 12 34 56", "BE", "+32470123456"},
		{"06 12 34 56 78", "BE", "refused"}, // Belgian 9-digit numbers are mobiles, 04…
		{"02 223 45 67", "BE", "+3222234567"},
		// Italy keeps its leading 0 after +39, and writes mobiles without one.
		{"+39 06 6982 1234", "FR", "+390669821234"},
		{"06 6982 1234", "IT", "+390669821234"},
		{"+39 (0)6 6982 1234", "FR", "+390669821234"},
		{"333 123 4567", "IT", "+393331234567"},
		{"+39 6 6982 1234", "FR", "refused"},
		{"612 34 56 78", "ES", "+34612345678"},
		{"07911 123456", "GB", "+447911123456"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"+44 (0)20 7946 0958", "FR", "+442079460958"},
		{"+44 20 7946 095", "FR", "refused"},
		// German numbers have variable lengths.
		{"030 123456", "DE", "+4930123456"},
		{"030 12345678", "DE", "+493012345678"},
		{"0151 23456789", "DE", "+4915123456789"},
		{"030 12", "DE", "refused"},
		{"(212) 555-0100", "US", "+12125550100"},
		{"1 212 555 0100", "US", "+12125550100"},
		{"011 33 6 12 34 56 78", "US", "+33612345678"},
		{"+1 212 555 0100", "FR", "+12125550100"},
		{"+1 123 555 0100", "FR", "refused"}, // no area code starts with 1
		{"+1 212 555", "FR", "refused"},
		{"+41 44 668 18 00", "FR", "+41446681800"},
		{"+800 1234 5678", "FR", "+80012345678"}, // international freephone
		{"", "FR", ""},
		{"06 12 34", "FR", "refused"},
		{"+33 6 12 34 56 78 90", "FR", "refused"},
		{"+12345678901234567", "FR", "refused"},
		{"06 12 34 56 7a", "FR", "refused"},
		{"0612345678", "ZZ", "refused"},
		// Calling codes no country has.
		{"+999 1234 5678", "FR", "refused"},
		{"00 999 1234 5678", "FR", "refused"},
		{"+28 12 34 56 78", "FR", "refused"},
		{"+0 612 34 56 78", "FR", "refused"},
	}
	for _, c := range cases {
		got, err := NormalizePhone(c.in, c.country)
		switch c.want {
		case "refused":
			if err == nil {
				t.Errorf("NormalizePhone(%q, %s) = %q, want an error", c.in, c.country, got)
			} else {
				wantInput(t, err, "phone", "")
			}
		case "":
			if c.in == "" && (err != nil || got != "") {
				t.Errorf("NormalizePhone(\"\") = %q, %v", got, err)
			}
			if c.in != "" && err == nil {
				t.Errorf("NormalizePhone(%q, %s) = %q, want an error", c.in, c.country, got)
			}
		default:
			if err != nil || got != c.want {
				t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q", c.in, c.country, got, err, c.want)
			}
		}
	}
	for _, c := range []struct{ in, want string }{
		{"+999 1234 5678", "+999 is not a country calling code"},
		{"+39 6 6982 1234", "is not a possible number for calling code +39"},
		{"0612345678x", `"0612345678x" is not a phone number: it may hold only digits`},
		{"Lambert", `"Lambert" is not a phone number`},
	} {
		_, err := NormalizePhone(c.in, "FR")
		wantInput(t, err, "phone", c.want)
	}

	// Through the rules: the account's country decides how a national number reads.
	f := newFixture(t)
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "a.fr@example.com", Phone: "04 70 12 34 56"}}, InviteOptions{})
	must(t, err)
	must(t, res[0].Err)
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{Country: ptr("be")})
	must(t, err)
	res, err = f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "a.be@example.com", Phone: "04 70 12 34 56"}}, InviteOptions{})
	must(t, err)
	must(t, res[0].Err)
	if got := f.user("a.fr@example.com").Phone; got != "+33470123456" {
		t.Errorf("with FR: %q", got)
	}
	if got := f.user("a.be@example.com").Phone; got != "+32470123456" {
		t.Errorf("with BE: %q", got)
	}
	before := f.snapshot()
	_, err = f.svc.Edit(f.ctx, f.owner, "a.fr@example.com", 0, Profile{Phone: ptr("+33 6 12")})
	wantInput(t, err, "phone", "")
	f.unchanged(before)
	_, err = f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{Country: ptr("Atlantis")})
	wantInput(t, err, "country", "")
	f.unchanged(before)

	// A number stored under older rules stays while the rest of the profile
	// is edited, and is not written anew.
	f.exec("UPDATE users SET phone = '+32612345678' WHERE email = 'a.be@example.com'")
	u, err := f.svc.Edit(f.ctx, f.owner, "a.be@example.com", 0, Profile{FirstName: ptr("Anne")})
	must(t, err)
	if u.FirstName != "Anne" || f.user("a.be@example.com").Phone != "+32612345678" {
		t.Errorf("after editing the name: %+v", f.user("a.be@example.com"))
	}
	_, err = f.svc.Edit(f.ctx, f.owner, "a.fr@example.com", 0, Profile{Phone: ptr("+32612345678")})
	wantInput(t, err, "phone", "")
}

// Free text holding control characters, bidirectional overrides or
// zero-width characters is refused everywhere it can be written.
func TestUnsafeTextRefused(t *testing.T) {
	bad := []string{
		"Jean\x1b[31m",      // ESC (C0)
		"Jean\rDupont",      // CR
		"Jean\x00",          // NUL
		"Je\ban",            // BS
		"Jean\x07",          // BEL
		"Jean\tDupont",      // TAB
		"Jean\nDupont",      // LF
		"Jean\x7f",          // DEL
		"Je\u0085an",        // NEL (C1)
		"Jean\u009b31m",     // CSI (C1)
		"Jean\u202aDupont",  // LRE
		"Jean\u202eDupont",  // RLO
		"\u2066Jean",        // LRI
		"Jean\u2069",        // PDI
		"Jean\xff",          // not UTF-8
		"Adm\u202einim.exe", // the classic
		"Jean\u200fDupont",  // RLM
		"Jean\u200eDupont",  // LRM
		"Jean\u061cDupont",  // ALM
		"Jean\u2028Dupont",  // LINE SEPARATOR
		"Jean\u2029Dupont",  // PARAGRAPH SEPARATOR
		"Jean\u200bDupont",  // ZERO WIDTH SPACE
		"Jean\u200cDupont",  // ZERO WIDTH NON-JOINER
		"Jean\u200dDupont",  // ZERO WIDTH JOINER
		"Jean\u2060Dupont",  // WORD JOINER
		"Jean\ufeffDupont",  // ZERO WIDTH NO-BREAK SPACE (BOM)
	}
	good := []string{"Jean-Édouard", "D'Artagnan", "Zoë Ørsted", "山田 太郎", "François 🙂", "O’Brien"}
	fields := []struct {
		name  string
		field string
		do    func(f *fixture, s string) error
	}{
		{"first name", "first name", func(f *fixture, s string) error {
			_, err := f.svc.Edit(f.ctx, f.owner, "tom.target@example.com", 0, Profile{FirstName: &s})
			return err
		}},
		{"last name", "last name", func(f *fixture, s string) error {
			_, err := f.svc.Edit(f.ctx, f.owner, "tom.target@example.com", 0, Profile{LastName: &s})
			return err
		}},
		{"position", "position", func(f *fixture, s string) error {
			_, err := f.svc.Edit(f.ctx, f.owner, "tom.target@example.com", 0, Profile{Position: &s})
			return err
		}},
		{"reference ID", "reference ID", func(f *fixture, s string) error {
			_, err := f.svc.Edit(f.ctx, f.owner, "tom.target@example.com", 0, Profile{ReferenceID: &s})
			return err
		}},
		{"tag", "tag", func(f *fixture, s string) error {
			_, err := f.svc.Edit(f.ctx, f.owner, "tom.target@example.com", 0, Profile{AddTags: []string{s}})
			return err
		}},
		{"invited name", "first name", func(f *fixture, s string) error {
			res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "new.person@example.com", FirstName: s}}, InviteOptions{})
			if err == nil {
				err = res[0].Err
			}
			return err
		}},
		{"team", "team", func(f *fixture, s string) error { return f.svc.AddTeam(f.ctx, f.owner, s) }},
		{"away note", "note", func(f *fixture, s string) error {
			_, err := f.svc.SetAway(f.ctx, f.owner, "tom.target@example.com", AwayRequest{Note: s})
			return err
		}},
		{"conversation subject", "subject", func(f *fixture, s string) error {
			_, err := f.svc.AddConversation(f.ctx, f.owner, s, "tom.target@example.com")
			return err
		}},
		{"organisation name", "organisation name", func(f *fixture, s string) error {
			_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{Name: &s})
			return err
		}},
	}
	for _, fl := range fields {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addUser("tom.target@example.com", "member", store.Active)
			before := f.snapshot()
			for _, s := range bad {
				err := fl.do(f, s)
				if err == nil {
					t.Errorf("%q accepted", s)
					continue
				}
				wantInput(t, err, fl.field, "")
			}
			f.unchanged(before)
			for i, s := range good {
				if fl.name == "away note" && i > 0 {
					must(t, f.svc.EndAway(f.ctx, f.owner, "tom.target@example.com"))
				}
				if fl.name == "invited name" && i > 0 {
					if out := f.svc.Revoke(f.ctx, f.owner, []string{"new.person@example.com"}); out[0].Err != nil {
						t.Fatal(out[0].Err)
					}
				}
				if err := fl.do(f, s); err != nil {
					t.Errorf("%q refused: %v", s, err)
				}
			}
		})
	}
}

// Printable makes text stored by other tools safe to draw: escape sequences
// go, and every control or bidirectional character left becomes U+FFFD.
func TestPrintable(t *testing.T) {
	const r = "\uFFFD"
	cases := []struct{ in, want string }{
		{"Élodie Martin", "Élodie Martin"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b]0;pwned\x07title", "title"},
		{"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"a\rb", "a" + r + "b"},
		{"a\bb", "a" + r + "b"},
		{"ring\x07", "ring" + r},
		{"del\x7f", "del" + r},
		{"nel\u0085x", "nel" + r + "x"},
		{"tab\tx", "tab" + r + "x"},
		{"Adm\u202einim", "Adm" + r + "inim"},
		{"\u2066x\u2069", r + "x" + r},
	}
	for _, c := range cases {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Whatever goes in, nothing unsafe comes out.
	for _, s := range []string{"\u009b31mx", "\x1bP1;2q\x1b\\x", "\x1b[2J\x1b[Hx", "\x1bcx", "\u009d0;t\u009cx", "x\x1b", "\xffx\xc2"} {
		got := Printable(s)
		if strings.ContainsFunc(got, unsafeRune) {
			t.Errorf("Printable(%q) = %q holds an unsafe character", s, got)
		}
		if !strings.Contains(got, "x") {
			t.Errorf("Printable(%q) = %q lost the text", s, got)
		}
	}
}

// The base URL of the links in mail is an account setting: checked, audited,
// and set only on the server's machine, never over SSH or the web.
func TestAccountBaseURL(t *testing.T) {
	f := newFixture(t)
	acct, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{BaseURL: ptr("https://roster.example.com/people/")})
	must(t, err)
	if acct.BaseURL != "https://roster.example.com/people" {
		t.Fatalf("base URL %q", acct.BaseURL)
	}
	if got, _ := f.svc.Account(f.ctx); got.BaseURL != "https://roster.example.com/people" {
		t.Fatalf("stored base URL %q", got.BaseURL)
	}
	if a := f.audits("account.update"); len(a) != 1 || !strings.Contains(a[0].After, "roster.example.com/people") {
		t.Fatalf("audit: %+v", a)
	}
	before := f.snapshot()
	for _, bad := range []string{"roster.example.com", "ftp://roster.example.com", "https://u:p@roster.example.com", "https://roster.example.com/?x=1"} {
		_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{BaseURL: ptr(bad)})
		wantInput(t, err, "base URL", "")
	}
	for _, ch := range []string{ChannelSSH, ChannelWeb} {
		_, err := f.svc.UpdateAccount(f.ctx, Actor{Email: ownerEmail, Channel: ch}, AccountChange{BaseURL: ptr("https://evil.example.net")})
		var d *DeniedError
		if !errors.As(err, &d) {
			t.Errorf("over %s: %v, want permission denied", ch, err)
		}
	}
	f.unchanged(before)

	// A process's own base URL is refused when it differs from the account's.
	for given, want := range map[string]string{"": "https://roster.example.com/people", "https://roster.example.com/people/": "https://roster.example.com/people"} {
		if got, err := f.svc.MailBaseURL(f.ctx, given); err != nil || got != want {
			t.Errorf("MailBaseURL(%q) = %q, %v; want %q", given, got, err, want)
		}
	}
	var be *BaseURLError
	if _, err := f.svc.MailBaseURL(f.ctx, "http://localhost:8080"); !errors.As(err, &be) || be.Account != "https://roster.example.com/people" {
		t.Errorf("a differing base URL: %v, want a *BaseURLError", err)
	}
}

// The language offered for a new user follows the account's country.
func TestDefaultLocale(t *testing.T) {
	for country, want := range map[string]string{"FR": "fr", "fr": "fr", "BE": "fr", "RE": "fr", "GB": "en", "US": "en", "DE": "en", "": "en"} {
		if got := DefaultLocale(country); got != want {
			t.Errorf("DefaultLocale(%q) = %q, want %q", country, got, want)
		}
	}
}

// Dates are read as operators type them, in English or in French: the
// French hints say demain and +7j, and the parser takes them.
func TestParseDate(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 3, 15, 4, 0, 0, paris)
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, paris) }
	for in, want := range map[string]time.Time{
		"now": now, "maintenant": now, "today": day(3), "Aujourd'hui": day(3), "aujourd’hui": day(3),
		"yesterday": day(2), "hier": day(2), "tomorrow": day(4), "demain": day(4),
		"+7d": day(10), "+7j": day(10), "+1w": day(10), "+1s": day(10), "+3h": now.Add(3 * time.Hour),
		"2026-12-24": day(24), "24/12/2026": day(24), "2026-12-24 14:30": time.Date(2026, 12, 24, 14, 30, 0, 0, paris),
	} {
		if got, err := ParseDate(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "+0d", "+7x", "31/02/2026", "hier soir"} {
		if _, err := ParseDate(in, now); err == nil {
			t.Errorf("%q read as a date", in)
		}
	}
}
