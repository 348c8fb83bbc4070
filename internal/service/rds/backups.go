package rds

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// ownBackup is the automated backup record of an instance in its own Region, v.
func ownBackup(v kit.View, inst *instanceRec, status string) *backupRec {
	b := &backupRec{ID: inst.BackupID, ResourceID: inst.ResourceID, Status: status, SourceRegion: v.Region()}
	refreshBackup(v, b, inst)
	return b
}

// refreshBackup copies into b the instance properties a backup reports and a restore
// from it uses; src is the instance's Region.
func refreshBackup(src kit.View, b *backupRec, inst *instanceRec) {
	b.SourceARN = instanceARN(partitionOf(src.Region()), src.Region(), src.Account(), inst.ID)
	b.InstanceID = inst.ID
	// A replica is encrypted under its own Region's key, whatever its source's is.
	encrypted, key := b.Encrypted, b.KmsKey
	b.image = imageOf(inst)
	b.Retention = inst.Retention
	b.LogGaps = append([]logGap(nil), inst.LogGaps...)
	if b.Replica {
		b.Encrypted, b.KmsKey = encrypted, key
	} else {
		b.Replications = append([]replicationRef(nil), inst.Replications...)
	}
}

// syncOwnBackup keeps an instance's automated backup in step with the instance.
func syncOwnBackup(v kit.View, inst *instanceRec) error {
	if inst.BackupID == "" || inst.Retention == 0 {
		return nil
	}
	b, err := backups.Get(v, inst.ResourceID)
	if err != nil {
		return err
	}
	if b == nil {
		b = ownBackup(v, inst, backupCreating)
	}
	refreshBackup(v, b, inst)
	return putBackup(v, b)
}

// firstBackup is the backup RDS takes when automated backups begin: the first
// automated snapshot, from which the restore window starts.
func (s *Service) firstBackup(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	if inst.BackupID == "" {
		inst.BackupID = newBackupID()
	}
	b, err := backups.Get(v, inst.ResourceID)
	if err != nil {
		return err
	}
	if b == nil {
		b = ownBackup(v, inst, backupCreating)
	}
	inst.BackupStart = now
	b.Status, b.Start = backupActive, now
	refreshBackup(v, b, inst)
	if err := putBackup(v, b); err != nil {
		return err
	}
	return s.takeAutomatedSnapshot(tx, v, inst, now)
}

// scheduleDailyBackup arms the instance's next daily backup at the start of its backup
// window.
func scheduleDailyBackup(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	w, err := parseDailyWindow(inst.BackupWindow)
	if err != nil {
		return err
	}
	inst.NextBackup = nextDaily(now, w)
	return arm(tx, jobDailyBackup, v, inst.ResourceID, inst.NextBackup)
}

// runDailyBackup takes the day's automated snapshot, expires those past the retention
// period, and arms the next day's. Stopped instances are not backed up, as on AWS, but
// their schedule goes on.
func (s *Service) runDailyBackup(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	inst, err := instanceByResourceID(v, p.ID)
	if err != nil || inst == nil || !inst.NextBackup.Equal(p.At) {
		return err
	}
	// The backup is taken at the instant it was armed for: the engine clock runs a little
	// past it, and days of snapshots must be exactly days apart for expiry.
	at := p.At
	inst.NextBackup = time.Time{}
	if inst.Retention == 0 || inst.BackupStart.IsZero() {
		return putInstance(v, inst)
	}
	switch inst.Status {
	case statusAvailable, statusModifying, statusBackingUp, statusRebooting:
		if err := s.takeAutomatedSnapshot(tx, v, inst, at); err != nil {
			return err
		}
	}
	if err := s.expireSnapshots(tx, v, inst.ResourceID, inst.Retention, at); err != nil {
		return err
	}
	if err := scheduleDailyBackup(tx, v, inst, s.Clock.Now()); err != nil {
		return err
	}
	return putInstance(v, inst)
}

// automatedSnapshotID names an automated snapshot as RDS does: rds:<id>-YYYY-MM-DD-HH-MM.
func automatedSnapshotID(instanceID string, t time.Time) string {
	return "rds:" + instanceID + "-" + t.UTC().Format("2006-01-02-15-04")
}

