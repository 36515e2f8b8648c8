package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// Messages marked sent together are each checked to be still held by the
// claim given: one whose lease ran out and that another worker claimed
// again stays as that worker has it, and the others are marked sent, their
// links redacted.
func TestMarkSentKeepsLostClaims(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	now := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		data, err := json.Marshal(MailData{Name: "n", Path: fmt.Sprintf("/reset/token%d", i)})
		must(t, err)
		must(t, st.Write(ctx, func(q *Q) error {
			return q.Enqueue(ctx, &OutboxMessage{Kind: MailTest, Recipient: fmt.Sprintf("m%d@example.com", i),
				Locale: "en", Data: string(data), MessageID: fmt.Sprintf("<m%d@example.com>", i), CreatedAt: now})
		}))
	}
	claim := func(at time.Time, limit int) []OutboxMessage {
		var res *ClaimResult
		must(t, st.Write(ctx, func(q *Q) (err error) {
			res, err = q.ClaimMail(ctx, MailClaim{Now: at, LeaseUntil: at.Add(time.Minute), Limit: limit})
			return err
		}))
		return res.Claimed
	}
	first := claim(now, 1)
	// Its lease ran out: another worker takes it again, with the others.
	second := claim(now.Add(2*time.Minute), 10)
	if len(first) != 1 || len(second) != 3 || second[0].ID != first[0].ID {
		t.Fatalf("claimed %d then %d", len(first), len(second))
	}
	var ok []bool
	must(t, st.Write(ctx, func(q *Q) (err error) {
		ok, err = q.MarkSent(ctx, []SentMail{{&first[0], "250 first", RedactLink(first[0].Data)},
			{&second[1], "250 b", RedactLink(second[1].Data)}, {&second[2], "250 c", RedactLink(second[2].Data)}}, now)
		return err
	}))
	if fmt.Sprint(ok) != "[false true true]" {
		t.Errorf("marked %v, want [false true true]", ok)
	}
	for i, want := range []struct{ state, reply, path string }{
		{OutboxSending, "", "/reset/token0"},
		{OutboxSent, "250 b", "/reset/" + RedactedToken},
		{OutboxSent, "250 c", "/reset/" + RedactedToken},
	} {
		m, err := st.Read().OutboxByID(ctx, second[i].ID)
		must(t, err)
		var d MailData
		must(t, json.Unmarshal([]byte(m.Data), &d))
		if m.State != want.state || m.Reply != want.reply || d.Path != want.path {
			t.Errorf("message %d: %s, reply %q, path %q; want %+v", i, m.State, m.Reply, d.Path, want)
		}
	}
}
