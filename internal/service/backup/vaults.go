package backup

import (
	"context"
	"errors"
	"regexp"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// defaultKey is the AWS managed key a vault is encrypted with when its creator names none.
const defaultKey = "alias/aws/backup"

// vaultName is the form of a vault's name, the model's BackupVaultName pattern (see
// Validation for why the service checks it).
var vaultName = regexp.MustCompile(`^[a-zA-Z0-9\-_]{2,50}$`)

func checkVaultName(name string) error {
	if !vaultName.MatchString(name) {
		return invalidParameter("Backup vault name %s is not valid", name)
	}
	return nil
}

// vaultKey resolves the key a new vault is encrypted with. AWS Backup takes a key ARN of
// the vault's Region; the managed key is created on first use.
func (s *Service) vaultKey(tx store.Tx, info *request.Info, keyARN *string) (string, error) {
	id := defaultKey
	if keyARN != nil {
		a, err := arn.Parse(*keyARN)
		if err != nil || a.Service != "kms" || len(a.Resource) < len("key/") || a.Resource[:len("key/")] != "key/" {
			return "", invalidParameter("Invalid EncryptionKeyArn: %s. It must be the ARN of a KMS key.", *keyARN)
		}
		id = *keyARN
	}
	k, err := s.keys.Resolve(kit.Adopt(tx), info.Account, info.Region, id)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return "", invalidParameter("Unable to find the KMS key %s in %s", id, info.Region)
	case err != nil:
		return "", err
	}
	if !k.Enabled || k.Usage != "ENCRYPT_DECRYPT" || k.Spec != "SYMMETRIC_DEFAULT" {
		return "", invalidParameter("The KMS key %s cannot be used to encrypt a backup vault: it must be an enabled symmetric encryption key", k.ARN)
	}
	return k.ARN, nil
}

func (s *Service) createBackupVault(ctx context.Context, in *backupapi.CreateBackupVaultInput) (*backupapi.CreateBackupVaultOutput, error) {
	info := request.From(ctx)
	name := *in.BackupVaultName
	if err := checkVaultName(name); err != nil {
		return nil, err
	}
	sc := scopeOf(info)
	var v vaultRec
	err := s.st.Update(func(tx store.Tx) error {
		found, err := store.GetJSON(tx, sc.Key(kindVault, name), &v)
		if err != nil {
			return err
		}
		if found {
			// A retried request (same CreatorRequestId) gets the first answer.
			if in.CreatorRequestId != nil && *in.CreatorRequestId == v.CreatorRequestID {
				return nil
			}
			return backupapi.ErrAlreadyExists.New("Backup vault with the same name already exists")
		}
		key, err := s.vaultKey(tx, info, in.EncryptionKeyArn)
		if err != nil {
			return err
		}
		v = vaultRec{
			Name: name, ARN: vaultARN(sc, name), KeyARN: key, Created: s.clock.Now(),
			CreatorRequestID: deref(in.CreatorRequestId), Tags: in.BackupVaultTags,
		}
		return store.PutJSON(tx, sc.Key(kindVault, name), &v)
	})
	if err != nil {
		return nil, err
	}
	return &backupapi.CreateBackupVaultOutput{BackupVaultName: str(v.Name), BackupVaultArn: str(v.ARN), CreationDate: timePtr(v.Created)}, nil
}

// getVault reads a vault; a vault that does not exist is ResourceNotFoundException.
func getVault(tx store.Tx, sc store.Scope, name string) (*vaultRec, error) {
	var v vaultRec
	found, err := store.GetJSON(tx, sc.Key(kindVault, name), &v)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, vaultNotFound(name)
	}
	return &v, nil
}

// recoveryPoints counts a vault's recovery points.
func recoveryPoints(tx store.Tx, sc store.Scope, name string) (int64, error) {
	var n int64
	err := tx.Scan(sc.Prefix(kindRecovery, name), "", func(string, []byte) bool {
		n++
		return true
	})
	return n, err
}

