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
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// copyJobRec is a copy job, kept in the Region of its source recovery point, where AWS
// Backup lists it.
type copyJobRec struct {
	ID             string                          `json:"id"`
	State          string                          `json:"state"`
	StatusMessage  string                          `json:"statusMessage,omitempty"`
	SourceVault    string                          `json:"sourceVault"`
	SourceVaultARN string                          `json:"sourceVaultArn"`
	SourceRP       string                          `json:"sourceRp"`
	DestVaultARN   string                          `json:"destVaultArn"`
	DestRP         string                          `json:"destRp,omitempty"`
	ResourceARN    string                          `json:"resourceArn"`
	ResourceName   string                          `json:"resourceName"`
	IAMRole        string                          `json:"iamRole"`
	Created        time.Time                       `json:"created"`
	Completed      *time.Time                      `json:"completed,omitempty"`
	Size           int64                           `json:"size"`
	Lifecycle      *backupapi.Lifecycle            `json:"lifecycle,omitempty"`
	CreatedBy      *backupapi.RecoveryPointCreator `json:"createdBy,omitempty"`
	// ByBackupJob is the backup job whose plan rule's copy action started this copy;
	// empty for copies started by StartCopyJob.
	ByBackupJob string `json:"byBackupJob,omitempty"`
}

func (j *copyJobRec) active() bool {
	return j.State == backupapi.CopyJobStateCreated || j.State == backupapi.CopyJobStateRunning
}

// fail ends the job FAILED with a status message.
func (j *copyJobRec) fail(message string, at time.Time) {
	j.State, j.StatusMessage, j.Completed = backupapi.CopyJobStateFailed, message, &at
}

func copySnapshotID(jobID string) string { return "awsbackup:copyjob-" + strings.ToLower(jobID) }

// destVault checks a destination vault ARN for the caller's account and partition.
func destVault(c kit.Call, vaultARN string) error {
	a, perr := arn.Parse(vaultARN)
	name, isVault := strings.CutPrefix(a.Resource, "backup-vault:")
	if perr != nil || a.Service != serviceName || !isVault || !vaultName.MatchString(name) || !regions.Valid(a.Region) {
		return msgBadDestination.New(vaultARN)
	}
	if a.Account != c.Account {
		return msgOtherAccount.New(a.Account)
	}
	if !regions.SamePartition(a.Region, c.Region) {
		return msgOtherPartition.New(c.Region, a.Region)
	}
	return nil
}

// startCopy records a copy job of rp to the vault dstARN names and arms its first step.
func (s *Service) startCopy(tx kit.Tx, v kit.View, rp *recoveryRec, dstARN, role string, lc *backupapi.Lifecycle, by *backupapi.RecoveryPointCreator, byJob string) (*copyJobRec, error) {
	j := &copyJobRec{
		ID: newJobID(), State: backupapi.CopyJobStateCreated, SourceVault: rp.Vault, SourceVaultARN: rp.VaultARN,
		SourceRP: rp.ARN, DestVaultARN: dstARN, ResourceARN: rp.ResourceARN, ResourceName: rp.ResourceName,
		IAMRole: role, Created: s.Clock.Now(), Size: rp.Size, Lifecycle: lc, CreatedBy: by, ByBackupJob: byJob,
	}
	if err := copyJobs.Put(v, j, j.ID); err != nil {
		return nil, err
	}
	_, err := jobCopy.Enqueue(tx, s.After(), refIn(v, j.ID))
	return j, err
}

