package ec2

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen

import "github.com/xregion/xregion/internal/awserr"

func kind(code string, status int) awserr.Kind {
	return awserr.Kind{Code: code, Status: status, Sender: true}
}

// Error kinds.
var (
	errDryRun            = kind("DryRunOperation", 412)
	errUnauthorized      = kind("UnauthorizedOperation", awserr.StatusForbidden)
	errInvalidValue      = awserr.InvalidParameterValue
	errInvalidCombo      = awserr.InvalidParameterCombo
	errMissing           = awserr.MissingParameter
	errInvalidParameter  = kind("InvalidParameter", awserr.StatusBadRequest)
	errDependency        = kind("DependencyViolation", awserr.StatusBadRequest)
	errDependencyParam   = kind("InvalidParameterDependency", awserr.StatusBadRequest)
	errIncorrectState    = kind("IncorrectState", awserr.StatusBadRequest)
	errPaginationToken   = kind("InvalidPaginationToken", awserr.StatusBadRequest)
	errInvalidID         = kind("InvalidID", awserr.StatusBadRequest)
	errIdempotency       = kind("IdempotentParameterMismatch", awserr.StatusBadRequest)
	errCannotDelete      = kind("CannotDelete", awserr.StatusBadRequest)
	errAlreadyAssociated = kind("Resource.AlreadyAssociated", awserr.StatusBadRequest)
	errNotAttached       = kind("Gateway.NotAttached", awserr.StatusBadRequest)
	errVpcRange          = kind("InvalidVpc.Range", awserr.StatusBadRequest)
	errSubnetRange       = kind("InvalidSubnet.Range", awserr.StatusBadRequest)
	errSubnetConflict    = kind("InvalidSubnet.Conflict", awserr.StatusBadRequest)
	errCidrLimit         = kind("CidrLimitExceeded", awserr.StatusBadRequest)
	errCidrInUse         = kind("InvalidCidrBlock.InUse", awserr.StatusBadRequest)
	errGroupDuplicate    = kind("InvalidGroup.Duplicate", awserr.StatusBadRequest)
	errRuleDuplicate     = kind("InvalidPermission.Duplicate", awserr.StatusBadRequest)
	errRuleNotFound      = kind("InvalidPermission.NotFound", awserr.StatusBadRequest)
	errRouteExists       = kind("RouteAlreadyExists", awserr.StatusBadRequest)
	errRouteNotFound     = kind("InvalidRoute.NotFound", awserr.StatusBadRequest)
	errAssocNotFound     = kind("InvalidAssociationID.NotFound", awserr.StatusBadRequest)
	errTagLimit          = kind("TagLimitExceeded", awserr.StatusBadRequest)
)
