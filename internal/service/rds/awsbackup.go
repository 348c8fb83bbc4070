package rds

import (
	"errors"
	"strconv"
	"strings"
	"time"

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

var (
	_ port.Protected      = protector{}
	_ port.RestoreCleaner = protector{}
	_ port.ImageProgress  = protector{}
)

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
		Engine: snap.Engine, EngineVersion: snap.EngineVersion, Content: syntheticContent(snap),
	}
}

// transferOf is what making snap moved, given what the destination held.
func transferOf(v kit.View, snap *snapshotRec, base port.BlockSet) port.Transfer {
	img := backupImage(v, snap)
	return port.Transfer{Image: img, Bytes: img.Content.Missing(base)}
}

// backupReady says whether an instance in its status can be backed up: now, later (a
// status it leaves by itself), or never.
func backupReady(inst *instanceRec) error {
	switch inst.Status {
	case statusAvailable, statusStopped:
		return nil
	case statusDeleting:
		return backupFailure(textBackupState, inst.ID, inst.Status)
	}
	return port.NotReady("%s", textBackupState.with(inst.ID, inst.Status))
}

// Backup implements port.Protected: a snapshot of the instance. AWS Backup backs up
// available and stopped instances, as CreateDBSnapshot does; one in a passing state
// (creating, modifying, backing-up...) is not ready yet. A real instance's data is
// taken too (realdata.go).
func (p protector) Backup(tx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	v := p.s.Join(tx).In(req.Account, req.Region)
	inst, err := instanceOfARN(v, req.ResourceARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if err := backupReady(inst); err != nil {
		return port.Transfer{}, err
	}
	snap, err := snapshots.Get(v, req.BackupID)
	if err != nil || snap != nil {
		if snap != nil {
			return transferOf(v, snap, req.Base), nil // the job ran before and committed
		}
		return port.Transfer{}, err
	}
	snap = snapshotOf(inst, req.BackupID, snapshotAWSBackup, p.s.Clock.Now())
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Tags = append([]tagRec(nil), inst.Tags...)
	if err := p.s.engineAWSBackup(tx, v, snap, ""); err != nil {
		return port.Transfer{}, err
	}
	if err := putSnapshot(v, snap); err != nil {
		return port.Transfer{}, err
	}
	return transferOf(v, snap, req.Base), nil
}

// backupSnapshot finds a snapshot AWS Backup made, by ARN, in the ARN's account and
// Region: a copy's source may be of another account of the partition. Callers that act
// on the caller's own snapshots check the view's account.
func backupSnapshot(tx kit.Tx, snapshotARN string) (*snapshotRec, kit.View, error) {
	a, err := arn.Parse(snapshotARN)
	id, isSnap := strings.CutPrefix(a.Resource, "snapshot:")
	if err != nil || a.Service != serviceName || !isSnap {
		return nil, kit.View{}, backupFailure(textNotSnapshotARN, snapshotARN)
	}
	v := tx.In(a.Account, a.Region)
	snap, err := snapshots.Get(v, id)
	return snap, v, err
}

// Copy implements port.Protected. The copy is re-encrypted with KeyARN, the key of the
// destination vault, and keeps the source's creation time, as AWS Backup's copies do.
// Its content is the source's: it moves what the destination lacks of it, as RDS's
// incremental snapshot copies do. A real snapshot's data is copied too (realdata.go).
func (p protector) Copy(tx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	tx = p.s.Join(tx)
	src, srcView, err := backupSnapshot(tx, req.ImageARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if src == nil {
		return port.Transfer{}, backupFailure(textBackupNoSnapshot, req.ImageARN)
	}
	v := tx.In(req.Account, req.Region)
	if err := p.checkCopy(tx, src, srcView, v); err != nil {
		return port.Transfer{}, err
	}
	if existing, err := snapshots.Get(v, req.CopyID); err != nil || existing != nil {
		if existing != nil {
			return transferOf(v, existing, req.Base), nil
		}
		return port.Transfer{}, err
	}
	key, err := p.s.resolveKey(tx, req.Account, req.Region, req.KeyARN)
	if err != nil {
		return port.Transfer{}, backupFailure(textBackupVaultKey, req.KeyARN)
	}
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress = req.CopyID, snapshotAWSBackup, snapshotAvailable, 100
	cp.Encrypted, cp.KmsKey = true, key
	cp.Shared, cp.Source, cp.LegacySource, cp.SourceSnapshot, cp.SourceRegion = nil, nil, "", "", ""
	if srcView.Region() != req.Region {
		cp.SourceRegion, cp.SourceSnapshot = srcView.Region(), req.ImageARN
	}
	cp.Tags = append([]tagRec(nil), src.Tags...)
	if err := p.s.engineAWSBackup(tx, v, &cp, req.ImageARN); err != nil {
		return port.Transfer{}, err
	}
	if err := putSnapshot(v, &cp); err != nil {
		return port.Transfer{}, err
	}
	return transferOf(v, &cp, req.Base), nil
}

// checkCopy applies RDS's rules for copying a snapshot from src's view to dst: its key
// must be usable; an AWS managed key cannot be shared with another account; a custom
// option group does not travel to another Region (RDS would need an option group of the
// same options there, which AWS Backup cannot name).
func (p protector) checkCopy(tx kit.Tx, snap *snapshotRec, src, dst kit.View) error {
	if snap.Encrypted {
		key, err := p.s.keys.Resolve(tx, src.Account(), src.Region(), snap.KmsKey)
		if err != nil && !port.KeyUnavailable(err) {
			return err
		}
		if err != nil || !key.Enabled {
			return backupFailure(textBackupSourceKey, snap.KmsKey)
		}
		if key.AWSManaged && src.Account() != dst.Account() {
			return backupFailure(textBackupManagedKey, snap.ID, snap.KmsKey, dst.Account())
		}
	}
	if src.Region() != dst.Region() && !strings.HasPrefix(snap.OptionGroup, "default:") {
		return backupFailure(textBackupOptionGroup, snap.ID, snap.OptionGroup)
	}
	return nil
}

// ownSnapshot finds a snapshot AWS Backup made in the account, for the methods that act
// on the caller's own images.
func ownSnapshot(tx kit.Tx, account, snapshotARN string) (*snapshotRec, kit.View, error) {
	snap, v, err := backupSnapshot(tx, snapshotARN)
	if err == nil && v.Account() != account {
		return nil, kit.View{}, backupFailure(textSnapshotElsewhere, snapshotARN, account)
	}
	return snap, v, err
}

// Delete implements port.Protected.
func (p protector) Delete(tx kit.Tx, account, region, snapshotARN string) error {
	tx = p.s.Join(tx)
	snap, v, err := ownSnapshot(tx, account, snapshotARN)
	if err != nil || snap == nil {
		return err
	}
	if snap.Type != snapshotAWSBackup {
		return backupFailure(textNotBackupSnapshot, snap.ID)
	}
	return p.s.removeSnapshot(tx, v, snap)
}

// DeleteRestored implements port.RestoreCleaner: DeleteDBInstance with SkipFinalSnapshot
// and without keeping automated backups, for the instance a restore test made.
func (p protector) DeleteRestored(tx kit.Tx, account, region, instanceARN string) error {
	tx = p.s.Join(tx)
	v := tx.In(account, region)
	inst, err := instanceOfARN(v, instanceARN)
	if errors.Is(err, port.ErrCannotProtect) {
		return nil // gone already
	}
	if err != nil || inst.Status == statusDeleting {
		return err
	}
	if err := p.s.deleteMasterSecret(tx, v, inst); err != nil {
		return err
	}
	inst.Status, inst.DeleteBackups, inst.Applying = statusDeleting, true, nil
	return p.s.step(tx, v, inst)
}

// Restore implements port.Protected: RestoreDBInstanceFromDBSnapshot with the snapshot's
// own settings, creating the instance the metadata's DBInstanceIdentifier names.
func (p protector) Restore(tx kit.Tx, account, region, snapshotARN string, metadata map[string]string) (string, error) {
	tx, id := p.s.Join(tx), metadata[metaInstanceID]
	snap, v, err := ownSnapshot(tx, account, snapshotARN)
	if err != nil {
		return "", err
	}
	if snap == nil || v.Region() != region {
		return "", backupFailure(textRestoreNoSnapshot, snapshotARN, region)
	}
	if snap.Status != snapshotAvailable {
		return "", backupFailure(text(msgSnapshotNotAvailable.Text), snap.ID)
	}
	id = strings.ToLower(id)
	if !validIdentifier(id, maxInstanceID) {
		return "", backupFailure(textRestoreIdentifier, id)
	}
	inst, err := p.s.restoreInstance(tx, v, id, restored{image: snap.image, Tags: snap.Tags, From: snap.ID}, settings{}, nil, nil)
	if err == nil && snap.RealData {
		err = p.s.engineRestore(tx, v, inst, snapshotStore(v, snap), port.DBRestore{Snapshot: true, DBName: snap.DBName})
	}
	if err != nil {
		// What RestoreDBInstanceFromDBSnapshot would answer is the restore job's failure.
		var refused *awserr.Error
		if errors.As(err, &refused) {
			return "", port.CannotProtect("%s", refused.Message)
		}
		return "", err
	}
	return instanceARN(partitionOf(region), region, account, inst.ID), nil
}

// The synthetic content of a DB instance's storage. RDS has no real data yet, so an
// image's Blocks are derived from what would determine the data: the instance
// (DbiResourceId), its allocated storage cut into blocks, and the day each block was last
// written. Every block is written when the instance is created; on each later day (UTC)
// a block is written with a probability of dailyChange, chosen by a digest of the
// instance, the block and the day, so the map of a snapshot depends only on the instance
// and the snapshot's time. A day's snapshots and copies therefore move about
// dailyChange of the storage, a first one all of it.
const (
	syntheticBlockSize = 64 << 20
	syntheticMaxBlocks = 4096
	dailyChange        = 300 // in ten-thousandths: 3% of the blocks a day
)

func syntheticContent(snap *snapshotRec) port.Blocks {
	size := snap.AllocatedStorage << 30
	block := max(int64(syntheticBlockSize), (size/syntheticMaxBlocks+(1<<20)-1)&^((1<<20)-1))
	born, at := dayNumber(snap.InstanceCreated), dayNumber(snap.Original)
	return port.NewBlocks(size, block, func(i int) uint64 {
		b := strconv.Itoa(i)
		return port.DigestOf(snap.ResourceID, b, strconv.FormatInt(lastWritten(snap.ResourceID, b, born, at), 10))
	})
}

// lastWritten is the last day up to at on which the block was written.
func lastWritten(resourceID, block string, born, at int64) int64 {
	for d := at; d > born; d-- {
		if port.DigestOf(resourceID, block, strconv.FormatInt(d, 10), "written")%10000 < dailyChange {
			return d
		}
	}
	return born
}

func dayNumber(t time.Time) int64 { return t.Unix() / 86400 }
