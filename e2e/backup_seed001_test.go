package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestBackupSeed001RegionsRefusedCLI: with the AWS CLI, a copy into each of the seed's
// four Regions without cross-Region copy is refused with AWS Backup's message; a report
// plan's job reports the backup.
func TestBackupSeed001RegionsRefusedCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	_, rpARN := backedUpInstance(t, srv)
	for region, name := range map[string]string{"ap-east-1": "Asia Pacific (Hong Kong)", "me-south-1": "Middle East (Bahrain)",
		"eu-south-1": "Europe (Milan)", "af-south-1": "Africa (Cape Town)"} {
		var dst struct{ BackupVaultArn string }
		srv.awsJSON(t, region, &dst, "backup", "create-backup-vault", "--backup-vault-name", "dr")
		out := srv.awsFail(t, "us-east-1", "backup", "start-copy-job", "--recovery-point-arn", rpARN,
			"--source-backup-vault-name", "prod", "--destination-backup-vault-arn", dst.BackupVaultArn,
			"--iam-role-arn", defaultRole)
		want := "Cross-Region copy is not supported in " + name + " (" + region + ")"
		if !strings.Contains(out, "InvalidParameterValueException") || !strings.Contains(out, want) {
			t.Errorf("a copy to %s: %s", region, out)
		}
	}

	// A report of the day's backup jobs.
	srv.awsIn(t, "us-east-1", "backup", "create-report-plan", "--report-plan-name", "daily_jobs",
		"--report-delivery-channel", "S3BucketName=audit,Formats=CSV", "--report-setting", "ReportTemplate=BACKUP_JOB_REPORT")
	var report struct{ ReportJobId string }
	srv.awsJSON(t, "us-east-1", &report, "backup", "start-report-job", "--report-plan-name", "daily_jobs")
	pollUntil(t, time.Minute, func() string {
		var j struct {
			ReportJob struct {
				Status            string
				ReportDestination struct{ S3Keys []string }
			}
		}
		srv.awsJSON(t, "us-east-1", &j, "backup", "describe-report-job", "--report-job-id", report.ReportJobId)
		if j.ReportJob.Status != "COMPLETED" || len(j.ReportJob.ReportDestination.S3Keys) != 1 {
			return "report job is " + j.ReportJob.Status
		}
		return ""
	})
}

// defaultRole is the AWS Backup default service role of the e2e tests' account.
const defaultRole = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"

// backedUpInstance creates the encrypted DB instance seeddb in us-east-1 and a vault prod,
// backs the instance up there with the AWS CLI and returns the instance's ARN and the
// recovery point's.
func backedUpInstance(t *testing.T, srv *server) (dbARN, rpARN string) {
	t.Helper()
	srv.aws(t, srv.rds("create-db-instance", "--db-instance-identifier", "seeddb", "--engine", "postgres",
		"--engine-version", "13.4", "--db-instance-class", "db.t3.micro", "--allocated-storage", "20",
		"--master-username", "admin1", "--master-user-password", "secretpass1", "--storage-encrypted")...)
	db := srv.waitInstance(t, "us-east-1", "seeddb", "available")
	srv.awsIn(t, "us-east-1", "backup", "create-backup-vault", "--backup-vault-name", "prod")
	var started struct{ BackupJobId, RecoveryPointArn string }
	srv.awsJSON(t, "us-east-1", &started, "backup", "start-backup-job", "--backup-vault-name", "prod",
		"--resource-arn", db.DBInstanceArn, "--iam-role-arn", defaultRole)
	pollUntil(t, time.Minute, func() string {
		var j struct{ State, StatusMessage string }
		srv.awsJSON(t, "us-east-1", &j, "backup", "describe-backup-job", "--backup-job-id", started.BackupJobId)
		if j.State != "COMPLETED" {
			return "backup job is " + j.State + " " + j.StatusMessage
		}
		return ""
	})
	return db.DBInstanceArn, started.RecoveryPointArn
}

// pythonWait is the boto3 scripts' wait(fn, want): it polls fn until it answers want.
const pythonWait = `
def wait(fn, want):
    for _ in range(500):
        got = fn()
        if got == want:
            return
        time.sleep(0.02)
    raise SystemExit("still %s, want %s" % (got, want))
`

// pythonMoved defines admin(method, path, body) for the admin API, and moved(job id):
// the bytes an AWS Backup job moved, as the admin jobs view shows them. It needs json,
// os and urllib.request imported.
const pythonMoved = `
def admin(method, path, body=None):
    req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/_xregion/" + path, method=method,
        data=body and json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read() or b"null")

def moved(job_id):
    for f in admin("GET", "jobs")["recent"]:
        p = f["job"].get("payload") or {}
        if p.get("awsJobId") == job_id and "bytesTransferred" in p:
            return p["bytesTransferred"]
    raise SystemExit("no job step reports the bytes of " + job_id)
`

// TestBackupSeed001WithBoto3 is seed 001's limits with boto3: a plan's second copy moves
// only the bytes that changed (the backup jobs' BytesTransferred and the admin jobs
// view say how many); a copy into another account's vault fails until cross-account
// backup is on and the vault's policy lets the account in, then lands there; a role that
// does not trust AWS Backup fails its job; a restore testing plan runs on the clock.
func TestBackupSeed001WithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import json, os, time, urllib.request, boto3

