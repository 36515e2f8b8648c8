package server

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"roster/admin"
	"roster/store"
)

// webSessionLife is how long a sign-in lasts: a working day.
const webSessionLife = 12 * time.Hour

// A signed-in browser holds a session cookie, and nothing is kept on the
// server: the cookie says who and until when, signed with the forms' key
// (HMAC-SHA256) over those, the person's password hash and their count of
// sign-outs. Setting a new password (a reset link) so ends every session
// of the old one, and signing out every session of theirs, on any browser,
// a copy of the cookie taken before included. The person must still be
// active: every page reads them through admin, which refuses anyone else.

func (w *web) sessionCookieName(r *http.Request) string {
	if w.secure || r.TLS != nil {
		return "__Host-roster_session"
	}
	return "roster_session"
}

func (w *web) sessionMAC(u *store.User, until int64) string {
	m := hmac.New(sha256.New, w.key)
	io.WriteString(m, "roster web session\x00"+u.Email+"\x00"+strconv.FormatInt(until, 10)+"\x00"+u.PasswordHash+
		"\x00"+strconv.FormatInt(u.SignOuts, 10))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// startSession signs u in on this browser.
func (w *web) startSession(rw http.ResponseWriter, r *http.Request, u *store.User) {
	until := w.now().Add(webSessionLife).Unix()
	v := base64.RawURLEncoding.EncodeToString([]byte(u.Email)) + "." + strconv.FormatInt(until, 10) + "." +
		w.sessionMAC(u, until)
	http.SetCookie(rw, &http.Cookie{Name: w.sessionCookieName(r), Value: v, Path: "/", MaxAge: int(webSessionLife / time.Second),
		HttpOnly: true, Secure: w.secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

func (w *web) endSession(rw http.ResponseWriter, r *http.Request) {
	http.SetCookie(rw, &http.Cookie{Name: w.sessionCookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: w.secure || r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// signedIn reads the person the browser is signed in as, with their
// notifications; ok is false when it is signed in as nobody who may still
// be (no cookie, a forged or expired one, a password changed since, a user
// no longer active): the caller sends it to /login.
func (w *web) signedIn(r *http.Request) (set *admin.NotifySettings, ok bool, err error) {
	c, cerr := r.Cookie(w.sessionCookieName(r))
	if cerr != nil {
		return nil, false, nil
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return nil, false, nil
	}
	email, err := base64.RawURLEncoding.DecodeString(parts[0])
	until, uerr := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || uerr != nil || w.now().Unix() >= until {
		return nil, false, nil
	}
	set, err = w.svc.NotifySettings(r.Context(), admin.Actor{Email: string(email), Channel: admin.ChannelWeb}, string(email))
	var denied *admin.DeniedError
	if errors.As(err, &denied) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if set.User.Email != string(email) || !hmac.Equal([]byte(parts[2]), []byte(w.sessionMAC(set.User, until))) {
		return nil, false, nil
	}
	return set, true, nil
}

// webPrefs is the notification grid as the settings page draws it.
type webPrefs struct {
	Version  int64
	Channels []string
	Rows     []webPrefRow
	Logout   string
}

type webPrefRow struct {
	Label  string
	Locked bool
	Cells  []webPrefCell
}

type webPrefCell struct {
	Name, Label string
	On          bool
}

// webPrefField is the form field of one event's channel.
func webPrefField(event, channel string) string { return event + ":" + channel }

// settingsForm draws the settings page of set's user, in their language.
func (w *web) settingsForm(rw http.ResponseWriter, r *http.Request, status int, set *admin.NotifySettings, notice, problem string) {
	lang := webUserLang(set.User.Locale)
	t := webTexts[lang]
	v := w.view(lang, t.SettingsTitle)
	v.Intro, v.Notice, v.Error, v.CSRF = fmt.Sprintf(t.SettingsIntro, set.User.Name()), notice, problem, w.csrfToken(rw, r)
	if set.User.Phone == "" {
		v.Text = t.NoMobile
	}
	p := &webPrefs{Version: set.User.Version, Channels: admin.NotifyChannels, Logout: w.prefix + "/logout"}
	for _, pref := range set.Prefs {
		row := webPrefRow{Label: pref.Label, Locked: pref.Mandatory}
		for _, ch := range admin.NotifyChannels {
			on := false
			for _, c := range pref.Channels {
				on = on || c == ch
			}
			row.Cells = append(row.Cells, webPrefCell{Name: webPrefField(pref.Event, ch), Label: pref.Label + ": " + ch, On: on})
		}
		p.Rows = append(p.Rows, row)
	}
	v.Prefs = p
	w.render(rw, status, "settings.html", v)
}

func (w *web) settingsPage(rw http.ResponseWriter, r *http.Request) {
	set, ok, err := w.signedIn(r)
	switch {
	case err != nil:
		w.internal(rw, r, w.lang(r), "settings", err)
	case !ok:
		http.Redirect(rw, r, w.prefix+"/login", http.StatusSeeOther)
	default:
		w.settingsForm(rw, r, http.StatusOK, set, "", "")
	}
}

// settingsPost saves the boxes of the settings page through admin, as the
// person themselves on the web channel, at the version the page was drawn
// from: a page older than a change made elsewhere is drawn again as things
// are, with nothing saved. Security notices' boxes are not read: they are
// drawn locked, and admin keeps them on anyway.
func (w *web) settingsPost(rw http.ResponseWriter, r *http.Request) {
	if w.refuseForgery(rw, r, w.lang(r)) {
		return
	}
	set, ok, err := w.signedIn(r)
	if err != nil {
		w.internal(rw, r, w.lang(r), "settings", err)
		return
	}
	if !ok {
		http.Redirect(rw, r, w.prefix+"/login", http.StatusSeeOther)
		return
	}
	lang := webUserLang(set.User.Locale)
	t := webTexts[lang]
	if v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64); v != set.User.Version {
		w.settingsForm(rw, r, http.StatusConflict, set, "", t.Stale)
		return
	}
	var sets []string
	for _, p := range set.Prefs {
		if p.Mandatory {
			continue
		}
		var chs []string
		for _, ch := range admin.NotifyChannels {
			if r.PostForm.Has(webPrefField(p.Event, ch)) {
				chs = append(chs, ch)
			}
		}
		if now := strings.Join(chs, ","); now != strings.Join(p.Channels, ",") {
			sets = append(sets, p.Event+"="+cmp.Or(now, "off"))
		}
	}
	a := admin.Actor{Email: set.User.Email, Channel: admin.ChannelWeb}
	if len(sets) > 0 {
		_, err = w.svc.SetNotifyPrefs(r.Context(), a, set.User.Email, set.User.Version, sets)
	}
	var conflict *admin.ConflictError
	switch {
	case errors.As(err, &conflict):
		w.settingsForm(rw, r, http.StatusConflict, set, "", t.Stale)
		return
	case err != nil:
		w.internal(rw, r, lang, "save settings", err)
		return
	}
	if set, err = w.svc.NotifySettings(r.Context(), a, a.Email); err != nil {
		w.internal(rw, r, lang, "settings", err)
		return
	}
	w.log.Info("web: settings saved", "user", set.User.Email, "changed", len(sets))
	w.settingsForm(rw, r, http.StatusOK, set, t.Saved, "")
}

// logoutPost signs the person out: of every browser, when this one is
// signed in as them.
func (w *web) logoutPost(rw http.ResponseWriter, r *http.Request) {
	lang := w.lang(r)
	if w.refuseForgery(rw, r, lang) {
		return
	}
	set, ok, err := w.signedIn(r)
	if err == nil && ok {
		err = w.svc.SignOut(r.Context(), admin.Actor{Email: set.User.Email, Channel: admin.ChannelWeb})
	}
	var gone *admin.DeniedError // deactivated meanwhile: no session of theirs is good any more
	if err != nil && !errors.As(err, &gone) {
		w.internal(rw, r, lang, "sign out", err)
		return
	}
	w.endSession(rw, r)
	t := webTexts[lang]
	w.message(rw, http.StatusOK, lang, t.SignedOutTitle, t.SignedOutText, w.link(t.SignIn, "/login", lang))
}
