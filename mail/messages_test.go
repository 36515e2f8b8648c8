package mail

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"mime"
	"mime/quotedprintable"
	"os"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

var cet = time.FixedZone("CET", 3600)

// pathOf is the link path of an outbox message, token included while unsent.
func pathOf(t testing.TB, m store.OutboxMessage) string {
	t.Helper()
	var d store.MailData
	if err := json.Unmarshal([]byte(m.Data), &d); err != nil {
		t.Fatal(err)
	}
	return d.Path
}

func TestInvitationInFrenchAndEnglish(t *testing.T) {
	f := newFixture(t)
	f.invite(jean, admin.NewUser{Email: "mary@acme.test", FirstName: "Mary", LastName: "Smith", Locale: "en"})
	links := map[string]string{}
	for _, m := range f.outbox() {
		links[m.Recipient] = "https://roster.acme.test" + pathOf(t, m)
	}
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Location = cet
	f.deliver(cfg)
	got := srv.received()
	if len(got) != 2 {
		t.Fatalf("received %d messages", len(got))
	}
	for _, tc := range []struct {
		to, lang, subject string
		words             []string
	}{
		{"jean@acme.test", "fr", "Big Boss vous invite sur Acme", []string{
			"Bonjour Jean Dupont,",
			"Big Boss (boss@acme.test) vous invite à rejoindre Acme.",
			"Ce lien est valable 48 heures, jusqu'au mercredi 4 mars 2026 à 10 h 00 (CET), et ne sert qu'une fois.",
			"Si le lien a expiré, rendez-vous sur https://roster.acme.test/forgot et saisissez jean@acme.test",
		}},
		{"mary@acme.test", "en", "Big Boss invites you to Acme", []string{
			"Hello Mary Smith,",
			"Big Boss (boss@acme.test) invites you to join Acme.",
			"The link is valid for 48 hours, until Wednesday 4 March 2026 at 10:00 CET, and works once.",
			`If the link has expired, go to https://roster.acme.test/forgot and enter mary@acme.test`,
		}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var r *received
			for i := range got {
				if got[i].to[0] == tc.to {
					r = &got[i]
				}
			}
			if r == nil {
				t.Fatalf("no mail for %s", tc.to)
			}
			h := r.msg(t).Header
			if h.Get("Subject") != tc.subject || h.Get("Content-Language") != tc.lang {
				t.Fatalf("subject %q, language %q", h.Get("Subject"), h.Get("Content-Language"))
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
				t.Fatalf("Content-Type %q", ct)
			}
			text := r.text(t)
			for _, w := range append(tc.words, links[tc.to]) {
				if !strings.Contains(strings.Join(strings.Fields(text), " "), w) {
					t.Errorf("the text lacks %q:\n%s", w, text)
				}
			}
			html := htmlPart(t, r.raw)
			for _, w := range []string{`lang="` + tc.lang + `"`, `href="` + links[tc.to] + `"`, `href="https://roster.acme.test/forgot"`} {
				if !strings.Contains(html, w) {
					t.Errorf("the HTML part lacks %s:\n%s", w, html)
				}
			}
		})
	}
}

// htmlPart is the decoded text/html part of a raw message.
func htmlPart(t testing.TB, raw []byte) string {
	t.Helper()
	// The text part of a copy whose parts are swapped in their headers.
	swapped := bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("text/plain"), []byte("text/x-was-plain")),
		[]byte("text/html"), []byte("text/plain"))
	_, html, err := parseMessage(swapped)
	if err != nil {
		t.Fatal(err)
	}
	return html
}

