package ec2

import (
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protector is EBS volumes as AWS Backup protects them: the port.Protected of resource
// type EBS. A recovery point is an EBS snapshot (arn:aws:ec2:<region>::snapshot/snap-…),
// incremental like any other snapshot of its volume, that EC2's DeleteSnapshot refuses:
// only AWS Backup deletes it. Every method works in the caller's transaction.
type protector struct{ s *Service }

var _ port.Protected = protector{}

// AWSBackup is EBS as AWS Backup protects it, the port.Protected EC2 provides; exported
// for tests that drive it as AWS Backup's jobs do.
func (s *Service) AWSBackup() port.Protected { return protector{s} }

// backupMade remembers the snapshot each AWS Backup job made, so that a job run again
// answers the same image.
var backupMade = kit.Table[backupLink]{Kind: "backupsnap"} // backupsnap/<backup or copy id>

type backupLink struct {
	SnapshotID string `json:"snapshotId"`
	// ResourceARN is the volume the recovery point protects (a copy's is the volume of
	// its source, in another Region).
	ResourceARN string `json:"resourceArn"`
	// Volume is the volume as it was backed up, for the restore metadata; nil in
	// records made before it was kept.
	Volume *volumeShape `json:"volume,omitempty"`
}

// The restore metadata of an EBS recovery point, as AWS Backup's StartRestoreJob takes it.
const (
	metaZone       = "availabilityZone"
	metaType       = "volumeType"
	metaSize       = "volumeSize"
	metaIops       = "iops"
	metaThroughput = "throughput"
	metaEncrypted  = "encrypted"
	metaKey        = "kmsKeyId"
)

// ResourceType implements port.Protected.
func (protector) ResourceType() string { return "EBS" }

// Resources implements port.Protected: the volumes of the account and Region.
func (p protector) Resources(tx kit.Tx, account, region string) ([]port.Resource, error) {
	v := p.s.Join(tx).In(account, region)
	all, err := volumes.List(v)
	if err != nil {
		return nil, err
	}
	out := make([]port.Resource, 0, len(all))
	for _, vol := range all {
		if vol.State == ec2api.VolumeStateDeleting {
			continue
		}
		tags := map[string]string{}
		for _, t := range tagsOf(v, vol.ID) {
			tags[t.Key] = t.Value
		}
		out = append(out, port.Resource{ARN: resourceARN(v, "volume", vol.ID), Tags: tags})
	}
	return out, nil
}

// Backup implements port.Protected: a snapshot of the volume as it is now, completed at
// once (AWS Backup's job lasts as long as the data takes), storing only the blocks changed
// since the volume's last snapshot. What it moved is what the snapshot stored itself:
// EBS is incremental to the volume's last snapshot, AWS Backup's or not, so the request's
// Base does not decide it.
func (p protector) Backup(tx kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	tx = p.s.Join(tx)
	v := tx.In(req.Account, req.Region)
	if tr, err := p.madeBy(tx, v, req.BackupID); err != nil || tr.Image.ARN != "" {
		return tr, err
	}
	vol, err := volumeOfARN(v, req.ResourceARN)
	if err != nil {
		return port.Transfer{}, err
	}
	switch vol.State {
	case ec2api.VolumeStateAvailable, ec2api.VolumeStateInUse:
	case ec2api.VolumeStateCreating: // it becomes available by itself
		return port.Transfer{}, port.NotReady(textBackupVolumeState, vol.ID, vol.State)
	default:
		return port.Transfer{}, port.CannotProtect(textBackupVolumeState, vol.ID, vol.State)
	}
	snap, err := p.s.captureNew(v, vol, textBackupDescription)
	if err != nil {
		return port.Transfer{}, err
	}
	snap.State, snap.Completed, snap.Backup = ec2api.SnapshotStateCompleted, new(p.s.Clock.Now()), req.BackupID
	link := &backupLink{SnapshotID: snap.ID, ResourceARN: resourceARN(v, "volume", vol.ID), Volume: shapeOf(v, vol)}
	if err := keepBackup(v, snap, tagsOf(v, vol.ID), link); err != nil {
		return port.Transfer{}, err
	}
	return p.transferOf(tx, v, snap, link)
}

// Copy implements port.Protected: a copy of a snapshot of any Region of the image's
// account (the request's ImageAccount: snapshot ARNs name none), encrypted with KeyARN,
// completed at once, incremental to an earlier copy of the same volume's snapshots under
// the same key, as CopySnapshot's copies are. What it moved is the blocks the copy
// stored itself: all of them for a first copy, or under a new key.
func (p protector) Copy(tx kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	tx = p.s.Join(tx)
	v := tx.In(req.Account, req.Region)
	if tr, err := p.madeBy(tx, v, req.CopyID); err != nil || tr.Image.ARN != "" {
		return tr, err
	}
	src, err := imageOfARN(tx, cmp.Or(req.ImageAccount, req.Account), req.ImageARN)
	if err != nil {
		return port.Transfer{}, err
	}
	if src.rec.State != ec2api.SnapshotStateCompleted {
		return port.Transfer{}, port.CannotProtect(msgSnapshotState.Text, src.rec.State)
	}
	if down, unreachable := p.s.Unreachable(src.v.Region(), req.Region); unreachable {
		return port.Transfer{}, errors.New("ec2: Region " + down + " is unreachable")
	}
	srcRegion := src.v.Region()
	cp, err := p.s.newCopy(tx, v, &ec2api.CopySnapshotRequest{SourceRegion: &srcRegion, SourceSnapshotId: &src.rec.ID,
		Encrypted: new(true), KmsKeyId: &req.KeyARN}, src)
	if err != nil {
		return port.Transfer{}, refusal(err)
	}
	if err := p.s.fillCopy(tx, src, v, cp); err != nil {
		return port.Transfer{}, err
	}
	cp.Description, cp.Backup = textBackupDescription, req.CopyID
	cp.State, cp.Completed = ec2api.SnapshotStateCompleted, new(p.s.Clock.Now())
	link, err := copyLink(src, cp)
	if err != nil {
		return port.Transfer{}, err
	}
	if err := keepBackup(v, cp, tagsOf(src.v, src.rec.ID), link); err != nil {
		return port.Transfer{}, err
	}
	return p.transferOf(tx, v, cp, link)
}

// copyLink is what a copy protects: the volume of its source, or, for a copy of a
// recovery point, the volume that recovery point protects.
func copyLink(src visible, cp *snapshotRecord) (*backupLink, error) {
	link := &backupLink{SnapshotID: cp.ID, ResourceARN: resourceARN(src.v, "volume", src.rec.VolumeID)}
	if src.rec.Backup == "" {
		return link, nil
	}
	from, err := backupMade.Get(src.v, src.rec.Backup)
	if err != nil {
		return nil, err
	}
	if from != nil {
		link.ResourceARN, link.Volume = from.ResourceARN, from.Volume
	}
	return link, nil
}

// Delete implements port.Protected.
func (p protector) Delete(tx kit.Tx, account, _, imageARN string) error {
	tx = p.s.Join(tx)
	src, err := imageOfARN(tx, account, imageARN)
	var refused *cannotFind
	if errors.As(err, &refused) {
		return nil // already gone
	}
	if err != nil {
		return err
	}
	switch {
	case src.rec.Backup == "":
		return port.CannotProtect(textNotBackupSnapshot, src.rec.ID)
	case len(src.rec.Holds) > 0:
		return port.CannotProtect(msgSnapshotInUse.Text, src.rec.ID, src.rec.Holds[0])
	}
	if err := backupMade.Delete(src.v, src.rec.Backup); err != nil {
		return err
	}
	return dropSnapshot(tx, src.v, src.rec)
}

// Restore implements port.Protected: a volume made from the snapshot in its Region, as
// CreateVolume makes one, with the settings the restore metadata gives (availabilityZone
// is required, as AWS Backup requires it).
func (p protector) Restore(tx kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error) {
	tx = p.s.Join(tx)
	src, err := imageOfARN(tx, account, imageARN)
	if err != nil {
		return "", err
	}
	if src.v.Region() != region {
		return "", port.CannotProtect(textSnapshotElsewhere, imageARN, region)
	}
	in, err := restoreRequest(src.rec.ID, metadata)
	if err != nil {
		return "", err
	}
	if err := checkVolumeRequest(in); err != nil {
		return "", refusal(err)
	}
	v := src.v
	vol, err := p.s.newVolume(tx, v, in)
	if err != nil {
		return "", refusal(err)
	}
	if err := p.s.putNewVolume(tx, v, vol, apiTags(tagsOf(v, src.rec.ID))); err != nil {
		return "", err
	}
	return resourceARN(v, "volume", vol.ID), nil
}

// restoreRequest reads the restore metadata as the CreateVolume it asks for.
func restoreRequest(snapshotID string, metadata map[string]string) (*ec2api.CreateVolumeRequest, error) {
	in := &ec2api.CreateVolumeRequest{SnapshotId: &snapshotID}
	zone, ok := metadata[metaZone]
	if !ok || zone == "" {
		return nil, port.CannotProtect(textRestoreNeedsZone, metaZone)
	}
	in.AvailabilityZone = &zone
	if t, ok := metadata[metaType]; ok {
		in.VolumeType = &t
	}
	for name, dst := range map[string]**int64{metaSize: &in.Size, metaIops: &in.Iops, metaThroughput: &in.Throughput} {
		if s, ok := metadata[name]; ok {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, port.CannotProtect(textRestoreBadNumber, name, s)
			}
			*dst = &n
		}
	}
	if s, ok := metadata[metaEncrypted]; ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, port.CannotProtect(textRestoreBadBool, metaEncrypted, s)
		}
		in.Encrypted = &b
	}
	if k, ok := metadata[metaKey]; ok {
		in.KmsKeyId = &k
	}
	return in, nil
}

