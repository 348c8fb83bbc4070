package e2e

import (
	"strings"
	"testing"
	"time"
)

// backupHCL is the AWS Backup configuration of Terraform's documentation, across two
// Regions: a vault with its own KMS key in each (the us-west-2 one under Vault Lock, the
// us-east-1 one with an access policy), a daily plan in us-east-1 whose rule copies to
// the us-west-2 vault, and a selection of an RDS instance by ARN.
const backupHCL = `
resource "aws_kms_key" "east" {
  description             = "backup vault key"
  deletion_window_in_days = 7
}

resource "aws_kms_key" "west" {
  provider                = aws.us_west_2
  description             = "backup copy vault key"
  deletion_window_in_days = 7
}

resource "aws_backup_vault" "east" {
  name        = "example-name"
  kms_key_arn = aws_kms_key.east.arn
  tags        = { team = "dr" }
}

resource "aws_backup_vault" "west" {
  provider    = aws.us_west_2
  name        = "example-name"
  kms_key_arn = aws_kms_key.west.arn
}

resource "aws_backup_vault_lock_configuration" "west" {
  provider           = aws.us_west_2
  backup_vault_name  = aws_backup_vault.west.name
  min_retention_days = 7
  max_retention_days = 365
}

resource "aws_backup_vault_policy" "east" {
  backup_vault_name = aws_backup_vault.east.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "backup:DeleteRecoveryPoint"
      Resource  = aws_backup_vault.east.arn
    }]
  })
}

resource "aws_backup_plan" "daily" {
  name = "daily-with-copy"

  rule {
    rule_name         = "daily-with-copy"
    target_vault_name = aws_backup_vault.east.name
    schedule          = "cron(0 5 ? * * *)"

    lifecycle {
      cold_storage_after = 30
      delete_after       = 120
    }

    copy_action {
      destination_vault_arn = aws_backup_vault.west.arn
      lifecycle {
        cold_storage_after = 30
        delete_after       = 180
      }
    }
  }

  tags = { owner = "platform" }
}

resource "aws_iam_role" "backup" {
  name               = "backup-service"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "backup.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_backup_selection" "db" {
  name         = "databases"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = ["arn:aws:rds:us-east-1:123456789012:db:mydb"]
}

output "plan_id" { value = aws_backup_plan.daily.id }
output "west_vault_arn" { value = aws_backup_vault.west.arn }
output "west_key_arn" { value = aws_kms_key.west.arn }
`

func TestBackupTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+backupHCL)
	tf.apply()
	tf.planNoChanges()

	westVault := tf.output("west_vault_arn")
	if westVault != "arn:aws:backup:us-west-2:123456789012:backup-vault:example-name" {
		t.Errorf("us-west-2 vault ARN %s", westVault)
	}
	var vault struct {
		EncryptionKeyArn, BackupVaultArn   string
		Locked                             bool
		MinRetentionDays, MaxRetentionDays int
	}
	srv.awsJSON(t, "us-west-2", &vault, "backup", "describe-backup-vault", "--backup-vault-name", "example-name")
	if vault.EncryptionKeyArn != tf.output("west_key_arn") || !vault.Locked || vault.MinRetentionDays != 7 || vault.MaxRetentionDays != 365 {
		t.Errorf("us-west-2 vault %+v (key want %s)", vault, tf.output("west_key_arn"))
	}
	var plan struct {
		BackupPlan struct {
			Rules []struct {
				RuleName    string
				CopyActions []struct{ DestinationBackupVaultArn string }
			}
		}
	}
	srv.awsJSON(t, "us-east-1", &plan, "backup", "get-backup-plan", "--backup-plan-id", tf.output("plan_id"))
	if r := plan.BackupPlan.Rules; len(r) != 1 || len(r[0].CopyActions) != 1 || r[0].CopyActions[0].DestinationBackupVaultArn != westVault {
		t.Errorf("plan rules %+v", r)
	}

	tf.destroy()
	out := srv.awsFail(t, "us-east-1", "backup", "describe-backup-vault", "--backup-vault-name", "example-name")
	if !strings.Contains(out, "ResourceNotFoundException") {
		t.Errorf("vault after destroy: %s", out)
	}
	var plans struct {
		BackupPlansList []struct{ BackupPlanId string }
	}
	srv.awsJSON(t, "us-east-1", &plans, "backup", "list-backup-plans")
	if len(plans.BackupPlansList) != 0 {
		t.Errorf("plans after destroy: %+v", plans.BackupPlansList)
	}
}

