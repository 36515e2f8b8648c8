package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"roster/admin"
	"roster/store"
)

func cmdWebhooks(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("webhooks")
	events := fs.String("events", "", "with add: the events, comma-separated, or all: "+strings.Join(admin.WebhookEvents(), ", "))
	limit := fs.Int("limit", 50, "with deliveries: at most N, newest first")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	id := func() (int64, error) { return oneID(rest, "webhooks", "webhook") }
	verb := ""
	if len(rest) > 0 {
		verb = rest[0]
	}
	switch verb {
	case "":
		hooks, err := c.svc.Webhooks(ctx, a)
		if err != nil {
			return err
		}
		return printList(c, hooks, []string{"ID", "URL", "EVENTS", "ADDED"}, func(w store.Webhook) []string {
			return []string{strconv.FormatInt(w.ID, 10), w.URL, strings.Join(w.Events, ","), w.CreatedAt.Local().Format("2006-01-02")}
		})
	case "add":
		if len(rest) != 2 {
			return usagef("webhooks add takes one URL and --events")
		}
		secret, w, err := c.svc.AddWebhook(ctx, a, rest[1], []string{*events})
		if err != nil {
			return err
		}
		if c.json {
			return c.printJSON(map[string]any{"webhook": w, "secret": secret})
		}
		fmt.Fprintf(c.stdout, "%s\n%s\n\n    %s\n", c.printer().T("webhook %d added: %s for %s", w.ID, admin.Printable(w.URL), strings.Join(w.Events, ", ")),
			c.printer().T("its signing secret, shown once (Standard Webhooks):"), secret)
		return nil
	case "remove":
		n, err := id()
		if err != nil {
			return err
		}
		var removed any // with --json, the webhook as webhooks --json listed it
		if c.json {
			hooks, err := c.svc.Webhooks(ctx, a)
			if err != nil {
				return err
			}
			for _, w := range hooks {
				if w.ID == n {
					removed = w
				}
			}
		}
		if err := c.svc.RemoveWebhook(ctx, a, n); err != nil {
			return err
		}
		if c.json {
			return c.printJSON(removed)
		}
		fmt.Fprintln(c.stdout, c.printer().T("webhook %d removed", n))
		return nil
	case "deliveries":
		n, err := id()
		if err != nil {
			return err
		}
		ds, err := c.svc.WebhookDeliveries(ctx, a, n, *limit)
		if err != nil {
			return err
		}
		return printList(c, ds, []string{"ID", "EVENT", "STATE", "ATTEMPTS", "ANSWER", "QUEUED"}, func(d store.Delivery) []string {
			answer := d.LastError
			if d.LastStatus != 0 {
				answer = strconv.Itoa(d.LastStatus) + " " + d.Response
			}
			return []string{strconv.FormatInt(d.ID, 10), d.EventType, c.printer().T(d.State), strconv.Itoa(d.Attempts), answer, d.CreatedAt.Local().Format("2006-01-02 15:04")}
		})
	}
	return usagef("webhooks takes add URL --events E, remove ID or deliveries ID, or nothing")
}
