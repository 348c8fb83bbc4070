package ec2_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func volume(zone, typ string, size int64) *ec2api.CreateVolumeRequest {
	return &ec2api.CreateVolumeRequest{AvailabilityZone: new(zone), VolumeType: new(typ), Size: new(size)}
}

// TestVolumeTypeRules: each type's sizes, IOPS and throughput, with EC2's errors, and
// what each type gives by default.
func TestVolumeTypeRules(t *testing.T) {
	e := start(t)
	withIops := func(r *ec2api.CreateVolumeRequest, iops int64) *ec2api.CreateVolumeRequest {
		r.Iops = new(iops)
		return r
	}
	withTput := func(r *ec2api.CreateVolumeRequest, tput int64) *ec2api.CreateVolumeRequest {
		r.Throughput = new(tput)
		return r
	}
	refused := []struct {
		in   *ec2api.CreateVolumeRequest
		code string
	}{
		{volume("us-east-1a", "gp2", 16385), "InvalidParameterValue"},
		{volume("us-east-1a", "st1", 100), "InvalidParameterValue"},
		{volume("us-east-1a", "standard", 1025), "InvalidParameterValue"},
		{withIops(volume("us-east-1a", "gp2", 10), 300), "InvalidParameterCombination"},
		{volume("us-east-1a", "io1", 10), "InvalidParameterCombination"},
		{withIops(volume("us-east-1a", "io1", 4), 5000), "InvalidParameterValue"},
		{withIops(volume("us-east-1a", "io2", 10), 50), "InvalidParameterValue"},
		{withIops(volume("us-east-1a", "gp3", 100), 20000), "InvalidParameterValue"},
		{withTput(volume("us-east-1a", "gp3", 100), 1000), "InvalidParameterValue"},
		{withTput(volume("us-east-1a", "gp2", 100), 250), "InvalidParameterCombination"},
		{volume("us-east-1z", "gp2", 10), "InvalidParameterValue"},
		{&ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a")}, "MissingParameter"},
		{&ec2api.CreateVolumeRequest{Size: new(int64(10))}, "MissingParameter"},
		{&ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), KmsKeyId: new("alias/aws/ebs")}, "InvalidParameterDependency"},
		{&ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), MultiAttachEnabled: new(true)}, "InvalidParameterCombination"},
	}
	for _, c := range refused {
		fails(t, e, east, ec2api.OpCreateVolume, c.in, c.code)
	}
	gp3 := call(t, e, east, ec2api.OpCreateVolume, volume("us-east-1a", "gp3", 100))
	if *gp3.Iops != 3000 || *gp3.Throughput != 125 || *gp3.AvailabilityZoneId != "use1-az1" {
		t.Errorf("gp3 defaults = %+v", gp3)
	}
	gp2 := call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZoneId: new("use1-az2"), Size: new(int64(10))})
	if *gp2.VolumeType != "gp2" || *gp2.Iops != 100 || gp2.Throughput != nil || *gp2.AvailabilityZone != "us-east-1b" || *gp2.State != "creating" {
		t.Errorf("gp2 = %+v", gp2)
	}
	if big := call(t, e, east, ec2api.OpCreateVolume, volume("us-east-1a", "gp2", 1000)); *big.Iops != 3000 {
		t.Errorf("gp2 of 1000 GiB has %d IOPS", *big.Iops)
	}
	io2 := call(t, e, east, ec2api.OpCreateVolume, withIops(volume("us-east-1a", "io2", 10), 10000))
	if *io2.Iops != 10000 {
		t.Errorf("io2 = %+v", io2)
	}
}

// TestVolumeStates: creating → available → deleting → gone, on the clock.
func TestVolumeStates(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	id := call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(8)),
		TagSpecifications: []ec2api.TagSpecification{{ResourceType: new("volume"), Tags: []ec2api.Tag{{Key: new("Name"), Value: new("data")}}}}}).VolumeId
	state := func() string {
		vs := call(t, e, east, ec2api.OpDescribeVolumes, &ec2api.DescribeVolumesRequest{Filters: []ec2api.Filter{filter("tag:Name", "data")}}).Volumes
		if len(vs) == 0 {
			return "gone"
		}
		return *vs[0].State
	}
	if s := state(); s != "creating" {
		t.Errorf("new volume is %s", s)
	}
	fails(t, e, east, ec2api.OpCreateSnapshot, &ec2api.CreateSnapshotRequest{VolumeId: id}, "IncorrectState")
	e.Advance(hour)
	if s := state(); s != "available" {
		t.Errorf("after an hour the volume is %s", s)
	}
	call(t, e, east, ec2api.OpDeleteVolume, &ec2api.DeleteVolumeRequest{VolumeId: id})
	if s := state(); s != "deleting" {
		t.Errorf("deleted volume is %s", s)
	}
	e.Advance(hour)
	if s := state(); s != "gone" {
		t.Errorf("an hour after DeleteVolume the volume is %s", s)
	}
	fails(t, e, east, ec2api.OpDescribeVolumes, &ec2api.DescribeVolumesRequest{VolumeIds: []string{*id}}, "InvalidVolume.NotFound")
}

