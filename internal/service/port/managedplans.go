package port

import "github.com/xregion/xregion/internal/service/kit"

// ManagedBackupPlans is AWS Backup as another service sets it up on its users' behalf:
// EFS's automatic backups are AWS Backup's plan aws/efs/automatic-backup-plan, which
// backs up into the vault aws/efs/automatic-backup-vault the file systems that carry
// EFS's system tag. AWS Backup provides it; the service that asks never names AWS
// Backup's records.
type ManagedBackupPlans interface {
	// EnsurePlan creates, in the account and Region, what the plan names and does not
	// exist yet: the vault (under the Region's aws/backup key), the plan with its one
	// rule, the selection of the resources that carry the tag, and the selection's role.
	// What exists is left as it is: the user may have edited the plan since.
	EnsurePlan(tx kit.Tx, account, region string, plan ManagedPlan) error
}

// ManagedPlan describes a plan a service creates.
type ManagedPlan struct {
	Vault, Plan, Rule, Selection string
	// Schedule is the rule's cron() expression, in UTC.
	Schedule                                    string
	StartWindowMinutes, CompletionWindowMinutes int64
	DeleteAfterDays                             int64
	// TagKey and TagValue select the resources: those tagged so.
	TagKey, TagValue string
	// Role is the role the selection names, created when it is absent.
	Role ServiceRole
}
