package rds

import (
	"errors"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
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

// backupFailure is a failure a user caused, with the text AWS Backup's job shows.
func backupFailure(t text, args ...any) error { return port.CannotProtect("%s", t.with(args...)) }

// ResourceType implements port.Protected.
func (protector) ResourceType() string { return "RDS" }

// Resources implements port.Protected.
func (p protector) Resources(tx kit.Tx, account, region string) ([]port.Resource, error) {
	var out []port.Resource
	err := instances.Scan(p.s.Join(tx).In(account, region), func(inst *instanceRec) bool {
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
func instanceOfARN(v kit.View, instanceARN string) (*instanceRec, error) {
	a, err := arn.Parse(instanceARN)
	id, isDB := strings.CutPrefix(a.Resource, "db:")
	if err != nil || a.Service != serviceName || !isDB {
		return nil, backupFailure(textNotInstanceARN, instanceARN)
	}
	if a.Account != v.Account() || a.Region != v.Region() {
		return nil, backupFailure(textInstanceElsewhere, instanceARN, v.Account(), v.Region())
	}
	inst, err := instances.Get(v, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if inst == nil {
		return nil, backupFailure(textBackupNoInstance, id)
	}
	return inst, nil
}

func backupImage(v kit.View, snap *snapshotRec) port.Image {
	part := partitionOf(v.Region())
	return port.Image{
		ARN: snapshotARN(part, v.Region(), v.Account(), snap.ID), ResourceID: snap.InstanceID,
		ResourceARN: instanceARN(part, v.Region(), v.Account(), snap.InstanceID),
		SizeBytes:   snap.AllocatedStorage << 30, Encrypted: snap.Encrypted, KmsKeyARN: snap.KmsKey,
		Engine: snap.Engine, EngineVersion: snap.EngineVersion,
	}
}

// Backup implements port.Protected: a snapshot of the instance. AWS Backup backs up
// available and stopped instances, as CreateDBSnapshot does.
func (p protector) Backup(tx kit.Tx, account, region, instanceARN, snapshotID string) (port.Image, error) {
	v := p.s.Join(tx).In(account, region)
	inst, err := instanceOfARN(v, instanceARN)
	if err != nil {
		return port.Image{}, err
	}
	if inst.Status != statusAvailable && inst.Status != statusStopped {
		return port.Image{}, backupFailure(textBackupState, inst.ID, inst.Status)
	}
	snap, err := snapshots.Get(v, snapshotID)
	if err != nil || snap != nil {
		if snap != nil {
			return backupImage(v, snap), nil // the job ran before and committed
		}
		return port.Image{}, err
	}
	snap = snapshotOf(inst, snapshotID, snapshotAWSBackup, p.s.Clock.Now())
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Tags = append([]tagRec(nil), inst.Tags...)
	if err := p.s.engineAWSBackup(tx, v, snap, ""); err != nil {
		return port.Image{}, err
	}
	if err := putSnapshot(v, snap); err != nil {
		return port.Image{}, err
	}
	return backupImage(v, snap), nil
}

// backupSnapshot finds a snapshot AWS Backup made, by ARN.
func backupSnapshot(tx kit.Tx, account, snapshotARN string) (*snapshotRec, kit.View, error) {
	a, err := arn.Parse(snapshotARN)
	id, isSnap := strings.CutPrefix(a.Resource, "snapshot:")
	if err != nil || a.Service != serviceName || !isSnap || a.Account != account {
		return nil, kit.View{}, backupFailure(textNotSnapshotARN, snapshotARN, account)
	}
	v := tx.In(account, a.Region)
	snap, err := snapshots.Get(v, id)
	return snap, v, err
}

// Copy implements port.Protected. The copy is re-encrypted with keyARN, the key of the
// destination vault, and keeps the source's creation time, as AWS Backup's copies do.
func (p protector) Copy(tx kit.Tx, account, region, snapshotARN, dstID, keyARN string) (port.Image, error) {
	tx, s := p.s.Join(tx), p.s
	src, srcView, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil {
		return port.Image{}, err
	}
	if src == nil {
		return port.Image{}, backupFailure(textBackupNoSnapshot, snapshotARN)
	}
	if src.Encrypted {
		ok, err := s.keyUsable(tx, account, srcView.Region(), src.KmsKey)
		if err != nil {
			return port.Image{}, err
		}
		if !ok {
			return port.Image{}, backupFailure(textBackupSourceKey, src.KmsKey)
		}
	}
	v := tx.In(account, region)
	if existing, err := snapshots.Get(v, dstID); err != nil || existing != nil {
		if existing != nil {
			return backupImage(v, existing), nil
		}
		return port.Image{}, err
	}
	key, err := s.resolveKey(tx, account, region, keyARN)
	if err != nil {
		return port.Image{}, backupFailure(textBackupVaultKey, keyARN)
	}
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress = dstID, snapshotAWSBackup, snapshotAvailable, 100
	cp.Encrypted, cp.KmsKey = true, key
	cp.Shared, cp.Source, cp.LegacySource, cp.SourceSnapshot, cp.SourceRegion = nil, nil, "", "", ""
	if srcView.Region() != region {
		cp.SourceRegion, cp.SourceSnapshot = srcView.Region(), snapshotARN
	}
	cp.Tags = append([]tagRec(nil), src.Tags...)
	if err := s.engineAWSBackup(tx, v, &cp, snapshotARN); err != nil {
		return port.Image{}, err
	}
	if err := putSnapshot(v, &cp); err != nil {
		return port.Image{}, err
	}
	return backupImage(v, &cp), nil
}

// Delete implements port.Protected.
func (p protector) Delete(tx kit.Tx, account, region, snapshotARN string) error {
	tx = p.s.Join(tx)
	snap, v, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil || snap == nil {
		return err
	}
	if snap.Type != snapshotAWSBackup {
		return backupFailure(textNotBackupSnapshot, snap.ID)
	}
	p.s.engineDropSnapshot(tx, v, snap)
	return deleteSnapshot(v, snap)
}

// Restore implements port.Protected: RestoreDBInstanceFromDBSnapshot with the snapshot's
// own settings, creating the instance the metadata's DBInstanceIdentifier names.
func (p protector) Restore(tx kit.Tx, account, region, snapshotARN string, metadata map[string]string) (string, error) {
	tx, id := p.s.Join(tx), metadata[metaInstanceID]
	snap, v, err := backupSnapshot(tx, account, snapshotARN)
	if err != nil {
		return "", err
	}
	if snap == nil || v.Region() != region {
		return "", backupFailure(textRestoreNoSnapshot, snapshotARN, region)
	}
	id = strings.ToLower(id)
	if !validIdentifier(id, maxInstanceID) {
		return "", backupFailure(textRestoreIdentifier, id)
	}
	inst, err := p.s.restoreInstance(tx, v, id, restored{image: snap.image, Tags: snap.Tags, From: snap.ID}, settings{}, nil)
	if err != nil {
		// What RestoreDBInstanceFromDBSnapshot would answer is the restore job's failure.
		var refused *awserr.Error
		if errors.As(err, &refused) {
			return "", port.CannotProtect("%s", refused.Message)
		}
		return "", err
	}
	if snap.RealData {
		if err := p.s.engineRestore(v, inst, snapshotStore(v, snap), port.DBRestore{Snapshot: true, DBName: snap.DBName}); err != nil {
			return "", err
		}
	}
	return instanceARN(partitionOf(region), region, account, inst.ID), nil
}
