package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// checkReplicaRegions validates AddReplicaRegions: known Regions of the caller's partition,
// none of them the caller's own, none twice.
func checkReplicaRegions(info *request.Info, in []sm.ReplicaRegionType, force *bool) ([]replicaState, error) {
	var out []replicaState
	seen := map[string]bool{}
	for _, r := range in {
		region := deref(r.Region)
		if !regions.Valid(region) || region == info.Region || !regions.SamePartition(region, info.Region) {
			return nil, invalidParam(msgInvalidReplica)
		}
		if seen[region] {
			return nil, invalidParam("Duplicate replica Region %s: each Region can be given only once.", region) // (xregion)
		}
		seen[region] = true
		out = append(out, replicaState{
			Region: region, KmsKeyID: keyIdent(deref(r.KmsKeyId)), Status: sm.StatusTypeInProgress,
			Force: force != nil && *force,
		})
	}
	return out, nil
}

// syncKey serialises the replication jobs of one replica of one primary.
func syncKey(account, primary, name, replica string) string {
	return "sm:" + account + ":" + primary + ":" + name + ":" + replica
}

type syncPayload struct {
	Account string `json:"account"`
	Primary string `json:"primary"`
	Name    string `json:"name"`
	Replica string `json:"replica"`
}

// enqueueSync asks for one replica to be brought in line with its primary, after the
// transition delay, so that InProgress shows first. When the delay is zero the sync also
// runs at once, in the caller's transaction, against prim as the caller holds it (the
// caller stores prim afterwards): a zero delay means "at once", and clients that read the
// replica right after the call see it. The job is enqueued all the same; finding the work
// done, it only confirms it. prim nil means the caller is not the primary's writer and the
// job alone does the work.
func (s *Service) enqueueSync(tx store.Tx, account, primary, name, replica string, prim *secretRecord) error {
	runAt := s.jobs.After()
	p := syncPayload{Account: account, Primary: primary, Name: name, Replica: replica}
	_, err := s.jobs.Enqueue(tx, jobs.Job{
		Kind: jobSync, Key: syncKey(account, primary, name, replica), Account: account, Region: replica,
		RunAt: runAt, Payload: mustJSON(p),
	})
	if err != nil || prim == nil || runAt.After(s.clock.Now()) || s.unreachable(p) != nil {
		return err
	}
	_, err = s.syncReplica(tx, p, prim)
	return err
}

// unreachable is the fault, if any, that stops work between a primary and a replica.
func (s *Service) unreachable(p syncPayload) error {
	for _, r := range []string{p.Primary, p.Replica} {
		if s.faults.Unreachable(r) {
			return &unreachableError{region: r}
		}
	}
	return nil
}

// syncReplicas marks every replica that has not failed InProgress and enqueues its sync.
// Failed replicas wait for ReplicateSecretToRegions to retry them.
func (s *Service) syncReplicas(tx store.Tx, account, region string, rec *secretRecord) error {
	for i := range rec.Replicas {
		r := &rec.Replicas[i]
		if r.Status == sm.StatusTypeFailed {
			continue
		}
		r.Status, r.Message = sm.StatusTypeInProgress, ""
		if err := s.enqueueSync(tx, account, region, rec.Name, r.Region, rec); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) replicateSecretToRegions(ctx context.Context, in *sm.ReplicateSecretToRegionsRequest) (*sm.ReplicateSecretToRegionsResponse, error) {
	info := request.From(ctx)
	add, err := checkReplicaRegions(info, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret)
	if err != nil {
		return nil, err
	}
	var out *sm.ReplicateSecretToRegionsResponse
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		for _, a := range add {
			// A secret promoted out of this Region's replication is, once added again,
			// a secret of its own there: the sync must not take it for the promotion
			// it has not yet seen.
			if err := s.forgetPromotion(tx, info, rec, a.Region); err != nil {
				return err
			}
			// A Region already listed is replicated again, with the key and overwrite
			// choice now given: that is how a Failed replica is retried.
			if cur := rec.replica(a.Region); cur != nil {
				*cur = a
			} else {
				rec.Replicas = append(rec.Replicas, a)
			}
		}
		// The answer reports the replicas as the request left them (the new ones
		// InProgress), as AWS does; with a zero transition delay the syncs below may
		// already have finished when the transaction commits, which any later read shows.
		accepted := slices.Clone(rec.Replicas)
		accessed := replicaAccess(tx, info.Account, rec)
		for _, a := range add {
			if err := s.enqueueSync(tx, info.Account, info.Region, rec.Name, a.Region, rec); err != nil {
				return err
			}
		}
		if err := putSecret(tx, scopeOf(info.Account, info.Region), rec); err != nil {
			return err
		}
		out = &sm.ReplicateSecretToRegionsResponse{
			ARN:               str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)),
			ReplicationStatus: replicationStatus(accepted, accessed),
		}
		return nil
	})
	return out, err
}

