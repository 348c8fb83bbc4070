package kms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
)

const (
	defaultPendingWindow = 30
	minPendingWindow     = 7
	maxPendingWindow     = 30
)

func (s *Service) scheduleKeyDeletion(ctx context.Context, in *kmsapi.ScheduleKeyDeletionRequest) (*kmsapi.ScheduleKeyDeletionResponse, error) {
	window := defaultPendingWindow
	if in.PendingWindowInDays != nil {
		window = int(*in.PendingWindowInDays)
	}
	if window < minPendingWindow || window > maxPendingWindow {
		return nil, validation("PendingWindowInDays should be between %d and %d, but it is %d", minPendingWindow, maxPendingWindow, window)
	}
	k, err := s.change(ctx, *in.KeyId, "ScheduleKeyDeletion", requireLive, func(tx store.Tx, k *keyRecord) error {
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
	out := &kmsapi.ScheduleKeyDeletionResponse{KeyId: str(k.ARN()), KeyState: str(k.State), PendingWindowInDays: i64(window)}
	if k.DeletionDate != nil {
		out.DeletionDate = timep(*k.DeletionDate)
	}
	return out, nil
}

// startDeletionWindow puts k in PendingDeletion and enqueues the job that deletes it when
// its waiting period ends.
func (s *Service) startDeletionWindow(tx store.Tx, k *keyRecord) error {
	at := s.clock.Now().AddDate(0, 0, k.PendingWindowDays)
	id, err := s.enqueue(tx, jobDeleteKey, k.Account, k.Region, k.ID, at)
	if err != nil {
		return err
	}
	k.State, k.DeletionDate, k.DeletionJob = kmsapi.KeyStatePendingDeletion, &at, id
	return nil
}

func (s *Service) cancelKeyDeletion(ctx context.Context, in *kmsapi.CancelKeyDeletionRequest) (*kmsapi.CancelKeyDeletionResponse, error) {
	pending := func(k *keyRecord) error {
		if k.State == kmsapi.KeyStatePendingDeletion || k.State == kmsapi.KeyStatePendingReplicaDeletion {
			return nil
		}
		return wrap(stateSentinel(k.State), kmsapi.ErrKMSInvalidState.New("%s is not pending deletion.", k.ARN()))
	}
	k, err := s.change(ctx, *in.KeyId, "CancelKeyDeletion", pending, func(tx store.Tx, k *keyRecord) error {
		if err := s.cancelJob(tx, k.DeletionJob); err != nil {
			return err
		}
		// AWS leaves a key whose deletion was cancelled disabled.
		k.State, k.DeletionDate, k.DeletionJob, k.PendingWindowDays = kmsapi.KeyStateDisabled, nil, "", 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.CancelKeyDeletionResponse{KeyId: str(k.ARN())}, nil
}

// cancelJob cancels a pending job; one that has already run or gone is no error.
func (s *Service) cancelJob(tx store.Tx, id string) error {
	if id == "" {
		return nil
	}
	if err := s.jobs.Cancel(tx, id); err != nil && !errors.Is(err, jobs.ErrNotFound) {
		return err
	}
	return nil
}

// runDeleteKey ends a key's waiting period: the key, its material and its aliases go.
func (s *Service) runDeleteKey(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	k, err := loadKey(tx, scopeOf(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil {
		return err
	}
	if k.State != kmsapi.KeyStatePendingDeletion || k.DeletionJob != job.ID {
		return nil // cancelled, or rescheduled by a later ScheduleKeyDeletion
	}
	return s.deleteKeyNow(tx, k)
}

func (s *Service) deleteKeyNow(tx store.Tx, k *keyRecord) error {
	scope := k.scope()
	if err := s.cancelJob(tx, k.RotationJob); err != nil {
		return err
	}
	// The key's aliases go with it, as in AWS.
	prefix := scope.Prefix(kindKeyAlias, k.ID)
	var names []string
	if err := tx.Scan(prefix, "", func(key string, _ []byte) bool {
		names = append(names, strings.TrimPrefix(key, prefix))
		return true
	}); err != nil {
		return err
	}
	for _, n := range names {
		if err := deleteAlias(tx, scope, aliasRecord{Name: n, TargetKeyID: k.ID}); err != nil {
			return err
		}
	}
	if err := tx.DeletePrefix(scope.Prefix(kindMaterial, k.ID)); err != nil {
		return err
	}
	if err := tx.Delete(keyRecordKey(scope, k.ID)); err != nil {
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
func (s *Service) leaveSet(tx store.Tx, gone *keyRecord) error {
	for _, r := range gone.regionsOfSet() {
		if r == gone.Region {
			continue
		}
		other, err := loadKey(tx, scopeOf(gone.Account, r), gone.ID)
		if err != nil {
			return err
		}
		if other == nil {
			continue
		}
		other.Replicas = slices.DeleteFunc(other.Replicas, func(x string) bool { return x == gone.Region })
		if other.isPrimary() && other.State == kmsapi.KeyStatePendingReplicaDeletion && len(other.Replicas) == 0 {
			if err := s.startDeletionWindow(tx, other); err != nil {
				return err
			}
		}
		if err := putKey(tx, other); err != nil {
			return err
		}
	}
	return nil
}

func timep(t time.Time) *time.Time { return &t }
