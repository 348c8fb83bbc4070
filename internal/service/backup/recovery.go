package backup

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// recoveryRec is a recovery point in a vault: an image a provider made (for an RDS
// instance, an RDS snapshot) by a backup job, or a copy job into this vault. Records are
// keyed by vault and ARN, with an index from the ARN to its vault and one from the
// resource to its recovery points.
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
	// ExpireJob is the pending expiry, cancelled when the lifecycle changes.
	ExpireJob string `json:"expireJob,omitempty"`
	// ResourceType is AWS Backup's type of the resource ("" in records of the first
	// release, which were all RDS).
	ResourceType string `json:"resourceType,omitempty"`
	// Image is the ARN of the provider's image when the recovery point has its own ARN
	// (see typeRule.OwnARN); "" when the two are one.
	Image string `json:"image,omitempty"`
	// Content is the data the recovery point holds (see port.Blocks).
	Content port.Blocks `json:"content,omitzero"`
	// ColdCapable says that the recovery point goes to cold storage as its lifecycle
	// says: its resource type could when it was made (see typeRules).
	ColdCapable bool `json:"coldCapable,omitempty"`
	// Index is the Index its backup job asked for (see joboptions.go); a copy has none.
	Index string `json:"index,omitempty"`
}

// imageARN is the ARN of the provider's image the recovery point keeps.
func (r *recoveryRec) imageARN() string { return cmp.Or(r.Image, r.ARN) }

func (r *recoveryRec) resourceType() string {
	if r.ResourceType == "" {
		return typeRDS
	}
	return r.ResourceType
}

// deleteAt is when the lifecycle expires the recovery point, counted from its creation
// (a copy's from its source's).
func (r *recoveryRec) deleteAt() *time.Time {
	if r.Lifecycle == nil || r.Lifecycle.DeleteAfterDays == nil || *r.Lifecycle.DeleteAfterDays < 0 {
		return nil
	}
	return new(r.Created.Add(time.Duration(*r.Lifecycle.DeleteAfterDays) * day))
}

// coldAt is when the recovery point moves to cold storage, counted from its creation.
// Resource types without cold storage never move: AWS Backup ignores
// MoveToColdStorageAfterDays for them (RDS snapshots stay WARM).
func (r *recoveryRec) coldAt() *time.Time {
	if !r.ColdCapable || r.Lifecycle == nil || r.Lifecycle.MoveToColdStorageAfterDays == nil || *r.Lifecycle.MoveToColdStorageAfterDays < 0 {
		return nil
	}
	return new(r.Created.Add(time.Duration(*r.Lifecycle.MoveToColdStorageAfterDays) * day))
}

// storageClass is where the recovery point is at now: the move to cold storage needs no
// job, it is a date.
func (r *recoveryRec) storageClass(now time.Time) string {
	if at := r.coldAt(); at != nil && !now.Before(*at) {
		return backupapi.StorageClassCold
	}
	return backupapi.StorageClassWarm
}

func (r *recoveryRec) calculated() *backupapi.CalculatedLifecycle {
	del, cold := r.deleteAt(), r.coldAt()
	if del == nil && cold == nil {
		return nil
	}
	return &backupapi.CalculatedLifecycle{DeleteAt: del, MoveToColdStorageAt: cold}
}

// putRecoveryPoint stores a recovery point; fresh, it also indexes it and arms its
// expiry.
func (s *Service) putRecoveryPoint(tx kit.Tx, v kit.View, r *recoveryRec, fresh bool) error {
	if fresh {
		if err := recoveryVaults.Put(v, []byte(r.Vault), r.ARN); err != nil {
			return err
		}
		if err := pointsOfResource.Add(v, r.ResourceARN, r.ARN); err != nil {
			return err
		}
		if err := s.armExpiry(tx, v, r); err != nil {
			return err
		}
	}
	return recoveryPoints.Put(v, r, r.Vault, r.ARN)
}

