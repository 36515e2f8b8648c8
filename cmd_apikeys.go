package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"roster/admin"
	"roster/store"
)

func cmdAPIKeys(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("apikeys")
	name := fs.String("name", "", "with create: what the key is for (zapier, okta…)")
	// Given nothing (a variable left unset), the key never expired.
	expires := namedFlag(fs, "expires", "with create: when it stops working: 90d, 12w, 2027-06-30 (default: never)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	verb := ""
	if len(rest) > 0 {
		verb = rest[0]
	}
	id := func() (int64, error) { return oneID(rest, "apikeys", "key") }
	switch verb {
	case "create":
		if len(rest) != 1 {
			return usagef("apikeys create takes --name N [--expires 90d], and no argument")
		}
		var until time.Time
		if *expires != "" {
			e := *expires
			if e[0] >= '0' && e[0] <= '9' && !strings.ContainsAny(e, "-/") {
				e = "+" + e // 90d: from today
			}
			if until, err = admin.ParseDate(e, c.svc.Now()); err != nil {
				return err
			}
		}
		secret, k, err := c.svc.CreateAPIKey(ctx, a, *name, until)
		if err != nil {
			return err
		}
		return c.printSecret(secret, k, c.printer().T("created"))
	case "regenerate":
		n, err := id()
		if err != nil {
			return err
		}
		secret, k, err := c.svc.RegenerateAPIKey(ctx, a, n)
		if err != nil {
			return err
		}
		return c.printSecret(secret, k, c.printer().T("regenerated; the old secret no longer works"))
	case "revoke":
		n, err := id()
		if err != nil {
			return err
		}
		if err := c.svc.RevokeAPIKey(ctx, a, n); err != nil {
			return err
		}
		if c.json {
			return c.printJSON(map[string]int64{"id": n})
		}
		fmt.Fprintln(c.stdout, c.printer().T("API key %d revoked", n))
		return nil
	}
	email := ""
	switch {
	case len(rest) == 1 && !strings.Contains(rest[0], "@"):
		return unknownVerb("apikeys", rest[0], "[EMAIL], or create, regenerate ID or revoke ID", "create", "regenerate", "revoke")
	case len(rest) == 1:
		email = rest[0]
	case len(rest) > 1:
		return usagef("apikeys takes [EMAIL], or create, regenerate ID or revoke ID")
	}
	keys, err := c.svc.APIKeys(ctx, a, email)
	if err != nil {
		return err
	}
	return printList(c, keys, []string{"ID", "NAME", "PREFIX", "CREATED", "LAST USED", "EXPIRES"}, func(k store.APIKey) []string {
		expires := c.printer().T("never")
		if !k.ExpiresAt.IsZero() {
			expires = k.ExpiresAt.Local().Format("2006-01-02")
		}
		return []string{strconv.FormatInt(k.ID, 10), k.Name, k.Prefix + "…", k.CreatedAt.Local().Format("2006-01-02"), c.lastUsed(k.LastUsedAt), expires}
	})
}

func (c *cli) lastUsed(t time.Time) string {
	if t.IsZero() {
		return c.printer().T("never")
	}
	return t.Local().Format("2006-01-02 15:04")
}

// printSecret shows a key's secret, the only time it is shown.
func (c *cli) printSecret(secret string, k *store.APIKey, done string) error {
	if c.json {
		return c.printJSON(map[string]any{"secret": secret, "key": k})
	}
	fmt.Fprintf(c.stdout, "%s:\n\n    %s\n\n%s\n", c.printer().T("API key %d (%s) %s", k.ID, admin.Printable(k.Name), done), secret,
		c.printer().T("This is the only time it is shown: keep it now (only its hash is stored)."))
	return nil
}
