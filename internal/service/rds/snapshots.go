package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// snapshotOf is a snapshot of inst taken at now.
func snapshotOf(inst *instanceRec, id, typ string, now time.Time) *snapshotRec {
	return &snapshotRec{
		ID: id, InstanceID: inst.ID, ResourceID: inst.ResourceID, Type: typ, Status: snapshotCreating,
		Created: now, Original: now, image: imageOf(inst),
	}
}

// insertSnapshot stores a new snapshot, counts it if it is manual, and arms its
// transition to available.
func (s *Service) insertSnapshot(tx store.Tx, sc store.Scope, snap *snapshotRec) error {
	if err := putSnapshot(tx, sc, snap); err != nil {
		return err
	}
	if snap.Type == snapshotManual {
		if err := addCount(tx, sc, countManual, 1); err != nil {
			return err
		}
	}
	return s.enqueue(tx, jobSnapshotStep, payload{Account: sc.Account, Region: sc.Region, ID: snap.ID}, s.jobs.After())
}

// checkNewManualSnapshot checks that a manual snapshot named id may be created.
func checkNewManualSnapshot(tx store.Tx, sc store.Scope, id string) error {
	existing, err := getSnapshot(tx, sc, id)
	if err != nil {
		return err
	}
	if existing != nil {
		return snapshotExists(id)
	}
	n, err := getCount(tx, sc, countManual)
	if err != nil {
		return err
	}
	if n >= quotaManual {
		return rdsapi.ErrSnapshotQuotaExceededFault.New("The request cannot be processed because it would exceed the maximum number of snapshots.")
	}
	return nil
}

func snapshotIdentifier(param, id string) (string, error) {
	if !validIdentifier(id, maxSnapshotID) {
		return "", invalidIdentifier(param)
	}
	return strings.ToLower(id), nil
}

