package ec2

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

var volumeKind = kindOfResource[volumeRecord]{
	table: volumes, prefix: prefixVolume, idParam: "VolumeId", notFound: msgVolumeNotFound, malformed: msgVolumeMalformed,
	id: func(r *volumeRecord) string { return r.ID },
	fields: taggedFields(func(r *volumeRecord, f fields) {
		f.add("size")
		f.add("create-time")
		if r.ID != "" {
			f.add("size", strconv.FormatInt(r.Size, 10))
			f.add("create-time", r.Created.UTC().Format(time.RFC3339))
		}
		f.bool("fast-restored", false)
		for _, name := range []string{"attachment.attach-time", "attachment.delete-on-termination", "attachment.device",
			"attachment.instance-id", "attachment.status"} {
			f.add(name)
		}
	}),
}

func volumeOut(v kit.View, r *volumeRecord) ec2api.Volume {
	out := ec2api.Volume{
		VolumeId: new(r.ID), Size: new(r.Size), SnapshotId: new(r.SnapshotID), AvailabilityZone: new(r.Zone),
		AvailabilityZoneId: new(r.ZoneID), State: new(r.State), CreateTime: new(r.Created), VolumeType: new(r.Type),
		Encrypted: new(r.Encrypted), KmsKeyId: optional(r.KeyARN), MultiAttachEnabled: new(r.MultiAttach), FastRestored: new(false),
		Attachments: []ec2api.VolumeAttachment{}, Tags: tagsOfResource(v, r.ID),
	}
	if r.Iops > 0 {
		out.Iops = new(r.Iops)
	}
	if r.Throughput > 0 {
		out.Throughput = new(r.Throughput)
	}
	return out
}

func (r *volumeRecord) spec() volumeSpec {
	return volumeSpec{Type: r.Type, Size: r.Size, Iops: r.Iops, Throughput: r.Throughput, MultiAttach: r.MultiAttach}
}

func (r *volumeRecord) apply(s volumeSpec) {
	r.Type, r.Size, r.Iops, r.Throughput, r.MultiAttach = s.Type, s.Size, s.Iops, s.Throughput, s.MultiAttach
}

// checkVolumeRequest refuses what CreateVolume refuses before it looks at anything
// stored.
func checkVolumeRequest(in *ec2api.CreateVolumeRequest) error {
	switch {
	case in.OutpostArn != nil:
		return msgUnsupportedOption.New(paramOutpostArn)
	case in.Operator != nil:
		return msgUnsupportedOption.New(paramOperator)
	case in.VolumeInitializationRate != nil:
		return msgUnsupportedOption.New(paramVolumeInitializationRate)
	case in.AvailabilityZone == nil && in.AvailabilityZoneId == nil:
		return msgVolumeNeedsZone.New()
	case in.AvailabilityZone != nil && in.AvailabilityZoneId != nil:
		return msgZoneAndID.New()
	case in.Size == nil && in.SnapshotId == nil:
		return msgVolumeNeedsSize.New()
	case in.KmsKeyId != nil && !deref(in.Encrypted):
		return msgKeyWithoutEncrypt.New()
	}
	return nil
}

// requestHash fingerprints a CreateVolume for its client token: the same token with
// other parameters is refused.
func requestHash(parts ...any) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%v", parts)))
	return hex.EncodeToString(sum[:])
}

func (s *Service) CreateVolume(ctx context.Context, in *ec2api.CreateVolumeRequest) (*ec2api.Volume, error) {
	c := s.Call(ctx)
	if err := checkVolumeRequest(in); err != nil {
		return nil, err
	}
	tags, err := specTags(in.TagSpecifications, "volume")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.Volume, error) {
		if in.ClientToken != nil {
			if vol, err := byToken(v, volumeTokens, *in.ClientToken, requestHash(in.AvailabilityZone, in.AvailabilityZoneId, in.Size,
				in.SnapshotId, in.VolumeType, in.Iops, in.Throughput, in.Encrypted, in.KmsKeyId, in.MultiAttachEnabled)); err != nil || vol != "" {
				if err != nil {
					return nil, err
				}
				rec, err := volumeKind.get(v, vol)
				if err != nil {
					return nil, err
				}
				return new(volumeOut(v, rec)), nil
			}
		}
		vol, err := s.newVolume(tx, v, in)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := s.putNewVolume(tx, v, vol, tags); err != nil {
			return nil, err
		}
		if in.ClientToken != nil {
			if err := remember(v, volumeTokens, *in.ClientToken, vol.ID, requestHash(in.AvailabilityZone, in.AvailabilityZoneId, in.Size,
				in.SnapshotId, in.VolumeType, in.Iops, in.Throughput, in.Encrypted, in.KmsKeyId, in.MultiAttachEnabled)); err != nil {
				return nil, err
			}
		}
		return new(volumeOut(v, vol)), nil
	})
}

