package rds

import (
	"context"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// CopyDBClusterSnapshot copies a cluster snapshot within the Region or, called in the
// destination, from another Region named by the source's ARN, with a PreSignedUrl checked
// as CopyDBSnapshot checks it. An encrypted source copied across Regions needs a KmsKeyId
// of the destination, under which the copy is encrypted. The copy is manual and becomes
// available on the job engine, waiting while either Region is unreachable.
func (s *Service) CopyDBClusterSnapshot(ctx context.Context, in *rdsapi.CopyDBClusterSnapshotMessage) (*rdsapi.CopyDBClusterSnapshotResult, error) {
	c := s.Call(ctx)
	target, err := snapshotIdentifier("TargetDBClusterSnapshotIdentifier", deref(in.TargetDBClusterSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	source := deref(in.SourceDBClusterSnapshotIdentifier)
	if source == "" {
		return nil, msgBlank.New(paramSourceClusterSnapshot)
	}
	srcRegion, err := copySourceRegion(source, c.Region)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CopyDBClusterSnapshotResult, error) {
		v := c.In(tx)
		if err := s.checkCopyPresign(tx, in.PreSignedUrl, "CopyDBClusterSnapshot", srcRegion, c.Region, "SourceDBClusterSnapshotIdentifier", source); err != nil {
			return nil, err
		}
		src, srcView, err := findClusterSnapshot(tx, v, source, true)
		if err != nil {
			return nil, err
		}
		if src == nil {
			return nil, msgClusterSnapshotNotFound.New(source)
		}
		if src.Status != snapshotAvailable {
			return nil, msgClusterSnapshotState.New(src.ID, src.Status)
		}
		cp, err := s.clusterCopyOf(tx, v, srcView, src, target, in)
		if err != nil {
			return nil, err
		}
		cp.Tags = copiedTags(tags, src.Tags, deref(in.CopyTags))
		if err := s.insertClusterSnapshot(tx, v, cp); err != nil {
			return nil, err
		}
		return &rdsapi.CopyDBClusterSnapshotResult{DBClusterSnapshot: new(clusterSnapshotOut(v, cp))}, nil
	})
}

// clusterCopyOf is the copy named target of src, which lives in srcView, encrypted as the
// request asks.
func (s *Service) clusterCopyOf(tx kit.Tx, v, srcView kit.View, src *clusterSnapshotRec, target string, in *rdsapi.CopyDBClusterSnapshotMessage) (*clusterSnapshotRec, error) {
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress, cp.Created = target, snapshotManual, snapshotCreating, 0, s.Clock.Now()
	cp.Source = &snapshotRef{Account: srcView.Account(), Region: srcView.Region(), ID: src.ID}
	cp.SourceARN = clusterSnapshotARN(partitionOf(srcView.Region()), srcView.Region(), srcView.Account(), src.ID)
	cp.AZs = zones(v.Region())
	crossRegion := srcView.Region() != v.Region()
	switch {
	case in.KmsKeyId != nil:
		key, err := s.resolveKey(tx, v.Account(), v.Region(), *in.KmsKeyId)
		if err != nil {
			return nil, err
		}
		cp.KmsKey, cp.Encrypted = key, true
	case src.Encrypted && crossRegion:
		return nil, msgClusterCopyNeedsKey.New(deref(in.SourceDBClusterSnapshotIdentifier))
	}
	if src.Encrypted {
		if err := s.requireKey(tx, srcView.Account(), srcView.Region(), src.KmsKey, msgSourceKey); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}
