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

const westVault = "arn:aws:backup:us-west-2:" + account + ":backup-vault:dr-vault"

func TestPlanRoundTripEchoesEveryRuleField(t *testing.T) {
	e := start(t)
	rule := dailyRule("prod-vault", westVault)
	rule.RecoveryPointTags = map[string]string{"env": "prod"}
	created := xtest.Must[*backup.CreateBackupPlanOutput](t)(e.east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{
		BackupPlan:     &types.BackupPlanInput{BackupPlanName: aws.String("daily"), Rules: []types.BackupRuleInput{rule}},
		BackupPlanTags: map[string]string{"owner": "platform"},
	}))
	id := aws.ToString(created.BackupPlanId)
	if aws.ToString(created.BackupPlanArn) != "arn:aws:backup:us-east-1:"+account+":backup-plan:"+id || aws.ToString(created.VersionId) == "" {
		t.Fatalf("CreateBackupPlan = %+v", created)
	}
	got := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: aws.String(id)}))
	if aws.ToString(got.VersionId) != aws.ToString(created.VersionId) || aws.ToString(got.BackupPlanArn) != aws.ToString(created.BackupPlanArn) ||
		aws.ToString(got.BackupPlan.BackupPlanName) != "daily" || got.DeletionDate != nil {
		t.Errorf("GetBackupPlan = %+v", got)
	}
	if len(got.BackupPlan.Rules) != 1 {
		t.Fatalf("rules = %+v", got.BackupPlan.Rules)
	}
	r := got.BackupPlan.Rules[0]
	if aws.ToString(r.RuleId) == "" {
		t.Error("rule has no RuleId")
	}
	// Terraform hashes rules and copy actions: every field must come back as sent.
	want := types.BackupRule{
		RuleName: rule.RuleName, TargetBackupVaultName: rule.TargetBackupVaultName, ScheduleExpression: rule.ScheduleExpression,
		ScheduleExpressionTimezone: rule.ScheduleExpressionTimezone, StartWindowMinutes: rule.StartWindowMinutes,
		CompletionWindowMinutes: rule.CompletionWindowMinutes, EnableContinuousBackup: rule.EnableContinuousBackup,
		Lifecycle: rule.Lifecycle, CopyActions: rule.CopyActions, RecoveryPointTags: rule.RecoveryPointTags, RuleId: r.RuleId,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("rule\n got %+v\nwant %+v", r, want)
	}
	tags := xtest.Must[*backup.ListTagsOutput](t)(e.east.ListTags(ctx, &backup.ListTagsInput{ResourceArn: created.BackupPlanArn}))
	if tags.Tags["owner"] != "platform" {
		t.Errorf("plan tags = %v", tags.Tags)
	}
}

func TestPlanDefaults(t *testing.T) {
	e := start(t)
	created := createPlan(t, e.east, "bare", types.BackupRuleInput{RuleName: aws.String("r"), TargetBackupVaultName: aws.String("Default")})
	got := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: created.BackupPlanId}))
	r := got.BackupPlan.Rules[0]
	if aws.ToString(r.ScheduleExpression) != "cron(0 5 ? * * *)" || aws.ToString(r.ScheduleExpressionTimezone) != "Etc/UTC" ||
		aws.ToInt64(r.StartWindowMinutes) != 480 || aws.ToInt64(r.CompletionWindowMinutes) != 10080 || aws.ToBool(r.EnableContinuousBackup) {
		t.Errorf("defaults = %+v", r)
	}
}

