package ec2

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// copiedVolumeID is the volume id AWS gives the copies of snapshots, which belong to no
// volume of theirs.
const copiedVolumeID = "vol-ffffffff"

// progress is a snapshot's Progress: how far a pending snapshot is on the clock between
// its start and the transition that completes it.
func progress(r *snapshotRecord, now time.Time) string {
	switch {
	case r.State == ec2api.SnapshotStateCompleted:
		return "100%"
	case r.State != ec2api.SnapshotStatePending || !r.Due.After(r.Started):
		return "0%"
	}
	done := int64(100 * now.Sub(r.Started) / r.Due.Sub(r.Started))
	return strconv.FormatInt(min(99, max(0, done)), 10) + "%"
}

// snapshotOut is a snapshot as DescribeSnapshots shows it to the caller's account:
// tags only to its owner.
func snapshotOut(v kit.View, r *snapshotRecord, caller string, now time.Time) ec2api.Snapshot {
	out := ec2api.Snapshot{
		SnapshotId: new(r.ID), VolumeId: new(r.VolumeID), State: new(r.State), StateMessage: optional(r.Message),
		StartTime: new(r.Started), Progress: new(progress(r, now)), OwnerId: new(r.Owner), Description: new(r.Description),
		VolumeSize: new(r.VolumeSize), Encrypted: new(r.Encrypted), KmsKeyId: optional(r.KeyARN), StorageTier: new(r.tier()),
		CompletionTime: r.Completed,
	}
	if r.Encrypted {
		out.DataEncryptionKeyId = new(r.DataKeyID)
	}
	if r.State == ec2api.SnapshotStateCompleted {
		out.FullSnapshotSizeInBytes = new(r.Blocks * blockSize)
	}
	if r.SourceSnapshotID != "" {
		out.TransferType = new(ec2api.TransferTypeStandard)
	}
	if r.Tiering != nil && r.Tiering.RestoreExpiry != nil {
		out.RestoreExpiryTime = r.Tiering.RestoreExpiry
	}
	if r.Owner == caller {
		out.Tags = tagsOfResource(v, r.ID)
	}
	return out
}

func (r *snapshotRecord) tier() string {
	if r.StorageTier == "" {
		return ec2api.StorageTierStandard
	}
	return r.StorageTier
}

// usable reports whether volumes can be made from a snapshot now: it is completed and,
// when archived, restored.
func (r *snapshotRecord) usable() error {
	if r.State != ec2api.SnapshotStateCompleted {
		return msgSnapshotState.New(r.State)
	}
	if r.tier() == ec2api.StorageTierArchive && (r.Tiering == nil || r.Tiering.Status != ec2api.TieringOperationStatusTemporaryRestoreCompleted) {
		return msgSnapshotArchived.New(r.ID)
	}
	return nil
}

func (s *Service) CreateSnapshot(ctx context.Context, in *ec2api.CreateSnapshotRequest) (*ec2api.Snapshot, error) {
	c := s.Call(ctx)
	switch {
	case in.OutpostArn != nil:
		return nil, msgUnsupportedOption.New(paramOutpostArn)
	case in.Location != nil:
		return nil, msgUnsupportedOption.New(paramLocation)
	}
	tags, err := specTags(in.TagSpecifications, "snapshot")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.Snapshot, error) {
		vol, err := volumeKind.get(v, *in.VolumeId)
		if err != nil {
			return nil, err
		}
		if vol.State != ec2api.VolumeStateAvailable && vol.State != ec2api.VolumeStateInUse {
			return nil, msgVolumeState.New(vol.ID, vol.State)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		snap, err := s.takeSnapshot(tx, v, vol, deref(in.Description))
		if err != nil {
			return nil, err
		}
		if err := setTags(v, snap.ID, tags); err != nil {
			return nil, err
		}
		return new(snapshotOut(v, snap, c.Account, c.Now())), nil
	})
}

// takeSnapshot snapshots a volume as it is now, and arms the job that completes the
// snapshot.
func (s *Service) takeSnapshot(tx kit.Tx, v kit.View, vol *volumeRecord, description string) (*snapshotRecord, error) {
	snap, err := s.captureNew(v, vol, description)
	if err != nil {
		return nil, err
	}
	job, err := jobSnapshot.Enqueue(tx, snap.Due, snapshotRef{Account: v.Account(), Region: v.Region(), SnapshotID: snap.ID,
		ChangedBlocks: snap.Changed, ChangedBytes: snap.Changed * blockSize})
	if err != nil {
		return nil, err
	}
	snap.Job = job
	return snap, snapshots.Put(v, snap, snap.ID)
}

// captureNew makes a pending snapshot of a volume as it is now: its data is recorded,
// the snapshot record is the caller's to store.
func (s *Service) captureNew(v kit.View, vol *volumeRecord, description string) (*snapshotRecord, error) {
	now := s.Clock.Now()
	snap := &snapshotRecord{
		ID: newID(prefixSnapshot), Owner: v.Account(), VolumeID: vol.ID, VolumeSize: vol.Size, Description: description,
		State: ec2api.SnapshotStatePending, Started: now, Due: s.After(), Encrypted: vol.Encrypted, KeyARN: vol.KeyARN, DataKeyID: vol.DataKeyID,
	}
	if err := captureSnapshot(v, vol, snap); err != nil {
		return nil, err
	}
	return snap, volumes.Put(v, vol, vol.ID)
}

