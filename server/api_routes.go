package server

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"roster/admin"
	"roster/store"
)

// apiRoutes are the API's operations. The OpenAPI description is made from
// this table, so the two cannot drift apart.
var apiRoutes = []apiRoute{
	{"GET", "/api/v1/users", "List users a page at a time, as roster users does", []string{"status", "team", "branch", "search", "sort", "limit", "cursor"}, false, listUsers},
	{"GET", "/api/v1/users/{email}", "Read one user; the ETag is their version", nil, false, getUser},
	{"PATCH", "/api/v1/users/{email}", "Change a user's profile; If-Match with the ETag refuses a stale edit (412)", nil, true, editUser},
	{"PUT", "/api/v1/users/{email}/permissions", "Change a user's role and permissions; If-Match as for PATCH", nil, true, setPermissions},
	{"PUT", "/api/v1/users/{email}/away", "Set a user away, with a stand-in", nil, true, setAway},
	{"DELETE", "/api/v1/users/{email}/away", "End a user's current away period", nil, false, endAway},
	{"POST", "/api/v1/users/{email}/deactivate", "Stop a user from logging in (reversible)", nil, false, deactivate},
	{"POST", "/api/v1/users/{email}/reactivate", "Undo deactivate", nil, false, reactivate},
	{"GET", "/api/v1/users/{email}/deletion", "What deleting a user would do, with the digest that DELETE's digest confirms", deleteParams[:3], false, deleteUser},
	{"DELETE", "/api/v1/users/{email}", "Delete a user: close the conversations chosen (close=all or ID,ID), switch off the replies chosen (disable_replies), hand the rest to an heir (needed only if anything is left); digest refuses (409) if the plan changed", deleteParams, false, deleteUser},
	{"POST", "/api/v1/invitations", "Invite one person or many", nil, true, invite},
	{"GET", "/api/v1/invitations", "List pending invitations, or only the stuck ones", []string{"stuck"}, false, invitations},
	{"POST", "/api/v1/invitations/resend", "Resend invitations, by address or every stuck one", nil, true, actOn(admin.ResendInvitations)},
	{"POST", "/api/v1/invitations/revoke", "Revoke invitations, by address or every stuck one", nil, true, actOn(admin.RevokeInvitations)},
	{"GET", "/api/v1/audit", "The audit trail, newest first, a page at a time", []string{"user", "search", "action", "since", "until", "before", "limit"}, false, audit},
	{"GET", "/api/v1/billing", "The plan, the current cycle, the seats and what they cost", nil, false, billing},
}

func listUsers(c *apiCall) (int, any, error) {
	q := c.r.URL.Query()
	lq := store.ListQuery{Status: q.Get("status"), Team: q.Get("team"), Branch: q.Get("branch"), Search: q.Get("search"), Sort: q.Get("sort"), Tags: true}
	var err error
	if lq.Limit, err = c.intParam("limit", 50, 1, 500); err != nil {
		return 0, nil, err
	}
	if v := q.Get("cursor"); v != "" {
		if lq.After, err = decodeCursor(v); err != nil {
			return 0, nil, err
		}
	}
	p, err := c.x.svc.ListUsers(c.r.Context(), c.actor, lq)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Users      []*store.User `json:"users"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}{Users: p.Users}
	if out.Users == nil {
		out.Users = []*store.User{}
	}
	if p.More && len(p.Cursors) > 0 {
		out.NextCursor = encodeCursor(p.Cursors[len(p.Cursors)-1])
	}
	return http.StatusOK, out, nil
}

func getUser(c *apiCall) (int, any, error) {
	d, err := c.x.svc.User(c.r.Context(), c.actor, c.r.PathValue("email"))
	if err != nil {
		return 0, nil, err
	}
	c.rw.Header().Set("ETag", etag(d.Version))
	return http.StatusOK, d, nil
}

func editUser(c *apiCall) (int, any, error) {
	var body struct {
		FirstName      *string  `json:"first_name"`
		LastName       *string  `json:"last_name"`
		Phone          *string  `json:"phone"`
		Position       *string  `json:"position"`
		ReferenceID    *string  `json:"reference_id"`
		Locale         *string  `json:"locale"`
		Tags           []string `json:"tags"`
		Teams          []string `json:"teams"`
		AddTags        []string `json:"add_tags"`
		RemoveTags     []string `json:"remove_tags"`
		AddTeams       []string `json:"add_teams"`
		RemoveTeams    []string `json:"remove_teams"`
		Branches       []string `json:"branches"`
		AddBranches    []string `json:"add_branches"`
		RemoveBranches []string `json:"remove_branches"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	v, err := c.version()
	if err != nil {
		return 0, nil, err
	}
	u, err := c.x.svc.Edit(c.r.Context(), c.actor, c.r.PathValue("email"), v, admin.Profile{
		FirstName: body.FirstName, LastName: body.LastName, Phone: body.Phone, Position: body.Position,
		ReferenceID: body.ReferenceID, Locale: body.Locale, Tags: body.Tags, Teams: body.Teams,
		AddTags: body.AddTags, RemoveTags: body.RemoveTags, AddTeams: body.AddTeams, RemoveTeams: body.RemoveTeams,
		Branches: body.Branches, AddBranches: body.AddBranches, RemoveBranches: body.RemoveBranches})
	if err != nil {
		return 0, nil, err
	}
	c.rw.Header().Set("ETag", etag(u.Version))
	return http.StatusOK, u, nil
}

