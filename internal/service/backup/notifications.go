package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// A vault's notifications: the SNS topic its events go to, and the events the user chose.
// Events are published through port.Notifier in the transaction of the step that causes
// them, so a rolled-back step sends nothing. Of the events the API accepts, AWS sends
// only those its documentation lists as supported (notifiedEvents); the deprecated ones
// (BACKUP_JOB_SUCCESSFUL, BACKUP_JOB_FAILED, ...) are accepted and never sent, as AWS
// does. BACKUP_JOB_COMPLETED and RESTORE_JOB_COMPLETED are sent whatever the job's end
// (COMPLETED, FAILED, EXPIRED, ABORTED), with the end as the State attribute; a copy job
// sends COPY_JOB_SUCCESSFUL or COPY_JOB_FAILED. Job events go to the vault the job
// works in: a backup's vault, a copy's source vault (where the copy job is listed), a
// restore's recovery point's vault.
type vaultNotifications struct {
	Topic  string   `json:"topic"`
	Events []string `json:"events"`
}

// notifiedEvents are the events AWS Backup sends.
var notifiedEvents = map[string]bool{
	backupapi.BackupVaultEventBackupJobStarted: true, backupapi.BackupVaultEventBackupJobCompleted: true,
	backupapi.BackupVaultEventCopyJobStarted: true, backupapi.BackupVaultEventCopyJobSuccessful: true,
	backupapi.BackupVaultEventCopyJobFailed: true, backupapi.BackupVaultEventRestoreJobStarted: true,
	backupapi.BackupVaultEventRestoreJobCompleted: true, backupapi.BackupVaultEventRecoveryPointModified: true,
}

const (
	notificationSubject = "Notification from AWS Backup"
	publisher           = "backup.amazonaws.com"
)

// checkTopicARN refuses a topic ARN that is not an SNS topic's.
func checkTopicARN(topicARN string) error {
	a, err := arn.Parse(topicARN)
	if err != nil || a.Service != "sns" || a.Resource == "" || strings.Contains(a.Resource, ":") {
		return msgBadTopic.New(topicARN)
	}
	return nil
}

func (s *Service) PutBackupVaultNotifications(ctx context.Context, in *backupapi.PutBackupVaultNotificationsInput) (*awsmodel.Empty, error) {
	if err := checkTopicARN(*in.SNSTopicArn); err != nil {
		return nil, err
	}
	events := slices.Clone(in.BackupVaultEvents)
	slices.Sort(events)
	events = slices.Compact(events)
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		v.Notifications = &vaultNotifications{Topic: *in.SNSTopicArn, Events: events}
		return nil
	})
}

func (s *Service) GetBackupVaultNotifications(ctx context.Context, in *backupapi.GetBackupVaultNotificationsInput) (*backupapi.GetBackupVaultNotificationsOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.GetBackupVaultNotificationsOutput, error) {
		v, err := getVault(c.In(tx), *in.BackupVaultName)
		if err != nil {
			return nil, err
		}
		if v.Notifications == nil {
			return nil, msgNoNotifications.New(v.Name)
		}
		return &backupapi.GetBackupVaultNotificationsOutput{
			BackupVaultName: new(v.Name), BackupVaultArn: new(v.ARN), SNSTopicArn: new(v.Notifications.Topic),
			BackupVaultEvents: slices.Clone(v.Notifications.Events),
		}, nil
	})
}

func (s *Service) DeleteBackupVaultNotifications(ctx context.Context, in *backupapi.DeleteBackupVaultNotificationsInput) (*awsmodel.Empty, error) {
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		v.Notifications = nil
		return nil
	})
}

// event is one notification of a vault: its type, the text AWS writes, and the
// attributes AWS sets (EventType, State, Id, ...).
type event struct {
	Type, Text string
	Attrs      map[string]string
}

// notify publishes e to the topic of the vault of v called vaultName, if the vault asks
// for e's type. A topic that is gone or refuses AWS Backup drops the notification, as AWS
// does; that is logged.
func (s *Service) notify(tx kit.Tx, v kit.View, vaultName string, e event) error {
	if s.notifier == nil {
		return nil // SNS is not built: there is no topic to publish to
	}
	vault, err := vaults.Get(v, vaultName)
	if err != nil || vault == nil || vault.Notifications == nil || !notifiedEvents[e.Type] || !slices.Contains(vault.Notifications.Events, e.Type) {
		return err
	}
	attrs := map[string]string{"EventType": e.Type, "AccountId": v.Account()}
	for k, val := range e.Attrs {
		attrs[k] = val
	}
	err = s.notifier.Publish(tx, vault.Notifications.Topic, port.Notification{
		Subject: notificationSubject, Message: e.Text, Attributes: attrs,
		Publisher: publisher, SourceAccount: v.Account(), SourceARN: vault.ARN,
	})
	if errors.Is(err, port.ErrNoTopic) {
		s.Log.Warn("backup: a vault notification was dropped", "vault", vault.ARN, "topic", vault.Notifications.Topic, "event", e.Type)
		return nil
	}
	return err
}

// backupJobEvent is the notification of a backup job's start or end.
func backupJobEvent(j *backupJobRec) event {
	attrs := map[string]string{"Id": j.ID, "State": j.State, "StartTime": j.Created.UTC().Format(time.RFC3339)}
	if j.State == backupapi.BackupJobStateRunning {
		return event{Type: backupapi.BackupVaultEventBackupJobStarted, Attrs: attrs,
			Text: fmt.Sprintf("An AWS Backup job was started. Resource ARN : %s. BackupJob ID : %s", j.ResourceARN, j.ID)}
	}
	text := fmt.Sprintf("An AWS Backup job was completed successfully. Recovery point ARN: %s. Resource ARN : %s. BackupJob ID : %s",
		j.RecoveryPointARN, j.ResourceARN, j.ID)
	if j.State != backupapi.BackupJobStateCompleted {
		text = fmt.Sprintf("An AWS Backup job ended %s. Resource ARN : %s. BackupJob ID : %s. Status message : %s",
			j.State, j.ResourceARN, j.ID, j.StatusMessage)
	}
	return event{Type: backupapi.BackupVaultEventBackupJobCompleted, Text: text, Attrs: attrs}
}

// copyJobEvent is the notification of a copy job's start or end.
func copyJobEvent(j *copyJobRec) event {
	attrs := map[string]string{"Id": j.ID, "State": j.State, "StartTime": j.Created.UTC().Format(time.RFC3339)}
	switch j.State {
	case backupapi.CopyJobStateRunning:
		return event{Type: backupapi.BackupVaultEventCopyJobStarted, Attrs: attrs,
			Text: fmt.Sprintf("An AWS Backup copy job was started. Recovery point ARN : %s. CopyJob ID : %s", j.SourceRP, j.ID)}
	case backupapi.CopyJobStateCompleted:
		return event{Type: backupapi.BackupVaultEventCopyJobSuccessful, Attrs: attrs,
			Text: fmt.Sprintf("An AWS Backup copy job was completed successfully. Recovery point ARN : %s. Destination recovery point ARN : %s. CopyJob ID : %s",
				j.SourceRP, j.DestRP, j.ID)}
	}
	return event{Type: backupapi.BackupVaultEventCopyJobFailed, Attrs: attrs,
		Text: fmt.Sprintf("An AWS Backup copy job failed. Recovery point ARN : %s. CopyJob ID : %s. Status message : %s", j.SourceRP, j.ID, j.StatusMessage)}
}
