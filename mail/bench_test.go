package mail

import (
	"context"
	"fmt"
	netsmtp "net/smtp"
	"strings"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// benchMessages is how many queued invitations each run delivers.
const benchMessages = 10_000

// BenchmarkDeliver delivers 10,000 queued invitations to a go-smtp server on
// loopback: "reuse" is the worker (one connection for every message),
// "new-connection-each" the same claims, messages and marks with a sender that
// opens a connection per message, net/smtp.SendMail. Each reports msg/s.
func BenchmarkDeliver(b *testing.B) {
	b.Run("reuse", func(b *testing.B) {
		benchDeliver(b, func(f *fixture, cfg Config) {
			rep, err := DeliverDue(f.ctx, f.st, cfg)
			if err != nil || rep.Sent != benchMessages {
				b.Fatalf("%+v, %v", rep, err)
			}
		})
	})
	b.Run("new-connection-each", func(b *testing.B) {
		benchDeliver(b, func(f *fixture, cfg Config) {
			if n := sendEachOnNewConnection(b, f, cfg); n != benchMessages {
				b.Fatalf("sent %d", n)
			}
		})
	})
}

func benchDeliver(b *testing.B, deliver func(f *fixture, cfg Config)) {
	srv := newTestServer(b, "")
	srv.set(func(s *testServer) { s.discard = true })
	var total int
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		f.svc.Now = func() time.Time { return start }
		users := make([]admin.NewUser, benchMessages)
		for i := range users {
			users[i] = admin.NewUser{Email: fmt.Sprintf("person%05d@acme.test", i), FirstName: "Person", LastName: fmt.Sprint(i), Locale: []string{"en", "fr"}[i%2]}
		}
		f.invite(users...)
		cfg := f.config(srv.url())
		b.StartTimer()
		deliver(f, cfg)
		total += benchMessages
	}
	var got int
	srv.set(func(s *testServer) { got = s.count })
	if got != total {
		b.Fatalf("the server took %d messages, want %d", got, total)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "msg/s")
}

// sendEachOnNewConnection is the baseline: what the worker does, but each
// message through net/smtp.SendMail, which dials, greets, sends one message
// and quits.
func sendEachOnNewConnection(b *testing.B, f *fixture, cfg Config) int {
	addr := strings.TrimPrefix(cfg.SMTP, "smtp://")
	sent := 0
	for {
		now := cfg.now()
		var res *store.ClaimResult
		err := f.st.Write(f.ctx, func(q *store.Q) (err error) {
			res, err = q.ClaimMail(f.ctx, store.MailClaim{Now: now, LeaseUntil: now.Add(cfg.lease()), Limit: cfg.batch()})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Claimed) == 0 {
			return sent
		}
		for i := range res.Claimed {
			m := &res.Claimed[i]
			msg, err := compose(m, cfg.from(), cfg.baseURL(), now, cfg.location())
			if err != nil {
				b.Fatal(err)
			}
			if err := netsmtp.SendMail(addr, nil, msg.from, []string{msg.to}, msg.raw); err != nil {
				b.Fatal(err)
			}
			err = f.st.Write(f.ctx, func(q *store.Q) error {
				_, err := q.MarkSent(context.Background(), m, "250 OK", now)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			sent++
		}
	}
}
