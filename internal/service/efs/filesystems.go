package efs

import (
	"context"
	"errors"
	"github.com/xregion/xregion/internal/awsmodel"
	"strings"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// efsAlias is the AWS managed key an encrypted file system uses when none is named.
const efsAlias = "alias/aws/elasticfilesystem"

// maxProvisionedMibps is the largest provisioned throughput AWS accepts without a quota
// increase.
const maxProvisionedMibps = 3414

// throughputCooldown is how long after a throughput mode change or a decrease of
// provisioned throughput another one waits.
const throughputCooldown = 24 * time.Hour

func newID(prefix string) string { return prefix + "-" + ids.Hex(9)[:17] }

func fileSystemARN(v kit.View, id string) string {
	return "arn:" + partitionOf(v.Region()) + ":elasticfilesystem:" + v.Region() + ":" + v.Account() + ":file-system/" + id
}

// fileSystemSpec is what a new file system is made of: CreateFileSystem's input once
// checked, or a replication's destination.
type fileSystemSpec struct {
	Token, Performance, Throughput string
	Mibps                          float64
	KeyARN                         string // "" for an unencrypted file system
	Zone                           port.Zone
	Tags                           []tag
	Backup, Protection             string
}

func (s *Service) CreateFileSystem(ctx context.Context, in *efsapi.CreateFileSystemRequest) (*efsapi.FileSystemDescription, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.FileSystemDescription, error) {
		v := c.In(tx)
		if id := idOfToken(v, *in.CreationToken); id != "" {
			e := msgFSExists.New(id, *in.CreationToken)
			e.Fields = map[string]string{"FileSystemId": id}
			return nil, e
		}
		spec, err := s.checkCreate(tx, v, in)
		if err != nil {
			return nil, err
		}
		fs, err := s.makeFileSystem(tx, v, spec)
		if err != nil {
			return nil, err
		}
		return s.describeOne(v, fs)
	})
}

// checkCreate checks CreateFileSystem's input and resolves its key and zone.
func (s *Service) checkCreate(tx kit.Tx, v kit.View, in *efsapi.CreateFileSystemRequest) (fileSystemSpec, error) {
	spec := fileSystemSpec{
		Token: *in.CreationToken, Performance: efsapi.PerformanceModeGeneralPurpose, Throughput: efsapi.ThroughputModeBursting,
		Tags: tagsIn(in.Tags), Backup: efsapi.StatusDisabled, Protection: efsapi.ReplicationOverwriteProtectionEnabled,
	}
	if in.PerformanceMode != nil {
		spec.Performance = *in.PerformanceMode
	}
	if in.ThroughputMode != nil {
		spec.Throughput = *in.ThroughputMode
	}
	mibps, err := checkThroughput(spec.Throughput, in.ProvisionedThroughputInMibps, 0)
	if err != nil {
		return spec, err
	}
	spec.Mibps = mibps
	if spec.Performance == efsapi.PerformanceModeMaxIO && spec.Throughput == efsapi.ThroughputModeElastic {
		return spec, msgMaxIOElastic.New()
	}
	if in.AvailabilityZoneName != nil {
		z, ok := s.zone(v.Region(), *in.AvailabilityZoneName)
		if !ok {
			return spec, msgBadZone.New(*in.AvailabilityZoneName)
		}
		if spec.Performance == efsapi.PerformanceModeMaxIO {
			return spec, msgMaxIOOneZone.New()
		}
		// One Zone file systems have automatic backups unless told otherwise.
		spec.Zone, spec.Backup = z, efsapi.StatusEnabled
	}
	if in.Backup != nil {
		spec.Backup = efsapi.StatusDisabled
		if *in.Backup {
			spec.Backup = efsapi.StatusEnabled
		}
	}
	if in.KmsKeyId != nil && !deref(in.Encrypted) {
		return spec, msgKmsWithoutEnc.New()
	}
	if deref(in.Encrypted) {
		key, err := s.efsKey(tx, v, deref(in.KmsKeyId))
		if err != nil {
			return spec, err
		}
		spec.KeyARN = key.ARN
	}
	return spec, nil
}

