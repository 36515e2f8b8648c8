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
