package sts

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"github.com/xregion/xregion/internal/awserr"
)

// accessDenied is STS's refusal; its model does not declare it.
var accessDenied = awserr.Kind{Code: "AccessDenied", Status: 403, Sender: true}