// forgetPromotion clears the mark StopReplicationToReplica left on the secret of rec's
// name in region, if it was promoted from rec.
func (s *Service) forgetPromotion(tx store.Tx, info *request.Info, rec *secretRecord, region string) error {
	rsc := scopeOf(info.Account, region)
	other, err := getSecret(tx, rsc, rec.Name)
	if err != nil || other == nil || other.Promoted != info.Region || other.Suffix != rec.Suffix {
		return err
	}
	other.Promoted = ""
	return putSecret(tx, rsc, other)
}

func (s *Service) removeRegionsFromReplication(ctx context.Context, in *sm.RemoveRegionsFromReplicationRequest) (*sm.RemoveRegionsFromReplicationResponse, error) {
	info := request.From(ctx)
	drop := map[string]bool{}
	for _, r := range in.RemoveReplicaRegions {
		drop[r] = true
	}
	var out *sm.RemoveRegionsFromReplicationResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		kept, gone := rec.Replicas[:0:0], []string{}
		for _, r := range rec.Replicas {
			if drop[r.Region] {
				gone = append(gone, r.Region)
			} else {
				kept = append(kept, r)
			}
		}
		rec.Replicas = kept
		// The replicas themselves go through the same ordered queue.
		for _, region := range gone {
			if err := s.enqueueSync(tx, info.Account, info.Region, rec.Name, region, rec); err != nil {
				return err
			}
		}
		if err := putSecret(tx, scopeOf(info.Account, info.Region), rec); err != nil {
			return err
		}
		out = &sm.RemoveRegionsFromReplicationResponse{
			ARN:               str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)),
			ReplicationStatus: replicationStatus(rec.Replicas, replicaAccess(tx, info.Account, rec)),
		}
		if out.ReplicationStatus == nil {
			out.ReplicationStatus = []sm.ReplicationStatusType{}
		}
		return nil
	})
	return out, err
}

func (s *Service) stopReplicationToReplica(ctx context.Context, in *sm.StopReplicationToReplicaRequest) (*sm.StopReplicationToReplicaResponse, error) {
	info := request.From(ctx)
	var out *sm.StopReplicationToReplicaResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := find(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		if !rec.isReplica() {
			return invalidParam("The secret %s is not a replica: call StopReplicationToReplica in the Region of a replica.", rec.Name) // (xregion)
		}
		primary := rec.Primary
		rec.Primary, rec.Promoted = "", primary
		now := s.clock.Now()
		// The promoted secret rotates on its own from now on.
		if r := rec.Rotation; r != nil && r.Enabled {
			if err := s.scheduleRotation(tx, info.Account, info.Region, rec, now); err != nil {
				return err
			}
		}
		if err := s.commit(tx, info.Account, info.Region, rec, now); err != nil {
			return err
		}
		// The old primary stops listing the Region when the sync job finds the replica
		// promoted; if the primary's Region is down, that waits for it.
		if err := s.enqueueSync(tx, info.Account, primary, rec.Name, info.Region, nil); err != nil {
			return err
		}
		out = &sm.StopReplicationToReplicaResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix))}
		return nil
	})
	return out, err
}

// unreachableError is the failure of a sync across a Region made unreachable by a fault.
type unreachableError struct{ region string }

func (e *unreachableError) Error() string { return "Region " + e.region + " is unreachable" }

// runSync makes one replica match its primary, or removes it when the primary no longer
// lists its Region. See the package documentation.
func (s *Service) runSync(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p syncPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	if err := s.unreachable(p); err != nil {
		return err
	}
	psc := scopeOf(p.Account, p.Primary)
	prim, err := getSecret(tx, psc, p.Name)
	if err != nil {
		return err
	}
	changed, err := s.syncReplica(tx, p, prim)
	if err != nil || !changed {
		return err
	}
	return putSecret(tx, psc, prim)
}

