package efs

import (
	"context"
	"errors"
	"fmt"

	"github.com/xregion/xregion/internal/awsmodel"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// maxGroups is how many security groups a mount target can have.
const maxGroups = 5

func (s *Service) CreateMountTarget(ctx context.Context, in *efsapi.CreateMountTargetRequest) (*efsapi.MountTargetDescription, error) {
	c := s.Call(ctx)
	if err := checkAddressParams(in); err != nil {
		return nil, err
	}
	if len(in.SecurityGroups) > maxGroups {
		return nil, msgTooManyGroups.New(len(in.SecurityGroups))
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.MountTargetDescription, error) {
		v := c.In(tx)
		fs, err := availableFileSystem(v, *in.FileSystemId)
		if err != nil {
			return nil, err
		}
		sub, err := s.targetSubnet(tx, v, fs, *in.SubnetId)
		if err != nil {
			return nil, err
		}
		id, err := newResourceID(v, "fsmt")
		if err != nil {
			return nil, err
		}
		mt := &mountTargetRecord{
			ID: id, Owner: v.Account(), FileSystemID: fs.ID, SubnetID: sub.ID, VpcID: sub.VpcID,
			ZoneName: sub.Zone.Name, ZoneID: sub.Zone.ID, State: efsapi.LifeCycleStateCreating, Created: s.Clock.Now(),
		}
		spec, err := interfaceSpec(in, sub)
		if err != nil {
			return nil, err
		}
		spec.Description = fmt.Sprintf("EFS mount target for %s (%s)", fs.ID, mt.ID)
		eni, err := s.network.CreateInterface(tx, v.Account(), v.Region(), spec)
		if err != nil {
			return nil, interfaceError(err, sub, askedAddress(in))
		}
		mt.InterfaceID, mt.IPAddress, mt.IPv6Address, mt.Groups = eni.ID, eni.PrivateIP, eni.IPv6Address, eni.SecurityGroupIDs
		if err := s.fileTarget(tx, v, fs, mt); err != nil {
			return nil, err
		}
		return targetOut(mt), nil
	})
}

// targetSubnet finds the subnet of a new mount target and checks it against the file
// system's other mount targets: one per Availability Zone, all in one VPC, and in the
// zone of a One Zone file system.
func (s *Service) targetSubnet(tx kit.Tx, v kit.View, fs *fileSystemRecord, subnetID string) (port.Subnet, error) {
	subs, err := s.network.Subnets(tx, v.Account(), v.Region(), []string{subnetID})
	if errors.Is(err, port.ErrSubnetNotFound) {
		return port.Subnet{}, msgSubnetNotFound.New(subnetID)
	}
	if err != nil {
		return port.Subnet{}, err
	}
	sub := subs[0]
	if fs.ZoneName != "" && sub.Zone.Name != fs.ZoneName {
		return sub, msgZoneMismatch.New(sub.ID, sub.Zone.Name, fs.ID, fs.ZoneName)
	}
	targets, err := targetsOf(v, fs.ID)
	if err != nil {
		return sub, err
	}
	for _, mt := range targets {
		if mt.VpcID != sub.VpcID {
			return sub, msgTargetOtherVPC.New(fs.ID, mt.VpcID)
		}
		if mt.ZoneName == sub.Zone.Name {
			return sub, msgTargetInZone.New()
		}
	}
	return sub, nil
}

// interfaceError answers the network's refusal of a mount target's interface.
func interfaceError(err error, sub port.Subnet, ip string) error {
	switch {
	case errors.Is(err, port.ErrAddressInUse):
		return msgAddressInUse.New(ip, sub.ID)
	case errors.Is(err, port.ErrAddressNotInSubnet):
		return msgAddressOutside.New(ip, sub.ID)
	case errors.Is(err, port.ErrSubnetFull):
		return msgSubnetFull.New(sub.ID)
	case errors.Is(err, port.ErrSecurityGroupNotFound), errors.Is(err, port.ErrVPCMismatch):
		id, _ := port.MissingID(err)
		return msgGroupNotFound.New(id, sub.VpcID)
	}
	return err
}

