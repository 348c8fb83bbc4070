package kms

import (
	"context"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

func checkRegion(from, to string) error {
	if !regions.Valid(to) {
		return msgRegionInvalid.New(to)
	}
	if !regions.SamePartition(from, to) {
		return msgCrossPartition.New(from, to)
	}
	return nil
}

func (s *Service) ReplicateKey(ctx context.Context, in *kmsapi.ReplicateKeyRequest) (*kmsapi.ReplicateKeyResponse, error) {
	c := s.Call(ctx)
	to := *in.ReplicaRegion
	if err := checkRegion(c.Region, to); err != nil {
		return nil, err
	}
	policy := defaultPolicy(partitionOf(to), c.Account)
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
	replica, err := kit.Write(s.Kit, func(tx kit.Tx) (*keyRecord, error) {
		cur, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return nil, err
		}
		if err := replicable(tx, cur, to); err != nil {
			return nil, err
		}
		replica := replicaOf(cur, to, c.Now())
		replica.Description, replica.Policy, replica.Tags = deref(in.Description), policy, mergeTags(nil, tags)
		return replica, s.addReplica(tx, cur.clone(), replica)
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.ReplicateKeyResponse{ReplicaKeyMetadata: metadata(replica), ReplicaPolicy: new(replica.Policy), ReplicaTags: apiTags(replica.Tags)}, nil
}

// replicable refuses to replicate a key that is not a live multi-Region primary, or to a
// Region that has the key already.
func replicable(tx kit.Tx, k *keyRecord, to string) error {
	if !k.MultiRegion {
		return msgNotMultiRegion.New(k.ID)
	}
	if !k.isPrimary() {
		return msgReplicateReplica.New(k.ARN(), keyARN(k.Account, k.PrimaryRegion, k.ID))
	}
	if err := requireLive(k); err != nil {
		return err
	}
	if to == k.Region || slices.Contains(k.Replicas, to) || keys.Has(tx.In(k.Account, to), k.ID) {
		return msgReplicaExists.New(k.ID, to)
	}
	return nil
}

// replicaOf is a new replica of primary in Region to, Creating, with the primary's
// shared properties.
func replicaOf(primary *keyRecord, to string, now time.Time) *keyRecord {
	return &keyRecord{
		ID: primary.ID, Account: primary.Account, Region: to, CreationDate: now,
		Usage: primary.Usage, Spec: primary.Spec, Origin: primary.Origin,
		Manager: primary.Manager, State: kmsapi.KeyStateCreating, PriorState: kmsapi.KeyStateEnabled,
		Versions:        slices.Clone(primary.Versions),
		RotationEnabled: primary.RotationEnabled, RotationPeriod: primary.RotationPeriod, NextRotation: primary.NextRotation,
		MultiRegion: true, PrimaryRegion: primary.Region,
	}
}

// addReplica stores a new replica with the primary's material, tells every copy of the
// key of it, and arms the end of its creation.
func (s *Service) addReplica(tx kit.Tx, primary, replica *keyRecord) error {
	for _, v := range primary.Versions {
		m, err := s.materialOf(tx, primary, v.N)
		if err != nil {
			return err
		}
		if err := s.putMaterial(tx, replica, v.N, m.raw); err != nil {
			return err
		}
	}
	if err := s.eachCopy(tx, primary, func(r *keyRecord) error {
		r.Replicas = append(r.Replicas, replica.Region)
		return nil
	}); err != nil {
		return err
	}
	primary.Replicas = append(primary.Replicas, replica.Region)
	replica.Replicas = slices.Clone(primary.Replicas)
	if err := putKey(tx, primary); err != nil {
		return err
	}
	if err := putKey(tx, replica); err != nil {
		return err
	}
	_, err := jobReplicaReady.Enqueue(tx, s.After(), refOf(replica))
	return err
}

// unreachableRetry is how long a replica's creation waits before it tries an unreachable
// Region again. It is a fresh job each time rather than an engine retry, which would give
// up after a few attempts and leave the replica Creating for ever; the interval keeps the
// runs of a long clock advance (a month: about 3 000) well under the engine's bound.
const unreachableRetry = 15 * time.Minute

// runReplicaReady ends a replica's creation. While its Region is unreachable (an injected
// fault) the replica stays Creating.
func (s *Service) runReplicaReady(_ context.Context, tx kit.Tx, _ *jobs.Job, p keyRef) error {
	if _, down := s.Unreachable(p.Region); down {
		_, err := jobReplicaReady.Enqueue(tx, s.Clock.Now().Add(unreachableRetry), p)
		return err
	}
	return endTransition(tx, p, kmsapi.KeyStateCreating)
}

func (s *Service) runUpdateDone(_ context.Context, tx kit.Tx, _ *jobs.Job, p keyRef) error {
	return endTransition(tx, p, kmsapi.KeyStateUpdating)
}

// endTransition returns a key in a transitional state to the state it had before.
func endTransition(tx kit.Tx, p keyRef, from string) error {
	k, err := keys.Get(tx.In(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || k.State != from {
		return err
	}
	k.State, k.PriorState = k.PriorState, ""
	if k.State == "" {
		k.State = kmsapi.KeyStateEnabled
	}
	return putKey(tx, k)
}

func (s *Service) UpdatePrimaryRegion(ctx context.Context, in *kmsapi.UpdatePrimaryRegionRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	to := *in.PrimaryRegion
	if err := checkRegion(c.Region, to); err != nil {
		return nil, err
	}
	err := s.Update(func(tx kit.Tx) error {
		cur, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return err
		}
		newPrimary, err := promotable(tx, cur, to)
		if err != nil {
			return err
		}
		return s.movePrimary(tx, cur.clone(), newPrimary)
	})
	return nil, err
}

// promotable checks an UpdatePrimaryRegion of primary to the Region to, and returns the
// replica there.
func promotable(tx kit.Tx, primary *keyRecord, to string) (*keyRecord, error) {
	switch {
	case !primary.MultiRegion:
		return nil, msgNotMultiRegionKey.New(primary.ARN())
	case !primary.isPrimary():
		return nil, msgNotPrimary.New(primary.ARN(), primary.PrimaryRegion)
	case to == primary.Region:
		return nil, msgAlreadyPrimaryHere.New(primary.ARN(), to)
	case !slices.Contains(primary.Replicas, to):
		return nil, keyNotFound(keyARN(primary.Account, to, primary.ID))
	}
	replica, err := keys.Get(tx.In(primary.Account, to), primary.ID)
	if err != nil {
		return nil, err
	}
	if replica == nil {
		return nil, keyNotFound(keyARN(primary.Account, to, primary.ID))
	}
	// AWS requires both keys to be Enabled when the update starts.
	if err := requireSteadyEnabled(primary); err != nil {
		return nil, err
	}
	return replica, requireSteadyEnabled(replica)
}

// movePrimary makes newPrimary the primary of old's set: both go Updating for the
// transition delay, the rotation schedule moves with the role, and every copy learns the
// new configuration.
func (s *Service) movePrimary(tx kit.Tx, old, newPrimary *keyRecord) error {
	to := newPrimary.Region
	replicas := slices.Clone(old.Replicas)
	replicas[slices.Index(replicas, to)] = old.Region
	if err := tx.CancelJobs(old.RotationJob); err != nil {
		return err
	}
	old.RotationJob = ""
	if old.RotationEnabled && old.NextRotation != nil {
		id, err := jobRotate.Enqueue(tx, *old.NextRotation, refOf(newPrimary))
		if err != nil {
			return err
		}
		newPrimary.RotationJob = id
	}
	for _, k := range []*keyRecord{old, newPrimary} {
		k.PriorState, k.State = k.State, kmsapi.KeyStateUpdating
		if _, err := jobUpdateDone.Enqueue(tx, s.After(), refOf(k)); err != nil {
			return err
		}
		k.PrimaryRegion, k.Replicas = to, slices.Clone(replicas)
		if err := putKey(tx, k); err != nil {
			return err
		}
	}
	// The other replicas learn of the new primary too.
	return s.eachCopy(tx, newPrimary, func(other *keyRecord) error {
		if other.Region == old.Region {
			return nil
		}
		other.PrimaryRegion, other.Replicas = to, slices.Clone(replicas)
		return nil
	})
}
