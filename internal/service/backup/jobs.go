package backup

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// Kinds of jobs on the engine.
const (
	jobBackup  = "backup.backup-job"
	jobCopy    = "backup.copy-job"
	jobRestore = "backup.restore-job"
	jobExpire  = "backup.expire"
	jobPlan    = "backup.plan-schedule"
)

// Record kinds of jobs and recovery points.
const (
	kindBackupJob   = "bjob"
	kindCopyJob     = "cjob"
	kindRestoreJob  = "rjob"
	kindRecoveryARN = "rparn" // recovery point ARN -> vault name
	kindToken       = "token" // job kind, IdempotencyToken -> job id
)

const (
	resourceTypeRDS = "RDS"
	percentDone     = "100.0"
	// copyRetryFor is how long a copy job that cannot reach a Region stays CREATED,
	// retried every copyRetryEvery, before it fails (AWS Backup's documented two hours).
	copyRetryFor   = 2 * time.Hour
	copyRetryEvery = 10 * time.Minute
)

// jobRef is the payload of every job kind: where the record is and which one.
type jobRef struct {
	Account string    `json:"account"`
	Region  string    `json:"region"`
	ID      string    `json:"id"`
	Vault   string    `json:"vault,omitempty"`   // expire: the recovery point's vault
	Version string    `json:"version,omitempty"` // plan schedule: the plan version it was armed for
	At      time.Time `json:"at,omitzero"`       // plan schedule: the occurrence it fires; expire: the expiry it was armed for
}

func (s *Service) enqueue(tx store.Tx, kind, key string, ref jobRef, at time.Time) error {
	payload, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	_, err = s.jobs.Enqueue(tx, jobs.Job{Kind: kind, Key: key, Account: ref.Account, Region: ref.Region, RunAt: at, Payload: payload})
	return err
}

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

// rdsResource checks that an ARN names a resource AWS Backup can back up here: a DB
// instance of the account and Region. It returns the resource's name.
func rdsResource(info *request.Info, resourceARN string) (string, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return "", invalidParameter("Invalid ARN: %s", resourceARN)
	}
	name, isDB := strings.CutPrefix(a.Resource, "db:")
	if a.Service != "rds" || !isDB {
		return "", invalidParameter("Resource type of %s is not supported: xregion's AWS Backup backs up RDS DB instances", resourceARN)
	}
	if a.Account != info.Account || a.Region != info.Region {
		return "", invalidParameter("Resource %s is not in account %s and Region %s", resourceARN, info.Account, info.Region)
	}
	return name, nil
}

// backupSnapshotARN is the recovery point a backup job of an RDS instance makes: an RDS
// snapshot named after the job, as AWS Backup names it.
func backupSnapshotARN(account, region, jobID string) string {
	return arn.New(partitionOf(region), "rds", region, account, "snapshot:"+backupSnapshotID(jobID))
}

func backupSnapshotID(jobID string) string { return "awsbackup:job-" + strings.ToLower(jobID) }

func copySnapshotID(jobID string) string { return "awsbackup:copyjob-" + strings.ToLower(jobID) }

// failureText is what a job shows as its StatusMessage for a port.ErrCannotProtect.
func failureText(err error) string {
	text, _ := port.Failure(err)
	return text
}

func partitionOf(region string) string {
	p, _ := regions.Partition(region)
	return p
}

func newJobID() string { return strings.ToUpper(ids.UUID()) }

// startBackup records a backup job and arms its first step. It is StartBackupJob's work
// and a plan rule's.
func (s *Service) startBackup(tx store.Tx, sc store.Scope, j *backupJobRec) error {
	if err := store.PutJSON(tx, sc.Key(kindBackupJob, j.ID), j); err != nil {
		return err
	}
	return s.enqueue(tx, jobBackup, "backup/"+j.ID, jobRef{Account: sc.Account, Region: sc.Region, ID: j.ID}, s.jobs.After())
}

// tokenJob finds the job an IdempotencyToken already started.
func tokenJob(tx store.Tx, sc store.Scope, kind, token string) string {
	if token == "" {
		return ""
	}
	return string(tx.Get(sc.Key(kindToken, kind, token)))
}