// fileTarget files a new mount target under its file system and arms its transition to
// available.
func (s *Service) fileTarget(tx kit.Tx, v kit.View, fs *fileSystemRecord, mt *mountTargetRecord) error {
	if err := mountTargets.Put(v, mt, mt.ID); err != nil {
		return err
	}
	if err := fsTargets.Add(v, fs.ID, mt.ID); err != nil {
		return err
	}
	fs.MountTargets++
	if err := fileSystems.Put(v, fs, fs.ID); err != nil {
		return err
	}
	_, err := jobTargetReady.Enqueue(tx, s.After(), refIn(v, mt.ID))
	return err
}

func targetsOf(v kit.View, fsID string) ([]*mountTargetRecord, error) {
	return filedUnder(v, fsTargets, mountTargets, fsID)
}

// filedUnder reads the records of table that index files under a file system.
func filedUnder[T any](v kit.View, index kit.Index, table kit.Table[T], fsID string) ([]*T, error) {
	var out []*T
	var err error
	scanErr := index.Keys(v, "", func(e kit.Entry) bool {
		var rec *T
		if rec, err = table.Get(v, e.Last()); err != nil {
			return false
		}
		if rec != nil {
			out = append(out, rec)
		}
		return true
	}, fsID)
	if scanErr != nil {
		return nil, scanErr
	}
	return out, err
}

func targetOut(mt *mountTargetRecord) *efsapi.MountTargetDescription {
	return &efsapi.MountTargetDescription{
		OwnerId: new(mt.Owner), MountTargetId: new(mt.ID), FileSystemId: new(mt.FileSystemID), SubnetId: new(mt.SubnetID),
		LifeCycleState: new(mt.State), IpAddress: optional(mt.IPAddress), Ipv6Address: optional(mt.IPv6Address), NetworkInterfaceId: new(mt.InterfaceID),
		AvailabilityZoneId: new(mt.ZoneID), AvailabilityZoneName: new(mt.ZoneName), VpcId: new(mt.VpcID),
	}
}

func (s *Service) runTargetReady(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	mt, err := mountTargets.Get(v, p.ID)
	if err != nil || mt == nil || mt.State != efsapi.LifeCycleStateCreating {
		return err
	}
	mt.State = efsapi.LifeCycleStateAvailable
	return mountTargets.Put(v, mt, mt.ID)
}

func targetOf(v kit.View, id string) (*mountTargetRecord, error) {
	mt, err := mountTargets.Get(v, id)
	if err != nil {
		return nil, err
	}
	if mt == nil {
		return nil, msgTargetNotFound.New(id)
	}
	return mt, nil
}

func (s *Service) DescribeMountTargets(ctx context.Context, in *efsapi.DescribeMountTargetsRequest) (*efsapi.DescribeMountTargetsResponse, error) {
	c := s.Call(ctx)
	given := 0
	for _, p := range []*string{in.FileSystemId, in.MountTargetId, in.AccessPointId} {
		if p != nil {
			given++
		}
	}
	if given != 1 {
		return nil, msgTargetFilter.New()
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeMountTargetsResponse, error) {
		v := c.In(tx)
		out := &efsapi.DescribeMountTargetsResponse{Marker: in.Marker, MountTargets: []efsapi.MountTargetDescription{}}
		if in.MountTargetId != nil {
			mt, err := targetOf(v, *in.MountTargetId)
			if err != nil {
				return nil, err
			}
			out.MountTargets = append(out.MountTargets, *targetOut(mt))
			return out, nil
		}
		fsID, err := targetsFileSystem(v, in)
		if err != nil {
			return nil, err
		}
		l := kit.List{Op: "DescribeMountTargets", Account: c.Account, Region: c.Region, Within: fsID}
		out.NextMarker, err = s.markers.Scan(v, l, fsTargets, in.Marker, pageSize(in.MaxItems, 10), func(e kit.Entry) (bool, error) {
			mt, err := mountTargets.Get(v, e.Last())
			if err != nil || mt == nil {
				return false, err
			}
			out.MountTargets = append(out.MountTargets, *targetOut(mt))
			return true, nil
		}, fsID)
		return out, err
	})
}

