package tui

import (
	"regexp"
	"testing"
	"time"

	"roster/admin"
)

// K on one's own page lists one's API keys: n creates one, whose secret is
// shown once; g regenerates it, x revokes it. Keys typed in one write wait
// for the keys to be read.
func TestAPIKeysOnTheUserPage(t *testing.T) {
	f := newFixture(t)
	r := New(f.ctx, f.options(owner)).(*Model)
	tt, stop := f.runTerminal(r)
	defer stop()
	tt.wait("Olive")
	tt.write("\rK")
	tt.wait("API keys of "+owner, "No API key. n creates one.")
	tt.write("nzapier\r")
	tt.wait("API key zapier created.", "Shown this once")
	first := secretShown(t, tt.last())
	tt.write(" ")
	tt.wait("zapier", "never")
	tt.write("gy")
	tt.wait("regenerated: the old secret no longer works")
	second := secretShown(t, tt.last())
	if second == first {
		t.Fatal("regenerating showed the same secret")
	}
	if _, err := f.svc.APIKeyActor(f.ctx, first); err == nil {
		t.Error("the first secret still works")
	}
	if _, err := f.svc.APIKeyActor(f.ctx, second); err != nil {
		t.Errorf("the regenerated secret: %v", err)
	}
	tt.write(" xy")
	tt.wait("revoked: it no longer works", "No API key.")
	tt.write("\x1b")
	tt.wait("API keys     no keys  (K)")
}

// On someone else's page, the operator sees their keys only if they may act
// as them, and may revoke but never create one for them.
func TestAPIKeysOfSomeoneElse(t *testing.T) {
	f := newFixture(t)
	f.addUser("mia.member@example.com", "Mia", "Member", "member", "active")
	if _, _, err := f.svc.CreateAPIKey(f.ctx, admin.Actor{Email: "mia.member@example.com", Channel: admin.ChannelCLI}, "mia's script", time.Time{}); err != nil {
		t.Fatal(err)
	}
	tt, stop := f.runTerminal(New(f.ctx, f.options(owner)).(*Model))
	defer stop()
	tt.wait("Mia")
	tt.write("/mia\r\r")
	tt.wait("API keys     rst_")
	tt.write("Kn")
	tt.wait("Only mia.member@example.com makes keys of their own")
	tt.write("xy")
	tt.wait("revoked: it no longer works")
}

func secretShown(t *testing.T, frame string) string {
	t.Helper()
	s := regexp.MustCompile(`rst_[A-Z2-7]{26}`).FindString(frame)
	if s == "" {
		t.Fatalf("no secret shown:\n%s", frame)
	}
	return s
}
