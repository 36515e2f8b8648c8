package admin

import (
	"time"

	"roster/i18n"
)

// The errors of this package carry their data and say themselves twice:
// Error in English, the text of the HTTP API, SCIM and the logs, which
// tests and clients rely on; Localize in the operator's language, made
// where the error is shown (i18n.Error), so that no screen rewrites a
// rule's English.

// DeniedError says the operator may not do what they asked, and why.
type DeniedError struct {
	Perm string    // the permission that was missing, if one
	Why  i18n.Text // the reason
}

func (e *DeniedError) Error() string { return "permission denied: " + e.Why.String() }

// Localize says e in p's language.
func (e *DeniedError) Localize(p *i18n.Printer) string {
	return p.T("permission denied: %s", e.Why)
}

// Reason is why e refused, in p's language, without "permission denied":
// what a screen shows beside a locked choice.
func (e *DeniedError) Reason(p *i18n.Printer) string { return e.Why.In(p) }

func denied(perm, key string, args ...any) error {
	return &DeniedError{Perm: perm, Why: i18n.Msg(key, args...)}
}

// ConflictError says the user changed since the operator read it.
type ConflictError struct {
	Email string
	By    string
	At    time.Time
	// Plan is set when what deleting the user would do changed since the
	// preview the operator confirmed (DeletePlan.Digest): By and At are then
	// unknown, as the change may be a conversation anyone opened.
	Plan bool
	// Team is set, Email then unset, when it is a team that changed (its
	// name or its members: SCIM's version of a group); By and At are
	// unknown, as a member may have left by their own deletion.
	Team string
}

func (e *ConflictError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *ConflictError) Localize(p *i18n.Printer) string {
	if e.Plan {
		return p.T("what deleting %s would do changed since the preview: review it again", e.Email)
	}
	if e.Team != "" {
		return p.T("team %q changed since you read it: reload and try again", e.Team)
	}
	return p.T("%s was changed by %s at %s since you read it: reload and try again",
		e.Email, e.By, e.At.Local().Format("2006-01-02 15:04:05"))
}

// InputError says which field of the request is wrong.
type InputError struct {
	Field string // as the API, the flags and the forms name it: email, stand-in
	// Msg is what is wrong with the field's value, in English: the API's
	// text. Why is the same, to be said in the operator's language; an
	// error made outside this package may set Msg alone.
	Msg string
	Why i18n.Text
	// Taken says the value is another's: an address already a user's, an
	// identity provider's ID another user has (SCIM's uniqueness).
	Taken bool
}

func (e *InputError) Error() string { return e.Field + " " + e.Msg }

// Localize says e in p's language: the field's name, then what is wrong.
func (e *InputError) Localize(p *i18n.Printer) string {
	// "%[1]s %[2]s": French puts a colon between them ("e-mail : vide").
	return p.T("%[1]s %[2]s", i18n.Msg(e.Field), e.Says(p))
}

// Says is what is wrong with the field, in p's language, without its name:
// what a form shows beside the field.
func (e *InputError) Says(p *i18n.Printer) string {
	if e.Why.Key == "" {
		return e.Msg
	}
	return e.Why.In(p)
}

func inputErr(field, key string, args ...any) error {
	why := i18n.Msg(key, args...)
	return &InputError{Field: field, Msg: why.String(), Why: why}
}

// takenErr says field's value is another's (InputError.Taken).
func takenErr(field, key string, args ...any) error {
	err := inputErr(field, key, args...).(*InputError)
	err.Taken = true
	return err
}

// RateLimitError says an invitation or reset mail was sent too recently.
type RateLimitError struct {
	Email string
	Next  time.Time
}

func (e *RateLimitError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *RateLimitError) Localize(p *i18n.Printer) string {
	return p.T("%s was sent a mail too recently: next one allowed at %s",
		e.Email, e.Next.Local().Format("2006-01-02 15:04:05"))
}

// NotFoundError names what does not exist.
type NotFoundError struct {
	What string // in English; made outside this package, the only name
	// Thing is What, to be said in the operator's language.
	Thing i18n.Text
}

