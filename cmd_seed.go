package main

import (
	"context"
	"fmt"
	"time"

	"roster/admin"
	"roster/store"
)

func cmdSeed(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("seed")
	n := fs.Int("users", 0, "how many fake users to create")
	seed := fs.Int64("seed", 1, "the same seed makes the same people")
	yes := fs.Bool("yes", false, "add them to a database that already holds users")
	if err := c.parseNone(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("seed needs --users N")
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	// Fake people among real ones are hard to take out again: seeding a
	// database in use asks for --yes.
	if !*yes {
		held, err := c.st.Read().CountUsers(ctx, store.ListQuery{Now: time.Now()})
		if err != nil {
			return err
		}
		if held > 0 {
			return errorf("the database already holds %d users: seed would add %d fake people among them; say --yes to go ahead", held, *n)
		}
	}
	stats, err := store.Seed(ctx, c.st, *n, *seed, admin.Presets)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(stats)
	}
	fmt.Fprintln(c.stdout, c.printer().T("seeded %d users, %d teams, %d invitations, %d away periods, %d conversations, %d automated replies in %s",
		stats.Users, stats.Teams, stats.Invitations, stats.AwayPeriods, stats.Conversations, stats.AutoReplies, stats.Took.Round(1e7)))
	return nil
}
