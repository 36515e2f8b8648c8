// Package backup takes roster serve's backups of a SQLite database on a
// schedule, names them by the time they were taken, and prunes the oldest;
// roster backup names its own the same way. Only files of that name, in
// the directory it is given, are ever removed.
package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"

	"roster/store"
)

// layout is the time in a backup's name: UTC, to the millisecond, and
// free of the colons some file systems refuse. To the second, as roster
// named them before, two backups in one second had one name, and the
// second failed.
const layout = "2006-01-02T150405.000Z"

// ours matches the names Name gives, and those to the second that it
// gave before, compiled when first needed: at start it cost every
// process, whatever its command, a tenth of a millisecond.
var ours = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^roster-backup-(\d{4}-\d{2}-\d{2}T\d{6}(?:\.\d{3})?Z)\.db$`)
})

// Name is the path of a backup taken at at in dir.
func Name(dir string, at time.Time) string {
	return filepath.Join(dir, "roster-backup-"+at.UTC().Format(layout)+".db")
}

// List lists the backups named by Name in dir, oldest first, with the time
// each name gives.
func List(dir string) (paths []string, taken []time.Time, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	type found struct {
		path string
		at   time.Time
	}
	var all []found
	for _, e := range entries {
		m := ours().FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		// A layout to the second parses the fraction that follows too.
		at, err := time.Parse("2006-01-02T150405Z", m[1])
		if err != nil {
			continue
		}
		all = append(all, found{filepath.Join(dir, e.Name()), at})
	}
	// By time, not by name: a name to the second sorts after those to the
	// millisecond of the same second.
	slices.SortStableFunc(all, func(a, b found) int { return a.at.Compare(b.at) })
	for _, f := range all {
		paths, taken = append(paths, f.path), append(taken, f.at)
	}
	return paths, taken, nil
}

// Prune removes all but the newest keep backups named by Name in dir and
// returns those it removed. Backups named after now were named by a clock
// that was ahead (or is behind now): they are older than any taken since
// and removed first, oldest name first. By name alone they stayed the
// newest for good, and every backup taken after the clock was put right
// was removed at once, the only recent one.
func Prune(dir string, keep int, now time.Time) ([]string, error) {
	paths, taken, err := List(dir)
	if err != nil || len(paths) <= keep {
		return nil, err
	}
	ahead := slices.IndexFunc(taken, func(at time.Time) bool { return at.After(now) })
	if ahead >= 0 {
		paths = slices.Concat(paths[ahead:], paths[:ahead])
	}
	old := paths[:len(paths)-keep]
	var errs []error
	for _, p := range old {
		errs = append(errs, os.Remove(p))
	}
	return old, errors.Join(errs...)
}

// Status is what the scheduled backups last did, for the health and
// metrics endpoints: safe to read from any goroutine.
type Status struct {
	mu   sync.Mutex
	last time.Time
	err  error
}

// Last returns when the newest backup that succeeded was taken (zero if
// none is known) and the error of the latest attempt, nil when it
// succeeded.
func (s *Status) Last() (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.err
}

func (s *Status) set(ok time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.last = ok
	}
	s.err = err
}

// Schedule configures Run.
type Schedule struct {
	Dir   string        // where the backups go
	Every time.Duration // between two backups
	Keep  int           // how many to keep, at least 1
	Log   *slog.Logger
}

// Run takes a backup of st into sc.Dir every sc.Every until ctx ends,
// keeping the newest sc.Keep, and records each outcome in status. The
// first is due sc.Every after the newest backup already there, so that a
// server restarted more often than that still takes them; at once if there
// is none. Failures are logged and tried again at the next turn.
func Run(ctx context.Context, st *store.Store, sc Schedule, status *Status) {
	_, taken, err := List(sc.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		sc.Log.Error("backup", "dir", sc.Dir, "err", err)
	}
	next := time.Now()
	// Those named after now were named by a clock that was ahead (or is
	// behind now): they say nothing of when the last backup was taken, and
	// must not put the next one off.
	for len(taken) > 0 && taken[len(taken)-1].After(next) {
		taken = taken[:len(taken)-1]
	}
	if len(taken) > 0 {
		newest := taken[len(taken)-1]
		status.set(newest, nil)
		next = newest.Add(sc.Every)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		now := time.Now()
		next = now.Add(sc.Every)
		info, err := Take(ctx, st, sc.Dir, now)
		if ctx.Err() != nil {
			return
		}
		status.set(now, err)
		if err != nil {
			sc.Log.Error("backup", "err", err)
			continue
		}
		sc.Log.Info("backup", "path", info.Path, "users", info.Users, "audit", info.Audit, "outbox", info.Outbox, "took", time.Since(now).Round(time.Millisecond))
		removed, err := Prune(sc.Dir, sc.Keep, now)
		for _, p := range removed {
			sc.Log.Info("backup pruned", "path", p)
		}
		if err != nil {
			sc.Log.Error("backup prune", "err", err)
		}
	}
}

// Take takes one backup of st into dir (created if missing, the owner's
// alone), named by Name after now. First it removes what backups of such
// names killed while being written left there (store.RemoveStalePartials).
func Take(ctx context.Context, st *store.Store, dir string, now time.Time) (store.BackupInfo, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return store.BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	// Its failure is no reason not to take the backup, which then fails
	// itself if the disk is full.
	store.RemoveStalePartials(dir, ours().MatchString)
	return st.Backup(ctx, Name(dir, now))
}
