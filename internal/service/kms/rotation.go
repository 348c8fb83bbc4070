package kms

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
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
			return msgSpecNotValidFor.New(k.ARN(), k.Spec, op)
		}
		// xregion keeps one imported material per key (see imports.go): keys with
		// imported material do not rotate.
		if err := requireKMSOrigin(k, op); err != nil {
			return err
		}
		if !k.isPrimary() {
			return msgRotateReplica.New(k.ARN(), op, keyARN(k.Account, k.PrimaryRegion, k.ID))
		}
		return requireSteadyEnabled(k)
	}
}

func requireKMSOrigin(k *keyRecord, op string) error {
	if k.Origin != kmsapi.OriginTypeAwsKms {
		return msgNotExternal.New(k.ARN(), k.Origin, op)
	}
	return nil
}

// armRotation turns automatic rotation on: the next rotation is period days after from.
func (s *Service) armRotation(tx kit.Tx, k *keyRecord, period int, from time.Time) error {
	if err := tx.CancelJobs(k.RotationJob); err != nil {
		return err
	}
	next := from.AddDate(0, 0, period)
	id, err := jobRotate.Enqueue(tx, next, refOf(k))
	if err != nil {
		return err
	}
	k.RotationEnabled, k.RotationPeriod, k.NextRotation, k.RotationJob = true, period, &next, id
	return nil
}

// syncRotation copies a primary key's rotation settings to its replicas, whose
// GetKeyRotationStatus reports the primary's.
func (s *Service) syncRotation(tx kit.Tx, primary *keyRecord) error {
	if !primary.MultiRegion {
		return nil
	}
	return s.eachCopy(tx, primary, func(r *keyRecord) error {
		r.RotationEnabled, r.RotationPeriod, r.NextRotation = primary.RotationEnabled, primary.RotationPeriod, primary.NextRotation
		return nil
	})
}

// rotate gives a key new material, which encrypts from now on; the old versions still
// decrypt. A multi-Region key shares the new version with every other copy (for a key
// that is a replica by now, an on-demand rotation started before UpdatePrimaryRegion,
// that includes the new primary).
func (s *Service) rotate(tx kit.Tx, k *keyRecord, typ string, at time.Time) error {
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
	return s.eachCopy(tx, k, func(r *keyRecord) error {
		r.Versions = append(r.Versions, v)
		return s.putMaterial(tx, r, v.N, raw)
	})
}

func (s *Service) EnableKeyRotation(ctx context.Context, in *kmsapi.EnableKeyRotationRequest) (*awsmodel.Empty, error) {
	period := defaultRotationDays
	if in.RotationPeriodInDays != nil {
		period = int(*in.RotationPeriodInDays)
	}
	_, err := s.change(ctx, *in.KeyId, "EnableKeyRotation", rotatable("EnableKeyRotation"), func(tx kit.Tx, k *keyRecord) error {
		if err := s.armRotation(tx, k, period, s.Clock.Now()); err != nil {
			return err
		}
		return s.syncRotation(tx, k)
	})
	return nil, err
}

func (s *Service) DisableKeyRotation(ctx context.Context, in *kmsapi.DisableKeyRotationRequest) (*awsmodel.Empty, error) {
	_, err := s.change(ctx, *in.KeyId, "DisableKeyRotation", rotatable("DisableKeyRotation"), func(tx kit.Tx, k *keyRecord) error {
		if err := tx.CancelJobs(k.RotationJob); err != nil {
			return err
		}
		k.RotationEnabled, k.NextRotation, k.RotationJob = false, nil, ""
		return s.syncRotation(tx, k)
	})
	return nil, err
}

