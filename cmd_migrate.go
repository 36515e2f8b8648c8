package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"roster/store"
)

// cmdMigrate copies a whole database into an empty one, SQLite to
// PostgreSQL when an organisation moves to several nodes, or back for a
// backup (issue 11). It is no act of an operator, so it writes no audit
// row of its own: the target's audit trail is the source's, row for row.
func cmdMigrate(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("migrate")
	from := fs.String("from", "", "the database to copy: a SQLite file or a postgres:// URL, at this roster's schema version")
	to := fs.String("to", "", "the empty database to copy it into: a postgres:// URL or a SQLite file (created)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if *from == "" || *to == "" || len(rest) > 0 {
		return usagef("migrate takes --from DB --to DB, and no argument")
	}
	began := time.Now()
	counts, err := store.Copy(ctx, *from, *to)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(counts)
	}
	rows := make([][]string, len(counts))
	for i, n := range counts {
		rows[i] = []string{n.Table, strconv.FormatInt(n.Rows, 10)}
	}
	if err := c.table([]string{"TABLE", "ROWS"}, rows); err != nil {
		return err
	}
	// The copy is one snapshot of the source, taken as it began (a SQLite
	// source no process had open, a PostgreSQL one perhaps in use).
	fmt.Fprintln(c.stdout, c.printer().T("copied as the source was when the copy began, %s UTC: what was written to it since is not in the copy",
		began.UTC().Format(time.DateTime)))
	return nil
}
