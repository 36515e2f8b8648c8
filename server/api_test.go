package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"roster/admin"
	"roster/store"
)

// apiFixture is an initialised account, the API served on loopback, and an
// API key of the owner's.
type apiFixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *admin.Service
	srv   *httptest.Server
	raw   *sql.DB // for setting up what no rule does at once (an active member)
	clock atomic.Int64
	owner admin.Actor
	key   string // the owner's
}

func newAPIFixture(t *testing.T, opts APIOptions) *apiFixture {
	t.Helper()
	f := &apiFixture{t: t, ctx: context.Background(), owner: admin.Actor{Email: webOwner, Channel: admin.ChannelCLI}}
	f.clock.Store(webStart.Unix())
	path := filepath.Join(t.TempDir(), "roster.db")
	st, err := store.Open(f.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if f.raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.raw.Close() })
	f.svc = admin.New(st)
	f.svc.Now = func() time.Time { return time.Unix(f.clock.Load(), 0).UTC() }
	if err := f.svc.Init(f.ctx, "Acme & Fils", webOwner, "Olive", "Owner", admin.ChannelCLI); err != nil {
		t.Fatal(err)
	}
	f.key = f.keyOf(f.owner)
	f.srv = httptest.NewServer(NewAPI(f.svc, opts))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *apiFixture) keyOf(a admin.Actor) string {
	f.t.Helper()
	secret, _, err := f.svc.CreateAPIKey(f.ctx, a, "tests", time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// apiAnswer is a response, read whole.
type apiAnswer struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// call sends a request with key (none when ""), a JSON body when body is
// not nil, and headers as name, value pairs.
func (f *apiFixture) call(key, method, path string, body any, headers ...string) *apiAnswer {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apiAnswer{t: f.t, status: resp.StatusCode, header: resp.Header, body: b}
}

// want checks the status, and decodes the body into v when v is not nil.
func (a *apiAnswer) want(status int, v any) *apiAnswer {
	a.t.Helper()
	if a.status != status {
		a.t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	if v != nil {
		if err := json.Unmarshal(a.body, v); err != nil {
			a.t.Fatalf("%v: %s", err, a.body)
		}
	}
	return a
}

// problem checks an RFC 9457 answer: its status, and a detail holding want.
func (a *apiAnswer) problem(status int, want string) {
	a.t.Helper()
	var p struct {
		Type, Title, Detail string
		Status              int
	}
	a.want(status, &p)
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		a.t.Errorf("Content-Type %q", ct)
	}
	if p.Status != status || p.Title != http.StatusText(status) || !strings.Contains(p.Detail, want) || strings.Contains(p.Detail, "\n") {
		a.t.Errorf("problem %+v, want status %d and a one-line detail holding %q", p, status, want)
	}
}

func TestAPIAuthentication(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	a := f.call("", "GET", "/api/v1/users", nil)
	a.problem(http.StatusUnauthorized, "Authorization: Bearer")
	if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer") {
		t.Error("no WWW-Authenticate on a 401")
	}
	f.call("rst_NOTAKEYATALLNOTAKEYATALL", "GET", "/api/v1/users", nil).problem(http.StatusUnauthorized, "not an API key")
	f.call(f.key, "GET", "/api/v1/users", nil).want(http.StatusOK, nil)

	// A member's key acts as the member, who may not invite.
	mia := f.active("mia@acme.test", "member")
	f.call(mia, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": "x@acme.test"}}}).
		problem(http.StatusForbidden, "mia@acme.test holds no users.* permission")
	// Deactivated, the member's key stops working at once.
	f.call(f.key, "POST", "/api/v1/users/mia@acme.test/deactivate", nil).want(http.StatusOK, nil)
	f.call(mia, "GET", "/api/v1/users", nil).problem(http.StatusUnauthorized, "deactivated")
	var back struct {
		Status string `json:"status"`
	}
	f.call(f.key, "POST", "/api/v1/users/mia@acme.test/reactivate", nil).want(http.StatusOK, &back)
	f.call(f.key, "POST", "/api/v1/users/mia@acme.test/reactivate", nil).problem(http.StatusConflict, "already active")
	if back.Status != "active" {
		t.Errorf("reactivated: %+v", back)
	}
	f.call(mia, "GET", "/api/v1/users", nil).problem(http.StatusForbidden, "no users.* permission")
}

// active adds an active user of role and returns an API key of theirs.
func (f *apiFixture) active(email, role string) string {
	f.t.Helper()
	if _, err := f.svc.Invite(f.ctx, f.owner, []admin.NewUser{{Email: email, Role: role}}, admin.InviteOptions{}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.raw.Exec(`UPDATE users SET status = 'active', activated_at = ? WHERE email = ?`, f.svc.Now().Unix(), email); err != nil {
		f.t.Fatal(err)
	}
	return f.keyOf(admin.Actor{Email: email, Channel: admin.ChannelCLI})
}

func TestAPIUsersAndStaleEdits(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	for _, e := range []string{"ann@acme.test", "bob@acme.test"} {
		f.call(f.key, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": e}}}).want(http.StatusCreated, nil)
	}
	f.call(f.key, "PATCH", "/api/v1/users/bob@acme.test", map[string]any{"tags": []string{"Paie", "Achats"}}).want(http.StatusOK, nil)
	// Pages by cursor: three users, two a page, each with their tags.
	type page struct {
		Users []struct {
			Email string   `json:"email"`
			Tags  []string `json:"tags"`
		} `json:"users"`
		NextCursor string `json:"next_cursor"`
	}
	var p1, p2 page
	f.call(f.key, "GET", "/api/v1/users?limit=2", nil).want(http.StatusOK, &p1)
	f.call(f.key, "GET", "/api/v1/users?limit=2&cursor="+p1.NextCursor, nil).want(http.StatusOK, &p2)
	if len(p1.Users) != 2 || p1.NextCursor == "" || len(p2.Users) != 1 || p2.NextCursor != "" {
		t.Fatalf("pages: %+v then %+v", p1, p2)
	}
	for _, u := range append(p1.Users, p2.Users...) {
		if want := map[string]string{"bob@acme.test": "Achats Paie"}[u.Email]; u.Tags == nil || strings.Join(u.Tags, " ") != want {
			t.Errorf("listed %s with tags %#v, want %q", u.Email, u.Tags, want)
		}
	}
	f.call(f.key, "GET", "/api/v1/users?limit=9999", nil).problem(http.StatusBadRequest, "limit")
	f.call(f.key, "GET", "/api/v1/users?cursor=@@@", nil).problem(http.StatusBadRequest, "cursor")
	f.call(f.key, "GET", "/api/v1/users/nobody@acme.test", nil).problem(http.StatusNotFound, "nobody@acme.test")

	a := f.call(f.key, "GET", "/api/v1/users/ann@acme.test", nil).want(http.StatusOK, nil)
	tag := a.header.Get("ETag")
	// Someone else edits ann meanwhile: the edit sent with the old ETag is refused.
	if _, err := f.svc.Edit(f.ctx, f.owner, "ann@acme.test", 0, admin.Profile{FirstName: ptr("Anne")}); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"first_name": "Annie"}, "If-Match", tag).
		problem(http.StatusPreconditionFailed, "since you read it")
	a = f.call(f.key, "GET", "/api/v1/users/ann@acme.test", nil)
	var u struct {
		FirstName string `json:"first_name"`
	}
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"first_name": "Annie"}, "If-Match", a.header.Get("ETag")).want(http.StatusOK, &u)
	if u.FirstName != "Annie" {
		t.Errorf("after the edit: %+v", u)
	}
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"first_nam": "x"}).problem(http.StatusBadRequest, "unknown field")
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"phone": "12"}).problem(http.StatusUnprocessableEntity, "phone")
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{}, "If-Match", "yesterday").problem(http.StatusBadRequest, "If-Match")
}

