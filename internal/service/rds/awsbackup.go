package rds

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/store"
)

// snapshotAWSBackup is the type of the snapshots AWS Backup takes of DB instances
// ("awsbackup:job-…"). They are RDS snapshots, listed by DescribeDBSnapshots with
// SnapshotType awsbackup, but only AWS Backup deletes them.
const snapshotAWSBackup = "awsbackup"

// Backups is how AWS Backup backs up, copies and restores DB instances. Every method
// works in the caller's transaction. Errors a user caused are ErrBackup values whose
// text AWS Backup shows as a job's StatusMessage.
type Backups interface {
	// BackupResources lists the instances of an account and Region that a backup
	// selection may pick.
	BackupResources(tx store.Tx, account, region string) ([]BackupResource, error)
	// SnapshotForBackup takes an available snapshot named snapshotID of the instance
	// instanceARN names.
	SnapshotForBackup(tx store.Tx, account, region, instanceARN, snapshotID string) (BackupImage, error)
	// CopyForBackup copies the snapshot snapshotARN names into region as dstID,
	// encrypted with keyARN (a key of region).
	CopyForBackup(tx store.Tx, account, region, snapshotARN, dstID, keyARN string) (BackupImage, error)
	// DeleteForBackup deletes a snapshot AWS Backup took or copied; one already gone is
	// not an error.
	DeleteForBackup(tx store.Tx, account, region, snapshotARN string) error
	// RestoreForBackup creates the instance id from the snapshot snapshotARN names and
	// returns its ARN.
	RestoreForBackup(tx store.Tx, account, region, snapshotARN, id string) (string, error)
}

// BackupResource is a DB instance as a backup selection sees it.
type BackupResource struct {
	ARN  string
	Tags map[string]string
}

// BackupImage describes a snapshot AWS Backup made.
type BackupImage struct {
	ARN, InstanceARN, InstanceID string
	SizeBytes                    int64
	Encrypted                    bool
	KmsKeyARN                    string
	Engine, EngineVersion        string
}

// ErrBackup is the cause of a backup, copy or restore that cannot be done.
var ErrBackup = errors.New("rds: cannot be backed up")

func backupFailure(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBackup, fmt.Sprintf(format, args...))
}

var _ Backups = (*Service)(nil)

// BackupResources implements Backups.
func (s *Service) BackupResources(tx store.Tx, account, region string) ([]BackupResource, error) {
	sc := scopeOf(account, region)
	var out []BackupResource
	err := store.ScanJSON(tx, sc.Prefix(kindInstance), func(_ string, inst *instanceRec) bool {
		tags := make(map[string]string, len(inst.Tags))
		for _, t := range inst.Tags {
			tags[t.Key] = t.Value
		}
		out = append(out, BackupResource{ARN: instanceARN(partitionOf(region), region, account, inst.ID), Tags: tags})
		return true
	})
	return out, err
}

