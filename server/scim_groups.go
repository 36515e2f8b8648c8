package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"roster/admin"
	"roster/store"
)

// SCIM Groups are roster's teams; their members are users, by ID.

func (c *scimCall) team() (store.Team, error) {
	teams, err := c.x.svc.Teams(c.r.Context(), c.actor)
	if err != nil {
		return store.Team{}, err
	}
	for _, t := range teams {
		if strconv.FormatInt(t.ID, 10) == c.r.PathValue("id") {
			return t, nil
		}
	}
	return store.Team{}, &admin.NotFoundError{What: fmt.Sprintf("group %q", c.r.PathValue("id"))}
}

// members lists a team's members, as SCIM names them.
func (c *scimCall) members(t store.Team) ([]map[string]string, error) {
	out := []map[string]string{}
	lq := store.ListQuery{Team: t.Name, Limit: 500}
	for {
		p, err := c.x.svc.ListUsers(c.r.Context(), c.actor, lq)
		if err != nil {
			return nil, err
		}
		for _, u := range p.Users {
			out = append(out, map[string]string{"value": strconv.FormatInt(u.ID, 10), "display": u.Email})
		}
		if !p.More {
			return out, nil
		}
		lq.After = &p.Cursors[len(p.Cursors)-1]
	}
}

func (c *scimCall) scimGroup(t store.Team, withMembers bool) (map[string]any, error) {
	id := strconv.FormatInt(t.ID, 10)
	g := map[string]any{"schemas": []string{scimGroupSchema}, "id": id, "displayName": t.Name,
		"meta": map[string]any{"resourceType": "Group", "location": c.base() + "/Groups/" + id}}
	if withMembers {
		m, err := c.members(t)
		if err != nil {
			return nil, err
		}
		g["members"] = m
	}
	return g, nil
}

func (c *scimCall) withMembers() bool {
	return !strings.Contains(strings.ToLower(c.r.URL.Query().Get("excludedAttributes")), "members")
}

func scimListGroups(c *scimCall) (int, any, error) {
	teams, err := c.x.svc.Teams(c.r.Context(), c.actor)
	if err != nil {
		return 0, nil, err
	}
	name, filtered := "", false
	if f := c.r.URL.Query().Get("filter"); f != "" {
		pf, err := parseSCIMFilter(f)
		if err != nil {
			return 0, nil, err
		}
		if name, filtered = pf.lookup("displayname"); !filtered {
			return 0, nil, scimBad("invalidFilter", "groups are found by displayName eq \"…\"")
		}
	}
	out := []map[string]any{}
	for _, t := range teams {
		if filtered && !strings.EqualFold(t.Name, name) {
			continue
		}
		g, err := c.scimGroup(t, c.withMembers())
		if err != nil {
			return 0, nil, err
		}
		out = append(out, g)
	}
	return http.StatusOK, scimList(out, len(out), 1), nil
}

func scimGetGroup(c *scimCall) (int, any, error) {
	t, err := c.team()
	if err != nil {
		return 0, nil, err
	}
	g, err := c.scimGroup(t, c.withMembers())
	return http.StatusOK, g, err
}

// scimMember is one member in a request: a user, by ID.
type scimMember struct {
	Value string `json:"value"`
}

// setMembership adds the users with the IDs given to team, or removes them.
func (c *scimCall) setMembership(team string, ids []string, add bool) error {
	for _, v := range ids {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return scimBad("invalidValue", "member %q is not a user ID", v)
		}
		d, err := c.x.svc.UserByID(c.r.Context(), c.actor, id)
		if err != nil {
			return err
		}
		p := admin.Profile{RemoveTeams: []string{team}}
		if add {
			p = admin.Profile{AddTeams: []string{team}}
		}
		if _, err := c.x.svc.Edit(c.r.Context(), c.actor, d.Email, 0, p); err != nil {
			return err
		}
	}
	return nil
}