func TestAPIInvitations(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	f.call(f.key, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": "maintenance@acme.test"}}}).
		problem(http.StatusUnprocessableEntity, "mailbox, not a person")
	var res struct {
		Results []struct {
			Email string `json:"email"`
			Error string `json:"error"`
		} `json:"results"`
	}
	f.call(f.key, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": "ann@acme.test", "role": "manager", "locale": "fr"}, {"email": "not an address"}}}).
		want(http.StatusOK, &res)
	if len(res.Results) != 2 || res.Results[0].Error != "" || res.Results[1].Error == "" {
		t.Fatalf("results: %+v", res)
	}
	var list struct {
		Invitations []struct {
			Email string `json:"email"`
		} `json:"invitations"`
	}
	f.call(f.key, "GET", "/api/v1/invitations", nil).want(http.StatusOK, &list)
	if len(list.Invitations) != 1 || list.Invitations[0].Email != "ann@acme.test" {
		t.Fatalf("invitations: %+v", list)
	}
	var out struct {
		Done, Failed int
		Outcomes     []struct {
			Email, Error string
		}
	}
	f.clock.Add(int64(time.Hour / time.Second)) // past the resend rate limit
	f.call(f.key, "POST", "/api/v1/invitations/resend", map[string]any{"emails": []string{"nobody@acme.test", "ann@acme.test"}}).want(http.StatusOK, &out)
	if out.Done != 1 || out.Failed != 1 || out.Outcomes[0].Email != "nobody@acme.test" || out.Outcomes[0].Error == "" {
		t.Fatalf("resend: failures first, each with its reason: %+v", out)
	}
	f.call(f.key, "POST", "/api/v1/invitations/revoke", map[string]any{"emails": []string{"ann@acme.test"}, "stuck": true}).problem(http.StatusBadRequest, "either")
	f.call(f.key, "POST", "/api/v1/invitations/revoke", map[string]any{"emails": []string{"ann@acme.test"}}).want(http.StatusOK, &out)
	if out.Done != 1 {
		t.Fatalf("revoke: %+v", out)
	}
	f.call(f.key, "GET", "/api/v1/invitations?stuck=maybe", nil).problem(http.StatusBadRequest, "stuck")
	f.call(f.key, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": "OLIVE.owner@acme.test"}}}).
		problem(http.StatusConflict, "already a user")
}

func TestAPIActsOnUsers(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	f.active("ann@acme.test", "member") // conversations go to active users only
	var perms struct {
		Role  string   `json:"role"`
		Added []string `json:"added"`
	}
	f.call(f.key, "PUT", "/api/v1/users/ann@acme.test/permissions", map[string]any{"grant": []string{"users.invite"}}).want(http.StatusOK, &perms)
	if len(perms.Added) != 1 {
		t.Errorf("permissions: %+v", perms)
	}
	f.call(f.key, "PUT", "/api/v1/users/ann@acme.test/permissions", map[string]any{"grant": []string{"users.fly"}}).problem(http.StatusUnprocessableEntity, "users.fly")
	f.call(f.key, "PUT", "/api/v1/users/ann@acme.test/away", map[string]any{"until": "+7d", "stand_in": webOwner, "note": "holidays"}).want(http.StatusOK, nil)
	f.call(f.key, "PUT", "/api/v1/users/ann@acme.test/away", map[string]any{"until": "someday"}).problem(http.StatusUnprocessableEntity, "until")
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test/away", nil).want(http.StatusNoContent, nil)
	// Deleting: the preview's digest confirms the plan; a conversation opened
	// since changes it (409); an heir is needed while ann owns something.
	if _, err := f.svc.AddConversation(f.ctx, f.owner, "Refund", "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test", nil).problem(http.StatusUnprocessableEntity, "heir")
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test?close=x", nil).problem(http.StatusBadRequest, "close")
	var plan struct {
		Digest    string `json:"digest"`
		Moved     int    `json:"conversations_moved"`
		NeedsHeir bool   `json:"needs_heir"`
	}
	f.call(f.key, "GET", "/api/v1/users/ann@acme.test/deletion?heir="+webOwner, nil).want(http.StatusOK, &plan)
	if plan.Moved != 1 || !plan.NeedsHeir || plan.Digest == "" {
		t.Errorf("deletion plan: %+v", plan)
	}
	if _, err := f.svc.AddConversation(f.ctx, f.owner, "Invoice", "ann@acme.test"); err != nil {
		t.Fatal(err)
	}
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test?heir="+webOwner+"&digest="+plan.Digest, nil).problem(http.StatusPreconditionFailed, "changed since the preview")
	f.call(f.key, "GET", "/api/v1/users/ann@acme.test/deletion?heir="+webOwner, nil).want(http.StatusOK, &plan)
	var d struct {
		Email, Heir string
		Moved       int `json:"conversations_moved"`
	}
	f.call(f.key, "DELETE", "/api/v1/users/ann@acme.test?heir="+webOwner+"&digest="+plan.Digest, nil).want(http.StatusOK, &d)
	if d.Email != "ann@acme.test" || d.Heir != webOwner || d.Moved != 2 {
		t.Errorf("delete: %+v", d)
	}

	// Every act is audited as the key's owner, through the API with the key's ID.
	var au struct {
		Entries []struct {
			Actor, Channel, Action string
		} `json:"entries"`
	}
	f.call(f.key, "GET", "/api/v1/audit?action=user.delete", nil).want(http.StatusOK, &au)
	if len(au.Entries) != 1 || au.Entries[0].Actor != webOwner || !strings.HasPrefix(au.Entries[0].Channel, "api key ") {
		t.Errorf("the audit of the deletion: %+v", au)
	}

	// A manager's key: no billing, which managers do not hold; the owner's reads it.
	manager := f.active("meg@acme.test", "manager")
	f.call(manager, "GET", "/api/v1/billing", nil).problem(http.StatusForbidden, "settings.billing")
	f.call(f.key, "GET", "/api/v1/billing", nil).want(http.StatusOK, nil)
}

func TestAPIRateLimitAndBodyLimit(t *testing.T) {
	f := newAPIFixture(t, APIOptions{PerKey: RateLimit{N: 3, Per: time.Minute}})
	for i := range 3 {
		a := f.call(f.key, "GET", "/api/v1/users", nil).want(http.StatusOK, nil)
		if got := a.header.Get("RateLimit-Remaining"); got != fmt.Sprint(2-i) {
			t.Errorf("request %d: RateLimit-Remaining %q", i+1, got)
		}
	}
	a := f.call(f.key, "GET", "/api/v1/users", nil)
	a.problem(http.StatusTooManyRequests, "too many requests")
	if a.header.Get("Retry-After") == "" || a.header.Get("RateLimit-Limit") != "3" {
		t.Errorf("429 headers: %v", a.header)
	}
	// Another key has its own limit.
	other := f.keyOf(f.owner)
	f.call(other, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{{"email": "x@acme.test", "first_name": strings.Repeat("a", 2<<20)}}}).
		problem(http.StatusRequestEntityTooLarge, "over")
}

// A listing's unknown sort or status is the caller's mistake, said as such;
// so are a method a path does not take (405, with Allow), a body that is
// not JSON (415), and more after the JSON value.
func TestAPIUnknownSortOrStatus(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	a := f.call(f.key, "PUT", "/api/v1/users/ann@acme.test", nil)
	a.problem(http.StatusMethodNotAllowed, "takes GET, PATCH, DELETE, not PUT")
	if a.header.Get("Allow") != "GET, PATCH, DELETE" {
		t.Errorf("405 Allow: %q", a.header.Get("Allow"))
	}
	f.call(f.key, "PUT", "/api/v1/nothing", nil).problem(http.StatusNotFound, "no such operation")
	f.call(f.key, "PATCH", "/api/v1/users/"+webOwner, map[string]any{"position": "A"}, "Content-Type", "text/plain").
		problem(http.StatusUnsupportedMediaType, "send application/json")
	req, _ := http.NewRequest("PATCH", f.srv.URL+"/api/v1/users/"+webOwner, strings.NewReader(`{"position":"A"} {"position":"B"}`))
	req.Header.Set("Authorization", "Bearer "+f.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var pos string
	if err := f.raw.QueryRow("SELECT position FROM users WHERE email = ?", webOwner).Scan(&pos); err != nil || resp.StatusCode != http.StatusBadRequest || pos == "A" {
		t.Errorf("two JSON values: %d, position %q (%v); want 400 and nothing changed", resp.StatusCode, pos, err)
	}
	f.call(f.key, "GET", "/api/v1/users?sort=bogus", nil).problem(http.StatusUnprocessableEntity, `sort "bogus": want one of name, last-login, status`)
	f.call(f.key, "GET", "/api/v1/users?status=bogus", nil).problem(http.StatusUnprocessableEntity, `status "bogus": want one of`)
}

// Wrong keys spend their sender's allowance, not the key's: someone who
// knows a key's public prefix (the audit trail shows it) cannot lock its
// automation out, nor get a fresh allowance by spacing the header
// differently; the scheme's case does not matter.
func TestAPIWrongKeysCannotLockAKeyOut(t *testing.T) {
	f := newAPIFixture(t, APIOptions{PerKey: RateLimit{N: 3, Per: time.Minute}, BadKeysPerClient: RateLimit{N: 5, Per: time.Minute},
		ClientIP: func(r *http.Request) string { return r.Header.Get("X-Test-Client") }})
	guess := f.key[:12] + "guess"
	for i := range 8 {
		status := http.StatusUnauthorized
		if i >= 5 {
			status = http.StatusTooManyRequests
		}
		f.call("", "GET", "/api/v1/users", nil, "Authorization", "Bearer "+guess, "X-Test-Client", "attacker").problem(status, "")
	}
	f.call("", "GET", "/api/v1/users", nil, "Authorization", "Bearer "+f.key, "X-Test-Client", "attacker").
		problem(http.StatusTooManyRequests, "wrong key from this client")
	for i, auth := range []string{"Bearer " + f.key, "bearer " + f.key, "Bearer  " + f.key} {
		a := f.call("", "GET", "/api/v1/users", nil, "Authorization", auth, "X-Test-Client", "automation").want(http.StatusOK, nil)
		if got := a.header.Get("RateLimit-Remaining"); got != fmt.Sprint(2-i) {
			t.Errorf("%q: RateLimit-Remaining %q, want %d: every spelling spends the one key's limit", auth, got, 2-i)
		}
	}
	f.call("", "GET", "/api/v1/users", nil, "Authorization", "Bearer \t"+f.key, "X-Test-Client", "automation").
		problem(http.StatusTooManyRequests, "too many requests with this key")
}

// The OpenAPI description lists every operation the API routes, and each
// one it lists is routed (a request reaches its handler, not the catch-all).
func TestAPIOpenAPICoversTheRoutes(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	f.call("", "GET", "/api/v1/openapi.json", nil).want(http.StatusOK, &doc)
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			a := f.call(f.key, strings.ToUpper(method), strings.ReplaceAll(path, "{email}", "nobody@acme.test"), nil)
			if strings.Contains(string(a.body), "no such operation") {
				t.Errorf("%s %s is described but not routed", method, path)
			}
		}
	}
	if doc.OpenAPI != "3.1.0" || n != len(apiRoutes) {
		t.Errorf("openapi %q with %d operations, want 3.1.0 and %d", doc.OpenAPI, n, len(apiRoutes))
	}
	f.call(f.key, "GET", "/api/v1/nothing", nil).problem(http.StatusNotFound, "no such operation")
}

func ptr[T any](v T) *T { return &v }

// Branches through the API, as teams: invited with them, listed by one
// (?branch=), added and removed by an edit.
func TestAPIBranches(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	for _, b := range []string{"Lyon", "Paris"} {
		if err := f.svc.AddBranch(f.ctx, f.owner, store.Branch{Name: b}); err != nil {
			t.Fatal(err)
		}
	}
	f.call(f.key, "POST", "/api/v1/invitations", map[string]any{"users": []map[string]any{
		{"email": "ann@acme.test", "branches": []string{"lyon"}}, {"email": "bob@acme.test"}}}).want(http.StatusCreated, nil)
	var page struct {
		Users []struct {
			Email    string   `json:"email"`
			Branches []string `json:"branches"`
		} `json:"users"`
	}
	f.call(f.key, "GET", "/api/v1/users?branch=Lyon", nil).want(http.StatusOK, &page)
	if len(page.Users) != 1 || page.Users[0].Email != "ann@acme.test" || len(page.Users[0].Branches) != 1 || page.Users[0].Branches[0] != "Lyon" {
		t.Fatalf("users in Lyon: %+v", page)
	}
	var u struct {
		Branches []string `json:"branches"`
	}
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"add_branches": []string{"Paris"}, "remove_branches": []string{"Lyon"}}).
		want(http.StatusOK, &u)
	if len(u.Branches) != 1 || u.Branches[0] != "Paris" {
		t.Fatalf("after the edit: %+v", u)
	}
	f.call(f.key, "PATCH", "/api/v1/users/ann@acme.test", map[string]any{"add_branches": []string{"Nice"}}).
		problem(http.StatusUnprocessableEntity, `branch "Nice" does not exist`)
}

