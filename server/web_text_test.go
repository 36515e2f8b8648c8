package server

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// A past participle or adjective agreeing with "vous" assumes the reader's
// gender ("vous êtes invité"): the French pages and mails say it otherwise
// ("vous avez reçu une invitation").
var gendered = regexp.MustCompile(`(?i)vous (êtes|étiez|serez|serait|avez été|a|ont|l’a|l'a) (\S+ )?(invité|connecté|déconnecté|inscrit|bienvenu|prêt|sûr|seul|redirigé|informé|attendu|prévenu|identifié|authentifié|enregistré|désigné|nommé)(e?s?)(\P{L}|$)`)

func TestFrenchAddressesTheReaderWithoutAGender(t *testing.T) {
	texts := map[string]string{}
	fr := reflect.ValueOf(*webTexts["fr"])
	for i := range fr.NumField() {
		if s, ok := fr.Field(i).Interface().(string); ok {
			texts["web "+fr.Type().Field(i).Name] = s
		}
	}
	for _, f := range []string{"../mail/templates/fr.txt", "../mail/templates/fr.html"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
	}
	for where, s := range texts {
		if m := gendered.FindString(s); m != "" {
			t.Errorf("%s assumes the reader's gender: %q", where, m)
		}
	}
}
