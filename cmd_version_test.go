package main

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// roster --version and roster version say the same, without opening the
// database; what a release build sets with -ldflags -X (main.version,
// main.commit, main.date) comes before the build information.
func TestVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none", "roster.db")
	plain := ok(t, db, "--version")
	if !strings.HasPrefix(plain, "roster ") || !strings.HasSuffix(plain, " "+runtime.Version()+"\n") {
		t.Errorf("roster --version: %q", plain)
	}
	if got := ok(t, db, "version"); got != plain {
		t.Errorf("roster version: %q, want what --version says, %q", got, plain)
	}
	if files, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "*")); len(files) != 0 {
		t.Errorf("roster --version made %v", files)
	}

	version, commit, date = "v1.4.0", "0123abc", "2026-12-02T10:00:00Z"
	defer func() { version, commit, date = "", "", "" }()
	if got, want := ok(t, db, "--version"), "roster v1.4.0 commit 0123abc 2026-12-02T10:00:00Z "+runtime.Version()+"\n"; got != want {
		t.Errorf("stamped: %q, want %q", got, want)
	}
	b := jsonOf[buildInfo](t, db, "version")
	if b.Version != "v1.4.0" || b.Commit != "0123abc" || b.Date != "2026-12-02T10:00:00Z" || b.Modified {
		t.Errorf("version --json: %+v", b)
	}
}