// TestBackupCLI walks the vault and plan operations with the AWS CLI, as the README's
// quick start does.
func TestBackupCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var created struct{ BackupVaultArn string }
	srv.awsJSON(t, "us-west-2", &created, "backup", "create-backup-vault", "--backup-vault-name", "dr-vault")
	if created.BackupVaultArn != "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-vault" {
		t.Errorf("create-backup-vault: %+v", created)
	}
	var plan struct{ BackupPlanId, VersionId string }
	srv.awsJSON(t, "us-east-1", &plan, "backup", "create-backup-plan", "--backup-plan",
		`{"BackupPlanName":"daily","Rules":[{"RuleName":"daily","TargetBackupVaultName":"Default","ScheduleExpression":"cron(0 5 ? * * *)",`+
			`"CopyActions":[{"DestinationBackupVaultArn":"`+created.BackupVaultArn+`","Lifecycle":{"DeleteAfterDays":35}}]}]}`)
	if plan.BackupPlanId == "" || plan.VersionId == "" {
		t.Fatalf("create-backup-plan: %+v", plan)
	}
	out := srv.awsFail(t, "us-east-1", "backup", "create-backup-plan", "--backup-plan",
		`{"BackupPlanName":"every-minute","Rules":[{"RuleName":"r","TargetBackupVaultName":"Default","ScheduleExpression":"cron(* * ? * * *)"}]}`)
	if !strings.Contains(out, "InvalidParameterValueException") || !strings.Contains(out, "once an hour") {
		t.Errorf("a schedule under an hour: %s", out)
	}
	var vaults struct {
		BackupVaultList []struct{ BackupVaultName string }
	}
	srv.awsJSON(t, "us-west-2", &vaults, "backup", "list-backup-vaults")
	if len(vaults.BackupVaultList) != 1 || vaults.BackupVaultList[0].BackupVaultName != "dr-vault" {
		t.Errorf("list-backup-vaults: %+v", vaults)
	}
	srv.awsIn(t, "us-west-2", "backup", "delete-backup-vault", "--backup-vault-name", "dr-vault")
}

// TestBackupCrossRegionCopyCLI is seed 001's on-demand path with the AWS CLI: back up a
// DB instance into a vault, copy the recovery point to a vault in another Region with
// its own key and a lifecycle, and find the copy there, re-encrypted; then move the
// clock past the lifecycle and see the copy expire.
func TestBackupCrossRegionCopyCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	_, rpARN := backedUpInstance(t, srv)
	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "copy vault key")
	var dst struct{ BackupVaultArn string }
	srv.awsJSON(t, "us-west-2", &dst, "backup", "create-backup-vault", "--backup-vault-name", "dr",
		"--encryption-key-arn", key.KeyMetadata.Arn)

	var copied struct{ CopyJobId string }
	srv.awsJSON(t, "us-east-1", &copied, "backup", "start-copy-job", "--recovery-point-arn", rpARN,
		"--source-backup-vault-name", "prod", "--destination-backup-vault-arn", dst.BackupVaultArn,
		"--iam-role-arn", "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole",
		"--lifecycle", "DeleteAfterDays=100")
	pollUntil(t, time.Minute, func() string {
		var j struct {
			CopyJob struct{ State, StatusMessage string }
		}
		srv.awsJSON(t, "us-east-1", &j, "backup", "describe-copy-job", "--copy-job-id", copied.CopyJobId)
		if j.CopyJob.State != "COMPLETED" {
			return "copy job is " + j.CopyJob.State + " " + j.CopyJob.StatusMessage
		}
		return ""
	})
	var west struct {
		RecoveryPoints []struct{ RecoveryPointArn, EncryptionKeyArn, SourceBackupVaultArn string }
	}
	srv.awsJSON(t, "us-west-2", &west, "backup", "list-recovery-points-by-backup-vault", "--backup-vault-name", "dr")
	if len(west.RecoveryPoints) != 1 || west.RecoveryPoints[0].EncryptionKeyArn != key.KeyMetadata.Arn ||
		!strings.HasPrefix(west.RecoveryPoints[0].RecoveryPointArn, "arn:aws:rds:us-west-2:123456789012:snapshot:awsbackup:") {
		t.Fatalf("us-west-2 recovery points: %+v", west.RecoveryPoints)
	}

	srv.admin(t, "POST", "clock", `{"advance":"2400h"}`, nil) // 100 days; due jobs run before it answers
	srv.awsJSON(t, "us-west-2", &west, "backup", "list-recovery-points-by-backup-vault", "--backup-vault-name", "dr")
	if len(west.RecoveryPoints) != 0 {
		t.Errorf("the copy outlived its 100-day lifecycle: %+v", west.RecoveryPoints)
	}
}

