package admin

import (
	"errors"
	"fmt"
	"time"
)

// DeniedError says the operator may not do what they asked, and why.
type DeniedError struct {
	Perm   string // the permission that was missing, if one
	Reason string
}

func (e *DeniedError) Error() string { return "permission denied: " + e.Reason }

func denied(perm, format string, args ...any) error {
	return &DeniedError{Perm: perm, Reason: fmt.Sprintf(format, args...)}
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
}

func (e *ConflictError) Error() string {
	if e.Plan {
		return fmt.Sprintf("what deleting %s would do changed since the preview: review it again", e.Email)
	}
	return fmt.Sprintf("%s was changed by %s at %s since you read it: reload and try again",
		e.Email, e.By, e.At.Local().Format("2006-01-02 15:04:05"))
}

// InputError says which field of the request is wrong.
type InputError struct {
	Field string
	Msg   string
	// Taken says the value is another's: an address already a user's, an
	// identity provider's ID another user has (SCIM's uniqueness).
	Taken bool
}

func (e *InputError) Error() string { return e.Field + " " + e.Msg }

func inputErr(field, msg string) error { return &InputError{Field: field, Msg: msg} }

// RateLimitError says an invitation or reset mail was sent too recently.
type RateLimitError struct {
	Email string
	Next  time.Time
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s was sent a mail too recently: next one allowed at %s",
		e.Email, e.Next.Local().Format("2006-01-02 15:04:05"))
}

// NotFoundError names what does not exist.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

// Errors about invitation and reset links, as the web pages explain them.
var (
	ErrLinkInvalid  = errors.New("this link is not valid")
	ErrLinkExpired  = errors.New("this link has expired")
	ErrLinkUsed     = errors.New("this link has already been used")
	ErrLinkReplaced = errors.New("this link was replaced by a newer one or revoked")
	ErrBadLogin     = errors.New("wrong email or password")
	ErrNoAccount    = errors.New("no account yet: run roster init")
	ErrInitialised  = errors.New("the account already exists")
	// ErrBusy says too many passwords are being checked or set at once; the
	// request did nothing and may be tried again in a few seconds.
	ErrBusy = errors.New("too many passwords are being checked or set at once: try again in a few seconds")
)

// StateError says the user is not in a state the operation applies to.
type StateError struct{ Msg string }

func (e *StateError) Error() string { return e.Msg }

func stateErr(format string, args ...any) error { return &StateError{fmt.Sprintf(format, args...)} }

// NotRetryableError says why an outbox message cannot be put back in the queue.
type NotRetryableError struct {
	ID     int64
	Reason string
}

func (e *NotRetryableError) Error() string {
	return fmt.Sprintf("mail %d cannot be retried: %s", e.ID, e.Reason)
}

// BaseURLError says a process was given a base URL for the links in mail
// other than the account's: its mail would link elsewhere than everyone
// else's, so it is refused rather than overridden in silence.
type BaseURLError struct {
	Given   string // the process's (--base-url, ROSTER_BASE_URL)
	Account string
}

func (e *BaseURLError) Error() string {
	return fmt.Sprintf("base URL %s differs from the account's, %s, which every link in mail starts with: drop it, or change the account's with roster account --base-url",
		e.Given, e.Account)
}