// instanceOfARN finds the instance a DB instance ARN of the account and Region names.
func instanceOfARN(tx store.Tx, sc store.Scope, instanceARN string) (*instanceRec, error) {
	a, err := arn.Parse(instanceARN)
	id, isDB := strings.CutPrefix(a.Resource, "db:")
	if err != nil || a.Service != serviceName || !isDB {
		return nil, backupFailure("%s is not the ARN of a DB instance", instanceARN)
	}
	if a.Account != sc.Account || a.Region != sc.Region {
		return nil, backupFailure("DB instance %s is not in account %s and Region %s", instanceARN, sc.Account, sc.Region)
	}
	inst, err := getInstance(tx, sc, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if inst == nil {
		return nil, backupFailure("DB instance %s not found", id)
	}
	return inst, nil
}

func (s *Service) backupImage(sc store.Scope, snap *snapshotRec) BackupImage {
	part := partitionOf(sc.Region)
	return BackupImage{
		ARN: snapshotARN(part, sc.Region, sc.Account, snap.ID), InstanceID: snap.InstanceID,
		InstanceARN: instanceARN(part, sc.Region, sc.Account, snap.InstanceID),
		SizeBytes:   snap.AllocatedStorage << 30, Encrypted: snap.Encrypted, KmsKeyARN: snap.KmsKey,
		Engine: snap.Engine, EngineVersion: snap.EngineVersion,
	}
}

// SnapshotForBackup implements Backups. AWS Backup backs up available and stopped
// instances, as CreateDBSnapshot does.
func (s *Service) SnapshotForBackup(tx store.Tx, account, region, instanceARN, snapshotID string) (BackupImage, error) {
	sc := scopeOf(account, region)
	inst, err := instanceOfARN(tx, sc, instanceARN)
	if err != nil {
		return BackupImage{}, err
	}
	if inst.Status != statusAvailable && inst.Status != statusStopped {
		return BackupImage{}, backupFailure("DB instance %s is not in available or stopped state: it is %s", inst.ID, inst.Status)
	}
	snap, err := getSnapshot(tx, sc, snapshotID)
	if err != nil || snap != nil {
		if snap != nil {
			return s.backupImage(sc, snap), nil // the job ran before and committed
		}
		return BackupImage{}, err
	}
	snap = snapshotOf(inst, snapshotID, snapshotAWSBackup, s.clock.Now())
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Tags = append([]tagRec(nil), inst.Tags...)
	if err := putSnapshot(tx, sc, snap); err != nil {
		return BackupImage{}, err
	}
	return s.backupImage(sc, snap), nil
}

// backupSnapshot finds a snapshot AWS Backup made, by ARN.
func backupSnapshot(tx store.Tx, account, snapshotARN string) (*snapshotRec, store.Scope, error) {
	a, err := arn.Parse(snapshotARN)
	id, isSnap := strings.CutPrefix(a.Resource, "snapshot:")
	if err != nil || a.Service != serviceName || !isSnap || a.Account != account {
		return nil, store.Scope{}, backupFailure("%s is not the ARN of a DB snapshot of account %s", snapshotARN, account)
	}
	sc := scopeOf(account, a.Region)
	snap, err := getSnapshot(tx, sc, id)
	return snap, sc, err
}

// CopyForBackup implements Backups. The copy is re-encrypted with keyARN, the key of the
// destination vault, and keeps the source's creation time, as AWS Backup's copies do.
func (s *Service) CopyForBackup(tx store.Tx, account, region, snapshotARN, dstID, keyARN string) (BackupImage, error) {
	src, srcSc, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil {
		return BackupImage{}, err
	}
	if src == nil {
		return BackupImage{}, backupFailure("DB snapshot %s not found", snapshotARN)
	}
	if src.Encrypted {
		ok, err := s.keyUsable(tx, account, srcSc.Region, src.KmsKey)
		if err != nil {
			return BackupImage{}, err
		}
		if !ok {
			return BackupImage{}, backupFailure("The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", src.KmsKey)
		}
	}
	sc := scopeOf(account, region)
	if existing, err := getSnapshot(tx, sc, dstID); err != nil || existing != nil {
		if existing != nil {
			return s.backupImage(sc, existing), nil
		}
		return BackupImage{}, err
	}
	key, err := s.resolveKey(tx, account, region, keyARN)
	if err != nil {
		return BackupImage{}, backupFailure("The KMS key %s of the destination vault cannot be used: it does not exist or is not enabled", keyARN)
	}
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress = dstID, snapshotAWSBackup, snapshotAvailable, 100
	cp.Encrypted, cp.KmsKey = true, key
	cp.Shared, cp.SourceKey, cp.SourceSnapshot, cp.SourceRegion = nil, "", "", ""
	if srcSc.Region != region {
		cp.SourceRegion, cp.SourceSnapshot = srcSc.Region, snapshotARN
	}
	cp.Tags = append([]tagRec(nil), src.Tags...)
	if err := putSnapshot(tx, sc, &cp); err != nil {
		return BackupImage{}, err
	}
	return s.backupImage(sc, &cp), nil
}

// DeleteForBackup implements Backups.
func (s *Service) DeleteForBackup(tx store.Tx, account, region, snapshotARN string) error {
	snap, sc, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil || snap == nil {
		return err
	}
	if snap.Type != snapshotAWSBackup {
		return backupFailure("DB snapshot %s was not made by AWS Backup", snap.ID)
	}
	return deleteSnapshot(tx, sc, snap)
}

// RestoreForBackup implements Backups: RestoreDBInstanceFromDBSnapshot with the
// snapshot's own settings.
func (s *Service) RestoreForBackup(tx store.Tx, account, region, snapshotARN, id string) (string, error) {
	snap, sc, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil {
		return "", err
	}
	if snap == nil || sc.Region != region {
		return "", backupFailure("DB snapshot %s not found in %s", snapshotARN, region)
	}
	id = strings.ToLower(id)
	if !validIdentifier(id, maxInstanceID) {
		return "", backupFailure("%s is not a valid DB instance identifier", id)
	}
	inst, err := s.restoreInstance(tx, sc, id, restored{image: snap.image, Tags: snap.Tags, From: snap.ID}, settings{}, nil)
	if err != nil {
		// What RestoreDBInstanceFromDBSnapshot would answer is the restore job's failure.
		var refused *awserr.Error
		if errors.As(err, &refused) {
			return "", backupFailure("%s", refused.Message)
		}
		return "", err
	}
	return instanceARN(partitionOf(region), region, account, inst.ID), nil
}