func setPermissions(c *apiCall) (int, any, error) {
	var body struct {
		Role   string   `json:"role"`
		Set    []string `json:"set"`
		Grant  []string `json:"grant"`
		Revoke []string `json:"revoke"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	v, err := c.version()
	if err != nil {
		return 0, nil, err
	}
	res, err := c.x.svc.SetPermissions(c.r.Context(), c.actor, c.r.PathValue("email"), v,
		admin.PermChange{Role: body.Role, Set: body.Set, Grant: body.Grant, Revoke: body.Revoke})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, res, nil
}

// apiTime reads a time as RFC 3339, or as the command line reads dates
// (2026-12-24, tomorrow, +7d).
func (c *apiCall) apiTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := admin.ParseDate(v, c.x.svc.Now())
	if err != nil {
		return time.Time{}, &admin.InputError{Field: field, Msg: strings.TrimPrefix(err.Error(), "date ")}
	}
	return t, nil
}

func setAway(c *apiCall) (int, any, error) {
	var body struct {
		From    string `json:"from"`
		Until   string `json:"until"`
		StandIn string `json:"stand_in"`
		Note    string `json:"note"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	from, err := c.apiTime("from", body.From)
	if err != nil {
		return 0, nil, err
	}
	until, err := c.apiTime("until", body.Until)
	if err != nil {
		return 0, nil, err
	}
	p, err := c.x.svc.SetAway(c.r.Context(), c.actor, c.r.PathValue("email"), admin.AwayRequest{From: from, Until: until, StandIn: body.StandIn, Note: body.Note})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func endAway(c *apiCall) (int, any, error) {
	return http.StatusNoContent, nil, c.x.svc.EndAway(c.r.Context(), c.actor, c.r.PathValue("email"))
}

// userState answers an act that changes a user's status with the status
// it left them in.
func (c *apiCall) userState(email string) (int, any, error) {
	d, err := c.x.svc.User(c.r.Context(), c.actor, email)
	if err != nil {
		return 0, nil, err
	}
	c.rw.Header().Set("ETag", etag(d.Version))
	return http.StatusOK, d.User, nil
}

func deactivate(c *apiCall) (int, any, error) {
	email := c.r.PathValue("email")
	if err := c.x.svc.Deactivate(c.r.Context(), c.actor, email); err != nil {
		return 0, nil, err
	}
	return c.userState(email)
}

func reactivate(c *apiCall) (int, any, error) {
	email := c.r.PathValue("email")
	if err := c.x.svc.Reactivate(c.r.Context(), c.actor, email); err != nil {
		return 0, nil, err
	}
	return c.userState(email)
}

// deleteParams are the query parameters of the deletion and its preview.
var deleteParams = []string{"heir", "close", "disable_replies", "digest"}

// deleteUser deletes (DELETE) or says what deleting would do (GET).
func deleteUser(c *apiCall) (int, any, error) {
	q := c.r.URL.Query()
	r := admin.DeleteRequest{Heir: q.Get("heir"), Digest: q.Get("digest")}
	var err error
	if r.Close, err = store.ParseSelection(q.Get("close")); err != nil {
		return 0, nil, badRequest("close: %v", err)
	}
	if r.SwitchOff, err = store.ParseSelection(q.Get("disable_replies")); err != nil {
		return 0, nil, badRequest("disable_replies: %v", err)
	}
	act := c.x.svc.Delete
	if c.r.Method == http.MethodGet {
		act = c.x.svc.PlanDelete
	}
	p, err := act(c.r.Context(), c.actor, c.r.PathValue("email"), r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func invite(c *apiCall) (int, any, error) {
	type row struct {
		Email       string   `json:"email"`
		FirstName   string   `json:"first_name"`
		LastName    string   `json:"last_name"`
		Phone       string   `json:"phone"`
		Position    string   `json:"position"`
		ReferenceID string   `json:"reference_id"`
		Locale      string   `json:"locale"`
		Role        string   `json:"role"`
		Teams       []string `json:"teams"`
		Branches    []string `json:"branches"`
		Tags        []string `json:"tags"`
	}
	var body struct {
		Users            []row `json:"users"`
		Staged           bool  `json:"staged"`
		AllowRoleAddress bool  `json:"allow_role_address"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	if len(body.Users) == 0 || len(body.Users) > 1000 {
		return 0, nil, badRequest("users: from 1 to 1,000 people a request")
	}
	rows := make([]admin.NewUser, len(body.Users))
	for i, u := range body.Users {
		rows[i] = admin.NewUser{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone, Position: u.Position,
			ReferenceID: u.ReferenceID, Locale: u.Locale, Role: u.Role, Teams: u.Teams, Branches: u.Branches, Tags: u.Tags}
	}
	res, err := c.x.svc.Invite(c.r.Context(), c.actor, rows, admin.InviteOptions{Staged: body.Staged, AllowRoleAddress: body.AllowRoleAddress})
	if err != nil {
		return 0, nil, err
	}
	if len(res) == 1 && res[0].Err != nil {
		return 0, nil, res[0].Err // one person: the rule's error, as the command line says it
	}
	status := http.StatusCreated
	if slices.ContainsFunc(res, func(r admin.RowResult) bool { return r.Err != nil }) {
		status = http.StatusOK // some rows failed: each says why
	}
	return status, map[string]any{"results": res}, nil
}

func invitations(c *apiCall) (int, any, error) {
	stuck := c.r.URL.Query().Get("stuck")
	if stuck != "" && stuck != "true" && stuck != "false" {
		return 0, nil, badRequest("stuck=%q: true or false", stuck)
	}
	list, err := c.x.svc.Invitations(c.r.Context(), c.actor, stuck == "true")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"invitations": list}, nil
}

// actOn resends or revokes invitations: the addresses given, or every
// stuck one; the failures come first, each with its reason.
func actOn(act admin.UserAct) func(c *apiCall) (int, any, error) {
	return func(c *apiCall) (int, any, error) {
		var body struct {
			Emails []string `json:"emails"`
			Stuck  bool     `json:"stuck"`
		}
		if err := c.decode(&body); err != nil {
			return 0, nil, err
		}
		if body.Stuck == (len(body.Emails) > 0) {
			return 0, nil, badRequest(`send either "emails": [...] or "stuck": true`)
		}
		out, err := c.x.svc.ActOnUsers(c.r.Context(), c.actor, admin.UserBatch{Act: act, Emails: body.Emails, Stuck: body.Stuck})
		if err != nil {
			return 0, nil, err
		}
		failed := 0
		for _, o := range out {
			if o.Err != nil {
				failed++
			}
		}
		slices.SortStableFunc(out, func(a, b admin.Outcome) int {
			switch {
			case a.Err != nil && b.Err == nil:
				return -1
			case a.Err == nil && b.Err != nil:
				return 1
			}
			return 0
		})
		return http.StatusOK, map[string]any{"done": len(out) - failed, "failed": failed, "outcomes": out}, nil
	}
}

func audit(c *apiCall) (int, any, error) {
	q := c.r.URL.Query()
	aq := store.AuditQuery{Target: q.Get("user"), AuditFilter: store.AuditFilter{Search: q.Get("search"), Action: q.Get("action")}}
	var err error
	if aq.Limit, err = c.intParam("limit", 100, 1, 1000); err != nil {
		return 0, nil, err
	}
	before, err := c.intParam("before", 0, 0, 1<<62)
	if err != nil {
		return 0, nil, err
	}
	aq.Before = int64(before)
	if aq.Since, err = c.dateParam("since"); err != nil {
		return 0, nil, err
	}
	if aq.Until, err = c.dateParam("until"); err != nil {
		return 0, nil, err
	}
	entries, err := c.x.svc.Audit(c.r.Context(), c.actor, aq)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"entries": entries}
	if len(entries) == aq.Limit {
		out["next_before"] = entries[len(entries)-1].ID
	}
	return http.StatusOK, out, nil
}

func billing(c *apiCall) (int, any, error) {
	b, err := c.x.svc.BillingInfo(c.r.Context(), c.actor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, b, nil
}

// openAPI describes the routes in OpenAPI 3.1.
func openAPI() map[string]any {
	problem := map[string]any{"description": "RFC 9457 problem details, with the one-line message the command line prints",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	paths := map[string]map[string]any{}
	for _, rt := range apiRoutes {
		var params []map[string]any
		for _, seg := range strings.Split(rt.path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				params = append(params, map[string]any{"name": strings.TrimSuffix(name, "}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, name := range rt.query {
			params = append(params, map[string]any{"name": name, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		op := map[string]any{"summary": rt.summary, "operationId": strings.ToLower(rt.method) + strings.ReplaceAll(strings.NewReplacer("/api/v1", "", "{", "", "}", "").Replace(rt.path), "/", "_"),
			"responses": map[string]any{"2XX": map[string]any{"description": "done", "content": map[string]any{"application/json": map[string]any{}}}, "default": problem}}
		if params != nil {
			op["parameters"] = params
		}
		if rt.body {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "roster", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"apiKey": map[string]any{"type": "http", "scheme": "bearer", "description": "roster apikeys create"}},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
				"detail": map[string]any{"type": "string"}, "instance": map[string]any{"type": "string"}}}},
		},
		"security": []map[string]any{{"apiKey": []string{}}},
	}
}
