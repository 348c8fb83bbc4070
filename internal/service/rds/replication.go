package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const defaultReplicationRetention = 7

// sourceInstance parses SourceDBInstanceArn: an instance of the caller's account in
// another Region of the same partition.
func sourceInstance(sourceARN, account, dest string) (region, id string, err error) {
	a, perr := arn.Parse(sourceARN)
	if perr != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "db:") || !regions.Valid(a.Region) {
		return "", "", msgBadSourceInstanceARN.New(sourceARN)
	}
	id = strings.TrimPrefix(a.Resource, "db:")
	if !validIdentifier(id, maxInstanceID) {
		return "", "", msgBadSourceInstanceARN.New(sourceARN)
	}
	if a.Region == dest {
		return "", "", msgReplicateSameRegion.New(sourceARN, dest)
	}
	if !regions.SamePartition(a.Region, dest) {
		return "", "", msgReplicatePartition.New(a.Region, dest)
	}
	if a.Account != account {
		return "", "", msgInstanceNotFound.New(sourceARN)
	}
	return a.Region, strings.ToLower(id), nil
}

func replicatesTo(inst *instanceRec, region string) bool {
	return slices.ContainsFunc(inst.Replications, func(r replicationRef) bool { return r.Region == region })
}

func (s *Service) StartDBInstanceAutomatedBackupsReplication(ctx context.Context, in *rdsapi.StartDBInstanceAutomatedBackupsReplicationMessage) (*rdsapi.StartDBInstanceAutomatedBackupsReplicationResult, error) {
	c := s.Call(ctx)
	sourceARN := deref(in.SourceDBInstanceArn)
	srcRegion, srcID, err := sourceInstance(sourceARN, c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	retention := int64(defaultReplicationRetention)
	if in.BackupRetentionPeriod != nil {
		retention = *in.BackupRetentionPeriod
	}
	if retention < 1 || retention > maxRetention {
		return nil, msgReplicaRetention.New(retention, maxRetention)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.StartDBInstanceAutomatedBackupsReplicationResult, error) {
		v, src := c.In(tx), tx.In(c.Account, srcRegion)
		if in.PreSignedUrl != nil {
			if err := s.checkPresignedURL(tx, *in.PreSignedUrl, "StartDBInstanceAutomatedBackupsReplication", srcRegion, c.Region,
				map[string]string{"SourceDBInstanceArn": sourceARN}); err != nil {
				return nil, err
			}
		}
		inst, err := instances.Get(src, srcID)
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, msgInstanceNotFound.New(sourceARN)
		}
		if err := checkReplicable(inst, c.Region); err != nil {
			return nil, err
		}
		b, err := s.replicaFor(tx, v, inst, in.KmsKeyId)
		if err != nil {
			return nil, err
		}
		if err := s.writeReplica(tx, v, src, inst, b, retention); err != nil {
			return nil, err
		}
		return &rdsapi.StartDBInstanceAutomatedBackupsReplicationResult{DBInstanceAutomatedBackup: new(s.backupOut(v, b, c.Now()))}, nil
	})
}

// checkReplicable checks that inst's automated backups can start replicating to dest.
func checkReplicable(inst *instanceRec, dest string) error {
	switch inst.Status {
	case statusCreating, statusDeleting:
		return msgReplicateState.New(inst.ID, inst.Status)
	}
	if inst.Retention == 0 || inst.BackupStart.IsZero() {
		return msgBackupsNotEnabled.New(inst.ID)
	}
	if !engines()[inst.Engine].ReplicatesBackups {
		return msgReplicateEngine.New(inst.Engine)
	}
	if replicatesTo(inst, dest) {
		return msgAlreadyReplicating.New(inst.ID)
	}
	return nil
}

