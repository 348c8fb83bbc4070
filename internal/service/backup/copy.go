package backup

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
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

// destVault splits a destination vault ARN into its Region and name, for the caller's
// account and partition.
func destVault(info *request.Info, vaultARN string) (region, name string, err error) {
	a, perr := arn.Parse(vaultARN)
	name, isVault := strings.CutPrefix(a.Resource, "backup-vault:")
	if perr != nil || a.Service != serviceName || !isVault || !vaultName.MatchString(name) || !regions.Valid(a.Region) {
		return "", "", invalidParameter("Invalid destination backup vault ARN %s", vaultARN)
	}
	if a.Account != info.Account {
		return "", "", invalidParameter("Copying to the backup vault of another account (%s) is not supported", a.Account)
	}
	if !regions.SamePartition(a.Region, info.Region) {
		return "", "", invalidParameter("Recovery points cannot be copied from %s to %s", info.Region, a.Region)
	}
	return a.Region, name, nil
}

// startCopy records a copy job of rp to the vault dstARN names and arms its first step.
func (s *Service) startCopy(tx store.Tx, sc store.Scope, rp *recoveryRec, dstARN, role string, lc *backupapi.Lifecycle, by *backupapi.RecoveryPointCreator, byJob string) (*copyJobRec, error) {
	j := &copyJobRec{
		ID: newJobID(), State: backupapi.CopyJobStateCreated, SourceVault: rp.Vault, SourceVaultARN: rp.VaultARN,
		SourceRP: rp.ARN, DestVaultARN: dstARN, ResourceARN: rp.ResourceARN, ResourceName: rp.ResourceName,
		IAMRole: role, Created: s.clock.Now(), Size: rp.Size, Lifecycle: lc, CreatedBy: by, ByBackupJob: byJob,
	}
	if err := store.PutJSON(tx, sc.Key(kindCopyJob, j.ID), j); err != nil {
		return nil, err
	}
	return j, s.enqueue(tx, jobCopy, "copy/"+j.ID, jobRef{Account: sc.Account, Region: sc.Region, ID: j.ID}, s.jobs.After())
}

