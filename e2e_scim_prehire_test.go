package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"testing"
)

// TestE2ESCIMPreHireInvitedWhenActive replays, against a real roster serve,
// a pre-hire as Entra ID provisions them: created inactive, nothing is
// mailed; made active on their start date, their invitation goes out
// through the mail worker to the SMTP server (the embedded capture
// server), and its link opens the invitation page and signs them up. The
// activation left them invited with no link and no mail.
func TestE2ESCIMPreHireInvitedWhenActive(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	key := cliJSON[struct {
		Secret string `json:"secret"`
	}](e, "apikeys", "create", "--name", "e2e").Secret
	web := freePort(t)
	base := "http://" + web
	srv := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base)
	srv.waitLog("serving")
	n := &apiNode{t: t, e: e, web: base, key: key}

	const email = "pia.prehire@acme.test"
	var u scimE2EResource
	n.call("POST", "/Users", map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"externalId": "5c1f0e2a", "userName": email, "active": false,
		"emails": []map[string]any{{"primary": true, "type": "work", "value": email}},
		"name":   map[string]string{"givenName": "Pia", "familyName": "Prehire"}, "preferredLanguage": "en-US",
	}, 201, &u)
	type outboxRow struct {
		Recipient string `json:"recipient"`
		State     string `json:"state"`
	}
	toHer := func() []outboxRow {
		return slices.DeleteFunc(cliJSON[[]outboxRow](e, "mail"), func(m outboxRow) bool { return m.Recipient != email })
	}
	if got := toHer(); len(got) != 0 {
		t.Fatalf("created inactive, the outbox holds %+v for her", got)
	}
	if got := cliJSON[e2eUser](e, "user", email); got.Status != "deactivated" {
		t.Fatalf("created inactive, she is %s", got.Status)
	}

	// Her start date.
	n.call("PATCH", "/Users/"+u.ID, patchOps(map[string]any{"op": "Replace", "path": "active", "value": "True"}), 200, &u)
	if got := cliJSON[e2eUser](e, "user", email); !u.Active || got.Status != "invited" {
		t.Fatalf("made active: %+v, %s", u, got.Status)
	}
	link := e.capturedLink(srv, email, base+"/invite/")
	if got := toHer(); len(got) != 1 || got[0].State != "sent" {
		t.Errorf("the outbox for her after delivery: %+v, want one invitation sent", got)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the invitation page: %d\n%s", resp.StatusCode, page)
	}
	resp, err = client.PostForm(link, url.Values{"csrf": {string(m[1])}, "password": {"four words make a password"}, "password2": {"four words make a password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("accepting the invitation: %d\n%s", resp.StatusCode, srv.Logs())
	}
	if got := cliJSON[e2eUser](e, "user", email); got.Status != "active" {
		t.Errorf("after accepting: %s", got.Status)
	}
}
