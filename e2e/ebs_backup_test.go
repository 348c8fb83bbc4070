package e2e

import (
	"strings"
	"testing"
)

// TestEBSAWSBackupWithBoto3: AWS Backup backs up an EBS volume that holds data (written
// through the admin API): the first backup moves the blocks written, the second only the
// block changed since; a copy to us-west-2 under that Region's vault key moves all the
// blocks the first time and only the changed one the next (BytesTransferred and the admin
// jobs view say so); a restore there makes a volume that holds the data.
func TestEBSAWSBackupWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import base64, json, os, time, urllib.request, boto3

east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
ec2 = boto3.client("ec2", region_name="us-east-1")
ec2w = boto3.client("ec2", region_name="us-west-2")
key = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
block = 512 << 10
`+pythonWait+pythonMoved+`
def write(region, vol, offset, data):
    admin("POST", "ebs/volumes/%s/write" % vol, {"region": region, "offset": offset, "data": base64.b64encode(data).decode()})

def backup(vol_arn):
    job = east.start_backup_job(BackupVaultName="prod", ResourceArn=vol_arn, IamRoleArn=role)
    # EBS names its snapshot when the job starts: StartBackupJob answers no ARN, as AWS.
    assert "RecoveryPointArn" not in job, job
    wait(lambda: east.describe_backup_job(BackupJobId=job["BackupJobId"])["State"], "COMPLETED")
    return east.describe_backup_job(BackupJobId=job["BackupJobId"])

def copy(rp):
    cj = east.start_copy_job(RecoveryPointArn=rp, SourceBackupVaultName="prod",
        DestinationBackupVaultArn=dst, IamRoleArn=role)["CopyJobId"]
    wait(lambda: east.describe_copy_job(CopyJobId=cj)["CopyJob"]["State"], "COMPLETED")
    return east.describe_copy_job(CopyJobId=cj)["CopyJob"], moved(cj)

vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=2, VolumeType="gp3")["VolumeId"]
wait(lambda: ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["State"], "available")
vol_arn = "arn:aws:ec2:us-east-1:123456789012:volume/" + vol
data = [os.urandom(block), os.urandom(block), os.urandom(block)]
for i, b in enumerate(data):
    write("us-east-1", vol, i * block, b)

east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr", EncryptionKeyArn=key)["BackupVaultArn"]

first = backup(vol_arn)
assert first["RecoveryPointArn"].startswith("arn:aws:ec2:us-east-1::snapshot/snap-"), first
assert first["BytesTransferred"] == 3 * block, first["BytesTransferred"]
assert moved(first["BackupJobId"]) == 3 * block

changed = os.urandom(4096)
write("us-east-1", vol, block + 100, changed)
second = backup(vol_arn)
assert second["BytesTransferred"] == block, second["BytesTransferred"]

c1, n1 = copy(second["RecoveryPointArn"])
assert n1 == 3 * block, n1
assert c1["DestinationRecoveryPointArn"].startswith("arn:aws:ec2:us-west-2::snapshot/snap-"), c1

last = os.urandom(block)
write("us-east-1", vol, 2 * block, last)
third = backup(vol_arn)
assert third["BytesTransferred"] == block, third["BytesTransferred"]
c2, n2 = copy(third["RecoveryPointArn"])
assert n2 == block, n2

rj = west.start_restore_job(RecoveryPointArn=c2["DestinationRecoveryPointArn"], IamRoleArn=role,
    Metadata={"availabilityZone": "us-west-2b"})["RestoreJobId"]
wait(lambda: west.describe_restore_job(RestoreJobId=rj)["Status"], "COMPLETED")
restored = west.describe_restore_job(RestoreJobId=rj)["CreatedResourceArn"].split("/")[-1]
wait(lambda: ec2w.describe_volumes(VolumeIds=[restored])["Volumes"][0]["State"], "available")
# The admin API reads a block at a time.
got = b"".join(base64.b64decode(admin("GET", "ebs/volumes/%s/data?region=us-west-2&offset=%d&length=%d" % (restored, i * block, block))["data"])
    for i in range(3))
want = bytearray(data[0] + data[1] + last)
want[block + 100:block + 100 + len(changed)] = changed
assert got == bytes(want), "the restored volume does not hold the backed-up data"
print("ok", first["BytesTransferred"], second["BytesTransferred"], n1, n2)
`)
	t.Log(out)
	want := "ok 1572864 524288 1572864 524288"
	if !strings.HasSuffix(strings.TrimSpace(out), want) {
		t.Errorf("boto3 script printed %q, want it to end with %q", out, want)
	}
}
