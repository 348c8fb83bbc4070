package efs_test

import (
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
)

func TestMountTargets(t *testing.T) {
	e := start(t)
	vpc, subnets := network(t, e, "10.7")
	fs := newFS(t, e, east, "mt")
	mt := call(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[0])})
	if *mt.LifeCycleState != "creating" || *mt.VpcId != vpc || *mt.AvailabilityZoneName != "us-east-1a" ||
		!strings.HasPrefix(*mt.IpAddress, "10.7.1.") || !strings.HasPrefix(*mt.NetworkInterfaceId, "eni-") {
		t.Fatalf("mount target %+v", mt)
	}
	// One per Availability Zone.
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[0])}, "MountTargetConflict")
	// An address that another interface has.
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[1]), IpAddress: new("10.7.1.200")}, "BadRequest")
	second := call(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[1]), IpAddress: new("10.7.2.50")})
	if *second.IpAddress != "10.7.2.50" {
		t.Errorf("asked address: %s", *second.IpAddress)
	}
	other := newFS(t, e, east, "other")
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: other.FileSystemId, SubnetId: new(subnets[1]), IpAddress: new("10.7.2.50")}, "IpAddressInUse")
	// Mount targets of one file system are in one VPC.
	_, elsewhere := network(t, e, "10.8")
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(elsewhere[0])}, "MountTargetConflict")
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new("subnet-0123456789abcdef0")}, "SubnetNotFound")
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: other.FileSystemId, SubnetId: new(subnets[0]), SecurityGroups: []string{"sg-0123456789abcdef0"}}, "SecurityGroupNotFound")
	e.Advance(step)
	if got := describeFS(t, e, east, *fs.FileSystemId); *got.NumberOfMountTargets != 2 {
		t.Errorf("NumberOfMountTargets %d", *got.NumberOfMountTargets)
	}
	list := call(t, e, east, efsapi.OpDescribeMountTargets, &efsapi.DescribeMountTargetsRequest{FileSystemId: fs.FileSystemId, MaxItems: new(int64(1))})
	if len(list.MountTargets) != 1 || list.NextMarker == nil || *list.MountTargets[0].LifeCycleState != "available" {
		t.Fatalf("first page %+v", list)
	}
	rest := call(t, e, east, efsapi.OpDescribeMountTargets, &efsapi.DescribeMountTargetsRequest{FileSystemId: fs.FileSystemId, Marker: list.NextMarker})
	if len(rest.MountTargets) != 1 || rest.NextMarker != nil {
		t.Errorf("second page %+v", rest)
	}
	fails(t, e, east, efsapi.OpDescribeMountTargets, &efsapi.DescribeMountTargetsRequest{}, "BadRequest")
	// EC2 shows the interface, and refuses to delete its subnet while it exists.
	enis := call(t, e, east, ec2api.OpDescribeNetworkInterfaces, &ec2api.DescribeNetworkInterfacesRequest{NetworkInterfaceIds: []string{*mt.NetworkInterfaceId}})
	if len(enis.NetworkInterfaces) != 1 || *enis.NetworkInterfaces[0].InterfaceType != "efs" {
		t.Errorf("interface %+v", enis.NetworkInterfaces)
	}
	fails(t, e, east, ec2api.OpDeleteSubnet, &ec2api.DeleteSubnetRequest{SubnetId: new(subnets[0])}, "DependencyViolation")
}