func TestEveryKindInEveryLanguage(t *testing.T) {
	expires := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		kind string
		data store.MailData
		want map[string][]string
	}{
		{store.MailInviteResent, store.MailData{Account: "Acme", Name: "Jo <b>", Path: "/invite/TOK", ExpiresAt: expires, Lifetime: 172800},
			map[string][]string{
				"en": {"a new link to join Acme. The links sent before no longer work.", "https://r.test/invite/TOK", "valid for 48 hours"},
				"fr": {"un nouveau lien pour rejoindre Acme. Les liens envoyés auparavant ne fonctionnent plus.", "https://r.test/invite/TOK", "valable 48 heures"},
			}},
		{store.MailPasswordReset, store.MailData{Account: "Acme", Name: "Jo <b>", Path: "/reset/TOK", ExpiresAt: expires, Lifetime: 3600},
			map[string][]string{
				"en": {"You asked for a new password for your Acme account", "https://r.test/reset/TOK", "valid for 1 hour, until Monday 2 March 2026 at 11:00 CET"},
				"fr": {"Vous avez demandé un nouveau mot de passe pour votre compte Acme", "https://r.test/reset/TOK", "valable 1 heure, jusqu'au lundi 2 mars 2026 à 11 h 00 (CET)"},
			}},
		{store.MailStandInNotice, store.MailData{Account: "Acme", Name: "Jo", AwayName: "Ann Lee", AwayEmail: "ann@acme.test",
			AwayFrom: expires, AwayUntil: expires.Add(7 * 24 * time.Hour), Note: "Back on the 9th"},
			map[string][]string{
				"en": {"Ann Lee (ann@acme.test) is away from Monday 2 March 2026 at 11:00 CET until Monday 9 March 2026 at 11:00 CET", "Their note: Back on the 9th"},
				"fr": {"Ann Lee (ann@acme.test) s'absente à partir du lundi 2 mars 2026 à 11 h 00 (CET) jusqu'au lundi 9 mars 2026 à 11 h 00 (CET)", "Son message : Back on the 9th"},
			}},
		{store.MailNotice, store.MailData{Account: "Acme", Name: "Jo <b>", Subject: "Ann joined Acme", Body: "Ann <b> accepted your invitation."},
			map[string][]string{
				"en": {"Hello Jo <b>, Ann <b> accepted your invitation."},
				"fr": {"Bonjour Jo <b>, Ann <b> accepted your invitation."},
			}},
		{store.MailNotice, store.MailData{Account: "Acme", Name: "Jo", Subject: "Your invitation is waiting", Body: "Open the link of the invitation.", ExpiresAt: expires},
			map[string][]string{
				"en": {"Open the link of the invitation. The link is valid until Monday 2 March 2026 at 11:00 CET.", "https://r.test/forgot"},
				"fr": {"Open the link of the invitation. Le lien est valable jusqu'au lundi 2 mars 2026 à 11 h 00 (CET).", "https://r.test/forgot"},
			}},
		{store.MailTest, store.MailData{Account: "Acme"},
			map[string][]string{
				"en": {"This is a test message sent by roster for Acme on Monday 2 March 2026 at 11:00 CET"},
				"fr": {"Ceci est un message de test envoyé par roster pour Acme le lundi 2 mars 2026 à 11 h 00 (CET)"},
			}},
	} {
		for lang, want := range tc.want {
			t.Run(tc.kind+"/"+lang, func(t *testing.T) {
				b, _ := json.Marshal(tc.data)
				m := &store.OutboxMessage{Kind: tc.kind, Recipient: "jo@acme.test", Locale: lang, Data: string(b), MessageID: "<x@acme.test>"}
				c, err := render(m, tc.data, "https://r.test", expires, cet)
				if err != nil {
					t.Fatal(err)
				}
				if c.Subject == "" || c.Lang != lang || tc.data.Subject != "" && c.Subject != tc.data.Subject {
					t.Fatalf("subject %q, language %q", c.Subject, c.Lang)
				}
				text := strings.Join(strings.Fields(c.Text), " ")
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("the text lacks %q:\n%s", w, c.Text)
					}
				}
				if strings.Contains(c.HTML, "<b>") {
					t.Errorf("a name was not escaped in the HTML part:\n%s", c.HTML)
				}
			})
		}
	}
}

func TestValidity(t *testing.T) {
	for d, want := range map[time.Duration][2]string{
		48 * time.Hour:      {"48 hours", "48 heures"},
		time.Hour:           {"1 hour", "1 heure"},
		72 * time.Hour:      {"72 hours", "72 heures"},
		7 * 24 * time.Hour:  {"7 days", "7 jours"},
		90 * time.Minute:    {"90 minutes", "90 minutes"},
		150 * time.Minute:   {"3 hours", "3 heures"},
		30 * 24 * time.Hour: {"30 days", "30 jours"},
	} {
		if en, fr := validity("en", d), validity("fr", d); en != want[0] || fr != want[1] {
			t.Errorf("%s: %q, %q; want %q, %q", d, en, fr, want[0], want[1])
		}
	}
}

