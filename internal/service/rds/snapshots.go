package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
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
func (s *Service) insertSnapshot(tx kit.Tx, v kit.View, snap *snapshotRec) error {
	if err := putSnapshot(v, snap); err != nil {
		return err
	}
	if snap.Type == snapshotManual {
		if err := addCount(v, countManual, 1); err != nil {
			return err
		}
	}
	if err := recordSnapshotEvent(v, s.Clock.Now(), snap, copiedFrom(snap), false); err != nil {
		return err
	}
	_, err := jobSnapshotStep.Enqueue(tx, s.After(), refIn(v, snap.ID))
	return err
}

// checkNewManualSnapshot checks that a manual snapshot named id may be created.
func checkNewManualSnapshot(v kit.View, id string) error {
	if snapshots.Has(v, id) {
		return msgSnapshotExists.New(id)
	}
	n, err := getCount(v, countManual)
	if err != nil {
		return err
	}
	if n >= quotaManual {
		return msgSnapshotQuota.New()
	}
	return nil
}

func snapshotIdentifier(param, id string) (string, error) {
	if !validIdentifier(id, maxSnapshotID) {
		return "", msgInvalidIdentifier.New(param)
	}
	return strings.ToLower(id), nil
}

func (s *Service) CreateDBSnapshot(ctx context.Context, in *rdsapi.CreateDBSnapshotMessage) (*rdsapi.CreateDBSnapshotResult, error) {
	c := s.Call(ctx)
	id, err := snapshotIdentifier(paramSnapshotID, deref(in.DBSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBSnapshotResult, error) {
		v := c.In(tx)
		inst, err := instances.Get(v, strings.ToLower(deref(in.DBInstanceIdentifier)))
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, msgInstanceNotFound.New(deref(in.DBInstanceIdentifier))
		}
		if inst.Status != statusAvailable && inst.Status != statusStopped {
			return nil, msgSnapshotOfUnavailable.New(inst.ID)
		}
		if err := checkNewManualSnapshot(v, id); err != nil {
			return nil, err
		}
		snap := snapshotOf(inst, id, snapshotManual, c.Now())
		snap.Tags = tags
		if len(tags) == 0 && inst.CopyTags {
			snap.Tags = append([]tagRec(nil), inst.Tags...)
		}
		if err := s.insertSnapshot(tx, v, snap); err != nil {
			return nil, err
		}
		return &rdsapi.CreateDBSnapshotResult{DBSnapshot: new(snapshotOut(v, snap))}, nil
	})
}

// runSnapshotStep makes a snapshot available. A copy from another Region waits while
// either Region is unreachable; a copy whose source is gone is terminated.
func (s *Service) runSnapshotStep(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	snap, err := snapshots.Get(v, p.ID)
	if err != nil || snap == nil || snap.Status != snapshotCreating {
		return err
	}
	if _, down := s.Unreachable(snap.SourceRegion, v.Region()); snap.SourceRegion != "" && down {
		_, err := jobSnapshotStep.Enqueue(tx, s.Clock.Now().Add(replicaRetry), p)
		return err
	}
	if src, copying := snap.sourceOf(); copying && !snapshots.Has(tx.In(src.Account, src.Region), src.ID) {
		// The source was deleted while it was being copied: RDS terminates the copy.
		return s.removeSnapshot(tx, v, snap)
	}
	if wait, err := s.engineSnapshotStep(tx, v, snap, p); wait || err != nil {
		return err
	}
	from := copiedFrom(snap)
	snap.Status, snap.Progress = snapshotAvailable, 100
	snap.Source, snap.LegacySource = nil, ""
	if err := recordSnapshotEvent(v, s.Clock.Now(), snap, from, true); err != nil {
		return err
	}
	return putSnapshot(v, snap)
}

// findSnapshot finds a snapshot named by identifier or ARN, and returns it with the view
// of its account and Region. An ARN may name a snapshot of another account that shares
// it with the caller (the restore attribute), or, if allowRegion is set, one in another
// Region.
func findSnapshot(tx kit.Tx, v kit.View, ident string, allowRegion bool) (*snapshotRec, kit.View, error) {
	if !arn.IsARN(ident) {
		snap, err := snapshots.Get(v, strings.ToLower(ident))
		return snap, v, err
	}
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "snapshot:") {
		return nil, v, msgBadSnapshotIdent.New(ident)
	}
	if a.Region != v.Region() && !allowRegion {
		return nil, v, nil
	}
	src := tx.In(a.Account, a.Region)
	snap, err := snapshots.Get(src, strings.ToLower(strings.TrimPrefix(a.Resource, "snapshot:")))
	if err != nil || snap == nil {
		return nil, src, err
	}
	if a.Account != v.Account() && !slices.Contains(snap.Shared, v.Account()) && !slices.Contains(snap.Shared, "all") {
		return nil, src, nil
	}
	return snap, src, nil
}

