package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// ownBackup is the automated backup record of an instance in its own Region.
func (s *Service) ownBackup(sc store.Scope, inst *instanceRec, status string) *backupRec {
	b := &backupRec{ID: inst.BackupID, ResourceID: inst.ResourceID, Status: status, SourceRegion: sc.Region}
	s.refreshBackup(sc, b, inst)
	return b
}

// refreshBackup copies into b the instance properties a backup reports and a restore
// from it uses.
func (s *Service) refreshBackup(sc store.Scope, b *backupRec, inst *instanceRec) {
	b.SourceARN = instanceARN(partitionOf(sc.Region), sc.Region, sc.Account, inst.ID)
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
func (s *Service) syncOwnBackup(tx store.Tx, sc store.Scope, inst *instanceRec) error {
	if inst.BackupID == "" || inst.Retention == 0 {
		return nil
	}
	b, err := getBackup(tx, sc, inst.ResourceID)
	if err != nil {
		return err
	}
	if b == nil {
		b = s.ownBackup(sc, inst, backupCreating)
	}
	s.refreshBackup(sc, b, inst)
	return putBackup(tx, sc, b)
}

// firstBackup is the backup RDS takes when automated backups begin: the first
// automated snapshot, from which the restore window starts.
func (s *Service) firstBackup(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	if inst.BackupID == "" {
		inst.BackupID = newBackupID()
	}
	b, err := getBackup(tx, sc, inst.ResourceID)
	if err != nil {
		return err
	}
	if b == nil {
		b = s.ownBackup(sc, inst, backupCreating)
	}
	inst.BackupStart = now
	b.Status, b.Start = backupActive, now
	s.refreshBackup(sc, b, inst)
	if err := putBackup(tx, sc, b); err != nil {
		return err
	}
	return s.takeAutomatedSnapshot(tx, sc, inst, now)
}

// scheduleDailyBackup arms the instance's next daily backup at the start of its backup
// window.
func (s *Service) scheduleDailyBackup(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	w, err := parseDailyWindow(inst.BackupWindow)
	if err != nil {
		return err
	}
	inst.NextBackup = nextDaily(now, w)
	return s.enqueue(tx, jobDailyBackup, payload{Account: sc.Account, Region: sc.Region, ID: inst.ResourceID, At: inst.NextBackup}, inst.NextBackup)
}

// runDailyBackup takes the day's automated snapshot, expires those past the retention
// period, and arms the next day's. Stopped instances are not backed up, as on AWS, but
// their schedule goes on.
func (s *Service) runDailyBackup(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	inst, err := instanceByResourceID(tx, sc, p.ID)
	if err != nil || inst == nil || !inst.NextBackup.Equal(p.At) {
		return err
	}
	// The backup is taken at the instant it was armed for: the engine clock runs a little
	// past it, and days of snapshots must be exactly days apart for expiry.
	at := p.At
	inst.NextBackup = time.Time{}
	if inst.Retention == 0 || inst.BackupStart.IsZero() {
		return putInstance(tx, sc, inst)
	}
	switch inst.Status {
	case statusAvailable, statusModifying, statusBackingUp, statusRebooting:
		if err := s.takeAutomatedSnapshot(tx, sc, inst, at); err != nil {
			return err
		}
	}
	if err := s.expireSnapshots(tx, sc, inst.ResourceID, inst.Retention, at); err != nil {
		return err
	}
	if err := s.scheduleDailyBackup(tx, sc, inst, s.clock.Now()); err != nil {
		return err
	}
	return putInstance(tx, sc, inst)
}

// automatedSnapshotID names an automated snapshot as RDS does: rds:<id>-YYYY-MM-DD-HH-MM.
func automatedSnapshotID(instanceID string, t time.Time) string {
	return "rds:" + instanceID + "-" + t.UTC().Format("2006-01-02-15-04")
}

func (s *Service) takeAutomatedSnapshot(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	id := automatedSnapshotID(inst.ID, now)
	existing, err := getSnapshot(tx, sc, id)
	if err != nil || existing != nil {
		return err
	}
	snap := snapshotOf(inst, id, snapshotAutomated, now)
	return s.insertSnapshot(tx, sc, snap)
}

// expireSnapshots deletes the automated snapshots of a DbiResourceId older than the
// retention period.
func (s *Service) expireSnapshots(tx store.Tx, sc store.Scope, dbi string, retention int64, now time.Time) error {
	snaps, err := automatedSnapshots(tx, sc, dbi)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if !now.Before(sn.Created.Add(time.Duration(retention) * day)) {
			if err := deleteSnapshot(tx, sc, sn); err != nil {
				return err
			}
			s.engineDropSnapshot(tx, sc, sn)
		}
	}
	return nil
}

