package rds

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"fmt"

	"github.com/xregion/xregion/internal/awserr"
)

var (
	invalid = awserr.InvalidParameterValue
	combo   = awserr.InvalidParameterCombo
)

// text is a message the service shows in an answer other than an error: a description,
// a failure AWS Backup shows as a job's StatusMessage. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }
