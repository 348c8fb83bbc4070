package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

const defaultReplicationRetention = 7

// sourceInstance parses SourceDBInstanceArn: an instance of the caller's account in
// another Region of the same partition.
func sourceInstance(sourceARN, account, dest string) (region, id string, err error) {
	a, perr := arn.Parse(sourceARN)
	if perr != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "db:") || !regions.Valid(a.Region) {
		return "", "", invalidValue("The parameter SourceDBInstanceArn is not a valid DB instance ARN: %s", sourceARN)
	}
	id = strings.TrimPrefix(a.Resource, "db:")
	if !validIdentifier(id, maxInstanceID) {
		return "", "", invalidValue("The parameter SourceDBInstanceArn is not a valid DB instance ARN: %s", sourceARN)
	}
	if a.Region == dest {
		return "", "", invalidValue("The source DB instance %s is in the current Region %s: automated backups can only be replicated to another Region.", sourceARN, dest)
	}
	if !regions.SamePartition(a.Region, dest) {
		return "", "", invalidValue("Automated backups can't be replicated from %s to %s.", a.Region, dest)
	}
	if a.Account != account {
		return "", "", instanceNotFound(sourceARN)
	}
	return a.Region, strings.ToLower(id), nil
}

func replicatesTo(inst *instanceRec, region string) bool {
	return slices.ContainsFunc(inst.Replications, func(r replicationRef) bool { return r.Region == region })
}

