package backup

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// defaultKey is the AWS managed key a vault is encrypted with when its creator names none.
const defaultKey = "alias/aws/backup"

// vaultName is the form of a vault's name, the model's BackupVaultName pattern (see
// Validation for why the service checks it).
var vaultName = lazyregexp.MustCompile(`^[a-zA-Z0-9\-_]{2,50}$`)

func checkVaultName(name string) error {
	if !vaultName.MatchString(name) {
		return msgBadVaultName.New(name)
	}
	return nil
}

// vaultKey resolves the key a new vault is encrypted with. AWS Backup takes a key ARN of
// the vault's Region; the managed key is created on first use.
func (s *Service) vaultKey(tx kit.Tx, c kit.Call, keyARN *string) (string, error) {
	id := defaultKey
	if keyARN != nil {
		a, err := arn.Parse(*keyARN)
		if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") {
			return "", msgBadKeyARN.New(*keyARN)
		}
		id = *keyARN
	}
	k, err := s.keys.Resolve(tx, c.Account, c.Region, id)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return "", msgNoKey.New(id, c.Region)
	case err != nil:
		return "", err
	}
	if !k.Enabled || k.Usage != "ENCRYPT_DECRYPT" || k.Spec != "SYMMETRIC_DEFAULT" {
		return "", msgUnusableKey.New(k.ARN)
	}
	return k.ARN, nil
}

