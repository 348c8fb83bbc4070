package e2e

import (
	"net/netip"
	"strings"
	"testing"
)

// TestEFSIPv6MountTargetsWithCLI: the AWS CLI builds a VPC with an Amazon-provided /56, a
// dual-stack subnet and an IPv6-only one, and makes a DUAL_STACK mount target at an
// address it picks and an IPV6_ONLY one; describe-mount-targets answers their IPv6
// addresses; a DUAL_STACK mount target in a subnet without IPv6 is refused.
func TestEFSIPv6MountTargetsWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var vpc struct {
		Vpc struct {
			VpcId                       string
			Ipv6CidrBlockAssociationSet []struct{ Ipv6CidrBlock string }
		}
	}
	srv.awsJSON(t, "us-east-1", &vpc, "ec2", "create-vpc", "--cidr-block", "10.40.0.0/16", "--amazon-provided-ipv6-cidr-block")
	slash56 := netip.MustParsePrefix(vpc.Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock)
	slash64 := func(n byte) netip.Prefix {
		a := slash56.Addr().As16()
		a[7] = n
		return netip.PrefixFrom(netip.AddrFrom16(a), 64)
	}
	subnet := func(args ...string) string {
		var out struct{ Subnet struct{ SubnetId string } }
		srv.awsJSON(t, "us-east-1", &out, append([]string{"ec2", "create-subnet", "--vpc-id", vpc.Vpc.VpcId}, args...)...)
		return out.Subnet.SubnetId
	}
	dual := subnet("--cidr-block", "10.40.1.0/24", "--ipv6-cidr-block", slash64(1).String(), "--availability-zone", "us-east-1a")
	only := subnet("--ipv6-native", "--ipv6-cidr-block", slash64(2).String(), "--availability-zone", "us-east-1b")
	plain := subnet("--cidr-block", "10.40.3.0/24", "--availability-zone", "us-east-1c")

	var fs cliFileSystem
	srv.awsJSON(t, "us-east-1", &fs, "efs", "create-file-system", "--creation-token", "v6")
	srv.waitFileSystem(t, "us-east-1", fs.FileSystemId)
	if out := srv.awsFail(t, "us-east-1", "efs", "create-mount-target", "--file-system-id", fs.FileSystemId, "--subnet-id", plain,
		"--ip-address-type", "DUAL_STACK"); !strings.Contains(out, "BadRequest") {
		t.Errorf("a dual-stack mount target in an IPv4 subnet: %s", out)
	}
	asked := slash64(1).Addr().Next().Next().Next().Next().Next().Next().String()
	type mountTarget struct{ MountTargetId, IpAddress, Ipv6Address, SubnetId string }
	var both, v6 mountTarget
	srv.awsJSON(t, "us-east-1", &both, "efs", "create-mount-target", "--file-system-id", fs.FileSystemId, "--subnet-id", dual,
		"--ip-address-type", "DUAL_STACK", "--ipv6-address", asked)
	srv.awsJSON(t, "us-east-1", &v6, "efs", "create-mount-target", "--file-system-id", fs.FileSystemId, "--subnet-id", only,
		"--ip-address-type", "IPV6_ONLY")
	if !strings.HasPrefix(both.IpAddress, "10.40.1.") || both.Ipv6Address != asked {
		t.Errorf("the dual-stack mount target %+v", both)
	}
	if v6.IpAddress != "" || !slash64(2).Contains(netip.MustParseAddr(v6.Ipv6Address)) {
		t.Errorf("the IPv6-only mount target %+v", v6)
	}
	var described struct{ MountTargets []mountTarget }
	srv.awsJSON(t, "us-east-1", &described, "efs", "describe-mount-targets", "--file-system-id", fs.FileSystemId)
	got := map[string]string{}
	for _, mt := range described.MountTargets {
		got[mt.SubnetId] = mt.Ipv6Address
	}
	if len(got) != 2 || got[dual] != asked || got[only] != v6.Ipv6Address {
		t.Errorf("describe-mount-targets: %+v", described.MountTargets)
	}
}
