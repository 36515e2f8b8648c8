package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"roster/admin"
	"roster/store"
)

// SCIM Groups are roster's teams; their members are users, by ID.

func (c *scimCall) teamID() (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, &admin.NotFoundError{What: fmt.Sprintf("group %q", c.r.PathValue("id"))}
	}
	return id, nil
}

func (c *scimCall) team() (*admin.ProvisionedTeam, error) {
	id, err := c.teamID()
	if err != nil {
		return nil, err
	}
	return c.x.svc.TeamByID(c.r.Context(), c.actor, id)
}

// scimGroupVersion is a group's meta.version and ETag.
func scimGroupVersion(t *admin.ProvisionedTeam) string { return `W/"` + t.Version + `"` }

// groupIfMatch reads If-Match, the group's version the provider read
// (scimGroupVersion, weak or strong); "", whatever it is, when absent or
// "*". One naming no version of this group (another's, a list) matches
// none, as for users: the change is refused, 412.
func (c *scimCall) groupIfMatch() string {
	h := strings.TrimSpace(c.r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return ""
	}
	tag := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(h, "W/"), `"`), `"`)
	if tag == "" {
		return h
	}
	return tag
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

func (c *scimCall) scimGroup(t *admin.ProvisionedTeam, withMembers bool) (map[string]any, error) {
	id := strconv.FormatInt(t.ID, 10)
	g := map[string]any{"schemas": []string{scimGroupSchema}, "id": id, "displayName": t.Name,
		"meta": map[string]any{"resourceType": "Group", "location": c.base() + "/Groups/" + id, "version": scimGroupVersion(t)}}
	if t.ExternalID != "" {
		g["externalId"] = t.ExternalID
	}
	if withMembers {
		m, err := c.members(t.Team)
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

// scimListGroups lists the teams, by name, a page of them (startIndex and
// count), each with its members unless excludedAttributes leaves them out.
func scimListGroups(c *scimCall) (int, any, error) {
	start, count, err := c.page()
	if err != nil {
		return 0, nil, err
	}
	teams, err := c.x.svc.ProvisionedTeams(c.r.Context(), c.actor)
	if err != nil {
		return 0, nil, err
	}
	if f := c.r.URL.Query().Get("filter"); f != "" {
		pf, err := parseSCIMFilter(f)
		if err != nil {
			return 0, nil, err
		}
		name, ok := pf.lookup("displayname")
		if !ok {
			return 0, nil, scimBad("invalidFilter", "groups are found by displayName eq \"…\"")
		}
		teams = slices.DeleteFunc(teams, func(t *admin.ProvisionedTeam) bool { return !strings.EqualFold(t.Name, name) })
	}
	// start and count are the client's, up to the largest int: their sum
	// overflowed, and the page's slice panicked.
	total := len(teams)
	from := min(start-1, total)
	page := teams[from : from+min(count, total-from)]
	out := make([]map[string]any, len(page))
	for i, t := range page {
		if out[i], err = c.scimGroup(t, c.withMembers()); err != nil {
			return 0, nil, err
		}
	}
	return http.StatusOK, scimList(out, total, start), nil
}

func scimGetGroup(c *scimCall) (int, any, error) {
	t, err := c.team()
	if err != nil {
		return 0, nil, err
	}
	return c.answerGroup(http.StatusOK, t, c.withMembers())
}

// answerGroup writes the group t, with its version as ETag, and its
// address as Location when it was created.
func (c *scimCall) answerGroup(status int, t *admin.ProvisionedTeam, withMembers bool) (int, any, error) {
	g, err := c.scimGroup(t, withMembers)
	if err != nil {
		return 0, nil, err
	}
	c.rw.Header().Set("ETag", scimGroupVersion(t))
	if status == http.StatusCreated {
		c.rw.Header().Set("Location", g["meta"].(map[string]any)["location"].(string))
	}
	return status, g, nil
}

// scimMember is one member in a request: a user, by ID, or what a
// provider that nests groups sends, a group (its type, or its $ref's).
type scimMember struct {
	Value string `json:"value"`
	Type  string `json:"type"`
	Ref   string `json:"$ref"`
}

// scimMemberIDs reads members' values as the user IDs they are. A member
// that says it is a group is refused: roster's teams hold people, and a
// group's ID, read as a user's, named whichever user had the same number.
func scimMemberIDs(ms []scimMember) ([]int64, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		if strings.EqualFold(m.Type, "Group") || strings.Contains(m.Ref, "/Groups/") {
			return nil, scimBad("invalidValue", "member %q is a group: roster's groups hold users only", m.Value)
		}
		id, err := strconv.ParseInt(strings.TrimSpace(m.Value), 10, 64)
		if err != nil {
			return nil, scimBad("invalidValue", "member %q is not a user ID", m.Value)
		}
		ids[i] = id
	}
	return ids, nil
}

// groupBody reads a group sent whole (a creation, a replace): its name,
// the provider's ID of it and its members' user IDs.
func (c *scimCall) groupBody() (name, externalID string, ids []int64, err error) {
	var body struct {
		DisplayName string       `json:"displayName"`
		ExternalID  string       `json:"externalId"`
		Members     []scimMember `json:"members"`
	}
	if err := c.decode(&body); err != nil {
		return "", "", nil, err
	}
	ids, err = scimMemberIDs(body.Members)
	return body.DisplayName, body.ExternalID, ids, err
}

// scimCreateGroup creates the team with its members in one transaction: a
// member refused leaves no team behind, which the provider's next attempt
// would find "already exists".
func scimCreateGroup(c *scimCall) (int, any, error) {
	name, ext, ids, err := c.groupBody()
	if err != nil {
		return 0, nil, err
	}
	t, err := c.x.svc.ProvisionTeam(c.r.Context(), c.actor, name, ext, ids)
	if err != nil {
		return 0, nil, err
	}
	return c.answerGroup(http.StatusCreated, t, true)
}

// scimReplaceGroup makes the group what the body says, its name and its
// members, who are then its only ones (RFC 7644 3.5.1, which every
// service provider must take), in one transaction: all of it, or none. It
// was not routed: a provider replacing a group was answered 404 "no such
// SCIM resource", as if the group were gone.
func scimReplaceGroup(c *scimCall) (int, any, error) {
	id, err := c.teamID()
	if err != nil {
		return 0, nil, err
	}
	name, ext, ids, err := c.groupBody()
	if err != nil {
		return 0, nil, err
	}
	t, err := c.x.svc.ChangeTeam(c.r.Context(), c.actor, id, c.groupIfMatch(), []admin.TeamChange{
		{Act: admin.TeamRename, Name: name}, {Act: admin.TeamSetExternalID, ExternalID: ext}, {Act: admin.TeamReplaceMembers, Users: ids}})
	if err != nil {
		return 0, nil, err
	}
	return c.answerGroup(http.StatusOK, t, true)
}

// scimPatchGroup applies what Okta and Entra ID send: members added
// (path members, a list of values), removed (path members[value eq "ID"],
// or path members with a list of values, or without one: all of them), and
// the name replaced (path displayName); or, without a path, an object of
// the name and the members to add or replace (scimGroupAttrs). The
// operations are read whole first, then made in one transaction: all of
// them, or none (RFC 7644 3.5.2).
func scimPatchGroup(c *scimCall) (int, any, error) {
	id, err := c.teamID()
	if err != nil {
		return 0, nil, err
	}
	body, err := c.patchOps()
	if err != nil {
		return 0, nil, err
	}
	var changes []admin.TeamChange
	for _, op := range body.Operations {
		o, path := strings.ToLower(op.Op), strings.TrimSpace(op.Path)
		lower := strings.ToLower(path)
		switch {
		case strings.HasPrefix(lower, "members[") && o == "remove":
			v, err := scimMemberPath(path)
			if err != nil {
				return 0, nil, err
			}
			ids, err := scimMemberIDs([]scimMember{{Value: v}})
			if err != nil {
				return 0, nil, err
			}
			changes = append(changes, admin.TeamChange{Act: admin.TeamRemoveMembers, Users: ids})
		case lower == "members" && o == "remove" && (len(op.Value) == 0 || string(op.Value) == "null"):
			// RFC 7644 3.5.2.2: a multi-valued attribute removed without a
			// filter loses all its values.
			changes = append(changes, admin.TeamChange{Act: admin.TeamReplaceMembers})
		case lower == "members" && (o == "add" || o == "remove" || o == "replace"):
			var ms []scimMember
			if err := json.Unmarshal(op.Value, &ms); err != nil {
				return 0, nil, scimBad("invalidValue", "members: a list of {\"value\": user ID}")
			}
			ids, err := scimMemberIDs(ms)
			if err != nil {
				return 0, nil, err
			}
			act := map[string]admin.TeamAct{"add": admin.TeamAddMembers, "remove": admin.TeamRemoveMembers, "replace": admin.TeamReplaceMembers}[o]
			changes = append(changes, admin.TeamChange{Act: act, Users: ids})
		case path == "" && (o == "replace" || o == "add"):
			cs, err := scimGroupAttrs(o, op.Value)
			if err != nil {
				return 0, nil, err
			}
			changes = append(changes, cs...)
		case path == "" && o == "remove":
			return 0, nil, scimBad("noTarget", "remove needs a path: members, or members[value eq \"ID\"]")
		case lower == "displayname" && (o == "replace" || o == "add"):
			to, err := scimString("displayName", op.Value)
			if err != nil {
				return 0, nil, err
			}
			changes = append(changes, admin.TeamChange{Act: admin.TeamRename, Name: to})
		case lower == "externalid" && (o == "replace" || o == "add"):
			to, err := scimString("externalId", op.Value)
			if err != nil {
				return 0, nil, err
			}
			changes = append(changes, admin.TeamChange{Act: admin.TeamSetExternalID, ExternalID: to})
		case lower == "externalid" && o == "remove":
			changes = append(changes, admin.TeamChange{Act: admin.TeamSetExternalID})
		default:
			return 0, nil, scimBad("invalidPath", "%s %q is not a change roster makes to a group", op.Op, path)
		}
	}
	t, err := c.x.svc.ChangeTeam(c.r.Context(), c.actor, id, c.groupIfMatch(), changes)
	if err != nil {
		return 0, nil, err
	}
	return c.answerGroup(http.StatusOK, t, true)
}

// scimGroupAttrs reads an add or a replace without a path: an object of
// the attributes it changes (RFC 7644 3.5.2.1, 3.5.2.3), the name and the
// members, which it adds or, replacing, makes the only ones. Okta sends
// the group's id beside its new name; schemas and meta say what the
// object is. Any other attribute is refused: members sent so were taken
// for nothing to change, and the provider told 200 of a group it had not
// changed.
func scimGroupAttrs(op string, value json.RawMessage) ([]admin.TeamChange, error) {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(value, &attrs); err != nil {
		return nil, scimBad("invalidValue", "%s without a path takes an object of attributes: displayName, members", op)
	}
	var name, ext, members json.RawMessage
	for k, v := range attrs {
		switch strings.ToLower(k) {
		case "displayname":
			name = v
		case "externalid":
			ext = v
		case "members":
			members = v
		case "id", "schemas", "meta":
		default:
			return nil, scimBad("invalidPath", "%q is not an attribute of a group roster keeps: displayName, externalId, members", k)
		}
	}
	var out []admin.TeamChange
	if name != nil {
		to, err := scimString("displayName", name)
		if err != nil {
			return nil, err
		}
		out = append(out, admin.TeamChange{Act: admin.TeamRename, Name: to})
	}
	if ext != nil {
		to, err := scimString("externalId", ext)
		if err != nil {
			return nil, err
		}
		out = append(out, admin.TeamChange{Act: admin.TeamSetExternalID, ExternalID: to})
	}
	if members != nil {
		var ms []scimMember
		if err := json.Unmarshal(members, &ms); err != nil {
			return nil, scimBad("invalidValue", "members: a list of {\"value\": user ID}")
		}
		ids, err := scimMemberIDs(ms)
		if err != nil {
			return nil, err
		}
		act := admin.TeamAddMembers
		if op == "replace" {
			act = admin.TeamReplaceMembers
		}
		out = append(out, admin.TeamChange{Act: act, Users: ids})
	}
	return out, nil
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
	id, err := c.teamID()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, c.x.svc.RemoveProvisionedTeam(c.r.Context(), c.actor, id, c.groupIfMatch())
}

// scimString reads the value of the string attribute name.
func scimString(name string, v json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", scimBad("invalidValue", "%s: a string", name)
	}
	return s, nil
}
