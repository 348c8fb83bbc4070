package backup

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// backupJobRec is a backup job, in the Region of its vault and resource.
type backupJobRec struct {
	ID               string                          `json:"id"`
	State            string                          `json:"state"`
	StatusMessage    string                          `json:"statusMessage,omitempty"`
	Vault            string                          `json:"vault"`
	VaultARN         string                          `json:"vaultArn"`
	ResourceARN      string                          `json:"resourceArn"`
	ResourceName     string                          `json:"resourceName"`
	RecoveryPointARN string                          `json:"recoveryPointArn"`
	IAMRole          string                          `json:"iamRole"`
	Created          time.Time                       `json:"created"`
	StartBy          time.Time                       `json:"startBy"`
	Completed        *time.Time                      `json:"completed,omitempty"`
	Size             int64                           `json:"size,omitempty"`
	Lifecycle        *backupapi.Lifecycle            `json:"lifecycle,omitempty"`
	Tags             map[string]string               `json:"tags,omitempty"`
	CreatedBy        *backupapi.RecoveryPointCreator `json:"createdBy,omitempty"`
	CopyActions      []backupapi.CopyAction          `json:"copyActions,omitempty"` // a plan rule's, run after completion
	// ResourceType is AWS Backup's type of the resource ("" in records of the first
	// release, which were all RDS).
	ResourceType string `json:"resourceType,omitempty"`
	// CompleteBy ends a job still running then (the completion window from its creation).
	CompleteBy *time.Time `json:"completeBy,omitempty"`
	// Started, Image, Bytes and DoneAt are set when the job starts: the image taken, the
	// bytes it moved, and when moving them ends.
	Started *time.Time  `json:"started,omitempty"`
	Image   *port.Image `json:"image,omitempty"`
	Bytes   int64       `json:"bytes,omitempty"`
	DoneAt  *time.Time  `json:"doneAt,omitempty"`
	// Waiting is why a job that has not started yet waits (a resource not ready).
	Waiting string `json:"waiting,omitempty"`
	// Options and Index are StartBackupJob's BackupOptions and Index, or a plan rule's
	// IndexActions (see joboptions.go).
	Options map[string]string `json:"backupOptions,omitempty"`
	Index   string            `json:"index,omitempty"`
}

func (j *backupJobRec) resourceType() string {
	if j.ResourceType == "" {
		return typeRDS
	}
	return j.ResourceType
}

func (j *backupJobRec) done() bool {
	switch j.State {
	case backupapi.BackupJobStateCompleted, backupapi.BackupJobStateFailed, backupapi.BackupJobStateExpired, backupapi.BackupJobStateAborted:
		return true
	}
	return false
}

// end finishes the job in state with a status message (none for success).
func (j *backupJobRec) end(state, message string, at time.Time) {
	j.State, j.StatusMessage, j.Completed = state, message, &at
}

// minutesAfter is t plus an optional number of minutes, or nil.
func minutesAfter(t time.Time, minutes *int64) *time.Time {
	if minutes == nil {
		return nil
	}
	return new(t.Add(time.Duration(*minutes) * time.Minute))
}

// startBackup records a backup job and arms its first step. It is StartBackupJob's work
// and a plan rule's.
func (s *Service) startBackup(tx kit.Tx, v kit.View, j *backupJobRec) error {
	if err := backupJobs.Put(v, j, j.ID); err != nil {
		return err
	}
	_, err := jobBackup.Enqueue(tx, s.After(), refIn(v, j.ID))
	return err
}

// checkBackupInput checks a StartBackupJob request and returns the resource's type and
// name.
func (s *Service) checkBackupInput(c kit.Call, in *backupapi.StartBackupJobInput) (string, string, error) {
	resourceType, name, err := s.resourceOf(c, *in.ResourceArn)
	if err != nil {
		return "", "", err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return "", "", err
	}
	if err := checkLifecycle("", in.Lifecycle, false); err != nil {
		return "", "", err
	}
	if err := checkBackupOptions(resourceType, in.BackupOptions); err != nil {
		return "", "", err
	}
	if err := checkIndex(resourceType, in.Index); err != nil {
		return "", "", err
	}
	if in.StartWindowMinutes != nil && *in.StartWindowMinutes < minWindowMinutes {
		return "", "", msgStartWindow.New(minWindowMinutes)
	}
	return resourceType, name, nil
}