// keepBackup stores a snapshot AWS Backup made, with the tags of what it protects, and
// remembers it under the job's id.
func keepBackup(v kit.View, snap *snapshotRecord, tags []tag, link *backupLink) error {
	if err := snapshots.Put(v, snap, snap.ID); err != nil {
		return err
	}
	if err := setTags(v, snap.ID, apiTags(tags)); err != nil {
		return err
	}
	return backupMade.Put(v, link, snap.Backup)
}

// madeBy describes the snapshot an AWS Backup job made, if it ran before and committed,
// as the job's first run did; the zero Transfer if not.
func (p protector) madeBy(tx kit.Tx, v kit.View, jobID string) (port.Transfer, error) {
	link, err := backupMade.Get(v, jobID)
	if err != nil || link == nil {
		return port.Transfer{}, err
	}
	snap, err := snapshots.Get(v, link.SnapshotID)
	if err != nil || snap == nil {
		return port.Transfer{}, err
	}
	return p.transferOf(tx, v, snap, link)
}

var volumeARNs = port.ResourceARN{Service: serviceName, Prefix: "volume/", NotARN: textNotVolumeARN, Elsewhere: textVolumeElsewhere}

// volumeOfARN finds the volume a volume ARN of the view's account and Region names.
func volumeOfARN(v kit.View, volumeARN string) (*volumeRecord, error) {
	id, err := volumeARNs.ID(volumeARN, v.Account(), v.Region())
	if err != nil {
		return nil, err
	}
	vol, err := volumes.Get(v, id)
	if err == nil && vol == nil {
		err = port.CannotProtect(msgVolumeNotFound.Text, id)
	}
	return vol, err
}

