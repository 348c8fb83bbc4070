package ec2

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// modifyInterval is how long EBS makes a volume wait between modifications.
const modifyInterval = 6 * time.Hour

// A modification moves modifying → optimizing (the volume has its new size and
// performance) → completed, one transition delay each, on the job engine's clock.

func (s *Service) ModifyVolume(ctx context.Context, in *ec2api.ModifyVolumeRequest) (*ec2api.ModifyVolumeResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.ModifyVolumeResult, error) {
		vol, err := volumeKind.get(v, *in.VolumeId)
		if err != nil {
			return nil, err
		}
		if err := canModify(v, vol, c.Now()); err != nil {
			return nil, err
		}
		target, err := modifiedSpec(vol, in)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		m := &modificationRecord{
			VolumeID: vol.ID, State: ec2api.VolumeModificationStateModifying, Started: c.Now(), Due: s.After(),
			OriginalSize: vol.Size, OriginalIops: vol.Iops, OriginalType: vol.Type, OriginalTput: vol.Throughput, OriginalMulti: vol.MultiAttach,
			TargetSize: target.Size, TargetIops: target.Iops, TargetType: target.Type, TargetTput: target.Throughput, TargetMulti: target.MultiAttach,
		}
		if _, err := jobModify.Enqueue(tx, m.Due, volumeRef{Account: c.Account, Region: c.Region, VolumeID: vol.ID}); err != nil {
			return nil, err
		}
		vol.LastModified = new(c.Now())
		if err := volumes.Put(v, vol, vol.ID); err != nil {
			return nil, err
		}
		return &ec2api.ModifyVolumeResult{VolumeModification: new(modificationOut(m, c.Now()))}, modifications.Put(v, m, vol.ID)
	})
}

// canModify refuses a volume that is not available, is being modified, or was modified
// less than six hours ago.
func canModify(v kit.View, vol *volumeRecord, now time.Time) error {
	if vol.State != ec2api.VolumeStateAvailable && vol.State != ec2api.VolumeStateInUse {
		return msgVolumeState.New(vol.ID, vol.State)
	}
	m, err := modifications.Get(v, vol.ID)
	if err != nil {
		return err
	}
	if m != nil && m.State != ec2api.VolumeModificationStateCompleted && m.State != ec2api.VolumeModificationStateFailed {
		return msgModifying.New(vol.ID, m.State)
	}
	if vol.LastModified != nil && now.Sub(*vol.LastModified) < modifyInterval {
		return msgModifyRate.New()
	}
	return nil
}

// modifiedSpec is the volume's spec with what the request changes: a gp2 volume moved to
// gp3 gets gp3's defaults, and so on, as if it were created so.
func modifiedSpec(vol *volumeRecord, in *ec2api.ModifyVolumeRequest) (volumeSpec, error) {
	cur := vol.spec()
	typ, size := cur.Type, cur.Size
	if in.VolumeType != nil {
		typ = *in.VolumeType
	}
	if in.Size != nil {
		if *in.Size < cur.Size {
			return cur, msgModifyShrink.New()
		}
		size = *in.Size
	}
	iops, tput := in.Iops, in.Throughput
	if iops == nil && typ == cur.Type && volumeClasses[typ].provisionedIops {
		iops = &cur.Iops
	}
	if tput == nil && typ == cur.Type && volumeClasses[typ].throughput {
		tput = &cur.Throughput
	}
	multi := cur.MultiAttach
	if in.MultiAttachEnabled != nil {
		multi = *in.MultiAttachEnabled
	}
	next, err := settle(typ, size, iops, tput, multi)
	if err == nil && next == cur {
		err = msgModifyNothing.New()
	}
	return next, err
}

// modificationProgress is how far a modification is: 0 to 50 while modifying, 50 to 99
// while optimizing, on the clock between its transitions.
func modificationProgress(m *modificationRecord, now time.Time) int64 {
	from, base := m.Started, int64(0)
	switch m.State {
	case ec2api.VolumeModificationStateCompleted:
		return 100
	case ec2api.VolumeModificationStateOptimizing:
		from, base = *m.OptimizingFrom, 50
	}
	span := m.Due.Sub(from)
	if span <= 0 {
		return base
	}
	return base + min(49, int64(50*now.Sub(from)/span))
}

