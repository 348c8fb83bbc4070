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
	"github.com/xregion/xregion/internal/store"
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
)

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
		Engine: snap.Engine, EngineVersion: snap.EngineVersion, Content: syntheticContent(snap),
	}
}

// transferOf is what making snap moved, given what the destination held.
func transferOf(sc store.Scope, snap *snapshotRec, base port.BlockSet) port.Transfer {
	img := backupImage(sc, snap)
	return port.Transfer{Image: img, Bytes: img.Content.Missing(base)}
}

// backupReady says whether an instance in its status can be backed up: now, later (a
// status it leaves by itself), or never.
func backupReady(inst *instanceRec) error {
	switch inst.Status {
	case statusAvailable, statusStopped:
		return nil
	case statusDeleting:
		return backupFailure("DB instance %s is not in available or stopped state: it is %s", inst.ID, inst.Status)
	}
	return port.NotReady("DB instance %s is not in available or stopped state: it is %s", inst.ID, inst.Status)
}

// Backup implements port.Protected: a snapshot of the instance. AWS Backup backs up
// available and stopped instances, as CreateDBSnapshot does; one in a passing state
// (creating, modifying, backing-up...) is not ready yet.
func (p protector) Backup(ktx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	tx := kit.Raw(ktx)
	sc := scopeOf(req.Account, req.Region)
	inst, err := instanceOfARN(tx, sc, req.ResourceARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if err := backupReady(inst); err != nil {
		return port.Transfer{}, err
	}
	snap, err := getSnapshot(tx, sc, req.BackupID)
	if err != nil || snap != nil {
		if snap != nil {
			return transferOf(sc, snap, req.Base), nil // the job ran before and committed
		}
		return port.Transfer{}, err
	}
	snap = snapshotOf(inst, req.BackupID, snapshotAWSBackup, p.s.clock.Now())
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Tags = append([]tagRec(nil), inst.Tags...)
	if err := putSnapshot(tx, sc, snap); err != nil {
		return port.Transfer{}, err
	}
	return transferOf(sc, snap, req.Base), nil
}

// backupSnapshot finds a snapshot AWS Backup made, by ARN, in the ARN's account.
func backupSnapshot(tx store.Tx, snapshotARN string) (*snapshotRec, store.Scope, error) {
	a, err := arn.Parse(snapshotARN)
	id, isSnap := strings.CutPrefix(a.Resource, "snapshot:")
	if err != nil || a.Service != serviceName || !isSnap {
		return nil, store.Scope{}, backupFailure("%s is not the ARN of a DB snapshot", snapshotARN)
	}
	sc := scopeOf(a.Account, a.Region)
	snap, err := getSnapshot(tx, sc, id)
	return snap, sc, err
}

// Copy implements port.Protected. The copy is re-encrypted with KeyARN, the key of the
// destination vault, and keeps the source's creation time, as AWS Backup's copies do.
// Its content is the source's: it moves what the destination lacks of it, as RDS's
// incremental snapshot copies do.
func (p protector) Copy(ktx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	tx := kit.Raw(ktx)
	src, srcSc, err := backupSnapshot(tx, req.ImageARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if src == nil {
		return port.Transfer{}, backupFailure("DB snapshot %s not found", req.ImageARN)
	}
	sc := scopeOf(req.Account, req.Region)
	if err := p.checkCopy(tx, src, srcSc, sc); err != nil {
		return port.Transfer{}, err
	}
	if existing, err := getSnapshot(tx, sc, req.CopyID); err != nil || existing != nil {
		if existing != nil {
			return transferOf(sc, existing, req.Base), nil
		}
		return port.Transfer{}, err
	}
	key, err := p.s.resolveKey(tx, req.Account, req.Region, req.KeyARN)
	if err != nil {
		return port.Transfer{}, backupFailure("The KMS key %s of the destination vault cannot be used: it does not exist or is not enabled", req.KeyARN)
	}
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress = req.CopyID, snapshotAWSBackup, snapshotAvailable, 100
	cp.Encrypted, cp.KmsKey = true, key
	cp.Shared, cp.SourceKey, cp.SourceSnapshot, cp.SourceRegion = nil, "", "", ""
	if srcSc.Region != req.Region {
		cp.SourceRegion, cp.SourceSnapshot = srcSc.Region, req.ImageARN
	}
	cp.Tags = append([]tagRec(nil), src.Tags...)
	if err := putSnapshot(tx, sc, &cp); err != nil {
		return port.Transfer{}, err
	}
	return transferOf(sc, &cp, req.Base), nil
}

// checkCopy applies RDS's rules for copying a snapshot from srcSc to sc: its key must be
// usable; an AWS managed key cannot be shared with another account; a custom option
// group does not travel to another Region (RDS would need an option group of the same
// options there, which AWS Backup cannot name).
func (p protector) checkCopy(tx store.Tx, src *snapshotRec, srcSc, sc store.Scope) error {
	if src.Encrypted {
		key, err := p.s.keys.Resolve(kit.Adopt(tx), srcSc.Account, srcSc.Region, src.KmsKey)
		if err != nil && !port.KeyUnavailable(err) {
			return err
		}
		if err != nil || !key.Enabled {
			return backupFailure("The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", src.KmsKey)
		}
		if key.AWSManaged && srcSc.Account != sc.Account {
			return backupFailure("DB snapshot %s is encrypted with the AWS managed key %s, which cannot be shared with account %s", src.ID, src.KmsKey, sc.Account)
		}
	}
	if srcSc.Region != sc.Region && !strings.HasPrefix(src.OptionGroup, "default:") {
		return backupFailure("DB snapshot %s uses the option group %s: copying custom option groups across Regions is not supported", src.ID, src.OptionGroup)
	}
	return nil
}

// Delete implements port.Protected.
func (protector) Delete(ktx kit.Tx, account, region, snapshotARN string) error {
	tx := kit.Raw(ktx)
	snap, sc, err := backupSnapshot(tx, snapshotARN)
	if err != nil || snap == nil || sc.Account != account {
		return err
	}
	if snap.Type != snapshotAWSBackup {
		return backupFailure("DB snapshot %s was not made by AWS Backup", snap.ID)
	}
	return deleteSnapshot(tx, sc, snap)
}

// DeleteRestored implements port.RestoreCleaner: DeleteDBInstance with SkipFinalSnapshot
// and without keeping automated backups, for the instance a restore test made.
func (p protector) DeleteRestored(ktx kit.Tx, account, region, instanceARN string) error {
	tx, sc := kit.Raw(ktx), scopeOf(account, region)
	inst, err := instanceOfARN(tx, sc, instanceARN)
	if errors.Is(err, port.ErrCannotProtect) {
		return nil // gone already
	}
	if err != nil || inst.Status == statusDeleting {
		return err
	}
	inst.Status, inst.DeleteBackups, inst.Applying = statusDeleting, true, nil
	return p.s.step(tx, sc, inst)
}

// Restore implements port.Protected: RestoreDBInstanceFromDBSnapshot with the snapshot's
// own settings, creating the instance the metadata's DBInstanceIdentifier names.
func (p protector) Restore(ktx kit.Tx, account, region, snapshotARN string, metadata map[string]string) (string, error) {
	tx, id := kit.Raw(ktx), metadata[metaInstanceID]
	snap, sc, err := backupSnapshot(tx, snapshotARN)
	if err != nil {
		return "", err
	}
	if snap == nil || sc.Region != region || sc.Account != account {
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
