package admin_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"roster/admin"
	"roster/internal/benchdb"
	"roster/store"
)

// bulkRows are 10,000 people as a CSV file of invitations gives them: every
// column filled, a team each, French and English.
func bulkRows(n int) []admin.NewUser {
	teams := []string{"Ventes Paris", "Support", "Comptabilité"}
	firsts := []string{"Camille", "Élodie", "Hugo", "Léa", "Oliver", "Amelia", "Noah", "Chloé"}
	lasts := []string{"Martin", "Lefèvre", "Dupont", "Smith", "O'Brien", "Garnier", "Taylor", "Roux"}
	rows := make([]admin.NewUser, n)
	for i := range rows {
		f, l := firsts[i%len(firsts)], lasts[i/len(firsts)%len(lasts)]
		locale := "fr"
		if i%3 == 0 {
			locale = "en"
		}
		rows[i] = admin.NewUser{
			Email: fmt.Sprintf("person.%05d@example.com", i), FirstName: f, LastName: l,
			Phone: fmt.Sprintf("06 %02d %02d %02d %02d", i/1000000%100, i/10000%100, i/100%100, i%100),
			Role:  []string{"member", "member", "member", "manager"}[i%4], Teams: []string{teams[i%len(teams)]},
			Position: "Commercial", ReferenceID: fmt.Sprintf("E%06d", i), Locale: locale,
		}
	}
	return rows
}

// Inviting 10,000 people in one call of Invite (invite --csv imports in batches): one
// transaction, each row checked, its user, permissions, link, mail and audit
// row written. Target: under 3 s.
func BenchmarkInvite10000(b *testing.B) {
	ctx := context.Background()
	rows := bulkRows(10_000)
	owner := admin.Actor{Email: "olive.owner@example.com", Channel: admin.ChannelCLI}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		svc := admin.New(st)
		if err := svc.Init(ctx, "Acme", owner.Email, "Olive", "Owner", admin.ChannelCLI); err != nil {
			b.Fatal(err)
		}
		for _, t := range []string{"Ventes Paris", "Support", "Comptabilité"} {
			if err := svc.AddTeam(ctx, owner, t); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		res, err := svc.Invite(ctx, owner, rows, admin.InviteOptions{})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatalf("row %d: %v", r.Row, r.Err)
			}
		}
		st.Close()
	}
}

// Listing and searching a million users through the rules, as the screens
// do: the operator is read and checked, then the page. Target: under 5 ms.
func BenchmarkListMillionThroughRules(b *testing.B) {
	path := benchdb.Million(b, 1_000_000)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := admin.New(st)
	op, err := svc.DefaultOperator(ctx)
	if err != nil {
		// Seeded databases have a few owners: the first will do.
		owners, oerr := st.Read().Owners(ctx)
		if oerr != nil || len(owners) == 0 {
			b.Fatal(err)
		}
		op = owners[0]
	}
	actor := admin.Actor{Email: op, Channel: admin.ChannelTUI}
	for _, c := range []struct {
		name string
		lq   store.ListQuery
	}{
		{"name/page1", store.ListQuery{Sort: "name"}},
		{"last-login/page1", store.ListQuery{Sort: "last-login"}},
		{"search/name", store.ListQuery{Search: "mar"}},
		{"search/email", store.ListQuery{Search: "camille.martin"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.lq.Limit = 50
			for b.Loop() {
				p, err := svc.ListUsers(ctx, actor, c.lq)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Users) == 0 {
					b.Fatal("nobody")
				}
			}
		})
	}
}
