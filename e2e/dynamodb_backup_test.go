package e2e

import (
	"strings"
	"testing"
)

// TestDynamoDBAWSBackupCrossRegionWithBoto3: AWS Backup backs up a DynamoDB table; its
// copy to us-west-2 is refused without advanced DynamoDB backup and made with it,
// encrypted with the destination vault's key; a restore there brings the items back.
func TestDynamoDBAWSBackupCrossRegionWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import time, boto3

east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
ddb = boto3.client("dynamodb", region_name="us-east-1")
ddbw = boto3.client("dynamodb", region_name="us-west-2")
key = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
`+pythonWait+`
table = ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])["TableDescription"]["TableArn"]
ddb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 1})
for i in range(100):
    ddb.put_item(TableName="orders", Item={"pk": {"S": "order-%03d" % i}, "total": {"N": str(i)}})

east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr", EncryptionKeyArn=key)["BackupVaultArn"]
job = east.start_backup_job(BackupVaultName="prod", ResourceArn=table, IamRoleArn=role)
wait(lambda: east.describe_backup_job(BackupJobId=job["BackupJobId"])["State"], "COMPLETED")
rp = east.describe_backup_job(BackupJobId=job["BackupJobId"])["RecoveryPointArn"]
# Without advanced DynamoDB backup the recovery point is the table's backup, unknown
# until the job takes it: StartBackupJob answers no ARN, as AWS answers one only for EFS
# and advanced DynamoDB.
assert "RecoveryPointArn" not in job, job
assert rp.startswith(table + "/backup/"), rp

def copy():
    cj = east.start_copy_job(RecoveryPointArn=rp, SourceBackupVaultName="prod",
        DestinationBackupVaultArn=dst, IamRoleArn=role)["CopyJobId"]
    for _ in range(500):
        j = east.describe_copy_job(CopyJobId=cj)["CopyJob"]
        if j["State"] in ("COMPLETED", "FAILED"):
            return j
        time.sleep(0.02)
    raise SystemExit("copy still %s" % j["State"])

refused = None
try:
    j = copy()
    if j["State"] == "FAILED":
        refused = j.get("StatusMessage")
except east.exceptions.InvalidParameterValueException as e:
    refused = str(e)
assert refused, "a cross-Region copy of a DynamoDB backup was made without advanced backup"

east.update_region_settings(ResourceTypeManagementPreference={"DynamoDB": True})
j = copy()
assert j["State"] == "COMPLETED", j
assert j["DestinationRecoveryPointArn"].startswith("arn:aws:dynamodb:us-west-2:123456789012:table/orders/backup/"), j

# With advanced backup, AWS Backup names the recovery point itself, from the start.
adv = east.start_backup_job(BackupVaultName="prod", ResourceArn=table, IamRoleArn=role)
want = "arn:aws:backup:us-east-1:123456789012:recovery-point:" + adv["BackupJobId"].lower()
assert adv["RecoveryPointArn"] == want, adv
wait(lambda: east.describe_backup_job(BackupJobId=adv["BackupJobId"])["State"], "COMPLETED")
assert east.describe_recovery_point(BackupVaultName="prod", RecoveryPointArn=want)["ResourceType"] == "DynamoDB"
rps = west.list_recovery_points_by_backup_vault(BackupVaultName="dr")["RecoveryPoints"]
assert len(rps) == 1 and rps[0]["EncryptionKeyArn"] == key, rps

rj = west.start_restore_job(RecoveryPointArn=rps[0]["RecoveryPointArn"], IamRoleArn=role,
    Metadata={"targetTableName": "orders-dr"})["RestoreJobId"]
wait(lambda: west.describe_restore_job(RestoreJobId=rj)["Status"], "COMPLETED")
ddbw.get_waiter("table_exists").wait(TableName="orders-dr", WaiterConfig={"Delay": 1})
n = sum(p["Count"] for p in ddbw.get_paginator("scan").paginate(TableName="orders-dr", Select="COUNT"))
print("ok", n, west.describe_restore_job(RestoreJobId=rj)["CreatedResourceArn"])
`)
	t.Log(out)
	if !strings.HasSuffix(strings.TrimSpace(out), "ok 100 arn:aws:dynamodb:us-west-2:123456789012:table/orders-dr") {
		t.Errorf("boto3 script printed %q", out)
	}
}
