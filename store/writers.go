package store

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// waitingWriters is how the writers of one SQLite database, in every
// process, tell a long run of write transactions (an import, a bulk act)
// that they wait for the write lock. SQLite's busy handler polls for the
// lock, sleeping up to 100 ms between tries, so a run that took the lock
// again as soon as it let it go would keep a waiting writer out until its
// end; pausing between every two transactions instead cost an import alone
// a third of its time. A writer holds a shared lock (flock) on the file
// beside the database, path-writers, while it waits for the write lock;
// the run pauses only when it cannot take an exclusive one. Writers that
// are not roster (the sqlite3 shell) are not seen.
type waitingWriters struct {
	path string
	mu   sync.Mutex
	n    int      // writers of this Store waiting
	wait *os.File // their shared lock's file, open once
	look *os.File // any's exclusive lock's, open once
}

// mark marks a writer of this Store waiting for the write lock until done
// is called. A file that cannot be locked marks nobody: the run then
// pauses every time (see any).
func (w *waitingWriters) mark() (done func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 && w.lock(&w.wait, syscall.LOCK_SH) != nil {
		return func() {}
	}
	w.n++
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.n--; w.n == 0 {
			syscall.Flock(int(w.wait.Fd()), syscall.LOCK_UN)
		}
	}
}

// any reports whether a writer, of this process or another, waits for the
// write lock, or whether that cannot be known.
func (w *waitingWriters) any() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lock(&w.look, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return true
	}
	syscall.Flock(int(w.look.Fd()), syscall.LOCK_UN)
	return false
}

// lock opens *f, once, and takes how's lock on it.
func (w *waitingWriters) lock(f **os.File, how int) error {
	if *f == nil {
		file, err := os.OpenFile(w.path, os.O_RDONLY|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		*f = file
	}
	for {
		err := syscall.Flock(int((*f).Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// close closes the files, which lets their locks go.
func (w *waitingWriters) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, f := range []*os.File{w.wait, w.look} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}
