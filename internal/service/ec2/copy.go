package ec2

import (
	"context"
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// CopySnapshot is called in the destination Region and names the source Region. The copy
// is pending until its job has moved the data, which needs both Regions reachable; the
// job re-encrypts every block it moves under the copy's data key (the destination's KMS
// key), and moves only the blocks that changed since an earlier copy of the same source
// lineage under the same key, as EBS's incremental copies do.

// checkCopyRequest refuses what CopySnapshot refuses before it looks at anything stored.
func checkCopyRequest(c kit.Call, in *ec2api.CopySnapshotRequest) error {
	switch {
	case in.DestinationOutpostArn != nil:
		return msgUnsupportedOption.New(paramDestinationOutpostArn)
	case in.DestinationAvailabilityZone != nil:
		return msgUnsupportedOption.New(paramDestinationAvailabilityZone)
	case !regions.SamePartition(*in.SourceRegion, c.Region):
		return msgSourceRegion.New(*in.SourceRegion)
	case in.DestinationRegion != nil && *in.DestinationRegion != c.Region:
		return msgDestinationRegion.New(*in.DestinationRegion, c.Region)
	case in.KmsKeyId != nil && !deref(in.Encrypted):
		return msgKeyWithoutEncrypt.New()
	}
	return nil
}

func (s *Service) CopySnapshot(ctx context.Context, in *ec2api.CopySnapshotRequest) (*ec2api.CopySnapshotResult, error) {
	c := s.Call(ctx)
	if err := checkCopyRequest(c, in); err != nil {
		return nil, err
	}
	tags, err := specTags(in.TagSpecifications, "snapshot")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CopySnapshotResult, error) {
		src, err := findVisible(tx, c.Account, *in.SourceRegion, *in.SourceSnapshotId)
		if err != nil {
			return nil, err
		}
		if src.rec.State != ec2api.SnapshotStateCompleted {
			return nil, msgSnapshotState.New(src.rec.State)
		}
		if err := s.checkPresigned(tx, v.Region(), in, src.rec); err != nil {
			return nil, err
		}
		cp, err := s.newCopy(tx, v, in, src)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if cp.Job, err = jobCopy.Enqueue(tx, s.After(), snapshotRef{Account: c.Account, Region: c.Region, SnapshotID: cp.ID}); err != nil {
			return nil, err
		}
		if err := snapshots.Put(v, cp, cp.ID); err != nil {
			return nil, err
		}
		if err := setTags(v, cp.ID, tags); err != nil {
			return nil, err
		}
		return &ec2api.CopySnapshotResult{SnapshotId: new(cp.ID), Tags: apiTags(tagsOf(v, cp.ID))}, nil
	})
}

// checkPresigned verifies the presigned URL of a copy: a CopySnapshot of the same source
// presigned for the source Region. The SDKs always send one; AWS requires one to copy an
// encrypted snapshot. The URL names this Region as DestinationRegion when the SDK put it
// there (the SDK for Go v2 does, whether or not the request itself carries it).
func (s *Service) checkPresigned(tx kit.Tx, region string, in *ec2api.CopySnapshotRequest, src *snapshotRecord) error {
	if in.PresignedUrl == nil {
		if src.Encrypted {
			return msgPresignRequired.New()
		}
		return nil
	}
	err := s.presign.Verify(tx, *in.PresignedUrl, port.Presigned{
		Service: serviceName, Region: *in.SourceRegion, Action: "CopySnapshot",
		Params:    map[string]string{"SourceSnapshotId": *in.SourceSnapshotId, "SourceRegion": *in.SourceRegion},
		IfPresent: map[string]string{"DestinationRegion": region},
	})
	if errors.Is(err, port.ErrPresignRefused) {
		return msgPresignRefused.New()
	}
	return err
}