// armExpiry arms the expiry r's lifecycle calls for, in place of the one armed before.
// The earlier one must go: jobs about one recovery point run in the order they were
// armed, so it would hold back an expiry that a shorter lifecycle brought forward.
func (s *Service) armExpiry(tx kit.Tx, v kit.View, r *recoveryRec) error {
	if err := tx.CancelJobs(r.ExpireJob); err != nil {
		return err
	}
	r.ExpireJob = ""
	at := r.deleteAt()
	if at == nil {
		return nil
	}
	id, err := jobExpire.Enqueue(tx, *at, expiry{Account: v.Account(), Region: v.Region(), Vault: r.Vault, ARN: r.ARN, At: *at})
	r.ExpireJob = id
	return err
}

func getRecoveryPoint(v kit.View, vault, rpARN string) (*recoveryRec, error) {
	r, err := recoveryPoints.Get(v, vault, rpARN)
	if err == nil && r == nil {
		err = msgPointNotInVault.New(rpARN, vault)
	}
	return r, err
}

// recoveryPointByARN finds a recovery point of the view's Region by ARN alone.
func recoveryPointByARN(v kit.View, rpARN string) (*recoveryRec, error) {
	vault := idOf(v, recoveryVaults, rpARN)
	if vault == "" {
		return nil, msgPointNotFound.New(rpARN)
	}
	return getRecoveryPoint(v, vault, rpARN)
}

// removeRecoveryPoint deletes a recovery point and the image behind it.
func (s *Service) removeRecoveryPoint(tx kit.Tx, v kit.View, r *recoveryRec) error {
	if err := s.dropImage(tx, v, r.resourceType(), &port.Image{ARN: r.imageARN()}); err != nil {
		return err
	}
	if err := pointsOfResource.Remove(v, r.ResourceARN, r.ARN); err != nil {
		return err
	}
	if err := tx.CancelJobs(r.ExpireJob); err != nil {
		return err
	}
	if err := recoveryVaults.Delete(v, r.ARN); err != nil {
		return err
	}
	return recoveryPoints.Delete(v, r.Vault, r.ARN)
}

// runExpire deletes a recovery point whose lifecycle has run out. A lifecycle changed
// since the job was armed armed another job; this one then finds nothing due.
func (s *Service) runExpire(_ context.Context, tx kit.Tx, _ *jobs.Job, e expiry) error {
	v := tx.In(e.Account, e.Region)
	r, err := recoveryPoints.Get(v, e.Vault, e.ARN)
	if err != nil || r == nil {
		return err
	}
	at := r.deleteAt()
	if at == nil || !at.Equal(e.At) || at.After(s.Clock.Now()) {
		return nil
	}
	r.ExpireJob = "" // this job, which is running
	return s.removeRecoveryPoint(tx, v, r)
}

func recoveryOut(r *recoveryRec) backupapi.RecoveryPointByBackupVault {
	return backupapi.RecoveryPointByBackupVault{
		RecoveryPointArn: new(r.ARN), BackupVaultName: new(r.Vault), BackupVaultArn: new(r.VaultARN),
		ResourceArn: new(r.ResourceARN), ResourceType: new(r.resourceType()), CreatedBy: r.CreatedBy,
		IamRoleArn: new(r.IAMRole), Status: new(backupapi.RecoveryPointStatusCompleted),
		CreationDate: new(r.Created), CompletionDate: new(r.Completed), BackupSizeInBytes: &r.Size,
		CalculatedLifecycle: r.calculated(), Lifecycle: r.Lifecycle, IsEncrypted: &r.Encrypted,
		LastRestoreTime: r.LastRestore, IsParent: new(false), ResourceName: new(r.ResourceName), VaultType: new(vaultTypeBackup),
		EncryptionKeyArn: nonEmpty(r.KeyARN), SourceBackupVaultArn: nonEmpty(r.SourceVaultARN), IndexStatus: indexStatus(r.Index),
	}
}

// recoveryPointFilter is ListRecoveryPointsByBackupVault's filters as one test.
func recoveryPointFilter(in *backupapi.ListRecoveryPointsByBackupVaultInput) func(*recoveryRec) bool {
	return func(r *recoveryRec) bool {
		switch {
		case in.ByResourceArn != nil && *in.ByResourceArn != r.ResourceARN,
			in.ByResourceType != nil && *in.ByResourceType != r.resourceType(),
			in.ByBackupPlanId != nil && (r.CreatedBy == nil || deref(r.CreatedBy.BackupPlanId) != *in.ByBackupPlanId),
			in.ByParentRecoveryPointArn != nil,
			!inRange(&r.Created, in.ByCreatedAfter, in.ByCreatedBefore):
			return false
		}
		return true
	}
}

