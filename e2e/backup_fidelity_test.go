package e2e

import (
	"strings"
	"testing"
)

// TestBackupJobFidelityWithBoto3 drives #15's last items with boto3: StartBackupJob's
// BackupOptions and Index are kept and answered (the job's options, the recovery point's
// IndexStatus), a VSS backup of a volume and a logically air-gapped vault that is a
// standard one are refused with InvalidParameterValueException; vaults made out of name
// order list oldest first and jobs and recovery points newest first, page by page with
// NextToken; a job whose role does not exist fails with MessageCategory ACCESS_DENIED,
// which ByMessageCategory finds.
func TestBackupJobFidelityWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import json, os, time, urllib.request, boto3, botocore

east = boto3.client("backup", region_name="us-east-1")
ec2 = boto3.client("ec2", region_name="us-east-1")
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
`+pythonWait+pythonMoved+`
def refused(code, **kw):
    try:
        east.start_backup_job(**kw)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
        return e.response["Error"]["Message"]
    raise SystemExit("accepted %s" % kw)

def pages(call, key, field, **kw):
    got, token = [], None
    while True:
        out = call(MaxResults=2, **({"NextToken": token} if token else {}), **kw)
        got += [x[field] for x in out[key]]
        token = out.get("NextToken")
        if not token:
            return got

for name in ("zulu", "alpha", "mike"):
    east.create_backup_vault(BackupVaultName=name)
    admin("POST", "clock", {"advance": "1m"})
vaults = pages(east.list_backup_vaults, "BackupVaultList", "BackupVaultName")
assert vaults == ["zulu", "alpha", "mike"], vaults

vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=2, VolumeType="gp3")["VolumeId"]
wait(lambda: ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["State"], "available")
vol_arn = "arn:aws:ec2:us-east-1:123456789012:volume/" + vol
base = dict(BackupVaultName="alpha", ResourceArn=vol_arn, IamRoleArn=role)

jobs = []
for n in range(3):
    job = east.start_backup_job(BackupOptions={"WindowsVSS": "disabled"}, Index="ENABLED", **base)["BackupJobId"]
    wait(lambda: east.describe_backup_job(BackupJobId=job)["State"], "COMPLETED")
    jobs.append(east.describe_backup_job(BackupJobId=job))
    admin("POST", "clock", {"advance": "1m"})
d = jobs[0]
assert d["BackupOptions"] == {"WindowsVSS": "disabled"} and d["MessageCategory"] == "SUCCESS", d
rp = east.describe_recovery_point(BackupVaultName="alpha", RecoveryPointArn=d["RecoveryPointArn"])
assert rp["IndexStatus"] == "ACTIVE", rp

newest_first = [j["RecoveryPointArn"] for j in reversed(jobs)]
points = pages(east.list_recovery_points_by_backup_vault, "RecoveryPoints", "RecoveryPointArn", BackupVaultName="alpha")
assert points == newest_first, (points, newest_first)
points = pages(east.list_recovery_points_by_resource, "RecoveryPoints", "RecoveryPointArn", ResourceArn=vol_arn)
assert points == newest_first, (points, newest_first)
listed = pages(east.list_backup_jobs, "BackupJobs", "BackupJobId")
assert listed == [j["BackupJobId"] for j in reversed(jobs)], listed
assert all(j["BackupOptions"] == {"WindowsVSS": "disabled"} for j in east.list_backup_jobs()["BackupJobs"])

vss = refused("InvalidParameterValueException", BackupOptions={"WindowsVSS": "enabled"}, **base)
lag = refused("InvalidParameterValueException",
    LogicallyAirGappedBackupVaultArn="arn:aws:backup:us-east-1:123456789012:backup-vault:mike", **base)
refused("InvalidParameterValueException", BackupOptions={"Turbo": "enabled"}, **base)

denied = east.start_backup_job(BackupVaultName="alpha", ResourceArn=vol_arn,
    IamRoleArn="arn:aws:iam::123456789012:role/missing")["BackupJobId"]
wait(lambda: east.describe_backup_job(BackupJobId=denied)["State"], "FAILED")
f = east.describe_backup_job(BackupJobId=denied)
assert f["MessageCategory"] == "ACCESS_DENIED", f
by = [j["BackupJobId"] for j in east.list_backup_jobs(ByMessageCategory="ACCESS_DENIED")["BackupJobs"]]
assert by == [denied], by
assert len(east.list_backup_jobs(ByMessageCategory="SUCCESS")["BackupJobs"]) == 3
print(vss)
print(lag)
`)
	for _, want := range []string{"WindowsVSS backup option is available only for Windows EC2 instances, not for EBS resources",
		"Backup vault mike is not a logically air-gapped backup vault"} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed %q, want %q in it", out, want)
		}
	}
}
