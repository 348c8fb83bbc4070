package backup

import (
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// A job acts through its IAM role: AWS Backup assumes it, so the role must exist and
// trust backup.amazonaws.com. The check is made when the job runs, not when it is asked
// for, as AWS does: a plan's selection may name a role created later, and a role deleted
// since fails the jobs that need it. A role that does not exist and one that does not
// trust AWS Backup fail alike, with AWS's one message: assuming either is refused.

const (
	backupPrincipal = "backup.amazonaws.com"
	// The console's "Default" role, which AWS Backup creates when it is absent and asked
	// for.
	defaultRolePath  = "/service-role/"
	defaultRoleName  = "AWSBackupDefaultServiceRole"
	defaultRoleTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// defaultRolePolicies are the managed policies AWS attaches to the default role.
var defaultRolePolicies = []string{
	"policy/service-role/AWSBackupServiceRolePolicyForBackup",
	"policy/service-role/AWSBackupServiceRolePolicyForRestores",
}

// ensureDefaultRole creates the caller's default role when the request names it and it
// is absent: what the console does when a user chooses "Default". Naming the default
// role's ARN is how a request asks for it through the API; any other role is the user's
// to create.
func (s *Service) ensureDefaultRole(tx kit.Tx, c kit.Call, roleARN string) error {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Account != c.Account || a.Resource != "role"+defaultRolePath+defaultRoleName {
		return nil
	}
	want := port.ServiceRole{
		Account: c.Account, Partition: a.Partition, Path: defaultRolePath, Name: defaultRoleName,
		Description: "Provides AWS Backup permission to create backups and perform restores on your behalf across AWS services",
		TrustPolicy: defaultRoleTrust,
	}
	for _, p := range defaultRolePolicies {
		want.ManagedPolicyARNs = append(want.ManagedPolicyARNs, "arn:"+a.Partition+":iam::aws:"+p)
	}
	_, err = s.serviceRoles.EnsureServiceRole(tx, want)
	return err
}

// roleProblem says why AWS Backup cannot act through a job's role, as the job's
// StatusMessage, or "" when it can. The job's account is the role's condition key
// aws:SourceAccount, as AWS passes it.
func (s *Service) roleProblem(tx kit.Tx, account, roleARN string) (string, error) {
	keys := port.ConditionKeys{}
	keys.Set("aws:SourceAccount", account)
	_, err := s.roles.TrustsService(tx, roleARN, backupPrincipal, keys)
	var refused *port.NotTrustedError
	switch {
	case errors.Is(err, port.ErrNoSuchRole), errors.As(err, &refused):
		return fmt.Sprintf(statusRoleUnusable, roleARN), nil
	case err != nil:
		return "", err
	}
	return "", nil
}
