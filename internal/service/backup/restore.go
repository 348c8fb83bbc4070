package backup

import (
	"context"
	"errors"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
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
}

func (s *Service) startRestoreJob(ctx context.Context, in *backupapi.StartRestoreJobInput) (*backupapi.StartRestoreJobOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	if in.IamRoleArn != nil {
		if err := checkRole(*in.IamRoleArn); err != nil {
			return nil, err
		}
	}
	if in.ResourceType != nil && *in.ResourceType != resourceTypeRDS {
		return nil, invalidParameter("Resource type %s is not supported: recovery points here are of RDS DB instances", *in.ResourceType)
	}
	if in.Metadata[metaInstanceID] == "" {
		return nil, invalidParameter("Restore metadata must name the DB instance to create: %s is missing", metaInstanceID)
	}
	var j restoreJobRec
	err := s.st.Update(func(tx store.Tx) error {
		token := deref(in.IdempotencyToken)
		if id := tokenJob(tx, sc, kindRestoreJob, token); id != "" {
			if found, err := store.GetJSON(tx, sc.Key(kindRestoreJob, id), &j); found || err != nil {
				return err
			}
		}
		rp, err := recoveryPointByARN(tx, sc, *in.RecoveryPointArn)
		if err != nil {
			return err
		}
		j = restoreJobRec{
			ID: newJobID(), Status: backupapi.RestoreJobStatusPending, RecoveryPoint: rp.ARN, RPCreated: rp.Created,
			Metadata: in.Metadata, IAMRole: deref(in.IamRoleArn), Created: s.clock.Now(), Size: rp.Size,
		}
		if token != "" {
			if err := tx.Put(sc.Key(kindToken, kindRestoreJob, token), []byte(j.ID)); err != nil {
				return err
			}
		}
		if err := store.PutJSON(tx, sc.Key(kindRestoreJob, j.ID), &j); err != nil {
			return err
		}
		return s.enqueue(tx, jobRestore, "restore/"+j.ID, jobRef{Account: sc.Account, Region: sc.Region, ID: j.ID}, s.jobs.After())
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartRestoreJobOutput{RestoreJobId: str(j.ID)}, nil
}

// runRestoreJob moves a restore job along: PENDING → RUNNING → COMPLETED, when RDS has
// created the DB instance from the snapshot (it goes on through its own creating →
// available life cycle).
func (s *Service) runRestoreJob(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref jobRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := store.Scope{Account: ref.Account, Region: ref.Region, Service: serviceName}
	var j restoreJobRec
	found, err := store.GetJSON(tx, sc.Key(kindRestoreJob, ref.ID), &j)
	if err != nil || !found || j.Status != backupapi.RestoreJobStatusPending && j.Status != backupapi.RestoreJobStatusRunning {
		return err
	}
	save := func() error { return store.PutJSON(tx, sc.Key(kindRestoreJob, j.ID), &j) }
	if j.Status == backupapi.RestoreJobStatusPending {
		j.Status = backupapi.RestoreJobStatusRunning
		if err := s.enqueue(tx, jobRestore, job.Key, ref, s.jobs.After()); err != nil {
			return err
		}
		return save()
	}
	now := s.clock.Now()
	rp, err := recoveryPointByARN(tx, sc, j.RecoveryPoint)
	if err != nil && !isAWSError(err) {
		return err
	}
	var created string
	if err == nil {
		created, err = s.rds().Restore(kit.Adopt(tx), sc.Account, sc.Region, rp.ARN, j.Metadata)
	}
	switch {
	case isAWSError(err):
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, "Recovery point "+j.RecoveryPoint+" no longer exists"
	case errors.Is(err, port.ErrCannotProtect):
		j.Status, j.StatusMessage = backupapi.RestoreJobStatusFailed, failureText(err)
	case err != nil:
		return err
	default:
		j.Status, j.CreatedARN = backupapi.RestoreJobStatusCompleted, created
		rp.LastRestore = &now
		if err := s.putRecoveryPoint(tx, sc, rp, false); err != nil {
			return err
		}
	}
	j.Completed = &now
	return save()
}

func restoreJobOut(account string, j *restoreJobRec) backupapi.RestoreJobsListMember {
	out := backupapi.RestoreJobsListMember{
		AccountId: str(account), RestoreJobId: str(j.ID), RecoveryPointArn: str(j.RecoveryPoint), CreationDate: timePtr(j.Created),
		CompletionDate: j.Completed, Status: str(j.Status), StatusMessage: nonEmpty(j.StatusMessage), BackupSizeInBytes: &j.Size,
		IamRoleArn: nonEmpty(j.IAMRole), CreatedResourceArn: nonEmpty(j.CreatedARN), ResourceType: str(resourceTypeRDS),
		RecoveryPointCreationDate: timePtr(j.RPCreated),
	}
	if j.Status == backupapi.RestoreJobStatusCompleted {
		out.PercentDone = str(percentDone)
	}
	return out
}

func (s *Service) describeRestoreJob(ctx context.Context, in *backupapi.DescribeRestoreJobInput) (*backupapi.DescribeRestoreJobOutput, error) {
	info := request.From(ctx)
	var j restoreJobRec
	err := s.st.View(func(tx store.Tx) error {
		found, err := store.GetJSON(tx, scopeOf(info).Key(kindRestoreJob, *in.RestoreJobId), &j)
		if err == nil && !found {
			err = backupapi.ErrResourceNotFound.New("Cannot find restore job ID %s", *in.RestoreJobId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	o := restoreJobOut(info.Account, &j)
	return &backupapi.DescribeRestoreJobOutput{
		AccountId: o.AccountId, RestoreJobId: o.RestoreJobId, RecoveryPointArn: o.RecoveryPointArn, CreationDate: o.CreationDate,
		CompletionDate: o.CompletionDate, Status: o.Status, StatusMessage: o.StatusMessage, PercentDone: o.PercentDone,
		BackupSizeInBytes: o.BackupSizeInBytes, IamRoleArn: o.IamRoleArn, CreatedResourceArn: o.CreatedResourceArn,
		ResourceType: o.ResourceType, RecoveryPointCreationDate: o.RecoveryPointCreationDate,
	}, nil
}

func (s *Service) listRestoreJobs(ctx context.Context, in *backupapi.ListRestoreJobsInput) (*backupapi.ListRestoreJobsOutput, error) {
	info := request.From(ctx)
	out := &backupapi.ListRestoreJobsOutput{RestoreJobs: []backupapi.RestoreJobsListMember{}}
	if in.ByAccountId != nil && *in.ByAccountId != info.Account {
		return out, nil
	}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out.NextToken, err = scanPage(tx, scopeOf(info).Prefix(kindRestoreJob), in.NextToken, in.MaxResults, func(j *restoreJobRec) bool {
			switch {
			case in.ByStatus != nil && *in.ByStatus != j.Status,
				in.ByResourceType != nil && *in.ByResourceType != resourceTypeRDS,
				in.ByRestoreTestingPlanArn != nil,
				!inRange(&j.Created, in.ByCreatedAfter, in.ByCreatedBefore),
				!inRange(j.Completed, in.ByCompleteAfter, in.ByCompleteBefore):
				return false
			}
			out.RestoreJobs = append(out.RestoreJobs, restoreJobOut(info.Account, j))
			return true
		})
		return err
	})
	return out, err
}
