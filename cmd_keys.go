package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"roster/admin"
	"roster/store"
)

func cmdKeys(c *cli, ctx context.Context, args []string) error {
	rest, err := c.parse(c.flags("keys"), args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	verb := "list"
	if len(rest) > 0 {
		verb, rest = rest[0], rest[1:]
	}
	switch {
	case verb == "list" && len(rest) <= 1:
		email := ""
		if len(rest) == 1 {
			email = rest[0]
		}
		keys, err := c.svc.Keys(ctx, a, email)
		if err != nil {
			return err
		}
		return printList(c, keys, []string{"USER", "FINGERPRINT", "COMMENT", "ADDED"}, func(k store.SSHKey) []string {
			return []string{k.Email, k.Fingerprint, k.Comment, k.CreatedAt.Local().Format("2006-01-02")}
		})
	case verb == "add" && len(rest) == 2:
		in := c.input(ctx)
		if rest[1] != "-" {
			if c.actor != nil {
				return errorf("over SSH, keys add reads the key from standard input: keys add EMAIL -")
			}
			f, err := os.Open(rest[1])
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		line, err := io.ReadAll(io.LimitReader(in, 16<<10))
		if err != nil {
			return err
		}
		k, err := c.svc.AddKey(ctx, a, rest[0], string(line))
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(k)
		}
		fmt.Fprintln(c.stdout, c.printer().T("added key %s for %s", k.Fingerprint, admin.Printable(k.Email)))
		return nil
	case verb == "remove" && len(rest) == 2:
		var removed any // with --json, the key as keys --json listed it
		if c.json {
			keys, err := c.svc.Keys(ctx, a, rest[0])
			if err != nil {
				return err
			}
			for _, k := range keys {
				if k.Fingerprint == strings.TrimSpace(rest[1]) {
					removed = k
				}
			}
		}
		if err := c.svc.RemoveKey(ctx, a, rest[0], rest[1]); err != nil {
			return err
		}
		if c.json {
			return c.printJSON(removed)
		}
		fmt.Fprintln(c.stdout, c.printer().T("removed key %s of %s", admin.Printable(rest[1]), admin.Printable(rest[0])))
		return nil
	}
	if verb != "list" && verb != "add" && verb != "remove" {
		return unknownVerb("keys", verb, "list [EMAIL], add EMAIL FILE|- or remove EMAIL FINGERPRINT", "list", "add", "remove")
	}
	return usagef("keys takes list [EMAIL], add EMAIL FILE|- or remove EMAIL FINGERPRINT")
}