func (s *Service) startCopyJob(ctx context.Context, in *backupapi.StartCopyJobInput) (*backupapi.StartCopyJobOutput, error) {
	c := s.Call(ctx)
	if err := destVault(c, *in.DestinationBackupVaultArn); err != nil {
		return nil, err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return nil, err
	}
	if err := checkLifecycle("the lifecycle", in.Lifecycle, true); err != nil {
		return nil, err
	}
	token := deref(in.IdempotencyToken)
	j, err := kit.Write(s.Kit, func(tx kit.Tx) (*copyJobRec, error) {
		v := c.In(tx)
		if prev, err := retriedJob(v, copyJobs, token); prev != nil || err != nil {
			return prev, err
		}
		if _, err := getVault(v, *in.SourceBackupVaultName); err != nil {
			return nil, err
		}
		rp, err := getRecoveryPoint(v, *in.SourceBackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return nil, err
		}
		j, err := s.startCopy(tx, v, rp, *in.DestinationBackupVaultArn, *in.IamRoleArn, in.Lifecycle, nil, "")
		if err != nil {
			return nil, err
		}
		return j, rememberToken(v, copyJobs, token, j.ID)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartCopyJobOutput{CopyJobId: new(j.ID), CreationDate: new(j.Created), IsParent: new(false)}, nil
}

// runCopyJob moves a copy job along: CREATED → RUNNING → COMPLETED, when the snapshot is
// copied into the destination Region, re-encrypted with the destination vault's key, and
// stored there as a recovery point. While either Region is unreachable the job stays
// where it is and is retried every ten minutes; after two hours it fails.
func (s *Service) runCopyJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := copyJobs.Get(v, ref.ID)
	if err != nil || j == nil || !j.active() {
		return err
	}
	if err := s.stepCopy(tx, v, j, ref); err != nil {
		return err
	}
	return copyJobs.Put(v, j, j.ID)
}

// stepCopy takes a copy job one step: waits for an unreachable Region, starts it, or
// completes it.
func (s *Service) stepCopy(tx kit.Tx, v kit.View, j *copyJobRec, ref jobRef) error {
	now := s.Clock.Now()
	dst, err := arn.Parse(j.DestVaultARN)
	if err != nil {
		j.fail(fmt.Sprintf(statusBadDestination, j.DestVaultARN), now)
		return nil
	}
	if region, down := s.Unreachable(dst.Region, v.Region()); down {
		if now.Sub(j.Created) >= copyRetryFor {
			j.fail(fmt.Sprintf(statusUnreachable, region), now)
			return nil
		}
		_, err := jobCopy.Enqueue(tx, now.Add(copyRetryEvery), ref)
		return err
	}
	if j.State == backupapi.CopyJobStateCreated {
		j.State = backupapi.CopyJobStateRunning
		_, err := jobCopy.Enqueue(tx, s.After(), ref)
		return err
	}
	return s.completeCopy(tx, v, tx.In(v.Account(), dst.Region), strings.TrimPrefix(dst.Resource, "backup-vault:"), j)
}

// completeCopy copies the source recovery point into the destination vault, or ends the
// job FAILED with the reason.
func (s *Service) completeCopy(tx kit.Tx, v, dv kit.View, vaultName string, j *copyJobRec) error {
	now := s.Clock.Now()
	vault, err := vaults.Get(dv, vaultName)
	if err != nil {
		return err
	}
	if vault == nil {
		j.fail(fmt.Sprintf(statusDestinationGone, j.DestVaultARN), now)
		return nil
	}
	src, err := recoveryPoints.Get(v, j.SourceVault, j.SourceRP)
	if err != nil {
		return err
	}
	if src == nil {
		j.fail(fmt.Sprintf(statusSourceGone, j.SourceRP), now)
		return nil
	}
	lifecycle := j.Lifecycle
	if l := j.Lifecycle; l != nil && l.DeleteAfterDays != nil && *l.DeleteAfterDays == keepSourceExpiry {
		lifecycle = src.Lifecycle
	}
	if why := vault.Lock.retentionProblem(lifecycle); why != "" {
		j.fail(fmt.Sprintf(statusDestinationLocked, vault.Name, why), now)
		return nil
	}
	img, err := s.rds().Copy(tx, dv.Account(), dv.Region(), src.ARN, copySnapshotID(j.ID), vault.KeyARN)
	if errors.Is(err, port.ErrCannotProtect) {
		j.fail(failureText(err), now)
		return nil
	}
	if err != nil {
		return err
	}
	rp := *src
	rp.ARN, rp.Vault, rp.VaultARN, rp.SourceVaultARN = img.ARN, vault.Name, vault.ARN, src.VaultARN
	rp.Completed, rp.Encrypted, rp.KeyARN, rp.Lifecycle, rp.LastRestore = now, img.Encrypted, img.KmsKeyARN, lifecycle, nil
	rp.ExpireJob = "" // the source's
	if j.CreatedBy != nil {
		rp.CreatedBy = j.CreatedBy
	}
	if err := s.putRecoveryPoint(tx, dv, &rp, true); err != nil {
		return err
	}
	j.State, j.Completed, j.DestRP = backupapi.CopyJobStateCompleted, &now, img.ARN
	return nil
}

func copyJobOut(account string, j *copyJobRec) *backupapi.CopyJob {
	return &backupapi.CopyJob{
		AccountId: new(account), CopyJobId: new(j.ID), SourceBackupVaultArn: new(j.SourceVaultARN),
		SourceRecoveryPointArn: new(j.SourceRP), DestinationBackupVaultArn: new(j.DestVaultARN),
		DestinationRecoveryPointArn: nonEmpty(j.DestRP), ResourceArn: new(j.ResourceARN), CreationDate: new(j.Created),
		CompletionDate: j.Completed, State: new(j.State), StatusMessage: nonEmpty(j.StatusMessage), BackupSizeInBytes: &j.Size,
		IamRoleArn: new(j.IAMRole), CreatedBy: j.CreatedBy, CreatedByBackupJobId: nonEmpty(j.ByBackupJob),
		ResourceType: new(resourceTypeRDS), IsParent: new(false), ResourceName: new(j.ResourceName),
	}
}

func (s *Service) describeCopyJob(ctx context.Context, in *backupapi.DescribeCopyJobInput) (*backupapi.DescribeCopyJobOutput, error) {
	c := s.Call(ctx)
	j, err := kit.Read(s.Kit, func(tx kit.Tx) (*copyJobRec, error) {
		j, err := copyJobs.Get(c.In(tx), *in.CopyJobId)
		if err == nil && j == nil {
			err = msgCopyJobNotFound.New(*in.CopyJobId)
		}
		return j, err
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.DescribeCopyJobOutput{CopyJob: copyJobOut(c.Account, j)}, nil
}

// copyJobFilter is ListCopyJobs' filters as one test.
func copyJobFilter(in *backupapi.ListCopyJobsInput) func(*copyJobRec) bool {
	return func(j *copyJobRec) bool {
		switch {
		case in.ByResourceArn != nil && *in.ByResourceArn != j.ResourceARN,
			in.ByState != nil && *in.ByState != j.State,
			in.ByDestinationVaultArn != nil && *in.ByDestinationVaultArn != j.DestVaultARN,
			in.ByResourceType != nil && *in.ByResourceType != resourceTypeRDS,
			in.ByParentJobId != nil,
			!inRange(&j.Created, in.ByCreatedAfter, in.ByCreatedBefore),
			!inRange(j.Completed, in.ByCompleteAfter, in.ByCompleteBefore):
			return false
		}
		return true
	}
}

func (s *Service) listCopyJobs(ctx context.Context, in *backupapi.ListCopyJobsInput) (*backupapi.ListCopyJobsOutput, error) {
	c := s.Call(ctx)
	out := &backupapi.ListCopyJobsOutput{CopyJobs: []backupapi.CopyJob{}}
	if in.ByAccountId != nil && *in.ByAccountId != c.Account {
		return out, nil
	}
	keep := copyJobFilter(in)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListCopyJobsOutput, error) {
		next, err := scanPage(s, c.In(tx), listOf(c, "ListCopyJobs", ""), copyJobs, in.NextToken, in.MaxResults, func(j *copyJobRec) bool {
			if !keep(j) {
				return false
			}
			out.CopyJobs = append(out.CopyJobs, *copyJobOut(c.Account, j))
			return true
		})
		out.NextToken = next
		return out, err
	})
}