func (s *Service) GetKeyRotationStatus(ctx context.Context, in *kmsapi.GetKeyRotationStatusRequest) (*kmsapi.GetKeyRotationStatusResponse, error) {
	return readKey(s, s.Call(ctx), *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.GetKeyRotationStatusResponse, error) {
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return nil, msgSpecNotValidFor.New(k.ARN(), k.Spec, "GetKeyRotationStatus")
		}
		// AWS reports rotation off while a key is pending deletion; the setting itself is
		// kept, and comes back if the deletion is cancelled.
		enabled := k.RotationEnabled && k.State != kmsapi.KeyStatePendingDeletion && k.State != kmsapi.KeyStatePendingReplicaDeletion
		out := &kmsapi.GetKeyRotationStatusResponse{KeyId: new(k.ID), KeyRotationEnabled: new(enabled)}
		if enabled {
			out.RotationPeriodInDays = new(int64(k.RotationPeriod))
			if k.NextRotation != nil {
				out.NextRotationDate = new(*k.NextRotation)
			}
		}
		if k.OnDemandStart != nil {
			out.OnDemandRotationStartDate = new(*k.OnDemandStart)
		}
		return out, nil
	})
}

func (s *Service) ListKeyRotations(ctx context.Context, in *kmsapi.ListKeyRotationsRequest) (*kmsapi.ListKeyRotationsResponse, error) {
	c := s.Call(ctx)
	limit := limitOf(in.Limit, 100)
	return readKey(s, c, *in.KeyId, func(_ kit.Tx, k *keyRecord) (*kmsapi.ListKeyRotationsResponse, error) {
		if k.Spec != kmsapi.KeySpecSymmetricDefault {
			return nil, msgSpecNotValidFor.New(k.ARN(), k.Spec, "ListKeyRotations")
		}
		var rotations []keyVersion
		for _, v := range k.Versions {
			if v.Rotation != "" {
				rotations = append(rotations, v)
			}
		}
		l := kit.List{Op: "ListKeyRotations", Account: c.Account, Region: c.Region, Within: k.ID}
		versions, next, err := kit.Page(s.pages, l, rotations, in.Marker, limit, func(v keyVersion) string { return versionPos(v.N) })
		if err != nil {
			return nil, err
		}
		out := &kmsapi.ListKeyRotationsResponse{Rotations: []kmsapi.RotationsListEntry{}, NextMarker: next, Truncated: new(next != nil)}
		for _, v := range versions {
			out.Rotations = append(out.Rotations, kmsapi.RotationsListEntry{KeyId: new(k.ID), RotationDate: new(v.Created), RotationType: new(v.Rotation)})
		}
		return out, nil
	})
}

func (s *Service) RotateKeyOnDemand(ctx context.Context, in *kmsapi.RotateKeyOnDemandRequest) (*kmsapi.RotateKeyOnDemandResponse, error) {
	k, err := s.change(ctx, *in.KeyId, "RotateKeyOnDemand", rotatable("RotateKeyOnDemand"), func(tx kit.Tx, k *keyRecord) error {
		if k.OnDemandStart != nil {
			return msgRotationBusy.New(k.ARN())
		}
		if k.OnDemandRotation >= maxOnDemandRotations {
			return msgRotationLimit.New(k.ARN())
		}
		if _, err := jobRotateOnDemand.Enqueue(tx, s.After(), refOf(k)); err != nil {
			return err
		}
		k.OnDemandStart = new(s.Clock.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kmsapi.RotateKeyOnDemandResponse{KeyId: new(k.ID)}, nil
}

// runRotate is the yearly (or RotationPeriodInDays) rotation. A key that is not enabled
// then is not rotated, but its schedule goes on.
func (s *Service) runRotate(_ context.Context, tx kit.Tx, job *jobs.Job, p keyRef) error {
	k, err := keys.Get(tx.In(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || !k.RotationEnabled || k.RotationJob != job.ID {
		return err
	}
	now := s.Clock.Now()
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

func (s *Service) runRotateOnDemand(_ context.Context, tx kit.Tx, _ *jobs.Job, p keyRef) error {
	k, err := keys.Get(tx.In(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || k.OnDemandStart == nil {
		return err
	}
	if err := s.rotate(tx, k, kmsapi.RotationTypeOnDemand, s.Clock.Now()); err != nil {
		return err
	}
	k.OnDemandStart = nil
	k.OnDemandRotation++
	return putKey(tx, k)
}
