package backup_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestScheduleSurvivesRestart: a plan armed before the server stops fires after it
// starts again on the same data directory, and its recovery points and jobs stay.
func TestScheduleSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := newCrossRegion(t, servertest.WithDataDir(dir))
	rpARN := c.backUp(t, nil)
	plan := createPlan(t, c.east, "daily", dailyRule("prod", c.westVaultARN))
	xtest.Must[*backup.CreateBackupSelectionOutput](t)(c.east.CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{
		BackupPlanId: plan.BackupPlanId, BackupSelection: &types.BackupSelection{
			SelectionName: aws.String("all"), IamRoleArn: aws.String(role), Resources: []string{"*"},
		},
	}))
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.inst.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}

	again := start(t, servertest.WithDataDir(dir))
	xtest.Must[*backup.DescribeRecoveryPointOutput](t)(again.east.DescribeRecoveryPoint(ctx, &backup.DescribeRecoveryPointInput{
		BackupVaultName: aws.String("prod"), RecoveryPointArn: aws.String(rpARN),
	}))
	again.advance(24 * time.Hour)
	if n := len(recoveryPoints(t, again.east, "prod")); n != 2 {
		t.Errorf("%d recovery points in us-east-1 after the scheduled run, want 2", n)
	}
	if n := len(recoveryPoints(t, again.west, "dr")); n != 1 {
		t.Errorf("%d copies in us-west-2 after the scheduled run, want 1", n)
	}
}