func (s *Service) startBackupJob(ctx context.Context, in *backupapi.StartBackupJobInput) (*backupapi.StartBackupJobOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	name, err := rdsResource(info, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := checkRole(*in.IamRoleArn); err != nil {
		return nil, err
	}
	if err := checkLifecycle("the lifecycle", in.Lifecycle, false); err != nil {
		return nil, err
	}
	if in.StartWindowMinutes != nil && *in.StartWindowMinutes < minWindowMinutes {
		return nil, invalidParameter("StartWindowMinutes must be at least %d minutes", minWindowMinutes)
	}
	var j backupJobRec
	err = s.st.Update(func(tx store.Tx) error {
		token := deref(in.IdempotencyToken)
		if id := tokenJob(tx, sc, kindBackupJob, token); id != "" {
			if found, err := store.GetJSON(tx, sc.Key(kindBackupJob, id), &j); found || err != nil {
				return err
			}
		}
		v, err := getVault(tx, sc, *in.BackupVaultName)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		window := int64(defaultStartWindow)
		if in.StartWindowMinutes != nil {
			window = *in.StartWindowMinutes
		}
		id := newJobID()
		j = backupJobRec{
			ID: id, State: backupapi.BackupJobStateCreated, Vault: v.Name, VaultARN: v.ARN,
			ResourceARN: *in.ResourceArn, ResourceName: name, RecoveryPointARN: backupSnapshotARN(info.Account, info.Region, id),
			IAMRole: *in.IamRoleArn, Created: now, StartBy: now.Add(time.Duration(window) * time.Minute),
			Lifecycle: in.Lifecycle, Tags: in.RecoveryPointTags,
		}
		if token != "" {
			if err := tx.Put(sc.Key(kindToken, kindBackupJob, token), []byte(id)); err != nil {
				return err
			}
		}
		return s.startBackup(tx, sc, &j)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.StartBackupJobOutput{BackupJobId: str(j.ID), RecoveryPointArn: str(j.RecoveryPointARN), CreationDate: timePtr(j.Created), IsParent: new(bool)}, nil
}

// runBackupJob moves a backup job along: CREATED → RUNNING → COMPLETED, when the
// snapshot is taken and the recovery point stored in the vault. A resource or vault
// that is gone fails the job.
func (s *Service) runBackupJob(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref jobRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := store.Scope{Account: ref.Account, Region: ref.Region, Service: serviceName}
	var j backupJobRec
	found, err := store.GetJSON(tx, sc.Key(kindBackupJob, ref.ID), &j)
	if err != nil || !found || j.done() {
		return err
	}
	now := s.clock.Now()
	switch j.State {
	case backupapi.BackupJobStateCreated:
		j.State = backupapi.BackupJobStateRunning
		if err := s.enqueue(tx, jobBackup, job.Key, ref, s.jobs.After()); err != nil {
			return err
		}
		return store.PutJSON(tx, sc.Key(kindBackupJob, j.ID), &j)
	}
	fail := func(msg string) error {
		j.State, j.StatusMessage, j.Completed = backupapi.BackupJobStateFailed, msg, &now
		return store.PutJSON(tx, sc.Key(kindBackupJob, j.ID), &j)
	}
	v, err := getVault(tx, sc, j.Vault)
	if err != nil {
		if isAWSError(err) {
			return fail("Backup vault " + j.Vault + " does not exist")
		}
		return err
	}
	if why := v.Lock.retentionProblem(j.Lifecycle); why != "" {
		return fail("Backup vault " + v.Name + " is locked: " + why)
	}
	img, err := s.rds().Backup(kit.Adopt(tx), sc.Account, sc.Region, j.ResourceARN, backupSnapshotID(j.ID))
	if errors.Is(err, port.ErrCannotProtect) {
		return fail(failureText(err))
	}
	if err != nil {
		return err
	}
	rp := &recoveryRec{
		ARN: img.ARN, Vault: v.Name, VaultARN: v.ARN, ResourceARN: j.ResourceARN, ResourceName: j.ResourceName,
		IAMRole: j.IAMRole, Created: j.Created, Completed: now, Size: img.SizeBytes,
		Encrypted: img.Encrypted, KeyARN: img.KmsKeyARN, Lifecycle: j.Lifecycle, CreatedBy: j.CreatedBy,
		Engine: img.Engine, EngineVersion: img.EngineVersion, InstanceID: img.ResourceID, Tags: j.Tags,
	}
	if err := s.putRecoveryPoint(tx, sc, rp, true); err != nil {
		return err
	}
	j.State, j.Completed, j.Size = backupapi.BackupJobStateCompleted, &now, img.SizeBytes
	if err := store.PutJSON(tx, sc.Key(kindBackupJob, j.ID), &j); err != nil {
		return err
	}
	if err := noteProtected(tx, sc, &j, now); err != nil {
		return err
	}
	// A plan rule's copy actions start once its backup is complete.
	for _, c := range j.CopyActions {
		if _, err := s.startCopy(tx, sc, rp, deref(c.DestinationBackupVaultArn), j.IAMRole, c.Lifecycle, j.CreatedBy, j.ID); err != nil {
			return err
		}
	}
	return nil
}

func backupJobOut(account string, j *backupJobRec) backupapi.BackupJob {
	out := backupapi.BackupJob{
		AccountId: str(account), BackupJobId: str(j.ID), BackupVaultName: str(j.Vault), BackupVaultArn: str(j.VaultARN),
		RecoveryPointArn: str(j.RecoveryPointARN), ResourceArn: str(j.ResourceARN), CreationDate: timePtr(j.Created),
		CompletionDate: j.Completed, State: str(j.State), IamRoleArn: str(j.IAMRole), CreatedBy: j.CreatedBy,
		StartBy: timePtr(j.StartBy), ResourceType: str(resourceTypeRDS), ResourceName: str(j.ResourceName),
		BackupType: str("FULL"), IsParent: new(bool), InitiationDate: timePtr(j.Created),
	}
	if j.StatusMessage != "" {
		out.StatusMessage = str(j.StatusMessage)
	}
	if j.State == backupapi.BackupJobStateCompleted {
		out.PercentDone, out.BackupSizeInBytes, out.BytesTransferred = str(percentDone), &j.Size, &j.Size
	}
	return out
}

func (s *Service) describeBackupJob(ctx context.Context, in *backupapi.DescribeBackupJobInput) (*backupapi.DescribeBackupJobOutput, error) {
	info := request.From(ctx)
	var j backupJobRec
	err := s.st.View(func(tx store.Tx) error {
		found, err := store.GetJSON(tx, scopeOf(info).Key(kindBackupJob, *in.BackupJobId), &j)
		if err == nil && !found {
			err = backupapi.ErrResourceNotFound.New("Cannot find job ID %s", *in.BackupJobId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	b := backupJobOut(info.Account, &j)
	return &backupapi.DescribeBackupJobOutput{
		AccountId: b.AccountId, BackupJobId: b.BackupJobId, BackupVaultName: b.BackupVaultName, BackupVaultArn: b.BackupVaultArn,
		RecoveryPointArn: b.RecoveryPointArn, ResourceArn: b.ResourceArn, CreationDate: b.CreationDate, CompletionDate: b.CompletionDate,
		State: b.State, StatusMessage: b.StatusMessage, PercentDone: b.PercentDone, BackupSizeInBytes: b.BackupSizeInBytes,
		IamRoleArn: b.IamRoleArn, CreatedBy: b.CreatedBy, ResourceType: b.ResourceType, BytesTransferred: b.BytesTransferred,
		StartBy: b.StartBy, BackupType: b.BackupType, IsParent: b.IsParent, ResourceName: b.ResourceName,
		InitiationDate: b.InitiationDate, NumberOfChildJobs: new(int64),
	}, nil
}

// inRange reports whether t is inside the optional bounds (exclusive, as AWS's
// ByCreatedAfter and ByCreatedBefore are).
func inRange(t *time.Time, after, before *time.Time) bool {
	if after == nil && before == nil {
		return true
	}
	if t == nil {
		return false
	}
	return (after == nil || t.After(*after)) && (before == nil || t.Before(*before))
}

func (s *Service) listBackupJobs(ctx context.Context, in *backupapi.ListBackupJobsInput) (*backupapi.ListBackupJobsOutput, error) {
	info := request.From(ctx)
	out := &backupapi.ListBackupJobsOutput{BackupJobs: []backupapi.BackupJob{}}
	if in.ByAccountId != nil && *in.ByAccountId != info.Account {
		return out, nil
	}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		out.NextToken, err = scanPage(tx, scopeOf(info).Prefix(kindBackupJob), in.NextToken, in.MaxResults, func(j *backupJobRec) bool {
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
			out.BackupJobs = append(out.BackupJobs, backupJobOut(info.Account, j))
			return true
		})
		return err
	})
	return out, err
}