// syncReplica does the work of runSync against prim, the primary as stored (nil when there
// is none). It reports whether it changed prim's ReplicationStatus, which the caller
// stores.
func (s *Service) syncReplica(tx store.Tx, p syncPayload, prim *secretRecord) (bool, error) {
	rsc := scopeOf(p.Account, p.Replica)
	var entry *replicaState
	if prim != nil && !prim.isReplica() {
		entry = prim.replica(p.Replica)
	}
	existing, err := getSecret(tx, rsc, p.Name)
	if err != nil {
		return false, err
	}
	if existing != nil && !existing.isReplica() && existing.Promoted == p.Primary {
		// Promoted by StopReplicationToReplica: the primary lets the Region go, once.
		existing.Promoted = ""
		if err := putSecret(tx, rsc, existing); err != nil {
			return false, err
		}
		if entry != nil && existing.Suffix == prim.Suffix {
			kept := prim.Replicas[:0:0]
			for _, r := range prim.Replicas {
				if r.Region != p.Replica {
					kept = append(kept, r)
				}
			}
			prim.Replicas = kept
			return true, nil
		}
	}
	ours := existing != nil && existing.Primary == p.Primary
	if entry == nil {
		if ours {
			return false, s.purge(tx, rsc, existing)
		}
		return false, nil
	}
	if entry.Status == sm.StatusTypeFailed {
		return false, nil // ReplicateSecretToRegions retries it
	}
	fail := func(format string, args ...any) (bool, error) {
		entry.Status, entry.Message = sm.StatusTypeFailed, fmt.Sprintf(format, args...)
		return true, nil
	}
	if existing != nil && !ours {
		if !entry.Force {
			return fail("Replication failed: Secret with this name already exists in this region %s.", p.Replica) // (xregion)
		}
		if err := s.purge(tx, rsc, existing); err != nil {
			return false, err
		}
		existing, ours = nil, false
	}
	if ours && existing.Suffix != prim.Suffix {
		// A replica of an earlier secret of the same name: its values are bound to the
		// old ARN, so it is replaced rather than updated.
		if err := s.purge(tx, rsc, existing); err != nil {
			return false, err
		}
		existing = nil
	}
	ki, msg := s.replicaKey(tx, p, entry.KmsKeyID)
	if msg != "" {
		return fail("%s", msg)
	}
	if err := s.copyToReplica(tx, p, prim, existing, ki, entry.KmsKeyID); err != nil {
		var dec *decryptError
		if errors.As(err, &dec) {
			return fail("Replication failed: the value of version %s can't be decrypted in %s.", dec.version, p.Primary) // (xregion)
		}
		// Anything else KMS refuses in the replica Region is the replica's failure: it
		// must neither fail the primary's call (a zero delay syncs within it) nor be
		// retried as if the Region were down.
		if e := asAWS(err); e.Status < 500 {
			return fail("Replication failed: %s", e.Message) // (xregion)
		}
		return false, err
	}
	entry.Status, entry.Message = sm.StatusTypeInSync, msgInSync
	return true, nil
}

// replicaKey resolves a replica's KMS key in its Region. A problem with the key is a
// permanent failure, returned as the replica's StatusMessage.
func (s *Service) replicaKey(tx store.Tx, p syncPayload, keyID string) (port.KeyInfo, string) {
	if arn.IsARN(keyID) {
		if a, err := arn.Parse(keyID); err == nil && a.Region != p.Replica {
			return port.KeyInfo{}, fmt.Sprintf("Replication failed: The KMS key %s is in Region %s, not in the replica Region %s.", keyID, a.Region, p.Replica) // (xregion)
		}
	}
	ki, err := s.keys.Resolve(kit.Adopt(tx), p.Account, p.Replica, keyID)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return ki, fmt.Sprintf("Replication failed: The KMS key %s can't be found in %s.", keyID, p.Replica) // (xregion)
	case err != nil:
		return ki, fmt.Sprintf("Replication failed: The KMS key %s can't be used: %v.", keyID, err) // (xregion)
	case ki.State == "PendingDeletion" || ki.State == "PendingReplicaDeletion":
		return ki, fmt.Sprintf("Replication failed: The KMS key %s is pending deletion.", keyID) // (xregion)
	case !ki.Enabled:
		return ki, fmt.Sprintf("Replication failed: The KMS key %s is disabled.", keyID) // (xregion)
	case ki.Usage != kmsapi.KeyUsageTypeEncryptDecrypt || ki.Spec != kmsapi.KeySpecSymmetricDefault:
		return ki, fmt.Sprintf("Replication failed: The KMS key %s is not a symmetric encryption key.", keyID) // (xregion)
	}
	return ki, ""
}

