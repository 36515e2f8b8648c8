package server

import (
	"net/http"
	"testing"
)

// Through the API as anywhere, where someone else's new work goes is not a
// peer's to decide: a member changes nobody's away period, a manager's key
// does not set a fellow manager away (with themselves as stand-in, to take
// their conversations) nor end their leave; a manager sets a member away.
func TestAPIAwayOfSomeoneElse(t *testing.T) {
	f := newAPIFixture(t, APIOptions{})
	mia := f.active("mia@acme.test", "manager")
	pia := f.active("pia@acme.test", "manager")
	max := f.active("max@acme.test", "member")
	week := map[string]any{"until": "+7d", "stand_in": "mia@acme.test"}

	f.call(mia, "PUT", "/api/v1/users/pia@acme.test/away", week).
		problem(http.StatusForbidden, "only they, an owner or a higher role can")
	f.call(max, "PUT", "/api/v1/users/pia@acme.test/away", map[string]any{"until": "+7d", "stand_in": "max@acme.test"}).
		problem(http.StatusForbidden, "no users.* permission")

	f.call(pia, "PUT", "/api/v1/users/pia@acme.test/away", map[string]any{"until": "+7d"}).want(http.StatusOK, nil)
	f.call(mia, "DELETE", "/api/v1/users/pia@acme.test/away", nil).
		problem(http.StatusForbidden, "only they, an owner or a higher role can")
	f.call(max, "DELETE", "/api/v1/users/pia@acme.test/away", nil).
		problem(http.StatusForbidden, "no users.* permission")
	f.call(pia, "DELETE", "/api/v1/users/pia@acme.test/away", nil).want(http.StatusNoContent, nil)

	f.call(mia, "PUT", "/api/v1/users/max@acme.test/away", week).want(http.StatusOK, nil)
	f.call(mia, "DELETE", "/api/v1/users/max@acme.test/away", nil).want(http.StatusNoContent, nil)
}
