package rds

import (
	"errors"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// snapshotAWSBackup is the type of the snapshots AWS Backup takes of DB instances
// ("awsbackup:job-…"). They are RDS snapshots, listed by DescribeDBSnapshots with
// SnapshotType awsbackup, but only AWS Backup deletes them.
const snapshotAWSBackup = "awsbackup"

// protector is RDS's DB instances as AWS Backup protects them: the port.Protected of
// resource type RDS. Every method works in the caller's transaction.
type protector struct{ s *Service }

var _ port.Protected = protector{}

// metaInstanceID is the restore metadata key that names the DB instance to create.
const metaInstanceID = "DBInstanceIdentifier"

var backupFailure = port.CannotProtect

// ResourceType implements port.Protected.
func (protector) ResourceType() string { return "RDS" }

// Resources implements port.Protected.
func (protector) Resources(ktx kit.Tx, account, region string) ([]port.Resource, error) {
	sc := scopeOf(account, region)
	var out []port.Resource
	err := store.ScanJSON(kit.Raw(ktx), sc.Prefix(kindInstance), func(_ string, inst *instanceRec) bool {
		tags := make(map[string]string, len(inst.Tags))
		for _, t := range inst.Tags {
			tags[t.Key] = t.Value
		}
		out = append(out, port.Resource{ARN: instanceARN(partitionOf(region), region, account, inst.ID), Tags: tags})
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

func backupImage(sc store.Scope, snap *snapshotRec) port.Image {
	part := partitionOf(sc.Region)
	return port.Image{
		ARN: snapshotARN(part, sc.Region, sc.Account, snap.ID), ResourceID: snap.InstanceID,
		ResourceARN: instanceARN(part, sc.Region, sc.Account, snap.InstanceID),
		SizeBytes:   snap.AllocatedStorage << 30, Encrypted: snap.Encrypted, KmsKeyARN: snap.KmsKey,
		Engine: snap.Engine, EngineVersion: snap.EngineVersion,
	}
}

// Backup implements port.Protected: a snapshot of the instance. AWS Backup backs up
// available and stopped instances, as CreateDBSnapshot does.
func (p protector) Backup(ktx kit.Tx, account, region, instanceARN, snapshotID string) (port.Image, error) {
	tx := kit.Raw(ktx)
	sc := scopeOf(account, region)
	inst, err := instanceOfARN(tx, sc, instanceARN)
	if err != nil {
		return port.Image{}, err
	}
	if inst.Status != statusAvailable && inst.Status != statusStopped {
		return port.Image{}, backupFailure("DB instance %s is not in available or stopped state: it is %s", inst.ID, inst.Status)
	}
	snap, err := getSnapshot(tx, sc, snapshotID)
	if err != nil || snap != nil {
		if snap != nil {
			return backupImage(sc, snap), nil // the job ran before and committed
		}
		return port.Image{}, err
	}
	snap = snapshotOf(inst, snapshotID, snapshotAWSBackup, p.s.clock.Now())
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Tags = append([]tagRec(nil), inst.Tags...)
	if err := p.s.engineAWSBackup(tx, sc, snap, ""); err != nil {
		return port.Image{}, err
	}
	if err := putSnapshot(tx, sc, snap); err != nil {
		return port.Image{}, err
	}
	return backupImage(sc, snap), nil
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

// Copy implements port.Protected. The copy is re-encrypted with keyARN, the key of the
// destination vault, and keeps the source's creation time, as AWS Backup's copies do.
func (p protector) Copy(ktx kit.Tx, account, region, snapshotARN, dstID, keyARN string) (port.Image, error) {
	tx, s := kit.Raw(ktx), p.s
	src, srcSc, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil {
		return port.Image{}, err
	}
	if src == nil {
		return port.Image{}, backupFailure("DB snapshot %s not found", snapshotARN)
	}
	if src.Encrypted {
		ok, err := s.keyUsable(tx, account, srcSc.Region, src.KmsKey)
		if err != nil {
			return port.Image{}, err
		}
		if !ok {
			return port.Image{}, backupFailure("The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", src.KmsKey)
		}
	}
	sc := scopeOf(account, region)
	if existing, err := getSnapshot(tx, sc, dstID); err != nil || existing != nil {
		if existing != nil {
			return backupImage(sc, existing), nil
		}
		return port.Image{}, err
	}
	key, err := s.resolveKey(tx, account, region, keyARN)
	if err != nil {
		return port.Image{}, backupFailure("The KMS key %s of the destination vault cannot be used: it does not exist or is not enabled", keyARN)
	}
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress = dstID, snapshotAWSBackup, snapshotAvailable, 100
	cp.Encrypted, cp.KmsKey = true, key
	cp.Shared, cp.SourceKey, cp.SourceSnapshot, cp.SourceRegion = nil, "", "", ""
	if srcSc.Region != region {
		cp.SourceRegion, cp.SourceSnapshot = srcSc.Region, snapshotARN
	}
	cp.Tags = append([]tagRec(nil), src.Tags...)
	if err := s.engineAWSBackup(tx, sc, &cp, snapshotARN); err != nil {
		return port.Image{}, err
	}
	if err := putSnapshot(tx, sc, &cp); err != nil {
		return port.Image{}, err
	}
	return backupImage(sc, &cp), nil
}

// Delete implements port.Protected.
func (p protector) Delete(ktx kit.Tx, account, region, snapshotARN string) error {
	tx := kit.Raw(ktx)
	snap, sc, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil || snap == nil {
		return err
	}
	if snap.Type != snapshotAWSBackup {
		return backupFailure("DB snapshot %s was not made by AWS Backup", snap.ID)
	}
	p.s.engineDropSnapshot(tx, sc, snap)
	return deleteSnapshot(tx, sc, snap)
}

// Restore implements port.Protected: RestoreDBInstanceFromDBSnapshot with the snapshot's
// own settings, creating the instance the metadata's DBInstanceIdentifier names.
func (p protector) Restore(ktx kit.Tx, account, region, snapshotARN string, metadata map[string]string) (string, error) {
	tx, id := kit.Raw(ktx), metadata[metaInstanceID]
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
	inst, err := p.s.restoreInstance(tx, sc, id, restored{image: snap.image, Tags: snap.Tags, From: snap.ID}, settings{}, nil)
	if err != nil {
		// What RestoreDBInstanceFromDBSnapshot would answer is the restore job's failure.
		var refused *awserr.Error
		if errors.As(err, &refused) {
			return "", backupFailure("%s", refused.Message)
		}
		return "", err
	}
	if snap.RealData {
		if err := p.s.engineRestore(tx, sc, inst, snapshotStore(sc, snap), port.DBRestore{Snapshot: true, DBName: snap.DBName}); err != nil {
			return "", err
		}
	}
	return instanceARN(partitionOf(region), region, account, inst.ID), nil
}