func (s *Service) CreateBackupVault(ctx context.Context, in *backupapi.CreateBackupVaultInput) (*backupapi.CreateBackupVaultOutput, error) {
	c := s.Call(ctx)
	name := *in.BackupVaultName
	if err := checkVaultName(name); err != nil {
		return nil, err
	}
	v, err := kit.Write(s.Kit, func(tx kit.Tx) (*vaultRec, error) {
		view := c.In(tx)
		found, err := vaults.Get(view, name)
		if err != nil {
			return nil, err
		}
		if found != nil {
			// A retried request (same CreatorRequestId) gets the first answer.
			if in.CreatorRequestId != nil && *in.CreatorRequestId == found.CreatorRequestID {
				return found, nil
			}
			return nil, msgVaultExists.New()
		}
		key, err := s.vaultKey(tx, c, in.EncryptionKeyArn)
		if err != nil {
			return nil, err
		}
		v := &vaultRec{
			Name: name, ARN: vaultARN(view, name), KeyARN: key, Created: c.Now(),
			CreatorRequestID: deref(in.CreatorRequestId), Tags: in.BackupVaultTags,
		}
		return v, vaults.Put(view, v, name)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupVaultOutput{BackupVaultName: new(v.Name), BackupVaultArn: new(v.ARN), CreationDate: new(v.Created)}, nil
}

// getVault reads a vault; a vault that does not exist is ResourceNotFoundException.
func getVault(v kit.View, name string) (*vaultRec, error) {
	vault, err := vaults.Get(v, name)
	if err == nil && vault == nil {
		err = msgVaultNotFound.New(name)
	}
	return vault, err
}

// countRecoveryPoints counts a vault's recovery points.
func countRecoveryPoints(v kit.View, name string) (int64, error) {
	var n int64
	err := recoveryPoints.Keys(v, "", func(kit.Entry) bool {
		n++
		return true
	}, name)
	return n, err
}

// vaultMember is a vault as ListBackupVaults and DescribeBackupVault show it. Vaults are
// made at once, so every vault is AVAILABLE.
func (s *Service) vaultMember(tx kit.Tx, v kit.View, vault *vaultRec) (backupapi.BackupVaultListMember, error) {
	n, err := countRecoveryPoints(v, vault.Name)
	if err != nil {
		return backupapi.BackupVaultListMember{}, err
	}
	keyType, err := s.keyType(tx, v, vault.KeyARN)
	if err != nil {
		return backupapi.BackupVaultListMember{}, err
	}
	m := backupapi.BackupVaultListMember{
		BackupVaultName: new(vault.Name), BackupVaultArn: new(vault.ARN), CreationDate: new(vault.Created),
		EncryptionKeyArn: new(vault.KeyARN), NumberOfRecoveryPoints: &n, Locked: new(vault.Lock != nil),
		CreatorRequestId: nonEmpty(vault.CreatorRequestID), VaultType: new(vaultTypeBackup),
		VaultState: new(backupapi.VaultStateAvailable), EncryptionKeyType: keyType,
	}
	if l := vault.Lock; l != nil {
		m.MinRetentionDays, m.MaxRetentionDays, m.LockDate = l.MinDays, l.MaxDays, l.LockDate
	}
	return m, nil
}

// keyType is the EncryptionKeyType of a vault whose key is keyARN: CUSTOMER_MANAGED_KMS_KEY
// for a customer managed key. The model's other value, AWS_OWNED_KMS_KEY, is for the
// logically air-gapped vaults xregion does not make; a vault under the AWS managed key
// aws/backup is neither, and shows no type (nil), which is what a careful reading of the
// model's two values allows. A key that is gone shows none either.
func (s *Service) keyType(tx kit.Tx, v kit.View, keyARN string) (*string, error) {
	info, err := s.keys.Resolve(tx, v.Account(), v.Region(), keyARN)
	switch {
	case port.KeyUnavailable(err):
		return nil, nil
	case err != nil:
		return nil, err
	case info.AWSManaged:
		return nil, nil
	}
	return new(backupapi.EncryptionKeyTypeCustomerManagedKmsKey), nil
}

func (s *Service) DescribeBackupVault(ctx context.Context, in *backupapi.DescribeBackupVaultInput) (*backupapi.DescribeBackupVaultOutput, error) {
	c := s.Call(ctx)
	name := *in.BackupVaultName
	if in.BackupVaultAccountId != nil && *in.BackupVaultAccountId != c.Account {
		// Vaults shared from other accounts (AWS RAM) do not exist here.
		return nil, msgVaultNotFound.New(name)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.DescribeBackupVaultOutput, error) {
		v := c.In(tx)
		vault, err := getVault(v, name)
		if err != nil {
			return nil, err
		}
		m, err := s.vaultMember(tx, v, vault)
		if err != nil {
			return nil, err
		}
		return &backupapi.DescribeBackupVaultOutput{
			BackupVaultName: m.BackupVaultName, BackupVaultArn: m.BackupVaultArn, VaultType: m.VaultType,
			VaultState: m.VaultState, EncryptionKeyType: m.EncryptionKeyType,
			EncryptionKeyArn: m.EncryptionKeyArn, CreationDate: m.CreationDate, CreatorRequestId: m.CreatorRequestId,
			NumberOfRecoveryPoints: m.NumberOfRecoveryPoints, Locked: m.Locked,
			MinRetentionDays: m.MinRetentionDays, MaxRetentionDays: m.MaxRetentionDays, LockDate: m.LockDate,
		}, nil
	})
}

func (s *Service) ListBackupVaults(ctx context.Context, in *backupapi.ListBackupVaultsInput) (*backupapi.ListBackupVaultsOutput, error) {
	c := s.Call(ctx)
	out := &backupapi.ListBackupVaultsOutput{BackupVaultList: []backupapi.BackupVaultListMember{}}
	if in.ByShared != nil && *in.ByShared {
		return out, nil // nothing is shared with this account
	}
	if in.ByVaultType != nil && *in.ByVaultType != vaultTypeBackup {
		return out, nil // only standard backup vaults exist here
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListBackupVaultsOutput, error) {
		v := c.In(tx)
		page, next, err := pageByCreation(s, v, listOf(c, "ListBackupVaults", ""), vaults, func(*vaultRec) bool { return true },
			in.NextToken, in.MaxResults, vaultOrder)
		if err != nil {
			return nil, err
		}
		for _, vault := range page {
			m, err := s.vaultMember(tx, v, vault)
			if err != nil {
				return nil, err
			}
			out.BackupVaultList = append(out.BackupVaultList, m)
		}
		out.NextToken = next
		return out, nil
	})
}

// vaultOrder lists vaults oldest first, as plans are (see doc.go's List order), names
// breaking ties.
var vaultOrder = creationOrder[vaultRec]{Created: func(v *vaultRec) (time.Time, string) { return v.Created, v.Name }}

func (s *Service) DeleteBackupVault(ctx context.Context, in *backupapi.DeleteBackupVaultInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	name := *in.BackupVaultName
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		vault, err := getVault(v, name)
		if err != nil {
			return nil, err
		}
		if err := refuseDenied(c, vault, actionDeleteVault); err != nil {
			return nil, err
		}
		n, err := countRecoveryPoints(v, name)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, msgVaultNotEmpty.New()
		}
		if vault.Lock.immutable(c.Now()) {
			return nil, msgVaultCompliance.New(vault.Name)
		}
		return &awsmodel.Empty{}, vaults.Delete(v, name)
	})
}
