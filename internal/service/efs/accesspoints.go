package efs

import (
	"context"
	"reflect"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxAccessPoints is how many access points a file system can have.
const maxAccessPoints = 10000

func accessPointARN(v kit.View, id string) string {
	return "arn:" + partitionOf(v.Region()) + ":elasticfilesystem:" + v.Region() + ":" + v.Account() + ":access-point/" + id
}

func (s *Service) CreateAccessPoint(ctx context.Context, in *efsapi.CreateAccessPointRequest) (*efsapi.AccessPointDescription, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.AccessPointDescription, error) {
		v := c.In(tx)
		fs, err := availableFileSystem(v, *in.FileSystemId)
		if err != nil {
			return nil, err
		}
		ap := &accessPointRecord{
			Owner: v.Account(), FileSystemID: fs.ID, ClientToken: *in.ClientToken, Tags: tagsIn(in.Tags),
			PosixUser: posixIn(in.PosixUser), RootPath: "/", State: efsapi.LifeCycleStateCreating, Created: s.Clock.Now(),
		}
		if r := in.RootDirectory; r != nil {
			ap.RootPath = strings.TrimSuffix(deref(r.Path), "/")
			if ap.RootPath == "" {
				ap.RootPath = "/"
			}
			if ci := r.CreationInfo; ci != nil {
				ap.RootCreation = &creation{OwnerUID: *ci.OwnerUid, OwnerGID: *ci.OwnerGid, Permissions: *ci.Permissions}
			}
		}
		existing, err := pointsOf(v, fs.ID)
		if err != nil {
			return nil, err
		}
		for _, other := range existing {
			if other.ClientToken == ap.ClientToken {
				return samePoint(other, ap)
			}
		}
		if len(existing) >= maxAccessPoints {
			return nil, msgPointLimit.New(fs.ID, len(existing))
		}
		ap.ID = newID("fsap")
		ap.ARN = accessPointARN(v, ap.ID)
		if err := s.filePoint(tx, v, ap); err != nil {
			return nil, err
		}
		return pointOut(ap), nil
	})
}

// samePoint answers a CreateAccessPoint retried with its client token: the access point
// it made when the parameters are the same, AccessPointAlreadyExists when they are not.
func samePoint(old, asked *accessPointRecord) (*efsapi.AccessPointDescription, error) {
	if reflect.DeepEqual(old.PosixUser, asked.PosixUser) && old.RootPath == asked.RootPath &&
		reflect.DeepEqual(old.RootCreation, asked.RootCreation) && reflect.DeepEqual(old.Tags, asked.Tags) {
		return pointOut(old), nil
	}
	e := msgPointExists.New(asked.ClientToken)
	e.Fields = map[string]string{"AccessPointId": old.ID}
	return nil, e
}

func posixIn(p *efsapi.PosixUser) *posixUser {
	if p == nil {
		return nil
	}
	return &posixUser{UID: *p.Uid, GID: *p.Gid, SecondaryGIDs: p.SecondaryGids}
}

func (s *Service) filePoint(tx kit.Tx, v kit.View, ap *accessPointRecord) error {
	if err := accessPoints.Put(v, ap, ap.ID); err != nil {
		return err
	}
	if err := fsPoints.Add(v, ap.FileSystemID, ap.ID); err != nil {
		return err
	}
	_, err := jobPointReady.Enqueue(tx, s.After(), refIn(v, ap.ID))
	return err
}