type decryptError struct{ version string }

func (e *decryptError) Error() string { return "secretsmanager: decrypting version " + e.version }

// copyToReplica writes the replica: the primary's metadata, and each version of the
// primary with the same id, dates and labels, encrypted under the replica's key. Versions
// already there under that key are kept as they are.
func (s *Service) copyToReplica(tx store.Tx, p syncPayload, prim, existing *secretRecord, ki port.KeyInfo, shownKey string) error {
	psc, rsc := scopeOf(p.Account, p.Primary), scopeOf(p.Account, p.Replica)
	rep := prim.clone()
	rep.Primary, rep.Promoted = p.Primary, ""
	rep.Replicas = nil
	rep.KmsKeyID = ""
	if shownKey != defaultKeyAlias {
		rep.KmsKeyID = shownKey
	}
	rep.DeleteJob = ""
	if rep.Rotation != nil {
		rep.Rotation.Job, rep.Rotation.FinishJob = "", ""
	}
	now := s.clock.Now()
	rep.Created, rep.Accessed = now, nil
	have := map[string]*versionRecord{}
	if existing != nil {
		rep.Created, rep.Accessed = existing.Created, existing.Accessed
		vs, err := versionsOf(tx, rsc, p.Name)
		if err != nil {
			return err
		}
		for _, v := range vs {
			have[v.ID] = v
		}
	}
	pvs, err := versionsOf(tx, psc, p.Name)
	if err != nil {
		return err
	}
	// Every value is decrypted before the first write, so that a version the primary's
	// key no longer opens leaves the replica as it was.
	type copied struct {
		ver *versionRecord
		val secretValue
	}
	var pending []copied
	for _, pv := range pvs {
		rv := have[pv.ID]
		delete(have, pv.ID)
		if rv != nil && rv.KeyARN == ki.ARN && rv.Created.Equal(pv.Created) {
			continue
		}
		val, err := s.loadValue(tx, p.Account, p.Primary, prim, pv)
		if err != nil {
			return &decryptError{version: pv.ID}
		}
		nv := &versionRecord{ID: pv.ID, Created: pv.Created}
		if rv != nil {
			nv.Accessed = rv.Accessed
		}
		pending = append(pending, copied{nv, val})
	}
	for _, c := range pending {
		if err := s.storeValue(tx, p.Account, p.Replica, rep, c.ver, c.val); err != nil {
			if existing == nil {
				// No version of a replica that was never made may stay behind.
				return errors.Join(err, tx.DeletePrefix(versionPrefix(rsc, p.Name)), tx.DeletePrefix(valuePrefix(rsc, p.Name)))
			}
			return err
		}
	}
	for id := range have {
		if err := deleteVersion(tx, rsc, p.Name, id); err != nil {
			return err
		}
	}
	rep.Versions = len(pvs)
	if existing == nil {
		return insertSecret(tx, rsc, rep)
	}
	return putSecret(tx, rsc, rep)
}

// giveUpSync records a replication that kept failing, for a Region that is still listed.
func (s *Service) giveUpSync(_ context.Context, tx store.Tx, job *jobs.Job, err error) error {
	var p syncPayload
	if derr := job.DecodePayload(&p); derr != nil {
		return derr
	}
	psc := scopeOf(p.Account, p.Primary)
	prim, gerr := getSecret(tx, psc, p.Name)
	if gerr != nil || prim == nil {
		return gerr
	}
	entry := prim.replica(p.Replica)
	if entry == nil {
		s.log.Warn("secretsmanager: gave up removing a replica; it stays in its Region",
			"account", p.Account, "primary", p.Primary, "replica", p.Replica, "name", p.Name, "err", err)
		return nil
	}
	entry.Status = sm.StatusTypeFailed
	var down *unreachableError
	if errors.As(err, &down) {
		entry.Message = fmt.Sprintf("Replication failed: Region %s is unreachable; gave up after %d attempts. Call ReplicateSecretToRegions to retry.", down.region, job.Attempt) // (xregion)
	} else {
		entry.Message = "Replication failed: " + err.Error() // (xregion)
	}
	return putSecret(tx, psc, prim)
}