// Requests with a right key spend none of their client's allowance of
// wrong keys, however many are in flight at once: an identity provider or
// a script sending more than it at once, or every client behind one proxy,
// had all but the first few refused as "too many requests with a wrong
// key", which they never sent. The store's lock is held here until every
// request has reached the server, so that all are in flight together.
func TestAPIRightKeysInFlightSpendNoWrongKeyAllowance(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	const n = 40
	var entered atomic.Int32
	all := make(chan struct{})
	api := NewAPI(f.svc, APIOptions{BadKeysPerClient: RateLimit{N: 5, Per: time.Minute}, ClientIP: func(*http.Request) string { return "proxy" }})
	f.srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if entered.Add(1) == n {
			close(all)
		}
		api.ServeHTTP(rw, r)
	})
	conn, err := f.raw.Conn(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(f.ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	statuses := make(chan int, n)
	for range n {
		go func() {
			req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/users?limit=1", nil)
			req.Header.Set("Authorization", "Bearer "+f.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	<-all
	if _, err := conn.ExecContext(f.ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for range n {
		if s := <-statuses; s != http.StatusOK {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of %d requests with a right key at once refused", refused, n)
	}
	// Wrong keys still spend it, and a client with none left is refused.
	for i := range 6 {
		status := http.StatusUnauthorized
		if i == 5 {
			status = http.StatusTooManyRequests
		}
		f.call("rst_WRONGWRONGWRONG", "GET", "/api/v1/users", nil).problem(status, "")
	}
}
