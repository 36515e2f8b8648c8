package backup

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"roster/store"
)

// Backups are listed in the order they were taken, those named to the
// second by earlier versions among them; Prune keeps the newest and
// touches no file it did not name.
func TestPruneKeepsTheNewestOfItsOwn(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	ours := []string{Name(dir, t0),
		filepath.Join(dir, "roster-backup-2026-12-02T170000Z.db"), // to the second: an earlier version's
		Name(dir, t0.Add(9*time.Hour+250*time.Millisecond)),       // the same second, later: sorted before it by name
		Name(dir, t0.Add(36*time.Hour+time.Second))}
	others := []string{"roster-backup-latest.db", "roster.db", "roster-backup-2026-12-01T080000Z.db.partial", ".roster-backup-2026-12-09T080000Z.db.partial"}
	for _, p := range slices.Concat(ours, others) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := filepath.Base(ours[0]); got != "roster-backup-2026-12-02T080000.000Z.db" {
		t.Errorf("Name: %s, want the time in UTC", got)
	}
	paths, taken, err := List(dir)
	if err != nil || !slices.Equal(paths, ours) || !taken[3].Equal(t0.Add(36*time.Hour+time.Second)) {
		t.Fatalf("List: %v %v %v, want %v", paths, taken, err, ours)
	}
	removed, err := Prune(dir, 2, t0.Add(48*time.Hour))
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

// Run takes a backup at once when there is none, then every interval,
// keeping the newest; a failure is logged and kept in the Status, and the
// next turn tries again.
func TestRunTakesPrunesAndLogsFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	// A file where the directory should be: every turn fails.
	blocked := filepath.Join(dir, "blocked")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var failing Status
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, st, Schedule{Dir: blocked, Every: 100 * time.Millisecond, Keep: 2, Log: log}, &failing)
	}()
	waitFor(t, "two failed turns logged", func() bool { return strings.Count(logs.String(), "level=ERROR msg=backup ") >= 2 })
	if at, err := failing.Last(); !at.IsZero() || err == nil {
		t.Errorf("after failures: %v %v, want no success and the error", at, err)
	}

	// Names are to the second: an interval of a little more.
	backups := filepath.Join(dir, "backups")
	var status Status
	began := time.Now()
	go Run(ctx, st, Schedule{Dir: backups, Every: 1100 * time.Millisecond, Keep: 2, Log: log}, &status)
	waitFor(t, "three backups taken, the first pruned", func() bool { return strings.Contains(logs.String(), `msg="backup pruned"`) })
	paths, _, err := List(backups)
	if err != nil || len(paths) != 2 {
		t.Errorf("%v (%v) after three backups, want the newest two", paths, err)
	}
	if at, err := status.Last(); err != nil || at.Before(began) {
		t.Errorf("after backups: %v %v", at, err)
	}
	cancel()
	<-done
}

// Backups named by a clock that was ahead are pruned first: by name they
// stayed the newest for good, and each backup taken once the clock was
// put right was removed at once, as the oldest, leaving none of today's.
func TestPruneFirstRemovesBackupsNamedAhead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backups := filepath.Join(dir, "backups")
	if err := os.Mkdir(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ahead := []string{Name(backups, now.AddDate(1, 0, 0)), Name(backups, now.AddDate(1, 0, 1))}
	yesterday := Name(backups, now.Add(-24*time.Hour))
	for _, p := range append([]string{yesterday}, ahead...) {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var logs lockedBuffer
	var status Status
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, st, Schedule{Dir: backups, Every: time.Hour, Keep: 2, Log: slog.New(slog.NewTextHandler(&logs, nil))}, &status)
	}()
	// Yesterday's is a day old, more than the hour between two: one is
	// taken at once.
	waitFor(t, "a backup taken and the others pruned", func() bool { return strings.Contains(logs.String(), `msg="backup pruned"`) })
	cancel()
	<-done
	paths, taken, err := List(backups)
	if err != nil || len(paths) != 2 || paths[0] != yesterday || taken[1].Before(now.Truncate(time.Millisecond)) || taken[1].After(time.Now()) {
		t.Errorf("kept %v (%v), want yesterday's and the one just taken\n%s", paths, err, logs.String())
	}
	if at, err := status.Last(); err != nil || at.Before(now) || at.After(time.Now()) {
		t.Errorf("status: %v %v, want the backup just taken", at, err)
	}
}

// A backup killed while it was written (kill -9, the OOM killer) left its
// hidden partial file, the size of the database, for good: a server
// restarted again and again, its backup killed each time, filled its disk.
// The next backup removes those no process holds; one being written, and
// files not of its names, stay.
func TestTakeRemovesWhatKilledBackupsLeft(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backups := filepath.Join(dir, "backups")
	if err := os.Mkdir(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	partial := func(name string) string { return filepath.Join(backups, "."+name+".123456"+".partial") }
	now := time.Now()
	killed := partial(filepath.Base(Name(backups, now.Add(-time.Hour))))
	writing := partial(filepath.Base(Name(backups, now.Add(-2*time.Minute))))
	theirs := partial("roster-monday.db")
	old := now.Add(-time.Hour)
	for _, p := range []string{killed, killed + "-journal", writing, theirs} {
		if err := os.WriteFile(p, []byte("SQLite format 3"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	// Another process's backup under way holds its file.
	held, err := os.Open(writing)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	if _, err := Take(ctx, st, backups, now); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{killed, killed + "-journal"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s, left by a killed backup, is still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range []string{writing, theirs} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	// Its own partial file, which it held, went with its end.
	entries, _ := os.ReadDir(backups)
	if len(entries) != 3 {
		t.Errorf("%d files after the backup, want the backup and the two partial files kept", len(entries))
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %s", what)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
