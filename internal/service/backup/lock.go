package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
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
		return fmt.Sprintf(reasonAboveMax, *l.MaxDays)
	}
	if l.MinDays != nil && days != nil && *days < *l.MinDays {
		return fmt.Sprintf(reasonBelowMin, *days, *l.MinDays)
	}
	return ""
}

// checkLockInput applies Vault Lock's bounds to a configuration. The retention days are
// checked in the order the API lists them, so that with both out of range the error
// always names MinRetentionDays.
func checkLockInput(in *backupapi.PutBackupVaultLockConfigurationInput) error {
	for _, d := range []struct {
		name string
		days *int64
	}{{"MinRetentionDays", in.MinRetentionDays}, {"MaxRetentionDays", in.MaxRetentionDays}} {
		if d.days != nil && (*d.days < 1 || *d.days > maxRetentionDays) {
			return msgRetentionRange.New(d.name, maxRetentionDays)
		}
	}
	if in.MinRetentionDays != nil && in.MaxRetentionDays != nil && *in.MaxRetentionDays < *in.MinRetentionDays {
		return msgRetentionOrder.New()
	}
	if in.ChangeableForDays != nil && *in.ChangeableForDays < minChangeableForDays {
		return msgChangeableFor.New(minChangeableForDays)
	}
	return nil
}

func (s *Service) PutBackupVaultLockConfiguration(ctx context.Context, in *backupapi.PutBackupVaultLockConfigurationInput) (*awsmodel.Empty, error) {
	if err := checkLockInput(in); err != nil {
		return nil, err
	}
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, now time.Time) error {
		if v.Lock.immutable(now) {
			return msgLockImmutable.New(v.Name)
		}
		v.Lock = &vaultLock{MinDays: in.MinRetentionDays, MaxDays: in.MaxRetentionDays}
		if in.ChangeableForDays != nil {
			v.Lock.LockDate = new(now.Add(time.Duration(*in.ChangeableForDays) * day))
		}
		return nil
	})
}

func (s *Service) DeleteBackupVaultLockConfiguration(ctx context.Context, in *backupapi.DeleteBackupVaultLockConfigurationInput) (*awsmodel.Empty, error) {
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, now time.Time) error {
		if v.Lock.immutable(now) {
			return msgLockUndeletable.New(v.Name)
		}
		v.Lock = nil
		return nil
	})
}

func (s *Service) PutBackupVaultAccessPolicy(ctx context.Context, in *backupapi.PutBackupVaultAccessPolicyInput) (*awsmodel.Empty, error) {
	var doc map[string]any
	if in.Policy == nil || json.Unmarshal([]byte(*in.Policy), &doc) != nil {
		return nil, msgBadPolicy.New()
	}
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		v.Policy = *in.Policy
		return nil
	})
}

func (s *Service) GetBackupVaultAccessPolicy(ctx context.Context, in *backupapi.GetBackupVaultAccessPolicyInput) (*backupapi.GetBackupVaultAccessPolicyOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.GetBackupVaultAccessPolicyOutput, error) {
		v, err := getVault(c.In(tx), *in.BackupVaultName)
		if err != nil {
			return nil, err
		}
		if v.Policy == "" {
			return nil, msgNoAccessPolicy.New(v.Name)
		}
		return &backupapi.GetBackupVaultAccessPolicyOutput{BackupVaultName: new(v.Name), BackupVaultArn: new(v.ARN), Policy: new(v.Policy)}, nil
	})
}

func (s *Service) DeleteBackupVaultAccessPolicy(ctx context.Context, in *backupapi.DeleteBackupVaultAccessPolicyInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return s.changeVault(ctx, *in.BackupVaultName, func(v *vaultRec, _ time.Time) error {
		if err := refuseDenied(c, v, actionDeleteVaultPolicy); err != nil {
			return err
		}
		v.Policy = ""
		return nil
	})
}

// changeVault applies change to the vault of the caller's Region called name, in one
// transaction.
func (s *Service) changeVault(ctx context.Context, name string, change func(v *vaultRec, now time.Time) error) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		view := c.In(tx)
		v, err := getVault(view, name)
		if err != nil {
			return nil, err
		}
		if err := change(v, c.Now()); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, vaults.Put(view, v, v.Name)
	})
}