func modificationOut(m *modificationRecord, now time.Time) ec2api.VolumeModification {
	out := ec2api.VolumeModification{
		VolumeId: new(m.VolumeID), ModificationState: new(m.State), StartTime: new(m.Started), EndTime: m.Ended,
		Progress:     new(modificationProgress(m, now)),
		OriginalSize: new(m.OriginalSize), OriginalVolumeType: new(m.OriginalType), OriginalMultiAttachEnabled: new(m.OriginalMulti),
		TargetSize: new(m.TargetSize), TargetVolumeType: new(m.TargetType), TargetMultiAttachEnabled: new(m.TargetMulti),
	}
	if m.OriginalIops > 0 {
		out.OriginalIops = new(m.OriginalIops)
	}
	if m.TargetIops > 0 {
		out.TargetIops = new(m.TargetIops)
	}
	if m.OriginalTput > 0 {
		out.OriginalThroughput = new(m.OriginalTput)
	}
	if m.TargetTput > 0 {
		out.TargetThroughput = new(m.TargetTput)
	}
	return out
}

// runModify moves a modification on: to optimizing, when the volume takes its new size
// and performance, then to completed.
func (s *Service) runModify(tx kit.Tx, p volumeRef) error {
	v := tx.In(p.Account, p.Region)
	m, err := modifications.Get(v, p.VolumeID)
	if err != nil || m == nil {
		return err
	}
	vol, err := volumes.Get(v, p.VolumeID)
	if err != nil || vol == nil {
		return err
	}
	now := s.Clock.Now()
	switch m.State {
	case ec2api.VolumeModificationStateModifying:
		vol.apply(volumeSpec{Type: m.TargetType, Size: m.TargetSize, Iops: m.TargetIops, Throughput: m.TargetTput, MultiAttach: m.TargetMulti})
		if err := volumes.Put(v, vol, vol.ID); err != nil {
			return err
		}
		m.State, m.OptimizingFrom, m.Due = ec2api.VolumeModificationStateOptimizing, new(now), s.After()
		if _, err := jobModify.Enqueue(tx, m.Due, p); err != nil {
			return err
		}
	case ec2api.VolumeModificationStateOptimizing:
		m.State, m.Ended = ec2api.VolumeModificationStateCompleted, new(now)
	default:
		return nil
	}
	return modifications.Put(v, m, vol.ID)
}

var modificationFilters = fields{"modification-state": nil, "original-iops": nil, "original-size": nil, "original-volume-type": nil,
	"original-multi-attach-enabled": nil, "start-time": nil, "target-iops": nil, "target-size": nil, "target-volume-type": nil,
	"target-multi-attach-enabled": nil, "target-throughput": nil, "volume-id": nil}

func (s *Service) DescribeVolumesModifications(ctx context.Context, in *ec2api.DescribeVolumesModificationsRequest) (*ec2api.DescribeVolumesModificationsResult, error) {
	c := s.Call(ctx)
	if err := checkFilters(in.Filters, modificationFilters); err != nil {
		return nil, err
	}
	return read(s, c, func(v kit.View) (*ec2api.DescribeVolumesModificationsResult, error) {
		for _, id := range in.VolumeIds {
			if _, err := volumeKind.get(v, id); err != nil {
				return nil, err
			}
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		all, err := modifications.List(v)
		if err != nil {
			return nil, err
		}
		var kept []*modificationRecord
		for _, m := range all {
			if (len(in.VolumeIds) == 0 || slices.Contains(in.VolumeIds, m.VolumeID)) && matches(in.Filters, modificationFields(m), tagsOf(v, m.VolumeID)) {
				kept = append(kept, m)
			}
		}
		p, err := paginate(s, v, describeQuery{op: "DescribeVolumesModifications", maxResults: in.MaxResults, nextToken: in.NextToken},
			kept, func(m *modificationRecord) string { return m.VolumeID })
		if err != nil {
			return nil, err
		}
		out := &ec2api.DescribeVolumesModificationsResult{VolumesModifications: []ec2api.VolumeModification{}, NextToken: p.next}
		for _, m := range p.items {
			out.VolumesModifications = append(out.VolumesModifications, modificationOut(m, c.Now()))
		}
		return out, nil
	})
}

func modificationFields(m *modificationRecord) fields {
	f := fields{}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	f.add("volume-id", m.VolumeID)
	f.add("modification-state", m.State)
	f.add("original-size", itoa(m.OriginalSize))
	f.add("target-size", itoa(m.TargetSize))
	f.add("original-volume-type", m.OriginalType)
	f.add("target-volume-type", m.TargetType)
	f.add("original-iops", itoa(m.OriginalIops))
	f.add("target-iops", itoa(m.TargetIops))
	f.add("target-throughput", itoa(m.TargetTput))
	f.bool("original-multi-attach-enabled", m.OriginalMulti)
	f.bool("target-multi-attach-enabled", m.TargetMulti)
	f.add("start-time", m.Started.UTC().Format(time.RFC3339))
	return f
}
