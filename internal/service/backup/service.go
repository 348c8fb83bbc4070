// Package backup is xregion's AWS Backup, so far its configuration: backup vaults (each
// encrypted with a KMS key of its Region), backup plans with their rules, copy actions
// and versions, backup selections, and tags. Backup, copy and restore jobs, recovery
// points and the scheduler that runs plans come next; their operations answer an error
// that names them until then.
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
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/protocol"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kms"
	"github.com/xregion/xregion/internal/store"
)

const serviceName = "backup"

func init() {
	service.Register(service.Module{Name: serviceName, Needs: []string{"kms"}, New: New})
}

// Service is AWS Backup.
type Service struct {
	st    store.Store
	clock *jobs.Clock
	keys  kms.Keyring
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
)

// New builds AWS Backup.
func New(d service.Deps) (service.Service, error) {
	keys, err := service.Lookup[kms.Keyring](d.Services, "kms")
	if err != nil {
		return nil, err
	}
	return &Service{st: d.Store, clock: d.Clock, keys: keys}, nil
}

// Model is the AWS Backup model.
func (s *Service) Model() *awsmodel.API { return backupapi.Model() }

// Validation reports invalid input as AWS Backup does: a value that breaks a constraint
// is InvalidParameterValueException, an absent required member
// MissingParameterValueException. Vault names are checked here, because AWS Backup
// reports a bad one with its own text ("Error in rule daily : Backup vault name Random
// Backups is not valid").
func (s *Service) Validation() protocol.Validation {
	return protocol.Validation{
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
	}
}