func TestPlanInvalidRules(t *testing.T) {
	e := start(t)
	for _, c := range []struct {
		name string
		edit func(*types.BackupRuleInput)
		part string
	}{
		{"bad vault name", func(r *types.BackupRuleInput) { r.TargetBackupVaultName = aws.String("Random Backups") }, "Backup vault name Random Backups is not valid"},
		{"too frequent", func(r *types.BackupRuleInput) { r.ScheduleExpression = aws.String("cron(0/30 * ? * * *)") }, "more often than once an hour"},
		{"not cron", func(r *types.BackupRuleInput) { r.ScheduleExpression = aws.String("rate(1 day)") }, "must be a cron() expression"},
		{"bad cron", func(r *types.BackupRuleInput) { r.ScheduleExpression = aws.String("cron(0 5 * * * *)") }, "day-of-month"},
		{"bad zone", func(r *types.BackupRuleInput) { r.ScheduleExpressionTimezone = aws.String("Mars/Olympus") }, "time zone"},
		{"short start window", func(r *types.BackupRuleInput) { r.StartWindowMinutes = aws.Int64(30) }, "StartWindowMinutes must be at least 60"},
		{"short completion window", func(r *types.BackupRuleInput) { r.CompletionWindowMinutes = aws.Int64(100) }, "CompletionWindowMinutes must be at least 60 minutes greater"},
		{"cold too short", func(r *types.BackupRuleInput) { r.Lifecycle.DeleteAfterDays = aws.Int64(100) }, "cannot be less than 90 days apart"},
		{"copy cold too short", func(r *types.BackupRuleInput) { r.CopyActions[0].Lifecycle.DeleteAfterDays = aws.Int64(60) }, "cannot be less than 90 days apart"},
		{"bad destination", func(r *types.BackupRuleInput) {
			r.CopyActions[0].DestinationBackupVaultArn = aws.String("arn:aws:s3:::bucket")
		}, "Invalid destination backup vault ARN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rule := dailyRule("prod-vault", westVault)
			rule.Lifecycle = &types.Lifecycle{DeleteAfterDays: aws.Int64(120), MoveToColdStorageAfterDays: aws.Int64(30)}
			rule.CopyActions = []types.CopyAction{{DestinationBackupVaultArn: aws.String(westVault), Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(180), MoveToColdStorageAfterDays: aws.Int64(30)}}}
			c.edit(&rule)
			_, err := e.east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &types.BackupPlanInput{BackupPlanName: aws.String("p"), Rules: []types.BackupRuleInput{rule}}})
			xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, c.part)
		})
	}
	two := []types.BackupRuleInput{dailyRule("vault1", westVault), dailyRule("vault2", westVault)}
	_, err := e.east.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &types.BackupPlanInput{BackupPlanName: aws.String("p"), Rules: two}})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "must be unique")
	list := xtest.Must[*backup.ListBackupPlansOutput](t)(e.east.ListBackupPlans(ctx, &backup.ListBackupPlansInput{}))
	if len(list.BackupPlansList) != 0 {
		t.Errorf("refused plans were created: %+v", list.BackupPlansList)
	}
}

func TestPlanNamesAndRetries(t *testing.T) {
	e := start(t)
	in := &backup.CreateBackupPlanInput{
		BackupPlan:       &types.BackupPlanInput{BackupPlanName: aws.String("daily"), Rules: []types.BackupRuleInput{dailyRule("vault", westVault)}},
		CreatorRequestId: aws.String("tf-123"),
	}
	first := xtest.Must[*backup.CreateBackupPlanOutput](t)(e.east.CreateBackupPlan(ctx, in))
	retry := xtest.Must[*backup.CreateBackupPlanOutput](t)(e.east.CreateBackupPlan(ctx, in))
	if aws.ToString(retry.BackupPlanId) != aws.ToString(first.BackupPlanId) || aws.ToString(retry.VersionId) != aws.ToString(first.VersionId) {
		t.Errorf("retried create made another plan: %+v vs %+v", retry, first)
	}
	in.CreatorRequestId = nil
	_, err := e.east.CreateBackupPlan(ctx, in)
	xtest.WantErrorContaining(t, err, "AlreadyExistsException", 400, "daily")
	// Plans are per Region.
	createPlan(t, e.west, "daily", dailyRule("vault", "arn:aws:backup:us-east-1:"+account+":backup-vault:vault"))
}

