package i18n

import "sync"

// The French catalogues, one for each part of roster, keyed by the English
// text. Each is built the first time French is asked for: an English
// session, and every command that prints nothing, never pays for them.
var catalogues = []func() map[string]string{
	frCommon,
	frErrors,
	frCommand,
	frDashboard,
	frTUICore,
	frTUIForms,
	frTUIRest,
}

var french = sync.OnceValue(func() map[string]string {
	all := map[string]string{}
	for _, c := range catalogues {
		for k, v := range c() {
			all[k] = v
		}
	}
	return all
})

var frenchMore = sync.OnceValue(frPlurals)

// frPlurals holds the French said of more than one thing (Printer.Agree)
// where English has one text for one and for more: the catalogues hold the
// French for one.
func frPlurals() map[string]string {
	return map[string]string{
		// What a batch did, after "3 sur 3 :".
		"resent":                     "invitations renvoyées",
		"revoked":                    "invitations révoquées",
		"invited":                    "invités",
		"made %s":                    "nommés %s",
		"added to %s":                "ajoutés à %s",
		"removed from %s":            "retirés de %s",
		"added to the branch %s":     "ajoutés à l'agence %s",
		"removed from the branch %s": "retirés de l'agence %s",
		"deactivated":                "désactivés",
		"reactivated":                "réactivés",
		"%s, %s unchanged":           "%s, %s inchangés",
		// How many rows a list shows.
		"state %s · %s shown":                                  "état %s · %s affichés",
		"newest first · %s shown":                              "du plus récent au plus ancien · %s affichés",
		"what the embedded capture server received · %s shown": "ce que le serveur de capture intégré a reçu · %s affichés",
	}
}