// retain turns b into a retained backup whose logs stopped at stopped, and arms its
// expiry.
func (s *Service) retain(tx store.Tx, sc store.Scope, b *backupRec, stopped, now time.Time) error {
	if b.Replica {
		if err := s.setReplicaActive(tx, sc, b.ResourceID, false); err != nil {
			return err
		}
	}
	b.Status, b.Stopped = backupRetained, stopped
	return s.armExpiry(tx, sc, b, now)
}

// armExpiry stores a retained backup with its expiry job armed for the next instant
// something of it expires: an automated snapshot, or the whole window.
func (s *Service) armExpiry(tx store.Tx, sc store.Scope, b *backupRec, now time.Time) error {
	keep := time.Duration(b.Retention) * day
	at := b.Stopped.Add(keep)
	snaps, err := automatedSnapshots(tx, sc, b.ResourceID)
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
	if err := putBackup(tx, sc, b); err != nil {
		return err
	}
	return s.enqueue(tx, jobBackupExpire, payload{Account: sc.Account, Region: sc.Region, ID: b.ResourceID, At: at}, at)
}

func (s *Service) runBackupExpire(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	b, err := getBackup(tx, sc, p.ID)
	if err != nil || b == nil || b.Status != backupRetained || !b.Expire.Equal(p.At) {
		return err
	}
	now := s.clock.Now()
	if err := s.expireSnapshots(tx, sc, b.ResourceID, b.Retention, now); err != nil {
		return err
	}
	if !now.Before(b.Stopped.Add(time.Duration(b.Retention) * day)) {
		return s.dropBackup(tx, sc, b)
	}
	return s.armExpiry(tx, sc, b, now)
}

// dropBackup deletes an automated backup and its automated snapshots.
func (s *Service) dropBackup(tx store.Tx, sc store.Scope, b *backupRec) error {
	if b.Replica {
		if err := s.setReplicaActive(tx, sc, b.ResourceID, false); err != nil {
			return err
		}
	}
	snaps, err := automatedSnapshots(tx, sc, b.ResourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if err := deleteSnapshot(tx, sc, sn); err != nil {
			return err
		}
		s.engineDropSnapshot(tx, sc, sn)
	}
	s.engineDropBackup(tx, sc, b)
	return deleteBackup(tx, sc, b)
}

// stopBackups ends an instance's automated backups, as setting the retention period to
// 0 does: its backup and automated snapshots are deleted and its replications stop.
func (s *Service) stopBackups(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	b, err := getBackup(tx, sc, inst.ResourceID)
	if err != nil {
		return err
	}
	if b != nil {
		if err := s.dropBackup(tx, sc, b); err != nil {
			return err
		}
	}
	for _, ref := range inst.Replications {
		if err := s.retainReplica(tx, scopeOf(sc.Account, ref.Region), sc.Region, inst.ResourceID, now); err != nil {
			return err
		}
	}
	inst.Replications = nil
	inst.BackupID, inst.BackupStart, inst.NextBackup = "", time.Time{}, time.Time{}
	// Gaps belong to the window that just ended; a new one starts without them.
	inst.LogGaps = nil
	return nil
}
