package sns

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"fmt"
)

// text is a text the service sends in something other than an error: the Message of a
// confirmation it delivers. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }
