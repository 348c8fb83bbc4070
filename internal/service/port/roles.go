package port

import "github.com/xregion/xregion/internal/service/kit"

// Roles is how services find IAM roles (STS's AssumeRole, AWS Backup's IamRoleArn
// checks); IAM provides it.
type Roles interface {
	// RoleByARN returns the role an ARN names, in the ARN's account. ok is false when
	// there is no such role.
	RoleByARN(tx kit.Tx, roleARN string) (role RoleInfo, ok bool, err error)
}

// RoleInfo is what another service needs to know about a role.
type RoleInfo struct {
	ARN, RoleID, Name, Path, Account string
	MaxSessionDuration               int64
	AssumeRolePolicyDocument         string // the trust policy, decoded JSON
}
