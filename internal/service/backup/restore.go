package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// metaInstanceID is the restore metadata key that names the DB instance to create.
const metaInstanceID = "DBInstanceIdentifier"

// restoreJobRec is a restore job, in the Region of its recovery point.
type restoreJobRec struct {
	ID            string            `json:"id"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"statusMessage,omitempty"`
	RecoveryPoint string            `json:"recoveryPoint"`
	RPCreated     time.Time         `json:"rpCreated"`
	Metadata      map[string]string `json:"metadata"`
	IAMRole       string            `json:"iamRole"`
	Created       time.Time         `json:"created"`
	Completed     *time.Time        `json:"completed,omitempty"`
	Size          int64             `json:"size"`
	CreatedARN    string            `json:"createdArn,omitempty"`
	// ResourceType is AWS Backup's type of the resource ("" in records of the first
	// release, which were all RDS).
	ResourceType string `json:"resourceType,omitempty"`
	// A restore test's job: its plan, its validation window, what its validation said
	// and what became of the restored resource.
	TestPlanARN       string `json:"testPlanArn,omitempty"`
	ValidationHours   int64  `json:"validationHours,omitempty"`
	ValidationStatus  string `json:"validationStatus,omitempty"`
	ValidationMessage string `json:"validationMessage,omitempty"`
	DeletionStatus    string `json:"deletionStatus,omitempty"`
	DeletionMessage   string `json:"deletionMessage,omitempty"`
	CleanupJob        string `json:"cleanupJob,omitempty"` // the armed deletion
}

func (j *restoreJobRec) resourceType() string {
	if j.ResourceType == "" {
		return typeRDS
	}
	return j.ResourceType
}

// checkRestoreInput checks what StartRestoreJob needs beyond the model.
func (s *Service) checkRestoreInput(in *backupapi.StartRestoreJobInput) error {
	if in.IamRoleArn != nil {
		if err := checkRole(*in.IamRoleArn); err != nil {
			return err
		}
	}
	if in.ResourceType != nil {
		if _, ok := s.protector(*in.ResourceType); !ok {
			return msgRestoreType.New(*in.ResourceType, strings.Join(s.supportedTypes(), ", "))
		}
	}
	return nil
}

// checkRestoreMetadata checks that the metadata says what to create from rp: for an
// RDS snapshot, the DB instance's identifier.
func checkRestoreMetadata(rp *recoveryRec, metadata map[string]string) error {
	if rp.resourceType() == typeRDS && metadata[metaInstanceID] == "" {
		return msgRestoreNeedsName.New(metaInstanceID)
	}
	return nil
}