// replicaFor checks the destination key and quota of a replication of inst into v, and
// returns its replicated backup: a retained one of the same instance, which comes back
// to life, or a new one. keyID is the request's KmsKeyId.
func (s *Service) replicaFor(tx kit.Tx, v kit.View, inst *instanceRec, keyID *string) (*backupRec, error) {
	key := ""
	if keyID != nil {
		var err error
		if key, err = s.resolveKey(tx, v.Account(), v.Region(), *keyID); err != nil {
			return nil, err
		}
	} else if inst.Encrypted {
		return nil, msgReplicaNeedsKey.New()
	}
	b, err := backups.Get(v, inst.ResourceID)
	if err != nil {
		return nil, err
	}
	if b != nil && b.KmsKey != "" && b.KmsKey != key {
		return nil, msgReplicaOtherKey.New(inst.ID, b.KmsKey)
	}
	n, err := getCount(v, countReplicas)
	if err != nil {
		return nil, err
	}
	if n >= quotaReplicated {
		return nil, msgReplicaQuota.New(inst.ID, quotaReplicated, v.Region())
	}
	if b == nil {
		b = &backupRec{ID: newBackupID(), ResourceID: inst.ResourceID, Replica: true}
	}
	b.Encrypted, b.KmsKey = inst.Encrypted || key != "", key
	return b, nil
}

// writeReplica starts the replication of inst, in src, into b, in v: b is pending, the
// instance lists it, and the job that starts it is armed. A revived replica's old window
// is not joined to the new one.
func (s *Service) writeReplica(tx kit.Tx, v, src kit.View, inst *instanceRec, b *backupRec, retention int64) error {
	b.Status, b.Start, b.Until, b.Stopped, b.Expire = backupPending, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.SourceRegion = src.Region()
	encrypted, key := b.Encrypted, b.KmsKey
	refreshBackup(src, b, inst)
	b.Retention, b.Encrypted, b.KmsKey = retention, encrypted, key
	if err := putBackup(v, b); err != nil {
		return err
	}
	if err := setReplicaActive(v, b.ResourceID, true); err != nil {
		return err
	}
	inst.Replications = append(inst.Replications, replicationRef{Region: v.Region(), ARN: backupARN(partitionOf(v.Region()), v.Region(), v.Account(), b.ID)})
	if err := putInstance(src, inst); err != nil {
		return err
	}
	if err := recordEvent(src, s.Clock.Now(), evReplicationStart, inst.ID, v.Region()); err != nil {
		return err
	}
	if err := syncOwnBackup(src, inst); err != nil {
		return err
	}
	_, err := jobReplicaStart.Enqueue(tx, s.After(), refIn(v, b.ResourceID))
	return err
}

func (s *Service) StopDBInstanceAutomatedBackupsReplication(ctx context.Context, in *rdsapi.StopDBInstanceAutomatedBackupsReplicationMessage) (*rdsapi.StopDBInstanceAutomatedBackupsReplicationResult, error) {
	c := s.Call(ctx)
	sourceARN := deref(in.SourceDBInstanceArn)
	srcRegion, srcID, err := sourceInstance(sourceARN, c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.StopDBInstanceAutomatedBackupsReplicationResult, error) {
		v, src := c.In(tx), tx.In(c.Account, srcRegion)
		inst, err := instances.Get(src, srcID)
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, msgInstanceNotFound.New(sourceARN)
		}
		b, err := backups.Get(v, inst.ResourceID)
		if err != nil {
			return nil, err
		}
		if b == nil || !b.Replica || (b.Status != backupPending && b.Status != backupReplicating) {
			return nil, msgNotReplicating.New(inst.ID)
		}
		// AWS answers with the backup as the call found it; it is retained from now on.
		out := s.backupOut(v, b, now)
		inst.Replications = slices.DeleteFunc(inst.Replications, func(r replicationRef) bool { return r.Region == c.Region })
		if err := putInstance(src, inst); err != nil {
			return nil, err
		}
		if err := recordEvent(src, now, evReplicationStop, inst.ID, c.Region); err != nil {
			return nil, err
		}
		if err := syncOwnBackup(src, inst); err != nil {
			return nil, err
		}
		return &rdsapi.StopDBInstanceAutomatedBackupsReplicationResult{DBInstanceAutomatedBackup: &out}, s.endReplica(tx, v, b, now)
	})
}

