package ec2

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// The archive tier: ModifySnapshotTier archives a completed snapshot (archival in
// progress, then completed); RestoreSnapshotTier brings it back for some days or for
// good. Every step is a transition on the job engine's clock; a temporary restore ends
// with a job at its expiry. An archived snapshot makes no volumes until restored.

const day = 24 * time.Hour

func (s *Service) ModifySnapshotTier(ctx context.Context, in *ec2api.ModifySnapshotTierRequest) (*ec2api.ModifySnapshotTierResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ec2api.ModifySnapshotTierResult, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		switch {
		case snap.State != ec2api.SnapshotStateCompleted:
			return nil, msgSnapshotState.New(snap.State)
		case snap.tier() == ec2api.StorageTierArchive || snap.Tiering != nil && inProgress(snap.Tiering.Status):
			return nil, msgTierState.New(snap.ID, snap.tieringStatus(), "archived")
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := s.startTiering(tx, c.In(tx), snap, ec2api.TieringOperationStatusArchivalInProgress, s.After()); err != nil {
			return nil, err
		}
		return &ec2api.ModifySnapshotTierResult{SnapshotId: new(snap.ID), TieringStartTime: new(c.Now())}, nil
	})
}

func inProgress(status string) bool {
	switch status {
	case ec2api.TieringOperationStatusArchivalInProgress, ec2api.TieringOperationStatusTemporaryRestoreInProgress,
		ec2api.TieringOperationStatusPermanentRestoreInProgress:
		return true
	}
	return false
}

func (r *snapshotRecord) tieringStatus() string {
	if r.Tiering == nil {
		return r.tier()
	}
	return r.Tiering.Status
}

// startTiering puts a snapshot in a tiering step due at due.
func (s *Service) startTiering(tx kit.Tx, v kit.View, snap *snapshotRecord, status string, due time.Time) error {
	t := &tierState{Status: status, Started: s.Clock.Now(), Due: due}
	if snap.Tiering != nil {
		t.RestoreExpiry, t.Permanent = snap.Tiering.RestoreExpiry, snap.Tiering.Permanent
	}
	job, err := jobTier.Enqueue(tx, due, snapshotRef{Account: v.Account(), Region: v.Region(), SnapshotID: snap.ID})
	if err != nil {
		return err
	}
	t.Job, snap.Tiering = job, t
	return snapshots.Put(v, snap, snap.ID)
}

func (s *Service) RestoreSnapshotTier(ctx context.Context, in *ec2api.RestoreSnapshotTierRequest) (*ec2api.RestoreSnapshotTierResult, error) {
	c := s.Call(ctx)
	permanent := deref(in.PermanentRestore)
	if permanent == (in.TemporaryRestoreDays != nil) {
		return nil, msgRestoreDays.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ec2api.RestoreSnapshotTierResult, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		if snap.tier() != ec2api.StorageTierArchive || snap.Tiering == nil || inProgress(snap.Tiering.Status) {
			return nil, msgTierState.New(snap.ID, snap.tieringStatus(), "restored")
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		status := ec2api.TieringOperationStatusTemporaryRestoreInProgress
		if permanent {
			status = ec2api.TieringOperationStatusPermanentRestoreInProgress
		}
		snap.Tiering.Permanent = permanent
		snap.Tiering.RestoreExpiry = nil
		if err := s.startTiering(tx, c.In(tx), snap, status, s.After()); err != nil {
			return nil, err
		}
		out := &ec2api.RestoreSnapshotTierResult{SnapshotId: new(snap.ID), RestoreStartTime: new(c.Now()), IsPermanentRestore: new(permanent)}
		if !permanent {
			out.RestoreDuration = in.TemporaryRestoreDays
			snap.Tiering.RestoreExpiry = new(c.Now().Add(time.Duration(*in.TemporaryRestoreDays) * day))
		}
		return out, snapshots.Put(c.In(tx), snap, snap.ID)
	})
}

