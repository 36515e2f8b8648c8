package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A password in --smtp is seen by every user of the machine (ps): roster
// warns, and never when the password comes from the environment or a file.
func TestSMTPPasswordWarning(t *testing.T) {
	t.Setenv("ROSTER_SMTP", "")
	t.Setenv("ROSTER_SMTP_PASSWORD_FILE", "")
	db := filepath.Join(t.TempDir(), "roster.db")
	ok(t, db, "init", "--org", "Acme", "--owner", "boss@acme.test")
	file := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(file, []byte("Xq7vKw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const warning = "roster: warning: the password in --smtp shows in the process list: give it in ROSTER_SMTP or with --smtp-password-file\n"

	_, errs, code := roster(t, db, "--smtp", "smtp://mailer:Xq7vKw@relay.test:587", "mail")
	if code != 0 || errs != warning {
		t.Fatalf("password in --smtp: exit %d, stderr %q; want the warning alone", code, errs)
	}
	_, errs, code = roster(t, db, "mail", "--smtp", "smtp://mailer@relay.test:587", "--smtp-password-file", file)
	if code != 0 || errs != "" {
		t.Fatalf("password in a file: exit %d, stderr %q", code, errs)
	}
	t.Setenv("ROSTER_SMTP", "smtp://mailer:Xq7vKw@relay.test:587")
	if _, errs, code = roster(t, db, "mail"); code != 0 || errs != "" {
		t.Fatalf("password in ROSTER_SMTP: exit %d, stderr %q", code, errs)
	}
	t.Setenv("ROSTER_SMTP", "smtp://mailer@relay.test:587")
	t.Setenv("ROSTER_SMTP_PASSWORD_FILE", file)
	if _, errs, code = roster(t, db, "mail"); code != 0 || errs != "" {
		t.Fatalf("password file in ROSTER_SMTP_PASSWORD_FILE: exit %d, stderr %q", code, errs)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	fails(t, db, "--smtp-password-file: open "+missing, "mail", "--smtp-password-file", missing)

	// A malformed URL is refused in one line that shows none of it.
	t.Setenv("ROSTER_SMTP_PASSWORD_FILE", "")
	for _, bad := range []string{"smtp://mailer:Xq7/vKw@relay.test:587", "mailer:Xq7vKw@relay.test:587"} {
		_, errs, code = roster(t, db, "--smtp", bad, "mail")
		if code != 1 || strings.Contains(errs, "Xq7") || strings.Count(errs, "\n") != 1 {
			t.Fatalf("--smtp %s: exit %d, stderr %q", bad, code, errs)
		}
	}
}
