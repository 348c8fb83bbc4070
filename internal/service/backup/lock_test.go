package backup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestVaultLock(t *testing.T) {
	c := newCrossRegion(t)
	xtest.Must[*backup.PutBackupVaultLockConfigurationOutput](t)(c.east.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{
		BackupVaultName: aws.String("prod"), MinRetentionDays: aws.Int64(7), MaxRetentionDays: aws.Int64(30), ChangeableForDays: aws.Int64(3),
	}))
	d := xtest.Must[*backup.DescribeBackupVaultOutput](t)(c.east.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("prod")}))
	if !aws.ToBool(d.Locked) || aws.ToInt64(d.MinRetentionDays) != 7 || aws.ToInt64(d.MaxRetentionDays) != 30 || d.LockDate == nil {
		t.Fatalf("locked vault %+v", d)
	}

	// Jobs whose retention falls outside the bounds fail; one inside completes.
	for _, c2 := range []struct {
		lc   *types.Lifecycle
		want types.BackupJobState
		part string
	}{
		{nil, types.BackupJobStateFailed, "at most the vault lock's maximum of 30 days"},
		{&types.Lifecycle{DeleteAfterDays: aws.Int64(3)}, types.BackupJobStateFailed, "shorter than the vault lock's minimum of 7 days"},
		{&types.Lifecycle{DeleteAfterDays: aws.Int64(14)}, types.BackupJobStateCompleted, ""},
	} {
		out := xtest.Must[*backup.StartBackupJobOutput](t)(c.east.StartBackupJob(ctx, &backup.StartBackupJobInput{
			BackupVaultName: aws.String("prod"), ResourceArn: aws.String(c.db), IamRoleArn: aws.String(role), Lifecycle: c2.lc,
		}))
		c.inst.WaitIdle()
		j := backupJob(t, c.east, out.BackupJobId)
		if j.State != c2.want || !strings.Contains(aws.ToString(j.StatusMessage), c2.part) {
			t.Errorf("lifecycle %+v: job %s (%s), want %s (%s)", c2.lc, j.State, aws.ToString(j.StatusMessage), c2.want, c2.part)
		}
	}
	rp := recoveryPoints(t, c.east, "prod")[0].RecoveryPointArn
	_, err := c.east.DeleteRecoveryPoint(ctx, &backup.DeleteRecoveryPointInput{BackupVaultName: aws.String("prod"), RecoveryPointArn: rp})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "minimum retention of 7 days")
	_, err = c.east.UpdateRecoveryPointLifecycle(ctx, &backup.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: aws.String("prod"), RecoveryPointArn: rp, Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(90)},
	})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "maximum of 30 days")

	// After ChangeableForDays the lock is in compliance mode: it cannot change or go.
	c.advance(4 * 24 * time.Hour)
	_, err = c.east.DeleteBackupVaultLockConfiguration(ctx, &backup.DeleteBackupVaultLockConfigurationInput{BackupVaultName: aws.String("prod")})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "compliance mode")
	_, err = c.east.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{BackupVaultName: aws.String("prod"), MinRetentionDays: aws.Int64(1)})
	xtest.WantErrorContaining(t, err, "InvalidRequestException", 400, "compliance mode")
	// Past the minimum, the recovery point may be deleted.
	c.advance(4 * 24 * time.Hour)
	xtest.Must[*backup.DeleteRecoveryPointOutput](t)(c.east.DeleteRecoveryPoint(ctx, &backup.DeleteRecoveryPointInput{BackupVaultName: aws.String("prod"), RecoveryPointArn: rp}))

	// A copy into a locked vault must respect that vault's bounds.
	xtest.Must[*backup.PutBackupVaultLockConfigurationOutput](t)(c.west.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{
		BackupVaultName: aws.String("dr"), MinRetentionDays: aws.Int64(30),
	}))
	src := c.backUp(t, &types.Lifecycle{DeleteAfterDays: aws.Int64(10)})
	cp := xtest.Must[*backup.StartCopyJobOutput](t)(c.east.StartCopyJob(ctx, &backup.StartCopyJobInput{
		RecoveryPointArn: aws.String(src), SourceBackupVaultName: aws.String("prod"), DestinationBackupVaultArn: aws.String(c.westVaultARN),
		IamRoleArn: aws.String(role), Lifecycle: &types.Lifecycle{DeleteAfterDays: aws.Int64(10)},
	}))
	c.inst.WaitIdle()
	if j := copyJob(t, c.east, cp.CopyJobId); j.State != types.CopyJobStateFailed || !strings.Contains(aws.ToString(j.StatusMessage), "minimum of 30 days") {
		t.Errorf("copy into a locked vault: %s (%s)", j.State, aws.ToString(j.StatusMessage))
	}
	// Governance mode (no ChangeableForDays) can be removed.
	xtest.Must[*backup.DeleteBackupVaultLockConfigurationOutput](t)(c.west.DeleteBackupVaultLockConfiguration(ctx, &backup.DeleteBackupVaultLockConfigurationInput{BackupVaultName: aws.String("dr")}))

	for _, in := range []*backup.PutBackupVaultLockConfigurationInput{
		{BackupVaultName: aws.String("dr"), MinRetentionDays: aws.Int64(10), MaxRetentionDays: aws.Int64(5)},
		{BackupVaultName: aws.String("dr"), ChangeableForDays: aws.Int64(2)},
		{BackupVaultName: aws.String("dr"), MaxRetentionDays: aws.Int64(40000)},
	} {
		_, err := c.west.PutBackupVaultLockConfiguration(ctx, in)
		xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "")
	}
}
