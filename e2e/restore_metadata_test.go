package e2e

import (
	"strings"
	"testing"
)

// TestRestoreMetadataWithBoto3: GetRecoveryPointRestoreMetadata answers each type's own
// keys — EBS's volumeId, availabilityZone, volumeType…, EFS's file-system-id, Encrypted,
// PerformanceMode, CreationToken… — and StartRestoreJob given them back restores a
// resource like the one backed up.
func TestRestoreMetadataWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import time, boto3
backup = boto3.client("backup")
ec2 = boto3.client("ec2")
efs = boto3.client("efs")
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
`+pythonWait+`
backup.create_backup_vault(BackupVaultName="prod")

def backed_up(arn):
    job = backup.start_backup_job(BackupVaultName="prod", ResourceArn=arn, IamRoleArn=role)["BackupJobId"]
    wait(lambda: backup.describe_backup_job(BackupJobId=job)["State"], "COMPLETED")
    rp = backup.describe_backup_job(BackupJobId=job)["RecoveryPointArn"]
    return rp, backup.get_recovery_point_restore_metadata(BackupVaultName="prod", RecoveryPointArn=rp)

def restored(rp, meta):
    job = backup.start_restore_job(RecoveryPointArn=rp, IamRoleArn=role, Metadata=meta)["RestoreJobId"]
    wait(lambda: backup.describe_restore_job(RestoreJobId=job)["Status"], "COMPLETED")
    return backup.describe_restore_job(RestoreJobId=job)["CreatedResourceArn"].split("/")[-1]

vol = ec2.create_volume(AvailabilityZone="us-east-1c", Size=4, VolumeType="io2", Iops=500)["VolumeId"]
wait(lambda: ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["State"], "available")
rp, out = backed_up("arn:aws:ec2:us-east-1:123456789012:volume/" + vol)
meta = out["RestoreMetadata"]
assert out["ResourceType"] == "EBS", out
assert meta == {"volumeId": vol, "volumeSize": "4", "volumeType": "io2", "iops": "500", "encrypted": "false",
    "availabilityZone": "us-east-1c", "multiAttachEnabled": "false"}, meta
new = restored(rp, meta)
wait(lambda: ec2.describe_volumes(VolumeIds=[new])["Volumes"][0]["State"], "available")
v = ec2.describe_volumes(VolumeIds=[new])["Volumes"][0]
assert (v["VolumeType"], v["Iops"], v["Size"], v["AvailabilityZone"]) == ("io2", 500, 4, "us-east-1c"), v
print("EBS", sorted(meta))

fs = efs.create_file_system(CreationToken="meta", PerformanceMode="maxIO", Encrypted=True)
wait(lambda: efs.describe_file_systems(FileSystemId=fs["FileSystemId"])["FileSystems"][0]["LifeCycleState"], "available")
rp, out = backed_up(fs["FileSystemArn"])
meta = out["RestoreMetadata"]
assert out["ResourceType"] == "EFS", out
assert meta["file-system-id"] == fs["FileSystemId"] and meta["Encrypted"] == "true" and meta["KmsKeyId"] == fs["KmsKeyId"], meta
assert meta["PerformanceMode"] == "maxIO" and meta["newFileSystem"] == "true" and meta["CreationToken"], meta
new = restored(rp, meta)
got = efs.describe_file_systems(FileSystemId=new)["FileSystems"][0]
assert got["CreationToken"] == meta["CreationToken"] and got["PerformanceMode"] == "maxIO" and got["Encrypted"], got
print("EFS", sorted(meta))
`)
	for _, want := range []string{
		"EBS ['availabilityZone', 'encrypted', 'iops', 'multiAttachEnabled', 'volumeId', 'volumeSize', 'volumeType']",
		"EFS ['CreationToken', 'Encrypted', 'KmsKeyId', 'PerformanceMode', 'file-system-id', 'newFileSystem']",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