east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
other = boto3.client("backup", region_name="us-east-1", aws_access_key_id="210987654321", aws_secret_access_key="x")
rds = boto3.client("rds", region_name="us-east-1")
iam = boto3.client("iam", region_name="us-east-1")
key = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"

`+pythonWait+pythonMoved+`
# A customer managed key: snapshots under the AWS managed key cannot go to another account.
dbkey = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
db = rds.create_db_instance(DBInstanceIdentifier="appdb", Engine="postgres", EngineVersion="13.4",
    DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="secretpass1",
    StorageEncrypted=True, KmsKeyId=dbkey)["DBInstance"]["DBInstanceArn"]
wait(lambda: rds.describe_db_instances(DBInstanceIdentifier="appdb")["DBInstances"][0]["DBInstanceStatus"], "available")
east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr", EncryptionKeyArn=key)["BackupVaultArn"]
plan = east.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
    "RuleName": "daily", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 ? * * *)",
    "CopyActions": [{"DestinationBackupVaultArn": dst}]}]})
east.create_backup_selection(BackupPlanId=plan["BackupPlanId"],
    BackupSelection={"SelectionName": "app", "IamRoleArn": role, "Resources": [db]})

# Two days of the plan: the first backup and copy move the whole 20 GiB, the second the
# blocks written since.
full = 20 << 30
for day in (1, 2):
    admin("POST", "clock", {"advance": "24h"})
    wait(lambda: [j["State"] for j in east.list_copy_jobs()["CopyJobs"]], ["COMPLETED"] * day)
# Jobs list newest first, as AWS lists them: oldest first here.
backups = east.list_backup_jobs()["BackupJobs"][::-1]
copies = east.list_copy_jobs()["CopyJobs"][::-1]
assert [b["BytesTransferred"] for b in backups][0] == full, backups
assert 0 < backups[1]["BytesTransferred"] < full // 10, backups
first, second = moved(copies[0]["CopyJobId"]), moved(copies[1]["CopyJobId"])
assert first == full and 0 < second < full // 10 and second == backups[1]["BytesTransferred"], (first, second)

# The default role was created, with AWS's managed policies.
attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="AWSBackupDefaultServiceRole")["AttachedPolicies"]]
assert attached == ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"], attached

# Cross-account: another account's vault in the same Region.
theirs = other.create_backup_vault(BackupVaultName="shared")["BackupVaultArn"]
rp = backups[1]["RecoveryPointArn"]
def copy_to(vault_arn):
    cj = east.start_copy_job(RecoveryPointArn=rp, SourceBackupVaultName="prod", DestinationBackupVaultArn=vault_arn,
        IamRoleArn=role)["CopyJobId"]
    wait(lambda: east.describe_copy_job(CopyJobId=cj)["CopyJob"]["State"] in ("COMPLETED", "FAILED"), True)
    j = east.describe_copy_job(CopyJobId=cj)["CopyJob"]
    return j["State"], j.get("StatusMessage", "")
print(copy_to(theirs))
east.update_global_settings(GlobalSettings={"isCrossAccountBackupEnabled": "true"})
print(copy_to(theirs))
other.put_backup_vault_access_policy(BackupVaultName="shared", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}))
print(copy_to(theirs))
landed = other.list_recovery_points_by_backup_vault(BackupVaultName="shared")["RecoveryPoints"]
assert len(landed) == 1 and ":123456789012:" not in landed[0]["RecoveryPointArn"], landed
assert len(east.list_recovery_points_by_backup_vault(BackupVaultName="prod")["RecoveryPoints"]) == 2

# A role that trusts only EC2 fails the job.
iam.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
bj = east.start_backup_job(BackupVaultName="prod", ResourceArn=db, IamRoleArn="arn:aws:iam::123456789012:role/ec2-only")["BackupJobId"]
wait(lambda: east.describe_backup_job(BackupJobId=bj)["State"], "FAILED")
print(east.describe_backup_job(BackupJobId=bj)["StatusMessage"])

# Restore testing on the clock: the next night restores the latest recovery point of the
# instance; a validation result has the restored instance deleted.
rtp = east.create_restore_testing_plan(RestoreTestingPlan={"RestoreTestingPlanName": "nightly",
    "ScheduleExpression": "cron(0 1 ? * * *)", "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW",
    "IncludeVaults": ["*"], "RecoveryPointTypes": ["SNAPSHOT"]}})["RestoreTestingPlanArn"]
east.create_restore_testing_selection(RestoreTestingPlanName="nightly", RestoreTestingSelection={
    "RestoreTestingSelectionName": "appdb", "ProtectedResourceType": "RDS", "IamRoleArn": role,
    "ProtectedResourceArns": [db], "ValidationWindowHours": 24})
