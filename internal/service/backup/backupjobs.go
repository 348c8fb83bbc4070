package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
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

// rdsResource checks that an ARN names a resource AWS Backup can back up here: a DB
// instance of the account and Region. It returns the resource's name.
func rdsResource(c kit.Call, resourceARN string) (string, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return "", msgBadARN.New(resourceARN)
	}
	name, isDB := strings.CutPrefix(a.Resource, "db:")
	if a.Service != "rds" || !isDB {
		return "", msgUnsupportedType.New(resourceARN)
	}
	if a.Account != c.Account || a.Region != c.Region {
		return "", msgElsewhere.New(resourceARN, c.Account, c.Region)
	}
	return name, nil
}

// backupSnapshotARN is the recovery point a backup job of an RDS instance makes: an RDS
// snapshot named after the job, as AWS Backup names it.
func backupSnapshotARN(account, region, jobID string) string {
	return arn.New(partitionOf(region), "rds", region, account, "snapshot:"+backupSnapshotID(jobID))
}

func backupSnapshotID(jobID string) string { return "awsbackup:job-" + strings.ToLower(jobID) }

// startBackup records a backup job and arms its first step. It is StartBackupJob's work
// and a plan rule's.
func (s *Service) startBackup(tx kit.Tx, v kit.View, j *backupJobRec) error {
	if err := backupJobs.Put(v, j, j.ID); err != nil {
		return err
	}
	_, err := jobBackup.Enqueue(tx, s.After(), refIn(v, j.ID))
	return err
}

// checkBackupInput checks a StartBackupJob request and returns the resource's name.
func checkBackupInput(c kit.Call, in *backupapi.StartBackupJobInput) (string, error) {
	name, err := rdsResource(c, *in.ResourceArn)
	if err != nil {
		return "", err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return "", err
	}
	if err := checkLifecycle("the lifecycle", in.Lifecycle, false); err != nil {
		return "", err
	}
	if in.StartWindowMinutes != nil && *in.StartWindowMinutes < minWindowMinutes {
		return "", msgStartWindow.New(minWindowMinutes)
	}
	return name, nil
}

func (s *Service) startBackupJob(ctx context.Context, in *backupapi.StartBackupJobInput) (*backupapi.StartBackupJobOutput, error) {
	c := s.Call(ctx)
	name, err := checkBackupInput(c, in)
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
		now := c.Now()
		window := int64(defaultStartWindow)
		if in.StartWindowMinutes != nil {
			window = *in.StartWindowMinutes
		}
		id := newJobID()
		j := &backupJobRec{
			ID: id, State: backupapi.BackupJobStateCreated, Vault: vault.Name, VaultARN: vault.ARN,
			ResourceARN: *in.ResourceArn, ResourceName: name, RecoveryPointARN: backupSnapshotARN(c.Account, c.Region, id),
			IAMRole: *in.IamRoleArn, Created: now, StartBy: now.Add(time.Duration(window) * time.Minute),
			Lifecycle: in.Lifecycle, Tags: in.RecoveryPointTags,
		}
		if err := rememberToken(v, backupJobs, token, id); err != nil {
			return nil, err
		}
		return j, s.startBackup(tx, v, j)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartBackupJobOutput{BackupJobId: new(j.ID), RecoveryPointArn: new(j.RecoveryPointARN), CreationDate: new(j.Created), IsParent: new(false)}, nil
}

// runBackupJob moves a backup job along: CREATED → RUNNING → COMPLETED, when the
// snapshot is taken and the recovery point stored in the vault. A resource or vault
// that is gone fails the job.
func (s *Service) runBackupJob(_ context.Context, tx kit.Tx, _ *jobs.Job, ref jobRef) error {
	v := tx.In(ref.Account, ref.Region)
	j, err := backupJobs.Get(v, ref.ID)
	if err != nil || j == nil || j.done() {
		return err
	}
	if j.State == backupapi.BackupJobStateCreated {
		j.State = backupapi.BackupJobStateRunning
		if _, err := jobBackup.Enqueue(tx, s.After(), ref); err != nil {
			return err
		}
		return backupJobs.Put(v, j, j.ID)
	}
	if err := s.completeBackup(tx, v, j); err != nil {
		return err
	}
	return backupJobs.Put(v, j, j.ID)
}

