package backup

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store"
)

const day = 24 * time.Hour

// recoveryRec is a recovery point in a vault: for an RDS instance, an RDS snapshot that
// AWS Backup made (by a backup job, or a copy job into this vault). Records are keyed by
// vault and ARN, with an index from the ARN to its vault.
type recoveryRec struct {
	ARN            string                          `json:"arn"`
	Vault          string                          `json:"vault"`
	VaultARN       string                          `json:"vaultArn"`
	SourceVaultARN string                          `json:"sourceVaultArn,omitempty"` // of a copy
	ResourceARN    string                          `json:"resourceArn"`
	ResourceName   string                          `json:"resourceName"`
	IAMRole        string                          `json:"iamRole"`
	Created        time.Time                       `json:"created"` // a copy keeps its source's
	Completed      time.Time                       `json:"completed"`
	Size           int64                           `json:"size"`
	Encrypted      bool                            `json:"encrypted"`
	KeyARN         string                          `json:"keyArn,omitempty"`
	Lifecycle      *backupapi.Lifecycle            `json:"lifecycle,omitempty"`
	CreatedBy      *backupapi.RecoveryPointCreator `json:"createdBy,omitempty"`
	LastRestore    *time.Time                      `json:"lastRestore,omitempty"`
	Tags           map[string]string               `json:"tags,omitempty"` // RecoveryPointTags; a copy keeps its source's
	// What a restore needs to know of the instance.
	InstanceID    string `json:"instanceId"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engineVersion"`
}

// deleteAt is when the lifecycle expires the recovery point, counted from its creation
// (a copy's from its source's). Cold storage does not apply to RDS snapshots: AWS
// Backup ignores MoveToColdStorageAfterDays for them, so they stay WARM.
func (r *recoveryRec) deleteAt() *time.Time {
	if r.Lifecycle == nil || r.Lifecycle.DeleteAfterDays == nil {
		return nil
	}
	t := r.Created.Add(time.Duration(*r.Lifecycle.DeleteAfterDays) * day)
	return &t
}

func (r *recoveryRec) calculated() *backupapi.CalculatedLifecycle {
	at := r.deleteAt()
	if at == nil {
		return nil
	}
	return &backupapi.CalculatedLifecycle{DeleteAt: at}
}

// putRecoveryPoint stores a recovery point; fresh, it also arms its expiry.
func (s *Service) putRecoveryPoint(tx store.Tx, sc store.Scope, r *recoveryRec, fresh bool) error {
	if err := store.PutJSON(tx, sc.Key(kindRecovery, r.Vault, r.ARN), r); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	if err := tx.Put(sc.Key(kindRecoveryARN, r.ARN), []byte(r.Vault)); err != nil {
		return err
	}
	return s.armExpiry(tx, sc, r)
}

func (s *Service) armExpiry(tx store.Tx, sc store.Scope, r *recoveryRec) error {
	at := r.deleteAt()
	if at == nil {
		return nil
	}
	return s.enqueue(tx, jobExpire, "", jobRef{Account: sc.Account, Region: sc.Region, Vault: r.Vault, ID: r.ARN, At: *at}, *at)
}

func getRecoveryPoint(tx store.Tx, sc store.Scope, vault, rpARN string) (*recoveryRec, error) {
	var r recoveryRec
	found, err := store.GetJSON(tx, sc.Key(kindRecovery, vault, rpARN), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, backupapi.ErrResourceNotFound.New("Recovery point %s was not found in backup vault %s", rpARN, vault)
	}
	return &r, nil
}

// recoveryPointByARN finds a recovery point of the caller's Region by ARN alone.
func recoveryPointByARN(tx store.Tx, sc store.Scope, rpARN string) (*recoveryRec, error) {
	vault := tx.Get(sc.Key(kindRecoveryARN, rpARN))
	if vault == nil {
		return nil, backupapi.ErrResourceNotFound.New("Recovery point %s was not found", rpARN)
	}
	return getRecoveryPoint(tx, sc, string(vault), rpARN)
}

// removeRecoveryPoint deletes a recovery point and the snapshot behind it.
func (s *Service) removeRecoveryPoint(tx store.Tx, sc store.Scope, r *recoveryRec) error {
	if err := s.rds().Delete(kit.Adopt(tx), sc.Account, sc.Region, r.ARN); err != nil {
		return err
	}
	if err := tx.Delete(sc.Key(kindRecoveryARN, r.ARN)); err != nil {
		return err
	}
	return tx.Delete(sc.Key(kindRecovery, r.Vault, r.ARN))
}

