package main

import (
	"context"
	"errors"
	"fmt"

	"roster/admin"
)

// cmdDashboard runs when roster is called with no command.
func cmdDashboard(c *cli, ctx context.Context) error {
	a, err := c.operator(ctx)
	if errors.Is(err, admin.ErrNoAccount) {
		fmt.Fprintf(c.stdout, "No account in %s yet. Create it with:\n  roster init --org NAME --owner EMAIL\n", c.st.Path())
		return nil
	}
	if err != nil {
		return err
	}
	acct, err := c.svc.Account(ctx)
	if err != nil {
		return err
	}
	sum, err := c.svc.Summary(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s — acting as %s\n%d active · %d invited · %d expired · %d away · %d never logged in\n\n",
		admin.Printable(acct.Name), admin.Printable(a.Email), sum.Active, sum.Invited, sum.Expired, sum.Away, sum.NeverLoggedIn)
	return cmdHelp(c, ctx, nil)
}