// byToken finds what an earlier request with the same client token made; the same token
// with other parameters is refused.
func byToken(v kit.View, t kit.Table[tokenRecord], token, hash string) (string, error) {
	rec, err := t.Get(v, token)
	if err != nil || rec == nil {
		return "", err
	}
	if rec.Hash != hash {
		return "", msgVolumeIdempotency.New(token)
	}
	return rec.ID, nil
}

func remember(v kit.View, t kit.Table[tokenRecord], token, id, hash string) error {
	return t.Put(v, &tokenRecord{ID: id, Hash: hash}, token)
}

// newVolume builds the volume CreateVolume asks for, checked against its zone, its
// snapshot, its type's rules and its key.
func (s *Service) newVolume(tx kit.Tx, v kit.View, in *ec2api.CreateVolumeRequest) (*volumeRecord, error) {
	zone, ok := zoneNamed(v.Region(), deref(in.AvailabilityZone)+deref(in.AvailabilityZoneId))
	if !ok {
		return nil, msgVolumeBadZone.New(deref(in.AvailabilityZone) + deref(in.AvailabilityZoneId))
	}
	vol := &volumeRecord{ID: newID(prefixVolume), Owner: v.Account(), Zone: zone.Name, ZoneID: zone.ID, State: ec2api.VolumeStateCreating, Created: s.Clock.Now()}
	var src *snapshotRecord
	var srcView kit.View
	if in.SnapshotId != nil {
		var err error
		if srcView, src, err = s.usableSnapshot(tx, v, *in.SnapshotId); err != nil {
			return nil, err
		}
		vol.SnapshotID = src.ID
	}
	size := deref(in.Size)
	if in.Size == nil {
		size = src.VolumeSize
	} else if src != nil && size < src.VolumeSize {
		return nil, msgVolumeSmallerSnap.New(size, src.ID, src.VolumeSize)
	}
	typ := ec2api.VolumeTypeGp2
	if in.VolumeType != nil {
		typ = *in.VolumeType
	}
	spec, err := settle(typ, size, in.Iops, in.Throughput, deref(in.MultiAttachEnabled))
	if err != nil {
		return nil, err
	}
	vol.apply(spec)
	return vol, s.encryptVolume(tx, v, vol, in, srcView, src)
}

// encryptVolume decides whether a new volume is encrypted and under which key, gives it
// its data key and fills it from its snapshot. A volume is encrypted when asked, when its
// snapshot is, or when the account encrypts by default; its key is the one asked for,
// else its snapshot's (in the same account), else the account's default. A volume made
// under its snapshot's key in the snapshot's account and Region joins the snapshot's
// lineage; any other is a new one.
func (s *Service) encryptVolume(tx kit.Tx, v kit.View, vol *volumeRecord, in *ec2api.CreateVolumeRequest, srcView kit.View, src *snapshotRecord) error {
	set, err := settingsOf(v)
	if err != nil {
		return err
	}
	vol.Encrypted = deref(in.Encrypted) || set.ByDefault || (src != nil && src.Encrypted)
	sameView := src != nil && srcView.Account() == v.Account() && srcView.Region() == v.Region()
	if vol.Encrypted {
		asked := in.KmsKeyId
		if asked == nil && sameView && src.Encrypted {
			asked = &src.KeyARN
		}
		info, err := s.ebsKey(tx, v, asked)
		if err != nil {
			return err
		}
		vol.KeyARN = info.ARN
	}
	if sameView && src.KeyARN == vol.KeyARN {
		vol.DataKeyID = src.DataKeyID
		z, err := s.openDataKey(tx, v, src.DataKeyID)
		if err != nil {
			return err
		}
		return fillVolume(lineage{v, z}, src.ID, lineage{v, z}, vol.ID)
	}
	z, err := s.newDataKey(tx, v, vol.KeyARN, vol.ID)
	if err != nil {
		return err
	}
	vol.DataKeyID = z.id
	if src == nil {
		return nil
	}
	from, err := s.openDataKey(tx, srcView, src.DataKeyID)
	if err != nil {
		return err
	}
	return fillVolume(lineage{srcView, from}, src.ID, lineage{v, z}, vol.ID)
}

// putNewVolume writes a volume that is creating, and the job that makes it available.
func (s *Service) putNewVolume(tx kit.Tx, v kit.View, vol *volumeRecord, tags []ec2api.Tag) error {
	job, err := jobVolumeReady.Enqueue(tx, s.After(), volumeRef{Account: v.Account(), Region: v.Region(), VolumeID: vol.ID})
	if err != nil {
		return err
	}
	vol.Job = job
	if err := volumes.Put(v, vol, vol.ID); err != nil {
		return err
	}
	if err := s.grantVolumeKey(tx, v, vol); err != nil {
		return err
	}
	return setTags(v, vol.ID, tags)
}

