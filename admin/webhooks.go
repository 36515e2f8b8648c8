package admin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"roster/store"
)

// webhookEvents are the events a webhook may subscribe to, by the audit
// action that records them: the event is queued with its audit row, in the
// same transaction.
var webhookEvents = map[string]string{
	"user.invite":     "user.invited",
	"user.stage":      "user.staged",
	"invite.accept":   "invitation.accepted",
	"invite.resend":   "invitation.resent",
	"invite.revoke":   "invitation.revoked",
	"user.edit":       "user.updated",
	"user.perms":      "permissions.changed",
	"away.set":        "user.away",
	"away.end":        "user.back",
	"user.deactivate": "user.deactivated",
	"user.reactivate": "user.reactivated",
	"user.delete":     "user.deleted",
	"invite.stuck":    "invitation.stuck",
}

// WebhookEvents lists the event types, sorted.
func WebhookEvents() []string {
	var out []string
	for _, e := range webhookEvents {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// webhookLifetime is how long a delivery is retried before it fails.
const webhookLifetime = 72 * time.Hour

// AddWebhook subscribes url to events (WebhookEvents; "all" for every one)
// and returns the secret that signs the payloads, shown once. Only http(s)
// URLs, and no receiver on loopback, link-local or private addresses unless
// the account allows them (roster account --webhooks-private true). It
// needs settings.integrations.
func (s *Service) AddWebhook(ctx context.Context, a Actor, rawURL string, events []string) (string, *store.Webhook, error) {
	events, err := checkEvents(events)
	if err != nil {
		return "", nil, err
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return "", nil, inputErr("url", "%q: an http:// or https:// address, without a user or password", rawURL)
	}
	key := make([]byte, 24)
	rand.Read(key)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	var w *store.Webhook
	err = s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.integrations", "managing webhooks"); err != nil {
			return err
		}
		acct, err := q.Account(ctx)
		if err != nil {
			return err
		}
		if err := checkReceiver(ctx, u.Hostname(), acct.WebhooksPrivate); err != nil {
			return err
		}
		w = &store.Webhook{URL: u.String(), Events: events, Secret: secret, CreatedAt: s.Now(), CreatedBy: op.Email}
		if err := q.InsertWebhook(ctx, w); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "webhook.add", nil, nil, map[string]any{"id": w.ID, "url": w.URL, "events": events})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, w, nil
}

func checkEvents(events []string) ([]string, error) {
	known := WebhookEvents()
	var out []string
	for _, e := range events {
		for _, e := range strings.Split(e, ",") {
			e = strings.ToLower(strings.TrimSpace(e))
			switch {
			case e == "":
			case e == "all":
				return known, nil
			case !slices.Contains(known, e):
				return nil, inputErr("events", "%q is not an event (want all, or some of %s)", e, strings.Join(known, ", "))
			case !slices.Contains(out, e):
				out = append(out, e)
			}
		}
	}
	if len(out) == 0 {
		return nil, inputErr("events", "name at least one: "+strings.Join(known, ", ")+", or all")
	}
	return out, nil
}

// checkReceiver refuses a host that resolves to an address webhooks may not
// reach, unless private ones are allowed.
func checkReceiver(ctx context.Context, host string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return inputErr("url", "%s: %v", host, err)
	}
	for _, ip := range addrs {
		if err := ReceiverAllowed(ip, false); err != nil {
			return inputErr("url", "%s is %s", host, err)
		}
	}
	return nil
}

// ReceiverAllowed says whether a webhook may be sent to ip: never to an
// unspecified or multicast address, and to loopback, link-local and private
// ones only when the account allows them. The delivery checks it again on
// the address it connects to, so that a name resolving elsewhere later
// (DNS rebinding) gains nothing.
func ReceiverAllowed(ip netip.Addr, allowPrivate bool) error {
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified() || ip.IsMulticast():
		return sentence("not an address to send to")
	case allowPrivate:
		return nil
	case ip.IsLoopback():
		return sentence("a loopback address (roster account --webhooks-private true allows it)")
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return sentence("a link-local address (roster account --webhooks-private true allows it)")
	case ip.IsPrivate() || netip.MustParsePrefix("100.64.0.0/10").Contains(ip):
		return sentence("a private address (roster account --webhooks-private true allows it)")
	case slices.ContainsFunc(translating, func(p netip.Prefix) bool { return p.Contains(ip) }):
		return sentence("an address that carries another, which may be private (roster account --webhooks-private true allows it)")
	}
	return nil
}