// runExpire deletes a recovery point whose lifecycle has run out. A lifecycle changed
// since the job was armed armed another job; this one then finds nothing due.
func (s *Service) runExpire(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var ref jobRef
	if err := job.DecodePayload(&ref); err != nil {
		return err
	}
	sc := store.Scope{Account: ref.Account, Region: ref.Region, Service: serviceName}
	var r recoveryRec
	found, err := store.GetJSON(tx, sc.Key(kindRecovery, ref.Vault, ref.ID), &r)
	if err != nil || !found {
		return err
	}
	at := r.deleteAt()
	if at == nil || !at.Equal(ref.At) || at.After(s.clock.Now()) {
		return nil
	}
	return s.removeRecoveryPoint(tx, sc, &r)
}

func recoveryOut(r *recoveryRec) backupapi.RecoveryPointByBackupVault {
	out := backupapi.RecoveryPointByBackupVault{
		RecoveryPointArn: str(r.ARN), BackupVaultName: str(r.Vault), BackupVaultArn: str(r.VaultARN),
		ResourceArn: str(r.ResourceARN), ResourceType: str(resourceTypeRDS), CreatedBy: r.CreatedBy,
		IamRoleArn: str(r.IAMRole), Status: str(backupapi.RecoveryPointStatusCompleted),
		CreationDate: timePtr(r.Created), CompletionDate: timePtr(r.Completed), BackupSizeInBytes: &r.Size,
		CalculatedLifecycle: r.calculated(), Lifecycle: r.Lifecycle, IsEncrypted: &r.Encrypted,
		LastRestoreTime: r.LastRestore, IsParent: new(bool), ResourceName: str(r.ResourceName), VaultType: str(vaultTypeBackup),
	}
	if r.KeyARN != "" {
		out.EncryptionKeyArn = str(r.KeyARN)
	}
	if r.SourceVaultARN != "" {
		out.SourceBackupVaultArn = str(r.SourceVaultARN)
	}
	return out
}

func (s *Service) listRecoveryPointsByBackupVault(ctx context.Context, in *backupapi.ListRecoveryPointsByBackupVaultInput) (*backupapi.ListRecoveryPointsByBackupVaultOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	if in.BackupVaultAccountId != nil && *in.BackupVaultAccountId != info.Account {
		return nil, vaultNotFound(*in.BackupVaultName)
	}
	out := &backupapi.ListRecoveryPointsByBackupVaultOutput{RecoveryPoints: []backupapi.RecoveryPointByBackupVault{}}
	err := s.st.View(func(tx store.Tx) error {
		if _, err := getVault(tx, sc, *in.BackupVaultName); err != nil {
			return err
		}
		var err error
		out.NextToken, err = scanPage(tx, sc.Prefix(kindRecovery, *in.BackupVaultName), in.NextToken, in.MaxResults, func(r *recoveryRec) bool {
			switch {
			case in.ByResourceArn != nil && *in.ByResourceArn != r.ResourceARN,
				in.ByResourceType != nil && *in.ByResourceType != resourceTypeRDS,
				in.ByBackupPlanId != nil && (r.CreatedBy == nil || deref(r.CreatedBy.BackupPlanId) != *in.ByBackupPlanId),
				in.ByParentRecoveryPointArn != nil,
				!inRange(&r.Created, in.ByCreatedAfter, in.ByCreatedBefore):
				return false
			}
			out.RecoveryPoints = append(out.RecoveryPoints, recoveryOut(r))
			return true
		})
		return err
	})
	return out, err
}

// readRecoveryPoint reads a recovery point of a vault in the caller's Region.
func (s *Service) readRecoveryPoint(ctx context.Context, vault, rpARN string) (*recoveryRec, error) {
	var r *recoveryRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		r, err = getRecoveryPoint(tx, scopeOf(request.From(ctx)), vault, rpARN)
		return err
	})
	return r, err
}

func (s *Service) describeRecoveryPoint(ctx context.Context, in *backupapi.DescribeRecoveryPointInput) (*backupapi.DescribeRecoveryPointOutput, error) {
	r, err := s.readRecoveryPoint(ctx, *in.BackupVaultName, *in.RecoveryPointArn)
	if err != nil {
		return nil, err
	}
	o := recoveryOut(r)
	return &backupapi.DescribeRecoveryPointOutput{
		RecoveryPointArn: o.RecoveryPointArn, BackupVaultName: o.BackupVaultName, BackupVaultArn: o.BackupVaultArn,
		SourceBackupVaultArn: o.SourceBackupVaultArn, ResourceArn: o.ResourceArn, ResourceType: o.ResourceType,
		CreatedBy: o.CreatedBy, IamRoleArn: o.IamRoleArn, Status: o.Status, CreationDate: o.CreationDate,
		CompletionDate: o.CompletionDate, BackupSizeInBytes: o.BackupSizeInBytes, CalculatedLifecycle: o.CalculatedLifecycle,
		Lifecycle: o.Lifecycle, EncryptionKeyArn: o.EncryptionKeyArn, IsEncrypted: o.IsEncrypted,
		StorageClass: str(backupapi.StorageClassWarm), LastRestoreTime: o.LastRestoreTime, IsParent: o.IsParent,
		ResourceName: o.ResourceName, VaultType: o.VaultType,
	}, nil
}

