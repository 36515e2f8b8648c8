package admin

import (
	"slices"
	"testing"
)

// A To: line, an Outlook line or a pasted column gives a person each, with
// the names their display names hold; what is no address is kept whole,
// for inviting it to say what is wrong with it.
func TestAddressees(t *testing.T) {
	p := func(email, first, last string) NewUser {
		return NewUser{Email: email, FirstName: first, LastName: last}
	}
	for _, c := range []struct {
		text string
		want []NewUser
	}{
		{"ann@acme.test", []NewUser{p("ann@acme.test", "", "")}},
		{" ann@acme.test ", []NewUser{p("ann@acme.test", "", "")}},
		{"<ann@acme.test>", []NewUser{p("ann@acme.test", "", "")}},
		{"mailto:ann@acme.test", []NewUser{p("ann@acme.test", "", "")}},
		{"Marie Curie <marie@acme.test>", []NewUser{p("marie@acme.test", "Marie", "Curie")}},
		{"Jean-Pierre de la Tour <jp@acme.test>", []NewUser{p("jp@acme.test", "Jean-Pierre", "de la Tour")}},
		{`"Dupont, Jean" <jean@acme.test>, ann@acme.test`, []NewUser{p("jean@acme.test", "Jean", "Dupont"), p("ann@acme.test", "", "")}},
		{"Curie, Marie <marie@acme.test>; Zoé <zoe@acme.test>;", []NewUser{p("marie@acme.test", "Marie", "Curie"), p("zoe@acme.test", "Zoé", "")}},
		{"=?UTF-8?Q?Ren=C3=A9e_Dupr=C3=A9?= <renee@acme.test>", []NewUser{p("renee@acme.test", "Renée", "Dupré")}},
		{"ann@acme.test\nbob@acme.test\r\n\r\ncid@acme.test\n", []NewUser{p("ann@acme.test", "", ""), p("bob@acme.test", "", ""), p("cid@acme.test", "", "")}},
		{"bad one <x>", []NewUser{p("x", "bad", "one")}},
		{"Ann Archer ann@acme.test", []NewUser{p("Ann Archer ann@acme.test", "", "")}},
		{" , ,\n", nil},
		{" ; ;", nil},
	} {
		if got := Addressees(c.text); !slices.EqualFunc(got, c.want, func(a, b NewUser) bool {
			return a.Email == b.Email && a.FirstName == b.FirstName && a.LastName == b.LastName
		}) {
			t.Errorf("Addressees(%q) = %+v, want %+v", c.text, got, c.want)
		}
	}
}
