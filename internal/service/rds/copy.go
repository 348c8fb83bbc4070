package rds

import (
	"context"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// copyDBSnapshot copies a snapshot within the Region, from another Region (the source
// named by its ARN, as Terraform's aws_db_snapshot_copy does, with or without a
// PreSignedUrl), or from another account that shares it. The copy is manual, starts
// creating at 0 % and becomes available on the job engine; a copy across Regions waits
// while either Region is unreachable.
func (s *Service) copyDBSnapshot(ctx context.Context, in *rdsapi.CopyDBSnapshotMessage) (*rdsapi.CopyDBSnapshotResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	target, err := snapshotIdentifier("TargetDBSnapshotIdentifier", deref(in.TargetDBSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	source := deref(in.SourceDBSnapshotIdentifier)
	if source == "" {
		return nil, blank("SourceDBSnapshotIdentifier")
	}
	srcRegion := req.Region
	if arn.IsARN(source) {
		a, err := arn.Parse(source)
		if err != nil || a.Service != serviceName || !regions.Valid(a.Region) {
			return nil, invalidValue("The parameter SourceDBSnapshotIdentifier is not a valid identifier: %s", source)
		}
		if !regions.SamePartition(a.Region, req.Region) {
			return nil, invalidValue("DB snapshots can't be copied from %s to %s.", a.Region, req.Region)
		}
		srcRegion = a.Region
	}
	if in.TargetCustomAvailabilityZone != nil {
		return nil, rdsapi.ErrCustomAvailabilityZoneNotFoundFault.New("Custom availability zone %s not found.", *in.TargetCustomAvailabilityZone)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	crossRegion := srcRegion != req.Region
	var copied *snapshotRec
	err = s.st.Update(func(tx store.Tx) error {
		if crossRegion && in.PreSignedUrl != nil {
			if err := s.checkPresignedURL(tx, *in.PreSignedUrl, "CopyDBSnapshot", srcRegion, req.Region,
				map[string]string{"SourceDBSnapshotIdentifier": source}); err != nil {
				return err
			}
		}
		src, srcSc, err := findSnapshot(tx, req.Account, req.Region, source, true)
		if err != nil {
			return err
		}
		if src == nil {
			return snapshotNotFound(source)
		}
		if src.Status != snapshotAvailable {
			return snapshotState("Snapshot %s is not in available state.", src.ID)
		}
		if err := checkNewManualSnapshot(tx, sc, target); err != nil {
			return err
		}
		cp := *src
		cp.ID, cp.Type, cp.Status, cp.Progress, cp.Created = target, snapshotManual, snapshotCreating, 0, s.clock.Now()
		cp.Shared, cp.SourceRegion, cp.SourceSnapshot = nil, "", ""
		cp.SourceKey = srcSc.Key(kindSnapshot, src.ID)
		crossAccount := srcSc.Account != req.Account
		if crossRegion || crossAccount {
			cp.SourceSnapshot = source
		}
		if crossRegion {
			cp.SourceRegion = srcRegion
		}
		switch {
		case in.KmsKeyId != nil:
			if cp.KmsKey, err = s.resolveKey(tx, req.Account, req.Region, *in.KmsKeyId); err != nil {
				return err
			}
			cp.Encrypted = true
		case src.Encrypted && (crossRegion || crossAccount):
			return rdsapi.ErrKMSKeyNotAccessibleFault.New("KmsKeyId is required to copy the encrypted DB snapshot %s to another AWS Region or account.", source)
		}
		if src.Encrypted {
			ok, err := s.keyUsable(tx, srcSc.Account, srcSc.Region, src.KmsKey)
			if err != nil {
				return err
			}
			if !ok {
				return rdsapi.ErrKMSKeyNotAccessibleFault.New("The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it.", src.KmsKey)
			}
		}
		if in.OptionGroupName != nil {
			e := engines[src.Engine]
			v, _ := e.version(src.EngineVersion)
			if *in.OptionGroupName != defaultOptionGroup(e.Name, v.Major) {
				if !optionGroupExists(*in.OptionGroupName) {
					return rdsapi.ErrOptionGroupNotFoundFault.New("Specified OptionGroupName: %s not found.", *in.OptionGroupName)
				}
				return invalidCombination("The option group %s can't be used for engine %s %s.", *in.OptionGroupName, e.Name, v.Version)
			}
			cp.OptionGroup = *in.OptionGroupName
		}
		cp.Tags = nil
		if deref(in.CopyTags) {
			cp.Tags = append(cp.Tags, src.Tags...)
		}
		cp.Tags = mergeTags(cp.Tags, tags)
		copied = &cp
		return s.insertSnapshot(tx, sc, copied)
	})
	if err != nil {
		return nil, err
	}
	out := snapshotOut(sc, copied)
	return &rdsapi.CopyDBSnapshotResult{DBSnapshot: &out}, nil
}
