package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestE2ENodesShareTheFormKey runs two roster serve processes on one
// database and one host key, as behind a load balancer: a form one node
// served is accepted by the other, and by the first after it restarts.
func TestE2ENodesShareTheFormKey(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test", "--first", "Big", "--last", "Boss")
	e.cli("invite", "zoe@acme.test", "--first", "Zoe", "--last", "Zed", "--locale", "en")
	webA, webB := freePort(t), freePort(t)
	base := "http://" + webA // the load balancer's address, the same for both
	serve := func(web string) *process {
		p := e.startProcess("serve", "--ssh", freePort(t), "--http", web, "--base-url", base)
		p.waitLog("serving")
		return p
	}
	a := serve(webA)
	b := serve(webB)

	jar, _ := cookiejar.New(nil) // cookies are per host, not per port: both nodes see the form's
	client := &http.Client{Jar: jar}
	resp, err := client.Get("http://" + webA + "/forgot?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form token on node A's /forgot:\n%s", page)
	}
	post := func(node, web string) {
		t.Helper()
		resp, err := client.PostForm("http://"+web+"/forgot?lang=en", url.Values{"csrf": {string(m[1])}, "email": {"zoe@acme.test"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "zoe@acme.test") {
			t.Errorf("node %s refused the form node A served: %d\n%s\nA's log:\n%s\nB's log:\n%s", node, resp.StatusCode, body, a.Logs(), b.Logs())
		}
	}
	post("B", webB)
	if err := a.stop(); err != nil {
		t.Fatalf("node A did not stop cleanly: %v\n%s", err, a.Logs())
	}
	a = serve(webA)
	post("A, restarted,", webA)
}
