package efs

import (
	"context"
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// EFS replication keeps a read-only copy of a file system in another Region (or the
// same one), updated every syncInterval; deleting the configuration makes the copy
// writable, which is the failover step of a disaster recovery plan. Each Region keeps
// its side of the configuration (replicationRecord), so that the destination's side can
// be deleted while the source's Region is unreachable.

func (s *Service) CreateReplicationConfiguration(ctx context.Context, in *efsapi.CreateReplicationConfigurationRequest) (*efsapi.ReplicationConfigurationDescription, error) {
	c := s.Call(ctx)
	if len(in.Destinations) != 1 {
		return nil, msgReplOneDestination.New()
	}
	dest := in.Destinations[0]
	region := deref(dest.Region)
	if region == "" {
		region = c.Region
	}
	if p, ok := regions.Partition(region); !ok || p != c.Partition {
		return nil, msgReplBadRegion.New(region, c.Region)
	}
	if _, down := s.Unreachable(region); down {
		return nil, msgReplUnreachable.New(region)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.ReplicationConfigurationDescription, error) {
		v, dv := c.In(tx), tx.In(c.Account, region)
		src, err := availableFileSystem(v, *in.SourceFileSystemId)
		if err != nil {
			return nil, err
		}
		if replications.Has(v, src.ID) || src.Protection == efsapi.ReplicationOverwriteProtectionReplicating {
			return nil, msgReplExists.New(src.ID)
		}
		dst, err := s.replicaOf(tx, dv, src, dest)
		if err != nil {
			return nil, err
		}
		rec := &replicationRecord{
			Source:         endpoint{Account: c.Account, Region: c.Region, FileSystemID: src.ID},
			OriginalSource: src.ARN, Destination: endpoint{Account: c.Account, Region: region, FileSystemID: dst.ID},
			Created: s.Clock.Now(), Status: efsapi.ReplicationStatusEnabling, KmsKeyARN: dst.KmsKeyARN, RoleARN: deref(dest.RoleArn),
		}
		if err := s.saveSides(tx, rec, true); err != nil {
			return nil, err
		}
		if _, err := jobReplEnable.Enqueue(tx, s.After(), refIn(v, src.ID)); err != nil {
			return nil, err
		}
		return replicationOut(rec), nil
	})
}

// replicaOf is the destination file system of a new replication: the existing one named,
// which must have its overwrite protection disabled, or a new one like the source,
// encrypted with the key named or the destination's aws/elasticfilesystem. Either is
// REPLICATING: read-only, changed by replication only.
func (s *Service) replicaOf(tx kit.Tx, dv kit.View, src *fileSystemRecord, dest efsapi.DestinationToCreate) (*fileSystemRecord, error) {
	if id := deref(dest.FileSystemId); id != "" {
		if dest.AvailabilityZoneName != nil || dest.KmsKeyId != nil {
			return nil, msgReplDestAndZone.New()
		}
		return existingReplica(dv, id)
	}
	key, err := s.efsKey(tx, dv, deref(dest.KmsKeyId))
	if err != nil {
		return nil, err
	}
	spec := fileSystemSpec{
		Token: ids.UUID(), Performance: src.PerformanceMode, Throughput: src.ThroughputMode, Mibps: src.ProvisionedMibps,
		KeyARN: key.ARN, Backup: efsapi.StatusDisabled, Protection: efsapi.ReplicationOverwriteProtectionReplicating,
	}
	if name := deref(dest.AvailabilityZoneName); name != "" {
		z, ok := s.zone(dv.Region(), name)
		if !ok {
			return nil, msgBadZone.New(name)
		}
		spec.Zone = z
	}
	return s.makeFileSystem(tx, dv, spec)
}

func existingReplica(dv kit.View, id string) (*fileSystemRecord, error) {
	dst, err := fileSystems.Get(dv, id)
	if err != nil {
		return nil, err
	}
	if dst == nil {
		return nil, msgReplDestNotFound.New(id, dv.Region())
	}
	if dst.State != efsapi.LifeCycleStateAvailable {
		return nil, msgFSState.New(id, dst.State)
	}
	switch {
	case dst.Protection == efsapi.ReplicationOverwriteProtectionReplicating || replications.Has(dv, id):
		return nil, msgReplDestBusy.New(id)
	case dst.Protection != efsapi.ReplicationOverwriteProtectionDisabled:
		return nil, msgReplDestProtected.New(id)
	}
	dst.Protection = efsapi.ReplicationOverwriteProtectionReplicating
	return dst, fileSystems.Put(dv, dst, dst.ID)
}

// saveSides stores a replication's record in both Regions; with create false, only the
// sides that still exist and whose Region is reachable.
func (s *Service) saveSides(tx kit.Tx, rec *replicationRecord, create bool) error {
	for _, e := range []endpoint{rec.Source, rec.Destination} {
		v := tx.In(e.Account, e.Region)
		if !create && (!replications.Has(v, e.FileSystemID) || s.Faults.Unreachable(e.Region)) {
			continue
		}
		if err := replications.Put(v, rec, e.FileSystemID); err != nil {
			return err
		}
	}
	return nil
}

