package main

import (
	"context"
	"errors"

	"roster/admin"
	"roster/mail"
	"roster/tui"
)

// cmdDashboard runs when roster is called with no command: the dashboard,
// as --as (default: the only owner), or the first-run setup on a database
// without an account. Mail is delivered while it is open.
func cmdDashboard(c *cli, ctx context.Context) error {
	if c.actor != nil {
		return usagef("over SSH, the dashboard opens in a terminal: ssh -t")
	}
	a, err := c.operator(ctx)
	if errors.Is(err, admin.ErrNoAccount) {
		a = admin.Actor{}
	} else if err != nil {
		return err
	}
	cfg, err := c.mailConfig(ctx)
	if err != nil {
		return err
	}
	worker, err := mail.Start(ctx, c.st, cfg) // logs nothing: the screen is the dashboard's
	if err != nil {
		return err
	}
	defer worker.Stop()
	return tui.Run(ctx, tui.Options{Service: c.svc, Operator: a.Email, Channel: admin.ChannelTUI})
}