// completeBackup takes the snapshot of a running job and stores it as a recovery point,
// or ends the job FAILED with the reason; then it starts the rule's copy actions.
func (s *Service) completeBackup(tx kit.Tx, v kit.View, j *backupJobRec) error {
	now := s.Clock.Now()
	vault, err := vaults.Get(v, j.Vault)
	if err != nil {
		return err
	}
	if vault == nil {
		j.end(backupapi.BackupJobStateFailed, fmt.Sprintf(statusVaultGone, j.Vault), now)
		return nil
	}
	if why := vault.Lock.retentionProblem(j.Lifecycle); why != "" {
		j.end(backupapi.BackupJobStateFailed, fmt.Sprintf(statusVaultLocked, vault.Name, why), now)
		return nil
	}
	img, err := s.rds().Backup(tx, v.Account(), v.Region(), j.ResourceARN, backupSnapshotID(j.ID))
	if errors.Is(err, port.ErrCannotProtect) {
		j.end(backupapi.BackupJobStateFailed, failureText(err), now)
		return nil
	}
	if err != nil {
		return err
	}
	rp := &recoveryRec{
		ARN: img.ARN, Vault: vault.Name, VaultARN: vault.ARN, ResourceARN: j.ResourceARN, ResourceName: j.ResourceName,
		IAMRole: j.IAMRole, Created: j.Created, Completed: now, Size: img.SizeBytes,
		Encrypted: img.Encrypted, KeyARN: img.KmsKeyARN, Lifecycle: j.Lifecycle, CreatedBy: j.CreatedBy,
		Engine: img.Engine, EngineVersion: img.EngineVersion, InstanceID: img.ResourceID, Tags: j.Tags,
	}
	if err := s.putRecoveryPoint(tx, v, rp, true); err != nil {
		return err
	}
	j.end(backupapi.BackupJobStateCompleted, "", now)
	j.Size = img.SizeBytes
	if err := noteProtected(v, j, now); err != nil {
		return err
	}
	// A plan rule's copy actions start once its backup is complete.
	for _, c := range j.CopyActions {
		if _, err := s.startCopy(tx, v, rp, deref(c.DestinationBackupVaultArn), j.IAMRole, c.Lifecycle, j.CreatedBy, j.ID); err != nil {
			return err
		}
	}
	return nil
}

func backupJobOut(account string, j *backupJobRec) backupapi.BackupJob {
	out := backupapi.BackupJob{
		AccountId: new(account), BackupJobId: new(j.ID), BackupVaultName: new(j.Vault), BackupVaultArn: new(j.VaultARN),
		RecoveryPointArn: new(j.RecoveryPointARN), ResourceArn: new(j.ResourceARN), CreationDate: new(j.Created),
		CompletionDate: j.Completed, State: new(j.State), IamRoleArn: new(j.IAMRole), CreatedBy: j.CreatedBy,
		StartBy: new(j.StartBy), ResourceType: new(resourceTypeRDS), ResourceName: new(j.ResourceName),
		BackupType: new("FULL"), IsParent: new(false), InitiationDate: new(j.Created), StatusMessage: nonEmpty(j.StatusMessage),
	}
	if j.State == backupapi.BackupJobStateCompleted {
		out.PercentDone, out.BackupSizeInBytes, out.BytesTransferred = new(percentDone), &j.Size, &j.Size
	}
	return out
}

func (s *Service) describeBackupJob(ctx context.Context, in *backupapi.DescribeBackupJobInput) (*backupapi.DescribeBackupJobOutput, error) {
	c := s.Call(ctx)
	j, err := kit.Read(s.Kit, func(tx kit.Tx) (*backupJobRec, error) {
		j, err := backupJobs.Get(c.In(tx), *in.BackupJobId)
		if err == nil && j == nil {
			err = msgJobNotFound.New(*in.BackupJobId)
		}
		return j, err
	})
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
		InitiationDate: b.InitiationDate, NumberOfChildJobs: new(int64(0)),
	}, nil
}

// backupJobFilter is ListBackupJobs' filters as one test.
func backupJobFilter(in *backupapi.ListBackupJobsInput) func(*backupJobRec) bool {
	return func(j *backupJobRec) bool {
		switch {
		case in.ByResourceArn != nil && *in.ByResourceArn != j.ResourceARN,
			in.ByState != nil && *in.ByState != j.State,
			in.ByBackupVaultName != nil && *in.ByBackupVaultName != j.Vault,
			in.ByResourceType != nil && *in.ByResourceType != resourceTypeRDS,
			in.ByParentJobId != nil,
			!inRange(&j.Created, in.ByCreatedAfter, in.ByCreatedBefore),
			!inRange(j.Completed, in.ByCompleteAfter, in.ByCompleteBefore):
			return false
		}
		return true
	}
}

func (s *Service) listBackupJobs(ctx context.Context, in *backupapi.ListBackupJobsInput) (*backupapi.ListBackupJobsOutput, error) {
	c := s.Call(ctx)
	out := &backupapi.ListBackupJobsOutput{BackupJobs: []backupapi.BackupJob{}}
	if in.ByAccountId != nil && *in.ByAccountId != c.Account {
		return out, nil
	}
	keep := backupJobFilter(in)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListBackupJobsOutput, error) {
		next, err := scanPage(s, c.In(tx), listOf(c, "ListBackupJobs", ""), backupJobs, in.NextToken, in.MaxResults, func(j *backupJobRec) bool {
			if !keep(j) {
				return false
			}
			out.BackupJobs = append(out.BackupJobs, backupJobOut(c.Account, j))
			return true
		})
		out.NextToken = next
		return out, err
	})
}

// stopBackupJob aborts a backup job that has not finished; its pending step then finds
// it done.
func (s *Service) stopBackupJob(ctx context.Context, in *backupapi.StopBackupJobInput) (*awsmodel.Empty, error) {
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
		j.end(backupapi.BackupJobStateAborted, statusStopped, c.Now())
		return &awsmodel.Empty{}, backupJobs.Put(v, j, j.ID)
	})
}
