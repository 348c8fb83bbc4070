package backup_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/xregion/xregion/internal/xtest"
)

const airGapped = "arn:aws:backup:us-east-1:" + account + ":backup-vault:air-gapped"

// scannedRule is dailyRule with an index action, a scan action, a logically air-gapped
// target and an archive opt-in: the rule fields of the current model.
func scannedRule() types.BackupRuleInput {
	rule := dailyRule("prod-vault", westVault)
	rule.IndexActions = []types.IndexAction{{ResourceTypes: []string{"EBS"}}}
	rule.ScanActions = []types.ScanAction{{MalwareScanner: types.MalwareScannerGuardduty, ScanMode: types.ScanModeIncrementalScan}}
	rule.TargetLogicallyAirGappedBackupVaultArn = aws.String(airGapped)
	rule.Lifecycle.OptInToArchiveForSupportedResources = aws.Bool(true)
	return rule
}

func scanSettings(mode string) []types.ScanSetting {
	return []types.ScanSetting{{
		MalwareScanner: types.MalwareScannerGuardduty, ResourceTypes: []string{mode},
		ScannerRoleArn: aws.String("arn:aws:iam::" + account + ":role/Scanner"),
	}}
}

// TestPlanEchoesScanIndexAndAirGappedFields: GetBackupPlan, UpdateBackupPlan and every
// saved version answer the rule's IndexActions, ScanActions and logically air-gapped
// target and the plan's ScanSettings as they were sent.
func TestPlanEchoesScanIndexAndAirGappedFields(t *testing.T) {
	e := start(t)
	rule := scannedRule()
	created := xtest.Must[*backup.CreateBackupPlanOutput](t)(e.east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{
		BackupPlan: &types.BackupPlanInput{BackupPlanName: aws.String("scanned"), Rules: []types.BackupRuleInput{rule}, ScanSettings: scanSettings("EBS")},
	}))
	got := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: created.BackupPlanId}))
	r := got.BackupPlan.Rules[0]
	if !reflect.DeepEqual(r.IndexActions, rule.IndexActions) || !reflect.DeepEqual(r.ScanActions, rule.ScanActions) ||
		aws.ToString(r.TargetLogicallyAirGappedBackupVaultArn) != airGapped || !aws.ToBool(r.Lifecycle.OptInToArchiveForSupportedResources) {
		t.Errorf("rule = %+v", r)
	}
	if !reflect.DeepEqual(got.BackupPlan.ScanSettings, scanSettings("EBS")) {
		t.Errorf("ScanSettings = %+v", got.BackupPlan.ScanSettings)
	}

	e.inst.Advance(time.Minute)
	rule.ScanActions[0].ScanMode = types.ScanModeFullScan
	updated := xtest.Must[*backup.UpdateBackupPlanOutput](t)(e.east.UpdateBackupPlan(ctx, &backup.UpdateBackupPlanInput{
		BackupPlanId: created.BackupPlanId,
		BackupPlan:   &types.BackupPlanInput{BackupPlanName: aws.String("scanned"), Rules: []types.BackupRuleInput{rule}, ScanSettings: scanSettings("S3")},
	}))
	if !reflect.DeepEqual(updated.ScanSettings, scanSettings("S3")) {
		t.Errorf("UpdateBackupPlan ScanSettings = %+v", updated.ScanSettings)
	}
	now := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: created.BackupPlanId}))
	if now.BackupPlan.Rules[0].ScanActions[0].ScanMode != types.ScanModeFullScan || !reflect.DeepEqual(now.BackupPlan.ScanSettings, scanSettings("S3")) {
		t.Errorf("after update: %+v, %+v", now.BackupPlan.Rules[0].ScanActions, now.BackupPlan.ScanSettings)
	}
	old := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: created.BackupPlanId, VersionId: created.VersionId}))
	if !reflect.DeepEqual(old.BackupPlan.ScanSettings, scanSettings("EBS")) || old.BackupPlan.Rules[0].ScanActions[0].ScanMode != types.ScanModeIncrementalScan {
		t.Errorf("first version: %+v", old.BackupPlan)
	}
	// Versions list in the order they were saved.
	versions := xtest.Must[*backup.ListBackupPlanVersionsOutput](t)(e.east.ListBackupPlanVersions(ctx, &backup.ListBackupPlanVersionsInput{BackupPlanId: created.BackupPlanId}))
	var ids []string
	for _, v := range versions.BackupPlanVersionsList {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	if want := []string{aws.ToString(created.VersionId), aws.ToString(updated.VersionId)}; !reflect.DeepEqual(ids, want) {
		t.Errorf("versions %v, want %v", ids, want)
	}
}

// TestPlanRefusesBadScanIndexAndAirGappedFields: the model's rules for the new fields,
// and nothing is saved.
func TestPlanRefusesBadScanIndexAndAirGappedFields(t *testing.T) {
	e := start(t)
	for _, c := range []struct {
		name     string
		edit     func(*types.BackupRuleInput, *types.BackupPlanInput)
		wantPart string
	}{
		{"two index actions", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.IndexActions = append(r.IndexActions, types.IndexAction{ResourceTypes: []string{"S3"}})
		}, "at most one IndexAction"},
		{"two index types", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.IndexActions[0].ResourceTypes = []string{"EBS", "S3"}
		}, "exactly one resource type"},
		{"unindexable type", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.IndexActions[0].ResourceTypes = []string{"RDS"}
		}, "exactly one resource type"},
		{"air-gapped vault elsewhere", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.TargetLogicallyAirGappedBackupVaultArn = aws.String("arn:aws:backup:us-west-2:" + account + ":backup-vault:air-gapped")
		}, "logically air-gapped backup vault ARN"},
		{"air-gapped not a vault", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.TargetLogicallyAirGappedBackupVaultArn = aws.String("arn:aws:s3:::bucket")
		}, "logically air-gapped backup vault ARN"},
		{"scan mode", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) { r.ScanActions[0].ScanMode = "QUICK_SCAN" }, "enum value set"},
		{"scanner role", func(_ *types.BackupRuleInput, p *types.BackupPlanInput) {
			p.ScanSettings[0].ScannerRoleArn = aws.String("arn:aws:s3:::bucket")
		}, "Invalid IAM role ARN"},
		{"delete after event", func(r *types.BackupRuleInput, _ *types.BackupPlanInput) {
			r.Lifecycle.DeleteAfterEvent = types.LifecycleDeleteAfterEventDeleteAfterCopy
		}, "DeleteAfterEvent is not valid as an input"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rule := scannedRule()
			plan := &types.BackupPlanInput{BackupPlanName: aws.String("p"), ScanSettings: scanSettings("EBS")}
			c.edit(&rule, plan)
			plan.Rules = []types.BackupRuleInput{rule}
			_, err := e.east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: plan})
			xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, c.wantPart)
		})
	}
	list := xtest.Must[*backup.ListBackupPlansOutput](t)(e.east.ListBackupPlans(ctx, &backup.ListBackupPlansInput{}))
	if len(list.BackupPlansList) != 0 {
		t.Errorf("refused plans were created: %+v", list.BackupPlansList)
	}
}