// targetsFileSystem is the file system whose mount targets a request lists: named, or
// the one of the access point named.
func targetsFileSystem(v kit.View, in *efsapi.DescribeMountTargetsRequest) (string, error) {
	if in.AccessPointId != nil {
		ap, err := pointOf(v, *in.AccessPointId)
		if err != nil {
			return "", err
		}
		return ap.FileSystemID, nil
	}
	fs, err := fileSystemOf(v, *in.FileSystemId)
	if err != nil {
		return "", err
	}
	return fs.ID, nil
}

func (s *Service) DeleteMountTarget(ctx context.Context, in *efsapi.DeleteMountTargetRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		mt, err := targetOf(v, *in.MountTargetId)
		if err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, markDeleting(s, tx, v, deletion[mountTargetRecord]{mountTargets, mt, mt.ID, &mt.State, jobTargetGone})
	})
}

// runTargetGone removes a deleted mount target, its network interface, and its count in
// its file system.
func (s *Service) runTargetGone(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	mt, err := mountTargets.Get(v, p.ID)
	if err != nil || mt == nil || mt.State != efsapi.LifeCycleStateDeleting {
		return err
	}
	if err := s.network.DeleteInterface(tx, p.Account, p.Region, mt.InterfaceID); err != nil {
		return err
	}
	if err := fsTargets.Remove(v, mt.FileSystemID, mt.ID); err != nil {
		return err
	}
	if err := mountTargets.Delete(v, mt.ID); err != nil {
		return err
	}
	fs, err := fileSystems.Get(v, mt.FileSystemID)
	if err != nil || fs == nil {
		return err
	}
	fs.MountTargets--
	return fileSystems.Put(v, fs, fs.ID)
}

// availableTarget finds a mount target that must be available for what is asked.
func availableTarget(v kit.View, id string) (*mountTargetRecord, error) {
	mt, err := targetOf(v, id)
	if err != nil {
		return nil, err
	}
	if mt.State != efsapi.LifeCycleStateAvailable {
		return nil, msgTargetState.New(id, mt.State)
	}
	return mt, nil
}

func (s *Service) DescribeMountTargetSecurityGroups(ctx context.Context, in *efsapi.DescribeMountTargetSecurityGroupsRequest) (*efsapi.DescribeMountTargetSecurityGroupsResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeMountTargetSecurityGroupsResponse, error) {
		mt, err := availableTarget(c.In(tx), *in.MountTargetId)
		if err != nil {
			return nil, err
		}
		return &efsapi.DescribeMountTargetSecurityGroupsResponse{SecurityGroups: append([]string{}, mt.Groups...)}, nil
	})
}

func (s *Service) ModifyMountTargetSecurityGroups(ctx context.Context, in *efsapi.ModifyMountTargetSecurityGroupsRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if len(in.SecurityGroups) > maxGroups {
		return nil, msgTooManyGroups.New(len(in.SecurityGroups))
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		mt, err := availableTarget(v, *in.MountTargetId)
		if err != nil {
			return nil, err
		}
		groups, err := s.network.SetInterfaceGroups(tx, v.Account(), v.Region(), mt.InterfaceID, in.SecurityGroups)
		if err != nil {
			return nil, interfaceError(err, port.Subnet{ID: mt.SubnetID, VpcID: mt.VpcID}, mt.IPAddress)
		}
		mt.Groups = groups
		return &awsmodel.Empty{}, mountTargets.Put(v, mt, mt.ID)
	})
}
