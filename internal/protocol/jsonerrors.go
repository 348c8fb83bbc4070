package protocol

import (
	"fmt"
	"strings"
)

// memberError is a decoding failure of one value; the names of the members above it are
// added as the error travels up, so that a valid body costs no path building.
type memberError struct {
	path []string // innermost first
	msg  string   // with memberSlot where the member path goes
}

// memberSlot marks where a memberError's message names the member; NUL cannot come from
// the formatted values, which are JSON text.
const memberSlot = "\x00"

func (e *memberError) Error() string {
	parts := make([]string, len(e.path))
	for i, p := range e.path {
		parts[len(parts)-1-i] = p
	}
	return strings.Replace(e.msg, memberSlot, strings.Join(parts, "."), 1)
}

func failf(format string, args ...any) error {
	return &memberError{msg: fmt.Sprintf(format, args...)}
}

// within adds the name of the member err happened in.
func within(err error, name string) error {
	if me, ok := err.(*memberError); ok {
		me.path = append(me.path, name)
	}
	return err
}
