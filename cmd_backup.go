package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"time"

	"roster/backup"
	"roster/store"
)

// cmdBackup writes a checked copy of the database while it is in use
// (issue 16). Like migrate it is no act of an operator and writes no audit
// row: it reads.
func cmdBackup(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("backup")
	to := fs.String("to", "", "the new file to write (default: roster-backup-DATE.db beside the database)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("backup takes no argument (--to FILE names the copy)")
	}
	if store.IsPostgres(c.db) {
		return store.ErrBackupPostgres
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	start := time.Now()
	var info store.BackupInfo
	if *to == "" {
		info, err = backup.Take(ctx, c.st, filepath.Dir(c.st.Path()), start)
	} else {
		info, err = c.st.Backup(ctx, *to)
	}
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(info)
	}
	fmt.Fprintln(c.stdout, c.printer().T("backed up to %s in %v: integrity ok, schema version %d, %d users, %d audit rows, %d outbox rows",
		info.Path, time.Since(start).Round(time.Millisecond), info.SchemaVersion, info.Users, info.Audit, info.Outbox))
	return nil
}

// cmdRestore puts a backup in place of a database no process has open.
// It never opens the database as a store: that would migrate it, and
// hold it open.
func cmdRestore(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("restore")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("restore takes one backup file (roster restore FILE [--db PATH])")
	}
	db := c.db
	if db == "" {
		if db, err = store.DefaultPath(); err != nil {
			return err
		}
	}
	info, err := store.Restore(ctx, rest[0], db)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(info)
	}
	last := c.printer().T("no act audited")
	if !info.LastAct.IsZero() {
		last = c.printer().T("last act audited %s UTC", info.LastAct.UTC().Format(time.DateTime))
	}
	fmt.Fprintln(c.stdout, c.printer().T("restored %s (written %s UTC, %s, schema version %d) into %s: %d users, %d audit rows, %d outbox rows",
		info.Path, info.Taken.UTC().Format(time.DateTime), last, info.SchemaVersion, db, info.Users, info.Audit, info.Outbox))
	if want := store.SchemaVersion(); info.SchemaVersion < want {
		fmt.Fprintln(c.stdout, c.printer().T("roster brings it from schema version %d to %d when it next opens it", info.SchemaVersion, want))
	}
	return nil
}

// version, commit and date name the build. Release builds set them with
// -ldflags "-X main.version=v1.2.0 -X main.commit=… -X main.date=…";
// otherwise they come from the build information Go records (the module's
// version, and the checkout's commit and its time).
var version, commit, date string

// buildInfo is this binary's version, commit, date and whether the
// checkout it was built from had changes not committed.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Date     string `json:"date,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Go = bi.GoVersion
	if b.Version == "" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = commit == "" && s.Value == "true"
		}
	}
	return b
}

func cmdVersion(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("version")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("version takes no argument")
	}
	b := readBuildInfo()
	if c.json {
		return c.printJSON(b)
	}
	line := "roster " + b.Version
	if b.Commit != "" {
		line += " commit " + b.Commit
		if b.Modified {
			line += " (modified)"
		}
	}
	if b.Date != "" {
		line += " " + b.Date
	}
	fmt.Fprintln(c.stdout, line+" "+b.Go)
	return nil
}
