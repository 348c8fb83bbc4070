package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBackupPlanFieldsCLI: with the AWS CLI, a plan's rule keeps its IndexActions,
// ScanActions, logically air-gapped target and archive opt-in, and the plan its
// ScanSettings, through create, get and update; versions list in the order they were
// saved; an IndexAction of two resource types is refused.
func TestBackupPlanFieldsCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	plan := func(mode, scanned string) string {
		p := map[string]any{
			"BackupPlanName": "scanned",
			"Rules": []any{map[string]any{
				"RuleName": "daily", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 ? * * *)",
				"TargetLogicallyAirGappedBackupVaultArn": "arn:aws:backup:us-east-1:123456789012:backup-vault:air-gapped",
				"IndexActions":                           []any{map[string]any{"ResourceTypes": []string{"EBS"}}},
				"ScanActions":                            []any{map[string]any{"MalwareScanner": "GUARDDUTY", "ScanMode": mode}},
				"Lifecycle":                              map[string]any{"DeleteAfterDays": 120, "OptInToArchiveForSupportedResources": true},
			}},
			"ScanSettings": []any{map[string]any{"MalwareScanner": "GUARDDUTY", "ResourceTypes": []string{scanned},
				"ScannerRoleArn": "arn:aws:iam::123456789012:role/Scanner"}},
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	var created struct{ BackupPlanId, VersionId string }
	srv.awsJSON(t, "us-east-1", &created, "backup", "create-backup-plan", "--backup-plan", plan("INCREMENTAL_SCAN", "EBS"))
	type rule struct {
		TargetLogicallyAirGappedBackupVaultArn string
		IndexActions                           []struct{ ResourceTypes []string }
		ScanActions                            []struct{ MalwareScanner, ScanMode string }
		Lifecycle                              struct{ OptInToArchiveForSupportedResources bool }
	}
	var got struct {
		BackupPlan struct {
			Rules        []rule
			ScanSettings []struct{ ResourceTypes []string }
		}
	}
	srv.awsJSON(t, "us-east-1", &got, "backup", "get-backup-plan", "--backup-plan-id", created.BackupPlanId)
	r := got.BackupPlan.Rules[0]
	if !strings.HasSuffix(r.TargetLogicallyAirGappedBackupVaultArn, ":backup-vault:air-gapped") || len(r.IndexActions) != 1 ||
		r.IndexActions[0].ResourceTypes[0] != "EBS" || r.ScanActions[0].ScanMode != "INCREMENTAL_SCAN" ||
		!r.Lifecycle.OptInToArchiveForSupportedResources || got.BackupPlan.ScanSettings[0].ResourceTypes[0] != "EBS" {
		t.Errorf("get-backup-plan = %+v", got.BackupPlan)
	}

	var updated struct {
		VersionId    string
		ScanSettings []struct{ ResourceTypes []string }
	}
	srv.awsJSON(t, "us-east-1", &updated, "backup", "update-backup-plan", "--backup-plan-id", created.BackupPlanId,
		"--backup-plan", plan("FULL_SCAN", "S3"))
	if len(updated.ScanSettings) != 1 || updated.ScanSettings[0].ResourceTypes[0] != "S3" {
		t.Errorf("update-backup-plan ScanSettings = %+v", updated.ScanSettings)
	}
	srv.awsJSON(t, "us-east-1", &got, "backup", "get-backup-plan", "--backup-plan-id", created.BackupPlanId)
	if got.BackupPlan.Rules[0].ScanActions[0].ScanMode != "FULL_SCAN" {
		t.Errorf("after the update: %+v", got.BackupPlan.Rules[0].ScanActions)
	}
	var versions struct{ BackupPlanVersionsList []struct{ VersionId string } }
	srv.awsJSON(t, "us-east-1", &versions, "backup", "list-backup-plan-versions", "--backup-plan-id", created.BackupPlanId)
	if l := versions.BackupPlanVersionsList; len(l) != 2 || l[0].VersionId != created.VersionId || l[1].VersionId != updated.VersionId {
		t.Errorf("versions %+v, want %s then %s", l, created.VersionId, updated.VersionId)
	}

	bad := strings.Replace(plan("FULL_SCAN", "S3"), `"ResourceTypes":["EBS"]`, `"ResourceTypes":["EBS","S3"]`, 1)
	out := srv.awsFail(t, "us-east-1", "backup", "create-backup-plan", "--backup-plan", strings.Replace(bad, "scanned", "other", 1))
	if !strings.Contains(out, "InvalidParameterValueException") || !strings.Contains(out, "Error in rule daily : An IndexAction must name exactly one resource type") {
		t.Errorf("two index types: %s", out)
	}
}

