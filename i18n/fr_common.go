package i18n

// frCommon holds the words this package says itself and those every part
// of roster shares: dates, lengths of time, statuses and roles.
func frCommon() map[string]string {
	return map[string]string{
		"language %q: want fr or en": "langue %q : fr ou en attendu",
		"never":                      "jamais",
		"in %s":                      "dans %s",
		"%s ago":                     "il y a %s",
		"%s day":                     "%s jour",
		"%s days":                    "%s jours",
	}
}
