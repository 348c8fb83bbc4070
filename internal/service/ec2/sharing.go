package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// A snapshot is shared by its createVolumePermission: accounts, or the group "all". Each
// account it is shared with finds it through an index in that account's records (the
// group "all" through the records of publicAccount), so that DescribeSnapshots and
// CreateVolume of the other account see it.

func (s *Service) DescribeSnapshotAttribute(ctx context.Context, in *ec2api.DescribeSnapshotAttributeRequest) (*ec2api.DescribeSnapshotAttributeResult, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ec2api.DescribeSnapshotAttributeResult, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		out := &ec2api.DescribeSnapshotAttributeResult{SnapshotId: new(snap.ID)}
		if *in.Attribute == ec2api.SnapshotAttributeNameProductCodes {
			out.ProductCodes = []ec2api.ProductCode{}
			return out, nil
		}
		out.CreateVolumePermissions = []ec2api.CreateVolumePermission{}
		if snap.Public {
			out.CreateVolumePermissions = append(out.CreateVolumePermissions, ec2api.CreateVolumePermission{Group: new("all")})
		}
		for _, id := range snap.SharedWith {
			out.CreateVolumePermissions = append(out.CreateVolumePermissions, ec2api.CreateVolumePermission{UserId: new(id)})
		}
		return out, nil
	})
}

// permissionChange is what a ModifySnapshotAttribute adds and removes.
type permissionChange struct {
	add, remove []ec2api.CreateVolumePermission
}

// changeOf reads a ModifySnapshotAttribute: CreateVolumePermission, or OperationType
// with UserIds and GroupNames.
func changeOf(in *ec2api.ModifySnapshotAttributeRequest) (permissionChange, error) {
	if in.Attribute != nil && *in.Attribute == ec2api.SnapshotAttributeNameProductCodes {
		return permissionChange{}, msgProductCodes.New()
	}
	var ch permissionChange
	if in.CreateVolumePermission != nil {
		ch.add, ch.remove = in.CreateVolumePermission.Add, in.CreateVolumePermission.Remove
	}
	if len(in.UserIds) > 0 || len(in.GroupNames) > 0 {
		if in.OperationType == nil {
			return ch, msgOperationType.New()
		}
		var perms []ec2api.CreateVolumePermission
		for _, id := range in.UserIds {
			perms = append(perms, ec2api.CreateVolumePermission{UserId: new(id)})
		}
		for _, g := range in.GroupNames {
			perms = append(perms, ec2api.CreateVolumePermission{Group: new(g)})
		}
		if *in.OperationType == ec2api.OperationTypeAdd {
			ch.add = append(ch.add, perms...)
		} else {
			ch.remove = append(ch.remove, perms...)
		}
	}
	if len(ch.add)+len(ch.remove) == 0 {
		return ch, msgPermissionNeeded.New()
	}
	for _, p := range append(slices.Clone(ch.add), ch.remove...) {
		switch {
		case p.UserId != nil && !isAccountID(*p.UserId):
			return ch, msgBadUserID.New(*p.UserId)
		case p.Group != nil && *p.Group != "all":
			return ch, msgBadGroupName.New(*p.Group)
		case p.UserId == nil && p.Group == nil:
			return ch, msgPermissionNeeded.New()
		}
	}
	return ch, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *Service) ModifySnapshotAttribute(ctx context.Context, in *ec2api.ModifySnapshotAttributeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	ch, err := changeOf(in)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		if err := s.checkSharable(tx, c.In(tx), snap, ch.add); err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return nil, applySharing(tx, c.In(tx), snap, ch)
	})
}

// checkSharable refuses what AWS refuses to share: a snapshot encrypted with the AWS
// managed key with anyone, an encrypted snapshot with everyone.
func (s *Service) checkSharable(tx kit.Tx, v kit.View, snap *snapshotRecord, add []ec2api.CreateVolumePermission) error {
	if len(add) == 0 || !snap.Encrypted {
		return nil
	}
	if slices.ContainsFunc(add, func(p ec2api.CreateVolumePermission) bool { return p.Group != nil }) {
		return msgSharePublicCrypted.New()
	}
	info, err := s.keys.Resolve(tx, v.Account(), v.Region(), snap.KeyARN)
	if err != nil {
		return keyError(snap.KeyARN, err)
	}
	if info.AWSManaged {
		return msgShareManagedKey.New()
	}
	return nil
}

// applySharing changes a snapshot's permissions and the indexes of the accounts it is
// shared with.
func applySharing(tx kit.Tx, v kit.View, snap *snapshotRecord, ch permissionChange) error {
	for _, p := range ch.add {
		holder := publicAccount
		if p.UserId != nil {
			holder = *p.UserId
			if holder != snap.Owner && !slices.Contains(snap.SharedWith, holder) {
				snap.SharedWith = append(snap.SharedWith, holder)
			}
		} else {
			snap.Public = true
		}
		if holder != snap.Owner {
			if err := sharedWith.Add(tx.In(holder, v.Region()), snap.ID, snap.Owner); err != nil {
				return err
			}
		}
	}
	for _, p := range ch.remove {
		holder := publicAccount
		if p.UserId != nil {
			holder = *p.UserId
			snap.SharedWith = slices.DeleteFunc(snap.SharedWith, func(id string) bool { return id == holder })
		} else {
			snap.Public = false
		}
		if err := sharedWith.Remove(tx.In(holder, v.Region()), snap.ID, snap.Owner); err != nil {
			return err
		}
	}
	return snapshots.Put(v, snap, snap.ID)
}

// unshareAll removes every permission of a snapshot.
func unshareAll(tx kit.Tx, v kit.View, snap *snapshotRecord) error {
	var ch permissionChange
	for _, id := range snap.SharedWith {
		ch.remove = append(ch.remove, ec2api.CreateVolumePermission{UserId: new(id)})
	}
	if snap.Public {
		ch.remove = append(ch.remove, ec2api.CreateVolumePermission{Group: new("all")})
	}
	if len(ch.remove) == 0 {
		return nil
	}
	return applySharing(tx, v, snap, ch)
}

func (s *Service) ResetSnapshotAttribute(ctx context.Context, in *ec2api.ResetSnapshotAttributeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if *in.Attribute == ec2api.SnapshotAttributeNameProductCodes {
		return nil, msgProductCodes.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		snap, err := s.ownSnapshot(tx, c, *in.SnapshotId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return nil, unshareAll(tx, c.In(tx), snap)
	})
}