// cannotFind is the failure of an image ARN that names no snapshot of the account.
type cannotFind struct{ error }

func (e *cannotFind) Unwrap() error { return e.error }

// imageOfARN finds the snapshot of the account a snapshot ARN names, in its Region.
// Snapshot ARNs name no account: the snapshot must be the account's own.
func imageOfARN(tx kit.Tx, account, snapshotARN string) (visible, error) {
	a, err := arn.Parse(snapshotARN)
	id, isSnap := strings.CutPrefix(a.Resource, "snapshot/")
	if err != nil || a.Service != serviceName || !isSnap || a.Region == "" {
		return visible{}, port.CannotProtect(textNotSnapshotARN, snapshotARN)
	}
	v := tx.In(account, a.Region)
	snap, err := snapshots.Get(v, id)
	if err != nil {
		return visible{}, err
	}
	if snap == nil {
		return visible{}, &cannotFind{port.CannotProtect(msgSnapshotNotFound.Text, id)}
	}
	return visible{v, snap}, nil
}

// transferOf describes a snapshot AWS Backup made and what making it moved: the blocks
// it stored itself (the others it shares with the snapshot it is incremental to).
func (p protector) transferOf(tx kit.Tx, v kit.View, snap *snapshotRecord, link *backupLink) (port.Transfer, error) {
	content, err := p.s.contentOf(tx, v, snap)
	if err != nil {
		return port.Transfer{}, err
	}
	res, _ := arn.Parse(link.ResourceARN)
	img := port.Image{
		ARN:         arn.New(partitionOf(v.Region()), serviceName, v.Region(), "", "snapshot/"+snap.ID),
		ResourceARN: link.ResourceARN, ResourceID: strings.TrimPrefix(res.Resource, "volume/"),
		SizeBytes: snap.VolumeSize << 30, Encrypted: snap.Encrypted, KmsKeyARN: snap.KeyARN, Content: content,
	}
	return port.Transfer{Image: img, Bytes: snap.Changed * blockSize}, nil
}

// refusal turns what an EC2 call would answer into the failure of AWS Backup's job.
func refusal(err error) error {
	var refused *awserr.Error
	if errors.As(err, &refused) {
		return port.CannotProtect("%s", refused.Message)
	}
	return err
}
