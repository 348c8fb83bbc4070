package ec2

import (
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var _ port.RestoreMetadata = protector{}

// volumeShape is a volume as AWS Backup backed it up: what its restore metadata says.
type volumeShape struct {
	Region      string `json:"region"`
	Zone        string `json:"zone"`
	Type        string `json:"type"`
	Iops        int64  `json:"iops,omitempty"`
	Throughput  int64  `json:"throughput,omitempty"`
	MultiAttach bool   `json:"multiAttach,omitempty"`
}

func shapeOf(v kit.View, vol *volumeRecord) *volumeShape {
	return &volumeShape{Region: v.Region(), Zone: vol.Zone, Type: vol.Type, Iops: vol.Iops, Throughput: vol.Throughput, MultiAttach: vol.MultiAttach}
}

// metaVolumeID and metaMultiAttach are restore metadata keys GetRecoveryPointRestoreMetadata
// answers and a restore ignores: the volume backed up, and whether it was multi-attach.
const (
	metaVolumeID    = "volumeId"
	metaMultiAttach = "multiAttachEnabled"
)

// RestoreMetadata implements port.RestoreMetadata: the recovery point's volume in the
// keys StartRestoreJob takes back (restoreRequest), so that its answer restores as it
// is. The Availability Zone is the volume's only where the recovery point is in the
// volume's Region: a copy elsewhere names none, and its restore must choose one, as
// AWS Backup requires.
func (p protector) RestoreMetadata(tx kit.Tx, account, _ string, imageARN string) (map[string]string, error) {
	tx = p.s.Join(tx)
	src, err := imageOfARN(tx, account, imageARN)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{
		metaVolumeID: src.rec.VolumeID, metaSize: strconv.FormatInt(src.rec.VolumeSize, 10),
		metaEncrypted: strconv.FormatBool(src.rec.Encrypted),
	}
	if src.rec.Encrypted {
		meta[metaKey] = src.rec.KeyARN
	}
	link, err := backupMade.Get(src.v, src.rec.Backup)
	if err != nil || link == nil || link.Volume == nil {
		return meta, err
	}
	// A copied snapshot names vol-ffffffff, as EC2's copies do; the recovery point names
	// the volume it protects.
	if a, err := arn.Parse(link.ResourceARN); err == nil {
		meta[metaVolumeID] = strings.TrimPrefix(a.Resource, "volume/")
	}
	vol := link.Volume
	meta[metaType], meta[metaMultiAttach] = vol.Type, strconv.FormatBool(vol.MultiAttach)
	if vol.Region == src.v.Region() {
		meta[metaZone] = vol.Zone
	}
	// Only the types whose IOPS and throughput are set say them: a restore of gp2 with
	// iops is refused, as CreateVolume refuses it.
	if vol.Iops > 0 && (vol.Type == ec2api.VolumeTypeIo1 || vol.Type == ec2api.VolumeTypeIo2 || vol.Type == ec2api.VolumeTypeGp3) {
		meta[metaIops] = strconv.FormatInt(vol.Iops, 10)
	}
	if vol.Throughput > 0 && vol.Type == ec2api.VolumeTypeGp3 {
		meta[metaThroughput] = strconv.FormatInt(vol.Throughput, 10)
	}
	return meta, nil
}