func (s *Service) deleteRecoveryPoint(ctx context.Context, in *backupapi.DeleteRecoveryPointInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	err := s.st.Update(func(tx store.Tx) error {
		r, err := getRecoveryPoint(tx, sc, *in.BackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return err
		}
		v, err := getVault(tx, sc, r.Vault)
		if err != nil {
			return err
		}
		if l := v.Lock; l != nil && l.MinDays != nil && s.clock.Now().Before(r.Created.Add(time.Duration(*l.MinDays)*day)) {
			return backupapi.ErrInvalidRequest.New("Backup vault %s is locked: recovery point %s cannot be deleted before its minimum retention of %d days has passed", v.Name, r.ARN, *l.MinDays)
		}
		return s.removeRecoveryPoint(tx, sc, r)
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}

func (s *Service) updateRecoveryPointLifecycle(ctx context.Context, in *backupapi.UpdateRecoveryPointLifecycleInput) (*backupapi.UpdateRecoveryPointLifecycleOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	if err := checkLifecycle("the lifecycle", in.Lifecycle, false); err != nil {
		return nil, err
	}
	var r *recoveryRec
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if r, err = getRecoveryPoint(tx, sc, *in.BackupVaultName, *in.RecoveryPointArn); err != nil {
			return err
		}
		v, err := getVault(tx, sc, r.Vault)
		if err != nil {
			return err
		}
		if why := v.Lock.retentionProblem(in.Lifecycle); why != "" {
			return backupapi.ErrInvalidRequest.New("Backup vault %s is locked: %s", v.Name, why)
		}
		// The lifecycle is replaced whole: a member left out is reset, as AWS does.
		r.Lifecycle = in.Lifecycle
		if err := s.putRecoveryPoint(tx, sc, r, false); err != nil {
			return err
		}
		return s.armExpiry(tx, sc, r)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateRecoveryPointLifecycleOutput{
		BackupVaultArn: str(r.VaultARN), RecoveryPointArn: str(r.ARN), Lifecycle: r.Lifecycle, CalculatedLifecycle: r.calculated(),
	}, nil
}

func (s *Service) listRecoveryPointsByResource(ctx context.Context, in *backupapi.ListRecoveryPointsByResourceInput) (*backupapi.ListRecoveryPointsByResourceOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	out := &backupapi.ListRecoveryPointsByResourceOutput{RecoveryPoints: []backupapi.RecoveryPointByResource{}}
	err := s.st.View(func(tx store.Tx) error {
		// Recovery points of one resource are few; they are found through the index of
		// every recovery point of the Region.
		var err error
		out.NextToken, err = scanPage(tx, sc.Prefix(kindRecovery), in.NextToken, in.MaxResults, func(r *recoveryRec) bool {
			if r.ResourceARN != *in.ResourceArn {
				return false
			}
			out.RecoveryPoints = append(out.RecoveryPoints, backupapi.RecoveryPointByResource{
				RecoveryPointArn: str(r.ARN), CreationDate: timePtr(r.Created), Status: str(backupapi.RecoveryPointStatusCompleted),
				EncryptionKeyArn: nonEmpty(r.KeyARN), BackupSizeBytes: &r.Size, BackupVaultName: str(r.Vault),
				IsParent: new(bool), ResourceName: str(r.ResourceName), VaultType: str(vaultTypeBackup),
			})
			return true
		})
		return err
	})
	return out, err
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Service) getRecoveryPointRestoreMetadata(ctx context.Context, in *backupapi.GetRecoveryPointRestoreMetadataInput) (*backupapi.GetRecoveryPointRestoreMetadataOutput, error) {
	r, err := s.readRecoveryPoint(ctx, *in.BackupVaultName, *in.RecoveryPointArn)
	if err != nil {
		return nil, err
	}
	return &backupapi.GetRecoveryPointRestoreMetadataOutput{
		BackupVaultArn: str(r.VaultARN), RecoveryPointArn: str(r.ARN), ResourceType: str(resourceTypeRDS),
		RestoreMetadata: map[string]string{
			"DBInstanceIdentifier": r.InstanceID, "Engine": r.Engine, "EngineVersion": r.EngineVersion,
		},
	}, nil
}
