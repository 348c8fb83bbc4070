package kms

import (
	"context"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

const (
	defaultRotationDays = 365
	// maxOnDemandRotations is AWS's limit of on-demand rotations per key.
	maxOnDemandRotations = 10
)

// rotatable refuses the keys AWS cannot rotate: asymmetric and HMAC keys, keys without
// KMS-made material, and multi-Region replicas, whose rotation follows their primary.
func rotatable(op string) func(*keyRecord) error {
	return func(k *keyRecord) error {
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return unsupported("%s key spec is %s which is not valid for %s.", k.ARN(), k.Spec, op)
		}
		if !k.isPrimary() {
			return unsupported("%s is a multi-Region replica key. %s is valid only on its primary key %s.", k.ARN(), op, keyARN(k.Account, k.PrimaryRegion, k.ID))
		}
		return requireSteadyEnabled(k)
	}
}

// armRotation turns automatic rotation on: the next rotation is period days after from.
func (s *Service) armRotation(tx store.Tx, k *keyRecord, period int, from time.Time) error {
	if err := s.cancelJob(tx, k.RotationJob); err != nil {
		return err
	}
	next := from.AddDate(0, 0, period)
	id, err := s.enqueue(tx, jobRotate, k.Account, k.Region, k.ID, next)
	if err != nil {
		return err
	}
	k.RotationEnabled, k.RotationPeriod, k.NextRotation, k.RotationJob = true, period, &next, id
	return nil
}

// syncRotation copies a primary key's rotation settings to its replicas, whose
// GetKeyRotationStatus reports the primary's.
func (s *Service) syncRotation(tx store.Tx, primary *keyRecord) error {
	if !primary.MultiRegion {
		return nil
	}
	return s.eachReplica(tx, primary, func(r *keyRecord) error {
		r.RotationEnabled, r.RotationPeriod, r.NextRotation = primary.RotationEnabled, primary.RotationPeriod, primary.NextRotation
		return nil
	})
}

// eachReplica changes and stores every other copy of a multi-Region key: the replicas
// of a primary key. For a key that is a replica by now (an on-demand rotation started
// before UpdatePrimaryRegion), that includes the new primary.
func (s *Service) eachReplica(tx store.Tx, primary *keyRecord, fn func(r *keyRecord) error) error {
	for _, region := range primary.regionsOfSet() {
		if region == primary.Region {
			continue
		}
		r, err := loadKey(tx, scopeOf(primary.Account, region), primary.ID)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
		if err := putKey(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// rotate gives a key new material, which encrypts from now on; the old versions still
// decrypt. A multi-Region primary shares the new version with its replicas.
func (s *Service) rotate(tx store.Tx, k *keyRecord, typ string, at time.Time) error {
	raw, err := generateMaterial(k.Spec)
	if err != nil {
		return err
	}
	v := keyVersion{N: len(k.Versions) + 1, Created: at, Rotation: typ}
	k.Versions = append(k.Versions, v)
	if err := s.putMaterial(tx, k, v.N, raw); err != nil {
		return err
	}
	if !k.MultiRegion {
		return nil
	}
	return s.eachReplica(tx, k, func(r *keyRecord) error {
		r.Versions = append(r.Versions, v)
		return s.putMaterial(tx, r, v.N, raw)
	})
}

func (s *Service) enableKeyRotation(ctx context.Context, in *kmsapi.EnableKeyRotationRequest) (*awsmodel.Empty, error) {
	period := defaultRotationDays
	if in.RotationPeriodInDays != nil {
		period = int(*in.RotationPeriodInDays)
	}
	_, err := s.change(ctx, *in.KeyId, "EnableKeyRotation", rotatable("EnableKeyRotation"), func(tx store.Tx, k *keyRecord) error {
		if err := s.armRotation(tx, k, period, s.clock.Now()); err != nil {
			return err
		}
		return s.syncRotation(tx, k)
	})
	return nil, err
}

func (s *Service) disableKeyRotation(ctx context.Context, in *kmsapi.DisableKeyRotationRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "DisableKeyRotation", rotatable("DisableKeyRotation"), func(tx store.Tx, k *keyRecord) error {
		if err := s.cancelJob(tx, k.RotationJob); err != nil {
			return err
		}
		k.RotationEnabled, k.NextRotation, k.RotationJob = false, nil, ""
		return s.syncRotation(tx, k)
	})
	return nil, err
}

func (s *Service) getKeyRotationStatus(ctx context.Context, in *kmsapi.GetKeyRotationStatusRequest) (*kmsapi.GetKeyRotationStatusResponse, error) {
	info := request.From(ctx)
	var out *kmsapi.GetKeyRotationStatusResponse
	err := s.read(*in.KeyId, func(tx store.Tx) error {
		k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return unsupported("%s key spec is %s which is not valid for GetKeyRotationStatus.", k.ARN(), k.Spec)
		}
		// AWS reports rotation off while a key is pending deletion; the setting itself is
		// kept, and comes back if the deletion is cancelled.
		enabled := k.RotationEnabled && k.State != kmsapi.KeyStatePendingDeletion && k.State != kmsapi.KeyStatePendingReplicaDeletion
		out = &kmsapi.GetKeyRotationStatusResponse{KeyId: str(k.ID), KeyRotationEnabled: boolp(enabled)}
		if enabled {
			out.RotationPeriodInDays = i64(k.RotationPeriod)
			if k.NextRotation != nil {
				out.NextRotationDate = timep(*k.NextRotation)
			}
		}
		if k.OnDemandStart != nil {
			out.OnDemandRotationStartDate = timep(*k.OnDemandStart)
		}
		return nil
	})
	return out, err
}

func (s *Service) listKeyRotations(ctx context.Context, in *kmsapi.ListKeyRotationsRequest) (*kmsapi.ListKeyRotationsResponse, error) {
	info := request.From(ctx)
	limit := limitOf(in.Limit, 100)
	var out *kmsapi.ListKeyRotationsResponse
	err := s.read(*in.KeyId, func(tx store.Tx) error {
		k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return unsupported("%s key spec is %s which is not valid for ListKeyRotations.", k.ARN(), k.Spec)
		}
		var rotations []keyVersion
		for _, v := range k.Versions {
			if v.Rotation != "" {
				rotations = append(rotations, v)
			}
		}
		l := listOf{op: "ListKeyRotations", account: info.Account, region: info.Region, within: k.ID}
		versions, next, err := page(s, l, rotations, in.Marker, limit, func(v keyVersion) string { return versionMarker(v.N) })
		if err != nil {
			return err
		}
		out = &kmsapi.ListKeyRotationsResponse{Rotations: []kmsapi.RotationsListEntry{}, NextMarker: next, Truncated: boolp(next != nil)}
		for _, v := range versions {
			out.Rotations = append(out.Rotations, kmsapi.RotationsListEntry{KeyId: str(k.ID), RotationDate: timep(v.Created), RotationType: str(v.Rotation)})
		}
		return nil
	})
	return out, err
}