func TestPlanVersionsAndDeletion(t *testing.T) {
	e := start(t)
	created := createPlan(t, e.east, "daily", dailyRule("vault", westVault))
	id := created.BackupPlanId
	first := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: id}))
	e.inst.Advance(time.Hour)

	rule := dailyRule("vault", westVault)
	rule.ScheduleExpression = aws.String("cron(0 1 ? * MON-FRI *)")
	second := types.BackupRuleInput{RuleName: aws.String("weekly"), TargetBackupVaultName: aws.String("vault"), ScheduleExpression: aws.String("cron(0 3 ? * SUN *)")}
	updated := xtest.Must[*backup.UpdateBackupPlanOutput](t)(e.east.UpdateBackupPlan(ctx, &backup.UpdateBackupPlanInput{
		BackupPlanId: id, BackupPlan: &types.BackupPlanInput{BackupPlanName: aws.String("daily"), Rules: []types.BackupRuleInput{rule, second}},
	}))
	if aws.ToString(updated.VersionId) == aws.ToString(created.VersionId) {
		t.Fatal("UpdateBackupPlan kept the version id")
	}
	now := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: id}))
	if len(now.BackupPlan.Rules) != 2 || aws.ToString(now.BackupPlan.Rules[0].RuleId) != aws.ToString(first.BackupPlan.Rules[0].RuleId) {
		t.Errorf("after update: %+v (the kept rule must keep its id %s)", now.BackupPlan.Rules, aws.ToString(first.BackupPlan.Rules[0].RuleId))
	}
	old := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: id, VersionId: created.VersionId}))
	if len(old.BackupPlan.Rules) != 1 || aws.ToString(old.BackupPlan.Rules[0].ScheduleExpression) != "cron(0 5 ? * * *)" {
		t.Errorf("first version = %+v", old.BackupPlan.Rules)
	}
	versions := xtest.Must[*backup.ListBackupPlanVersionsOutput](t)(e.east.ListBackupPlanVersions(ctx, &backup.ListBackupPlanVersionsInput{BackupPlanId: id}))
	if len(versions.BackupPlanVersionsList) != 2 {
		t.Errorf("versions = %+v", versions.BackupPlanVersionsList)
	}

	sel := xtest.Must[*backup.CreateBackupSelectionOutput](t)(e.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{
		BackupPlanId: id, BackupSelection: &types.BackupSelection{
			SelectionName: aws.String("dbs"), IamRoleArn: aws.String("arn:aws:iam::" + account + ":role/backup"),
			Resources: []string{"arn:aws:rds:us-east-1:" + account + ":db:mydb"},
		},
	}))
	_, err := e.east.DeleteBackupPlan(ctx, &backup.DeleteBackupPlanInput{BackupPlanId: id})
	xtest.WantError(t, err, "InvalidRequestException", 400, "Related backup plan selections must be deleted prior to backup plan deletion.")
	xtest.Must[*backup.DeleteBackupSelectionOutput](t)(e.east.DeleteBackupSelection(ctx, &backup.DeleteBackupSelectionInput{BackupPlanId: id, SelectionId: sel.SelectionId}))

	deleted := xtest.Must[*backup.DeleteBackupPlanOutput](t)(e.east.DeleteBackupPlan(ctx, &backup.DeleteBackupPlanInput{BackupPlanId: id}))
	if deleted.DeletionDate == nil || aws.ToString(deleted.VersionId) != aws.ToString(updated.VersionId) {
		t.Errorf("DeleteBackupPlan = %+v", deleted)
	}
	_, err = e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: id})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
	_, err = e.east.DeleteBackupPlan(ctx, &backup.DeleteBackupPlanInput{BackupPlanId: id})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
	live := xtest.Must[*backup.ListBackupPlansOutput](t)(e.east.ListBackupPlans(ctx, &backup.ListBackupPlansInput{}))
	all := xtest.Must[*backup.ListBackupPlansOutput](t)(e.east.ListBackupPlans(ctx, &backup.ListBackupPlansInput{IncludeDeleted: aws.Bool(true)}))
	if len(live.BackupPlansList) != 0 || len(all.BackupPlansList) != 1 || all.BackupPlansList[0].DeletionDate == nil {
		t.Errorf("after deletion: live %+v, all %+v", live.BackupPlansList, all.BackupPlansList)
	}
	// The name is free again.
	createPlan(t, e.east, "daily", dailyRule("vault", westVault))
}

// TestPlanScheduledRunsPreview: GetBackupPlan with MaxScheduledRunsPreview previews the
// plan's next runs, each rule due at each time (rules due together in the plan's order);
// none without it.
func TestPlanScheduledRunsPreview(t *testing.T) {
	e := start(t)
	daily := types.BackupRuleInput{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("Default"), ScheduleExpression: aws.String("cron(0 5 ? * * *)")}
	twice := types.BackupRuleInput{RuleName: aws.String("twice"), TargetBackupVaultName: aws.String("Default"), ScheduleExpression: aws.String("cron(0 5,17 ? * * *)")}
	created := createPlan(t, e.east, "preview", daily, twice)
	plain := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: created.BackupPlanId}))
	if plain.ScheduledRunsPreview != nil {
		t.Errorf("a preview nobody asked for: %+v", plain.ScheduledRunsPreview)
	}
	got := xtest.Must[*backup.GetBackupPlanOutput](t)(e.east.GetBackupPlan(ctx, &backup.GetBackupPlanInput{
		BackupPlanId: created.BackupPlanId, MaxScheduledRunsPreview: 4,
	}))
	ids := map[string]string{}
	for _, r := range got.BackupPlan.Rules {
		ids[aws.ToString(r.RuleName)] = aws.ToString(r.RuleId)
	}
	// The runs after the plan was made, from the schedules.
	type run struct {
		at   time.Time
		rule string
	}
	var want []run
	day := aws.ToTime(created.CreationDate).UTC().Truncate(24 * time.Hour)
	for d := 0; d < 3; d++ {
		base := day.Add(time.Duration(d) * 24 * time.Hour)
		for _, r := range []run{{base.Add(5 * time.Hour), "daily"}, {base.Add(5 * time.Hour), "twice"}, {base.Add(17 * time.Hour), "twice"}} {
			if r.at.After(aws.ToTime(created.CreationDate)) && len(want) < 4 {
				want = append(want, r)
			}
		}
	}
	if len(got.ScheduledRunsPreview) != len(want) {
		t.Fatalf("preview %+v, want %+v", got.ScheduledRunsPreview, want)
	}
	for i, p := range got.ScheduledRunsPreview {
		if !aws.ToTime(p.ExecutionTime).Equal(want[i].at) || aws.ToString(p.RuleId) != ids[want[i].rule] || p.RuleExecutionType != types.RuleExecutionTypeSnapshots {
			t.Errorf("run %d: %v %s %s, want %v %s", i, aws.ToTime(p.ExecutionTime), aws.ToString(p.RuleId), p.RuleExecutionType, want[i].at, want[i].rule)
		}
	}
}
