package backup

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// copyJobRec is a copy job, kept in the account and Region of its source recovery point,
// where AWS Backup lists it.
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
	// ResourceType is AWS Backup's type of the resource ("" in records of the first
	// release, which were all RDS).
	ResourceType string `json:"resourceType,omitempty"`
	// DestKeyARN, Started, Image, Bytes and DoneAt are set when the copy starts: the key
	// of the destination vault, the image made, the bytes it moved, and when moving them
	// ends.
	DestKeyARN string      `json:"destKeyArn,omitempty"`
	Started    *time.Time  `json:"started,omitempty"`
	Image      *port.Image `json:"image,omitempty"`
	Bytes      int64       `json:"bytes,omitempty"`
	DoneAt     *time.Time  `json:"doneAt,omitempty"`
}

func (j *copyJobRec) resourceType() string {
	if j.ResourceType == "" {
		return typeRDS
	}
	return j.ResourceType
}

func (j *copyJobRec) active() bool {
	return j.State == backupapi.CopyJobStateCreated || j.State == backupapi.CopyJobStateRunning
}

// fail ends the job FAILED with a status message.
func (j *copyJobRec) fail(message string, at time.Time) {
	j.State, j.StatusMessage, j.Completed = backupapi.CopyJobStateFailed, message, &at
}

// vaultRef is a backup vault named by its ARN.
type vaultRef struct{ Account, Region, Name string }

// parseVaultARN reads a backup vault's ARN.
func parseVaultARN(vaultARN string) (vaultRef, bool) {
	a, err := arn.Parse(vaultARN)
	name, isVault := strings.CutPrefix(a.Resource, "backup-vault:")
	if err != nil || a.Service != serviceName || !isVault || !vaultName.MatchString(name) || !regions.Valid(a.Region) {
		return vaultRef{}, false
	}
	return vaultRef{Account: a.Account, Region: a.Region, Name: name}, true
}

// checkDestination checks a copy's destination vault ARN, of any account, against the
// rules of the Regions: a copy stays in its partition, and never comes into or leaves a
// Region without cross-Region copy. where prefixes the error ("rule daily"), or is "".
func checkDestination(where, fromRegion, vaultARN string) error {
	dst, ok := parseVaultARN(vaultARN)
	switch {
	case !ok && where != "":
		return msgRuleDestination.New(where, vaultARN)
	case !ok:
		return msgBadDestination.New(vaultARN)
	}
	if why := crossRegionProblem(fromRegion, dst.Region); why != "" {
		if where != "" {
			return msgRuleCopyRefused.New(where, why)
		}
		return msgCopyRefused.New(why)
	}
	return nil
}

// startCopy records a copy job of rp to the vault dstARN names and arms its first step.
func (s *Service) startCopy(tx kit.Tx, v kit.View, rp *recoveryRec, dstARN, role string, lc *backupapi.Lifecycle, by *backupapi.RecoveryPointCreator, byJob string) (*copyJobRec, error) {
	j := &copyJobRec{
		ID: newJobID(), State: backupapi.CopyJobStateCreated, SourceVault: rp.Vault, SourceVaultARN: rp.VaultARN,
		SourceRP: rp.ARN, DestVaultARN: dstARN, ResourceARN: rp.ResourceARN, ResourceName: rp.ResourceName,
		IAMRole: role, Created: s.Clock.Now(), Size: rp.Size, Lifecycle: lc, CreatedBy: by, ByBackupJob: byJob,
		ResourceType: rp.resourceType(),
	}
	if err := copyJobs.Put(v, j, j.ID); err != nil {
		return nil, err
	}
	_, err := jobCopy.Enqueue(tx, s.After(), refIn(v, j.ID))
	return j, err
}