func replicationOut(rec *replicationRecord) *efsapi.ReplicationConfigurationDescription {
	src := rec.Source
	d := efsapi.Destination{
		Status: new(rec.Status), FileSystemId: new(rec.Destination.FileSystemID), Region: new(rec.Destination.Region),
		LastReplicatedTimestamp: rec.LastReplicated, OwnerId: new(rec.Destination.Account),
	}
	if rec.StatusMessage != "" {
		d.StatusMessage = new(rec.StatusMessage)
	}
	if rec.RoleARN != "" {
		d.RoleArn = new(rec.RoleARN)
	}
	return &efsapi.ReplicationConfigurationDescription{
		SourceFileSystemId: new(src.FileSystemID), SourceFileSystemRegion: new(src.Region),
		SourceFileSystemArn:         new("arn:" + partitionOf(src.Region) + ":elasticfilesystem:" + src.Region + ":" + src.Account + ":file-system/" + src.FileSystemID),
		OriginalSourceFileSystemArn: new(rec.OriginalSource), CreationTime: new(rec.Created),
		Destinations: []efsapi.Destination{d}, SourceFileSystemOwnerId: new(src.Account),
	}
}

// replicationIn finds the side of a replication a file system of the view is part of.
func replicationIn(v kit.View, id string) (*replicationRecord, error) {
	id = id[strings.LastIndex(id, "/")+1:] // a file system's ARN ends with its id
	rec, err := replications.Get(v, id)
	if err != nil || rec != nil {
		return rec, err
	}
	if _, err := fileSystemOf(v, id); err != nil {
		return nil, err
	}
	return nil, msgReplNotFound.New(id)
}

func (s *Service) DescribeReplicationConfigurations(ctx context.Context, in *efsapi.DescribeReplicationConfigurationsRequest) (*efsapi.DescribeReplicationConfigurationsResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeReplicationConfigurationsResponse, error) {
		v := c.In(tx)
		out := &efsapi.DescribeReplicationConfigurationsResponse{Replications: []efsapi.ReplicationConfigurationDescription{}}
		if in.FileSystemId != nil {
			rec, err := replicationIn(v, *in.FileSystemId)
			if err != nil {
				return nil, err
			}
			out.Replications = append(out.Replications, *replicationOut(rec))
			return out, nil
		}
		l := kit.List{Op: "DescribeReplicationConfigurations", Account: c.Account, Region: c.Region}
		var err error
		out.NextToken, err = s.tokens.Scan(v, l, replications, in.NextToken, pageSize(in.MaxResults, 100), func(e kit.Entry) (bool, error) {
			rec, err := replications.Get(v, e.Last())
			if err != nil || rec == nil {
				return false, err
			}
			out.Replications = append(out.Replications, *replicationOut(rec))
			return true, nil
		})
		return out, err
	})
}

// DeleteReplicationConfiguration starts deleting a replication from either Region: this
// Region's side at once, the other's when its Region can be reached (ALL_CONFIGURATIONS,
// the default) or never (LOCAL_CONFIGURATION_ONLY).
func (s *Service) DeleteReplicationConfiguration(ctx context.Context, in *efsapi.DeleteReplicationConfigurationRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	all := deref(in.DeletionMode) != efsapi.DeletionModeLocalConfigurationOnly
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		rec, err := replicationIn(v, *in.SourceFileSystemId)
		if err != nil {
			return nil, err
		}
		local := rec.Source.FileSystemID
		if !rec.isSource(c.Region) || rec.Destination.Region == c.Region && strings.HasSuffix(*in.SourceFileSystemId, rec.Destination.FileSystemID) {
			local = rec.Destination.FileSystemID
		}
		if !all && rec.Source.Region == rec.Destination.Region && rec.Source.Account == rec.Destination.Account {
			return nil, msgReplLocalOnly.New()
		}
		if rec.Status == efsapi.ReplicationStatusDeleting {
			return &awsmodel.Empty{}, nil
		}
		rec.Status = efsapi.ReplicationStatusDeleting
		if err := replications.Put(v, rec, local); err != nil {
			return nil, err
		}
		p := refIn(v, local)
		p.All = all
		_, err = jobReplDelete.Enqueue(tx, s.After(), p)
		return &awsmodel.Empty{}, err
	})
}

// runReplDelete removes one Region's side of a replication. The destination's file
// system becomes writable, with its overwrite protection enabled again. With All, the
// other side follows in a job of its own, which waits while its Region is unreachable.
func (s *Service) runReplDelete(tx kit.Tx, p ref) error {
	if _, down := s.Unreachable(p.Region); down {
		return fmt.Errorf("efs: deleting the replication of %s: Region %s is unreachable", p.ID, p.Region)
	}
	v := tx.In(p.Account, p.Region)
	rec, err := replications.Get(v, p.ID)
	if err != nil || rec == nil {
		return err
	}
	if err := replications.Delete(v, p.ID); err != nil {
		return err
	}
	local, other := rec.Source, rec.Destination
	if rec.Destination.Region == p.Region && rec.Destination.FileSystemID == p.ID {
		local, other = rec.Destination, rec.Source
		if err := releaseReplica(v, p.ID); err != nil {
			return err
		}
	}
	if !p.All || (other == local) {
		return nil
	}
	_, err = jobReplDelete.Enqueue(tx, s.After(), ref{Account: other.Account, Region: other.Region, ID: other.FileSystemID})
	return err
}

// releaseReplica makes a replication's destination writable again.
func releaseReplica(v kit.View, id string) error {
	fs, err := fileSystems.Get(v, id)
	if err != nil || fs == nil {
		return err
	}
	fs.Protection = efsapi.ReplicationOverwriteProtectionEnabled
	return fileSystems.Put(v, fs, fs.ID)
}
