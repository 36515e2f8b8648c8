package admin

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/store"
)

// Audit narrows by a part of an address or the start of a name, by action
// or area, and by dates.
func TestAuditFilters(t *testing.T) {
	f := newFixture(t)
	day1 := f.now()
	res, err := f.svc.Invite(f.ctx, f.owner, []NewUser{{Email: "hb@example.com", FirstName: "Hugo", LastName: "Blanc"},
		{Email: "zoe.martin@example.org", FirstName: "Zoé", LastName: "Martin"}}, InviteOptions{})
	must(t, err)
	must(t, res[0].Err)
	f.advance(48 * time.Hour)
	day3 := f.now()
	_, err = f.svc.Edit(f.ctx, f.owner, "zoe.martin@example.org", 0, Profile{Position: ptr("Comptable")})
	must(t, err)
	must(t, f.svc.AddTeam(f.ctx, f.owner, "Ventes 100%"))
	cases := []struct {
		name string
		af   store.AuditFilter
		want string // "action target" of each entry, newest first
	}{
		{"a name's start, accents folded", store.AuditFilter{Search: "zoe"}, "user.edit zoe.martin@example.org, user.invite zoe.martin@example.org"},
		{"a name's start", store.AuditFilter{Search: "Blan"}, "user.invite hb@example.com"},
		{"a part of an address", store.AuditFilter{Search: "b@EXA"}, "user.invite hb@example.com"},
		{"an address's domain", store.AuditFilter{Search: "example.org"}, "user.edit zoe.martin@example.org, user.invite zoe.martin@example.org"},
		{"a percent sign is itself", store.AuditFilter{Search: "%"}, ""},
		{"an action", store.AuditFilter{Action: "user.edit"}, "user.edit zoe.martin@example.org"},
		{"an area", store.AuditFilter{Action: "user", Search: "example.org"}, "user.edit zoe.martin@example.org, user.invite zoe.martin@example.org"},
		{"since", store.AuditFilter{Since: day3, Action: "user"}, "user.edit zoe.martin@example.org"},
		{"until", store.AuditFilter{Until: day3, Search: "example.org"}, "user.invite zoe.martin@example.org"},
		{"between", store.AuditFilter{Since: day1, Until: day1.Add(time.Hour), Search: "hugo"}, "user.invite hb@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.svc.Audit(f.ctx, f.owner, store.AuditQuery{AuditFilter: c.af})
			must(t, err)
			var s []string
			for _, e := range got {
				s = append(s, e.Action+" "+e.Target)
			}
			if strings.Join(s, ", ") != c.want {
				t.Fatalf("%+v: %v, want %s", c.af, s, c.want)
			}
		})
	}
	_, err = f.svc.Audit(f.ctx, f.owner, store.AuditQuery{AuditFilter: store.AuditFilter{Since: day3, Until: day1}})
	wantInput(t, err, "until", "is not after since")
	// An action that is none, or a part of one, is refused naming those it
	// could be: it listed nothing, as if nothing had been done.
	for action, want := range map[string]string{
		"use":         `"use" is neither an action nor an area (want an action such as user.delete, or one of account, apikey,`,
		"user.delet":  `"user.delet" is not an action (want one of user.deactivate, user.delete, user.edit,`,
		"User.Delete": `"User.Delete" is neither an action nor an area`,
	} {
		_, err = f.svc.Audit(f.ctx, f.owner, store.AuditQuery{AuditFilter: store.AuditFilter{Action: action}})
		wantInput(t, err, "action", want)
	}
	if all, err := f.svc.Audit(f.ctx, f.owner, store.AuditQuery{}); err != nil || len(all) < 4 {
		t.Fatalf("no filter: %d entries, %v", len(all), fmt.Sprint(err))
	}
}

// Removing a webhook is audited with where it sent what, and is undone
// whole when its entry cannot be written.
func TestRemoveWebhookIsAudited(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.UpdateAccount(f.ctx, f.owner, AccountChange{WebhooksPrivate: ptr(true)})
	must(t, err)
	_, w, err := f.svc.AddWebhook(f.ctx, f.owner, "http://127.0.0.1:9/hooks", []string{"user.invited", "user.deleted"})
	must(t, err)
	before := f.snapshot()
	restore := f.refuseAudit()
	if err := f.svc.RemoveWebhook(f.ctx, f.owner, w.ID); err == nil || !strings.Contains(err.Error(), "audit refused") {
		t.Fatalf("with the audit refused: %v", err)
	}
	restore()
	f.unchanged(before)
	must(t, f.svc.RemoveWebhook(f.ctx, f.owner, w.ID))
	a := f.audits("webhook.remove")
	if len(a) != 1 || a[0].Actor != ownerEmail || a[0].After != "" ||
		!strings.Contains(a[0].Before, `"url":"http://127.0.0.1:9/hooks"`) || !strings.Contains(a[0].Before, `"events":["user.invited","user.deleted"]`) {
		t.Fatalf("webhook.remove entries %+v", a)
	}
	if strings.Contains(a[0].Before, "whsec_") {
		t.Fatalf("the entry holds the secret: %s", a[0].Before)
	}
	before = f.snapshot()
	var nf *NotFoundError
	if err := f.svc.RemoveWebhook(f.ctx, f.owner, w.ID); !errors.As(err, &nf) {
		t.Fatalf("removing it again: %v, want not found", err)
	}
	f.unchanged(before)
}

// Every action admin records is in AuditActions, which the audit filter
// checks its action against: the actions written as literals where admin
// audits (audit's fifth argument, auditEntry's third, systemEntry's first),
// and those it passes in variables, listed here.
func TestAuditActionsListed(t *testing.T) {
	found := map[string]bool{"password.reset": true, "invite.accept": true, "user.stage": true,
		"invite.expire": true, "away.ending": true}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	must(t, err)
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		must(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			arg := map[string]int{"audit": 4, "auditEntry": 2, "systemEntry": 0}
			if i, ok := arg[sel.Sel.Name]; ok && i < len(call.Args) {
				if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					a, _ := strconv.Unquote(lit.Value)
					found[a] = true
				}
			}
			return true
		})
	}
	if len(found) < 30 {
		t.Fatalf("only %d actions found in admin: the scan is broken", len(found))
	}
	for a := range found {
		if !slices.Contains(AuditActions, a) {
			t.Errorf("%s is recorded but not in AuditActions: filtering the audit by it is refused", a)
		}
		if err := CheckAuditAction(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
}
