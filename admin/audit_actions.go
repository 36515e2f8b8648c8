package admin

import (
	"slices"
	"strings"
)

// AuditActions are the actions the audit trail records, each an area and
// a verb (user.delete). An audit filter names one of them or an area; any
// other word would list nothing, as if nothing had happened.
var AuditActions = []string{
	"account.init", "account.update",
	"apikey.create", "apikey.refused", "apikey.regenerate", "apikey.revoke",
	"away.cancel", "away.end", "away.ending", "away.set", "away.standin",
	"billing.plan", "billing.plan_effective", "billing.renew", "billing.start",
	"branch.add", "branch.edit", "branch.remove",
	"conversation.add",
	"invite.accept", "invite.digest", "invite.expire", "invite.remind", "invite.resend", "invite.revoke", "invite.stuck",
	"key.add", "key.remove",
	"mail.retry",
	"notify.set",
	"password.forgot", "password.reset", "password.reset_sent",
	"team.add", "team.external_id", "team.remove", "team.rename",
	"user.deactivate", "user.delete", "user.edit", "user.external_id", "user.invite", "user.perms",
	"user.reactivate", "user.stage",
	"webhook.add", "webhook.remove",
}

// auditAreas are the areas of AuditActions, sorted.
func auditAreas() []string {
	var areas []string
	for _, a := range AuditActions {
		area, _, _ := strings.Cut(a, ".")
		if !slices.Contains(areas, area) {
			areas = append(areas, area)
		}
	}
	slices.Sort(areas)
	return areas
}

// CheckAuditAction refuses an audit filter's action that is neither an
// action nor an area, naming those it could be: the area's actions when
// its area is known, else the areas.
func CheckAuditAction(action string) error {
	a := strings.TrimSpace(action)
	if a == "" || slices.Contains(AuditActions, a) || slices.Contains(auditAreas(), a) {
		return nil
	}
	if area, _, ok := strings.Cut(a, "."); ok && slices.Contains(auditAreas(), area) {
		var of []string
		for _, x := range AuditActions {
			if strings.HasPrefix(x, area+".") {
				of = append(of, x)
			}
		}
		return inputErr("action", "%q is not an action (want one of %s)", a, strings.Join(of, ", "))
	}
	return inputErr("action", "%q is neither an action nor an area (want an action such as user.delete, or one of %s)", a, strings.Join(auditAreas(), ", "))
}