// completeSnapshot ends a pending snapshot.
func (s *Service) completeSnapshot(v kit.View, id string) error {
	snap, err := snapshots.Get(v, id)
	if err != nil || snap == nil || snap.State != ec2api.SnapshotStatePending {
		return err
	}
	snap.State, snap.Job, snap.Completed = ec2api.SnapshotStateCompleted, "", new(s.Clock.Now())
	return snapshots.Put(v, snap, snap.ID)
}

// visible is a snapshot the caller can see, in its owner's records.
type visible struct {
	v   kit.View
	rec *snapshotRecord
}

// visibleSnapshots lists the snapshots the caller can see in its Region: its own, those
// shared with it and the public ones.
func visibleSnapshots(tx kit.Tx, account, region string) ([]visible, error) {
	v := tx.In(account, region)
	own, err := snapshots.List(v)
	if err != nil {
		return nil, err
	}
	out := make([]visible, 0, len(own))
	for _, r := range own {
		out = append(out, visible{v, r})
	}
	for _, holder := range []string{account, publicAccount} {
		err := sharedWith.Keys(tx.In(holder, region), "", func(e kit.Entry) bool {
			id := e.ID()
			ov := tx.In(id[1], region)
			if r, _ := snapshots.Get(ov, id[0]); r != nil && r.Owner != account && !slices.ContainsFunc(out, func(x visible) bool { return x.rec.ID == r.ID }) {
				out = append(out, visible{ov, r})
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b visible) int { return strings.Compare(a.rec.ID, b.rec.ID) })
	return out, nil
}

// findVisible finds a snapshot an account can see in a Region, by id.
func findVisible(tx kit.Tx, account, region, id string) (visible, error) {
	if !wellFormed(id, prefixSnapshot) {
		return visible{}, msgSnapshotMalformed.New(id)
	}
	if r, err := snapshots.Get(tx.In(account, region), id); err != nil || r != nil {
		return visible{tx.In(account, region), r}, err
	}
	for _, holder := range []string{account, publicAccount} {
		var owner string
		if err := sharedWith.Keys(tx.In(holder, region), "", func(e kit.Entry) bool {
			owner = e.Last()
			return false
		}, id); err != nil {
			return visible{}, err
		}
		if owner != "" {
			ov := tx.In(owner, region)
			if r, err := snapshots.Get(ov, id); err != nil || r != nil {
				return visible{ov, r}, err
			}
		}
	}
	return visible{}, msgSnapshotNotFound.New(id)
}

// usableSnapshot finds a snapshot the view's account may make volumes from, and checks
// that it can.
func (s *Service) usableSnapshot(tx kit.Tx, v kit.View, id string) (kit.View, *snapshotRecord, error) {
	vis, err := findVisible(tx, v.Account(), v.Region(), id)
	if err != nil {
		return kit.View{}, nil, err
	}
	return vis.v, vis.rec, vis.rec.usable()
}

// ownSnapshot finds a snapshot the caller owns; one it can only see is not its to change.
func (s *Service) ownSnapshot(tx kit.Tx, c kit.Call, id string) (*snapshotRecord, error) {
	vis, err := findVisible(tx, c.Account, c.Region, id)
	if err != nil {
		return nil, err
	}
	if vis.rec.Owner != c.Account {
		return nil, s.notOwned(c, id, vis.rec.Owner)
	}
	return vis.rec, nil
}

// notOwned refuses a change to another account's snapshot as AWS does, with the encoded
// authorization failure message that sts:DecodeAuthorizationMessage opens.
func (s *Service) notOwned(c kit.Call, id, owner string) error {
	if s.authz == nil {
		return msgSnapshotNotOwned.New(id)
	}
	resource := arn.New(c.Partition, serviceName, c.Region, "", "snapshot/"+id)
	encoded := s.authz.Encode(port.AuthorizationFailure{
		Account: c.Account, PrincipalID: c.Caller.UserID, PrincipalARN: c.Caller.ARN,
		Action: serviceName + ":" + c.Operation, Resource: resource,
		Conditions: map[string][]string{
			"aws:Region": {c.Region}, "ec2:Region": {c.Region}, "ec2:Owner": {owner},
			"aws:PrincipalAccount": {c.Account}, "aws:PrincipalArn": {c.Caller.ARN}, "aws:userid": {c.Caller.UserID},
			"ec2:SnapshotID": {id}, "aws:Resource": {"snapshot/" + id},
		},
	})
	return msgSnapshotNotOwnedEncoded.New(id, encoded)
}

var snapshotFilters = fields{"description": nil, "encrypted": nil, "owner-alias": nil, "owner-id": nil, "progress": nil,
	"snapshot-id": nil, "start-time": nil, "status": nil, "storage-tier": nil, "volume-id": nil, "volume-size": nil,
	"kms-key-id": nil, "transfer-type": nil}

func snapshotFields(r *snapshotRecord, now time.Time) fields {
	f := fields{}
	f.add("snapshot-id", r.ID)
	f.add("description", r.Description)
	f.bool("encrypted", r.Encrypted)
	f.add("owner-id", r.Owner)
	f.add("progress", progress(r, now))
	f.add("start-time", r.Started.UTC().Format(time.RFC3339))
	f.add("status", r.State)
	f.add("storage-tier", r.tier())
	f.add("volume-id", r.VolumeID)
	f.add("volume-size", strconv.FormatInt(r.VolumeSize, 10))
	f.opt("kms-key-id", r.KeyARN)
	if r.SourceSnapshotID != "" {
		f.add("transfer-type", ec2api.TransferTypeStandard)
	}
	return f
}

func (s *Service) DescribeSnapshots(ctx context.Context, in *ec2api.DescribeSnapshotsRequest) (*ec2api.DescribeSnapshotsResult, error) {
	c := s.Call(ctx)
	if err := checkFilters(in.Filters, snapshotFilters); err != nil {
		return nil, err
	}
	if len(in.SnapshotIds) > 0 && in.MaxResults != nil {
		return nil, msgIDsWithMaxResults.New(paramSnapshotId)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ec2api.DescribeSnapshotsResult, error) {
		kept, err := describedSnapshots(tx, c, in)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		p, err := paginate(s, c.In(tx), describeQuery{op: "DescribeSnapshots", maxResults: in.MaxResults, nextToken: in.NextToken},
			ptrs(kept), func(x *visible) string { return x.rec.ID })
		if err != nil {
			return nil, err
		}
		out := &ec2api.DescribeSnapshotsResult{Snapshots: []ec2api.Snapshot{}, NextToken: p.next}
		for _, x := range p.items {
			out.Snapshots = append(out.Snapshots, snapshotOut(x.v, x.rec, c.Account, c.Now()))
		}
		return out, nil
	})
}

// describedSnapshots are the snapshots a DescribeSnapshots names: by id, by owner, by who
// may restore them, and by filters.
func describedSnapshots(tx kit.Tx, c kit.Call, in *ec2api.DescribeSnapshotsRequest) ([]visible, error) {
	for _, id := range in.SnapshotIds {
		if _, err := findVisible(tx, c.Account, c.Region, id); err != nil {
			return nil, err
		}
	}
	all, err := visibleSnapshots(tx, c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	owners := replaceSelf(in.OwnerIds, c.Account)
	restorers := replaceSelf(in.RestorableByUserIds, c.Account)
	var kept []visible
	for _, x := range all {
		switch {
		case len(in.SnapshotIds) > 0 && !slices.Contains(in.SnapshotIds, x.rec.ID):
		case len(owners) > 0 && !slices.Contains(owners, x.rec.Owner):
		case len(restorers) > 0 && !slices.ContainsFunc(restorers, x.rec.restorableBy):
		case !matches(in.Filters, snapshotFields(x.rec, c.Now()), ownTags(x, c.Account)):
		default:
			kept = append(kept, x)
		}
	}
	return kept, nil
}

func ownTags(x visible, caller string) []tag {
	if x.rec.Owner != caller {
		return nil
	}
	return tagsOf(x.v, x.rec.ID)
}

// replaceSelf spells "self" as the caller's account.
func replaceSelf(ids []string, account string) []string {
	out := slices.Clone(ids)
	for i, id := range out {
		if id == "self" {
			out[i] = account
		}
	}
	return out
}

// restorableBy reports whether an account may create volumes from the snapshot.
func (r *snapshotRecord) restorableBy(account string) bool {
	return r.Owner == account || r.Public || slices.Contains(r.SharedWith, account)
}

func (s *Service) DeleteSnapshot(ctx context.Context, in *ec2api.DeleteSnapshotRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		if snap.Backup != "" {
			return nil, msgSnapshotOfBackup.New()
		}
		if len(snap.Holds) > 0 {
			return nil, msgSnapshotInUse.New(snap.ID, snap.Holds[0])
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return nil, dropSnapshot(tx, c.In(tx), snap)
	})
}

// dropSnapshot deletes a snapshot: its jobs, its data no other snapshot shares, its
// sharing and its tags.
func dropSnapshot(tx kit.Tx, v kit.View, snap *snapshotRecord) error {
	jobs := []string{snap.Job}
	if snap.Tiering != nil {
		jobs = append(jobs, snap.Tiering.Job)
	}
	if err := tx.CancelJobs(jobs...); err != nil {
		return err
	}
	if err := dropSnapshotData(v, snap.ID); err != nil {
		return err
	}
	if err := unshareAll(tx, v, snap); err != nil {
		return err
	}
	if err := snapshots.Delete(v, snap.ID); err != nil {
		return err
	}
	return tagSets.Delete(v, snap.ID)
}
