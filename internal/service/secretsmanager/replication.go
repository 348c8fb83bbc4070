package secretsmanager

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// checkReplicaRegions validates AddReplicaRegions: known Regions of the caller's partition,
// none of them the caller's own, none twice.
func checkReplicaRegions(c kit.Call, in []sm.ReplicaRegionType, force *bool) ([]replicaState, error) {
	var out []replicaState
	seen := map[string]bool{}
	for _, r := range in {
		region := deref(r.Region)
		if !regions.Valid(region) || region == c.Region || !regions.SamePartition(region, c.Region) {
			return nil, msgInvalidReplica.New()
		}
		if seen[region] {
			return nil, msgReplicaTwice.New(region)
		}
		seen[region] = true
		out = append(out, replicaState{
			Region: region, KmsKeyID: keyIdent(deref(r.KmsKeyId)), Status: sm.StatusTypeInProgress,
			Force: force != nil && *force,
		})
	}
	return out, nil
}

// enqueueSync asks for one replica of the primary secret name (in the Region of pv) to be
// brought in line with its primary, after the transition delay, so that InProgress shows
// first. When the delay is zero the sync also runs at once, in the caller's transaction,
// against prim as the caller holds it (the caller stores prim afterwards): a zero delay
// means "at once", and clients that read the replica right after the call see it. The
// job is enqueued all the same; finding the work done, it only confirms it. prim nil
// means the caller is not the primary's writer and the job alone does the work.
func (s *Service) enqueueSync(tx kit.Tx, pv kit.View, name, replica string, prim *secretRecord) error {
	runAt := s.After()
	p := syncPayload{Account: pv.Account(), Primary: pv.Region(), Name: name, Replica: replica}
	if _, err := jobSync.Enqueue(tx, runAt, p); err != nil {
		return err
	}
	if _, down := s.Unreachable(p.Primary, p.Replica); prim == nil || runAt.After(s.Clock.Now()) || down {
		return nil
	}
	_, err := s.syncReplica(tx, p, prim)
	return err
}

// syncReplicas marks every replica that has not failed InProgress and enqueues its sync.
// Failed replicas wait for ReplicateSecretToRegions to retry them.
func (s *Service) syncReplicas(tx kit.Tx, v kit.View, rec *secretRecord) error {
	for i := range rec.Replicas {
		r := &rec.Replicas[i]
		if r.Status == sm.StatusTypeFailed {
			continue
		}
		r.Status, r.Message = sm.StatusTypeInProgress, ""
		if err := s.enqueueSync(tx, v, rec.Name, r.Region, rec); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) ReplicateSecretToRegions(ctx context.Context, in *sm.ReplicateSecretToRegionsRequest) (*sm.ReplicateSecretToRegionsResponse, error) {
	c := s.Call(ctx)
	add, err := checkReplicaRegions(c, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret)
	if err != nil {
		return nil, err
	}
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.ReplicateSecretToRegionsResponse, error) {
		for _, a := range add {
			// A secret promoted out of this Region's replication is, once added again,
			// a secret of its own there: the sync must not take it for the promotion
			// it has not yet seen.
			if err := forgetPromotion(tx, v, rec, a.Region); err != nil {
				return nil, err
			}
			// A Region already listed is replicated again, with the key and overwrite
			// choice now given: that is how a Failed replica is retried.
			if cur := rec.replica(a.Region); cur != nil {
				*cur = a
			} else {
				rec.Replicas = append(rec.Replicas, a)
			}
		}
		var added []*replicaState
		for _, a := range add {
			added = append(added, rec.replica(a.Region))
		}
		if err := s.mayReplicate(tx, v, c.Caller, rec, added); err != nil {
			return nil, err
		}
		// The answer reports the replicas as the request left them (the new ones
		// InProgress), as AWS does; with a zero transition delay the syncs below may
		// already have finished when the transaction commits, which any later read shows.
		out := &sm.ReplicateSecretToRegionsResponse{ARN: new(rec.arn(v)), ReplicationStatus: replicationStatus(slices.Clone(rec.Replicas), replicaAccess(tx, v, rec))}
		for _, a := range add {
			if err := s.enqueueSync(tx, v, rec.Name, a.Region, rec); err != nil {
				return nil, err
			}
		}
		return out, secrets.Put(v, rec, rec.Name)
	})
}