// checkThroughput checks a throughput mode and the provisioned throughput given with
// it; current is the file system's throughput, kept when the mode stays provisioned and
// none is given.
func checkThroughput(mode string, asked *float64, current float64) (float64, error) {
	if mode != efsapi.ThroughputModeProvisioned {
		if asked != nil {
			return 0, msgNoThroughput.New()
		}
		return 0, nil
	}
	mibps := current
	if asked != nil {
		mibps = *asked
	}
	if mibps <= 0 {
		return 0, msgNeedThroughput.New()
	}
	if mibps > maxProvisionedMibps {
		return 0, msgThroughputLimit.New(mibps, maxProvisionedMibps)
	}
	return mibps, nil
}

// makeFileSystem files a new file system, creating, with its data key, and arms its
// transition to available.
func (s *Service) makeFileSystem(tx kit.Tx, v kit.View, spec fileSystemSpec) (*fileSystemRecord, error) {
	id, err := newResourceID(v, "fs")
	if err != nil {
		return nil, err
	}
	fs := &fileSystemRecord{
		ID: id, ARN: fileSystemARN(v, id), Owner: v.Account(), CreationToken: spec.Token, Created: s.Clock.Now(),
		State: efsapi.LifeCycleStateCreating, PerformanceMode: spec.Performance, ThroughputMode: spec.Throughput,
		ProvisionedMibps: spec.Mibps, Encrypted: spec.KeyARN != "", KmsKeyARN: spec.KeyARN,
		ZoneName: spec.Zone.Name, ZoneID: spec.Zone.ID, Tags: spec.Tags, Backup: spec.Backup, Protection: spec.Protection,
	}
	wrapped, err := s.newDataKey(tx, v, fs.KmsKeyARN, id)
	if err != nil {
		return nil, err
	}
	fs.DataKey = wrapped
	if err := fileSystems.Put(v, fs, id); err != nil {
		return nil, err
	}
	if fs.Backup == efsapi.StatusEnabled {
		if err := s.ensureAutomaticPlan(tx, v); err != nil {
			return nil, err
		}
	}
	if err := byToken.Add(v, spec.Token, id); err != nil {
		return nil, err
	}
	_, err = jobFSReady.Enqueue(tx, s.After(), refIn(v, id))
	return fs, err
}

// runFSReady makes a creating or updating file system available.
func (s *Service) runFSReady(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	fs, err := fileSystems.Get(v, p.ID)
	if err != nil || fs == nil {
		return err
	}
	if fs.State != efsapi.LifeCycleStateCreating && fs.State != efsapi.LifeCycleStateUpdating {
		return nil
	}
	fs.State = efsapi.LifeCycleStateAvailable
	return fileSystems.Put(v, fs, fs.ID)
}

// idOfToken returns the file system a creation token made, or "".
func idOfToken(v kit.View, token string) string {
	var id string
	_ = byToken.Keys(v, "", func(e kit.Entry) bool { id = e.Last(); return false }, token)
	return id
}

// efsKey resolves the KMS key of an encrypted file system: the one named, else
// aws/elasticfilesystem (made on first use). It must be an enabled symmetric
// encryption key.
func (s *Service) efsKey(tx kit.Tx, v kit.View, id string) (port.KeyInfo, error) {
	if id == "" {
		id = efsAlias
	}
	info, err := s.keys.Resolve(tx, v.Account(), v.Region(), id)
	switch {
	case errors.Is(err, port.ErrKeyNotFound):
		return info, msgKeyNotFound.New(id)
	case port.KeyUnavailable(err):
		return info, msgKeyUnusable.New(id)
	case err != nil:
		return info, err
	case info.Usage != "ENCRYPT_DECRYPT" || info.Spec != "SYMMETRIC_DEFAULT":
		return info, msgKeyNotSymmetric.New(id)
	case !info.Enabled:
		return info, msgKeyUnusable.New(id)
	}
	return info, nil
}

