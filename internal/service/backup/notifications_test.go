package backup_test

import (
	"slices"
	"strings"
	"testing"

	bk "github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

// TestVaultNotifications: a vault's chosen events go to its topic as the jobs move —
// deprecated events are accepted and never sent — with AWS's attributes; a topic that is
// gone drops them; deleting the notifications stops them.
func TestVaultNotifications(t *testing.T) {
	rds := newProtector()
	s := startSolo(t, []*protector{rds})
	s.vault("us-east-1", "prod", false)
	west, key := s.vault("us-west-2", "dr", true)
	topic := "arn:aws:sns:us-east-1:" + kittest.Account + ":backup-events"
	s.sns.topics[topic] = true

	_, err := kittest.Call(s.h, "us-east-1", bk.OpGetBackupVaultNotifications, &bk.GetBackupVaultNotificationsInput{BackupVaultName: new("prod")})
	wantMessage(t, err, bk.ErrResourceNotFound, "prod")
	_, err = kittest.Call(s.h, "us-east-1", bk.OpPutBackupVaultNotifications, &bk.PutBackupVaultNotificationsInput{
		BackupVaultName: new("prod"), SNSTopicArn: new("arn:aws:sqs:us-east-1:" + kittest.Account + ":q"), BackupVaultEvents: []string{"BACKUP_JOB_COMPLETED"},
	})
	wantMessage(t, err, bk.ErrInvalidParameterValue, "Invalid SNS topic ARN")
	chosen := []string{"BACKUP_JOB_COMPLETED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED", "BACKUP_JOB_SUCCESSFUL", "RECOVERY_POINT_MODIFIED"}
	if err := putNotifications(s, "prod", topic, chosen); err != nil {
		t.Fatal(err)
	}
	got := kittest.Must[*bk.GetBackupVaultNotificationsOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpGetBackupVaultNotifications, &bk.GetBackupVaultNotificationsInput{BackupVaultName: new("prod")}))
	if *got.SNSTopicArn != topic || len(got.BackupVaultEvents) != len(chosen) || !strings.HasSuffix(*got.BackupVaultArn, ":backup-vault:prod") {
		t.Errorf("notifications %+v", got)
	}

	j := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db", nil))
	s.copy("us-east-1", "prod", *j.RecoveryPointArn, west)
	s.keys.SetState(key, "Disabled")
	s.copy("us-east-1", "prod", *j.RecoveryPointArn, west)
	kittest.Must[*bk.UpdateRecoveryPointLifecycleOutput](t)(kittest.Call(s.h, "us-east-1", bk.OpUpdateRecoveryPointLifecycle, &bk.UpdateRecoveryPointLifecycleInput{
		BackupVaultName: new("prod"), RecoveryPointArn: j.RecoveryPointArn, Lifecycle: &bk.Lifecycle{DeleteAfterDays: new(int64(30))},
	}))
	want := []string{"BACKUP_JOB_COMPLETED", "COPY_JOB_SUCCESSFUL", "COPY_JOB_FAILED", "RECOVERY_POINT_MODIFIED"}
	if events := s.sns.events(); !slices.Equal(events, want) {
		t.Fatalf("published %v, want %v", events, want)
	}
	done := s.sns.published[0]
	if done.Subject != "Notification from AWS Backup" || done.Attributes["State"] != "COMPLETED" || done.Attributes["Id"] != *j.BackupJobId ||
		done.Publisher != "backup.amazonaws.com" || done.SourceAccount != kittest.Account || !strings.Contains(done.Message, *j.RecoveryPointArn) {
		t.Errorf("BACKUP_JOB_COMPLETED %+v", done)
	}

	// A topic that is gone drops the notification; the job is not held back.
	delete(s.sns.topics, topic)
	if j := s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db2", nil)); *j.State != bk.BackupJobStateCompleted {
		t.Errorf("a job whose vault's topic is gone: %s", *j.State)
	}
	s.sns.topics[topic] = true
	if err := deleteNotifications(s, "prod"); err != nil {
		t.Fatal(err)
	}
	s.backUp("us-east-1", "prod", rds.add(kittest.Account, "us-east-1", "db3", nil))
	if n := len(s.sns.events()); n != len(want) {
		t.Errorf("%d notifications after they were deleted, want %d", n, len(want))
	}
}

func putNotifications(s *solo, vault, topic string, events []string) error {
	_, err := kittest.Call(s.h, "us-east-1", bk.OpPutBackupVaultNotifications, &bk.PutBackupVaultNotificationsInput{
		BackupVaultName: new(vault), SNSTopicArn: new(topic), BackupVaultEvents: events,
	})
	return err
}

func deleteNotifications(s *solo, vault string) error {
	_, err := kittest.Call(s.h, "us-east-1", bk.OpDeleteBackupVaultNotifications, &bk.DeleteBackupVaultNotificationsInput{BackupVaultName: new(vault)})
	return err
}
