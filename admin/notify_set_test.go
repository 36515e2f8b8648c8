package admin

import (
	"testing"

	"roster/store"
)

// A setting names its channels, and each event once: an empty value (a
// script's variable left unset, --set "digest.stuck=$CH") turned the event
// off, and an event set twice took its last value, each unsaid.
func TestNotifySettingsSayWhatTheyMean(t *testing.T) {
	const mel = "mel.member@example.com"
	f := newFixture(t)
	f.addUser(mel, "member", store.Active)
	before := f.snapshot()
	for _, c := range []struct {
		sets  []string
		field string
		want  string
	}{
		{[]string{"invitation.accepted="}, "setting", "invitation.accepted= names no channel"},
		{[]string{"invitation.accepted= "}, "setting", "invitation.accepted= names no channel"},
		{[]string{"digest.stuck=email", "invitation.accepted=email", "Digest.Stuck=off"}, "setting", "digest.stuck is set twice"},
	} {
		_, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, c.sets)
		wantInput(t, err, c.field, c.want)
	}
	f.unchanged(before)
	_, err := f.svc.SetNotifyPrefs(f.ctx, as(mel), mel, 0, []string{"invitation.accepted=off", "digest.stuck=email"})
	must(t, err)
}