func TestStandInNoticeGoesOutWhenTheAbsenceStarts(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	from := start.Add(3 * 24 * time.Hour)
	if _, err := f.svc.SetAway(f.ctx, boss, "jean@acme.test", admin.AwayRequest{From: from, StandIn: bossEmail, Note: "Congés"}); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	f.deliver(cfg) // the invitation
	f.clock.advance(3*24*time.Hour - time.Minute)
	f.deliver(cfg)
	if n := len(srv.received()); n != 1 {
		t.Fatalf("%d mails before the absence starts, want only the invitation", n)
	}
	f.clock.advance(time.Minute)
	f.deliver(cfg)
	got := srv.received()
	if len(got) != 2 || got[1].to[0] != bossEmail {
		t.Fatalf("received %d mails", len(got))
	}
	if text := got[1].text(t); !strings.Contains(text, "Jean Dupont (jean@acme.test) is away from") || !strings.Contains(text, "Congés") {
		t.Fatalf("notice:\n%s", text)
	}
}

func TestCaptureServerKeepsTheMailWhole(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	link := "https://roster.acme.test" + pathOf(t, f.only())
	cfg := f.config("")
	if rep := f.deliver(cfg); rep != (Report{Sent: 1}) {
		t.Fatalf("%+v", rep)
	}
	m := f.only()
	if !strings.HasPrefix(m.Reply, "250 2.0.0 captured as #") || pathOf(t, m) != "/invite/"+store.RedactedToken {
		t.Fatalf("reply %q, path %q", m.Reply, pathOf(t, m))
	}
	list, err := f.svc.CapturedMail(f.ctx, boss, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("captured %v, %v", list, err)
	}
	c := list[0]
	if c.From != "roster@acme.test" || len(c.To) != 1 || c.To[0] != "jean@acme.test" || c.Subject != "Big Boss vous invite sur Acme" ||
		c.MessageID != m.MessageID {
		t.Fatalf("captured %+v", c)
	}
	kept, err := f.svc.CapturedMessage(f.ctx, boss, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	shown, err := ReadCaptured(kept)
	if err != nil || !strings.Contains(shown.Text, link) {
		t.Fatalf("the captured copy lacks the working link %s (%v):\n%s", link, err, shown.Text)
	}
	// The outbox message shows as its recipient got it.
	shown, err = f.show(cfg, m.ID)
	if err != nil || shown.Captured == nil || !strings.Contains(shown.Text, link) {
		t.Fatalf("Show: %v, %+v", err, shown)
	}
	if shown.Header[0].Name != "From" || shown.Header[0].Value != `"Acme" <roster@acme.test>` {
		t.Fatalf("first header %+v", shown.Header[0])
	}
}

func TestSentLinkLeavesNoWorkingTokenInTheDatabase(t *testing.T) {
	f := newFixture(t)
	f.invite(jean)
	token := strings.TrimPrefix(pathOf(t, f.only()), "/invite/")
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	f.deliver(cfg)
	if !strings.Contains(string(srv.received()[0].raw), token) {
		t.Fatal("the mail did not carry the token")
	}
	m := f.only()
	if strings.Contains(m.Data, token) {
		t.Fatalf("the sent row still holds the token: %s", m.Data)
	}
	shown, err := f.show(cfg, m.ID)
	if err != nil || !strings.Contains(shown.Text, "https://roster.acme.test/invite/"+store.RedactedToken) || strings.Contains(shown.Text, token) {
		t.Fatalf("Show of a sent message (%v):\n%s", err, shown.Text)
	}
	// A copy of the database file, once the log is folded in (SQLite's).
	if f.st.Postgres() {
		return
	}
	raw, err := sql.Open("sqlite", "file:"+f.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(token)) {
		t.Fatal("the database file still holds the sent link's token")
	}
}

func TestShowRendersAnUnsentMessage(t *testing.T) {
	f := newFixture(t)
	f.invite(admin.NewUser{Email: "mary@acme.test", FirstName: "Mary", Locale: "en"})
	m := f.only()
	shown, err := f.show(f.config(""), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown.Text, "https://roster.acme.test/invite/"+store.RedactedToken) ||
		strings.Contains(shown.Text, pathOf(t, m)) || shown.Captured != nil {
		t.Fatalf("an unsent message shows its working link, or no link:\n%s", shown.Text)
	}
	var subject string
	for _, h := range shown.Header {
		if h.Name == "Subject" {
			subject = h.Value
		}
	}
	if subject != "Big Boss invites you to Acme" {
		t.Fatalf("subject %q", subject)
	}
	// Names in other scripts are encoded on the wire, and read back whole.
	f.invite(admin.NewUser{Email: "zoe@acme.test", FirstName: "Zoé", Locale: "fr"})
	shown, err = f.show(f.config(""), f.outbox()[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range shown.Header {
		if h.Name == "To" && h.Value != "Zoé <zoe@acme.test>" {
			t.Fatalf("To %q", h.Value)
		}
	}
}

// fit repeats s to n characters, trimmed as admin trims names.
func fit(s string, n int) string {
	r := []rune(strings.Repeat(s, n))
	return strings.TrimSpace(string(r[:n]))
}

// Names as long as admin allows, in four-byte CJK characters, in accented
// Latin with punctuation, in ASCII words and as one long ASCII word, are
// encoded and folded: every header line within 78 octets (RFC 5322's
// advice, far under its 998 limit, which aiosmtpd enforces with "500 Line
// too long"), and each header decodes back to the names.
func TestLongestNamesAreFolded(t *testing.T) {
	for _, tc := range []struct{ name, first, last string }{
		{"CJK", fit("𠮷", 100), fit("𡈽", 100)},
		{"Latin", fit("Éloïse d'Aubigné, ", 100), fit("Müller-Straße (Jr.) ", 100)},
		{"ASCII words", fit("Jean Baptiste ", 100), fit("de la Tour ", 100)},
		{"one ASCII word", fit("x", 100), fit("y", 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			account := fit(tc.last+" ", 100)
			if _, err := f.svc.UpdateAccount(f.ctx, boss, admin.AccountChange{Name: &account}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Edit(f.ctx, boss, bossEmail, 0, admin.Profile{FirstName: &tc.last, LastName: &tc.first}); err != nil {
				t.Fatal(err)
			}
			f.invite(admin.NewUser{Email: "jean@acme.test", FirstName: tc.first, LastName: tc.last, Locale: "fr"})
			srv := newTestServer(t, "")
			f.deliver(f.config(srv.url()))
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("received %d messages: %+v", len(got), f.outbox())
			}
			head, body, _ := bytes.Cut(got[0].raw, []byte("\r\n\r\n"))
			for _, l := range strings.Split(string(head), "\r\n") {
				if len(l) > 78 {
					t.Errorf("a header line of %d octets: %q", len(l), l)
				}
			}
			for _, l := range strings.Split(string(body), "\r\n") {
				if len(l) > 998 {
					t.Errorf("a body line of %d octets", len(l))
				}
			}
			h := got[0].msg(t).Header
			name, inviter := tc.first+" "+tc.last, tc.last+" "+tc.first
			for field, want := range map[string]string{"To": name, "Reply-To": inviter, "From": account} {
				a, err := h.AddressList(field)
				if err != nil || len(a) != 1 || a[0].Name != want {
					t.Errorf("%s decodes to %v (%v), want the name %q", field, a, err, want)
				}
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if want := inviter + " vous invite sur " + account; err != nil || subject != want {
				t.Errorf("Subject decodes to %q (%v), want %q", subject, err, want)
			}
		})
	}
}

// encodedLen counts what encodedWord writes, in both encodings, for the
// texts that fold: plain, accented, quoted, spaced, symbols.
func TestEncodedLenCountsTheWord(t *testing.T) {
	for _, s := range []string{"", "Jean", "Élodie Müller-Straße", `Boss "the" \ boss`, "a b_c=d?e", "日本語のテキスト", "Bcc: x@evil.test\r\n"} {
		for _, b := range []bool{true, false} {
			if got, want := encodedLen(s, b), len(encodedWord(s, b)); got != want {
				t.Errorf("encodedLen(%q, %v) = %d, want %d", s, b, got, want)
			}
		}
	}
}

// appendQP writes what mime/quotedprintable's Writer writes: line breaks of
// every kind, '=', accents, spaces ending lines and lines of every length
// around the soft break.
func TestAppendQPWritesAsTheStandardLibrary(t *testing.T) {
	texts := []string{"", "plain\n", "a=b\r\nc\rd\n\ne", "trailing space \nand tab\t\n", "end ", "é à ç ü — ✓\n",
		"\x00\x7f\x1b", strings.Repeat("x", 200), strings.Repeat("é", 60), strings.Repeat("ab ", 60) + "\n"}
	for n := 70; n <= 80; n++ {
		for _, tail := range []string{" ", "=", "é", " \n", "x \r\n"} {
			texts = append(texts, strings.Repeat("y", n)+tail+"z")
		}
	}
	for _, s := range texts {
		var want bytes.Buffer
		w := quotedprintable.NewWriter(&want)
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := appendQP(nil, s); string(got) != want.String() {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want.String())
		}
	}
}

// A skeleton filled with hostile values writes what the template writes,
// html/template's escaping included, for every part of every kind in every
// language, with each value empty in turn (the templates branch on that)
// and every value in every field, each met twice in a row.
func TestSkeletonWritesAsTheTemplate(t *testing.T) {
	hostile := []string{`<script>alert("x")</script>`, `javascript:alert(1)`, `a' onmouseover='alert(1)`, "Jo\r\nBcc: evil@x.test",
		`{{.Link}}`, marker(3), `https://r.test/invite/T?x=<y>&z="w"#f`, "Zoé & ✓", `" autofocus onfocus="x`, "mailto:x@y.test?cc=z",
		// and plain ones, which most slots write as they are (slot.kept)
		"Person 12", "bench00001@mail-bench.test", "https://roster.acme.test/invite/AbC_-123x", "48 hours", "x:y", "a/b?c=d&e",
		"JavaScript:x", "HTTPS://r.test/x", "//r.test/x:y", "mailto:olive@acme.test"}
	parts := 0
	for l, lt := range templates() {
		for kind, page := range lt.html {
			if lt.text.Lookup(kind+".subject") == nil {
				continue // a piece of other kinds' parts
			}
			for _, part := range []struct {
				name string
				t    executor
				html bool
			}{{kind + ".subject", lt.text.Lookup(kind + ".subject"), false}, {kind, lt.text.Lookup(kind), false}, {kind, page, true}} {
				for empty := -1; empty < viewFields; empty++ {
					for round := range 2 * len(hostile) {
						var v view
						for i, f := range v.fields() {
							if i != empty {
								*f = hostile[(i+round/2)%len(hostile)]
							}
						}
						var want strings.Builder
						if err := part.t.Execute(&want, &v); err != nil {
							t.Fatal(err)
						}
						got, err := fillSkeleton(part.t, l, part.name, part.html, &v)
						if err != nil {
							t.Fatal(err)
						}
						if got != want.String() {
							t.Fatalf("%s/%s (html %v), field %d empty:\n got %s\nwant %s", l, part.name, part.html, empty, got, want.String())
						}
						parts++
					}
				}
			}
		}
	}
	if parts == 0 {
		t.Fatal("no template")
	}
	// Plain names and addresses go in as they are, not through html/template.
	kept := 0
	skeletons.Range(func(_, sk any) bool {
		for _, s := range sk.(*skeleton).slots {
			if s.escape != nil && s.keeps("Person 12") && s.keeps("bench00001@mail-bench.test") {
				kept++
			}
		}
		return true
	})
	if kept == 0 {
		t.Error("no slot of an HTML part writes a plain name and address as they are")
	}
}

// No skeleton keeps a link it escaped: a link holds a token, and the slots
// remember only values that repeat from one message to the next.
func TestSkeletonsKeepNoLink(t *testing.T) {
	const token = "TOKENthatmustnotstay"
	for l, lt := range templates() {
		for kind, page := range lt.html {
			if lt.text.Lookup(kind+".subject") == nil {
				continue
			}
			v := view{Account: "Acme", Name: "Zoé", Email: "zoe@acme.test", Link: "https://r.test/invite/" + token, Inviter: "Olive"}
			if _, err := fillSkeleton(page, l, kind, true, &v); err != nil {
				t.Fatal(err)
			}
		}
	}
	skeletons.Range(func(_, sk any) bool {
		for _, s := range sk.(*skeleton).slots {
			s.mu.Lock()
			if strings.Contains(s.lastIn+s.lastO, token) {
				t.Errorf("slot of field %d keeps %q", s.field, s.lastIn)
			}
			s.mu.Unlock()
		}
		return true
	})
}

// A reminder that goes with less than 6 hours left on the invitation's link
// (here --remind-before 2h) brings a fresh link, in the invitee's language,
// text and HTML: that link accepts, the one in the invitation mail no longer
// does.
func TestReminderMailBringsAFreshLink(t *testing.T) {
	f := newFixture(t)
	before := 2 * time.Hour
	if _, err := f.svc.UpdateAccount(f.ctx, boss, admin.AccountChange{RemindBefore: &before}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.NotifyDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.invite(jean, admin.NewUser{Email: "mary@acme.test", FirstName: "Mary", LastName: "Smith", Locale: "en"})
	old := map[string]string{}
	for _, m := range f.outbox() {
		old[m.Recipient] = strings.TrimPrefix(pathOf(t, m), "/invite/")
	}
	f.clock.advance(46 * time.Hour)
	if err := f.svc.NotifyDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	fresh := map[string]string{}
	for _, m := range f.outbox() {
		if m.Kind == store.MailNotice {
			fresh[m.Recipient] = pathOf(t, m)
		}
	}
	srv := newTestServer(t, "")
	cfg := f.config(srv.url())
	cfg.Location = cet
	f.deliver(cfg)
	for _, tc := range []struct {
		to, subject string
		words       []string
	}{
		{"jean@acme.test", "Votre invitation sur Acme vous attend", []string{
			"Son lien allait expirer : en voici un nouveau, les liens envoyés auparavant ne fonctionnent plus.",
			"Le lien est valable jusqu'au vendredi 6 mars 2026 à 8 h 00 (CET) et ne sert qu'une fois.",
		}},
		{"mary@acme.test", "Your invitation to Acme is waiting", []string{
			"Its link was about to expire, so here is a new one; the links sent before no longer work.",
			"The link is valid until Friday 6 March 2026 at 08:00 CET and works once.",
		}},
	} {
		var r *received
		for _, got := range srv.received() {
			if got.to[0] == tc.to && got.msg(t).Header.Get("Subject") == tc.subject {
				r = &got
			}
		}
		if r == nil || !strings.HasPrefix(fresh[tc.to], "/invite/") {
			t.Fatalf("no reminder with a link to %s (path %q)", tc.to, fresh[tc.to])
		}
		link := "https://roster.acme.test" + fresh[tc.to]
		text := strings.Join(strings.Fields(r.text(t)), " ")
		for _, w := range append(tc.words, link) {
			if !strings.Contains(text, w) {
				t.Errorf("the reminder to %s lacks %q:\n%s", tc.to, w, text)
			}
		}
		if html := htmlPart(t, r.raw); !strings.Contains(html, `href="`+link+`"`) {
			t.Errorf("the reminder's HTML to %s lacks the link:\n%s", tc.to, html)
		}
		if _, err := f.svc.UseLink(f.ctx, "invite", old[tc.to], "a long enough password"); !errors.Is(err, admin.ErrLinkReplaced) {
			t.Errorf("the invitation's link to %s after the reminder: %v, want %v", tc.to, err, admin.ErrLinkReplaced)
		}
		if _, err := f.svc.UseLink(f.ctx, "invite", strings.TrimPrefix(fresh[tc.to], "/invite/"), "a long enough password"); err != nil {
			t.Errorf("the reminder's link to %s: %v", tc.to, err)
		}
	}
}
