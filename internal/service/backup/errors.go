package backup

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import "github.com/xregion/xregion/internal/awserr"

// errAccessDenied is what a vault's access policy, or a plan a service manages, refuses
// with (vaultdeny.go); AWS Backup's model does not declare it.
var errAccessDenied = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusForbidden, Sender: true}
