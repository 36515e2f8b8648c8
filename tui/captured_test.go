package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"roster/store"
)

// capture keeps a message as the embedded capture server does.
func (f *fixture) capture(to, subject, body string) *store.CapturedMail {
	f.t.Helper()
	raw := "From: Acme <noreply@acme.test>\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <m1@acme.test>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	c := &store.CapturedMail{ReceivedAt: f.svc.Now(), From: "noreply@acme.test", To: []string{to}, MessageID: "<m1@acme.test>",
		Subject: subject, Raw: []byte(raw)}
	if err := f.st.Write(f.ctx, func(q *store.Q) error { return q.InsertCapturedMail(f.ctx, c) }); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// c switches the Mail screen between the outbox and the mail the capture
// server kept; enter shows a captured message whole, as its recipient reads
// it, its link working; text from the SMTP client is drawn without its
// control sequences.
func TestMailShowsCapturedMail(t *testing.T) {
	f := newFixture(t)
	f.invite("bob@example.com")
	link := "http://localhost:8080/invite/tok3n-for-bob"
	f.capture("bob@example.com", "Your invitation to Acme\x1b]2;pwned\x07", "Hello Bob,\n\nAccept here:\n"+link+"\n\nAcme")
	kept, err := f.svc.CapturedMail(f.ctx, f.op, 0, 0)
	must(t, err == nil && len(kept) == 1, "captured in the store: %v %v", kept, err)

	tt := f.run(owner)
	tt.wait("Olive Owner")
	tt.typ("7")
	tt.wait("Outbox", "bob@example.com", "c captured mail")
	tt.typ("c")
	tt.wait("Captured mail", "1 shown", "Your invitation to Acme", "c outbox")
	tt.press("enter")
	tt.wait("Captured mail 1", "Subject", "Hello Bob,", link)
	tt.press("esc")
	tt.wait("what the embedded capture server received")
	tt.typ("c")
	tt.wait("state all · 1 shown")
	tt.press("ctrl+c")
	out := readAll(tt)
	must(t, !strings.Contains(out, "pwned") && !strings.Contains(out, "\x1b]2"), "a control sequence from the message was drawn")
}

// Without any captured mail, the screen says when there is some.
func TestMailNoCapturedMail(t *testing.T) {
	f := newFixture(t)
	m := newMail(f.session())
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	driveScreen(m, m.key(keyMsg("c")))
	v := m.View()
	must(t, m.capturedShown && strings.Contains(v, "No captured mail: the capture server keeps what it receives when no relay is configured."), "%s", v)
	driveScreen(m, m.key(keyMsg("c")))
	must(t, !m.capturedShown && strings.Contains(m.View(), "Outbox"), "c goes back to the outbox")
}

// A line wider than the screen wraps: a captured link is shown whole.
func TestCapturedMessageWrapsLongLines(t *testing.T) {
	f := newFixture(t)
	link := "http://localhost:8080/invite/" + strings.Repeat("x", 60)
	f.capture("bob@example.com", "Your invitation", "Accept here:\n"+link)
	m := newMail(f.session())
	m.SetSize(40, 30)
	driveScreen(m, m.Init())
	driveScreen(m, m.key(keyMsg("c")))
	driveScreen(m, m.key(keyMsg("enter")))
	v := ansi.Strip(m.View())
	must(t, strings.Contains(strings.ReplaceAll(v, "\n", ""), link), "the link is not shown whole:\n%s", v)
	for _, l := range strings.Split(v, "\n") {
		must(t, len([]rune(l)) <= 40, "a line wider than the screen: %q", l)
	}
}

// Over an opened message, captured or in the outbox, the Mail screen says
// where its links lead (Options.Links): on the embedded defaults, to the
// pages this dashboard serves.
func TestMailSaysWhereLinksLead(t *testing.T) {
	f := newFixture(t)
	f.invite("bob@example.com")
	f.capture("bob@example.com", "Your invitation", "Accept here:\nhttp://localhost:8080/invite/x")
	s := f.session()
	s.links = "Links lead to http://localhost:8080, served by this dashboard while it runs"
	m := newMail(s)
	m.SetSize(120, 30)
	driveScreen(m, m.Init())
	driveScreen(m, m.key(keyMsg("enter")))
	must(t, m.open != nil && strings.Contains(m.View(), s.links), "an outbox message:\n%s", m.View())
	driveScreen(m, m.key(keyMsg("esc")))
	driveScreen(m, m.key(keyMsg("c")))
	driveScreen(m, m.key(keyMsg("enter")))
	must(t, strings.Contains(m.View(), "Captured mail 1") && strings.Contains(m.View(), s.links), "a captured message:\n%s", m.View())
}