// TestVolumeIdempotency: the same client token answers the same volume; with other
// parameters it is refused.
func TestVolumeIdempotency(t *testing.T) {
	e := start(t)
	in := volume("us-east-1a", "gp3", 10)
	in.ClientToken = new("token-1")
	a := call(t, e, east, ec2api.OpCreateVolume, in)
	b := call(t, e, east, ec2api.OpCreateVolume, in)
	if *a.VolumeId != *b.VolumeId {
		t.Errorf("the same token made two volumes: %s, %s", *a.VolumeId, *b.VolumeId)
	}
	in.Size = new(int64(20))
	fails(t, e, east, ec2api.OpCreateVolume, in, "IdempotentParameterMismatch")
}

// TestEncryption: encryption asked for, by default, under the default key or a chosen
// one; keys that cannot be used are refused.
func TestEncryption(t *testing.T) {
	e := start(t)
	plain := call(t, e, east, ec2api.OpCreateVolume, volume("us-east-1a", "gp3", 10))
	if *plain.Encrypted || plain.KmsKeyId != nil {
		t.Errorf("a plain volume = %+v", plain)
	}
	enc := call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), Encrypted: new(true)})
	if !*enc.Encrypted || !strings.Contains(*enc.KmsKeyId, ":key/") {
		t.Errorf("an encrypted volume = %+v", enc)
	}
	if got := call(t, e, east, ec2api.OpGetEbsDefaultKmsKeyId, &ec2api.GetEbsDefaultKmsKeyIdRequest{}); *got.KmsKeyId != "alias/aws/ebs" {
		t.Errorf("default key = %s", *got.KmsKeyId)
	}
	cmk := e.keys.AddKey(kittest.Account, east)
	if set := call(t, e, east, ec2api.OpModifyEbsDefaultKmsKeyId, &ec2api.ModifyEbsDefaultKmsKeyIdRequest{KmsKeyId: &cmk}); *set.KmsKeyId != cmk {
		t.Errorf("ModifyEbsDefaultKmsKeyId = %s", *set.KmsKeyId)
	}
	if on := call(t, e, east, ec2api.OpEnableEbsEncryptionByDefault, &ec2api.EnableEbsEncryptionByDefaultRequest{}); !*on.EbsEncryptionByDefault {
		t.Error("EnableEbsEncryptionByDefault answered false")
	}
	byDefault := call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), Encrypted: new(false)})
	if !*byDefault.Encrypted || *byDefault.KmsKeyId != cmk {
		t.Errorf("a volume made under encryption by default = %+v", byDefault)
	}
	if got := call(t, e, west, ec2api.OpGetEbsEncryptionByDefault, &ec2api.GetEbsEncryptionByDefaultRequest{}); *got.EbsEncryptionByDefault {
		t.Error("encryption by default leaked to another Region")
	}
	reset := call(t, e, east, ec2api.OpResetEbsDefaultKmsKeyId, &ec2api.ResetEbsDefaultKmsKeyIdRequest{})
	if *reset.KmsKeyId != *enc.KmsKeyId {
		t.Errorf("reset default key = %s, want the aws/ebs key %s", *reset.KmsKeyId, *enc.KmsKeyId)
	}
	e.keys.SetState(cmk, "Disabled")
	fails(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), Encrypted: new(true), KmsKeyId: &cmk}, "InvalidKMSKey.InvalidState")
	fails(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(10)), Encrypted: new(true), KmsKeyId: new("alias/none")}, "InvalidParameterValue")
	call(t, e, east, ec2api.OpDisableEbsEncryptionByDefault, &ec2api.DisableEbsEncryptionByDefaultRequest{})
}

// TestModifyVolume: modifying → optimizing (the volume has its new size) → completed;
// six hours between modifications; no shrinking.
func TestModifyVolume(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	id := call(t, e, east, ec2api.OpCreateVolume, volume("us-east-1a", "gp2", 10)).VolumeId
	e.Advance(hour)
	m := call(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Size: new(int64(20)), VolumeType: new("gp3")}).VolumeModification
	if *m.ModificationState != "modifying" || *m.TargetSize != 20 || *m.TargetIops != 3000 || *m.OriginalIops != 100 {
		t.Errorf("ModifyVolume = %+v", m)
	}
	fails(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Size: new(int64(30))}, "IncorrectModificationState")
	mods := func() ec2api.VolumeModification {
		return call(t, e, east, ec2api.OpDescribeVolumesModifications, &ec2api.DescribeVolumesModificationsRequest{VolumeIds: []string{*id}}).VolumesModifications[0]
	}
	e.Advance(hour)
	if got := mods(); *got.ModificationState != "optimizing" || *got.Progress < 50 {
		t.Errorf("after an hour = %+v", got)
	}
	vol := call(t, e, east, ec2api.OpDescribeVolumes, &ec2api.DescribeVolumesRequest{VolumeIds: []string{*id}}).Volumes[0]
	if *vol.Size != 20 || *vol.VolumeType != "gp3" || *vol.Throughput != 125 {
		t.Errorf("an optimizing volume = %+v", vol)
	}
	e.Advance(hour)
	if got := mods(); *got.ModificationState != "completed" || *got.Progress != 100 || got.EndTime == nil {
		t.Errorf("after two hours = %+v", got)
	}
	fails(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Size: new(int64(30))}, "VolumeModificationRateExceeded")
	e.Advance(4 * hour)
	fails(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Size: new(int64(10))}, "InvalidParameterValue")
	fails(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Size: new(int64(20))}, "InvalidParameterCombination")
	call(t, e, east, ec2api.OpModifyVolume, &ec2api.ModifyVolumeRequest{VolumeId: id, Iops: new(int64(4000))})
}