// TestBackupScheduledCopyAndFailoverWithBoto3 is seed 001's scheduled path with boto3: a
// plan whose daily rule copies to another Region, fired by moving the clock, and then a
// failover rehearsal that restores the copy as a DB instance in that Region.
func TestBackupScheduledCopyAndFailoverWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import os, time, urllib.request, boto3

east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
rds = boto3.client("rds", region_name="us-east-1")
key = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"

`+pythonWait+`
db = rds.create_db_instance(DBInstanceIdentifier="appdb", Engine="postgres", EngineVersion="13.4",
    DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="secretpass1",
    StorageEncrypted=True)["DBInstance"]["DBInstanceArn"]
wait(lambda: rds.describe_db_instances(DBInstanceIdentifier="appdb")["DBInstances"][0]["DBInstanceStatus"], "available")

east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr", EncryptionKeyArn=key)["BackupVaultArn"]
plan = east.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
    "RuleName": "daily", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 ? * * *)",
    "Lifecycle": {"DeleteAfterDays": 30},
    "CopyActions": [{"DestinationBackupVaultArn": dst, "Lifecycle": {"DeleteAfterDays": 60}}]}]})
east.create_backup_selection(BackupPlanId=plan["BackupPlanId"],
    BackupSelection={"SelectionName": "app", "IamRoleArn": role, "Resources": [db]})

# A day later on xregion's clock the rule has run once: a backup, then its copy.
req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/_xregion/clock", data=b'{"advance": "24h"}',
    method="POST", headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
wait(lambda: [j["State"] for j in east.list_copy_jobs()["CopyJobs"]], ["COMPLETED"])
job = east.list_backup_jobs()["BackupJobs"][0]
assert job["State"] == "COMPLETED" and job["CreatedBy"]["BackupPlanId"] == plan["BackupPlanId"], job
copy = east.list_copy_jobs()["CopyJobs"][0]
assert copy.get("CreatedByBackupJobId") == job["BackupJobId"], copy
rps = west.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"]
assert len(rps) == 1 and rps[0]["EncryptionKeyArn"] == key and rps[0]["Lifecycle"]["DeleteAfterDays"] == 60, rps

# Failover rehearsal: restore the copy in us-west-2.
rj = west.start_restore_job(RecoveryPointArn=rps[0]["RecoveryPointArn"], IamRoleArn=role,
    Metadata={"DBInstanceIdentifier": "appdb-failover"})["RestoreJobId"]
wait(lambda: west.describe_restore_job(RestoreJobId=rj)["Status"], "COMPLETED")
print("ok", west.describe_restore_job(RestoreJobId=rj)["CreatedResourceArn"])
`)
	if strings.TrimSpace(out) != "ok arn:aws:rds:us-west-2:123456789012:db:appdb-failover" {
		t.Errorf("boto3 script printed %q", out)
	}
}
