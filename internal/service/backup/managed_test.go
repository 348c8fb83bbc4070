package backup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/backup"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// efsAutomatic is the plan EFS asks for when a file system turns automatic backups on.
func efsAutomatic() port.ManagedPlan {
	return port.ManagedPlan{
		Vault: "aws/efs/automatic-backup-vault", Plan: "aws/efs/automatic-backup-plan", Rule: "aws-efs-automatic-backup-rule",
		Selection: "aws-efs-automatic-backup-selection", Schedule: "cron(0 5 ? * * *)",
		StartWindowMinutes: 480, CompletionWindowMinutes: 10080, DeleteAfterDays: 35,
		TagKey: "aws:elasticfilesystem:default-backup", TagValue: "enabled",
		Role: port.ServiceRole{Account: kittest.Account, Partition: "aws", Path: "/aws-service-role/backup.amazonaws.com/", Name: "AWSServiceRoleForBackup",
			TrustPolicy: `{"Statement":[{"Principal":{"Service":"backup.amazonaws.com"}}]}`},
	}
}

func (s *solo) ensurePlan(m port.ManagedPlan) {
	s.t.Helper()
	svc := s.h.Service("backup").(*backup.Service)
	if _, err := kit.Write(svc.Kit, func(tx kit.Tx) (struct{}, error) {
		return struct{}{}, svc.EnsurePlan(tx, kittest.Account, "us-east-1", m)
	}); err != nil {
		s.t.Fatal(err)
	}
}

// TestManagedPlanBacksUpTaggedResourcesDaily: the plan a service asks for exists once,
// however often it is asked for, with its vault, rule and selection, and backs up on the
// clock the resources that carry its tag — and only those.
func TestManagedPlanBacksUpTaggedResourcesDaily(t *testing.T) {
	efs := newProtectorOf("EFS")
	s := startSolo(t, []*protector{efs})
	s.roles.put("arn:aws:iam::"+kittest.Account+":role/aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup", true)
	on := efs.add(kittest.Account, "us-east-1", "fs-on", map[string]string{"aws:elasticfilesystem:default-backup": "enabled"})
	efs.add(kittest.Account, "us-east-1", "fs-off", nil)
	s.ensurePlan(efsAutomatic())
	s.ensurePlan(efsAutomatic())

	plans := kittest.Must[*bk.ListBackupPlansOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupPlans, &bk.ListBackupPlansInput{}))
	if len(plans.BackupPlansList) != 1 || *plans.BackupPlansList[0].BackupPlanName != "aws/efs/automatic-backup-plan" {
		t.Fatalf("plans %+v", plans.BackupPlansList)
	}
	id := plans.BackupPlansList[0].BackupPlanId
	plan := kittest.Must[*bk.GetBackupPlanOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpGetBackupPlan, &bk.GetBackupPlanInput{BackupPlanId: id}))
	r := plan.BackupPlan.Rules[0]
	if len(plan.BackupPlan.Rules) != 1 || *r.RuleName != "aws-efs-automatic-backup-rule" || *r.TargetBackupVaultName != "aws/efs/automatic-backup-vault" ||
		*r.ScheduleExpression != "cron(0 5 ? * * *)" || *r.StartWindowMinutes != 480 || *r.Lifecycle.DeleteAfterDays != 35 {
		t.Errorf("rule %+v", r)
	}
	sels := kittest.Must[*bk.ListBackupSelectionsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupSelections, &bk.ListBackupSelectionsInput{BackupPlanId: id}))
	if len(sels.BackupSelectionsList) != 1 || *sels.BackupSelectionsList[0].SelectionName != "aws-efs-automatic-backup-selection" {
		t.Errorf("selections %+v", sels.BackupSelectionsList)
	}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpDescribeBackupVault, &bk.DescribeBackupVaultInput{BackupVaultName: new("aws/efs/automatic-backup-vault")}); err != nil {
		t.Errorf("the vault: %v", err)
	}

	// Two days on the clock: two daily backups of the tagged file system, none of the other.
	s.h.Advance(48 * time.Hour)
	s.h.Advance(time.Hour)
	points := s.pointsIn("us-east-1", "aws/efs/automatic-backup-vault")
	if len(points) != 2 {
		t.Fatalf("%d recovery points after two days, want 2", len(points))
	}
	for _, p := range points {
		if *p.ResourceArn != on || p.CalculatedLifecycle == nil || p.CalculatedLifecycle.DeleteAt.Sub(*p.CreationDate) != 35*24*time.Hour {
			t.Errorf("recovery point %+v", p)
		}
	}

	// The user may edit the plan AWS made, its vault name and all.
	in := &bk.UpdateBackupPlanInput{BackupPlanId: id, BackupPlan: &bk.BackupPlanInput{BackupPlanName: new("aws/efs/automatic-backup-plan"),
		Rules: []bk.BackupRuleInput{{RuleName: r.RuleName, TargetBackupVaultName: r.TargetBackupVaultName, ScheduleExpression: r.ScheduleExpression,
			Lifecycle: &bk.Lifecycle{DeleteAfterDays: new(int64(7))}}}}}
	if _, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateBackupPlan, in); err != nil {
		t.Errorf("UpdateBackupPlan of the automatic plan: %v", err)
	}
}