func (s *Service) DeleteDBSnapshot(ctx context.Context, in *rdsapi.DeleteDBSnapshotMessage) (*rdsapi.DeleteDBSnapshotResult, error) {
	c := s.Call(ctx)
	// An ARN or an over-long identifier is not an identifier: InvalidParameterValue, not
	// a NotFound fault.
	// Automated snapshots' names ("rds:…") are identifiers here: deleting one is refused
	// for its state.
	id := strings.ToLower(deref(in.DBSnapshotIdentifier))
	if arn.IsARN(id) || len(id) > maxSnapshotID {
		return nil, msgInvalidIdentifier.New(paramSnapshotID)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.DeleteDBSnapshotResult, error) {
		v := c.In(tx)
		snap, err := snapshots.Get(v, id)
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return nil, msgSnapshotNotFound.New(deref(in.DBSnapshotIdentifier))
		}
		if snap.Type != snapshotManual {
			return nil, msgDeleteAutomated.New(snap.ID)
		}
		// RDS deletes only available snapshots (API reference of DeleteDBSnapshot); a copy
		// of this one still in progress is terminated (runSnapshotStep).
		if snap.Status != snapshotAvailable {
			return nil, msgDeleteUnavailable.New(snap.ID, snap.Status)
		}
		snap.Status = "deleted"
		out := snapshotOut(v, snap)
		return &rdsapi.DeleteDBSnapshotResult{DBSnapshot: &out}, s.removeSnapshot(tx, v, snap)
	})
}

func attributesOut(snap *snapshotRec) *rdsapi.DBSnapshotAttributesResult {
	values := append([]string{}, snap.Shared...)
	return &rdsapi.DBSnapshotAttributesResult{
		DBSnapshotIdentifier: new(snap.ID),
		DBSnapshotAttributes: []rdsapi.DBSnapshotAttribute{{AttributeName: new(restoreAttribute), AttributeValues: values}},
	}
}

func (s *Service) DescribeDBSnapshotAttributes(ctx context.Context, in *rdsapi.DescribeDBSnapshotAttributesMessage) (*rdsapi.DescribeDBSnapshotAttributesResult, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DescribeDBSnapshotAttributesResult, error) {
		snap, _, err := findSnapshot(tx, c.In(tx), deref(in.DBSnapshotIdentifier), false)
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return nil, msgSnapshotNotFound.New(deref(in.DBSnapshotIdentifier))
		}
		return &rdsapi.DescribeDBSnapshotAttributesResult{DBSnapshotAttributesResult: attributesOut(snap)}, nil
	})
}

func (s *Service) ModifyDBSnapshotAttribute(ctx context.Context, in *rdsapi.ModifyDBSnapshotAttributeMessage) (*rdsapi.ModifyDBSnapshotAttributeResult, error) {
	c := s.Call(ctx)
	if name := deref(in.AttributeName); name != restoreAttribute {
		return nil, msgAttributeName.New(name)
	}
	for _, v := range slices.Concat(in.ValuesToAdd, in.ValuesToRemove) {
		if v != "all" && !auth.IsAccountID(v) {
			return nil, msgAttributeAccount.New(v)
		}
	}
	id := strings.ToLower(deref(in.DBSnapshotIdentifier))
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.ModifyDBSnapshotAttributeResult, error) {
		v := c.In(tx)
		snap, err := snapshots.Get(v, id)
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return nil, msgSnapshotNotFound.New(deref(in.DBSnapshotIdentifier))
		}
		if snap.Type != snapshotManual {
			return nil, msgShareAutomated.New(snap.ID)
		}
		if snap.Status != snapshotAvailable {
			return nil, msgSnapshotNotAvailable.New(snap.ID)
		}
		shared := slices.DeleteFunc(append([]string{}, snap.Shared...), func(v string) bool { return slices.Contains(in.ValuesToRemove, v) })
		for _, v := range in.ValuesToAdd {
			if !slices.Contains(shared, v) {
				shared = append(shared, v)
			}
		}
		if snap.Encrypted && slices.Contains(shared, "all") {
			return nil, msgSharePublicEncrypted.New(snap.ID)
		}
		if len(shared) > maxSharedAccounts {
			return nil, msgShareQuota.New(maxSharedAccounts)
		}
		snap.Shared = shared
		return &rdsapi.ModifyDBSnapshotAttributeResult{DBSnapshotAttributesResult: attributesOut(snap)}, putSnapshot(v, snap)
	})
}

// copiedFrom names the snapshot a copy in progress copies, "" for a snapshot that is
// not a copy.
func copiedFrom(snap *snapshotRec) string {
	src, copying := snap.sourceOf()
	switch {
	case !copying:
		return ""
	case snap.SourceSnapshot != "":
		return snap.SourceSnapshot
	}
	return src.ID
}

// recordSnapshotEvent records that a snapshot starts or (done) finishes: a copy of the
// snapshot from names, an automated or a manual snapshot. AWS Backup's snapshots are AWS
// Backup's to report.
func recordSnapshotEvent(v kit.View, now time.Time, snap *snapshotRec, from string, done bool) error {
	copying := from != ""
	var def eventDef
	switch {
	case snap.Type == snapshotAWSBackup:
		return nil
	case copying && done:
		def = evCopyFinished
	case copying:
		def = evCopyStarted
	case snap.Type == snapshotAutomated && done:
		def = evAutomatedCreated
	case snap.Type == snapshotAutomated:
		def = evAutomatedSnapshot
	case done:
		def = evManualCreated
	default:
		def = evManualSnapshot
	}
	if !copying {
		return recordEvent(v, now, def, snap.ID)
	}
	region := snap.SourceRegion
	if region == "" {
		region = v.Region()
	}
	return recordEvent(v, now, def, snap.ID, from, region)
}
