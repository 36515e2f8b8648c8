package admin

import (
	"slices"
	"sort"
)

// Permission is one checkbox of the permissions screen.
type Permission struct {
	ID          string `json:"id"`
	Group       string `json:"group"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// Catalogue lists every permission, grouped by area, in the order screens show them.
var Catalogue = []Permission{
	{"users.invite", "Users", "Invite people", "Invite by email, resend and revoke pending invitations."},
	{"users.edit", "Users", "Edit profiles", "Change names, phone, position, reference ID, teams and tags; send password resets."},
	{"users.permissions", "Users", "Change permissions", "Change roles and permission checkboxes, up to one's own."},
	{"users.delete", "Users", "Deactivate and delete", "Deactivate, reactivate and delete users, handing what they own to an heir."},
	{"users.away", "Users", "Set others away", "Set other users' away status and route their new work to a stand-in."},
	{"data.all", "Data", "Everyone's conversations", "See the calls and conversations of every member of the account."},
	{"data.team", "Data", "Team conversations", "See the calls and conversations of the members of one's teams."},
	{"analytics.all", "Analytics", "All analytics", "See the analytics of every user's calls."},
	{"analytics.own", "Analytics", "Own analytics", "See the analytics of one's own calls only."},
	{"coaching.manage", "Coaching", "Training programmes", "Create and run training programmes."},
	{"settings.billing", "Settings", "Billing", "See invoices and change the plan and payment details."},
	{"settings.integrations", "Settings", "Integrations", "Connect and configure CRM and other integrations."},
	{"settings.account", "Settings", "Account settings", "Change the account's name, invitation lifetime, default country and the base URL of the links in mail."},
}

// Roles, from the most to the least powerful.
var Roles = []string{"owner", "admin", "manager", "member"}

// Presets are the permissions each role starts with (seed 001): an owner holds
// everything; an admin everything but billing; a manager invites and manages
// people, sees their teams' data and all analytics and runs training, without
// billing or integration settings; a member sees their teams' data and their
// own analytics.
var Presets = map[string][]string{
	"owner":   allPerms(),
	"admin":   without(allPerms(), "settings.billing"),
	"manager": {"users.invite", "users.edit", "users.away", "data.team", "analytics.all", "coaching.manage"},
	"member":  {"data.team", "analytics.own"},
}

func allPerms() []string {
	var ids []string
	for _, p := range Catalogue {
		ids = append(ids, p.ID)
	}
	return ids
}

func without(ids []string, drop string) []string {
	return slices.DeleteFunc(ids, func(s string) bool { return s == drop })
}

// rank orders roles: a higher rank may manage a lower one.
func rank(role string) int {
	switch role {
	case "owner":
		return 4
	case "admin":
		return 3
	case "manager":
		return 2
	case "member":
		return 1
	}
	return 0
}

// KnownPerm reports whether id is in the catalogue.
func KnownPerm(id string) bool {
	for _, p := range Catalogue {
		if p.ID == id {
			return true
		}
	}
	return false
}

// KnownRole reports whether role is one of Roles.
func KnownRole(role string) bool { return rank(role) > 0 }

type permSet map[string]bool

func newPermSet(ids []string) permSet {
	s := permSet{}
	for _, id := range ids {
		s[id] = true
	}
	return s
}

func (s permSet) list() []string {
	out := make([]string, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// coveredBy names the broader permission that covers a narrower one: who
// sees everyone's data or analytics may hand out seeing one's team's data or
// one's own analytics (a manager, holding analytics.all, invites members, whose
// preset holds analytics.own).
var coveredBy = map[string]string{"data.team": "data.all", "analytics.own": "analytics.all"}

// grants reports whether holding s lets one grant perm: s holds it, or the
// broader permission that covers it.
func (s permSet) grants(perm string) bool {
	return s[perm] || coveredBy[perm] != "" && s[coveredBy[perm]]
}

// anyUsers reports whether the set holds at least one users.* permission:
// what it takes to use roster at all.
func (s permSet) anyUsers() bool {
	for id := range s {
		if len(id) > 6 && id[:6] == "users." {
			return true
		}
	}
	return false
}