func TestMountTargetSecurityGroups(t *testing.T) {
	e := start(t)
	vpc, subnets := network(t, e, "10.6")
	sg := call(t, e, east, ec2api.OpCreateSecurityGroup, &ec2api.CreateSecurityGroupRequest{GroupName: new("nfs"), Description: new("nfs"), VpcId: new(vpc)}).GroupId
	fs := newFS(t, e, east, "sg")
	mt := call(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[0])})
	fails(t, e, east, efsapi.OpDescribeMountTargetSecurityGroups, &efsapi.DescribeMountTargetSecurityGroupsRequest{MountTargetId: mt.MountTargetId}, "IncorrectMountTargetState")
	e.Advance(step)
	groups := call(t, e, east, efsapi.OpDescribeMountTargetSecurityGroups, &efsapi.DescribeMountTargetSecurityGroupsRequest{MountTargetId: mt.MountTargetId})
	if len(groups.SecurityGroups) != 1 || groups.SecurityGroups[0] == *sg {
		t.Fatalf("default group expected: %v", groups.SecurityGroups)
	}
	call(t, e, east, efsapi.OpModifyMountTargetSecurityGroups, &efsapi.ModifyMountTargetSecurityGroupsRequest{MountTargetId: mt.MountTargetId, SecurityGroups: []string{*sg}})
	groups = call(t, e, east, efsapi.OpDescribeMountTargetSecurityGroups, &efsapi.DescribeMountTargetSecurityGroupsRequest{MountTargetId: mt.MountTargetId})
	if len(groups.SecurityGroups) != 1 || groups.SecurityGroups[0] != *sg {
		t.Errorf("after modify: %v", groups.SecurityGroups)
	}
	fails(t, e, east, efsapi.OpModifyMountTargetSecurityGroups, &efsapi.ModifyMountTargetSecurityGroupsRequest{MountTargetId: mt.MountTargetId, SecurityGroups: []string{"sg-00000001", "sg-00000002", "sg-00000003", "sg-00000004", "sg-00000005", "sg-00000006"}}, "SecurityGroupLimitExceeded")
	// EC2 refuses to delete a group a mount target uses.
	fails(t, e, east, ec2api.OpDeleteSecurityGroup, &ec2api.DeleteSecurityGroupRequest{GroupId: sg}, "DependencyViolation")
}

func TestOneZoneMountTarget(t *testing.T) {
	e := start(t)
	_, subnets := network(t, e, "10.5")
	fs := newFS(t, e, east, "oz", func(in *efsapi.CreateFileSystemRequest) { in.AvailabilityZoneName = new("us-east-1a") })
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[1])}, "AvailabilityZonesMismatch")
	call(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[0])})
}

func TestAccessPoints(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "ap")
	in := &efsapi.CreateAccessPointRequest{
		ClientToken: new("ct"), FileSystemId: fs.FileSystemId, Tags: []efsapi.Tag{{Key: new("Name"), Value: new("app")}},
		PosixUser: &efsapi.PosixUser{Uid: new(int64(1000)), Gid: new(int64(1000))},
		RootDirectory: &efsapi.RootDirectory{Path: new("/app"), CreationInfo: &efsapi.CreationInfo{
			OwnerUid: new(int64(1000)), OwnerGid: new(int64(1000)), Permissions: new("755")}},
	}
	ap := call(t, e, east, efsapi.OpCreateAccessPoint, in)
	if *ap.LifeCycleState != "creating" || *ap.Name != "app" || *ap.RootDirectory.Path != "/app" || !strings.HasPrefix(*ap.AccessPointId, "fsap-") {
		t.Fatalf("access point %+v", ap)
	}
	if again := call(t, e, east, efsapi.OpCreateAccessPoint, in); *again.AccessPointId != *ap.AccessPointId {
		t.Errorf("a retry made %s", *again.AccessPointId)
	}
	in.RootDirectory.Path = new("/other")
	if ae := fails(t, e, east, efsapi.OpCreateAccessPoint, in, "AccessPointAlreadyExists"); ae.Fields["AccessPointId"] != *ap.AccessPointId {
		t.Errorf("AccessPointAlreadyExists %+v", ae)
	}
	e.Advance(step)
	list := call(t, e, east, efsapi.OpDescribeAccessPoints, &efsapi.DescribeAccessPointsRequest{FileSystemId: fs.FileSystemId})
	if len(list.AccessPoints) != 1 || *list.AccessPoints[0].LifeCycleState != "available" {
		t.Fatalf("list %+v", list)
	}
	mts := call(t, e, east, efsapi.OpDescribeMountTargets, &efsapi.DescribeMountTargetsRequest{AccessPointId: ap.AccessPointId})
	if len(mts.MountTargets) != 0 {
		t.Errorf("mount targets by access point: %+v", mts)
	}
	call(t, e, east, efsapi.OpDeleteAccessPoint, &efsapi.DeleteAccessPointRequest{AccessPointId: ap.AccessPointId})
	e.Advance(step)
	fails(t, e, east, efsapi.OpDescribeAccessPoints, &efsapi.DescribeAccessPointsRequest{AccessPointId: ap.AccessPointId}, "AccessPointNotFound")
	fails(t, e, east, efsapi.OpDescribeAccessPoints, &efsapi.DescribeAccessPointsRequest{AccessPointId: ap.AccessPointId, FileSystemId: fs.FileSystemId}, "BadRequest")
}