func (s *Service) DescribeVolumes(ctx context.Context, in *ec2api.DescribeVolumesRequest) (*ec2api.DescribeVolumesResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeVolumesResult, error) {
		items, next, err := describeOut(s, v, volumeKind, describeQuery{"DescribeVolumes", in.VolumeIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, volumeOut)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeVolumesResult{Volumes: items, NextToken: next}, nil
	})
}

func (s *Service) DeleteVolume(ctx context.Context, in *ec2api.DeleteVolumeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		vol, err := volumeKind.get(v, *in.VolumeId)
		if err != nil {
			return nil, err
		}
		if vol.State != ec2api.VolumeStateAvailable && vol.State != ec2api.VolumeStateCreating && vol.State != ec2api.VolumeStateError {
			return nil, msgVolumeState.New(vol.ID, vol.State)
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := tx.CancelJobs(vol.Job); err != nil {
			return nil, err
		}
		job, err := jobVolumeGone.Enqueue(tx, s.After(), volumeRef{Account: c.Account, Region: c.Region, VolumeID: vol.ID})
		if err != nil {
			return nil, err
		}
		vol.State, vol.Job = ec2api.VolumeStateDeleting, job
		return nil, volumes.Put(v, vol, vol.ID)
	})
}

// dropVolume deletes a volume's records and data.
func dropVolume(v kit.View, id string) error {
	for _, del := range []func() error{
		func() error { return volumeBlocks.DeleteAll(v, id) },
		func() error { return dirtyBlocks.RemoveAll(v, id) },
		func() error { return modifications.Delete(v, id) },
		func() error { return volumes.Delete(v, id) },
		func() error { return tagSets.Delete(v, id) },
	} {
		if err := del(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) DescribeVolumeStatus(ctx context.Context, in *ec2api.DescribeVolumeStatusRequest) (*ec2api.DescribeVolumeStatusResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeVolumeStatusResult, error) {
		kind := volumeKind
		kind.fields = func(r *volumeRecord) fields {
			f := volumeKind.fields(r)
			f.add("volume-status.status", "ok")
			f.add("volume-status.details-name", "io-enabled", "io-performance")
			f.add("volume-status.details-status", "passed", "not-applicable")
			f.add("action.code")
			f.add("event.event-type")
			return f
		}
		p, err := kind.describe(s, v, describeQuery{"DescribeVolumeStatus", in.VolumeIds, in.Filters, in.MaxResults, in.NextToken})
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		out := &ec2api.DescribeVolumeStatusResult{VolumeStatuses: []ec2api.VolumeStatusItem{}, NextToken: p.next}
		for _, r := range p.items {
			out.VolumeStatuses = append(out.VolumeStatuses, ec2api.VolumeStatusItem{
				VolumeId: new(r.ID), AvailabilityZone: new(r.Zone), AvailabilityZoneId: new(r.ZoneID),
				Actions: []ec2api.VolumeStatusAction{}, Events: []ec2api.VolumeStatusEvent{},
				VolumeStatus: &ec2api.VolumeStatusInfo{Status: new("ok"), Details: []ec2api.VolumeStatusDetails{
					{Name: new("io-enabled"), Status: new("passed")}, {Name: new("io-performance"), Status: new("not-applicable")},
				}},
			})
		}
		return out, nil
	})
}

func (s *Service) DescribeVolumeAttribute(ctx context.Context, in *ec2api.DescribeVolumeAttributeRequest) (*ec2api.DescribeVolumeAttributeResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeVolumeAttributeResult, error) {
		vol, err := volumeKind.get(v, *in.VolumeId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		out := &ec2api.DescribeVolumeAttributeResult{VolumeId: new(vol.ID)}
		if *in.Attribute == ec2api.VolumeAttributeNameAutoEnableIO {
			out.AutoEnableIO = &ec2api.AttributeBooleanValue{Value: new(vol.AutoEnableIO)}
		} else {
			out.ProductCodes = []ec2api.ProductCode{}
		}
		return out, nil
	})
}

func (s *Service) ModifyVolumeAttribute(ctx context.Context, in *ec2api.ModifyVolumeAttributeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if in.AutoEnableIO == nil || in.AutoEnableIO.Value == nil {
		return nil, msgNoAttribute.New(paramAutoEnableIO)
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		vol, err := volumeKind.get(v, *in.VolumeId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		vol.AutoEnableIO = *in.AutoEnableIO.Value
		return nil, volumes.Put(v, vol, vol.ID)
	})
}