// TestBackupBytesMetricWithBoto3: a plan whose selection picks two DB instances starts a
// job per instance, none of them a parent (AWS makes composite jobs only of composite
// resources); each backup and its copy to us-west-2 add their BytesTransferred to
// xregion_backup_bytes_transferred_total, by job, Regions and resource type.
func TestBackupBytesMetricWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import json, os, time, urllib.request, boto3

east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
rds = boto3.client("rds", region_name="us-east-1")
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
`+pythonWait+pythonMoved+`
dbs = []
for name in ("app1", "app2"):
    dbs.append(rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", EngineVersion="13.4",
        DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="secretpass1",
        StorageEncrypted=True)["DBInstance"]["DBInstanceArn"])
    wait(lambda: rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"], "available")
east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr")["BackupVaultArn"]
plan = east.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
    "RuleName": "daily", "TargetBackupVaultName": "prod", "ScheduleExpression": "cron(0 5 ? * * *)",
    "CopyActions": [{"DestinationBackupVaultArn": dst}]}]})
east.create_backup_selection(BackupPlanId=plan["BackupPlanId"],
    BackupSelection={"SelectionName": "apps", "IamRoleArn": role, "Resources": dbs})
admin("POST", "clock", {"advance": "24h"})
wait(lambda: [j["State"] for j in east.list_copy_jobs()["CopyJobs"]], ["COMPLETED"] * 2)

backups = east.list_backup_jobs()["BackupJobs"]
assert sorted(b["ResourceArn"] for b in backups) == sorted(dbs), backups
for b in backups:
    d = east.describe_backup_job(BackupJobId=b["BackupJobId"])
    assert not d["IsParent"] and "ParentJobId" not in d and d.get("NumberOfChildJobs", 0) == 0, d
    assert d["MessageCategory"] == "SUCCESS" and d["CreatedBy"]["BackupRuleName"] == "daily", d
    assert east.list_backup_jobs(ByParentJobId=b["BackupJobId"])["BackupJobs"] == []
assert len(east.list_backup_jobs(ByMessageCategory="SUCCESS")["BackupJobs"]) == 2
copies = east.list_copy_jobs()["CopyJobs"]
assert all(not c["IsParent"] and "ParentJobId" not in c for c in copies), copies

def series(job, dst_region):
    text = urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_xregion/metrics").read().decode()
    want = 'xregion_backup_bytes_transferred_total{destination_region="%s",job="%s",resource_type="RDS",source_region="us-east-1"} ' % (dst_region, job)
    for line in text.splitlines():
        if line.startswith(want):
            return float(line[len(want):])
    raise SystemExit("no series " + want + " in\n" + text)

backed_up = sum(b["BytesTransferred"] for b in backups)
copied = sum(moved(c["CopyJobId"]) for c in copies)
assert series("BACKUP", "us-east-1") == backed_up, (series("BACKUP", "us-east-1"), backed_up)
assert series("COPY", "us-west-2") == copied, (series("COPY", "us-west-2"), copied)
print(len(backups), len(copies), copied == 2 * (20 << 30))
`)
	if got := strings.TrimSpace(out); got != "2 2 True" {
		t.Errorf("boto3 script printed %q, want %q", got, "2 2 True")
	}
}
