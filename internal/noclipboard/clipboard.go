// Package clipboard stands in for github.com/atotto/clipboard, which
// bubbles' text fields import for ctrl+v and copying. Roster turns those
// keys off: it runs on servers, often for operators over SSH, where the
// machine's clipboard is not the operator's. This one has no clipboard, so
// nothing ever reads the server's, and no process pays the original's
// start-up search of PATH for xclip, xsel and wl-copy.
package clipboard

import "errors"

// Unsupported is true: roster reads and writes no clipboard.
var Unsupported = true

var errNone = errors.New("roster uses no clipboard: paste from your terminal")

// ReadAll returns an error: there is no clipboard to read.
func ReadAll() (string, error) { return "", errNone }

// WriteAll returns an error: there is no clipboard to write.
func WriteAll(string) error { return errNone }