// endReplica stops a replicated backup: it is retained with what it replicated, or
// deleted if it never replicated anything.
func (s *Service) endReplica(tx kit.Tx, v kit.View, b *backupRec, now time.Time) error {
	s.engineEndReplica(tx, v, b)
	if b.Start.IsZero() {
		return s.dropBackup(tx, v, b)
	}
	return retain(tx, v, b, s.replicatedUntil(v.Region(), b, now), now)
}

// retainReplica ends the replica in dest of a source instance that is going away or
// stops its backups. While either Region is unreachable it leaves the replica alone: the
// destination's sync job ends it once it can see the source again.
func (s *Service) retainReplica(tx kit.Tx, dest kit.View, srcRegion, dbi string, now time.Time) error {
	if _, down := s.Unreachable(srcRegion, dest.Region()); down {
		return nil
	}
	b, err := backups.Get(dest, dbi)
	if err != nil || b == nil || !b.Replica || (b.Status != backupPending && b.Status != backupReplicating) {
		return err
	}
	return s.endReplica(tx, dest, b, now)
}

// setReplicaActive keeps the index of the replicas being replicated into a Region, and
// their count for the quota.
func setReplicaActive(v kit.View, dbi string, active bool) error {
	present := replicating.Has(v, dbi)
	switch {
	case active && !present:
		if err := replicating.Add(v, dbi); err != nil {
			return err
		}
		return addCount(v, countReplicas, 1)
	case !active && present:
		if err := replicating.Remove(v, dbi); err != nil {
			return err
		}
		return addCount(v, countReplicas, -1)
	}
	return nil
}

// replicaSource finds the instance a replica in dest replicates, if it still does: the
// instance exists, keeps automated backups and lists the replica's Region. It returns
// the view of the source's Region with it.
func replicaSource(tx kit.Tx, dest kit.View, b *backupRec) (*instanceRec, kit.View, error) {
	src := tx.In(dest.Account(), b.SourceRegion)
	inst, err := instanceByResourceID(src, b.ResourceID)
	if err != nil || inst == nil {
		return nil, src, err
	}
	if inst.Retention == 0 || inst.BackupStart.IsZero() || !replicatesTo(inst, dest.Region()) {
		return nil, src, nil
	}
	return inst, src, nil
}

// runReplicaStart makes a pending replica replicating: the source's latest automated
// snapshot and the logs since are copied. It waits while either Region is unreachable.
func (s *Service) runReplicaStart(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	b, err := backups.Get(v, p.ID)
	if err != nil || b == nil || !b.Replica || b.Status != backupPending {
		return err
	}
	now := s.Clock.Now()
	if _, down := s.Unreachable(b.SourceRegion, v.Region()); down {
		_, err := jobReplicaStart.Enqueue(tx, now.Add(replicaRetry), p)
		return err
	}
	inst, src, err := s.usableSource(tx, v, b, now)
	if err != nil || inst == nil {
		return err
	}
	// Replication begins with a copy of the source's latest automated snapshot, and the
	// logs since it: that snapshot is the earliest instant the replica can restore to.
	b.LogGaps = append([]logGap(nil), inst.LogGaps...)
	b.Until = latestRestorable(inst, now)
	b.Start = inst.BackupStart
	snaps, err := automatedSnapshots(src, inst.ResourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if sn.Created.After(b.Start) && !sn.Created.After(b.Until) {
			b.Start = sn.Created
		}
	}
	b.Status, b.ReplicationWatched = backupReplicating, now // outages before it began are none of its own
	if err := s.engineReplicate(tx, src, v, inst, b); err != nil {
		return err
	}
	if err := putBackup(v, b); err != nil {
		return err
	}
	if err := armWatch(tx, v, now); err != nil {
		return err
	}
	return armSync(tx, v, now)
}

// usableSource finds the source instance of the replicated backup b of v and checks
// that the keys of both can still be used. A source gone ends the replica, one whose keys
// can't be used stops it, as RDS does on its own: then the instance is nil.
func (s *Service) usableSource(tx kit.Tx, v kit.View, b *backupRec, now time.Time) (*instanceRec, kit.View, error) {
	inst, src, err := replicaSource(tx, v, b)
	if err != nil {
		return nil, src, err
	}
	if inst == nil {
		return nil, src, s.endReplica(tx, v, b, now)
	}
	ok, err := s.keysUsable(tx, src, inst, v, b)
	if err == nil && !ok {
		err = s.stopBrokenReplica(tx, v, src, inst, b, now)
	}
	if err != nil || !ok {
		return nil, src, err
	}
	return inst, src, nil
}

