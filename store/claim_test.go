package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"roster/internal/testdb"
)

// openNodes opens n stores on one new PostgreSQL database: n nodes, each
// with pools of its own.
func openNodes(t *testing.T, n int) []*Store {
	t.Helper()
	dsn := testdb.NewPostgres(t)
	var out []*Store
	for range n {
		st, err := Open(context.Background(), dsn)
		must(t, err)
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

// queueMail queues n test messages, due at now, and returns them.
func queueMail(t *testing.T, st *Store, now time.Time, userID int64, n int) []*OutboxMessage {
	t.Helper()
	ms := make([]*OutboxMessage, n)
	for i := range ms {
		ms[i] = &OutboxMessage{Kind: MailTest, UserID: userID, Recipient: fmt.Sprintf("m%d@example.com", i), Locale: "en",
			Data: "{}", MessageID: fmt.Sprintf("<m%d.%d@example.com>", userID, i), CreatedAt: now}
	}
	must(t, st.Write(context.Background(), func(q *Q) error { return q.Enqueue(context.Background(), ms...) }))
	return ms
}

// claimMail claims up to limit messages at now in Claim's transaction.
func claimMail(ctx context.Context, st *Store, now time.Time, limit int) ([]OutboxMessage, error) {
	var res *ClaimResult
	err := st.Claim(ctx, func(q *Q) (err error) {
		res, err = q.ClaimMail(ctx, MailClaim{Now: now, LeaseUntil: now.Add(time.Minute), Limit: limit})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res.Claimed, nil
}

// Two nodes' workers claiming at once, two each, take every message and
// every webhook delivery exactly once: FOR UPDATE SKIP LOCKED, with no
// lock between them.
func TestPostgresClaimsOnTwoNodesTakeEachOnce(t *testing.T) {
	nodes := openNodes(t, 2)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	const messages, deliveries = 300, 200
	queueMail(t, nodes[0], now, 0, messages)
	hook := &Webhook{URL: "https://example.com/hook", Events: []string{"user.created"}, Secret: "s", CreatedAt: now}
	must(t, nodes[0].Write(ctx, func(q *Q) error {
		if err := q.InsertWebhook(ctx, hook); err != nil {
			return err
		}
		for i := range deliveries {
			if err := q.EnqueueDeliveries(ctx, &Delivery{WebhookID: hook.ID, EventID: fmt.Sprint(i), EventType: "user.created",
				Payload: "{}", NextAt: now, GiveUpAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	}))

	var mu sync.Mutex
	mail, hooks := map[int64]int{}, map[int64]int{}
	var wg sync.WaitGroup
	for _, st := range []*Store{nodes[0], nodes[0], nodes[1], nodes[1]} {
		wg.Go(func() {
			for {
				var ms []OutboxMessage
				var ds []Delivery
				err := st.Claim(ctx, func(q *Q) (err error) {
					res, err := q.ClaimMail(ctx, MailClaim{Now: now, LeaseUntil: now.Add(time.Hour), Limit: 7})
					if err != nil {
						return err
					}
					ms = res.Claimed
					ds, err = q.ClaimDeliveries(ctx, DeliveryClaim{Now: now, LeaseUntil: now.Add(time.Hour), Limit: 5})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms)+len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					mail[m.ID]++
				}
				for _, d := range ds {
					hooks[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for what, got := range map[string]map[int64]int{"messages": mail, "deliveries": hooks} {
		want := map[string]int{"messages": messages, "deliveries": deliveries}[what]
		if len(got) != want {
			t.Errorf("%d %s claimed, want %d", len(got), what, want)
		}
		for id, n := range got {
			if n != 1 {
				t.Errorf("%s %d claimed %d times", what, id, n)
			}
		}
	}
}

// A claim waits for no operator's write: while another node's write
// transaction holds the write lock, and a row it cancelled, the claim takes
// the other messages and the due delivery, and skips the locked row. It
// leaves the message past its give-up time, whose audit needs the write
// lock, to the next claim.
func TestPostgresClaimDoesNotWaitForWrites(t *testing.T) {
	nodes := openNodes(t, 2)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	u := addUser(t, nodes[0], &User{Email: "ann@example.com"})
	cancelled := queueMail(t, nodes[0], now, u.ID, 1)[0]
	others := queueMail(t, nodes[0], now, 0, 3)
	expired := &OutboxMessage{Kind: MailTest, Recipient: "old@example.com", Locale: "en", Data: "{}",
		MessageID: "<old@example.com>", CreatedAt: now.Add(-time.Hour), GiveUpAt: now.Add(-time.Minute)}
	must(t, nodes[0].Write(ctx, func(q *Q) error { return q.Enqueue(ctx, expired) }))
	hook := &Webhook{URL: "https://example.com/hook", Events: []string{"user.created"}, Secret: "s", CreatedAt: now}
	must(t, nodes[0].Write(ctx, func(q *Q) error {
		if err := q.InsertWebhook(ctx, hook); err != nil {
			return err
		}
		return q.EnqueueDeliveries(ctx, &Delivery{WebhookID: hook.ID, EventID: "e", EventType: "user.created",
			Payload: "{}", NextAt: now, GiveUpAt: now.Add(time.Hour), CreatedAt: now})
	}))

	held, release, wrote := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		wrote <- nodes[0].Write(ctx, func(q *Q) error {
			if n, err := q.CancelPendingMail(ctx, u.ID, MailTest); err != nil || n != 1 {
				return fmt.Errorf("cancelled %d: %v", n, err)
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-wrote:
		t.Fatalf("the operator's write: %v", err)
	}
	// Were the claim to wait for the write lock, it would wait until
	// release, which comes only after it: the deadline ends the test.
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var res *ClaimResult
	var ds []Delivery
	err := nodes[1].Claim(cctx, func(q *Q) (err error) {
		if res, err = q.ClaimMail(cctx, MailClaim{Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10}); err != nil {
			return err
		}
		ds, err = q.ClaimDeliveries(cctx, DeliveryClaim{Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
		return err
	})
	close(release)
	must(t, err)
	must(t, <-wrote)
	ms := res.Claimed
	if len(ms) != len(others) || len(ds) != 1 || len(res.GaveUp) != 0 {
		t.Fatalf("claimed %d messages and %d deliveries beside the write, and gave up %d; want %d, 1 and 0",
			len(ms), len(ds), len(res.GaveUp), len(others))
	}
	// The tests of other packages, on other schemas of the test database,
	// take the same write lock: a claim may find it taken again.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		must(t, nodes[1].Claim(ctx, func(q *Q) (err error) {
			res, err = q.ClaimMail(ctx, MailClaim{Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
			return err
		}))
		if len(res.GaveUp) > 0 {
			break
		}
	}
	if len(res.GaveUp) != 1 || res.GaveUp[0].ID != expired.ID {
		t.Fatalf("once the write ended, the claim gave up %d messages, want the expired one", len(res.GaveUp))
	}
	for _, m := range ms {
		if m.ID == cancelled.ID {
			t.Fatalf("claimed the message the write held")
		}
	}
	m, err := nodes[1].Read().OutboxByID(ctx, cancelled.ID)
	must(t, err)
	if m.State != OutboxCancelled {
		t.Fatalf("the message the write cancelled is %s", m.State)
	}
}

// Every other writer of a claimed row holds the write lock and changes the
// row only under a condition on its state: when a claim holds the row, the
// writer waits for it, then finds the row as the claim left it (READ
// COMMITTED checks the condition again) and leaves it alone, as if the
// claim had come first. Here a second worker takes a message whose first
// claim ran out, and the first worker's (and an operator's) writes come
// while it holds it.
func TestPostgresWritesAfterAConcurrentClaim(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	later := now.Add(2 * time.Minute) // past the first claim's lease
	for _, c := range []struct {
		name     string
		deferred bool // the first attempt was deferred rather than left to run out
		write    func(q *Q, u *User, first *OutboxMessage) error
	}{
		{"mark sent", false, func(q *Q, _ *User, m *OutboxMessage) error {
			ok, err := q.MarkSent(ctx, []SentMail{{m, "250 OK", "{}"}}, later)
			return lost(ok[0], err)
		}},
		{"mark deferred", false, func(q *Q, _ *User, m *OutboxMessage) error {
			return lost(q.MarkDeferred(ctx, m, "421 busy", "", later.Add(time.Minute)))
		}},
		{"mark failed", false, func(q *Q, _ *User, m *OutboxMessage) error { return lost(q.MarkFailed(ctx, m, "550 no", "")) }},
		{"renew the lease", false, func(q *Q, _ *User, m *OutboxMessage) error {
			return lost(q.RenewLease(ctx, m, later.Add(time.Hour)))
		}},
		{"release the claim", false, func(q *Q, _ *User, m *OutboxMessage) error { return lost(q.ReleaseClaim(ctx, m, later)) }},
		{"cancel the user's mail", true, func(q *Q, u *User, _ *OutboxMessage) error {
			n, err := q.CancelPendingMail(ctx, u.ID, MailTest)
			if err == nil && n != 0 {
				err = fmt.Errorf("cancelled %d messages being sent", n)
			}
			return err
		}},
		{"requeue", true, func(q *Q, _ *User, m *OutboxMessage) error {
			if err := q.RequeueMail(ctx, m.ID, later); !errors.Is(err, ErrConflict) {
				return fmt.Errorf("requeued a message being sent: %v", err)
			}
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nodes := openNodes(t, 2)
			u := addUser(t, nodes[0], &User{Email: "ann@example.com"})
			queueMail(t, nodes[0], now, u.ID, 1)
			first, err := claimMail(ctx, nodes[0], now, 1)
			must(t, err)
			if c.deferred {
				must(t, nodes[0].Write(ctx, func(q *Q) error {
					ok, err := q.MarkDeferred(ctx, &first[0], "421 busy", "", now)
					if err == nil && !ok {
						err = errors.New("the first claim was lost")
					}
					return err
				}))
			}

			// The second worker's claim, held open until the write waits for it.
			claimed, release, done := make(chan int), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- nodes[1].Claim(ctx, func(q *Q) error {
					res, err := q.ClaimMail(ctx, MailClaim{Now: later, LeaseUntil: later.Add(time.Minute), Limit: 1})
					if err != nil || len(res.Claimed) != 1 {
						return fmt.Errorf("claimed %v again: %v", res, err)
					}
					var pid int
					if err := q.db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
						return err
					}
					claimed <- pid
					<-release
					return nil
				})
			}()
			var once sync.Once
			defer once.Do(func() { close(release) }) // a failing test's cleanup drops its schema
			var pid int
			select {
			case pid = <-claimed:
			case err := <-done:
				t.Fatal(err)
			}
			wrote := make(chan error, 1)
			go func() {
				wrote <- nodes[0].Write(ctx, func(q *Q) error { return c.write(q, u, &first[0]) })
			}()
			waitBlockedBy(t, nodes[0], pid, wrote)
			once.Do(func() { close(release) })
			must(t, <-done)
			must(t, <-wrote)
			m, err := nodes[0].Read().OutboxByID(ctx, first[0].ID)
			must(t, err)
			if m.State != OutboxSending || m.Attempts != 2 || m.LeaseUntil.Unix() != later.Add(time.Minute).Unix() {
				t.Fatalf("the message is %s, attempt %d, leased until %v; want the second claim's", m.State, m.Attempts, m.LeaseUntil)
			}
		})
	}
}

// lost is nil when a write of a claimed message found its claim lost.
func lost(ok bool, err error) error {
	if err == nil && ok {
		err = errors.New("wrote over another worker's claim")
	}
	return err
}

// waitBlockedBy waits until some transaction waits for a lock held by the
// backend pid, failing if the write ends first or a minute passes.
func waitBlockedBy(t *testing.T, st *Store, pid int, wrote <-chan error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var blocked bool
		must(t, st.Read().db.QueryRowContext(context.Background(),
			"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid)))", pid).Scan(&blocked))
		if blocked {
			return
		}
		select {
		case err := <-wrote:
			t.Fatalf("the write ended without waiting for the claim: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing waited for the claim")
		}
	}
}
