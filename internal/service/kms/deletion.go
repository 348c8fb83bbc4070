package kms

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

const (
	defaultPendingWindow = 30
	minPendingWindow     = 7
	maxPendingWindow     = 30
)

func (s *Service) ScheduleKeyDeletion(ctx context.Context, in *kmsapi.ScheduleKeyDeletionRequest) (*kmsapi.ScheduleKeyDeletionResponse, error) {
	window := defaultPendingWindow
	if in.PendingWindowInDays != nil {
		window = int(*in.PendingWindowInDays)
	}
	if window < minPendingWindow || window > maxPendingWindow {
		return nil, msgPendingWindow.New(minPendingWindow, maxPendingWindow, window)
	}
	k, err := s.change(ctx, *in.KeyId, "ScheduleKeyDeletion", requireLive, func(tx kit.Tx, k *keyRecord) error {
		k.PendingWindowDays = window
		if k.MultiRegion && k.isPrimary() && len(k.Replicas) > 0 {
			// A primary key outlives its replicas: its own waiting period starts when the
			// last of them is deleted.
			k.State = kmsapi.KeyStatePendingReplicaDeletion
			return nil
		}
		return s.startDeletionWindow(tx, k)
	})
	if err != nil {
		return nil, err
	}
	out := &kmsapi.ScheduleKeyDeletionResponse{KeyId: new(k.ARN()), KeyState: new(k.State), PendingWindowInDays: new(int64(window))}
	if k.DeletionDate != nil {
		out.DeletionDate = new(*k.DeletionDate)
	}
	return out, nil
}

// startDeletionWindow puts k in PendingDeletion and enqueues the job that deletes it when
// its waiting period ends.
func (s *Service) startDeletionWindow(tx kit.Tx, k *keyRecord) error {
	at := s.Clock.Now().AddDate(0, 0, k.PendingWindowDays)
	id, err := jobDeleteKey.Enqueue(tx, at, refOf(k))
	if err != nil {
		return err
	}
	k.State, k.DeletionDate, k.DeletionJob = kmsapi.KeyStatePendingDeletion, &at, id
	return nil
}

func (s *Service) CancelKeyDeletion(ctx context.Context, in *kmsapi.CancelKeyDeletionRequest) (*kmsapi.CancelKeyDeletionResponse, error) {
	pending := func(k *keyRecord) error {
		if k.State == kmsapi.KeyStatePendingDeletion || k.State == kmsapi.KeyStatePendingReplicaDeletion {
			return nil
		}
		return wrap(stateSentinel(k.State), msgNotPendingDeletion.New(k.ARN()))
	}
	k, err := s.change(ctx, *in.KeyId, "CancelKeyDeletion", pending, func(tx kit.Tx, k *keyRecord) error {
		if err := tx.CancelJobs(k.DeletionJob); err != nil {
			return err
		}
		// AWS leaves a key whose deletion was cancelled disabled; a key without its
		// imported material waits for it again.
		k.State, k.DeletionDate, k.DeletionJob, k.PendingWindowDays = kmsapi.KeyStateDisabled, nil, "", 0
		if !k.hasMaterial() {
			k.State = kmsapi.KeyStatePendingImport
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.CancelKeyDeletionResponse{KeyId: new(k.ARN())}, nil
}

// runDeleteKey ends a key's waiting period: the key, its material and its aliases go.
func (s *Service) runDeleteKey(_ context.Context, tx kit.Tx, job *jobs.Job, p keyRef) error {
	k, err := keys.Get(tx.In(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil {
		return err
	}
	if k.State != kmsapi.KeyStatePendingDeletion || k.DeletionJob != job.ID {
		return nil // cancelled, or rescheduled by a later ScheduleKeyDeletion
	}
	return s.deleteKeyNow(tx, k)
}

func (s *Service) deleteKeyNow(tx kit.Tx, k *keyRecord) error {
	v := k.in(tx)
	if err := tx.CancelJobs(k.RotationJob, k.ExpiryJob); err != nil {
		return err
	}
	// The key's aliases go with it, as in AWS.
	names, err := aliasesOf(v, k.ID)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := deleteAlias(v, n, k.ID); err != nil {
			return err
		}
	}
	if err := grants.DeleteAll(v, k.ID); err != nil {
		return err
	}
	if err := wrappingKeys.DeleteAll(v, k.ID); err != nil {
		return err
	}
	if err := materials.DeleteAll(v, k.ID); err != nil {
		return err
	}
	if err := keys.Delete(v, k.ID); err != nil {
		return err
	}
	if k.MultiRegion {
		if err := s.leaveSet(tx, k); err != nil {
			return err
		}
	}
	tx.OnCommit(func() { s.mats.forget(k.Account, k.Region, k.ID) })
	return nil
}

// leaveSet removes a deleted replica from the configuration of the other copies of its
// multi-Region key, and starts the primary's waiting period if it was waiting for its
// last replica.
func (s *Service) leaveSet(tx kit.Tx, gone *keyRecord) error {
	return s.eachCopy(tx, gone, func(other *keyRecord) error {
		other.Replicas = slices.DeleteFunc(other.Replicas, func(x string) bool { return x == gone.Region })
		if other.isPrimary() && other.State == kmsapi.KeyStatePendingReplicaDeletion && len(other.Replicas) == 0 {
			return s.startDeletionWindow(tx, other)
		}
		return nil
	})
}

// eachCopy changes and stores every other copy of a multi-Region key than k: the
// replicas of a primary key; for a replica, the primary and the other replicas.
func (s *Service) eachCopy(tx kit.Tx, k *keyRecord, fn func(other *keyRecord) error) error {
	for _, region := range k.regionsOfSet() {
		if region == k.Region {
			continue
		}
		other, err := keys.Get(tx.In(k.Account, region), k.ID)
		if err != nil {
			return err
		}
		if other == nil {
			continue
		}
		if err := fn(other); err != nil {
			return err
		}
		if err := putKey(tx, other); err != nil {
			return err
		}
	}
	return nil
}
