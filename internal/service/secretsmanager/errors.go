package secretsmanager

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import (
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
)

// accessDenied is Secrets Manager's refusal; its model does not declare it.
var accessDenied = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusBadRequest, Sender: true}

// text is a message the service shows in an answer other than an error: a replica's
// StatusMessage, a finding of ValidateResourcePolicy. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }

func deleteWithReplicas(arn string, regions []string) error {
	return msgDeleteReplicated.New(arn, strings.Join(regions, ", "))
}