// runTier ends a tiering step: an archival archives, a permanent restore brings the
// snapshot back to the standard tier, a temporary one makes it usable until its expiry,
// when a last step archives it again.
func (s *Service) runTier(tx kit.Tx, p snapshotRef) error {
	v := tx.In(p.Account, p.Region)
	snap, err := snapshots.Get(v, p.SnapshotID)
	if err != nil || snap == nil || snap.Tiering == nil {
		return err
	}
	t := snap.Tiering
	t.Job = ""
	switch t.Status {
	case ec2api.TieringOperationStatusArchivalInProgress:
		t.Status, snap.StorageTier = ec2api.TieringOperationStatusArchivalCompleted, ec2api.StorageTierArchive
	case ec2api.TieringOperationStatusPermanentRestoreInProgress:
		t.Status, snap.StorageTier = ec2api.TieringOperationStatusPermanentRestoreCompleted, ec2api.StorageTierStandard
	case ec2api.TieringOperationStatusTemporaryRestoreInProgress:
		t.Status = ec2api.TieringOperationStatusTemporaryRestoreCompleted
		if t.Job, err = jobTier.Enqueue(tx, *t.RestoreExpiry, p); err != nil {
			return err
		}
	case ec2api.TieringOperationStatusTemporaryRestoreCompleted:
		t.Status, t.RestoreExpiry = ec2api.TieringOperationStatusArchivalCompleted, nil
	}
	return snapshots.Put(v, snap, snap.ID)
}

var tierFilters = fields{"snapshot-id": nil, "volume-id": nil, "last-tiering-operation": nil}

func (s *Service) DescribeSnapshotTierStatus(ctx context.Context, in *ec2api.DescribeSnapshotTierStatusRequest) (*ec2api.DescribeSnapshotTierStatusResult, error) {
	c := s.Call(ctx)
	if err := checkFilters(in.Filters, tierFilters); err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ec2api.DescribeSnapshotTierStatusResult, error) {
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		v := c.In(tx)
		all, err := snapshots.List(v)
		if err != nil {
			return nil, err
		}
		var kept []*snapshotRecord
		for _, r := range all {
			f := fields{"snapshot-id": {r.ID}, "volume-id": {r.VolumeID}, "last-tiering-operation": {r.tieringStatus()}}
			if r.Tiering != nil && matches(in.Filters, f, tagsOf(v, r.ID)) {
				kept = append(kept, r)
			}
		}
		p, err := paginate(s, v, describeQuery{op: "DescribeSnapshotTierStatus", maxResults: in.MaxResults, nextToken: in.NextToken},
			kept, func(r *snapshotRecord) string { return r.ID })
		if err != nil {
			return nil, err
		}
		out := &ec2api.DescribeSnapshotTierStatusResult{SnapshotTierStatuses: []ec2api.SnapshotTierStatus{}, NextToken: p.next}
		for _, r := range p.items {
			out.SnapshotTierStatuses = append(out.SnapshotTierStatuses, tierOut(v, r))
		}
		return out, nil
	})
}

func tierOut(v kit.View, r *snapshotRecord) ec2api.SnapshotTierStatus {
	t := r.Tiering
	progress := int64(100)
	if inProgress(t.Status) {
		progress = 0
	}
	out := ec2api.SnapshotTierStatus{
		SnapshotId: new(r.ID), VolumeId: new(r.VolumeID), Status: new(r.State), OwnerId: new(r.Owner), Tags: tagsOfResource(v, r.ID),
		StorageTier: new(r.tier()), LastTieringStartTime: new(t.Started), LastTieringProgress: new(progress),
		LastTieringOperationStatus: new(t.Status), RestoreExpiryTime: t.RestoreExpiry,
	}
	if r.tier() == ec2api.StorageTierArchive && !inProgress(t.Status) {
		out.ArchivalCompleteTime = new(t.Due)
	}
	return out
}
