package backup

import (
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is AWS Backup.
type Service struct {
	*kit.Kit
	pages kit.Pager
	keys  port.KeyRing
	// roles answers whether a job's role trusts AWS Backup; serviceRoles creates the
	// default role.
	// notifier publishes vault notifications to SNS; nil when SNS is not built.
	notifier port.Notifier
	// reports keeps the reports of report jobs; nil when the server keeps none.
	reports      port.Reports
	roles        port.Roles
	serviceRoles port.ServiceRoles
	// protectors back up, copy and restore each resource type (RDS today).
	protectors []port.Protected
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
)

// New builds AWS Backup: it registers its jobs and asks for the key ring and every
// provider of protected resources.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(marker string) error { return msgBadNextToken.New(marker) })
	s.registerJobs()
	service.Need(d.Ports, &s.keys)
	service.Need(d.Ports, &s.roles)
	service.Want(d.Ports, &s.notifier)
	service.Want(d.Ports, &s.reports)
	service.Need(d.Ports, &s.serviceRoles)
	service.NeedAll(d.Ports, &s.protectors)
	service.Provide[port.ManagedBackupPlans](d.Ports, s)
	return s, nil
}

// Model is the AWS Backup model.
func (s *Service) Model() *awsmodel.API { return backupapi.Model() }

// Validation reports invalid input as AWS Backup does: a value that breaks a constraint
// is InvalidParameterValueException, an absent required member
// MissingParameterValueException. Vault names are checked here, because AWS Backup
// reports a bad one with its own text ("Error in rule daily : Backup vault name Random
// Backups is not valid").
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.Validation{
		Invalid: backupapi.ErrInvalidParameterValue, Missing: backupapi.ErrMissingParameterValue,
		// Resource types are not held to their model's pattern either: AWS takes "Storage
		// Gateway" in ResourceTypeOptInPreference, as Terraform's documentation shows.
		OwnPatterns: map[string]bool{"BackupVaultName": true, "ResourceType": true},
	}
}

// Handlers are the implemented operations.
func (s *Service) Handlers() []awsmodel.Handler {
	return backupapi.Bind(s)
}
