package e2e

import (
	"strings"
	"testing"
)

// TestBackupVaultNotificationsWithBoto3: a vault's notifications reach an http endpoint
// on loopback through a real SNS topic whose policy lets AWS Backup publish: the endpoint
// confirms its subscription, then receives BACKUP_JOB_COMPLETED and COPY_JOB_SUCCESSFUL
// (AWS's name for a completed copy job) as SNS delivers them, signed, with AWS Backup's
// subject, text and attributes; a topic whose policy does not let AWS Backup in gets
// nothing.
func TestBackupVaultNotificationsWithBoto3(t *testing.T) {
	need(t, "python3 cryptography", cryptographyCheck())
	srv := startServer(t)
	out := srv.python(t, "us-east-1", snsEndpointPy+pythonWait+`
import time, boto3
sns = boto3.client("sns")
east = boto3.client("backup", region_name="us-east-1")
west = boto3.client("backup", region_name="us-west-2")
ec2 = boto3.client("ec2", region_name="us-east-1")
role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"

topic = sns.create_topic(Name="backup-events")["TopicArn"]
sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Sid": "backup", "Effect": "Allow",
        "Principal": {"Service": "backup.amazonaws.com"}, "Action": "SNS:Publish", "Resource": topic}]}))
sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook_url, ReturnSubscriptionArn=True)["SubscriptionArn"]
_, doc, _ = next_post("SubscriptionConfirmation")
verify(doc)
assert get(doc["SubscribeURL"])[0] == 200
assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["PendingConfirmation"] == "false"

east.create_backup_vault(BackupVaultName="prod")
dst = west.create_backup_vault(BackupVaultName="dr")["BackupVaultArn"]
east.put_backup_vault_notifications(BackupVaultName="prod", SNSTopicArn=topic,
    BackupVaultEvents=["BACKUP_JOB_COMPLETED", "COPY_JOB_SUCCESSFUL"])
got = east.get_backup_vault_notifications(BackupVaultName="prod")
assert got["SNSTopicArn"] == topic and got["BackupVaultEvents"] == ["BACKUP_JOB_COMPLETED", "COPY_JOB_SUCCESSFUL"], got

vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
wait(lambda: ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["State"], "available")
vol_arn = "arn:aws:ec2:us-east-1:123456789012:volume/" + vol
job = east.start_backup_job(BackupVaultName="prod", ResourceArn=vol_arn, IamRoleArn=role)["BackupJobId"]
wait(lambda: east.describe_backup_job(BackupJobId=job)["State"], "COMPLETED")
rp = east.describe_backup_job(BackupJobId=job)["RecoveryPointArn"]

headers, doc, _ = next_post("Notification")
verify(doc)
assert headers["x-amz-sns-subscription-arn"] == sub and doc["TopicArn"] == topic, headers
assert doc["Subject"] == "Notification from AWS Backup", doc
assert doc["Message"] == "An AWS Backup job was completed successfully. Recovery point ARN: %s. Resource ARN : %s. BackupJob ID : %s" % (rp, vol_arn, job), doc["Message"]
attrs = {k: v["Value"] for k, v in doc["MessageAttributes"].items()}
assert attrs["EventType"] == "BACKUP_JOB_COMPLETED" and attrs["State"] == "COMPLETED" and attrs["Id"] == job, attrs

cj = east.start_copy_job(RecoveryPointArn=rp, SourceBackupVaultName="prod", DestinationBackupVaultArn=dst, IamRoleArn=role)["CopyJobId"]
wait(lambda: east.describe_copy_job(CopyJobId=cj)["CopyJob"]["State"], "COMPLETED")
dest_rp = east.describe_copy_job(CopyJobId=cj)["CopyJob"]["DestinationRecoveryPointArn"]
_, doc, _ = next_post("Notification")
verify(doc)
assert doc["Message"] == "An AWS Backup copy job was completed successfully. Recovery point ARN : %s. Destination recovery point ARN : %s. CopyJob ID : %s" % (rp, dest_rp, cj), doc["Message"]
attrs = {k: v["Value"] for k, v in doc["MessageAttributes"].items()}
assert attrs["EventType"] == "COPY_JOB_SUCCESSFUL" and attrs["State"] == "COMPLETED" and attrs["Id"] == cj, attrs

# A topic that does not let AWS Backup publish: the notification is dropped, as AWS drops it.
closed = sns.create_topic(Name="closed")["TopicArn"]
sns.subscribe(TopicArn=closed, Protocol="http", Endpoint=hook_url)
_, doc, _ = next_post("SubscriptionConfirmation")
get(doc["SubscribeURL"])
east.put_backup_vault_notifications(BackupVaultName="prod", SNSTopicArn=closed, BackupVaultEvents=["BACKUP_JOB_COMPLETED"])
job = east.start_backup_job(BackupVaultName="prod", ResourceArn=vol_arn, IamRoleArn=role)["BackupJobId"]
wait(lambda: east.describe_backup_job(BackupJobId=job)["State"], "COMPLETED")
no_post()
east.delete_backup_vault_notifications(BackupVaultName="prod")
print("ok")
`)
	if strings.TrimSpace(out) != "ok" {
		t.Errorf("script printed %q", out)
	}
}

