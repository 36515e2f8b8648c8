package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A claim takes no subscription past PerWebhook deliveries in flight,
// counting those leased by earlier claims: a receiver that hangs holds its
// own places and the others' deliveries are still claimed. A delivery
// recorded, or whose lease ran out, frees its place; the deliveries due
// after Due wait for a later claim.
func TestClaimDeliveriesPerWebhook(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	now := t0
	hooks := make([]*Webhook, 3)
	must(t, st.Write(ctx, func(q *Q) error {
		for i := range hooks {
			hooks[i] = &Webhook{URL: fmt.Sprintf("https://example.com/%d", i), Events: []string{"all"}, Secret: "s", CreatedAt: now}
			if err := q.InsertWebhook(ctx, hooks[i]); err != nil {
				return err
			}
		}
		// Six due for each of the first two, interleaved as events queue
		// them; one for the third, due a minute later.
		for i := range 6 {
			for _, h := range hooks[:2] {
				if err := q.EnqueueDeliveries(ctx, &Delivery{WebhookID: h.ID, EventID: fmt.Sprint(i), EventType: "user.invited",
					Payload: "{}", NextAt: now, GiveUpAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		return q.EnqueueDeliveries(ctx, &Delivery{WebhookID: hooks[2].ID, EventID: "late", EventType: "user.invited",
			Payload: "{}", NextAt: now.Add(time.Minute), GiveUpAt: now.Add(time.Hour), CreatedAt: now})
	}))
	claim := func(now time.Time, limit int) []Delivery {
		t.Helper()
		var ds []Delivery
		must(t, st.Claim(ctx, func(q *Q) (err error) {
			ds, err = q.ClaimDeliveries(ctx, DeliveryClaim{Now: now, Due: t0, LeaseUntil: now.Add(time.Minute), Limit: limit, PerWebhook: 2})
			return err
		}))
		return ds
	}
	perHook := func(ds []Delivery) map[int64]int {
		n := map[int64]int{}
		for _, d := range ds {
			n[d.WebhookID]++
			if d.State != DeliverySending {
				t.Errorf("claimed %d in state %s", d.ID, d.State)
			}
		}
		return n
	}

	first := claim(now, 3)
	if n := perHook(first); len(first) != 3 || n[hooks[0].ID] != 2 || n[hooks[1].ID] != 1 {
		t.Fatalf("first claim of 3: %v", n)
	}
	second := claim(now, 10)
	if n := perHook(second); len(second) != 1 || n[hooks[1].ID] != 1 {
		t.Fatalf("second claim, the first hook at its bound: %v", n)
	}
	if ds := claim(now, 10); len(ds) != 0 {
		t.Fatalf("both at their bound, claimed %d", len(ds))
	}
	// One of the first hook's recorded: one place frees, for it alone.
	done := first[0]
	done.State, done.DoneAt = DeliveryDelivered, now
	must(t, st.Write(ctx, func(q *Q) error {
		ok, err := q.RecordDelivery(ctx, &done)
		if err == nil && !ok {
			err = fmt.Errorf("the claim of %d was lost", done.ID)
		}
		return err
	}))
	third := claim(now, 10)
	if n := perHook(third); len(third) != 1 || n[hooks[0].ID] != 1 || third[0].ID <= first[1].ID {
		t.Fatalf("after one recorded: %v", third)
	}
	// Once the leases run out, those deliveries are due again, and
	// in flight no more: two of each are taken, the oldest first. The
	// third hook's is not due by Due.
	later := now.Add(2 * time.Minute)
	again := claim(later, 10)
	if n := perHook(again); len(again) != 4 || n[hooks[0].ID] != 2 || n[hooks[1].ID] != 2 || again[0].ID != first[1].ID {
		t.Fatalf("after the leases ran out: %v", again)
	}
}