// translating are the IPv6 prefixes whose addresses carry an IPv4 one that
// a gateway reaches for them (NAT64, local NAT64, 6to4, Teredo): on a
// network with such a gateway, 64:ff9b::7f00:1 is 127.0.0.1.
var translating = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"), netip.MustParsePrefix("2001::/32")}

// Webhooks lists the subscriptions. It needs settings.integrations.
func (s *Service) Webhooks(ctx context.Context, a Actor) ([]store.Webhook, error) {
	var out []store.Webhook
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := op.need("settings.integrations", "managing webhooks"); err != nil {
			return err
		}
		out, err = q.Webhooks(ctx)
		return err
	})
	return out, err
}

// RemoveWebhook removes a subscription and what it had not delivered.
func (s *Service) RemoveWebhook(ctx context.Context, a Actor, id int64) error {
	return s.write(ctx, a, func(q *store.Q, op *operator) error {
		if err := op.need("settings.integrations", "managing webhooks"); err != nil {
			return err
		}
		// The entry says where the subscription sent what, as webhook.add's
		// does: its ID alone named what no longer exists.
		hooks, err := q.Webhooks(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(hooks, func(w store.Webhook) bool { return w.ID == id })
		if i < 0 {
			return notFound("webhook %d", id)
		}
		if _, err := q.DeleteWebhook(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, q, op.User, op.channel, "webhook.remove", nil, hooks[i], nil)
	})
}

// WebhookDeliveries lists a subscription's deliveries, newest first, each
// with the receiver's answer.
func (s *Service) WebhookDeliveries(ctx context.Context, a Actor, id int64, limit int) ([]store.Delivery, error) {
	var out []store.Delivery
	err := s.read(ctx, a, func(q *store.Q, op *operator) (err error) {
		if err := op.need("settings.integrations", "managing webhooks"); err != nil {
			return err
		}
		out, err = q.Deliveries(ctx, id, limit)
		return err
	})
	return out, err
}

// queueEvents writes, in the caller's transaction, a delivery of each
// audited change that is an event to each webhook subscribed to it. The
// payload says who did what to whom, through which door, with the audit
// row's before and after.
func (s *Service) queueEvents(ctx context.Context, q *store.Q, entries ...*store.AuditEntry) error {
	var hooks []store.Webhook
	var ds []*store.Delivery
	for _, e := range entries {
		typ, ok := webhookEvents[e.Action]
		if !ok {
			continue
		}
		if hooks == nil {
			var err error
			if hooks, err = q.Webhooks(ctx); err != nil {
				return err
			}
		}
		var payload []byte
		for _, h := range hooks {
			if !slices.Contains(h.Events, typ) {
				continue
			}
			if payload == nil {
				data := map[string]any{"actor": e.Actor, "channel": e.Channel, "target": e.Target}
				for k, v := range map[string]string{"before": e.Before, "after": e.After} {
					if v != "" {
						data[k] = json.RawMessage(v)
					}
				}
				var err error
				// sequence is the audit row's ID, which grows in the order
				// changes commit: deliveries run side by side and retry,
				// so a receiver orders by it, and keeps the newest.
				if payload, err = json.Marshal(map[string]any{"type": typ, "timestamp": e.At.UTC().Format(time.RFC3339), "sequence": e.ID,
					"data": data}); err != nil {
					return err
				}
			}
			ds = append(ds, &store.Delivery{WebhookID: h.ID, EventID: fmt.Sprintf("msg_%d", e.ID), EventType: typ, Payload: string(payload),
				NextAt: e.At, GiveUpAt: e.At.Add(webhookLifetime), CreatedAt: e.At})
		}
	}
	return q.EnqueueDeliveries(ctx, ds...)
}

// MailFailed is told by the mail worker, in the transaction that records
// it, of mail that failed for good. An invitation whose mail failed is
// stuck: an audit row says so, from the system, and it is the webhooks'
// invitation.stuck event and the notice of the same name to whoever
// invited.
func (s *Service) MailFailed(ctx context.Context, q *store.Q, failed []store.OutboxMessage) error {
	var entries []*store.AuditEntry
	for _, m := range failed {
		if m.Kind != store.MailInvitation && m.Kind != store.MailInviteResent || m.UserID == 0 {
			continue
		}
		u, err := q.UserByID(ctx, m.UserID, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			continue // revoked meanwhile
		} else if err != nil {
			return err
		}
		e, err := s.auditEntry(nil, ChannelSystem, "invite.stuck", u, nil, map[string]any{"mail": m.ID, "reason": m.LastError, "reply": m.Reply})
		if err != nil {
			return err
		}
		e.ActorID, e.Actor = 0, "" // nobody did it: the relay refused
		entries = append(entries, e)
	}
	return s.writeAudit(ctx, q, entries...)
}