// forgetPromotion clears the mark StopReplicationToReplica left on the secret of rec's
// name in region, if it was promoted from rec (a secret of v).
func forgetPromotion(tx kit.Tx, v kit.View, rec *secretRecord, region string) error {
	rv := tx.In(v.Account(), region)
	other, err := secrets.Get(rv, rec.Name)
	if err != nil || other == nil || other.Promoted != v.Region() || other.Suffix != rec.Suffix {
		return err
	}
	other.Promoted = ""
	return secrets.Put(rv, other, other.Name)
}

func (s *Service) RemoveRegionsFromReplication(ctx context.Context, in *sm.RemoveRegionsFromReplicationRequest) (*sm.RemoveRegionsFromReplicationResponse, error) {
	c := s.Call(ctx)
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.RemoveRegionsFromReplicationResponse, error) {
		// A Region the secret is not replicated to is refused as ReplicateSecretToRegions
		// refuses a Region it cannot use, before any replica goes: AWS does not document
		// the case, and removing the others while answering success would hide a typo.
		for _, region := range in.RemoveReplicaRegions {
			if rec.replica(region) == nil {
				return nil, msgInvalidReplica.New()
			}
		}
		var gone []string
		rec.Replicas = slices.DeleteFunc(rec.Replicas, func(r replicaState) bool {
			drop := slices.Contains(in.RemoveReplicaRegions, r.Region)
			if drop {
				gone = append(gone, r.Region)
			}
			return drop
		})
		// The replicas themselves go through the same ordered queue.
		for _, region := range gone {
			if err := s.enqueueSync(tx, v, rec.Name, region, rec); err != nil {
				return nil, err
			}
		}
		if err := secrets.Put(v, rec, rec.Name); err != nil {
			return nil, err
		}
		out := &sm.RemoveRegionsFromReplicationResponse{ARN: new(rec.arn(v)), ReplicationStatus: replicationStatus(rec.Replicas, replicaAccess(tx, v, rec))}
		if out.ReplicationStatus == nil {
			out.ReplicationStatus = []sm.ReplicationStatusType{}
		}
		return out, nil
	})
}

func (s *Service) StopReplicationToReplica(ctx context.Context, in *sm.StopReplicationToReplicaRequest) (*sm.StopReplicationToReplicaResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*sm.StopReplicationToReplicaResponse, error) {
		v := c.In(tx)
		rec, err := find(v, *in.SecretId)
		if err != nil {
			return nil, err
		}
		if !rec.isReplica() {
			return nil, msgNotAReplica.New(rec.Name)
		}
		primary := rec.Primary
		rec.Primary, rec.Promoted = "", primary
		now := c.Now()
		// The promoted secret rotates on its own from now on.
		if r := rec.Rotation; r != nil && r.Enabled {
			if err := s.scheduleRotation(tx, v, rec, now); err != nil {
				return nil, err
			}
		}
		if err := s.commit(tx, v, rec, now); err != nil {
			return nil, err
		}
		// The old primary stops listing the Region when the sync job finds the replica
		// promoted; if the primary's Region is down, that waits for it.
		if err := s.enqueueSync(tx, tx.In(c.Account, primary), rec.Name, c.Region, nil); err != nil {
			return nil, err
		}
		return &sm.StopReplicationToReplicaResponse{ARN: new(rec.arn(v))}, nil
	})
}

// unreachableError is the failure of a sync across a Region made unreachable by a fault.
type unreachableError struct{ region string }

func (e *unreachableError) Error() string { return "Region " + e.region + " is unreachable" }

// runSync makes one replica match its primary, or removes it when the primary no longer
// lists its Region. See the package documentation.
func (s *Service) runSync(_ context.Context, tx kit.Tx, _ *jobs.Job, p syncPayload) error {
	if region, down := s.Unreachable(p.Primary, p.Replica); down {
		return &unreachableError{region: region}
	}
	pv := tx.In(p.Account, p.Primary)
	prim, err := secrets.Get(pv, p.Name)
	if err != nil {
		return err
	}
	changed, err := s.syncReplica(tx, p, prim)
	if err != nil || !changed {
		return err
	}
	return secrets.Put(pv, prim, prim.Name)
}