// TestManagedPlanAndVaultStay: the automatic vault carries the access policy AWS puts on
// it, whose explicit deny refuses deleting the vault, its policy and its recovery points
// (403 AccessDeniedException); the plan keeps its selection, and so stays too. A user's
// own Deny statement refuses the same way.
func TestManagedPlanAndVaultStay(t *testing.T) {
	efs := newProtectorOf("EFS")
	s := startSolo(t, []*protector{efs})
	s.roles.put("arn:aws:iam::"+kittest.Account+":role/aws-service-role/backup.amazonaws.com/AWSServiceRoleForBackup", true)
	efs.add(kittest.Account, "us-east-1", "fs-on", map[string]string{"aws:elasticfilesystem:default-backup": "enabled"})
	s.ensurePlan(efsAutomatic())
	s.h.Advance(25 * time.Hour)
	vault := new("aws/efs/automatic-backup-vault")
	points := s.pointsIn("us-east-1", *vault)
	if len(points) != 1 {
		t.Fatalf("%d recovery points after a day", len(points))
	}
	call := func(op string, in any) error {
		switch op {
		case "DeleteBackupVault":
			_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVault, in.(*bk.DeleteBackupVaultInput))
			return err
		case "DeleteBackupVaultAccessPolicy":
			_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVaultAccessPolicy, in.(*bk.DeleteBackupVaultAccessPolicyInput))
			return err
		case "DeleteRecoveryPoint":
			_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteRecoveryPoint, in.(*bk.DeleteRecoveryPointInput))
			return err
		}
		_, err := kittest.Call(s.h, "us-east-1", bk.OpUpdateRecoveryPointLifecycle, in.(*bk.UpdateRecoveryPointLifecycleInput))
		return err
	}
	for op, in := range map[string]any{
		"DeleteBackupVault":             &bk.DeleteBackupVaultInput{BackupVaultName: vault},
		"DeleteBackupVaultAccessPolicy": &bk.DeleteBackupVaultAccessPolicyInput{BackupVaultName: vault},
		"DeleteRecoveryPoint":           &bk.DeleteRecoveryPointInput{BackupVaultName: vault, RecoveryPointArn: points[0].RecoveryPointArn},
		"UpdateRecoveryPointLifecycle": &bk.UpdateRecoveryPointLifecycleInput{BackupVaultName: vault, RecoveryPointArn: points[0].RecoveryPointArn,
			Lifecycle: &bk.Lifecycle{DeleteAfterDays: new(int64(1))}},
	} {
		wantMessage(t, call(op, in), awserr.Kind{Code: "AccessDeniedException"}, "backup:"+op+" on resource: arn:aws:backup:us-east-1:"+kittest.Account+":backup-vault:aws/efs/automatic-backup-vault with an explicit deny")
	}
	policy := kittest.Must[*bk.GetBackupVaultAccessPolicyOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpGetBackupVaultAccessPolicy, &bk.GetBackupVaultAccessPolicyInput{BackupVaultName: vault}))
	if !strings.Contains(*policy.Policy, `"Effect":"Deny"`) {
		t.Errorf("the automatic vault's policy: %s", *policy.Policy)
	}

	plans := kittest.Must[*bk.ListBackupPlansOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupPlans, &bk.ListBackupPlansInput{}))
	id := plans.BackupPlansList[0].BackupPlanId
	sels := kittest.Must[*bk.ListBackupSelectionsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpListBackupSelections, &bk.ListBackupSelectionsInput{BackupPlanId: id}))
	_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupSelection, &bk.DeleteBackupSelectionInput{BackupPlanId: id, SelectionId: sels.BackupSelectionsList[0].SelectionId})
	wantMessage(t, err, awserr.Kind{Code: "AccessDeniedException"}, "backup:DeleteBackupSelection")
	_, err = kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupPlan, &bk.DeleteBackupPlanInput{BackupPlanId: id})
	wantMessage(t, err, awserr.Kind{Code: "InvalidRequestException"}, "selections must be deleted")

	// A user's vault with a Deny of its deletion.
	kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{BackupVaultName: new("keep")}))
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpPutBackupVaultAccessPolicy, &bk.PutBackupVaultAccessPolicyInput{BackupVaultName: new("keep"),
		Policy: new(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"backup:DeleteBackupVault","Resource":"*"}}`)}))
	_, err = kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVault, &bk.DeleteBackupVaultInput{BackupVaultName: new("keep")})
	wantMessage(t, err, awserr.Kind{Code: "AccessDeniedException"}, "backup:DeleteBackupVault")
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVaultAccessPolicy, &bk.DeleteBackupVaultAccessPolicyInput{BackupVaultName: new("keep")}))
	kittest.Must[*awsmodel.Empty](t)(kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVault, &bk.DeleteBackupVaultInput{BackupVaultName: new("keep")}))
}