func (s *Service) ListRecoveryPointsByBackupVault(ctx context.Context, in *backupapi.ListRecoveryPointsByBackupVaultInput) (*backupapi.ListRecoveryPointsByBackupVaultOutput, error) {
	c := s.Call(ctx)
	name := *in.BackupVaultName
	if in.BackupVaultAccountId != nil && *in.BackupVaultAccountId != c.Account {
		return nil, msgVaultNotFound.New(name)
	}
	keep := recoveryPointFilter(in)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListRecoveryPointsByBackupVaultOutput, error) {
		v := c.In(tx)
		if _, err := getVault(v, name); err != nil {
			return nil, err
		}
		out := &backupapi.ListRecoveryPointsByBackupVaultOutput{RecoveryPoints: []backupapi.RecoveryPointByBackupVault{}}
		page, next, err := pageByCreation(s, v, listOf(c, "ListRecoveryPointsByBackupVault", name), recoveryPoints, keep, in.NextToken, in.MaxResults, pointOrder, name)
		for _, r := range page {
			out.RecoveryPoints = append(out.RecoveryPoints, recoveryOut(r))
		}
		out.NextToken = next
		return out, err
	})
}

// pointOrder lists recovery points newest first, as AWS lists them (see doc.go's List
// order); a copy is placed by its own creation date, which is its source's.
var pointOrder = creationOrder[recoveryRec]{Created: func(r *recoveryRec) (time.Time, string) { return r.Created, r.ARN }, Newest: true}

// readRecoveryPoint reads a recovery point of a vault in the caller's Region.
func (s *Service) readRecoveryPoint(ctx context.Context, vault, rpARN string) (*recoveryRec, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*recoveryRec, error) {
		return getRecoveryPoint(c.In(tx), vault, rpARN)
	})
}

func (s *Service) DescribeRecoveryPoint(ctx context.Context, in *backupapi.DescribeRecoveryPointInput) (*backupapi.DescribeRecoveryPointOutput, error) {
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
		StorageClass: new(r.storageClass(s.Clock.Now())), LastRestoreTime: o.LastRestoreTime, IsParent: o.IsParent,
		ResourceName: o.ResourceName, VaultType: o.VaultType, IndexStatus: o.IndexStatus,
	}, nil
}

func (s *Service) DeleteRecoveryPoint(ctx context.Context, in *backupapi.DeleteRecoveryPointInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		r, err := getRecoveryPoint(v, *in.BackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return nil, err
		}
		vault, err := getVault(v, r.Vault)
		if err != nil {
			return nil, err
		}
		if err := refuseDenied(c, vault, actionDeletePoint); err != nil {
			return nil, err
		}
		if l := vault.Lock; l != nil && l.MinDays != nil && c.Now().Before(r.Created.Add(time.Duration(*l.MinDays)*day)) {
			return nil, msgRetainedPoint.New(vault.Name, r.ARN, *l.MinDays)
		}
		return &awsmodel.Empty{}, s.removeRecoveryPoint(tx, v, r)
	})
}