func (s *Service) StartBackupJob(ctx context.Context, in *backupapi.StartBackupJobInput) (*backupapi.StartBackupJobOutput, error) {
	c := s.Call(ctx)
	resourceType, name, err := s.checkBackupInput(c, in)
	if err != nil {
		return nil, err
	}
	token := deref(in.IdempotencyToken)
	j, err := kit.Write(s.Kit, func(tx kit.Tx) (*backupJobRec, error) {
		v := c.In(tx)
		if prev, err := retriedJob(v, backupJobs, token); prev != nil || err != nil {
			return prev, err
		}
		vault, err := getVault(v, *in.BackupVaultName)
		if err != nil {
			return nil, err
		}
		if err := checkAirGapped(v, in.LogicallyAirGappedBackupVaultArn); err != nil {
			return nil, err
		}
		if err := s.ensureDefaultRole(tx, c, *in.IamRoleArn); err != nil {
			return nil, err
		}
		now := c.Now()
		window := int64(defaultStartWindow)
		if in.StartWindowMinutes != nil {
			window = *in.StartWindowMinutes
		}
		id := newJobID()
		rpARN, err := recoveryPointARN(v, resourceType, id)
		if err != nil {
			return nil, err
		}
		j := &backupJobRec{
			ID: id, State: backupapi.BackupJobStateCreated, Vault: vault.Name, VaultARN: vault.ARN,
			ResourceARN: *in.ResourceArn, ResourceName: name, ResourceType: resourceType,
			RecoveryPointARN: rpARN, IAMRole: *in.IamRoleArn,
			Created: now, StartBy: *minutesAfter(now, &window),
			CompleteBy: minutesAfter(now, in.CompleteWindowMinutes), Lifecycle: in.Lifecycle, Tags: in.RecoveryPointTags,
			Options: in.BackupOptions, Index: deref(in.Index),
		}
		if err := rememberToken(v, backupJobs, token, id); err != nil {
			return nil, err
		}
		return j, s.startBackup(tx, v, j)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartBackupJobOutput{BackupJobId: new(j.ID), RecoveryPointArn: nonEmpty(j.RecoveryPointARN), CreationDate: new(j.Created), IsParent: new(false)}, nil
}

func backupJobOut(account string, j *backupJobRec) backupapi.BackupJob {
	out := backupapi.BackupJob{
		AccountId: new(account), BackupJobId: new(j.ID), BackupVaultName: new(j.Vault), BackupVaultArn: new(j.VaultARN),
		RecoveryPointArn: nonEmpty(j.RecoveryPointARN), ResourceArn: new(j.ResourceARN), CreationDate: new(j.Created),
		CompletionDate: j.Completed, State: new(j.State), IamRoleArn: new(j.IAMRole), CreatedBy: j.CreatedBy,
		StartBy: new(j.StartBy), ResourceType: new(j.resourceType()), ResourceName: new(j.ResourceName),
		BackupType: new("FULL"), IsParent: new(false), InitiationDate: new(j.Created), StatusMessage: nonEmpty(j.StatusMessage),
		VaultType: new(vaultTypeBackup), RecoveryPointLifecycle: j.Lifecycle, ExpectedCompletionDate: j.DoneAt,
		MessageCategory: messageCategory(j.State, j.StatusMessage), BackupOptions: j.Options,
	}
	if j.StatusMessage == "" && j.Waiting != "" {
		out.StatusMessage = new(j.Waiting)
	}
	if j.Image != nil {
		out.IsEncrypted, out.EncryptionKeyArn = new(j.Image.Encrypted), nonEmpty(j.Image.KmsKeyARN)
		out.BackupSizeInBytes, out.BytesTransferred = new(j.Image.SizeBytes), new(j.Bytes)
		out.PercentDone = new("0.0")
	}
	if j.State == backupapi.BackupJobStateCompleted {
		out.PercentDone, out.BackupSizeInBytes = new(percentDone), &j.Size
	}
	return out
}

func (s *Service) DescribeBackupJob(ctx context.Context, in *backupapi.DescribeBackupJobInput) (*backupapi.DescribeBackupJobOutput, error) {
	c := s.Call(ctx)
	j, err := readRecord(s, c, backupJobs, *in.BackupJobId, msgJobNotFound)
	if err != nil {
		return nil, err
	}
	b := backupJobOut(c.Account, j)
	return &backupapi.DescribeBackupJobOutput{
		AccountId: b.AccountId, BackupJobId: b.BackupJobId, BackupVaultName: b.BackupVaultName, BackupVaultArn: b.BackupVaultArn,
		RecoveryPointArn: b.RecoveryPointArn, ResourceArn: b.ResourceArn, CreationDate: b.CreationDate, CompletionDate: b.CompletionDate,
		State: b.State, StatusMessage: b.StatusMessage, PercentDone: b.PercentDone, BackupSizeInBytes: b.BackupSizeInBytes,
		IamRoleArn: b.IamRoleArn, CreatedBy: b.CreatedBy, ResourceType: b.ResourceType, BytesTransferred: b.BytesTransferred,
		StartBy: b.StartBy, BackupType: b.BackupType, IsParent: b.IsParent, ResourceName: b.ResourceName,
		InitiationDate: b.InitiationDate, NumberOfChildJobs: new(int64(0)), VaultType: b.VaultType,
		RecoveryPointLifecycle: b.RecoveryPointLifecycle, ExpectedCompletionDate: b.ExpectedCompletionDate,
		IsEncrypted: b.IsEncrypted, EncryptionKeyArn: b.EncryptionKeyArn, MessageCategory: b.MessageCategory,
		BackupOptions: b.BackupOptions,
	}, nil
}

// backupJobFilter is ListBackupJobs' filters as one test. No job here has a parent, so
// ByParentJobId matches none: AWS's documentation makes composite (parent) jobs only of
// composite resources, CloudFormation stacks and EKS clusters, and xregion serves
// neither. A plan whose selections pick several resources starts one job per resource,
// none of them a parent, as AWS's does.
func backupJobFilter(in *backupapi.ListBackupJobsInput) func(*backupJobRec) bool {
	f := jobFilters{State: in.ByState, ResourceType: in.ByResourceType,
		CreatedAfter: in.ByCreatedAfter, CreatedBefore: in.ByCreatedBefore, CompleteAfter: in.ByCompleteAfter, CompleteBefore: in.ByCompleteBefore}
	return func(j *backupJobRec) bool {
		return f.pass(j.State, j.resourceType(), j.Created, j.Completed) && in.ByParentJobId == nil &&
			matches(in.ByResourceArn, j.ResourceARN) && matches(in.ByBackupVaultName, j.Vault) &&
			inCategory(in.ByMessageCategory, messageCategory(j.State, j.StatusMessage))
	}
}

func (s *Service) ListBackupJobs(ctx context.Context, in *backupapi.ListBackupJobsInput) (*backupapi.ListBackupJobsOutput, error) {
	c := s.Call(ctx)
	q := listQuery[backupJobRec]{Op: "ListBackupJobs", Account: in.ByAccountId, Token: in.NextToken, Max: in.MaxResults, Keep: backupJobFilter(in),
		Created: func(j *backupJobRec) (time.Time, string) { return j.Created, j.ID }, Newest: true}
	jobs, next, err := listByCreation(s, c, q, backupJobs, func(j *backupJobRec) backupapi.BackupJob { return backupJobOut(c.Account, j) })
	return &backupapi.ListBackupJobsOutput{BackupJobs: jobs, NextToken: next}, err
}

// StopBackupJob aborts a backup job that has not finished, and deletes the image it has
// taken; its pending step then finds it done.
func (s *Service) StopBackupJob(ctx context.Context, in *backupapi.StopBackupJobInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		j, err := backupJobs.Get(v, *in.BackupJobId)
		if err != nil {
			return nil, err
		}
		if j == nil {
			return nil, msgJobNotFound.New(*in.BackupJobId)
		}
		if j.done() {
			return nil, msgJobNotStoppable.New(j.ID, j.State)
		}
		if err := s.dropImage(tx, v, j.resourceType(), j.Image); err != nil {
			return nil, err
		}
		j.end(backupapi.BackupJobStateAborted, statusStopped, c.Now())
		if err := s.notify(tx, v, j.Vault, backupJobEvent(j)); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, backupJobs.Put(v, j, j.ID)
	})
}

// dropImage deletes an image a job took and will not keep.
func (s *Service) dropImage(tx kit.Tx, v kit.View, resourceType string, img *port.Image) error {
	p, ok := s.protector(resourceType)
	if img == nil || !ok {
		return nil
	}
	return p.Delete(tx, v.Account(), v.Region(), img.ARN)
}