// syncReplica does the work of runSync against prim, the primary as stored (nil when there
// is none). It reports whether it changed prim's ReplicationStatus, which the caller
// stores.
func (s *Service) syncReplica(tx kit.Tx, p syncPayload, prim *secretRecord) (bool, error) {
	rv := tx.In(p.Account, p.Replica)
	var entry *replicaState
	if prim != nil && !prim.isReplica() {
		entry = prim.replica(p.Replica)
	}
	existing, err := secrets.Get(rv, p.Name)
	if err != nil {
		return false, err
	}
	if existing != nil && !existing.isReplica() && existing.Promoted == p.Primary {
		if let, err := letGo(rv, p, prim, entry, existing); let || err != nil {
			return let, err
		}
	}
	ours := existing != nil && existing.Primary == p.Primary
	switch {
	case entry == nil && ours:
		return false, purge(tx, rv, existing)
	case entry == nil, entry.Status == sm.StatusTypeFailed:
		return false, nil // nothing to replicate, or ReplicateSecretToRegions retries it
	}
	if existing != nil && !ours && !entry.Force {
		entry.fail(textNameTaken.with(p.Replica))
		return true, nil
	}
	// A secret of the name that is not this primary's replica is overwritten (Force), and
	// a replica of an earlier secret of the same name is replaced rather than updated: its
	// values are bound to the old ARN.
	if existing != nil && (!ours || existing.Suffix != prim.Suffix) {
		if err := purge(tx, rv, existing); err != nil {
			return false, err
		}
		existing = nil
	}
	return true, s.replicate(tx, p, prim, existing, entry)
}

// letGo is the sync's answer to a replica promoted by StopReplicationToReplica: the
// primary lets the Region go, once. It reports whether it took the Region off prim's
// list; when it did not (the promoted secret is not prim's, or prim no longer lists the
// Region), the sync goes on with the promoted secret as a secret of the Region's own.
func letGo(rv kit.View, p syncPayload, prim *secretRecord, entry *replicaState, promoted *secretRecord) (bool, error) {
	promoted.Promoted = ""
	if err := secrets.Put(rv, promoted, promoted.Name); err != nil {
		return false, err
	}
	if entry == nil || promoted.Suffix != prim.Suffix {
		return false, nil
	}
	prim.Replicas = slices.DeleteFunc(prim.Replicas, func(r replicaState) bool { return r.Region == p.Replica })
	return true, nil
}

func (r *replicaState) fail(message string) { r.Status, r.Message = sm.StatusTypeFailed, message }

// replicate writes the replica and records the outcome in entry: InSync, or Failed with
// the reason when the replica's key or the primary's values refuse. Other failures are
// returned, for the engine to retry.
func (s *Service) replicate(tx kit.Tx, p syncPayload, prim, existing *secretRecord, entry *replicaState) error {
	was := entry.Status
	defer func() {
		if entry.Status != was {
			s.recordReplication(tx, p, prim, entry)
		}
	}()
	ki, problem := s.replicaKey(tx, p, entry.KmsKeyID)
	if problem != "" {
		entry.fail(problem)
		return nil
	}
	err := s.copyToReplica(tx, p, prim, existing, ki, entry.KmsKeyID)
	var dec *decryptError
	switch {
	case errors.As(err, &dec):
		entry.fail(textUndecryptable.with(dec.version, p.Primary))
	case err != nil && awserr.As(err).Status < awserr.StatusInternalServerError:
		// Anything else KMS refuses in the replica Region is the replica's failure: it
		// must neither fail the primary's call (a zero delay syncs within it) nor be
		// retried as if the Region were down.
		entry.fail(textRefused.with(awserr.As(err).Message))
	case err != nil:
		return err
	default:
		entry.Status, entry.Message = sm.StatusTypeInSync, string(textInSync)
	}
	return nil
}

// replicaKey resolves a replica's KMS key in its Region. A problem with the key is a
// permanent failure, returned as the replica's StatusMessage.
func (s *Service) replicaKey(tx kit.Tx, p syncPayload, keyID string) (port.KeyInfo, string) {
	if arn.IsARN(keyID) {
		if a, err := arn.Parse(keyID); err == nil && a.Region != p.Replica {
			return port.KeyInfo{}, textKeyElsewhere.with(keyID, a.Region, p.Replica)
		}
	}
	ki, err := s.keys.Resolve(tx, p.Account, p.Replica, keyID)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return ki, textKeyNotFound.with(keyID, p.Replica)
	case err != nil:
		return ki, textKeyUnusable.with(keyID, err)
	case ki.State == kmsapi.KeyStatePendingDeletion || ki.State == kmsapi.KeyStatePendingReplicaDeletion:
		return ki, textKeyDeleting.with(keyID)
	case !ki.Enabled:
		return ki, textKeyDisabled.with(keyID)
	case ki.Usage != kmsapi.KeyUsageTypeEncryptDecrypt || ki.Spec != kmsapi.KeySpecSymmetricDefault:
		return ki, textKeyNotSymmetric.with(keyID)
	}
	return ki, ""
}

type decryptError struct{ version string }