// newCopy builds the pending copy: encrypted when its source is, when asked, or when the
// destination encrypts by default; under the key asked for or the destination's default;
// in the lineage of the latest earlier copy of the same source lineage under that key,
// if there is one.
func (s *Service) newCopy(tx kit.Tx, v kit.View, in *ec2api.CopySnapshotRequest, src visible) (*snapshotRecord, error) {
	set, err := settingsOf(v)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	cp := &snapshotRecord{
		ID: newID(prefixSnapshot), Owner: v.Account(), VolumeID: copiedVolumeID, VolumeSize: src.rec.VolumeSize,
		Description: deref(in.Description), State: ec2api.SnapshotStatePending, Started: now, Due: s.After(),
		SourceRegion: src.v.Region(), SourceSnapshotID: src.rec.ID,
		Encrypted: src.rec.Encrypted || deref(in.Encrypted) || set.ByDefault,
	}
	// A copy made without a description has none: the "[Copied snap-… from …]" text is
	// the console's, and Terraform's aws_ebs_snapshot_copy (description optional, not
	// computed) plans no change after such a copy against AWS.
	if cp.Encrypted {
		info, err := s.ebsKey(tx, v, in.KmsKeyId)
		if err != nil {
			return nil, err
		}
		cp.KeyARN = info.ARN
	}
	base, err := copyBase(v, src, cp)
	if err != nil {
		return nil, err
	}
	if base != nil {
		cp.DataKeyID, cp.Parent = base.DataKeyID, base.ID
		return cp, nil
	}
	z, err := s.newDataKey(tx, v, cp.KeyARN, cp.ID)
	cp.DataKeyID = z.id
	return cp, err
}

// copyBase finds the copy a new copy can be incremental to: a completed copy, in the
// destination, under the same key, of another snapshot of the source's lineage (same
// volume, same data key) that still exists; the latest such.
func copyBase(v kit.View, src visible, cp *snapshotRecord) (*snapshotRecord, error) {
	all, err := snapshots.List(v)
	if err != nil {
		return nil, err
	}
	var best *snapshotRecord
	for _, r := range all {
		if r.State != ec2api.SnapshotStateCompleted || r.SourceRegion != src.v.Region() || r.KeyARN != cp.KeyARN ||
			r.SourceSnapshotID == src.rec.ID || (best != nil && !r.Started.After(best.Started)) {
			continue
		}
		prior, err := snapshots.Get(src.v, r.SourceSnapshotID)
		if err != nil {
			return nil, err
		}
		if prior != nil && prior.VolumeID == src.rec.VolumeID && prior.DataKeyID == src.rec.DataKeyID {
			best = r
		}
	}
	return best, nil
}

// runCopy moves a pending copy's data from its source, then completes it.
func (s *Service) runCopy(tx kit.Tx, p snapshotRef) error {
	v := tx.In(p.Account, p.Region)
	cp, err := snapshots.Get(v, p.SnapshotID)
	if err != nil || cp == nil || cp.State != ec2api.SnapshotStatePending {
		return err
	}
	if region, down := s.Unreachable(cp.SourceRegion, p.Region); down {
		return fmt.Errorf("ec2: copying %s: Region %s is unreachable", cp.ID, region)
	}
	src, err := findVisible(tx, p.Account, cp.SourceRegion, cp.SourceSnapshotID)
	if err != nil {
		return s.failCopy(v, cp.ID, err)
	}
	if err := s.fillCopy(tx, src, v, cp); err != nil {
		return err
	}
	cp.State, cp.Job, cp.Completed = ec2api.SnapshotStateCompleted, "", new(s.Clock.Now())
	return snapshots.Put(v, cp, cp.ID)
}

func (s *Service) fillCopy(tx kit.Tx, src visible, v kit.View, cp *snapshotRecord) error {
	from, err := s.openDataKey(tx, src.v, src.rec.DataKeyID)
	if err != nil {
		return err
	}
	to, err := s.openDataKey(tx, v, cp.DataKeyID)
	if err != nil {
		return err
	}
	var base *snapshotRecord
	if cp.Parent != "" {
		if base, err = snapshots.Get(v, cp.Parent); err != nil {
			return err
		}
	}
	if base == nil {
		cp.Parent = ""
	}
	return copyData(lineage{src.v, from}, src.rec, lineage{v, to}, cp, base)
}

// failCopy ends a copy that cannot be done with the error state.
func (s *Service) failCopy(v kit.View, id string, cause error) error {
	cp, err := snapshots.Get(v, id)
	if err != nil || cp == nil || cp.State != ec2api.SnapshotStatePending {
		return err
	}
	cp.State, cp.Job, cp.Message = ec2api.SnapshotStateError, "", fmt.Sprintf(msgCopyFailed, cp.SourceSnapshotID, cp.SourceRegion, cause)
	return snapshots.Put(v, cp, cp.ID)
}
