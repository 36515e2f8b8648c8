package main

import (
	"context"
	"fmt"

	"roster/admin"
	"roster/store"
)

func cmdSeed(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("seed")
	n := fs.Int("users", 0, "how many fake users to create")
	seed := fs.Int64("seed", 1, "the same seed makes the same people")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("seed needs --users N")
	}
	if err := c.open(ctx); err != nil {
		return err
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