func scimCreateGroup(c *scimCall) (int, any, error) {
	var body struct {
		DisplayName string       `json:"displayName"`
		Members     []scimMember `json:"members"`
	}
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	if err := c.x.svc.AddTeam(c.r.Context(), c.actor, body.DisplayName); err != nil {
		return 0, nil, err
	}
	var ids []string
	for _, m := range body.Members {
		ids = append(ids, m.Value)
	}
	if err := c.setMembership(strings.TrimSpace(body.DisplayName), ids, true); err != nil {
		return 0, nil, err
	}
	teams, err := c.x.svc.Teams(c.r.Context(), c.actor)
	if err != nil {
		return 0, nil, err
	}
	for _, t := range teams {
		if strings.EqualFold(t.Name, strings.TrimSpace(body.DisplayName)) {
			g, err := c.scimGroup(t, true)
			if err == nil {
				c.rw.Header().Set("Location", g["meta"].(map[string]any)["location"].(string))
			}
			return http.StatusCreated, g, err
		}
	}
	return 0, nil, &admin.NotFoundError{What: "the group just made"}
}

// scimPatchGroup applies what Okta and Entra ID send: members added
// (path members, a list of values), removed (path members[value eq "ID"],
// or path members with a list of values), and the name replaced (path
// displayName, or no path and an object holding displayName).
func scimPatchGroup(c *scimCall) (int, any, error) {
	t, err := c.team()
	if err != nil {
		return 0, nil, err
	}
	var body scimPatch
	if err := c.decode(&body); err != nil {
		return 0, nil, err
	}
	name := t.Name
	for _, op := range body.Operations {
		o, path := strings.ToLower(op.Op), strings.TrimSpace(op.Path)
		lower := strings.ToLower(path)
		switch {
		case strings.HasPrefix(lower, "members[") && o == "remove":
			v, err := scimMemberPath(path)
			if err != nil {
				return 0, nil, err
			}
			if err := c.setMembership(name, []string{v}, false); err != nil {
				return 0, nil, err
			}
		case lower == "members" && (o == "add" || o == "remove" || o == "replace"):
			var ms []scimMember
			if err := json.Unmarshal(op.Value, &ms); err != nil && o != "remove" {
				return 0, nil, scimBad("invalidValue", "members: a list of {\"value\": user ID}")
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.Value)
			}
			if o == "replace" {
				cur, err := c.members(store.Team{Name: name})
				if err != nil {
					return 0, nil, err
				}
				var old []string
				for _, m := range cur {
					old = append(old, m["value"])
				}
				if err := c.setMembership(name, old, false); err != nil {
					return 0, nil, err
				}
			}
			if err := c.setMembership(name, ids, o != "remove"); err != nil {
				return 0, nil, err
			}
		case (lower == "displayname" || path == "") && (o == "replace" || o == "add"):
			var to string
			if path == "" {
				var v struct {
					DisplayName string `json:"displayName"`
				}
				if json.Unmarshal(op.Value, &v) != nil || v.DisplayName == "" {
					continue // Okta sends the id beside it: nothing else to change
				}
				to = v.DisplayName
			} else if json.Unmarshal(op.Value, &to) != nil {
				return 0, nil, scimBad("invalidValue", "displayName: a string")
			}
			if to != name {
				if err := c.x.svc.RenameTeam(c.r.Context(), c.actor, name, to); err != nil {
					return 0, nil, err
				}
				name = to
			}
		default:
			return 0, nil, scimBad("invalidPath", "%s %q is not a change roster makes to a group", op.Op, path)
		}
	}
	t.Name = name
	g, err := c.scimGroup(t, true)
	return http.StatusOK, g, err
}

// scimMemberPath is the user ID a path naming one member holds
// (members[value eq "ID"]). The path is the client's: it may be cut short
// ("members["), empty between its brackets, or go on after them.
func scimMemberPath(path string) (string, error) {
	const head = "members["
	bad := scimBad("invalidPath", "%q: a member is named members[value eq \"ID\"]", path)
	if len(path) < len(head) || !strings.EqualFold(path[:len(head)], head) {
		return "", bad
	}
	inner, ok := strings.CutSuffix(path[len(head):], "]")
	if !ok || strings.TrimSpace(inner) == "" {
		return "", bad
	}
	f, err := parseSCIMFilter(inner)
	if err != nil {
		return "", err
	}
	v, ok := f.lookup("value")
	if !ok {
		return "", bad
	}
	return v, nil
}

func scimDeleteGroup(c *scimCall) (int, any, error) {
	t, err := c.team()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, c.x.svc.RemoveTeam(c.r.Context(), c.actor, t.Name)
}
