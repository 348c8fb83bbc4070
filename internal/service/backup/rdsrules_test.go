package backup_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/xtest"
)

// TestRDSCustomOptionGroupsStayInTheirRegion: RDS's provider copies a snapshot whose
// instance uses a custom option group within its Region, and fails the copy to another
// Region, as the seed says custom option groups are not copied across Regions.
func TestRDSCustomOptionGroupsStayInTheirRegion(t *testing.T) {
	e := start(t)
	xtest.Must[*rds.CreateOptionGroupOutput](t)(e.rds("us-east-1").CreateOptionGroup(ctx, &rds.CreateOptionGroupInput{
		OptionGroupName: aws.String("custom"), EngineName: aws.String("postgres"), MajorEngineVersion: aws.String("13"),
		OptionGroupDescription: aws.String("ours"),
	}))
	db := e.createDB(t, "us-east-1", "opts", nil)
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.rds("us-east-1").ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("opts"), OptionGroupName: aws.String("custom"), ApplyImmediately: aws.Bool(true),
	}))
	e.waitAvailable(t, "us-east-1", "opts")
	createVault(t, e.east, "prod")
	createVault(t, e.east, "local")
	west := createVault(t, e.west, "dr")
	started := xtest.Must[*backup.StartBackupJobOutput](t)(e.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: aws.String(db), IamRoleArn: aws.String(role),
	}))
	e.inst.WaitIdle()
	rp := backupJob(t, e.east, started.BackupJobId).RecoveryPointArn
	copyTo := func(dst *string) *types.CopyJob {
		cj := xtest.Must[*backup.StartCopyJobOutput](t)(e.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
			RecoveryPointArn: rp, SourceBackupVaultName: aws.String("prod"), DestinationBackupVaultArn: dst, IamRoleArn: aws.String(role),
		}))
		e.inst.WaitIdle()
		return copyJob(t, e.east, cj.CopyJobId)
	}
	local := xtest.Must[*backup.DescribeBackupVaultOutput](t)(e.east.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("local")}))
	if j := copyTo(local.BackupVaultArn); j.State != types.CopyJobStateCompleted {
		t.Errorf("a copy within us-east-1: %s (%s)", j.State, aws.ToString(j.StatusMessage))
	}
	j := copyTo(west.BackupVaultArn)
	if j.State != types.CopyJobStateFailed || !strings.Contains(aws.ToString(j.StatusMessage), "uses the option group custom: copying custom option groups across Regions is not supported") {
		t.Errorf("a copy to us-west-2: %s (%s)", j.State, aws.ToString(j.StatusMessage))
	}
}