func (s *Service) startReplication(ctx context.Context, in *rdsapi.StartDBInstanceAutomatedBackupsReplicationMessage) (*rdsapi.StartDBInstanceAutomatedBackupsReplicationResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	sourceARN := deref(in.SourceDBInstanceArn)
	srcRegion, srcID, err := sourceInstance(sourceARN, req.Account, req.Region)
	if err != nil {
		return nil, err
	}
	retention := int64(defaultReplicationRetention)
	if in.BackupRetentionPeriod != nil {
		retention = *in.BackupRetentionPeriod
	}
	if retention < 1 || retention > maxRetention {
		return nil, invalidValue("Invalid backup retention period: %d. Valid values are 1 to %d.", retention, maxRetention)
	}
	srcSc := scopeOf(req.Account, srcRegion)
	now := s.clock.Now()
	var out rdsapi.DBInstanceAutomatedBackup
	err = s.st.Update(func(tx store.Tx) error {
		if in.PreSignedUrl != nil {
			if err := s.checkPresignedURL(tx, *in.PreSignedUrl, "StartDBInstanceAutomatedBackupsReplication", srcRegion, req.Region,
				map[string]string{"SourceDBInstanceArn": sourceARN}); err != nil {
				return err
			}
		}
		inst, err := getInstance(tx, srcSc, srcID)
		if err != nil {
			return err
		}
		if inst == nil {
			return instanceNotFound(sourceARN)
		}
		switch inst.Status {
		case statusCreating, statusDeleting:
			return instanceState("DB instance %s is not in a valid state to replicate its automated backups: %s.", inst.ID, inst.Status)
		}
		if inst.Retention == 0 || inst.BackupStart.IsZero() {
			return instanceState("Automated backups are not enabled for DB instance %s.", inst.ID)
		}
		if !engines[inst.Engine].ReplicatesBackups {
			return invalidCombination("Automated backups replication is not supported for engine %s.", inst.Engine)
		}
		if replicatesTo(inst, req.Region) {
			return instanceState("DB instance %s is already replicating its automated backups to the current region.", inst.ID)
		}
		key := ""
		if in.KmsKeyId != nil {
			if key, err = s.resolveKey(tx, req.Account, req.Region, *in.KmsKeyId); err != nil {
				return err
			}
		} else if inst.Encrypted {
			return rdsapi.ErrKMSKeyNotAccessibleFault.New("Encrypted instances require a valid KMS key ID")
		}
		b, err := getBackup(tx, sc, inst.ResourceID)
		if err != nil {
			return err
		}
		if b != nil && b.KmsKey != "" && b.KmsKey != key {
			return invalidCombination("Replicated automated backups of DB instance %s retained in this Region are encrypted with KMS key %s: use the same key.", inst.ID, b.KmsKey)
		}
		n, err := getCount(tx, sc, countReplicas)
		if err != nil {
			return err
		}
		if n >= quotaReplicated {
			return rdsapi.ErrDBInstanceAutomatedBackupQuotaExceededFault.New(
				"Cannot replicate the automated backups of DB instance %s: the quota of %d replicated automated backups in %s has been reached.",
				inst.ID, quotaReplicated, req.Region)
		}
		if b == nil {
			b = &backupRec{ID: newBackupID(), ResourceID: inst.ResourceID, Replica: true, SourceRegion: srcRegion}
		}
		// A retained replica of the same instance comes back to life under its ARN; its
		// old window is not joined to the new one.
		b.Status, b.Start, b.Until, b.Stopped, b.Expire = backupPending, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		s.refreshBackup(srcSc, b, inst)
		b.Retention, b.Encrypted, b.KmsKey = retention, inst.Encrypted || key != "", key
		if err := putBackup(tx, sc, b); err != nil {
			return err
		}
		if err := s.setReplicaActive(tx, sc, b.ResourceID, true); err != nil {
			return err
		}
		inst.Replications = append(inst.Replications, replicationRef{Region: req.Region, ARN: backupARN(partitionOf(req.Region), req.Region, req.Account, b.ID)})
		if err := putInstance(tx, srcSc, inst); err != nil {
			return err
		}
		if err := s.syncOwnBackup(tx, srcSc, inst); err != nil {
			return err
		}
		out = s.backupOut(sc, b, now)
		return s.enqueue(tx, jobReplicaStart, payload{Account: req.Account, Region: req.Region, ID: b.ResourceID}, s.jobs.After())
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StartDBInstanceAutomatedBackupsReplicationResult{DBInstanceAutomatedBackup: &out}, nil
}

func (s *Service) stopReplication(ctx context.Context, in *rdsapi.StopDBInstanceAutomatedBackupsReplicationMessage) (*rdsapi.StopDBInstanceAutomatedBackupsReplicationResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	sourceARN := deref(in.SourceDBInstanceArn)
	srcRegion, srcID, err := sourceInstance(sourceARN, req.Account, req.Region)
	if err != nil {
		return nil, err
	}
	srcSc := scopeOf(req.Account, srcRegion)
	now := s.clock.Now()
	var out rdsapi.DBInstanceAutomatedBackup
	err = s.st.Update(func(tx store.Tx) error {
		inst, err := getInstance(tx, srcSc, srcID)
		if err != nil {
			return err
		}
		if inst == nil {
			return instanceNotFound(sourceARN)
		}
		b, err := getBackup(tx, sc, inst.ResourceID)
		if err != nil {
			return err
		}
		if b == nil || !b.Replica || (b.Status != backupPending && b.Status != backupReplicating) {
			return instanceState("DB instance %s is not replicating to the current region.", inst.ID)
		}
		// AWS answers with the backup as the call found it; it is retained from now on.
		out = s.backupOut(sc, b, now)
		inst.Replications = slices.DeleteFunc(inst.Replications, func(r replicationRef) bool { return r.Region == req.Region })
		if err := putInstance(tx, srcSc, inst); err != nil {
			return err
		}
		if err := s.syncOwnBackup(tx, srcSc, inst); err != nil {
			return err
		}
		return s.endReplica(tx, sc, b, now)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.StopDBInstanceAutomatedBackupsReplicationResult{DBInstanceAutomatedBackup: &out}, nil
}

// endReplica stops a replicated backup: it is retained with what it replicated, or
// deleted if it never replicated anything.
func (s *Service) endReplica(tx store.Tx, sc store.Scope, b *backupRec, now time.Time) error {
	s.engineEndReplica(tx, sc, b)
	if b.Start.IsZero() {
		return s.dropBackup(tx, sc, b)
	}
	return s.retain(tx, sc, b, s.replicatedUntil(sc.Region, b, now), now)
}

// retainReplica ends the replica in dest of a source instance that is going away or
// stops its backups. While either Region is unreachable it leaves the replica alone: the
// destination's sync job ends it once it can see the source again.
func (s *Service) retainReplica(tx store.Tx, dest store.Scope, srcRegion, dbi string, now time.Time) error {
	if s.unreachable(srcRegion) || s.unreachable(dest.Region) {
		return nil
	}
	b, err := getBackup(tx, dest, dbi)
	if err != nil || b == nil || !b.Replica || (b.Status != backupPending && b.Status != backupReplicating) {
		return err
	}
	return s.endReplica(tx, dest, b, now)
}

// setReplicaActive keeps the index of the replicas being replicated into a Region, and
// their count for the quota.
func (s *Service) setReplicaActive(tx store.Tx, sc store.Scope, dbi string, active bool) error {
	key := sc.Key(kindReplica, dbi)
	present := tx.Get(key) != nil
	switch {
	case active && !present:
		if err := tx.Put(key, nil); err != nil {
			return err
		}
		return addCount(tx, sc, countReplicas, 1)
	case !active && present:
		if err := tx.Delete(key); err != nil {
			return err
		}
		return addCount(tx, sc, countReplicas, -1)
	}
	return nil
}

// replicaSource finds the instance a replica replicates, if it still does: the instance
// exists, keeps automated backups and lists the replica's Region.
func replicaSource(tx store.Tx, dest store.Scope, b *backupRec) (*instanceRec, store.Scope, error) {
	srcSc := scopeOf(dest.Account, b.SourceRegion)
	inst, err := instanceByResourceID(tx, srcSc, b.ResourceID)
	if err != nil || inst == nil {
		return nil, srcSc, err
	}
	if inst.Retention == 0 || inst.BackupStart.IsZero() || !replicatesTo(inst, dest.Region) {
		return nil, srcSc, nil
	}
	return inst, srcSc, nil
}

// runReplicaStart makes a pending replica replicating: the source's latest automated
// snapshot and the logs since are copied. It waits while either Region is unreachable.
func (s *Service) runReplicaStart(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	b, err := getBackup(tx, sc, p.ID)
	if err != nil || b == nil || !b.Replica || b.Status != backupPending {
		return err
	}
	now := s.clock.Now()
	if s.unreachable(b.SourceRegion) || s.unreachable(sc.Region) {
		return s.enqueue(tx, jobReplicaStart, p, now.Add(replicaRetry))
	}
	inst, srcSc, err := replicaSource(tx, sc, b)
	if err != nil {
		return err
	}
	if inst == nil {
		return s.endReplica(tx, sc, b, now)
	}
	ok, err := s.keysUsable(tx, srcSc, inst, sc, b)
	if err != nil {
		return err
	}
	if !ok {
		return s.stopBrokenReplica(tx, sc, srcSc, inst, b, now)
	}
	// Replication begins with a copy of the source's latest automated snapshot, and the
	// logs since it: that snapshot is the earliest instant the replica can restore to.
	b.LogGaps = append([]logGap(nil), inst.LogGaps...)
	b.Until = latestRestorable(inst, now)
	b.Start = inst.BackupStart
	snaps, err := automatedSnapshots(tx, srcSc, inst.ResourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if sn.Created.After(b.Start) && !sn.Created.After(b.Until) {
			b.Start = sn.Created
		}
	}
	b.Status = backupReplicating
	if err := s.engineReplicate(tx, srcSc, sc, inst, b); err != nil {
		return err
	}
	if err := putBackup(tx, sc, b); err != nil {
		return err
	}
	return s.armSync(tx, sc, now)
}

func (s *Service) keysUsable(tx store.Tx, srcSc store.Scope, inst *instanceRec, dest store.Scope, b *backupRec) (bool, error) {
	ok, err := s.keyUsable(tx, srcSc.Account, srcSc.Region, inst.KmsKey)
	if err != nil || !ok {
		return false, err
	}
	return s.keyUsable(tx, dest.Account, dest.Region, b.KmsKey)
}

// stopBrokenReplica ends a replication whose source or destination key can no longer be
// used, as RDS does (RDS User Guide, "Troubleshooting stopped cross-Region automated
// backups").
func (s *Service) stopBrokenReplica(tx store.Tx, dest, srcSc store.Scope, inst *instanceRec, b *backupRec, now time.Time) error {
	inst.Replications = slices.DeleteFunc(inst.Replications, func(r replicationRef) bool { return r.Region == dest.Region })
	if err := putInstance(tx, srcSc, inst); err != nil {
		return err
	}
	if err := s.syncOwnBackup(tx, srcSc, inst); err != nil {
		return err
	}
	return s.endReplica(tx, dest, b, now)
}

type syncMarker struct {
	At time.Time `json:"at"`
}

// armSync makes sure the Region's replication sync job is due at the next log upload.
func (s *Service) armSync(tx store.Tx, sc store.Scope, now time.Time) error {
	m, err := getJSON[syncMarker](tx, sc.Key(kindSync))
	if err != nil {
		return err
	}
	if m != nil && m.At.After(now) {
		return nil
	}
	at := now.Truncate(syncInterval).Add(syncInterval)
	if err := store.PutJSON(tx, sc.Key(kindSync), syncMarker{At: at}); err != nil {
		return err
	}
	return s.enqueue(tx, jobReplicaSync, payload{Account: sc.Account, Region: sc.Region, ID: kindSync, At: at}, at)
}

// runReplicaSync records how far every replica being replicated into the Region has got
// (see replicatedUntil, which describes the window between runs), and stops replicas whose
// source is gone or whose keys can no longer be used, as RDS does on its own. While the
// source or this Region is unreachable it leaves a replica as it was. It re-arms itself
// while replicas remain.
func (s *Service) runReplicaSync(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	m, err := getJSON[syncMarker](tx, sc.Key(kindSync))
	if err != nil || m == nil || !m.At.Equal(p.At) {
		return err
	}
	now := s.clock.Now()
	var active []string
	prefix := sc.Prefix(kindReplica)
	if err := tx.Scan(prefix, "", func(key string, _ []byte) bool {
		active = append(active, key[len(prefix):])
		return true
	}); err != nil {
		return err
	}
	for _, dbi := range active {
		b, err := getBackup(tx, sc, dbi)
		if err != nil {
			return err
		}
		if b == nil || b.Status != backupReplicating {
			continue
		}
		if s.unreachable(b.SourceRegion) || s.unreachable(sc.Region) {
			continue
		}
		inst, srcSc, err := replicaSource(tx, sc, b)
		if err != nil {
			return err
		}
		if inst == nil {
			if err := s.endReplica(tx, sc, b, now); err != nil {
				return err
			}
			continue
		}
		ok, err := s.keysUsable(tx, srcSc, inst, sc, b)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.stopBrokenReplica(tx, sc, srcSc, inst, b, now); err != nil {
				return err
			}
			continue
		}
		retention, key, encrypted := b.Retention, b.KmsKey, b.Encrypted
		s.refreshBackup(srcSc, b, inst)
		b.Retention, b.KmsKey, b.Encrypted = retention, key, encrypted
		b.Until = latestRestorable(inst, now)
		if err := putBackup(tx, sc, b); err != nil {
			return err
		}
	}
	remaining := 0
	if err := tx.Scan(prefix, "", func(string, []byte) bool { remaining++; return true }); err != nil {
		return err
	}
	if remaining == 0 {
		return tx.Delete(sc.Key(kindSync))
	}
	at := now.Truncate(syncInterval).Add(syncInterval)
	if err := store.PutJSON(tx, sc.Key(kindSync), syncMarker{At: at}); err != nil {
		return err
	}
	return s.enqueue(tx, jobReplicaSync, payload{Account: sc.Account, Region: sc.Region, ID: kindSync, At: at}, at)
}
