package iam

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"github.com/xregion/xregion/internal/awserr"
)

// accessDenied is what IAM answers when an account touches what it does not own, here
// the policies AWS manages. The IAM model declares no such error; every AWS API has it.
var accessDenied = awserr.Kind{Code: "AccessDenied", Status: 403, Sender: true, MessageField: "message"}