func (s *Service) StartRestoreJob(ctx context.Context, in *backupapi.StartRestoreJobInput) (*backupapi.StartRestoreJobOutput, error) {
	c := s.Call(ctx)
	if err := s.checkRestoreInput(in); err != nil {
		return nil, err
	}
	token := deref(in.IdempotencyToken)
	j, err := kit.Write(s.Kit, func(tx kit.Tx) (*restoreJobRec, error) {
		v := c.In(tx)
		if prev, err := retriedJob(v, restoreJobs, token); prev != nil || err != nil {
			return prev, err
		}
		rp, err := recoveryPointByARN(v, *in.RecoveryPointArn)
		if err != nil {
			return nil, err
		}
		if err := checkRestoreMetadata(rp, in.Metadata); err != nil {
			return nil, err
		}
		if err := s.ensureDefaultRole(tx, c, deref(in.IamRoleArn)); err != nil {
			return nil, err
		}
		j := &restoreJobRec{
			ID: newJobID(), Status: backupapi.RestoreJobStatusPending, RecoveryPoint: rp.ARN, RPCreated: rp.Created,
			Metadata: in.Metadata, IAMRole: deref(in.IamRoleArn), Created: c.Now(), Size: rp.Size, ResourceType: rp.resourceType(),
		}
		if err := rememberToken(v, restoreJobs, token, j.ID); err != nil {
			return nil, err
		}
		if err := restoreJobs.Put(v, j, j.ID); err != nil {
			return nil, err
		}
		_, err = jobRestore.Enqueue(tx, s.After(), refIn(v, j.ID))
		return j, err
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartRestoreJobOutput{RestoreJobId: new(j.ID)}, nil
}

// runRestoreJob moves a restore job along: PENDING → RUNNING → COMPLETED, when RDS has
// created the DB instance from the snapshot (it goes on through its own creating →
// available life cycle).
func (s *Service) runRestoreJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := restoreJobs.Get(v, ref.ID)
	if err != nil || j == nil || j.Status != backupapi.RestoreJobStatusPending && j.Status != backupapi.RestoreJobStatusRunning {
		return err
	}
	if j.Status == backupapi.RestoreJobStatusPending {
		j.Status = backupapi.RestoreJobStatusRunning
		if _, err := jobRestore.Enqueue(tx, s.After(), ref); err != nil {
			return err
		}
	} else if err := s.completeRestore(tx, v, j); err != nil {
		return err
	}
	if err := s.notify(tx, v, idOf(v, recoveryVaults, j.RecoveryPoint), restoreJobEvent(j)); err != nil {
		return err
	}
	return restoreJobs.Put(v, j, j.ID)
}

// restoreJobEvent is the notification of a restore job's start or end.
func restoreJobEvent(j *restoreJobRec) event {
	attrs := map[string]string{"Id": j.ID, "State": j.Status, "StartTime": j.Created.UTC().Format(time.RFC3339)}
	if j.Status == backupapi.RestoreJobStatusRunning {
		return event{Type: backupapi.BackupVaultEventRestoreJobStarted, Attrs: attrs,
			Text: fmt.Sprintf("An AWS Backup restore job was started. Recovery point ARN : %s. RestoreJob ID : %s", j.RecoveryPoint, j.ID)}
	}
	text := fmt.Sprintf("An AWS Backup restore job was completed successfully. Recovery point ARN : %s. Created resource ARN : %s. RestoreJob ID : %s",
		j.RecoveryPoint, j.CreatedARN, j.ID)
	if j.Status != backupapi.RestoreJobStatusCompleted {
		text = fmt.Sprintf("An AWS Backup restore job ended %s. Recovery point ARN : %s. RestoreJob ID : %s. Status message : %s", j.Status, j.RecoveryPoint, j.ID, j.StatusMessage)
	}
	return event{Type: backupapi.BackupVaultEventRestoreJobCompleted, Text: text, Attrs: attrs}
}

// completeRestore creates the resource of a running restore job, or ends the job FAILED
// with the reason.
func (s *Service) completeRestore(tx kit.Tx, v kit.View, j *restoreJobRec) error {
	now := s.Clock.Now()
	j.Completed = &now
	rp, err := recoveryPoints.Get(v, idOf(v, recoveryVaults, j.RecoveryPoint), j.RecoveryPoint)
	if err != nil {
		return err
	}
	if rp == nil {
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, fmt.Sprintf(statusPointGone, j.RecoveryPoint)
		return nil
	}
	p, ok := s.protector(rp.resourceType())
	if !ok {
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, fmt.Sprintf(statusNoProvider, rp.resourceType())
		return nil
	}
	// A restore without a role acts through the default role, as AWS's does.
	role := j.IAMRole
	if role == "" {
		role = arn.New(partitionOf(v.Region()), "iam", "", v.Account(), "role"+defaultRolePath+defaultRoleName)
	}
	if why, err := s.roleProblem(tx, v.Account(), role); why != "" || err != nil {
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, why
		return err
	}
	created, err := p.Restore(tx, v.Account(), v.Region(), rp.imageARN(), j.Metadata)
	switch {
	case errors.Is(err, port.ErrCannotProtect):
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, failureText(err)
		return nil
	case err != nil:
		return err
	}
	j.Status, j.CreatedARN = backupapi.RestoreJobStatusCompleted, created
	if j.TestPlanARN != "" {
		if err := armCleanup(tx, v, j, now.Add(time.Duration(j.ValidationHours)*time.Hour)); err != nil {
			return err
		}
	}
	rp.LastRestore = &now
	return s.putRecoveryPoint(tx, v, rp, false)
}

func restoreJobOut(account string, j *restoreJobRec) backupapi.RestoreJobsListMember {
	out := backupapi.RestoreJobsListMember{
		AccountId: new(account), RestoreJobId: new(j.ID), RecoveryPointArn: new(j.RecoveryPoint), CreationDate: new(j.Created),
		CompletionDate: j.Completed, Status: new(j.Status), StatusMessage: nonEmpty(j.StatusMessage), BackupSizeInBytes: &j.Size,
		IamRoleArn: nonEmpty(j.IAMRole), CreatedResourceArn: nonEmpty(j.CreatedARN), ResourceType: new(j.resourceType()),
		RecoveryPointCreationDate: new(j.RPCreated), IsParent: new(false), // no restore here is composite (see backupJobFilter)
	}
	if j.Status == backupapi.RestoreJobStatusCompleted {
		out.PercentDone = new(percentDone)
	}
	if j.TestPlanARN != "" {
		out.CreatedBy = &backupapi.RestoreJobCreator{RestoreTestingPlanArn: new(j.TestPlanARN)}
		out.ValidationStatus, out.ValidationStatusMessage = nonEmpty(j.ValidationStatus), nonEmpty(j.ValidationMessage)
		out.DeletionStatus, out.DeletionStatusMessage = nonEmpty(j.DeletionStatus), nonEmpty(j.DeletionMessage)
	}
	return out
}

func (s *Service) DescribeRestoreJob(ctx context.Context, in *backupapi.DescribeRestoreJobInput) (*backupapi.DescribeRestoreJobOutput, error) {
	c := s.Call(ctx)
	j, err := readRecord(s, c, restoreJobs, *in.RestoreJobId, msgRestoreNotFound)
	if err != nil {
		return nil, err
	}
	o := restoreJobOut(c.Account, j)
	return &backupapi.DescribeRestoreJobOutput{
		AccountId: o.AccountId, RestoreJobId: o.RestoreJobId, RecoveryPointArn: o.RecoveryPointArn, CreationDate: o.CreationDate,
		CompletionDate: o.CompletionDate, Status: o.Status, StatusMessage: o.StatusMessage, PercentDone: o.PercentDone,
		BackupSizeInBytes: o.BackupSizeInBytes, IamRoleArn: o.IamRoleArn, CreatedResourceArn: o.CreatedResourceArn,
		ResourceType: o.ResourceType, RecoveryPointCreationDate: o.RecoveryPointCreationDate, CreatedBy: o.CreatedBy,
		ValidationStatus: o.ValidationStatus, ValidationStatusMessage: o.ValidationStatusMessage,
		DeletionStatus: o.DeletionStatus, DeletionStatusMessage: o.DeletionStatusMessage, IsParent: o.IsParent,
	}, nil
}

// restoreJobFilter is ListRestoreJobs' filters as one test.
func restoreJobFilter(in *backupapi.ListRestoreJobsInput) func(*restoreJobRec) bool {
	f := jobFilters{State: in.ByStatus, ResourceType: in.ByResourceType,
		CreatedAfter: in.ByCreatedAfter, CreatedBefore: in.ByCreatedBefore, CompleteAfter: in.ByCompleteAfter, CompleteBefore: in.ByCompleteBefore}
	return func(j *restoreJobRec) bool {
		return f.pass(j.Status, j.resourceType(), j.Created, j.Completed) && matches(in.ByRestoreTestingPlanArn, j.TestPlanARN)
	}
}

func (s *Service) ListRestoreJobs(ctx context.Context, in *backupapi.ListRestoreJobsInput) (*backupapi.ListRestoreJobsOutput, error) {
	c := s.Call(ctx)
	q := listQuery[restoreJobRec]{Op: "ListRestoreJobs", Account: in.ByAccountId, Token: in.NextToken, Max: in.MaxResults, Keep: restoreJobFilter(in),
		Created: func(j *restoreJobRec) (time.Time, string) { return j.Created, j.ID }, Newest: true}
	jobs, next, err := listByCreation(s, c, q, restoreJobs, func(j *restoreJobRec) backupapi.RestoreJobsListMember { return restoreJobOut(c.Account, j) })
	return &backupapi.ListRestoreJobsOutput{RestoreJobs: jobs, NextToken: next}, err
}
