// Package backup is xregion's AWS Backup for RDS DB instances: backup vaults (each
// encrypted with a KMS key of its Region), backup plans with their rules, copy actions
// and versions, backup selections and tags; on-demand backup, copy and restore jobs;
// recovery points with their lifecycles; and the scheduler that runs plans.
//
// # Jobs
//
// Every job moves on the job engine: a backup job CREATED → RUNNING → COMPLETED, when
// RDS takes an "awsbackup:job-…" snapshot that becomes the recovery point (encrypted
// with the instance's key, as AWS Backup's RDS backups are); a copy job CREATED →
// RUNNING → COMPLETED, when RDS copies that snapshot into the destination Region,
// re-encrypted with the destination vault's key, and the copy becomes a recovery point
// there that keeps its source's creation date. A copy waits while either Region is
// unreachable (faults) and fails after two hours. A restore job PENDING → RUNNING →
// COMPLETED creates the DB instance its metadata names. A rule's copy actions start
// when its backup completes. Each step waits the transition delay.
//
// # Lifecycle
//
// A recovery point expires DeleteAfterDays after its creation, on a job due at that
// instant. RDS snapshots have no cold storage: AWS Backup ignores
// MoveToColdStorageAfterDays for them, so they stay WARM.
//
// # State
//
// Records live under store.Scope{account, Region, "backup"}: vaults by name, plans by id
// (with every version of a plan under its id and version id), selections under their
// plan's id, and an index from each CreatorRequestId to what it created, so that a retried
// request returns the first answer instead of creating a second resource.
//
// # Choices where AWS's documentation is silent
//
//   - Plan names are unique in an account and Region among plans not deleted: a second
//     CreateBackupPlan with the same name is AlreadyExistsException.
//   - A rule's TargetBackupVaultName and a copy action's DestinationBackupVaultArn are
//     checked for form, not existence: the vault may be created after the plan, as
//     Terraform may order it, and a job whose vault is missing fails when it runs.
//   - Rules given without windows get the console's defaults: start within 8 hours,
//     complete within 7 days, in the Etc/UTC time zone.
package backup

import (
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

const serviceName = "backup"

func init() {
	service.Register(service.Module{Name: serviceName, New: New})
}

// Service is AWS Backup.
type Service struct {
	st     store.Store
	clock  *jobs.Clock
	jobs   *jobs.Engine
	faults *faults.Registry
	keys   port.KeyRing
	// protectors back up, copy and restore each resource type (RDS today).
	protectors []port.Protected
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
)

// New builds AWS Backup.
func New(d service.Deps) (service.Service, error) {
	s := &Service{st: d.Store, clock: d.Clock, jobs: d.Jobs, faults: d.Faults}
	service.Need(d.Ports, &s.keys)
	service.NeedAll(d.Ports, &s.protectors)
	d.Jobs.Register(jobBackup, jobs.Handler{Run: s.runBackupJob})
	d.Jobs.Register(jobCopy, jobs.Handler{Run: s.runCopyJob})
	d.Jobs.Register(jobRestore, jobs.Handler{Run: s.runRestoreJob})
	d.Jobs.Register(jobExpire, jobs.Handler{Run: s.runExpire})
	d.Jobs.Register(jobPlan, jobs.Handler{Run: s.runPlan})
	return s, nil
}

// Model is the AWS Backup model.
func (s *Service) Model() *awsmodel.API { return backupapi.Model() }

// rds is the provider of the one resource type AWS Backup protects today. It panics when
// none was wired, which the registry refuses at start-up.
func (s *Service) rds() port.Protected {
	p, ok := port.ProtectorOf(s.protectors, resourceTypeRDS)
	if !ok {
		panic("backup: no provider of resource type " + resourceTypeRDS)
	}
	return p
}

// Validation reports invalid input as AWS Backup does: a value that breaks a constraint
// is InvalidParameterValueException, an absent required member
// MissingParameterValueException. Vault names are checked here, because AWS Backup
// reports a bad one with its own text ("Error in rule daily : Backup vault name Random
// Backups is not valid").
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.Validation{
		Invalid: backupapi.ErrInvalidParameterValue, Missing: backupapi.ErrMissingParameterValue,
		OwnPatterns: map[string]bool{"BackupVaultName": true},
	}
}

