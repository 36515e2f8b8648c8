package mail

import (
	"errors"
	"fmt"
)

// ErrNoSuchMail is returned for an outbox or captured message ID that does not exist.
var ErrNoSuchMail = errors.New("no such mail")

// NotRetryableError says why a message cannot be put back in the queue.
type NotRetryableError struct {
	ID     int64
	Reason string
}

func (e *NotRetryableError) Error() string {
	return fmt.Sprintf("mail %d cannot be retried: %s", e.ID, e.Reason)
}