// zone finds an Availability Zone of a Region by name.
func (s *Service) zone(region, name string) (port.Zone, bool) {
	for _, z := range s.network.Zones(region) {
		if z.Name == name {
			return z, true
		}
	}
	return port.Zone{}, false
}

// fileSystemOf finds a file system of the view by id or ARN, FileSystemNotFound if
// there is none.
func fileSystemOf(v kit.View, id string) (*fileSystemRecord, error) {
	if strings.HasPrefix(id, "arn:") {
		if !strings.Contains(id, ":"+v.Region()+":"+v.Account()+":") {
			return nil, msgFSNotFound.New(id)
		}
		id = id[strings.LastIndex(id, "/")+1:]
	}
	fs, err := fileSystems.Get(v, id)
	if err != nil {
		return nil, err
	}
	if fs == nil {
		return nil, msgFSNotFound.New(id)
	}
	return fs, nil
}

// availableFileSystem finds a file system that must be available for what is asked.
func availableFileSystem(v kit.View, id string) (*fileSystemRecord, error) {
	fs, err := fileSystemOf(v, id)
	if err != nil {
		return nil, err
	}
	if fs.State != efsapi.LifeCycleStateAvailable {
		return nil, msgFSState.New(id, fs.State)
	}
	return fs, nil
}

func (s *Service) DescribeFileSystems(ctx context.Context, in *efsapi.DescribeFileSystemsRequest) (*efsapi.DescribeFileSystemsResponse, error) {
	c := s.Call(ctx)
	if in.CreationToken != nil && in.FileSystemId != nil {
		return nil, msgTooManyIDs.New()
	}
	l := kit.List{Op: "DescribeFileSystems", Account: c.Account, Region: c.Region, Within: deref(in.CreationToken)}
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeFileSystemsResponse, error) {
		v := c.In(tx)
		out := &efsapi.DescribeFileSystemsResponse{Marker: in.Marker, FileSystems: []efsapi.FileSystemDescription{}}
		if in.FileSystemId != nil {
			fs, err := fileSystemOf(v, *in.FileSystemId)
			if err != nil {
				return nil, err
			}
			d, err := s.describeOne(v, fs)
			if err != nil {
				return nil, err
			}
			out.FileSystems = append(out.FileSystems, *d)
			return out, nil
		}
		take := func(e kit.Entry) (bool, error) {
			fs, err := fileSystems.Get(v, e.Last())
			if err != nil || fs == nil {
				return false, err
			}
			d, err := s.describeOne(v, fs)
			if err != nil {
				return false, err
			}
			out.FileSystems = append(out.FileSystems, *d)
			return true, nil
		}
		var err error
		if in.CreationToken != nil {
			out.NextMarker, err = s.markers.Scan(v, l, byToken, in.Marker, pageSize(in.MaxItems, 100), take, *in.CreationToken)
		} else {
			out.NextMarker, err = s.markers.Scan(v, l, fileSystems, in.Marker, pageSize(in.MaxItems, 100), take)
		}
		return out, err
	})
}

// pageSize is a request's page size, or the operation's default.
func pageSize(asked *int64, def int) int {
	if asked == nil || *asked > int64(def) {
		return def
	}
	return int(*asked)
}

func (s *Service) UpdateFileSystem(ctx context.Context, in *efsapi.UpdateFileSystemRequest) (*efsapi.FileSystemDescription, error) {
	c := s.Call(ctx)
	if in.ThroughputMode == nil && in.ProvisionedThroughputInMibps == nil {
		return nil, msgNothingToUpdate.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.FileSystemDescription, error) {
		v := c.In(tx)
		fs, err := availableFileSystem(v, *in.FileSystemId)
		if err != nil {
			return nil, err
		}
		mode := deref(in.ThroughputMode)
		if mode == "" {
			mode = fs.ThroughputMode
		}
		mibps, err := checkThroughput(mode, in.ProvisionedThroughputInMibps, fs.ProvisionedMibps)
		if err != nil {
			return nil, err
		}
		if err := s.throughputCooldown(fs, mode, mibps); err != nil {
			return nil, err
		}
		if mode != fs.ThroughputMode || mibps < fs.ProvisionedMibps {
			fs.ThroughputChanged = new(s.Clock.Now())
		}
		fs.ThroughputMode, fs.ProvisionedMibps, fs.State = mode, mibps, efsapi.LifeCycleStateUpdating
		if err := fileSystems.Put(v, fs, fs.ID); err != nil {
			return nil, err
		}
		if _, err := jobFSReady.Enqueue(tx, s.After(), refIn(v, fs.ID)); err != nil {
			return nil, err
		}
		return s.describeOne(v, fs)
	})
}