func (s *Service) describeBackupVault(ctx context.Context, in *backupapi.DescribeBackupVaultInput) (*backupapi.DescribeBackupVaultOutput, error) {
	info := request.From(ctx)
	name := *in.BackupVaultName
	if in.BackupVaultAccountId != nil && *in.BackupVaultAccountId != info.Account {
		// Vaults shared from other accounts (AWS RAM) do not exist here.
		return nil, vaultNotFound(name)
	}
	sc := scopeOf(info)
	var out *backupapi.DescribeBackupVaultOutput
	err := s.st.View(func(tx store.Tx) error {
		v, err := getVault(tx, sc, name)
		if err != nil {
			return err
		}
		n, err := recoveryPoints(tx, sc, name)
		if err != nil {
			return err
		}
		m := vaultListMember(v, n)
		out = &backupapi.DescribeBackupVaultOutput{
			BackupVaultName: m.BackupVaultName, BackupVaultArn: m.BackupVaultArn, VaultType: str(vaultTypeBackup),
			EncryptionKeyArn: m.EncryptionKeyArn, CreationDate: m.CreationDate, CreatorRequestId: m.CreatorRequestId,
			NumberOfRecoveryPoints: m.NumberOfRecoveryPoints, Locked: m.Locked,
			MinRetentionDays: m.MinRetentionDays, MaxRetentionDays: m.MaxRetentionDays, LockDate: m.LockDate,
		}
		return nil
	})
	return out, err
}

// vaultListMember is what ListBackupVaults and DescribeBackupVault say of a vault that
// holds n recovery points.
func vaultListMember(v *vaultRec, n int64) backupapi.BackupVaultListMember {
	m := backupapi.BackupVaultListMember{
		BackupVaultName: str(v.Name), BackupVaultArn: str(v.ARN), CreationDate: timePtr(v.Created),
		EncryptionKeyArn: str(v.KeyARN), NumberOfRecoveryPoints: &n, Locked: ptr(v.Lock != nil),
		CreatorRequestId: nonEmpty(v.CreatorRequestID),
	}
	if l := v.Lock; l != nil {
		m.MinRetentionDays, m.MaxRetentionDays, m.LockDate = l.MinDays, l.MaxDays, l.LockDate
	}
	return m
}

func (s *Service) listBackupVaults(ctx context.Context, in *backupapi.ListBackupVaultsInput) (*backupapi.ListBackupVaultsOutput, error) {
	info := request.From(ctx)
	sc := scopeOf(info)
	out := &backupapi.ListBackupVaultsOutput{BackupVaultList: []backupapi.BackupVaultListMember{}}
	if in.ByShared != nil && *in.ByShared {
		return out, nil // nothing is shared with this account
	}
	if in.ByVaultType != nil && *in.ByVaultType != vaultTypeBackup {
		return out, nil // only standard backup vaults exist here
	}
	err := s.st.View(func(tx store.Tx) error {
		var vaults []*vaultRec
		next, err := scanPage(tx, sc.Prefix(kindVault), in.NextToken, in.MaxResults, func(v *vaultRec) bool {
			vaults = append(vaults, v)
			return true
		})
		if err != nil {
			return err
		}
		for _, v := range vaults {
			n, err := recoveryPoints(tx, sc, v.Name)
			if err != nil {
				return err
			}
			out.BackupVaultList = append(out.BackupVaultList, vaultListMember(v, n))
		}
		out.NextToken = next
		return nil
	})
	return out, err
}

func (s *Service) deleteBackupVault(ctx context.Context, in *backupapi.DeleteBackupVaultInput) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	name := *in.BackupVaultName
	sc := scopeOf(info)
	err := s.st.Update(func(tx store.Tx) error {
		v, err := getVault(tx, sc, name)
		if err != nil {
			return err
		}
		n, err := recoveryPoints(tx, sc, name)
		if err != nil {
			return err
		}
		if n > 0 {
			return backupapi.ErrInvalidRequest.New("Backup vault cannot be deleted because it contains recovery points")
		}
		if v.Lock.immutable(s.clock.Now()) {
			return backupapi.ErrInvalidRequest.New("Backup vault %s is locked in compliance mode and cannot be deleted", v.Name)
		}
		return tx.Delete(sc.Key(kindVault, name))
	})
	if err != nil {
		return nil, err
	}
	return &awsmodel.Empty{}, nil
}
