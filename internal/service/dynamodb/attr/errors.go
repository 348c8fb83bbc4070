package attr

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../../internal/gen/errgen

import "github.com/xregion/xregion/internal/awserr"

// Validation is DynamoDB's ValidationException. DynamoDB writes its message in the
// member "message", unlike the common JSON error kind.
var Validation = awserr.Kind{Code: "ValidationException", Status: awserr.StatusBadRequest, Sender: true, MessageField: "message"}