func (s *Service) UpdateRecoveryPointLifecycle(ctx context.Context, in *backupapi.UpdateRecoveryPointLifecycleInput) (*backupapi.UpdateRecoveryPointLifecycleOutput, error) {
	c := s.Call(ctx)
	if err := checkLifecycle("", in.Lifecycle, false); err != nil {
		return nil, err
	}
	r, err := kit.Write(s.Kit, func(tx kit.Tx) (*recoveryRec, error) {
		v := c.In(tx)
		r, err := getRecoveryPoint(v, *in.BackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return nil, err
		}
		vault, err := getVault(v, r.Vault)
		if err != nil {
			return nil, err
		}
		if err := refuseDenied(c, vault, actionUpdateLifecycle); err != nil {
			return nil, err
		}
		if why := vault.Lock.retentionProblem(in.Lifecycle); why != "" {
			return nil, msgVaultLocked.New(vault.Name, why)
		}
		if r.storageClass(c.Now()) == backupapi.StorageClassCold && !sameDays(coldDays(r.Lifecycle), coldDays(in.Lifecycle)) {
			return nil, msgColdIsFinal.New(r.ARN)
		}
		// The lifecycle is replaced whole: a member left out is reset, as AWS does.
		r.Lifecycle = in.Lifecycle
		if err := s.armExpiry(tx, v, r); err != nil {
			return nil, err
		}
		if err := s.notify(tx, v, r.Vault, event{Type: backupapi.BackupVaultEventRecoveryPointModified, Attrs: map[string]string{"Id": r.ARN},
			Text: fmt.Sprintf("An AWS Backup recovery point was modified. Recovery point ARN : %s. Resource ARN : %s", r.ARN, r.ResourceARN)}); err != nil {
			return nil, err
		}
		return r, s.putRecoveryPoint(tx, v, r, false)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.UpdateRecoveryPointLifecycleOutput{
		BackupVaultArn: new(r.VaultARN), RecoveryPointArn: new(r.ARN), Lifecycle: r.Lifecycle, CalculatedLifecycle: r.calculated(),
	}, nil
}

func coldDays(l *backupapi.Lifecycle) *int64 {
	if l == nil {
		return nil
	}
	return l.MoveToColdStorageAfterDays
}

func sameDays(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func (s *Service) ListRecoveryPointsByResource(ctx context.Context, in *backupapi.ListRecoveryPointsByResourceInput) (*backupapi.ListRecoveryPointsByResourceOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListRecoveryPointsByResourceOutput, error) {
		out := &backupapi.ListRecoveryPointsByResourceOutput{RecoveryPoints: []backupapi.RecoveryPointByResource{}}
		// Recovery points of one resource are few; they are found among every recovery
		// point of the Region.
		l := listOf(c, "ListRecoveryPointsByResource", *in.ResourceArn)
		ofResource := func(r *recoveryRec) bool { return r.ResourceARN == *in.ResourceArn }
		page, next, err := pageByCreation(s, c.In(tx), l, recoveryPoints, ofResource, in.NextToken, in.MaxResults, pointOrder)
		for _, r := range page {
			out.RecoveryPoints = append(out.RecoveryPoints, backupapi.RecoveryPointByResource{
				RecoveryPointArn: new(r.ARN), CreationDate: new(r.Created), Status: new(backupapi.RecoveryPointStatusCompleted),
				EncryptionKeyArn: nonEmpty(r.KeyARN), BackupSizeBytes: &r.Size, BackupVaultName: new(r.Vault),
				IsParent: new(false), ResourceName: new(r.ResourceName), VaultType: new(vaultTypeBackup), IndexStatus: indexStatus(r.Index),
			})
		}
		out.NextToken = next
		return out, err
	})
}

func (s *Service) GetRecoveryPointRestoreMetadata(ctx context.Context, in *backupapi.GetRecoveryPointRestoreMetadataInput) (*backupapi.GetRecoveryPointRestoreMetadataOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.GetRecoveryPointRestoreMetadataOutput, error) {
		r, err := getRecoveryPoint(c.In(tx), *in.BackupVaultName, *in.RecoveryPointArn)
		if err != nil {
			return nil, err
		}
		meta, err := s.restoreMetadata(tx, c, r)
		if err != nil {
			return nil, err
		}
		return &backupapi.GetRecoveryPointRestoreMetadataOutput{
			BackupVaultArn: new(r.VaultARN), RecoveryPointArn: new(r.ARN), ResourceType: new(r.resourceType()), RestoreMetadata: meta,
		}, nil
	})
}

// restoreMetadata is a recovery point's restore metadata: its provider's, when the
// provider has metadata of its own type, or RDS's keys.
func (s *Service) restoreMetadata(tx kit.Tx, c kit.Call, r *recoveryRec) (map[string]string, error) {
	p, ok := s.protector(r.resourceType())
	if m, own := p.(port.RestoreMetadata); ok && own {
		return m.RestoreMetadata(tx, c.Account, c.Region, r.imageARN())
	}
	return map[string]string{"DBInstanceIdentifier": r.InstanceID, "Engine": r.Engine, "EngineVersion": r.EngineVersion}, nil
}
