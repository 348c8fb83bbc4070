package backup_test

import (
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// alone builds AWS Backup by itself, with a fake key ring and a fake RDS.
func alone(t *testing.T) (*kittest.Harness, *kittest.KeyRing, *protector) {
	keys, rds := kittest.NewKeyRing(), newProtector()
	h := kittest.Start(t, []string{"backup"}, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, keys)
		service.Provide[port.Protected](p, rds)
		fake := newRoles()
		service.Provide[port.Roles](p, fake)
		service.Provide[port.ServiceRoles](p, fake)
	}))
	return h, keys, rds
}

// TestAloneCopiesThroughThePorts: AWS Backup takes its recovery points and copies through
// port.Protected, and a copy is encrypted with the destination vault's key.
func TestAloneCopiesThroughThePorts(t *testing.T) {
	h, keys, rds := alone(t)
	db := rds.add(kittest.Account, "us-east-1", "mydb", nil)
	westKey := keys.AddKey(kittest.Account, "us-west-2")
	kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(h, "us-east-1", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{BackupVaultName: new("prod")}))
	dst := kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(h, "us-west-2", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{
		BackupVaultName: new("dr"), EncryptionKeyArn: new(westKey),
	}))
	started := kittest.Must[*bk.StartBackupJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpStartBackupJob, &bk.StartBackupJobInput{
		BackupVaultName: new("prod"), ResourceArn: new(db), IamRoleArn: new(role),
	}))
	h.Advance(0)
	j := kittest.Must[*bk.DescribeBackupJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpDescribeBackupJob, &bk.DescribeBackupJobInput{BackupJobId: started.BackupJobId}))
	if *j.State != bk.BackupJobStateCompleted {
		t.Fatalf("backup job %s (%v)", *j.State, j.StatusMessage)
	}
	cp := kittest.Must[*bk.StartCopyJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpStartCopyJob, &bk.StartCopyJobInput{
		RecoveryPointArn: started.RecoveryPointArn, SourceBackupVaultName: new("prod"),
		DestinationBackupVaultArn: dst.BackupVaultArn, IamRoleArn: new(role),
	}))
	h.Advance(0)
	got := kittest.Must[*bk.DescribeCopyJobOutput](t)(kittest.Call(h, "us-east-1", bk.OpDescribeCopyJob, &bk.DescribeCopyJobInput{CopyJobId: cp.CopyJobId})).CopyJob
	if *got.State != bk.CopyJobStateCompleted || rds.copiedWith[*got.DestinationRecoveryPointArn] != westKey {
		t.Errorf("copy job %s, encrypted with %q, want %s", *got.State, rds.copiedWith[deref(got.DestinationRecoveryPointArn)], westKey)
	}
}

// TestLockErrorsNameTheFirstBadValue: with both retention bounds out of range, the error
// always names MinRetentionDays (it once named either, at random).
func TestLockErrorsNameTheFirstBadValue(t *testing.T) {
	h, _, _ := alone(t)
	kittest.Must[*bk.CreateBackupVaultOutput](t)(kittest.Call(h, "us-east-1", bk.OpCreateBackupVault, &bk.CreateBackupVaultInput{BackupVaultName: new("prod")}))
	for range 20 {
		_, err := kittest.Call(h, "us-east-1", bk.OpPutBackupVaultLockConfiguration, &bk.PutBackupVaultLockConfigurationInput{
			BackupVaultName: new("prod"), MinRetentionDays: new(int64(0)), MaxRetentionDays: new(int64(40000)),
		})
		if e := awserr.As(err); e == nil || e.Message != "MinRetentionDays must be between 1 and 36500 days" {
			t.Fatalf("both bounds out of range: %v", err)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