// TestBackupVaultNotificationsTerraform: aws_sns_topic, aws_sns_topic_policy letting AWS
// Backup publish, aws_sns_topic_subscription to an http endpoint on loopback (which
// confirms it) and aws_backup_vault_notifications apply and plan no change; a backup job
// in the vault then reaches the endpoint as BACKUP_JOB_COMPLETED.
func TestBackupVaultNotificationsTerraform(t *testing.T) {
	srv := startServer(t)
	ep := startSNSEndpoint(t)
	hcl := srv.providers("us-east-1") + `
resource "aws_sns_topic" "backup" {
  name = "backup-events"
}

resource "aws_sns_topic_policy" "backup" {
  arn = aws_sns_topic.backup.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowBackup"
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "SNS:Publish"
      Resource  = aws_sns_topic.backup.arn
    }]
  })
}

resource "aws_sns_topic_subscription" "hook" {
  topic_arn              = aws_sns_topic.backup.arn
  protocol               = "http"
  endpoint               = "` + ep.URL + `"
  endpoint_auto_confirms = true
}

resource "aws_backup_vault" "prod" {
  name          = "prod"
  force_destroy = true # the test's backup leaves a recovery point
}

resource "aws_backup_vault_notifications" "prod" {
  backup_vault_name   = aws_backup_vault.prod.name
  sns_topic_arn       = aws_sns_topic.backup.arn
  backup_vault_events = ["BACKUP_JOB_COMPLETED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED"]
  depends_on          = [aws_sns_topic_policy.backup, aws_sns_topic_subscription.hook]
}

output "topic" { value = aws_sns_topic.backup.arn }
output "vault" { value = aws_backup_vault_notifications.prod.backup_vault_arn }
`
	tf := newTerraform(t, srv, hcl)
	tf.apply()
	topic := tf.output("topic")
	if tf.output("vault") != "arn:aws:backup:us-east-1:123456789012:backup-vault:prod" {
		t.Errorf("vault notifications' vault ARN %s", tf.output("vault"))
	}
	tf.planNoChanges()

	var vol struct{ VolumeId string }
	srv.awsJSON(t, "us-east-1", &vol, "ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "1")
	srv.waitVolume(t, "us-east-1", vol.VolumeId, "available")
	var job struct{ BackupJobId string }
	srv.awsJSON(t, "us-east-1", &job, "backup", "start-backup-job", "--backup-vault-name", "prod",
		"--resource-arn", "arn:aws:ec2:us-east-1:123456789012:volume/"+vol.VolumeId,
		"--iam-role-arn", "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole")
	doc := ep.next(t)
	msg, _ := doc["Message"].(string)
	if doc["TopicArn"] != topic || doc["Subject"] != "Notification from AWS Backup" ||
		!strings.HasPrefix(msg, "An AWS Backup job was completed successfully.") || !strings.HasSuffix(msg, "BackupJob ID : "+job.BackupJobId) {
		t.Errorf("notification %v", doc)
	}
	attrs, _ := doc["MessageAttributes"].(map[string]any)
	if ev, _ := attrs["EventType"].(map[string]any); ev["Value"] != "BACKUP_JOB_COMPLETED" {
		t.Errorf("notification attributes %v", attrs)
	}
	tf.destroy()
}
