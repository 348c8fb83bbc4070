package efs

import (
	"fmt"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// runReplEnable makes the first copy of a new replication, then arms its syncs. It
// waits (the job is retried) while either Region is unreachable.
func (s *Service) runReplEnable(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	rec, err := replications.Get(v, p.ID)
	if err != nil || rec == nil || rec.Status != efsapi.ReplicationStatusEnabling {
		return err
	}
	if region, down := s.Unreachable(rec.Source.Region, rec.Destination.Region); down {
		return fmt.Errorf("efs: replicating %s: Region %s is unreachable", p.ID, region)
	}
	if err := s.syncFiles(tx, rec); err != nil {
		return err
	}
	rec.Status, rec.StatusMessage = efsapi.ReplicationStatusEnabled, ""
	if err := s.saveSides(tx, rec, false); err != nil {
		return err
	}
	_, err = jobReplSync.Enqueue(tx, s.Clock.Now().Add(syncInterval), p)
	return err
}

// failReplEnable records a replication whose first copy never could be made.
func (s *Service) failReplEnable(tx kit.Tx, p ref, cause error) error {
	rec, err := replications.Get(tx.In(p.Account, p.Region), p.ID)
	if err != nil || rec == nil || rec.Status != efsapi.ReplicationStatusEnabling {
		return err
	}
	rec.Status, rec.StatusMessage = efsapi.ReplicationStatusError, fmt.Sprintf(textReplFailed, cause)
	return s.saveSides(tx, rec, false)
}

// runReplSync copies what changed on the source since the last sync, and arms the next
// one. While a Region is unreachable the copy waits, LastReplicatedTimestamp stays
// where it was, and the status message says why; a destination whose side was deleted
// (a failover with LOCAL_CONFIGURATION_ONLY) ends the replication in ERROR.
func (s *Service) runReplSync(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	rec, err := replications.Get(v, p.ID)
	if err != nil || rec == nil || rec.Status != efsapi.ReplicationStatusEnabled {
		return err
	}
	next := func() error {
		_, err := jobReplSync.Enqueue(tx, s.Clock.Now().Add(syncInterval), p)
		return err
	}
	if region, down := s.Unreachable(rec.Source.Region, rec.Destination.Region); down {
		rec.StatusMessage = fmt.Sprintf(textReplUnreachable, region)
		if err := s.saveSides(tx, rec, false); err != nil {
			return err
		}
		return next()
	}
	d := rec.Destination
	if !replications.Has(tx.In(d.Account, d.Region), d.FileSystemID) {
		rec.Status, rec.StatusMessage = efsapi.ReplicationStatusError, textReplDestGone
		return s.saveSides(tx, rec, false)
	}
	if err := s.syncFiles(tx, rec); err != nil {
		return err
	}
	rec.StatusMessage = ""
	if err := s.saveSides(tx, rec, false); err != nil {
		return err
	}
	return next()
}

// syncFiles makes the destination's files those of the source: it copies the files
// written since they were last copied, re-sealed with the destination's key, and removes
// what the source no longer has (and, on the first sync to an existing file system, what
// it held before). It moves LastReplicatedTimestamp to now.
func (s *Service) syncFiles(tx kit.Tx, rec *replicationRecord) error {
	sv := tx.In(rec.Source.Account, rec.Source.Region)
	dv := tx.In(rec.Destination.Account, rec.Destination.Region)
	src, err := fileSystems.Get(sv, rec.Source.FileSystemID)
	if err != nil {
		return err
	}
	dst, err := fileSystems.Get(dv, rec.Destination.FileSystemID)
	if err != nil {
		return err
	}
	if src == nil || dst == nil {
		return fmt.Errorf("efs: a file system of the replication of %s is gone", rec.Source.FileSystemID)
	}
	if rec.Synced == nil || src.FileVersion != rec.SyncedVersion {
		if err := s.copyChanges(tx, sv, src, dv, dst, rec); err != nil {
			return err
		}
	}
	rec.LastReplicated = new(s.Clock.Now())
	return nil
}

// copyChanges is syncFiles' copy.
func (s *Service) copyChanges(tx kit.Tx, sv kit.View, src *fileSystemRecord, dv kit.View, dst *fileSystemRecord, rec *replicationRecord) error {
	from, err := s.storeOf(tx, sv, src)
	if err != nil {
		return err
	}
	to, err := s.storeOf(tx, dv, dst)
	if err != nil {
		return err
	}
	srcFiles, err := from.list()
	if err != nil {
		return err
	}
	synced := map[string]int64{}
	for _, f := range srcFiles {
		synced[f.Path] = f.Version
		if old, ok := rec.Synced[f.Path]; ok && old == f.Version && to.has(f.Path) {
			continue
		}
		dst.FileVersion++
		if _, err := copyFile(from, to, f, dst.FileVersion); err != nil {
			return err
		}
	}
	held, err := to.list()
	if err != nil {
		return err
	}
	for _, f := range held {
		if _, ok := synced[f.Path]; !ok {
			if err := to.remove(f.Path); err != nil {
				return err
			}
			dst.FileVersion++
		}
	}
	rec.Synced, rec.SyncedVersion = synced, src.FileVersion
	return fileSystems.Put(dv, dst, dst.ID)
}
