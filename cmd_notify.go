package main

import (
	"context"
	"slices"
	"strings"

	"roster/admin"
	"roster/i18n"
)

// cmdNotify shows, or changes with --set, which events reach a user and
// by which channels.
func cmdNotify(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("notify")
	var sets []string
	fs.Func("set", "EVENT=CHANNELS: email, sms, both (email,sms), off, or default (repeatable)", func(s string) error {
		sets = append(sets, s)
		return nil
	})
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("notify takes one EMAIL")
	}
	a, err := c.operator(ctx)
	if err != nil {
		return err
	}
	var prefs []admin.NotifyPref
	if len(sets) > 0 {
		prefs, err = c.svc.SetNotifyPrefs(ctx, a, rest[0], 0, sets)
	} else {
		prefs, err = c.svc.NotifyPrefs(ctx, a, rest[0])
	}
	if err != nil {
		return err
	}
	if c.json { // machine output is English, whoever the user is
		for i := range prefs {
			prefs[i].Label = prefs[i].LabelIn(i18n.For(i18n.English))
		}
	}
	return printList(c, prefs, []string{"EVENT", "TO", "CHANNELS", "", "WHAT"}, func(p admin.NotifyPref) []string {
		chs := strings.Join(p.Channels, ",")
		if chs == "" {
			chs = c.printer().T("off")
		}
		if slices.Contains(p.Channels, admin.NotifySMS) && slices.Contains(p.Unavailable, admin.NotifySMS) {
			chs += " " + c.printer().T("(no phone)") // no SMS until the user has a number
		}
		note := c.printer().T("default")
		if p.Chosen {
			note = c.printer().T("chosen")
		}
		if p.Mandatory {
			note = c.printer().T("always")
		}
		return []string{p.Event, p.WhoIn(c.printer()), chs, note, p.LabelIn(c.printer())}
	})
}