func (e *decryptError) Error() string { return "secretsmanager: decrypting version " + e.version }

// replicaRecord is the record of the replica of prim in the Region of p, shown with the
// key as the caller named it; existing is the replica there now, if any.
func replicaRecord(p syncPayload, prim, existing *secretRecord, shownKey string, now time.Time) *secretRecord {
	rep := prim.clone()
	rep.Primary, rep.Promoted = p.Primary, ""
	rep.Replicas, rep.DeleteJob = nil, ""
	rep.KmsKeyID = ""
	if shownKey != defaultKeyAlias {
		rep.KmsKeyID = shownKey
	}
	if rep.Rotation != nil {
		rep.Rotation.Job, rep.Rotation.FinishJob = "", ""
	}
	rep.Created, rep.Accessed = now, nil
	if existing != nil {
		rep.Created, rep.Accessed = existing.Created, existing.Accessed
	}
	return rep
}

// copied is a version of the primary on its way to the replica, decrypted.
type copied struct {
	ver *versionRecord
	val secretValue
}

// copyToReplica writes the replica: the primary's metadata, and each version of the
// primary with the same id, dates and labels, encrypted under the replica's key. Versions
// already there under that key are kept as they are.
func (s *Service) copyToReplica(tx kit.Tx, p syncPayload, prim, existing *secretRecord, ki port.KeyInfo, shownKey string) error {
	pv, rv := tx.In(p.Account, p.Primary), tx.In(p.Account, p.Replica)
	rep := replicaRecord(p, prim, existing, shownKey, s.Clock.Now())
	have := map[string]*versionRecord{}
	if existing != nil {
		vs, err := versionsOf(rv, p.Name)
		if err != nil {
			return err
		}
		for _, ver := range vs {
			have[ver.ID] = ver
		}
	}
	pending, total, err := s.versionsToCopy(tx, pv, prim, have, ki.ARN)
	if err != nil {
		return err
	}
	for _, c := range pending {
		if err := s.storeValue(tx, rv, rep, c.ver, c.val); err != nil {
			if existing == nil {
				// No version of a replica that was never made may stay behind.
				return errors.Join(err, versions.DeleteAll(rv, p.Name), values.DeleteAll(rv, p.Name))
			}
			return err
		}
	}
	for id := range have {
		if err := deleteVersion(rv, p.Name, id); err != nil {
			return err
		}
	}
	rep.Versions = total
	if existing == nil {
		return insertSecret(rv, rep)
	}
	return secrets.Put(rv, rep, rep.Name)
}

// versionsToCopy decrypts every version of the primary that the replica does not hold
// under keyARN yet, before the first write, so that a version the primary's key no longer
// opens leaves the replica as it was. It removes from have the versions the primary
// still has, and counts the primary's versions.
func (s *Service) versionsToCopy(tx kit.Tx, pv kit.View, prim *secretRecord, have map[string]*versionRecord, keyARN string) ([]copied, int, error) {
	pvs, err := versionsOf(pv, prim.Name)
	if err != nil {
		return nil, 0, err
	}
	var pending []copied
	for _, pver := range pvs {
		rver := have[pver.ID]
		delete(have, pver.ID)
		if rver != nil && rver.KeyARN == keyARN && rver.Created.Equal(pver.Created) {
			continue
		}
		val, err := s.loadValue(tx, pv, prim, pver)
		if err != nil {
			return nil, 0, &decryptError{version: pver.ID}
		}
		nv := &versionRecord{ID: pver.ID, Created: pver.Created}
		if rver != nil {
			nv.Accessed = rver.Accessed
		}
		pending = append(pending, copied{nv, val})
	}
	return pending, len(pvs), nil
}

// giveUpSync records a replication that kept failing, for a Region that is still listed.
func (s *Service) giveUpSync(_ context.Context, tx kit.Tx, job *jobs.Job, p syncPayload, cause error) error {
	pv := tx.In(p.Account, p.Primary)
	prim, err := secrets.Get(pv, p.Name)
	if err != nil || prim == nil {
		return err
	}
	entry := prim.replica(p.Replica)
	if entry == nil {
		s.Log.Warn("secretsmanager: gave up removing a replica; it stays in its Region",
			"account", p.Account, "primary", p.Primary, "replica", p.Replica, "name", p.Name, "err", cause)
		return nil
	}
	var down *unreachableError
	if errors.As(cause, &down) {
		entry.fail(textGaveUp.with(down.region, job.Attempt))
	} else {
		entry.fail(textRefused.with(cause.Error()))
	}
	return secrets.Put(pv, prim, prim.Name)
}
