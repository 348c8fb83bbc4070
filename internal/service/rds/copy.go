package rds

import (
	"context"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// CopyDBSnapshot copies a snapshot within the Region, from another Region (the source
// named by its ARN, as Terraform's aws_db_snapshot_copy does, with or without a
// PreSignedUrl), or from another account that shares it. The copy is manual, starts
// creating at 0 % and becomes available on the job engine; a copy across Regions waits
// while either Region is unreachable.
func (s *Service) CopyDBSnapshot(ctx context.Context, in *rdsapi.CopyDBSnapshotMessage) (*rdsapi.CopyDBSnapshotResult, error) {
	c := s.Call(ctx)
	target, err := snapshotIdentifier(paramTargetSnapshotID, deref(in.TargetDBSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	source := deref(in.SourceDBSnapshotIdentifier)
	if source == "" {
		return nil, msgBlank.New(paramSourceSnapshot)
	}
	srcRegion, err := copySourceRegion(source, c.Region)
	if err != nil {
		return nil, err
	}
	if in.TargetCustomAvailabilityZone != nil {
		return nil, msgCustomAZNotFound.New(*in.TargetCustomAvailabilityZone)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CopyDBSnapshotResult, error) {
		v := c.In(tx)
		if err := s.checkCopyPresign(tx, in.PreSignedUrl, "CopyDBSnapshot", srcRegion, c.Region, "SourceDBSnapshotIdentifier", source); err != nil {
			return nil, err
		}
		src, srcView, err := findSnapshot(tx, v, source, true)
		if err != nil {
			return nil, err
		}
		if src == nil {
			return nil, msgSnapshotNotFound.New(source)
		}
		if src.Status != snapshotAvailable {
			return nil, msgSnapshotNotAvailable.New(src.ID)
		}
		if err := checkNewManualSnapshot(v, target); err != nil {
			return nil, err
		}
		cp, err := s.copyOf(tx, v, srcView, src, target, in, c)
		if err != nil {
			return nil, err
		}
		cp.Tags = copiedTags(tags, src.Tags, deref(in.CopyTags))
		if err := s.insertSnapshot(tx, v, cp); err != nil {
			return nil, err
		}
		return &rdsapi.CopyDBSnapshotResult{DBSnapshot: new(snapshotOut(v, cp))}, nil
	})
}

// checkCopyPresign checks the PreSignedUrl of a copy across Regions (a copy in its
// source's Region has none to check): it must sign op in the source's Region, for the
// source the request names in param.
func (s *Service) checkCopyPresign(tx kit.Tx, presigned *string, op, srcRegion, region, param, source string) error {
	if srcRegion == region || presigned == nil {
		return nil
	}
	return s.checkPresignedURL(tx, *presigned, op, srcRegion, region, map[string]string{param: source})
}

// copiedTags are the tags of a snapshot's copy: with both CopyTags and Tags, AWS applies
// only Tags (API reference, CopyTags), for DB and DB cluster snapshots alike.
func copiedTags(tags, source []tagRec, copyTags bool) []tagRec {
	if len(tags) == 0 && copyTags {
		return append([]tagRec(nil), source...)
	}
	return tags
}

// copySourceRegion is the Region of the snapshot a copy names: the caller's for an
// identifier, the ARN's, which must be of the same partition, for an ARN.
func copySourceRegion(source, region string) (string, error) {
	if !arn.IsARN(source) {
		return region, nil
	}
	a, err := arn.Parse(source)
	if err != nil || a.Service != serviceName || !regions.Valid(a.Region) {
		return "", msgBadSourceSnapshot.New(source)
	}
	if !regions.SamePartition(a.Region, region) {
		return "", msgCopyPartition.New(a.Region, region)
	}
	return a.Region, nil
}

// copyOf is the copy named target of src, which lives in srcView, encrypted as the
// request asks, in the option group it names.
func (s *Service) copyOf(tx kit.Tx, v, srcView kit.View, src *snapshotRec, target string, in *rdsapi.CopyDBSnapshotMessage, c kit.Call) (*snapshotRec, error) {
	cp := *src
	cp.ID, cp.Type, cp.Status, cp.Progress, cp.Created = target, snapshotManual, snapshotCreating, 0, c.Now()
	cp.Shared, cp.SourceRegion, cp.SourceSnapshot, cp.LegacySource = nil, "", "", ""
	cp.Source = &snapshotRef{Account: srcView.Account(), Region: srcView.Region(), ID: src.ID}
	crossRegion, crossAccount := srcView.Region() != v.Region(), srcView.Account() != v.Account()
	if crossRegion || crossAccount {
		cp.SourceSnapshot = deref(in.SourceDBSnapshotIdentifier)
	}
	if crossRegion {
		cp.SourceRegion = srcView.Region()
	}
	switch {
	case in.KmsKeyId != nil:
		key, err := s.resolveKey(tx, v.Account(), v.Region(), *in.KmsKeyId)
		if err != nil {
			return nil, err
		}
		cp.KmsKey, cp.Encrypted = key, true
	case src.Encrypted && (crossRegion || crossAccount):
		return nil, msgCopyNeedsKey.New(deref(in.SourceDBSnapshotIdentifier))
	}
	if src.Encrypted {
		if err := s.requireKey(tx, srcView.Account(), srcView.Region(), src.KmsKey, msgSourceKey); err != nil {
			return nil, err
		}
	}
	if g := in.OptionGroupName; g != nil {
		e := engines()[src.Engine]
		ver, _ := e.version(src.EngineVersion)
		name, err := checkOptionGroup(v, e, ver, *g)
		if err != nil {
			return nil, err
		}
		cp.OptionGroup = name
	}
	return &cp, nil
}