func (e *NotFoundError) Error() string { return e.What + " not found" }

// Localize says e in p's language.
func (e *NotFoundError) Localize(p *i18n.Printer) string {
	if e.Thing.Key == "" {
		return p.T("%s not found", e.What)
	}
	return p.T("%s not found", e.Thing)
}

func notFound(key string, args ...any) error {
	t := i18n.Msg(key, args...)
	return &NotFoundError{What: t.String(), Thing: t}
}

// sentenceError is an error that is one message: the sentinel errors
// (links, logins, the account) and the reasons inside other errors.
type sentenceError struct{ text i18n.Text }

func (e *sentenceError) Error() string { return e.text.String() }

// Localize says e in p's language.
func (e *sentenceError) Localize(p *i18n.Printer) string { return e.text.In(p) }

func sentence(key string, args ...any) error { return &sentenceError{i18n.Msg(key, args...)} }

// Errors about invitation and reset links, as the web pages explain them.
var (
	ErrLinkInvalid  = sentence("this link is not valid")
	ErrLinkExpired  = sentence("this link has expired")
	ErrLinkUsed     = sentence("this link has already been used")
	ErrLinkReplaced = sentence("this link was replaced by a newer one or revoked")
	// ErrAccountReady refuses a link that another link, used since, made
	// useless: the person's account is set up and has a password.
	ErrAccountReady = sentence("your account is already set up: sign in with your password")
	// ErrLinkInactive refuses the link of a deactivated person, whom no
	// newer link can reach: only an administrator can help.
	ErrLinkInactive = sentence("this link's account is deactivated: ask an administrator")
	ErrBadLogin     = sentence("wrong email or password")
	ErrNoAccount    = sentence("no account yet: run roster init")
	ErrInitialised  = sentence("the account already exists")
	// ErrBusy says too many passwords are being checked or set at once; the
	// request did nothing and may be tried again in a few seconds.
	ErrBusy = sentence("too many passwords are being checked or set at once: try again in a few seconds")
)

// StateError says the user is not in a state the operation applies to.
type StateError struct {
	// Msg is the English, Why the same to be said in the operator's
	// language; an error made outside this package may set Msg alone.
	Msg string
	Why i18n.Text
}

func (e *StateError) Error() string { return e.Msg }

// Localize says e in p's language.
func (e *StateError) Localize(p *i18n.Printer) string {
	if e.Why.Key == "" {
		return e.Msg
	}
	return e.Why.In(p)
}

// unchangedError is what a batch's rule returns for a user already as its
// act would leave them: ActOnUsers records it as Outcome.Unchanged, not as
// a failure.
type unchangedError struct{ why i18n.Text }

func (e *unchangedError) Error() string { return e.why.String() }

func unchanged(key string, args ...any) error { return &unchangedError{i18n.Msg(key, args...)} }

func stateErr(key string, args ...any) error {
	why := i18n.Msg(key, args...)
	return &StateError{Msg: why.String(), Why: why}
}

// NotRetryableError says why an outbox message cannot be put back in the queue.
type NotRetryableError struct {
	ID  int64
	Why i18n.Text
}

func (e *NotRetryableError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *NotRetryableError) Localize(p *i18n.Printer) string {
	return p.T("mail %d cannot be retried: %s", e.ID, e.Why)
}

// BaseURLError says a process was given a base URL for the links in mail
// other than the account's: its mail would link elsewhere than everyone
// else's, so it is refused rather than overridden in silence.
type BaseURLError struct {
	Given   string // the process's (--base-url, ROSTER_BASE_URL)
	Account string
}

func (e *BaseURLError) Error() string { return e.Localize(i18n.For(i18n.English)) }

// Localize says e in p's language.
func (e *BaseURLError) Localize(p *i18n.Printer) string {
	return p.T("base URL %s differs from the account's, %s, which every link in mail starts with: drop it, or change the account's with roster account --base-url",
		e.Given, e.Account)
}