func (s *Service) createDBSnapshot(ctx context.Context, in *rdsapi.CreateDBSnapshotMessage) (*rdsapi.CreateDBSnapshotResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id, err := snapshotIdentifier("DBSnapshotIdentifier", deref(in.DBSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	instID := strings.ToLower(deref(in.DBInstanceIdentifier))
	var snap *snapshotRec
	err = s.st.Update(func(tx store.Tx) error {
		inst, err := getInstance(tx, sc, instID)
		if err != nil {
			return err
		}
		if inst == nil {
			return instanceNotFound(deref(in.DBInstanceIdentifier))
		}
		if inst.Status != statusAvailable && inst.Status != statusStopped {
			return instanceState("Cannot create a snapshot because the database instance %s is not currently in the available state.", inst.ID)
		}
		if err := checkNewManualSnapshot(tx, sc, id); err != nil {
			return err
		}
		snap = snapshotOf(inst, id, snapshotManual, s.clock.Now())
		snap.Tags = tags
		if len(tags) == 0 && inst.CopyTags {
			snap.Tags = append([]tagRec(nil), inst.Tags...)
		}
		return s.insertSnapshot(tx, sc, snap)
	})
	if err != nil {
		return nil, err
	}
	out := snapshotOut(sc, snap)
	return &rdsapi.CreateDBSnapshotResult{DBSnapshot: &out}, nil
}

// runSnapshotStep makes a snapshot available. A copy from another Region waits while
// either Region is unreachable; a copy whose source is gone is terminated.
func (s *Service) runSnapshotStep(_ context.Context, tx store.Tx, p payload) error {
	sc := scopeOf(p.Account, p.Region)
	snap, err := getSnapshot(tx, sc, p.ID)
	if err != nil || snap == nil || snap.Status != snapshotCreating {
		return err
	}
	if snap.SourceRegion != "" && (s.unreachable(snap.SourceRegion) || s.unreachable(sc.Region)) {
		return s.enqueue(tx, jobSnapshotStep, p, s.clock.Now().Add(replicaRetry))
	}
	if snap.SourceKey != "" && tx.Get(snap.SourceKey) == nil {
		// The source was deleted while it was being copied: RDS terminates the copy.
		return deleteSnapshot(tx, sc, snap)
	}
	if wait, err := s.engineSnapshotStep(tx, sc, snap, p); wait || err != nil {
		return err
	}
	snap.Status, snap.Progress = snapshotAvailable, 100
	return putSnapshot(tx, sc, snap)
}

// findSnapshot finds a snapshot named by identifier or ARN. An ARN may name a snapshot
// of another account that shares it with the caller (the restore attribute), or, if
// allowRegion is set, one in another Region.
func findSnapshot(tx store.Tx, account, region, ident string, allowRegion bool) (*snapshotRec, store.Scope, error) {
	sc := scopeOf(account, region)
	if !arn.IsARN(ident) {
		snap, err := getSnapshot(tx, sc, strings.ToLower(ident))
		return snap, sc, err
	}
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "snapshot:") {
		return nil, sc, invalidValue("The parameter DBSnapshotIdentifier is not a valid identifier: %s", ident)
	}
	if a.Region != region && !allowRegion {
		return nil, sc, nil
	}
	src := scopeOf(a.Account, a.Region)
	snap, err := getSnapshot(tx, src, strings.ToLower(strings.TrimPrefix(a.Resource, "snapshot:")))
	if err != nil || snap == nil {
		return nil, src, err
	}
	if a.Account != account && !slices.Contains(snap.Shared, account) && !slices.Contains(snap.Shared, "all") {
		return nil, src, nil
	}
	return snap, src, nil
}

func (s *Service) deleteDBSnapshot(ctx context.Context, in *rdsapi.DeleteDBSnapshotMessage) (*rdsapi.DeleteDBSnapshotResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id := strings.ToLower(deref(in.DBSnapshotIdentifier))
	var out rdsapi.DBSnapshot
	err := s.st.Update(func(tx store.Tx) error {
		snap, err := getSnapshot(tx, sc, id)
		if err != nil {
			return err
		}
		if snap == nil {
			return snapshotNotFound(deref(in.DBSnapshotIdentifier))
		}
		if snap.Type != snapshotManual {
			return snapshotState("Only manual snapshots may be deleted: %s is an automated snapshot.", snap.ID)
		}
		// RDS deletes only available snapshots (API reference of DeleteDBSnapshot); a copy
		// of this one still in progress is terminated (runSnapshotStep).
		if snap.Status != snapshotAvailable {
			return snapshotState("Cannot delete the snapshot %s because it is not in available state: it is %s.", snap.ID, snap.Status)
		}
		snap.Status = "deleted"
		out = snapshotOut(sc, snap)
		s.engineDropSnapshot(tx, sc, snap)
		return deleteSnapshot(tx, sc, snap)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBSnapshotResult{DBSnapshot: &out}, nil
}

func attributesOut(snap *snapshotRec) *rdsapi.DBSnapshotAttributesResult {
	values := append([]string{}, snap.Shared...)
	return &rdsapi.DBSnapshotAttributesResult{
		DBSnapshotIdentifier: str(snap.ID),
		DBSnapshotAttributes: []rdsapi.DBSnapshotAttribute{{AttributeName: str(restoreAttribute), AttributeValues: values}},
	}
}

func (s *Service) describeDBSnapshotAttributes(ctx context.Context, in *rdsapi.DescribeDBSnapshotAttributesMessage) (*rdsapi.DescribeDBSnapshotAttributesResult, error) {
	req := request.From(ctx)
	var out *rdsapi.DBSnapshotAttributesResult
	err := s.st.View(func(tx store.Tx) error {
		snap, _, err := findSnapshot(tx, req.Account, req.Region, deref(in.DBSnapshotIdentifier), false)
		if err != nil {
			return err
		}
		if snap == nil {
			return snapshotNotFound(deref(in.DBSnapshotIdentifier))
		}
		out = attributesOut(snap)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DescribeDBSnapshotAttributesResult{DBSnapshotAttributesResult: out}, nil
}

func (s *Service) modifyDBSnapshotAttribute(ctx context.Context, in *rdsapi.ModifyDBSnapshotAttributeMessage) (*rdsapi.ModifyDBSnapshotAttributeResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if name := deref(in.AttributeName); name != restoreAttribute {
		return nil, invalidValue("Invalid snapshot attribute name: %s. The only attribute that can be modified is restore.", name)
	}
	for _, v := range slices.Concat(in.ValuesToAdd, in.ValuesToRemove) {
		if v != "all" && !auth.IsAccountID(v) {
			return nil, invalidValue("Invalid account identifier: %s. Values must be AWS account IDs or all.", v)
		}
	}
	id := strings.ToLower(deref(in.DBSnapshotIdentifier))
	var out *rdsapi.DBSnapshotAttributesResult
	err := s.st.Update(func(tx store.Tx) error {
		snap, err := getSnapshot(tx, sc, id)
		if err != nil {
			return err
		}
		if snap == nil {
			return snapshotNotFound(deref(in.DBSnapshotIdentifier))
		}
		if snap.Type != snapshotManual {
			return snapshotState("Only manual snapshots may be shared: %s is an automated snapshot.", snap.ID)
		}
		if snap.Status != snapshotAvailable {
			return snapshotState("Snapshot %s is not in available state.", snap.ID)
		}
		shared := slices.DeleteFunc(append([]string{}, snap.Shared...), func(v string) bool { return slices.Contains(in.ValuesToRemove, v) })
		for _, v := range in.ValuesToAdd {
			if !slices.Contains(shared, v) {
				shared = append(shared, v)
			}
		}
		if snap.Encrypted && slices.Contains(shared, "all") {
			return invalidValue("Encrypted snapshots can't be shared publicly: %s is encrypted.", snap.ID)
		}
		if len(shared) > maxSharedAccounts {
			return rdsapi.ErrSharedSnapshotQuotaExceededFault.New("A snapshot can be shared with at most %d AWS accounts.", maxSharedAccounts)
		}
		snap.Shared = shared
		out = attributesOut(snap)
		return putSnapshot(tx, sc, snap)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.ModifyDBSnapshotAttributeResult{DBSnapshotAttributesResult: out}, nil
}