admin("POST", "clock", {"advance": "24h"})
wait(lambda: [j["Status"] for j in east.list_restore_jobs(ByRestoreTestingPlanArn=rtp)["RestoreJobs"]], ["COMPLETED"])
test = east.list_restore_jobs(ByRestoreTestingPlanArn=rtp)["RestoreJobs"][0]
latest = east.list_recovery_points_by_resource(ResourceArn=db)["RecoveryPoints"]
assert test["RecoveryPointArn"] in [p["RecoveryPointArn"] for p in latest], test
restored = test["CreatedResourceArn"].split(":db:")[1]
east.put_restore_validation_result(RestoreJobId=test["RestoreJobId"], ValidationStatus="SUCCESSFUL", ValidationStatusMessage="ok")
wait(lambda: east.describe_restore_job(RestoreJobId=test["RestoreJobId"]).get("DeletionStatus"), "SUCCESSFUL")
wait(lambda: [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"] == restored and i["DBInstanceStatus"] != "deleting"], [])
print("tested", restored.startswith("awsbackup-restore-test-"))
`)
	want := []string{
		"('FAILED', 'Copy job failed. Both source and destination account must be a member of the same organization')",
		"('FAILED', 'Access Denied trying to call AWS Backup service')",
		"('COMPLETED', '')",
		"The provided role arn:aws:iam::123456789012:role/ec2-only cannot be assumed by AWS Backup.",
		"tested True",
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("boto3 script printed\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
}

// TestBackupSettingsTerraform: aws_backup_global_settings, aws_backup_region_settings and
// aws_backup_restore_testing_plan with its selection apply, read back without changes,
// show through the CLI, and destroy.
func TestBackupSettingsTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	// aws_backup_global_settings is identified by the account: the provider asks STS.
	providers := strings.Replace(srv.providers("us-east-1"), "skip_requesting_account_id  = true", "skip_requesting_account_id  = false", 1)
	tf := newTerraform(t, srv, providers+`
resource "aws_backup_global_settings" "test" {
  global_settings = {
    "isCrossAccountBackupEnabled" = "true"
  }
}

resource "aws_backup_region_settings" "test" {
  resource_type_opt_in_preference = {
    "Aurora"                 = true
    "CloudFormation"         = true
    "DocumentDB"             = true
    "DSQL"                   = true
    "DynamoDB"               = true
    "EBS"                    = true
    "EC2"                    = true
    "EFS"                    = true
    "EKS"                    = true
    "FSx"                    = true
    "Neptune"                = true
    "Redshift"               = true
    "Redshift Serverless"    = true
    "RDS"                    = true
    "S3"                     = true
    "SAP HANA on Amazon EC2" = true
    "Storage Gateway"        = true
    "Timestream"             = true
    "VirtualMachine"         = false
  }

  resource_type_management_preference = {
    "DynamoDB" = true
    "EFS"      = true
  }
}

resource "aws_backup_restore_testing_plan" "nightly" {
  name                = "nightly_restore_test"
  schedule_expression = "cron(0 1 ? * * *)"
  recovery_point_selection {
    algorithm            = "LATEST_WITHIN_WINDOW"
    include_vaults       = ["*"]
    recovery_point_types = ["SNAPSHOT"]
  }
  tags = { team = "dr" }
}

resource "aws_backup_restore_testing_selection" "rds" {
  name                      = "rds_selection"
  restore_testing_plan_name = aws_backup_restore_testing_plan.nightly.name
  protected_resource_type   = "RDS"
  iam_role_arn              = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
  protected_resource_arns   = ["*"]
  validation_window_hours   = 2
}
`)
	tf.apply()
	tf.planNoChanges()
	var global struct{ GlobalSettings map[string]string }
	srv.awsJSON(t, "us-east-1", &global, "backup", "describe-global-settings")
	if global.GlobalSettings["isCrossAccountBackupEnabled"] != "true" {
		t.Errorf("global settings %+v", global)
	}
	var region struct {
		ResourceTypeOptInPreference, ResourceTypeManagementPreference map[string]bool
	}
	srv.awsJSON(t, "us-east-1", &region, "backup", "describe-region-settings")
	if !region.ResourceTypeOptInPreference["Aurora"] || region.ResourceTypeOptInPreference["VirtualMachine"] || !region.ResourceTypeManagementPreference["DynamoDB"] {
		t.Errorf("region settings %+v", region)
	}
	var sel struct {
		RestoreTestingSelection struct {
			ProtectedResourceType string
			ValidationWindowHours int
		}
	}
	srv.awsJSON(t, "us-east-1", &sel, "backup", "get-restore-testing-selection", "--restore-testing-plan-name", "nightly_restore_test",
		"--restore-testing-selection-name", "rds_selection")
	if sel.RestoreTestingSelection.ProtectedResourceType != "RDS" || sel.RestoreTestingSelection.ValidationWindowHours != 2 {
		t.Errorf("restore testing selection %+v", sel)
	}
	tf.destroy()
	var plans struct {
		RestoreTestingPlans []struct{ RestoreTestingPlanName string }
	}
	srv.awsJSON(t, "us-east-1", &plans, "backup", "list-restore-testing-plans")
	if len(plans.RestoreTestingPlans) != 0 {
		t.Errorf("restore testing plans after destroy: %+v", plans)
	}
}