func (s *Service) takeAutomatedSnapshot(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	id := automatedSnapshotID(inst.ID, now)
	if snapshots.Has(v, id) {
		return nil
	}
	snap := snapshotOf(inst, id, snapshotAutomated, now)
	if inst.CopyTags { // CopyTagsToSnapshot applies to automated snapshots too
		snap.Tags = append([]tagRec(nil), inst.Tags...)
	}
	return s.insertSnapshot(tx, v, snap)
}

// expireSnapshots deletes the automated snapshots of a DbiResourceId older than the
// retention period.
func (s *Service) expireSnapshots(tx kit.Tx, v kit.View, dbi string, retention int64, now time.Time) error {
	snaps, err := automatedSnapshots(v, dbi)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if !now.Before(sn.Created.Add(time.Duration(retention) * day)) {
			if err := s.removeSnapshot(tx, v, sn); err != nil {
				return err
			}
		}
	}
	return nil
}

// retain turns b into a retained backup whose logs stopped at stopped, and arms its
// expiry.
func retain(tx kit.Tx, v kit.View, b *backupRec, stopped, now time.Time) error {
	if b.Replica {
		if err := setReplicaActive(v, b.ResourceID, false); err != nil {
			return err
		}
	}
	b.Status, b.Stopped = backupRetained, stopped
	return armExpiry(tx, v, b, now)
}

// armExpiry stores a retained backup with its expiry job armed for the next instant
// something of it expires: an automated snapshot, or the whole window.
func armExpiry(tx kit.Tx, v kit.View, b *backupRec, now time.Time) error {
	keep := time.Duration(b.Retention) * day
	at := b.Stopped.Add(keep)
	snaps, err := automatedSnapshots(v, b.ResourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if e := sn.Created.Add(keep); e.Before(at) && e.After(now) {
			at = e
		}
	}
	if at.Before(now) {
		at = now
	}
	b.Expire = at
	if err := putBackup(v, b); err != nil {
		return err
	}
	return arm(tx, jobBackupExpire, v, b.ResourceID, at)
}

func (s *Service) runBackupExpire(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	b, err := backups.Get(v, p.ID)
	if err != nil || b == nil || b.Status != backupRetained || !b.Expire.Equal(p.At) {
		return err
	}
	now := s.Clock.Now()
	if err := s.expireSnapshots(tx, v, b.ResourceID, b.Retention, now); err != nil {
		return err
	}
	if !now.Before(b.Stopped.Add(time.Duration(b.Retention) * day)) {
		return s.dropBackup(tx, v, b)
	}
	return armExpiry(tx, v, b, now)
}

// dropBackup deletes an automated backup and its automated snapshots, with the data
// they hold.
func (s *Service) dropBackup(tx kit.Tx, v kit.View, b *backupRec) error {
	if b.Replica {
		if err := setReplicaActive(v, b.ResourceID, false); err != nil {
			return err
		}
	}
	snaps, err := automatedSnapshots(v, b.ResourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if err := s.removeSnapshot(tx, v, sn); err != nil {
			return err
		}
	}
	s.engineDropBackup(tx, v, b)
	return deleteBackup(v, b)
}

// stopBackups ends an instance's automated backups, as setting the retention period to
// 0 does: its backup and automated snapshots are deleted and its replications stop.
func (s *Service) stopBackups(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	b, err := backups.Get(v, inst.ResourceID)
	if err != nil {
		return err
	}
	if b != nil {
		if err := s.dropBackup(tx, v, b); err != nil {
			return err
		}
	}
	for _, ref := range inst.Replications {
		if err := s.retainReplica(tx, tx.In(v.Account(), ref.Region), v.Region(), inst.ResourceID, now); err != nil {
			return err
		}
	}
	inst.Replications = nil
	inst.BackupID, inst.BackupStart, inst.NextBackup = "", time.Time{}, time.Time{}
	// Gaps belong to the window that just ended; a new one starts without them.
	inst.LogGaps = nil
	return nil
}
