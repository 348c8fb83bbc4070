package port

import "github.com/xregion/xregion/internal/service/kit"

// ServiceRoles creates the roles AWS services make for their users on request: AWS
// Backup's AWSBackupDefaultServiceRole, which the console creates when a user picks the
// "Default" role and it is absent. IAM provides it.
type ServiceRoles interface {
	// EnsureServiceRole returns the role as it is when it exists (whatever its trust
	// policy and policies now), or creates it with the trust policy and the managed
	// policies attached.
	EnsureServiceRole(tx kit.Tx, role ServiceRole) (RoleInfo, error)
}

// ServiceRole describes a role a service creates.
type ServiceRole struct {
	Account, Partition string
	Path, Name         string // "/service-role/", "AWSBackupDefaultServiceRole"
	Description        string
	TrustPolicy        string // the trust policy, JSON
	// ManagedPolicyARNs are attached to the role, AWS managed policies by their ARNs.
	ManagedPolicyARNs []string
}