func (s *Service) startCopyJob(ctx context.Context, in *backupapi.StartCopyJobInput) (*backupapi.StartCopyJobOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	if _, _, err := destVault(info, *in.DestinationBackupVaultArn); err != nil {
		return nil, err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return nil, err
	}
	if err := checkLifecycle("the lifecycle", in.Lifecycle, true); err != nil {
		return nil, err
	}
	var j *copyJobRec
	err := s.st.Update(func(tx store.Tx) error {
		token := deref(in.IdempotencyToken)
		if id := tokenJob(tx, sc, kindCopyJob, token); id != "" {
			var prev copyJobRec
			if found, err := store.GetJSON(tx, sc.Key(kindCopyJob, id), &prev); found || err != nil {
				j = &prev
				return err
			}
		}
		if _, err := getVault(tx, sc, *in.SourceBackupVaultName); err != nil {
			return err
		}
		rp, err := getRecoveryPoint(tx, sc, *in.SourceBackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return err
		}
		if j, err = s.startCopy(tx, sc, rp, *in.DestinationBackupVaultArn, *in.IamRoleArn, in.Lifecycle, nil, ""); err != nil {
			return err
		}
		if token != "" {
			return tx.Put(sc.Key(kindToken, kindCopyJob, token), []byte(j.ID))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartCopyJobOutput{CopyJobId: str(j.ID), CreationDate: timePtr(j.Created), IsParent: new(bool)}, nil
}

// runCopyJob moves a copy job along: CREATED → RUNNING → COMPLETED, when the snapshot is
// copied into the destination Region, re-encrypted with the destination vault's key, and
// stored there as a recovery point. While either Region is unreachable the job stays
// where it is and is retried every ten minutes; after two hours it fails.
func (s *Service) runCopyJob(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref jobRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := store.Scope{Account: ref.Account, Region: ref.Region, Service: serviceName}
	var j copyJobRec
	found, err := store.GetJSON(tx, sc.Key(kindCopyJob, ref.ID), &j)
	if err != nil || !found || j.State != backupapi.CopyJobStateCreated && j.State != backupapi.CopyJobStateRunning {
		return err
	}
	now := s.clock.Now()
	save := func() error { return store.PutJSON(tx, sc.Key(kindCopyJob, j.ID), &j) }
	fail := func(msg string) error {
		j.State, j.StatusMessage, j.Completed = backupapi.CopyJobStateFailed, msg, &now
		return save()
	}
	dst, err := arn.Parse(j.DestVaultARN)
	if err != nil {
		return fail("Invalid destination backup vault ARN " + j.DestVaultARN)
	}
	if s.faults.Unreachable(dst.Region) || s.faults.Unreachable(sc.Region) {
		if now.Sub(j.Created) >= copyRetryFor {
			return fail("Copy job failed: the Region " + dst.Region + " could not be reached")
		}
		return s.enqueue(tx, jobCopy, job.Key, ref, now.Add(copyRetryEvery))
	}
	if j.State == backupapi.CopyJobStateCreated {
		j.State = backupapi.CopyJobStateRunning
		if err := s.enqueue(tx, jobCopy, job.Key, ref, s.jobs.After()); err != nil {
			return err
		}
		return save()
	}
	dsc := store.Scope{Account: ref.Account, Region: dst.Region, Service: serviceName}
	v, err := getVault(tx, dsc, strings.TrimPrefix(dst.Resource, "backup-vault:"))
	if err != nil {
		if isAWSError(err) {
			return fail("Destination backup vault " + j.DestVaultARN + " does not exist")
		}
		return err
	}
	src, err := getRecoveryPoint(tx, sc, j.SourceVault, j.SourceRP)
	if err != nil {
		if isAWSError(err) {
			return fail("Source recovery point " + j.SourceRP + " does not exist")
		}
		return err
	}
	lifecycle := j.Lifecycle
	if l := j.Lifecycle; l != nil && l.DeleteAfterDays != nil && *l.DeleteAfterDays == keepSourceExpiry {
		lifecycle = src.Lifecycle
	}
	if why := v.Lock.retentionProblem(lifecycle); why != "" {
		return fail("Destination backup vault " + v.Name + " is locked: " + why)
	}
	img, err := s.rds().Copy(kit.Adopt(tx), ref.Account, dst.Region, src.ARN, copySnapshotID(j.ID), v.KeyARN)
	if errors.Is(err, port.ErrCannotProtect) {
		return fail(failureText(err))
	}
	if err != nil {
		return err
	}
	rp := *src
	rp.ARN, rp.Vault, rp.VaultARN, rp.SourceVaultARN = img.ARN, v.Name, v.ARN, src.VaultARN
	rp.Completed, rp.Encrypted, rp.KeyARN, rp.Lifecycle, rp.LastRestore = now, img.Encrypted, img.KmsKeyARN, lifecycle, nil
	if j.CreatedBy != nil {
		rp.CreatedBy = j.CreatedBy
	}
	if err := s.putRecoveryPoint(tx, dsc, &rp, true); err != nil {
		return err
	}
	j.State, j.Completed, j.DestRP = backupapi.CopyJobStateCompleted, &now, img.ARN
	return save()
}

func copyJobOut(account string, j *copyJobRec) *backupapi.CopyJob {
	out := &backupapi.CopyJob{
		AccountId: str(account), CopyJobId: str(j.ID), SourceBackupVaultArn: str(j.SourceVaultARN),
		SourceRecoveryPointArn: str(j.SourceRP), DestinationBackupVaultArn: str(j.DestVaultARN),
		DestinationRecoveryPointArn: nonEmpty(j.DestRP), ResourceArn: str(j.ResourceARN), CreationDate: timePtr(j.Created),
		CompletionDate: j.Completed, State: str(j.State), StatusMessage: nonEmpty(j.StatusMessage), BackupSizeInBytes: &j.Size,
		IamRoleArn: str(j.IAMRole), CreatedBy: j.CreatedBy, CreatedByBackupJobId: nonEmpty(j.ByBackupJob),
		ResourceType: str(resourceTypeRDS), IsParent: new(bool), ResourceName: str(j.ResourceName),
	}
	return out
}

func (s *Service) describeCopyJob(ctx context.Context, in *backupapi.DescribeCopyJobInput) (*backupapi.DescribeCopyJobOutput, error) {
	info := request.From(ctx)
	var j copyJobRec
	err := s.st.View(func(tx store.Tx) error {
		found, err := store.GetJSON(tx, scopeOf(info).Key(kindCopyJob, *in.CopyJobId), &j)
		if err == nil && !found {
			err = backupapi.ErrResourceNotFound.New("Cannot find copy job ID %s", *in.CopyJobId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.DescribeCopyJobOutput{CopyJob: copyJobOut(info.Account, &j)}, nil
}

func (s *Service) listCopyJobs(ctx context.Context, in *backupapi.ListCopyJobsInput) (*backupapi.ListCopyJobsOutput, error) {
	info := request.From(ctx)
	out := &backupapi.ListCopyJobsOutput{CopyJobs: []backupapi.CopyJob{}}
	if in.ByAccountId != nil && *in.ByAccountId != info.Account {
		return out, nil
	}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out.NextToken, err = scanPage(tx, scopeOf(info).Prefix(kindCopyJob), in.NextToken, in.MaxResults, func(j *copyJobRec) bool {
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
			out.CopyJobs = append(out.CopyJobs, *copyJobOut(info.Account, j))
			return true
		})
		return err
	})
	return out, err
}
