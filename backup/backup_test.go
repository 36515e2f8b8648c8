package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Names sort as the times they were taken; Prune keeps the newest and
// touches no file it did not name.
func TestPruneKeepsTheNewestOfItsOwn(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	var ours []string
	for _, d := range []time.Duration{0, 9 * time.Hour, 24 * time.Hour, 36*time.Hour + time.Second} {
		ours = append(ours, Name(dir, t0.Add(d)))
	}
	others := []string{"roster-backup-latest.db", "roster.db", "roster-backup-2026-12-01T080000Z.db.partial", ".roster-backup-2026-12-09T080000Z.db.partial"}
	for _, p := range slices.Concat(ours, others) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := filepath.Base(ours[0]); got != "roster-backup-2026-12-02T080000Z.db" {
		t.Errorf("Name: %s, want the time in UTC", got)
	}
	paths, taken, err := List(dir)
	if err != nil || !slices.Equal(paths, ours) || !taken[3].Equal(t0.Add(36*time.Hour+time.Second)) {
		t.Fatalf("List: %v %v %v, want %v", paths, taken, err, ours)
	}
	removed, err := Prune(dir, 2)
	if err != nil || !slices.Equal(removed, ours[:2]) {
		t.Fatalf("Prune removed %v (%v), want %v", removed, err, ours[:2])
	}
	for _, p := range slices.Concat(ours[2:], others) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Prune took %s", filepath.Base(p))
		}
	}
}

func TestStatusKeepsTheLastSuccess(t *testing.T) {
	var s Status
	if at, err := s.Last(); !at.IsZero() || err != nil {
		t.Fatalf("a new Status: %v %v", at, err)
	}
	t1 := time.Now()
	s.set(t1, nil)
	failed := errors.New("disk full")
	s.set(t1.Add(time.Hour), failed)
	if at, err := s.Last(); !at.Equal(t1) || err != failed {
		t.Errorf("after a success and a failure: %v %v, want %v and the failure", at, err, t1)
	}
	s.set(t1.Add(2*time.Hour), nil)
	if at, err := s.Last(); !at.Equal(t1.Add(2*time.Hour)) || err != nil {
		t.Errorf("after a success again: %v %v", at, err)
	}
}
