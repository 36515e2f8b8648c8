package admin

import (
	"strings"
	"testing"

	"roster/sms"
	"roster/store"
)

// Every event's SMS, in both languages, fits one GSM-7 segment with
// typical values: an account's and a person's name, an operator's address,
// a key's fingerprint. The counts are logged for the record.
func TestSMSTextsFitOneSegment(t *testing.T) {
	fingerprint := "SHA256:" + strings.Repeat("x", 43)
	for _, e := range Events {
		for _, lang := range []string{"en", "fr"} {
			fr := lang == "fr"
			detail, brief := "", ""
			switch e.ID {
			case "security.key":
				detail = map[bool]string{false: "SSH key ", true: "la clé SSH "}[fr] + fingerprint
				brief = map[bool]string{false: "an SSH key", true: "une clé SSH"}[fr]
			case "invitation.reminder":
				_, brief = reminderWords(fr, true) // the longer
			case "invitation.stuck":
				brief = map[bool]string{false: "its mail failed", true: "son envoi a échoué"}[fr]
			}
			to := &store.User{Locale: lang}
			acct := &store.Account{Name: "Acme Conseil"}
			txt := noticeText(acct, to, e.ID, "{name}", "Marie-Claire Dupont", "{actor}", "claire.martin@acme-conseil.fr",
				"{detail}", detail, "{brief}", brief, "{count}", "12")
			if txt.SMS == "" || strings.ContainsAny(txt.SMS, "{}") {
				t.Errorf("%s %s: SMS %q", e.ID, lang, txt.SMS)
				continue
			}
			n, enc := sms.Segments(txt.SMS)
			t.Logf("%-22s %s %3d chars, %d segment %s: %s", e.ID, lang, len([]rune(txt.SMS)), n, enc, txt.SMS)
			if n != 1 || enc != sms.GSM7 {
				t.Errorf("%s %s takes %d %s segments: %q", e.ID, lang, n, enc, txt.SMS)
			}
		}
	}
}
