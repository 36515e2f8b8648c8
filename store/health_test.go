package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A database file moved, removed or replaced at its path (a backup put in
// place with mv while roster serve ran) is not ready: the file it had
// opened still answered, so that /readyz said ok while every act went into
// a file the next start would not open.
func TestReadyFollowsTheFileAtItsPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "roster.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("just opened: %v", err)
	}
	moved := filepath.Join(dir, "moved.db")
	if err := os.Rename(path, moved); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err == nil || !strings.Contains(err.Error(), "removed or replaced") {
		t.Errorf("file moved away: %v, want it said", err)
	}
	b, err := os.ReadFile(moved)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err == nil || !strings.Contains(err.Error(), "removed or replaced") {
		t.Errorf("file replaced by a copy: %v, want it said", err)
	}
	if err := os.Rename(moved, path); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("its own file back: %v", err)
	}
}
