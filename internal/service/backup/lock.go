package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// Vault Lock bounds (AWS Backup's documented limits).
const (
	maxRetentionDays     = 36500
	minChangeableForDays = 3
)

// vaultLock is a vault's Vault Lock configuration: every recovery point that enters the
// vault must be kept between MinDays and MaxDays (when set). Without LockDate the lock is
// in governance mode and may be removed; with it, the configuration can be changed or
// removed only until LockDate (compliance mode), and after that never.
type vaultLock struct {
	MinDays  *int64     `json:"minDays,omitempty"`
	MaxDays  *int64     `json:"maxDays,omitempty"`
	LockDate *time.Time `json:"lockDate,omitempty"`
}

// immutable reports whether the lock can no longer change.
func (l *vaultLock) immutable(now time.Time) bool {
	return l != nil && l.LockDate != nil && !now.Before(*l.LockDate)
}

// retentionProblem says why a lifecycle breaks the lock, or "" when it does not. A
// lifecycle without DeleteAfterDays keeps the recovery point forever, which satisfies a
// minimum but not a maximum.
func (l *vaultLock) retentionProblem(lc *backupapi.Lifecycle) string {
	if l == nil {
		return ""
	}
	var days *int64
	if lc != nil {
		days = lc.DeleteAfterDays
	}
	if l.MaxDays != nil && (days == nil || *days > *l.MaxDays) {
		return fmt.Sprintf("the retention period must be at most the vault lock's maximum of %d days", *l.MaxDays)
	}
	if l.MinDays != nil && days != nil && *days < *l.MinDays {
		return fmt.Sprintf("the retention period of %d days is shorter than the vault lock's minimum of %d days", *days, *l.MinDays)
	}
	return ""
}

func (s *Service) putBackupVaultLockConfiguration(ctx context.Context, in *backupapi.PutBackupVaultLockConfigurationInput) (*awsmodel.Empty, error) {
	for name, v := range map[string]*int64{"MinRetentionDays": in.MinRetentionDays, "MaxRetentionDays": in.MaxRetentionDays} {
		if v != nil && (*v < 1 || *v > maxRetentionDays) {
			return nil, invalidParameter("%s must be between 1 and %d days", name, maxRetentionDays)
		}
	}
	if in.MinRetentionDays != nil && in.MaxRetentionDays != nil && *in.MaxRetentionDays < *in.MinRetentionDays {
		return nil, invalidParameter("MaxRetentionDays must be greater than or equal to MinRetentionDays")
	}
	if in.ChangeableForDays != nil && *in.ChangeableForDays < minChangeableForDays {
		return nil, invalidParameter("ChangeableForDays must be at least %d days", minChangeableForDays)
	}
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, now time.Time) error {
		if v.Lock.immutable(now) {
			return backupapi.ErrInvalidRequest.New("Backup vault %s is locked in compliance mode: its Vault Lock configuration can no longer change", v.Name)
		}
		v.Lock = &vaultLock{MinDays: in.MinRetentionDays, MaxDays: in.MaxRetentionDays}
		if in.ChangeableForDays != nil {
			v.Lock.LockDate = timePtr(now.Add(time.Duration(*in.ChangeableForDays) * day))
		}
		return nil
	})
}

func (s *Service) deleteBackupVaultLockConfiguration(ctx context.Context, in *backupapi.DeleteBackupVaultLockConfigurationInput) (*awsmodel.Empty, error) {
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, now time.Time) error {
		if v.Lock.immutable(now) {
			return backupapi.ErrInvalidRequest.New("Backup vault %s is locked in compliance mode: its Vault Lock configuration cannot be deleted", v.Name)
		}
		v.Lock = nil
		return nil
	})
}

func (s *Service) putBackupVaultAccessPolicy(ctx context.Context, in *backupapi.PutBackupVaultAccessPolicyInput) (*awsmodel.Empty, error) {
	var doc map[string]any
	if in.Policy == nil || json.Unmarshal([]byte(*in.Policy), &doc) != nil {
		return nil, invalidParameter("The access policy is not a valid JSON policy document")
	}
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		v.Policy = *in.Policy
		return nil
	})
}

func (s *Service) getBackupVaultAccessPolicy(ctx context.Context, in *backupapi.GetBackupVaultAccessPolicyInput) (*backupapi.GetBackupVaultAccessPolicyOutput, error) {
	info := request.From(ctx)
	var v *vaultRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		v, err = getVault(tx, scopeOf(info), *in.BackupVaultName)
		if err == nil && v.Policy == "" {
			err = backupapi.ErrResourceNotFound.New("Backup vault %s has no access policy", v.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.GetBackupVaultAccessPolicyOutput{BackupVaultName: str(v.Name), BackupVaultArn: str(v.ARN), Policy: str(v.Policy)}, nil
}

func (s *Service) deleteBackupVaultAccessPolicy(ctx context.Context, in *backupapi.DeleteBackupVaultAccessPolicyInput) (*awsmodel.Empty, error) {
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		v.Policy = ""
		return nil
	})
}

// changeVault applies change to the vault of the caller's Region called name, in one
// transaction.
func (s *Service) changeVault(ctx context.Context, name string, change func(v *vaultRec, now time.Time) error) (*awsmodel.Empty, error) {
	sc := scopeOf(request.From(ctx))
	err := s.st.Update(func(tx store.Tx) error {
		v, err := getVault(tx, sc, name)
		if err != nil {
			return err
		}
		if err := change(v, s.clock.Now()); err != nil {
			return err
		}
		return store.PutJSON(tx, sc.Key(kindVault, v.Name), v)
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}
