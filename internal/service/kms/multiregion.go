package kms

import (
	"context"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func checkRegion(from, to string) error {
	if !regions.Valid(to) {
		return validation("%s is not a valid AWS Region.", to)
	}
	if !regions.SamePartition(from, to) {
		return validation("Multi-Region keys cannot be replicated across partitions: %s and %s are in different partitions.", from, to)
	}
	return nil
}

func (s *Service) replicateKey(ctx context.Context, in *kmsapi.ReplicateKeyRequest) (*kmsapi.ReplicateKeyResponse, error) {
	info := request.From(ctx)
	to := *in.ReplicaRegion
	if err := checkRegion(info.Region, to); err != nil {
		return nil, err
	}
	policy := defaultPolicy(partitionOf(to), info.Account)
	if in.Policy != nil {
		if err := validatePolicy(*in.Policy); err != nil {
			return nil, err
		}
		policy = *in.Policy
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var replica *keyRecord
	err = s.st.Update(func(tx store.Tx) error {
		cur, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if !cur.MultiRegion {
			return unsupported("Unable to replicate a non-MultiRegion key %s", cur.ID)
		}
		if !cur.isPrimary() {
			return unsupported("%s is a multi-Region replica key. Replicate its primary key %s instead.", cur.ARN(), keyARN(cur.Account, cur.PrimaryRegion, cur.ID))
		}
		if err := requireLive(cur); err != nil {
			return err
		}
		if to == cur.Region || slices.Contains(cur.Replicas, to) || tx.Get(keyRecordKey(scopeOf(info.Account, to), cur.ID)) != nil {
			return kmsapi.ErrAlreadyExists.New("Unable to replicate key %s to region %s, as the key already exist there", cur.ID, to)
		}
		primary := cur.clone()
		now := s.clock.Now()
		replica = &keyRecord{
			ID: primary.ID, Account: primary.Account, Region: to, CreationDate: now,
			Description: deref(in.Description), Usage: primary.Usage, Spec: primary.Spec, Origin: primary.Origin,
			Manager: primary.Manager, State: kmsapi.KeyStateCreating, PriorState: kmsapi.KeyStateEnabled,
			Policy: policy, Tags: mergeTags(nil, tags), Versions: slices.Clone(primary.Versions),
			RotationEnabled: primary.RotationEnabled, RotationPeriod: primary.RotationPeriod, NextRotation: primary.NextRotation,
			MultiRegion: true, PrimaryRegion: primary.Region,
		}
		for _, v := range primary.Versions {
			raw, err := s.rawMaterial(tx, primary, v.N)
			if err != nil {
				return err
			}
			if err := s.putMaterial(tx, replica, v.N, raw); err != nil {
				return err
			}
		}
		if err := s.eachReplica(tx, primary, func(r *keyRecord) error {
			r.Replicas = append(r.Replicas, to)
			return nil
		}); err != nil {
			return err
		}
		primary.Replicas = append(primary.Replicas, to)
		replica.Replicas = slices.Clone(primary.Replicas)
		if err := putKey(tx, primary); err != nil {
			return err
		}
		if err := putKey(tx, replica); err != nil {
			return err
		}
		_, err = s.enqueue(tx, jobReplicaReady, replica.Account, to, replica.ID, s.jobs.After())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.ReplicateKeyResponse{ReplicaKeyMetadata: metadata(replica), ReplicaPolicy: str(replica.Policy), ReplicaTags: apiTags(replica.Tags)}, nil
}

// unreachableRetry is how long a replica's creation waits before it tries an unreachable
// Region again. It is a fresh job each time rather than an engine retry, which would give
// up after a few attempts and leave the replica Creating for ever; the interval keeps the
// runs of a long clock advance (a month: about 3 000) well under the engine's bound.
const unreachableRetry = 15 * time.Minute

// runReplicaReady ends a replica's creation. While its Region is unreachable (an injected
// fault) the replica stays Creating.
func (s *Service) runReplicaReady(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	if s.faults != nil && s.faults.Unreachable(p.Region) {
		_, err := s.enqueue(tx, jobReplicaReady, p.Account, p.Region, p.KeyID, s.clock.Now().Add(unreachableRetry))
		return err
	}
	return s.endTransition(tx, p, kmsapi.KeyStateCreating)
}

func (s *Service) runUpdateDone(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	return s.endTransition(tx, p, kmsapi.KeyStateUpdating)
}

// endTransition returns a key in a transitional state to the state it had before.
func (s *Service) endTransition(tx store.Tx, p jobPayload, from string) error {
	k, err := loadKey(tx, scopeOf(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || k.State != from {
		return err
	}
	k.State, k.PriorState = k.PriorState, ""
	if k.State == "" {
		k.State = kmsapi.KeyStateEnabled
	}
	return putKey(tx, k)
}

func (s *Service) updatePrimaryRegion(ctx context.Context, in *kmsapi.UpdatePrimaryRegionRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	to := *in.PrimaryRegion
	if err := checkRegion(info.Region, to); err != nil {
		return nil, err
	}
	err := s.st.Update(func(tx store.Tx) error {
		cur, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if !cur.MultiRegion {
			return unsupported("%s is not a multi-Region key.", cur.ARN())
		}
		if !cur.isPrimary() {
			return unsupported("%s is not a multi-Region primary key. Call UpdatePrimaryRegion in the Region of the primary key, %s.", cur.ARN(), cur.PrimaryRegion)
		}
		if to == cur.Region {
			return validation("%s is already the primary key in %s.", cur.ARN(), to)
		}
		if !slices.Contains(cur.Replicas, to) {
			return keyNotFound(keyARN(cur.Account, to, cur.ID))
		}
		newPrimary, err := loadKey(tx, scopeOf(cur.Account, to), cur.ID)
		if err != nil {
			return err
		}
		if newPrimary == nil {
			return keyNotFound(keyARN(cur.Account, to, cur.ID))
		}
		// AWS requires both keys to be Enabled when the update starts.
		if err := requireSteadyEnabled(cur); err != nil {
			return err
		}
		if err := requireSteadyEnabled(newPrimary); err != nil {
			return err
		}
		old := cur.clone()
		replicas := slices.Clone(old.Replicas)
		replicas[slices.Index(replicas, to)] = old.Region
		// Automatic rotation is scheduled on the primary; it moves with the role.
		if err := s.cancelJob(tx, old.RotationJob); err != nil {
			return err
		}
		old.RotationJob = ""
		if old.RotationEnabled && old.NextRotation != nil {
			id, err := s.enqueue(tx, jobRotate, old.Account, to, old.ID, *old.NextRotation)
			if err != nil {
				return err
			}
			newPrimary.RotationJob = id
		}
		for _, k := range []*keyRecord{old, newPrimary} {
			k.PriorState, k.State = k.State, kmsapi.KeyStateUpdating
			if _, err := s.enqueue(tx, jobUpdateDone, k.Account, k.Region, k.ID, s.jobs.After()); err != nil {
				return err
			}
		}
		for _, k := range []*keyRecord{old, newPrimary} {
			k.PrimaryRegion, k.Replicas = to, slices.Clone(replicas)
			if err := putKey(tx, k); err != nil {
				return err
			}
		}
		// The other replicas learn of the new primary too.
		for _, r := range replicas {
			if r == old.Region {
				continue
			}
			other, err := loadKey(tx, scopeOf(old.Account, r), old.ID)
			if err != nil {
				return err
			}
			if other == nil {
				continue
			}
			other.PrimaryRegion, other.Replicas = to, slices.Clone(replicas)
			if err := putKey(tx, other); err != nil {
				return err
			}
		}
		return nil
	})
	return nil, err
}
