package backup

import (
	"strings"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Plans other services create for their users (port.ManagedBackupPlans): EFS's automatic
// backups. Their vaults' names are AWS's own ("aws/efs/automatic-backup-vault"), which
// no user may give a vault: the slash is outside the names CreateBackupVault takes.

var _ port.ManagedBackupPlans = (*Service)(nil)

// managedVaultName tells the names of the vaults services create, which a plan's rule
// may target (the user may edit the plan a service created): AWS's, under "aws/".
func managedVaultName(name string) bool { return strings.HasPrefix(name, "aws/") }

// EnsurePlan implements port.ManagedBackupPlans.
func (s *Service) EnsurePlan(tx kit.Tx, account, region string, m port.ManagedPlan) error {
	tx = s.Join(tx) // the caller's transaction, seen as AWS Backup's records
	v := tx.In(account, region)
	if err := s.ensureManagedVault(tx, v, m.Vault); err != nil {
		return err
	}
	p, err := s.ensureManagedPlan(tx, v, m)
	if err != nil {
		return err
	}
	role, err := s.serviceRoles.EnsureServiceRole(tx, m.Role)
	if err != nil {
		return err
	}
	return s.ensureManagedSelection(v, p, m, role.ARN)
}

func (s *Service) ensureManagedVault(tx kit.Tx, v kit.View, name string) error {
	if found, err := vaults.Get(v, name); found != nil || err != nil {
		return err
	}
	key, err := s.keys.Resolve(tx, v.Account(), v.Region(), defaultKey)
	if err != nil {
		return err
	}
	return vaults.Put(v, &vaultRec{Name: name, ARN: vaultARN(v, name), KeyARN: key.ARN, Policy: automaticVaultPolicy, Created: s.Clock.Now()}, name)
}

// ensureManagedPlan returns the plan of the name that is not deleted, or creates it,
// armed on the clock like any other.
func (s *Service) ensureManagedPlan(tx kit.Tx, v kit.View, m port.ManagedPlan) (*planRec, error) {
	var found *planRec
	err := plans.Scan(v, func(p *planRec) bool {
		if p.Deleted == nil && deref(p.Plan.BackupPlanName) == m.Plan {
			found = p
		}
		return found == nil
	})
	if found != nil || err != nil {
		return found, err
	}
	rule := backupapi.BackupRule{
		RuleName: new(m.Rule), RuleId: new(ids.UUID()), TargetBackupVaultName: new(m.Vault),
		ScheduleExpression: new(m.Schedule), ScheduleExpressionTimezone: new(defaultTimezone),
		StartWindowMinutes: new(m.StartWindowMinutes), CompletionWindowMinutes: new(m.CompletionWindowMinutes),
		Lifecycle:              &backupapi.Lifecycle{DeleteAfterDays: new(m.DeleteAfterDays)},
		EnableContinuousBackup: new(false),
	}
	now, id := s.Clock.Now(), ids.UUID()
	p := &planRec{
		ID: id, ARN: planARN(v, id), VersionID: newVersionID(), Created: now, Versioned: now,
		Plan: backupapi.BackupPlan{BackupPlanName: new(m.Plan), Rules: []backupapi.BackupRule{rule}},
	}
	if err := s.armPlan(tx, v, p, now); err != nil {
		return nil, err
	}
	return p, savePlan(v, p)
}

// ensureManagedSelection gives the plan its selection of the tagged resources unless it
// has one of the name.
func (s *Service) ensureManagedSelection(v kit.View, p *planRec, m port.ManagedPlan, role string) error {
	exists := false
	err := selections.Scan(v, func(r *selectionRec) bool {
		exists = deref(r.Selection.SelectionName) == m.Selection
		return !exists
	}, p.ID)
	if exists || err != nil {
		return err
	}
	sel := backupapi.BackupSelection{
		SelectionName: new(m.Selection), IamRoleArn: new(role),
		ListOfTags: []backupapi.Condition{{ConditionType: new(backupapi.ConditionTypeStringequals), ConditionKey: new(m.TagKey), ConditionValue: new(m.TagValue)}},
	}
	fillSelection(&sel)
	r := &selectionRec{ID: ids.UUID(), PlanID: p.ID, Selection: sel, Created: s.Clock.Now()}
	return selections.Put(v, r, p.ID, r.ID)
}