// versionMarker spells a version number so that its position in a marker sorts as the
// versions do.
func versionMarker(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

func (s *Service) rotateKeyOnDemand(ctx context.Context, in *kmsapi.RotateKeyOnDemandRequest) (*kmsapi.RotateKeyOnDemandResponse, error) {
	k, err := s.change(ctx, *in.KeyId, "RotateKeyOnDemand", rotatable("RotateKeyOnDemand"), func(tx store.Tx, k *keyRecord) error {
		if k.OnDemandStart != nil {
			return kmsapi.ErrConflict.New("%s already has an on-demand rotation in progress.", k.ARN())
		}
		if k.OnDemandRotation >= maxOnDemandRotations {
			return kmsapi.ErrLimitExceeded.New("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.ARN())
		}
		if _, err := s.enqueue(tx, jobRotateOnDemand, k.Account, k.Region, k.ID, s.jobs.After()); err != nil {
			return err
		}
		k.OnDemandStart = timep(s.clock.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.RotateKeyOnDemandResponse{KeyId: str(k.ID)}, nil
}

// runRotate is the yearly (or RotationPeriodInDays) rotation. A key that is not enabled
// then is not rotated, but its schedule goes on.
func (s *Service) runRotate(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	k, err := loadKey(tx, scopeOf(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || !k.RotationEnabled || k.RotationJob != job.ID {
		return err
	}
	now := s.clock.Now()
	if k.State == kmsapi.KeyStateEnabled {
		if err := s.rotate(tx, k, kmsapi.RotationTypeAutomatic, now); err != nil {
			return err
		}
	}
	k.RotationJob = "" // this job is finishing; nothing to cancel
	if err := s.armRotation(tx, k, k.RotationPeriod, now); err != nil {
		return err
	}
	if err := s.syncRotation(tx, k); err != nil {
		return err
	}
	return putKey(tx, k)
}

func (s *Service) runRotateOnDemand(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	k, err := loadKey(tx, scopeOf(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || k.OnDemandStart == nil {
		return err
	}
	if err := s.rotate(tx, k, kmsapi.RotationTypeOnDemand, s.clock.Now()); err != nil {
		return err
	}
	k.OnDemandStart = nil
	k.OnDemandRotation++
	return putKey(tx, k)
}