// Handlers are the implemented operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		backupapi.OpCreateBackupVault.Handle(s.createBackupVault),
		backupapi.OpDescribeBackupVault.Handle(s.describeBackupVault),
		backupapi.OpListBackupVaults.Handle(s.listBackupVaults),
		backupapi.OpDeleteBackupVault.Handle(s.deleteBackupVault),
		backupapi.OpPutBackupVaultLockConfiguration.Handle(s.putBackupVaultLockConfiguration),
		backupapi.OpDeleteBackupVaultLockConfiguration.Handle(s.deleteBackupVaultLockConfiguration),
		backupapi.OpPutBackupVaultAccessPolicy.Handle(s.putBackupVaultAccessPolicy),
		backupapi.OpGetBackupVaultAccessPolicy.Handle(s.getBackupVaultAccessPolicy),
		backupapi.OpDeleteBackupVaultAccessPolicy.Handle(s.deleteBackupVaultAccessPolicy),
		backupapi.OpCreateBackupPlan.Handle(s.createBackupPlan),
		backupapi.OpGetBackupPlan.Handle(s.getBackupPlan),
		backupapi.OpUpdateBackupPlan.Handle(s.updateBackupPlan),
		backupapi.OpDeleteBackupPlan.Handle(s.deleteBackupPlan),
		backupapi.OpListBackupPlans.Handle(s.listBackupPlans),
		backupapi.OpListBackupPlanVersions.Handle(s.listBackupPlanVersions),
		backupapi.OpCreateBackupSelection.Handle(s.createBackupSelection),
		backupapi.OpGetBackupSelection.Handle(s.getBackupSelection),
		backupapi.OpDeleteBackupSelection.Handle(s.deleteBackupSelection),
		backupapi.OpListBackupSelections.Handle(s.listBackupSelections),
		backupapi.OpTagResource.Handle(s.tagResource),
		backupapi.OpUntagResource.Handle(s.untagResource),
		backupapi.OpListTags.Handle(s.listTags),
		backupapi.OpStartBackupJob.Handle(s.startBackupJob),
		backupapi.OpDescribeBackupJob.Handle(s.describeBackupJob),
		backupapi.OpListBackupJobs.Handle(s.listBackupJobs),
		backupapi.OpStopBackupJob.Handle(s.stopBackupJob),
		backupapi.OpListProtectedResources.Handle(s.listProtectedResources),
		backupapi.OpDescribeProtectedResource.Handle(s.describeProtectedResource),
		backupapi.OpGetSupportedResourceTypes.Handle(s.getSupportedResourceTypes),
		backupapi.OpStartCopyJob.Handle(s.startCopyJob),
		backupapi.OpDescribeCopyJob.Handle(s.describeCopyJob),
		backupapi.OpListCopyJobs.Handle(s.listCopyJobs),
		backupapi.OpStartRestoreJob.Handle(s.startRestoreJob),
		backupapi.OpDescribeRestoreJob.Handle(s.describeRestoreJob),
		backupapi.OpListRestoreJobs.Handle(s.listRestoreJobs),
		backupapi.OpListRecoveryPointsByBackupVault.Handle(s.listRecoveryPointsByBackupVault),
		backupapi.OpListRecoveryPointsByResource.Handle(s.listRecoveryPointsByResource),
		backupapi.OpDescribeRecoveryPoint.Handle(s.describeRecoveryPoint),
		backupapi.OpDeleteRecoveryPoint.Handle(s.deleteRecoveryPoint),
		backupapi.OpUpdateRecoveryPointLifecycle.Handle(s.updateRecoveryPointLifecycle),
		backupapi.OpGetRecoveryPointRestoreMetadata.Handle(s.getRecoveryPointRestoreMetadata),
	}
}