func (s *Service) keysUsable(tx kit.Tx, src kit.View, inst *instanceRec, dest kit.View, b *backupRec) (bool, error) {
	ok, err := s.keyUsable(tx, src.Account(), src.Region(), inst.KmsKey)
	if err != nil || !ok {
		return false, err
	}
	return s.keyUsable(tx, dest.Account(), dest.Region(), b.KmsKey)
}

// stopBrokenReplica ends a replication whose source or destination key can no longer be
// used, as RDS does (RDS User Guide, "Troubleshooting stopped cross-Region automated
// backups").
func (s *Service) stopBrokenReplica(tx kit.Tx, dest, src kit.View, inst *instanceRec, b *backupRec, now time.Time) error {
	inst.Replications = slices.DeleteFunc(inst.Replications, func(r replicationRef) bool { return r.Region == dest.Region() })
	if err := putInstance(src, inst); err != nil {
		return err
	}
	if err := recordEvent(src, now, evReplicationStop, inst.ID, dest.Region()); err != nil {
		return err
	}
	if err := syncOwnBackup(src, inst); err != nil {
		return err
	}
	return s.endReplica(tx, dest, b, now)
}

type syncMarker struct {
	At time.Time `json:"at"`
}

// armSync makes sure the Region's replication sync job is due at the next log upload.
func armSync(tx kit.Tx, v kit.View, now time.Time) error {
	m, err := syncs.Get(v)
	if err != nil {
		return err
	}
	if m != nil && m.At.After(now) {
		return nil
	}
	return rearmSync(tx, v, now)
}

func rearmSync(tx kit.Tx, v kit.View, now time.Time) error {
	at := now.Truncate(syncInterval).Add(syncInterval)
	if err := syncs.Put(v, &syncMarker{At: at}); err != nil {
		return err
	}
	return arm(tx, jobReplicaSync, v, syncID, at)
}

// runReplicaSync records how far every replica being replicated into the Region has got
// (see replicatedUntil, which describes the window between runs), and stops replicas whose
// source is gone or whose keys can no longer be used, as RDS does on its own. While the
// source or this Region is unreachable it leaves a replica as it was. It re-arms itself
// while replicas remain.
func (s *Service) runReplicaSync(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	m, err := syncs.Get(v)
	if err != nil || m == nil || !m.At.Equal(p.At) {
		return err
	}
	now := s.Clock.Now()
	active, err := replicatingInto(v)
	if err != nil {
		return err
	}
	for _, dbi := range active {
		if err := s.syncReplica(tx, v, dbi, now); err != nil {
			return err
		}
	}
	if remaining, err := replicatingInto(v); err != nil || len(remaining) > 0 {
		if err != nil {
			return err
		}
		return rearmSync(tx, v, now)
	}
	return syncs.Delete(v)
}

// replicatingInto lists the DbiResourceIds of the backups being replicated into v.
func replicatingInto(v kit.View) ([]string, error) {
	var out []string
	err := replicating.Keys(v, "", func(e kit.Entry) bool {
		out = append(out, e.Last())
		return true
	})
	return out, err
}

// syncReplica records how far the replica dbi of v has got, or stops it.
func (s *Service) syncReplica(tx kit.Tx, v kit.View, dbi string, now time.Time) error {
	b, err := backups.Get(v, dbi)
	if err != nil || b == nil || b.Status != backupReplicating {
		return err
	}
	if _, down := s.Unreachable(b.SourceRegion, v.Region()); down {
		return nil
	}
	inst, src, err := s.usableSource(tx, v, b, now)
	if err != nil || inst == nil {
		return err
	}
	retention, key, encrypted := b.Retention, b.KmsKey, b.Encrypted
	refreshBackup(src, b, inst)
	b.Retention, b.KmsKey, b.Encrypted = retention, key, encrypted
	b.Until = latestRestorable(inst, now)
	return putBackup(v, b)
}