func TestTags(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "tags")
	ap := call(t, e, east, efsapi.OpCreateAccessPoint, &efsapi.CreateAccessPointRequest{ClientToken: new("t"), FileSystemId: fs.FileSystemId})
	call(t, e, east, efsapi.OpTagResource, &efsapi.TagResourceRequest{ResourceId: fs.FileSystemArn, Tags: []efsapi.Tag{{Key: new("b"), Value: new("2")}, {Key: new("a"), Value: new("1")}}})
	call(t, e, east, efsapi.OpCreateTags, &efsapi.CreateTagsRequest{FileSystemId: fs.FileSystemId, Tags: []efsapi.Tag{{Key: new("Name"), Value: new("n")}}})
	call(t, e, east, efsapi.OpTagResource, &efsapi.TagResourceRequest{ResourceId: ap.AccessPointId, Tags: []efsapi.Tag{{Key: new("x"), Value: new("y")}}})
	page := call(t, e, east, efsapi.OpListTagsForResource, &efsapi.ListTagsForResourceRequest{ResourceId: fs.FileSystemId, MaxResults: new(int64(2))})
	if len(page.Tags) != 2 || *page.Tags[0].Key != "Name" || *page.Tags[1].Key != "a" || page.NextToken == nil {
		t.Fatalf("first page %+v", page.Tags)
	}
	call(t, e, east, efsapi.OpUntagResource, &efsapi.UntagResourceRequest{ResourceId: fs.FileSystemId, TagKeys: []string{"a"}})
	call(t, e, east, efsapi.OpDeleteTags, &efsapi.DeleteTagsRequest{FileSystemId: fs.FileSystemId, TagKeys: []string{"b"}})
	legacy := call(t, e, east, efsapi.OpDescribeTags, &efsapi.DescribeTagsRequest{FileSystemId: fs.FileSystemId})
	if len(legacy.Tags) != 1 || *legacy.Tags[0].Key != "Name" {
		t.Errorf("DescribeTags %+v", legacy.Tags)
	}
	if got := describeFS(t, e, east, *fs.FileSystemId); *got.Name != "n" {
		t.Errorf("Name %v", got.Name)
	}
	apTags := call(t, e, east, efsapi.OpListTagsForResource, &efsapi.ListTagsForResourceRequest{ResourceId: ap.AccessPointArn})
	if len(apTags.Tags) != 1 {
		t.Errorf("access point tags %+v", apTags.Tags)
	}
	fails(t, e, east, efsapi.OpTagResource, &efsapi.TagResourceRequest{ResourceId: new("fs-0123456789abcdef0"), Tags: []efsapi.Tag{{Key: new("k"), Value: new("v")}}}, "FileSystemNotFound")
	fails(t, e, west, efsapi.OpListTagsForResource, &efsapi.ListTagsForResourceRequest{ResourceId: fs.FileSystemArn}, "FileSystemNotFound")
	fails(t, e, east, efsapi.OpTagResource, &efsapi.TagResourceRequest{ResourceId: fs.FileSystemId, Tags: []efsapi.Tag{{Key: new("aws:x"), Value: new("v")}}}, "BadRequest")
}
