package ec2

import "github.com/xregion/xregion/internal/gen/ec2api"

// volumeClass is what a volume type allows: sizes in GiB, provisioned IOPS and
// throughput, as the EBS volume types reference gives them.
type volumeClass struct {
	minSize, maxSize   int64
	provisionedIops    bool  // the caller sets IOPS (gp3, io1, io2)
	iopsRequired       bool  // ... and must (io1, io2)
	minIops, maxIops   int64 // provisioned IOPS bounds
	defaultIops        int64 // gp3's baseline
	iopsPerGiB         int64 // the most IOPS a GiB may have
	throughput         bool  // the caller sets throughput in MiB/s (gp3)
	baselineIops       bool  // IOPS follow the size (gp2: 3 per GiB, 100 to 16,000)
	minTput, maxTput   int64
	defaultTput        int64
	tputPerIopsPercent int64 // the most MiB/s per 100 IOPS (gp3: 25)
}

var volumeClasses = map[string]volumeClass{
	ec2api.VolumeTypeGp2:      {minSize: 1, maxSize: 16384, baselineIops: true},
	ec2api.VolumeTypeGp3:      {minSize: 1, maxSize: 16384, provisionedIops: true, minIops: 3000, maxIops: 16000, defaultIops: 3000, iopsPerGiB: 500, throughput: true, minTput: 125, maxTput: 1000, defaultTput: 125, tputPerIopsPercent: 25},
	ec2api.VolumeTypeIo1:      {minSize: 4, maxSize: 16384, provisionedIops: true, iopsRequired: true, minIops: 100, maxIops: 64000, iopsPerGiB: 50},
	ec2api.VolumeTypeIo2:      {minSize: 4, maxSize: 65536, provisionedIops: true, iopsRequired: true, minIops: 100, maxIops: 256000, iopsPerGiB: 1000},
	ec2api.VolumeTypeSt1:      {minSize: 125, maxSize: 16384},
	ec2api.VolumeTypeSc1:      {minSize: 125, maxSize: 16384},
	ec2api.VolumeTypeStandard: {minSize: 1, maxSize: 1024},
}

// volumeSpec is a volume's performance: what CreateVolume asks for and ModifyVolume
// changes.
type volumeSpec struct {
	Type        string
	Size        int64
	Iops        int64 // 0 for the types without IOPS
	Throughput  int64 // 0 but for gp3
	MultiAttach bool
}

// settle checks a spec against its type's rules and fills in what the type gives by
// default: gp2's baseline IOPS, gp3's 3,000 IOPS and 125 MiB/s. iops and tput are what
// the caller asked for (nil when not asked).
func settle(typ string, size int64, iops, tput *int64, multi bool) (volumeSpec, error) {
	c := volumeClasses[typ]
	spec := volumeSpec{Type: typ, Size: size, MultiAttach: multi}
	switch {
	case size < c.minSize:
		return spec, msgVolumeTooSmall.New(size, c.minSize)
	case size > c.maxSize:
		return spec, msgVolumeTooLarge.New(size, c.maxSize)
	case multi && typ != ec2api.VolumeTypeIo1 && typ != ec2api.VolumeTypeIo2:
		return spec, msgMultiAttachType.New(typ)
	}
	if err := settleIops(c, &spec, iops); err != nil {
		return spec, err
	}
	return spec, settleThroughput(c, &spec, tput)
}

func settleIops(c volumeClass, spec *volumeSpec, iops *int64) error {
	switch {
	case c.baselineIops && iops == nil:
		spec.Iops = min(max(3*spec.Size, 100), 16000)
		return nil
	case !c.provisionedIops && iops != nil:
		return msgIopsNotSupported.New(spec.Type)
	case !c.provisionedIops:
		return nil
	case iops == nil && c.iopsRequired:
		return msgIopsRequired.New(spec.Type)
	case iops == nil:
		spec.Iops = c.defaultIops
		return nil
	}
	spec.Iops = *iops
	switch {
	case spec.Iops < c.minIops:
		return msgIopsTooLow.New(spec.Iops, c.minIops)
	case spec.Iops > c.maxIops:
		return msgIopsTooHigh.New(spec.Iops, c.maxIops)
	case spec.Iops > c.iopsPerGiB*spec.Size && spec.Iops > c.minIops:
		return msgIopsRatio.New(float64(spec.Iops)/float64(spec.Size), float64(c.iopsPerGiB))
	}
	return nil
}

func settleThroughput(c volumeClass, spec *volumeSpec, tput *int64) error {
	switch {
	case !c.throughput && tput != nil:
		return msgThroughputType.New()
	case !c.throughput:
		return nil
	case tput == nil:
		spec.Throughput = c.defaultTput
		return nil
	}
	spec.Throughput = *tput
	switch {
	case spec.Throughput < c.minTput:
		return msgThroughputTooLow.New(spec.Throughput, c.minTput)
	case spec.Throughput > c.maxTput:
		return msgThroughputTooHigh.New(spec.Throughput, c.maxTput)
	case spec.Throughput*100 > c.tputPerIopsPercent*spec.Iops:
		return msgThroughputRatio.New(float64(spec.Throughput)/float64(spec.Iops), float64(c.tputPerIopsPercent)/100)
	}
	return nil
}