// throughputCooldown refuses a throughput mode change or a decrease within 24 hours of
// the last one, as AWS does; increases are always allowed.
func (s *Service) throughputCooldown(fs *fileSystemRecord, mode string, mibps float64) error {
	if mode == fs.ThroughputMode && mibps >= fs.ProvisionedMibps {
		return nil
	}
	if fs.ThroughputChanged == nil {
		return nil
	}
	if next := fs.ThroughputChanged.Add(throughputCooldown); s.Clock.Now().Before(next) {
		return msgTooSoon.New(fs.ID, next.UTC().Format(time.RFC3339))
	}
	return nil
}

func (s *Service) DeleteFileSystem(ctx context.Context, in *efsapi.DeleteFileSystemRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		fs, err := fileSystemOf(v, *in.FileSystemId)
		if err != nil {
			return nil, err
		}
		if fs.State == efsapi.LifeCycleStateDeleting {
			return &awsmodel.Empty{}, nil
		}
		if fs.MountTargets > 0 {
			return nil, msgFSHasTargets.New(fs.ID)
		}
		if replications.Has(v, fs.ID) {
			return nil, msgFSReplicated.New(fs.ID)
		}
		fs.State = efsapi.LifeCycleStateDeleting
		if err := fileSystems.Put(v, fs, fs.ID); err != nil {
			return nil, err
		}
		_, err = jobFSGone.Enqueue(tx, s.After(), refIn(v, fs.ID))
		return &awsmodel.Empty{}, err
	})
}

// runFSGone removes a deleted file system with its files and access points.
func (s *Service) runFSGone(tx kit.Tx, p ref) error {
	v := tx.In(p.Account, p.Region)
	fs, err := fileSystems.Get(v, p.ID)
	if err != nil || fs == nil || fs.State != efsapi.LifeCycleStateDeleting {
		return err
	}
	points, err := pointsOf(v, fs.ID)
	if err != nil {
		return err
	}
	for _, ap := range points {
		if err := accessPoints.Delete(v, ap.ID); err != nil {
			return err
		}
	}
	for _, drop := range []func() error{
		func() error { return fsPoints.RemoveAll(v, fs.ID) },
		func() error { return files.DeleteAll(v, fs.ID) },
		func() error { return fileData.DeleteAll(v, fs.ID) },
		func() error { return byToken.Remove(v, fs.CreationToken, fs.ID) },
		func() error { return fileSystems.Delete(v, fs.ID) },
	} {
		if err := drop(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) UpdateFileSystemProtection(ctx context.Context, in *efsapi.UpdateFileSystemProtectionRequest) (*efsapi.FileSystemProtectionDescription, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.FileSystemProtectionDescription, error) {
		v := c.In(tx)
		fs, err := availableFileSystem(v, *in.FileSystemId)
		if err != nil {
			return nil, err
		}
		asked := deref(in.ReplicationOverwriteProtection)
		if fs.Protection == efsapi.ReplicationOverwriteProtectionReplicating {
			return nil, msgProtectionInRepl.New(fs.ID)
		}
		switch asked {
		case "":
		case efsapi.ReplicationOverwriteProtectionEnabled, efsapi.ReplicationOverwriteProtectionDisabled:
			fs.Protection = asked
		default:
			return nil, msgProtectionValue.New()
		}
		if err := fileSystems.Put(v, fs, fs.ID); err != nil {
			return nil, err
		}
		return &efsapi.FileSystemProtectionDescription{ReplicationOverwriteProtection: new(fs.Protection)}, nil
	})
}