func pointOut(ap *accessPointRecord) *efsapi.AccessPointDescription {
	d := &efsapi.AccessPointDescription{
		ClientToken: new(ap.ClientToken), Tags: tagsOut(ap.Tags), AccessPointId: new(ap.ID), AccessPointArn: new(ap.ARN),
		FileSystemId: new(ap.FileSystemID), OwnerId: new(ap.Owner), LifeCycleState: new(ap.State),
		RootDirectory: &efsapi.RootDirectory{Path: new(ap.RootPath)},
	}
	if name, ok := tagValue(ap.Tags, "Name"); ok {
		d.Name = new(name)
	}
	if p := ap.PosixUser; p != nil {
		d.PosixUser = &efsapi.PosixUser{Uid: new(p.UID), Gid: new(p.GID), SecondaryGids: p.SecondaryGIDs}
	}
	if ci := ap.RootCreation; ci != nil {
		d.RootDirectory.CreationInfo = &efsapi.CreationInfo{OwnerUid: new(ci.OwnerUID), OwnerGid: new(ci.OwnerGID), Permissions: new(ci.Permissions)}
	}
	return d
}

func (s *Service) runPointReady(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	ap, err := accessPoints.Get(v, p.ID)
	if err != nil || ap == nil || ap.State != efsapi.LifeCycleStateCreating {
		return err
	}
	ap.State = efsapi.LifeCycleStateAvailable
	return accessPoints.Put(v, ap, ap.ID)
}

func pointOf(v kit.View, id string) (*accessPointRecord, error) {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	ap, err := accessPoints.Get(v, id)
	if err != nil {
		return nil, err
	}
	if ap == nil {
		return nil, msgPointNotFound.New(id)
	}
	return ap, nil
}

func pointsOf(v kit.View, fsID string) ([]*accessPointRecord, error) {
	return filedUnder(v, fsPoints, accessPoints, fsID)
}

func (s *Service) DescribeAccessPoints(ctx context.Context, in *efsapi.DescribeAccessPointsRequest) (*efsapi.DescribeAccessPointsResponse, error) {
	c := s.Call(ctx)
	if in.AccessPointId != nil && in.FileSystemId != nil {
		return nil, msgPointFilter.New()
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeAccessPointsResponse, error) {
		v := c.In(tx)
		out := &efsapi.DescribeAccessPointsResponse{AccessPoints: []efsapi.AccessPointDescription{}}
		if in.AccessPointId != nil {
			ap, err := pointOf(v, *in.AccessPointId)
			if err != nil {
				return nil, err
			}
			out.AccessPoints = append(out.AccessPoints, *pointOut(ap))
			return out, nil
		}
		take := func(e kit.Entry) (bool, error) {
			ap, err := accessPoints.Get(v, e.Last())
			if err != nil || ap == nil {
				return false, err
			}
			out.AccessPoints = append(out.AccessPoints, *pointOut(ap))
			return true, nil
		}
		limit := pageSize(in.MaxResults, 100)
		var err error
		if in.FileSystemId != nil {
			fs, err := fileSystemOf(v, *in.FileSystemId)
			if err != nil {
				return nil, err
			}
			l := kit.List{Op: "DescribeAccessPoints", Account: c.Account, Region: c.Region, Within: fs.ID}
			out.NextToken, err = s.tokens.Scan(v, l, fsPoints, in.NextToken, limit, take, fs.ID)
		} else {
			l := kit.List{Op: "DescribeAccessPoints", Account: c.Account, Region: c.Region}
			out.NextToken, err = s.tokens.Scan(v, l, accessPoints, in.NextToken, limit, take)
		}
		return out, err
	})
}

func (s *Service) DeleteAccessPoint(ctx context.Context, in *efsapi.DeleteAccessPointRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		ap, err := pointOf(v, *in.AccessPointId)
		if err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, markDeleting(s, tx, v, deletion[accessPointRecord]{accessPoints, ap, ap.ID, &ap.State, jobPointGone})
	})
}

func (s *Service) runPointGone(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	ap, err := accessPoints.Get(v, p.ID)
	if err != nil || ap == nil || ap.State != efsapi.LifeCycleStateDeleting {
		return err
	}
	if err := fsPoints.Remove(v, ap.FileSystemID, ap.ID); err != nil {
		return err
	}
	return accessPoints.Delete(v, ap.ID)
}