func (s *Service) StartCopyJob(ctx context.Context, in *backupapi.StartCopyJobInput) (*backupapi.StartCopyJobOutput, error) {
	c := s.Call(ctx)
	if err := checkDestination("", c.Region, *in.DestinationBackupVaultArn); err != nil {
		return nil, err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return nil, err
	}
	if err := checkLifecycle("", in.Lifecycle, true); err != nil {
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
		if rp.storageClass(c.Now()) == backupapi.StorageClassCold {
			return nil, msgColdCopy.New(rp.ARN)
		}
		if err := s.ensureDefaultRole(tx, c, *in.IamRoleArn); err != nil {
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

func copyJobOut(account string, j *copyJobRec) *backupapi.CopyJob {
	out := &backupapi.CopyJob{
		AccountId: new(account), CopyJobId: new(j.ID), SourceBackupVaultArn: new(j.SourceVaultARN),
		SourceRecoveryPointArn: new(j.SourceRP), DestinationBackupVaultArn: new(j.DestVaultARN),
		DestinationRecoveryPointArn: nonEmpty(j.DestRP), ResourceArn: new(j.ResourceARN), CreationDate: new(j.Created),
		CompletionDate: j.Completed, State: new(j.State), StatusMessage: nonEmpty(j.StatusMessage), BackupSizeInBytes: &j.Size,
		IamRoleArn: new(j.IAMRole), CreatedBy: j.CreatedBy, CreatedByBackupJobId: nonEmpty(j.ByBackupJob),
		ResourceType: new(j.resourceType()), IsParent: new(false), ResourceName: new(j.ResourceName),
		DestinationEncryptionKeyArn: nonEmpty(j.DestKeyARN), DestinationRecoveryPointLifecycle: j.Lifecycle,
		DestinationVaultType: new(vaultTypeBackup), MessageCategory: messageCategory(j.State, j.StatusMessage),
	}
	return out
}

func (s *Service) DescribeCopyJob(ctx context.Context, in *backupapi.DescribeCopyJobInput) (*backupapi.DescribeCopyJobOutput, error) {
	c := s.Call(ctx)
	j, err := readRecord(s, c, copyJobs, *in.CopyJobId, msgCopyJobNotFound)
	if err != nil {
		return nil, err
	}
	return &backupapi.DescribeCopyJobOutput{CopyJob: copyJobOut(c.Account, j)}, nil
}

// copyJobFilter is ListCopyJobs' filters as one test. No copy job here has a parent (see
// backupJobFilter): a copy of a composite recovery point is the only composite copy.
func copyJobFilter(in *backupapi.ListCopyJobsInput) func(*copyJobRec) bool {
	f := jobFilters{State: in.ByState, ResourceType: in.ByResourceType,
		CreatedAfter: in.ByCreatedAfter, CreatedBefore: in.ByCreatedBefore, CompleteAfter: in.ByCompleteAfter, CompleteBefore: in.ByCompleteBefore}
	return func(j *copyJobRec) bool {
		return f.pass(j.State, j.resourceType(), j.Created, j.Completed) && in.ByParentJobId == nil &&
			matches(in.ByResourceArn, j.ResourceARN) && matches(in.ByDestinationVaultArn, j.DestVaultARN) &&
			matches(in.BySourceRecoveryPointArn, j.SourceRP) &&
			inCategory(in.ByMessageCategory, messageCategory(j.State, j.StatusMessage))
	}
}

func (s *Service) ListCopyJobs(ctx context.Context, in *backupapi.ListCopyJobsInput) (*backupapi.ListCopyJobsOutput, error) {
	c := s.Call(ctx)
	q := listQuery[copyJobRec]{Op: "ListCopyJobs", Account: in.ByAccountId, Token: in.NextToken, Max: in.MaxResults, Keep: copyJobFilter(in),
		Created: func(j *copyJobRec) (time.Time, string) { return j.Created, j.ID }, Newest: true}
	jobs, next, err := listByCreation(s, c, q, copyJobs, func(j *copyJobRec) backupapi.CopyJob { return *copyJobOut(c.Account, j) })
	return &backupapi.ListCopyJobsOutput{CopyJobs: jobs, NextToken: next}, err
}
