package backup_test

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestSelectionRoundTrip(t *testing.T) {
	e := start(t)
	plan := createPlan(t, e.east, "daily", dailyRule("vault", westVault))
	role := "arn:aws:iam::" + account + ":role/backup"
	db := "arn:aws:rds:us-east-1:" + account + ":db:mydb"
	in := &backup.CreateBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, CreatorRequestId: aws.String("sel-1"),
		BackupSelection: &types.BackupSelection{SelectionName: aws.String("dbs"), IamRoleArn: aws.String(role), Resources: []string{db}},
	}
	created := xtest.Must[*backup.CreateBackupSelectionOutput](t)(e.east.CreateBackupSelection(ctx, in))
	retry := xtest.Must[*backup.CreateBackupSelectionOutput](t)(e.east.CreateBackupSelection(ctx, in))
	if aws.ToString(retry.SelectionId) != aws.ToString(created.SelectionId) {
		t.Errorf("retried create made another selection")
	}
	got := xtest.Must[*backup.GetBackupSelectionOutput](t)(e.east.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, SelectionId: created.SelectionId,
	}))
	// What Terraform's provider reads back: the request's values, and empty lists for
	// what it left out.
	want := &types.BackupSelection{
		SelectionName: aws.String("dbs"), IamRoleArn: aws.String(role), Resources: []string{db},
		NotResources: []string{}, ListOfTags: []types.Condition{},
		Conditions: &types.Conditions{StringEquals: []types.ConditionParameter{}, StringNotEquals: []types.ConditionParameter{}, StringLike: []types.ConditionParameter{}, StringNotLike: []types.ConditionParameter{}},
	}
	if !reflect.DeepEqual(got.BackupSelection, want) {
		t.Errorf("selection\n got %+v\nwant %+v", got.BackupSelection, want)
	}
	if aws.ToString(got.CreatorRequestId) != "sel-1" || aws.ToString(got.BackupPlanId) != aws.ToString(plan.BackupPlanId) || got.CreationDate == nil {
		t.Errorf("GetBackupSelection = %+v", got)
	}
	list := xtest.Must[*backup.ListBackupSelectionsOutput](t)(e.east.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: plan.BackupPlanId}))
	if len(list.BackupSelectionsList) != 1 || aws.ToString(list.BackupSelectionsList[0].SelectionName) != "dbs" || aws.ToString(list.BackupSelectionsList[0].IamRoleArn) != role {
		t.Errorf("ListBackupSelections = %+v", list.BackupSelectionsList)
	}
	xtest.Must[*backup.DeleteBackupSelectionOutput](t)(e.east.DeleteBackupSelection(ctx, &backup.DeleteBackupSelectionInput{BackupPlanId: plan.BackupPlanId, SelectionId: created.SelectionId}))
	_, err := e.east.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: plan.BackupPlanId, SelectionId: created.SelectionId})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "cannot be found")
}

func TestSelectionInvalid(t *testing.T) {
	e := start(t)
	plan := createPlan(t, e.east, "daily", dailyRule("vault", westVault))
	role := aws.String("arn:aws:iam::" + account + ":role/backup")
	for _, c := range []struct {
		name string
		sel  types.BackupSelection
		part string
	}{
		{"bad role", types.BackupSelection{SelectionName: aws.String("s"), IamRoleArn: aws.String("backup-role"), Resources: []string{"*"}}, "Invalid IAM role ARN"},
		{"bad resource", types.BackupSelection{SelectionName: aws.String("s"), IamRoleArn: role, Resources: []string{"mydb"}}, "Invalid resource ARN"},
		{"nothing selected", types.BackupSelection{SelectionName: aws.String("s"), IamRoleArn: role}, "must name resources"},
		{"bad name", types.BackupSelection{SelectionName: aws.String("a b"), IamRoleArn: role, Resources: []string{"*"}}, "Member must satisfy regular expression pattern"},
	} {
		sel := c.sel
		_, err := e.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{BackupPlanId: plan.BackupPlanId, BackupSelection: &sel})
		xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, c.part)
	}
	_, err := e.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{
		BackupPlanId:    aws.String("00000000-0000-0000-0000-000000000000"),
		BackupSelection: &types.BackupSelection{SelectionName: aws.String("s"), IamRoleArn: role, Resources: []string{"*"}},
	})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
}
